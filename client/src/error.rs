//! The crate's one error type.
//!
//! Every fallible call in the crate returns [`Result`]. The enum keeps what the server said
//! (response code and text) as data, never as a pre-formatted string, and never holds
//! credentials. It is `Send + Sync + 'static` on every target.

use crate::types::response::ResponseCode;

/// Shorthand for `std::result::Result<T, daaki_imap::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in daaki-imap.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value given by the caller cannot be sent to the server as it is (for example a
    /// mailbox name with a NUL byte, or an empty sequence set). Nothing was sent.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A server response broke a size limit (or announced an impossible literal). The
    /// sans-I/O session skips such a response and stays in sync
    /// ([`FrameError::keeps_sync`](crate::proto::FrameError::keeps_sync)), but an
    /// [`ImapConnection`](crate::ImapConnection) closes the connection with this error rather
    /// than let a command complete with part of its data silently missing.
    #[error("server response rejected: {0}")]
    Frame(#[from] crate::proto::FrameError),
    /// A server response could not be parsed (position and context inside).
    #[error("unparsable server response: {0}")]
    Parse(#[from] crate::proto::ParseError),
    /// The server refused the command (`NO`): the response code and text as sent.
    #[error("server said NO{}: {text}", code_suffix(code))]
    No {
        /// The response code, if the server sent one (e.g. `[AUTHENTICATIONFAILED]`).
        code: Option<ResponseCode>,
        /// The human-readable text.
        text: String,
    },
    /// The server rejected the command as invalid (`BAD`).
    #[error("server said BAD{}: {text}", code_suffix(code))]
    Bad {
        /// The response code, if any.
        code: Option<ResponseCode>,
        /// The human-readable text.
        text: String,
    },
    /// The server closed the session (`BYE`) while the command was running.
    #[error("server said BYE{}: {text}", code_suffix(code))]
    Bye {
        /// The response code, if any.
        code: Option<ResponseCode>,
        /// The human-readable text.
        text: String,
    },
    /// AUTHENTICATE with XOAUTH2 or OAUTHBEARER failed after the server explained why in a
    /// JSON challenge (RFC 7628 §3.2.2): the decoded JSON, then the tagged `NO`'s code and text.
    #[error("OAuth authentication failed (status {}){}: {text}", error.status.as_deref().unwrap_or("?"), code_suffix(code))]
    OAuth {
        /// The server's JSON error report, decoded (boxed: it is large and rare).
        error: Box<crate::proto::sasl::OAuthError>,
        /// The tagged response's code (e.g. `[AUTHENTICATIONFAILED]`).
        code: Option<ResponseCode>,
        /// The tagged response's text.
        text: String,
    },
    /// The server does not offer what the call needs (a capability, or it sent
    /// `LOGINDISABLED`). Nothing was sent.
    #[error("not supported by this server: {0}")]
    Unsupported(String),
    /// A message to APPEND is larger than the server's APPENDLIMIT (RFC 7889): for the
    /// whole server (`APPENDLIMIT=n`) or for the mailbox (`STATUS … (APPENDLIMIT)`). Nothing
    /// was sent.
    #[error("message of {size} bytes exceeds the server's APPENDLIMIT of {limit} bytes")]
    AppendLimit {
        /// The message's size in bytes.
        size: u64,
        /// The limit the server announced.
        limit: u64,
    },
    /// The connection is closed (LOGOUT, BYE, or the transport failed earlier).
    #[error("connection closed")]
    Closed,
    /// The operation's time ran out. The command may still complete on the server; the
    /// connection stays usable.
    #[error("timed out")]
    Timeout,
    /// The transport failed (connect, read or write).
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// TLS setup or the TLS handshake failed (certificate not trusted, protocol error, …).
    #[error("TLS error: {0}")]
    Tls(String),
    /// The server's COMPRESS=DEFLATE stream (RFC 4978) is corrupt, or continues after its
    /// end. The connection cannot go on.
    #[error("compressed stream error: {0}")]
    Compression(String),
    /// The server completed a command with `OK` but without the data the command must
    /// return — for example no `* STATUS` response at all for the mailbox a STATUS asked
    /// about. The result would have been incomplete, so none is returned; the connection
    /// stays usable. (A reply that came but could not be typed is [`Error::Incomplete`].)
    #[error("protocol error: {0}")]
    Protocol(String),
    /// The command completed with `OK` — it took effect (a SELECT selected its mailbox) — but
    /// some responses answering it could not be typed, so its result would be incomplete.
    /// Rather than return part of it as if whole, the call fails with the whole reply: every
    /// typed response ([`IncompleteReply::data`](crate::types::response::IncompleteReply))
    /// and the untyped ones with their bytes and the parser's reason
    /// ([`Error::unparsed`]). The connection stays usable. (An untyped `* n FETCH` does not
    /// cause this: it is kept in its place among a FETCH's results.) Seen on Cyrus 3.6, which
    /// can break its own `* STATUS` line with a bare LF inside a MAILBOXID.
    #[error("incomplete reply: {0}")]
    Incomplete(Box<crate::types::response::IncompleteReply>),
    /// The reply to a command exceeded the configured buffer cap; use the streaming variant
    /// (e.g. `uid_fetch_streaming`) for large results.
    #[error("reply larger than the {limit}-byte buffer cap; use a streaming call")]
    ReplyTooLarge {
        /// The cap that was exceeded, in bytes.
        limit: u64,
    },
    /// The WebSocket bridge refused the connection or ended it (a 4000–4999 close code).
    #[error("bridge closed the connection: {code}: {reason}")]
    Bridge {
        /// Why, as the bridge's close code says.
        code: crate::wire::CloseCode,
        /// The close reason text the bridge sent.
        reason: String,
    },
}

impl From<crate::proto::ProtoError> for Error {
    fn from(e: crate::proto::ProtoError) -> Self {
        use crate::proto::ProtoError as P;
        match e {
            P::Frame(e) => Error::Frame(e),
            P::Parse(e) => Error::Parse(e),
            P::Violation(text) => Error::Protocol(text),
            P::ReplyTooLarge { limit } => Error::ReplyTooLarge { limit },
            P::Incomplete(reply) => Error::Incomplete(reply),
            P::InvalidCommand(e) => Error::InvalidInput(e.into_message()),
            P::Unsupported(what) => Error::Unsupported(what),
            P::Closed => Error::Closed,
            P::No { code, text } => Error::No { code, text },
            P::Bad { code, text } => Error::Bad { code, text },
            P::OAuth { error, code, text } => Error::OAuth { error, code, text },
        }
    }
}

impl From<crate::wire::BridgeClosed> for Error {
    fn from(closed: crate::wire::BridgeClosed) -> Self {
        Error::Bridge {
            code: closed.code,
            reason: closed.reason,
        }
    }
}

impl Error {
    /// A transport error as an [`Error`]: [`Error::Bridge`] when it carries a
    /// [`BridgeClosed`](crate::wire::BridgeClosed) (a WebSocket transport's close), else
    /// [`Error::Io`].
    pub(crate) fn from_io(e: std::io::Error) -> Self {
        match e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<crate::wire::BridgeClosed>())
        {
            Some(closed) => closed.clone().into(),
            None => Error::Io(e),
        }
    }
}

impl From<crate::types::InvalidInput> for Error {
    fn from(e: crate::types::InvalidInput) -> Self {
        Error::InvalidInput(e.into_message())
    }
}

impl From<crate::types::response::TooManyIds> for Error {
    fn from(_: crate::types::response::TooManyIds) -> Self {
        Error::ReplyTooLarge {
            limit: crate::types::response::TooManyIds::LIMIT_BYTES,
        }
    }
}

impl Error {
    /// The server's response code, for errors that carry one (`NO`, `BAD`, `BYE`, a failed
    /// OAuth exchange): `[AUTHENTICATIONFAILED]`, `[ALREADYEXISTS]`, `[NONEXISTENT]`, … (RFC
    /// 5530).
    ///
    /// ```
    /// # use daaki_imap::{Error, types::response::ResponseCode};
    /// let e = Error::No { code: Some(ResponseCode::AlreadyExists), text: "exists".into() };
    /// assert_eq!(e.response_code(), Some(&ResponseCode::AlreadyExists));
    /// ```
    pub fn response_code(&self) -> Option<&ResponseCode> {
        match self {
            Error::No { code, .. }
            | Error::Bad { code, .. }
            | Error::Bye { code, .. }
            | Error::OAuth { code, .. } => code.as_ref(),
            _ => None,
        }
    }
}

impl Error {
    /// The responses that could not be typed, for [`Error::Incomplete`]; empty for every
    /// other error.
    ///
    /// ```
    /// # use daaki_imap::Error;
    /// # use daaki_imap::types::response::{IncompleteReply, Unparsed};
    /// let raw = b"* LIST (\\Noselect \"/\" x\r\n".to_vec();
    /// let reply = IncompleteReply::new(Vec::new(), vec![Unparsed::new(raw.clone(), "why")], None, "done");
    /// let e = Error::Incomplete(Box::new(reply));
    /// assert_eq!(e.unparsed()[0].raw, raw);
    /// assert!(Error::Timeout.unparsed().is_empty());
    /// ```
    pub fn unparsed(&self) -> &[crate::types::response::Unparsed] {
        match self {
            Error::Incomplete(reply) => &reply.unparsed,
            _ => &[],
        }
    }
}

fn code_suffix(code: &Option<ResponseCode>) -> String {
    match code {
        Some(code) => format!(" [{}]", code.name()),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_codes_show_as_imap_spells_them() {
        let e = Error::No {
            code: Some(ResponseCode::AlreadyExists),
            text: "exists".into(),
        };
        assert_eq!(e.to_string(), "server said NO [ALREADYEXISTS]: exists");
        let e = Error::Bad {
            code: None,
            text: "what?".into(),
        };
        assert_eq!(e.to_string(), "server said BAD: what?");
    }

    #[test]
    fn error_is_send_sync_static() {
        fn assert_bounds<T: Send + Sync + 'static>() {}
        assert_bounds::<Error>();
    }

    #[test]
    fn every_protocol_error_becomes_the_public_variant_of_the_same_meaning() {
        use crate::proto::{FrameError, ProtoError as P};
        use crate::types::InvalidInput;
        let code = || Some(ResponseCode::AlreadyExists);
        type Check = fn(&Error) -> bool;
        let cases: Vec<(P, Check)> = vec![
            (P::Frame(FrameError::LiteralLengthOverflow), |e| {
                matches!(e, Error::Frame(FrameError::LiteralLengthOverflow))
            }),
            (
                P::Parse(crate::proto::parse_response(b"* 1 FETCH (((\r\n").unwrap_err()),
                |e| matches!(e, Error::Parse(_)),
            ),
            (
                P::Violation("v".into()),
                |e| matches!(e, Error::Protocol(t) if t == "v"),
            ),
            (P::ReplyTooLarge { limit: 7 }, |e| {
                matches!(e, Error::ReplyTooLarge { limit: 7 })
            }),
            (
                P::Incomplete(Box::new(crate::types::response::IncompleteReply::new(
                    Vec::new(),
                    Vec::new(),
                    None,
                    "t",
                ))),
                |e| matches!(e, Error::Incomplete(r) if r.text == "t"),
            ),
            (
                P::InvalidCommand(InvalidInput::new("i")),
                |e| matches!(e, Error::InvalidInput(t) if t == "i"),
            ),
            (
                P::Unsupported("u".into()),
                |e| matches!(e, Error::Unsupported(t) if t == "u"),
            ),
            (P::Closed, |e| matches!(e, Error::Closed)),
            (
                P::No {
                    code: code(),
                    text: "n".into(),
                },
                |e| matches!(e, Error::No { code: Some(ResponseCode::AlreadyExists), text } if text == "n"),
            ),
            (
                P::Bad {
                    code: code(),
                    text: "b".into(),
                },
                |e| matches!(e, Error::Bad { code: Some(ResponseCode::AlreadyExists), text } if text == "b"),
            ),
            (
                P::OAuth {
                    error: Box::default(),
                    code: code(),
                    text: "o".into(),
                },
                |e| matches!(e, Error::OAuth { code: Some(ResponseCode::AlreadyExists), text, .. } if text == "o"),
            ),
        ];
        for (proto, expected) in cases {
            let shown = format!("{proto:?}");
            let public = Error::from(proto);
            assert!(expected(&public), "{shown} became {public:?}");
        }
    }

    #[test]
    fn a_bridge_close_inside_an_io_error_becomes_error_bridge() {
        use crate::wire::{BridgeClosed, CloseCode};
        let io: std::io::Error = BridgeClosed {
            code: CloseCode::TargetNotAllowed,
            reason: "nope".into(),
        }
        .into();
        match Error::from_io(io) {
            Error::Bridge { code, reason } => {
                assert_eq!(code, CloseCode::TargetNotAllowed);
                assert_eq!(reason, "nope");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            Error::from_io(std::io::Error::other("x")),
            Error::Io(_)
        ));
    }

    #[test]
    fn ground_floor_errors_convert_with_their_message_or_limit() {
        let e = Error::from(crate::types::InvalidInput::new("empty sequence set"));
        assert!(
            matches!(&e, Error::InvalidInput(t) if t == "empty sequence set"),
            "{e:?}"
        );
        let e = Error::from(crate::types::response::TooManyIds);
        assert!(
            matches!(e, Error::ReplyTooLarge { limit } if limit == 64 * 1024 * 1024),
            "{e:?}"
        );
        let e = crate::proto::ProtoError::from(crate::types::response::TooManyIds);
        assert!(
            matches!(e, crate::proto::ProtoError::ReplyTooLarge { limit } if limit == 64 * 1024 * 1024)
        );
    }
}
