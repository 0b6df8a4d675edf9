//! Owned response codes.

use super::SeqRange;
use crate::types::Flag;

/// A response code (the bracketed part of a status response), owned. Unknown codes are
/// kept in [`ResponseCode::Other`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum ResponseCode {
    /// `ALERT`
    Alert,
    /// `PARSE`
    Parse,
    /// `PERMANENTFLAGS`; `\*` appears as `Flag::Extension("*")`.
    PermanentFlags(Vec<Flag>),
    /// `READ-ONLY`
    ReadOnly,
    /// `READ-WRITE`
    ReadWrite,
    /// `TRYCREATE`
    TryCreate,
    /// `UIDNEXT`
    UidNext(u32),
    /// `UIDVALIDITY`
    UidValidity(u32),
    /// `UNSEEN`
    Unseen(u32),
    /// `CAPABILITY`
    Capability(Vec<String>),
    /// `BADCHARSET`
    BadCharset(Vec<String>),
    /// `REFERRAL`
    Referral(String),
    /// `APPENDUID`
    AppendUid {
        /// UIDVALIDITY of the destination.
        uid_validity: u32,
        /// The new UIDs.
        uids: Vec<SeqRange>,
    },
    /// `COPYUID`
    CopyUid {
        /// UIDVALIDITY of the destination.
        uid_validity: u32,
        /// Source UIDs.
        source: Vec<SeqRange>,
        /// Destination UIDs.
        destination: Vec<SeqRange>,
    },
    /// `UIDNOTSTICKY`
    UidNotSticky,
    /// `HIGHESTMODSEQ`
    HighestModSeq(u64),
    /// `NOMODSEQ`
    NoModSeq,
    /// `MODIFIED`
    Modified(Vec<SeqRange>),
    /// `CLOSED`
    Closed,
    /// `MAILBOXID`, opaque bytes.
    MailboxId(Vec<u8>),
    /// `NOTIFICATIONOVERFLOW`
    NotificationOverflow,
    /// `BADEVENT`
    BadEvent(Vec<String>),
    /// `METADATA LONGENTRIES n`
    MetadataLongEntries(u64),
    /// `METADATA MAXSIZE n`
    MetadataMaxSize(u64),
    /// `METADATA TOOMANY`
    MetadataTooMany,
    /// `METADATA NOPRIVATE`
    MetadataNoPrivate,
    /// `NOTSAVED`
    NotSaved,
    /// `TOOBIG`
    TooBig,
    /// `UNKNOWN-CTE`
    UnknownCte,
    /// `COMPRESSIONACTIVE`
    CompressionActive,
    /// `USEATTR`
    UseAttr,
    /// `HASCHILDREN`
    HasChildren,
    /// `UNAVAILABLE`
    Unavailable,
    /// `AUTHENTICATIONFAILED`
    AuthenticationFailed,
    /// `AUTHORIZATIONFAILED`
    AuthorizationFailed,
    /// `EXPIRED`
    Expired,
    /// `PRIVACYREQUIRED`
    PrivacyRequired,
    /// `CONTACTADMIN`
    ContactAdmin,
    /// `NOPERM`
    NoPerm,
    /// `INUSE`
    InUse,
    /// `EXPUNGEISSUED`
    ExpungeIssued,
    /// `CORRUPTION`
    Corruption,
    /// `SERVERBUG`
    ServerBug,
    /// `CLIENTBUG`
    ClientBug,
    /// `CANNOT`
    Cannot,
    /// `LIMIT`
    Limit,
    /// `OVERQUOTA`
    OverQuota,
    /// `ALREADYEXISTS`
    AlreadyExists,
    /// `NONEXISTENT`
    NonExistent,
    /// Any other code: name and raw data as sent.
    Other {
        /// The code's name.
        name: String,
        /// Its data (empty if none).
        raw: Vec<u8>,
    },
}

impl ResponseCode {
    /// The code's atom as IMAP spells it (`AUTHENTICATIONFAILED`, `TRYCREATE`, …; an unknown
    /// code's name upper-cased): the `[…]` of [`Error`](crate::Error)'s message and the JS
    /// `responseCode`. The METADATA codes (RFC 5464) are all `METADATA`.
    ///
    /// ```
    /// use daaki_imap::types::response::ResponseCode;
    /// assert_eq!(ResponseCode::AlreadyExists.name(), "ALREADYEXISTS");
    /// assert_eq!(ResponseCode::ReadOnly.name(), "READ-ONLY");
    /// ```
    pub fn name(&self) -> std::borrow::Cow<'_, str> {
        use ResponseCode as R;
        let name = match self {
            R::Alert => "ALERT",
            R::Parse => "PARSE",
            R::PermanentFlags(_) => "PERMANENTFLAGS",
            R::ReadOnly => "READ-ONLY",
            R::ReadWrite => "READ-WRITE",
            R::TryCreate => "TRYCREATE",
            R::UidNext(_) => "UIDNEXT",
            R::UidValidity(_) => "UIDVALIDITY",
            R::Unseen(_) => "UNSEEN",
            R::Capability(_) => "CAPABILITY",
            R::BadCharset(_) => "BADCHARSET",
            R::Referral(_) => "REFERRAL",
            R::AppendUid { .. } => "APPENDUID",
            R::CopyUid { .. } => "COPYUID",
            R::UidNotSticky => "UIDNOTSTICKY",
            R::HighestModSeq(_) => "HIGHESTMODSEQ",
            R::NoModSeq => "NOMODSEQ",
            R::Modified(_) => "MODIFIED",
            R::Closed => "CLOSED",
            R::MailboxId(_) => "MAILBOXID",
            R::NotificationOverflow => "NOTIFICATIONOVERFLOW",
            R::BadEvent(_) => "BADEVENT",
            R::MetadataLongEntries(_)
            | R::MetadataMaxSize(_)
            | R::MetadataTooMany
            | R::MetadataNoPrivate => "METADATA",
            R::NotSaved => "NOTSAVED",
            R::TooBig => "TOOBIG",
            R::UnknownCte => "UNKNOWN-CTE",
            R::CompressionActive => "COMPRESSIONACTIVE",
            R::UseAttr => "USEATTR",
            R::HasChildren => "HASCHILDREN",
            R::Unavailable => "UNAVAILABLE",
            R::AuthenticationFailed => "AUTHENTICATIONFAILED",
            R::AuthorizationFailed => "AUTHORIZATIONFAILED",
            R::Expired => "EXPIRED",
            R::PrivacyRequired => "PRIVACYREQUIRED",
            R::ContactAdmin => "CONTACTADMIN",
            R::NoPerm => "NOPERM",
            R::InUse => "INUSE",
            R::ExpungeIssued => "EXPUNGEISSUED",
            R::Corruption => "CORRUPTION",
            R::ServerBug => "SERVERBUG",
            R::ClientBug => "CLIENTBUG",
            R::Cannot => "CANNOT",
            R::Limit => "LIMIT",
            R::OverQuota => "OVERQUOTA",
            R::AlreadyExists => "ALREADYEXISTS",
            R::NonExistent => "NONEXISTENT",
            R::Other { name, .. } => return std::borrow::Cow::Owned(name.to_ascii_uppercase()),
        };
        std::borrow::Cow::Borrowed(name)
    }
}

#[cfg(test)]
mod tests {
    use super::ResponseCode as R;
    use crate::Error;
    use crate::proto::command::CommandBody;
    use crate::proto::parse_response;
    use crate::proto::response::Response;
    use crate::proto::session::{DataMode, Session, SessionEvent};

    /// RFC 5530 §3, every code, with `METADATA` codes of RFC 5464 §4.2–4.3 alongside.
    fn rfc5530() -> Vec<(&'static str, R)> {
        vec![
            ("UNAVAILABLE", R::Unavailable),
            ("AUTHENTICATIONFAILED", R::AuthenticationFailed),
            ("AUTHORIZATIONFAILED", R::AuthorizationFailed),
            ("EXPIRED", R::Expired),
            ("PRIVACYREQUIRED", R::PrivacyRequired),
            ("CONTACTADMIN", R::ContactAdmin),
            ("NOPERM", R::NoPerm),
            ("INUSE", R::InUse),
            ("EXPUNGEISSUED", R::ExpungeIssued),
            ("CORRUPTION", R::Corruption),
            ("SERVERBUG", R::ServerBug),
            ("CLIENTBUG", R::ClientBug),
            ("CANNOT", R::Cannot),
            ("LIMIT", R::Limit),
            ("OVERQUOTA", R::OverQuota),
            ("ALREADYEXISTS", R::AlreadyExists),
            ("NONEXISTENT", R::NonExistent),
        ]
    }

    #[test]
    fn every_rfc_5530_code_parses_to_its_typed_value_in_any_case() {
        let metadata = [
            ("METADATA LONGENTRIES 2048", R::MetadataLongEntries(2048)),
            ("METADATA MAXSIZE 1024", R::MetadataMaxSize(1024)),
            ("METADATA TOOMANY", R::MetadataTooMany),
            ("METADATA NOPRIVATE", R::MetadataNoPrivate),
        ];
        for (name, want) in rfc5530().into_iter().chain(metadata) {
            for spelled in [name.to_owned(), name.to_ascii_lowercase()] {
                let line = format!("A1 NO [{spelled}] refused\r\n");
                let Ok((Response::Status(status), _)) = parse_response(line.as_bytes()) else {
                    panic!("{line:?} does not parse");
                };
                assert_eq!(
                    status.code.map(|c| c.into_owned()),
                    Some(want.clone()),
                    "{line:?}"
                );
            }
        }
    }

    #[test]
    fn a_tagged_no_or_bad_carries_the_typed_code_on_the_error() {
        for (name, want) in rfc5530() {
            for (kind, bad) in [("NO", false), ("BAD", true)] {
                let mut s = Session::default();
                s.handle_input(b"* OK ready\r\n");
                while s.poll_event().is_some() {}
                let _ = s.submit(CommandBody::Noop, DataMode::Collect).unwrap();
                let mut out = Vec::new();
                s.transmit_into(&mut out);
                s.handle_input(format!("A1 {kind} [{name}] text here\r\n").as_bytes());
                let Some(SessionEvent::Completed { outcome, .. }) = s.poll_event() else {
                    panic!("no completion for {name}");
                };
                let error: crate::Error = outcome.into_result().unwrap_err().into();
                assert_eq!(error.response_code(), Some(&want), "{name}");
                match error {
                    Error::No { text, .. } if !bad => assert_eq!(text, "text here"),
                    Error::Bad { text, .. } if bad => assert_eq!(text, "text here"),
                    other => panic!("{other:?}"),
                }
            }
        }
    }

    #[test]
    fn unknown_codes_are_kept_with_their_data() {
        let Ok((Response::Status(status), _)) = parse_response(b"A1 NO [X-FOO 1 2] t\r\n") else {
            panic!()
        };
        match status.code.map(|c| c.into_owned()) {
            Some(R::Other { name, raw }) => {
                assert_eq!(name, "X-FOO");
                assert_eq!(raw, b"1 2");
            }
            other => panic!("{other:?}"),
        }
    }
}
