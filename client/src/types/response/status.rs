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
