//! Status responses (`OK`/`NO`/`BAD`/`PREAUTH`/`BYE`), their response codes (RFC 3501 §7.1,
//! RFC 9051 §7.1, RFC 5530 and the extensions) and continuation requests.

use super::{FlagList, IString, SeqRange};

/// The kind of a status response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum StatusKind {
    /// `OK`
    Ok,
    /// `NO`
    No,
    /// `BAD`
    Bad,
    /// `PREAUTH` (greeting only).
    PreAuth,
    /// `BYE`
    Bye,
}

/// A tagged or untagged status response, e.g. `a1 OK [READ-WRITE] SELECT completed`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct StatusResponse<'a> {
    /// The command tag, or `None` for `*`.
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::proto::response::ser::opt_bytes")
    )]
    pub tag: Option<&'a [u8]>,
    /// OK, NO, BAD, PREAUTH or BYE.
    pub kind: StatusKind,
    /// The bracketed response code, if any.
    pub code: Option<Code<'a>>,
    /// The human-readable text (may be empty; 8-bit bytes are kept as sent).
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::proto::response::ser::bytes")
    )]
    pub text: &'a [u8],
}

/// A continuation request: `+ text`, `+ [code] text`, `+ base64` or a bare `+`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Continuation<'a> {
    /// A response code, if the text started with one.
    pub code: Option<Code<'a>>,
    /// The text or base64 data after `+ ` (empty for a bare `+`).
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::proto::response::ser::bytes")
    )]
    pub text: &'a [u8],
}

/// `METADATA` response code detail (RFC 5464 §4.2.1 / §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum MetadataCode {
    /// `LONGENTRIES n`: entries larger than the requested MAXSIZE were left out.
    LongEntries(u64),
    /// `MAXSIZE n`: the server's largest allowed value.
    MaxSize(u64),
    /// `TOOMANY`: too many annotations.
    TooMany,
    /// `NOPRIVATE`: private annotations are not supported.
    NoPrivate,
}

/// A response code (the bracketed part of a status response).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum Code<'a> {
    /// `ALERT`: the text must be shown to the user.
    Alert,
    /// `PARSE`: the server could not parse a message's headers.
    Parse,
    /// `PERMANENTFLAGS (...)`; may include `\*`.
    PermanentFlags(FlagList<'a>),
    /// `READ-ONLY`
    ReadOnly,
    /// `READ-WRITE`
    ReadWrite,
    /// `TRYCREATE`
    TryCreate,
    /// `UIDNEXT n`
    UidNext(u32),
    /// `UIDVALIDITY n`
    UidValidity(u32),
    /// `UNSEEN n` (IMAP4rev1)
    Unseen(u32),
    /// `CAPABILITY ...`
    Capability(
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::proto::response::ser::vec_bytes")
        )]
        Vec<&'a [u8]>,
    ),
    /// `BADCHARSET [(charset...)]`
    BadCharset(Vec<IString<'a>>),
    /// `REFERRAL url` (RFC 2221)
    Referral(
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::proto::response::ser::bytes")
        )]
        &'a [u8],
    ),
    /// `APPENDUID uidvalidity uid-set` (RFC 4315)
    AppendUid {
        /// UIDVALIDITY of the destination mailbox.
        uid_validity: u32,
        /// UIDs of the appended message(s).
        uids: Vec<SeqRange>,
    },
    /// `COPYUID uidvalidity source-set dest-set` (RFC 4315)
    CopyUid {
        /// UIDVALIDITY of the destination mailbox.
        uid_validity: u32,
        /// Source UIDs.
        source: Vec<SeqRange>,
        /// Destination UIDs, in the same order.
        destination: Vec<SeqRange>,
    },
    /// `UIDNOTSTICKY` (RFC 4315)
    UidNotSticky,
    /// `HIGHESTMODSEQ n` (RFC 7162)
    HighestModSeq(u64),
    /// `NOMODSEQ` (RFC 7162)
    NoModSeq,
    /// `MODIFIED seq-set` (RFC 7162)
    Modified(Vec<SeqRange>),
    /// `CLOSED` (RFC 7162)
    Closed,
    /// `MAILBOXID (id)` (RFC 8474); opaque bytes.
    MailboxId(
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::proto::response::ser::bytes")
        )]
        &'a [u8],
    ),
    /// `NOTIFICATIONOVERFLOW` (RFC 5465)
    NotificationOverflow,
    /// `BADEVENT (event...)` (RFC 5465)
    BadEvent(
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::proto::response::ser::vec_bytes")
        )]
        Vec<&'a [u8]>,
    ),
    /// `METADATA ...` (RFC 5464)
    Metadata(MetadataCode),
    /// `NOTSAVED` (RFC 5182)
    NotSaved,
    /// `TOOBIG` (RFC 4469 / 7889)
    TooBig,
    /// `UNKNOWN-CTE` (RFC 3516)
    UnknownCte,
    /// `COMPRESSIONACTIVE` (RFC 4978)
    CompressionActive,
    /// `USEATTR` (RFC 6154)
    UseAttr,
    /// `HASCHILDREN` (RFC 9051)
    HasChildren,
    /// `UNAVAILABLE` (RFC 5530)
    Unavailable,
    /// `AUTHENTICATIONFAILED` (RFC 5530)
    AuthenticationFailed,
    /// `AUTHORIZATIONFAILED` (RFC 5530)
    AuthorizationFailed,
    /// `EXPIRED` (RFC 5530)
    Expired,
    /// `PRIVACYREQUIRED` (RFC 5530)
    PrivacyRequired,
    /// `CONTACTADMIN` (RFC 5530)
    ContactAdmin,
    /// `NOPERM` (RFC 5530)
    NoPerm,
    /// `INUSE` (RFC 5530)
    InUse,
    /// `EXPUNGEISSUED` (RFC 5530)
    ExpungeIssued,
    /// `CORRUPTION` (RFC 5530)
    Corruption,
    /// `SERVERBUG` (RFC 5530)
    ServerBug,
    /// `CLIENTBUG` (RFC 5530)
    ClientBug,
    /// `CANNOT` (RFC 5530)
    Cannot,
    /// `LIMIT` (RFC 5530)
    Limit,
    /// `OVERQUOTA` (RFC 5530)
    OverQuota,
    /// `ALREADYEXISTS` (RFC 5530)
    AlreadyExists,
    /// `NONEXISTENT` (RFC 5530)
    NonExistent,
    /// A code this parser does not know, or a known code whose data did not parse; kept as
    /// data.
    Other {
        /// The code's name as sent.
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::proto::response::ser::bytes")
        )]
        name: &'a [u8],
        /// The bytes after the name (and its space) up to `]`; empty if none.
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::proto::response::ser::bytes")
        )]
        raw: &'a [u8],
    },
}
