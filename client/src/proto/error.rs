//! The protocol core's one error type: what the sans-I/O [`Session`](super::Session) and the
//! result assembly report, split by whose fault it is.

use super::framer::FrameError;
use super::parse::ParseError;
use super::sasl::OAuthError;
use crate::types::InvalidInput;
use crate::types::response::{IncompleteReply, ResponseCode, TooManyIds};

/// Shorthand for `std::result::Result<T, ProtoError>`.
pub type ProtoResult<T> = std::result::Result<T, ProtoError>;

/// Everything the protocol core can report. [`crate::Error`] wraps it (`?` converts): each
/// variant becomes the public variant of the same meaning.
///
/// | whose | variants |
/// | --- | --- |
/// | the server broke the protocol | [`Frame`](Self::Frame), [`Parse`](Self::Parse), [`Violation`](Self::Violation), [`ReplyTooLarge`](Self::ReplyTooLarge), [`Incomplete`](Self::Incomplete) |
/// | the caller | [`InvalidCommand`](Self::InvalidCommand), [`Unsupported`](Self::Unsupported), [`Closed`](Self::Closed) |
/// | the server refused | [`No`](Self::No), [`Bad`](Self::Bad), [`OAuth`](Self::OAuth) |
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProtoError {
    /// A server response broke a size limit (or announced an impossible literal).
    #[error("server response rejected: {0}")]
    Frame(#[from] FrameError),
    /// A server response could not be parsed.
    #[error("unparsable server response: {0}")]
    Parse(#[from] ParseError),
    /// The server broke the protocol: a tagged response for a tag no command has, a
    /// continuation request nobody waits for, `PREAUTH` after the greeting, an `OK` without
    /// the data the command must return.
    #[error("protocol violation: {0}")]
    Violation(String),
    /// The reply to a command exceeded the configured buffer cap (bytes).
    #[error("reply larger than the {limit}-byte buffer cap; use a streaming call")]
    ReplyTooLarge {
        /// The cap that was exceeded, in bytes.
        limit: u64,
    },
    /// The command completed with `OK`, but responses answering it could not be typed: its
    /// result would be incomplete. The reply, typed and untyped parts, is inside.
    #[error("incomplete reply: {0}")]
    Incomplete(Box<IncompleteReply>),
    /// The caller's command cannot be sent as it is (nothing was sent), or a call came at
    /// the wrong moment (e.g. answering a SASL challenge nobody asked).
    #[error("invalid command: {0}")]
    InvalidCommand(#[from] InvalidInput),
    /// The server does not offer what the command needs. Nothing was sent.
    #[error("not supported by this server: {0}")]
    Unsupported(String),
    /// The session is closed (LOGOUT or BYE): nothing more can be submitted.
    #[error("session closed")]
    Closed,
    /// The server refused the command (`NO`).
    #[error("server said NO: {text}")]
    No {
        /// The response code, if any.
        code: Option<ResponseCode>,
        /// The human-readable text.
        text: String,
    },
    /// The server rejected the command as invalid (`BAD`).
    #[error("server said BAD: {text}")]
    Bad {
        /// The response code, if any.
        code: Option<ResponseCode>,
        /// The human-readable text.
        text: String,
    },
    /// XOAUTH2 / OAUTHBEARER failed after a JSON error challenge (RFC 7628 §3.2.2).
    #[error("OAuth authentication failed: {text}")]
    OAuth {
        /// The server's JSON error report, decoded.
        error: Box<OAuthError>,
        /// The tagged response's code.
        code: Option<ResponseCode>,
        /// The tagged response's text.
        text: String,
    },
}

impl ProtoError {
    /// Whether the server is at fault (it broke the protocol or a limit), as opposed to the
    /// caller or a refusal the protocol allows.
    pub fn is_server_fault(&self) -> bool {
        matches!(
            self,
            Self::Frame(_)
                | Self::Parse(_)
                | Self::Violation(_)
                | Self::ReplyTooLarge { .. }
                | Self::Incomplete(_)
        )
    }
}

impl From<TooManyIds> for ProtoError {
    fn from(_: TooManyIds) -> Self {
        Self::ReplyTooLarge {
            limit: TooManyIds::LIMIT_BYTES,
        }
    }
}
