//! Owned untagged server data, as the session hands it to the command that asked for it.
//!
//! The session routes on the borrowed protocol model (no allocation before it knows where a
//! response goes) and converts exactly once ([`crate::proto::response`]'s `convert`).

use super::{
    Acl, FetchResponse, ListRights, MailboxInfo, MailboxStatus, Metadata, MyRights, Namespace,
    Quota, QuotaRoot, ResponseCode, SeqRange, Thread,
};
use crate::types::Flag;

/// One piece of untagged data (`* ...`), owned.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum ServerData {
    /// `* CAPABILITY ...`, names as sent.
    Capability(Vec<String>),
    /// `* ENABLED ...`
    Enabled(Vec<String>),
    /// `* LIST ...`
    List(MailboxInfo),
    /// `* LSUB ...`
    Lsub(MailboxInfo),
    /// `* XLIST ...` (Gmail, QQ Mail): a LIST entry whose XLIST-only attributes are mapped
    /// to their SPECIAL-USE names (see
    /// [`MailboxAttribute::from_xlist`](crate::types::response::MailboxAttribute::from_xlist)).
    XList(MailboxInfo),
    /// `* STATUS ...`
    Status(MailboxStatus),
    /// `* SEARCH ...` (and `(MODSEQ n)`).
    Search {
        /// Matching sequence numbers or UIDs.
        ids: Vec<u32>,
        /// Highest mod-sequence of the matches (CONDSTORE).
        modseq: Option<u64>,
    },
    /// `* SORT ...`
    Sort {
        /// Sorted sequence numbers or UIDs.
        ids: Vec<u32>,
        /// Highest mod-sequence (CONDSTORE).
        modseq: Option<u64>,
    },
    /// `* ESEARCH ...` (RFC 4731 / RFC 9051).
    ESearch(ESearch),
    /// `* THREAD ...`
    Thread(Vec<Thread>),
    /// `* FLAGS (...)`
    Flags(Vec<Flag>),
    /// `* n EXISTS`
    Exists(u32),
    /// `* n RECENT`
    Recent(u32),
    /// `* n EXPUNGE`
    Expunge(u32),
    /// `* n FETCH (...)`
    Fetch(FetchResponse),
    /// `* VANISHED [(EARLIER)] uids` (QRESYNC).
    Vanished {
        /// `(EARLIER)`: a reply to a command, not a live expunge.
        earlier: bool,
        /// The expunged UIDs.
        uids: Vec<SeqRange>,
    },
    /// An untagged `OK`/`NO`/`BAD` carrying a response code (e.g. `[UIDVALIDITY n]` during
    /// SELECT, `[COPYUID ...]` during MOVE).
    Code {
        /// The code.
        code: ResponseCode,
        /// The human-readable text after it.
        text: String,
    },
    /// `* NAMESPACE ...` (RFC 2342).
    Namespace(Namespace),
    /// `* QUOTA ...` (RFC 9208).
    Quota(Quota),
    /// `* QUOTAROOT ...` (RFC 9208).
    QuotaRoot(QuotaRoot),
    /// `* ACL ...` (RFC 4314).
    Acl(Acl),
    /// `* LISTRIGHTS ...` (RFC 4314).
    ListRights(ListRights),
    /// `* MYRIGHTS ...` (RFC 4314).
    MyRights(MyRights),
    /// `* METADATA ...` (RFC 5464): values, or the names of changed entries.
    Metadata(Metadata),
    /// `* ID (...)` (RFC 2971): field/value pairs in server order (`None` for `ID NIL`; a
    /// value is `None` for `NIL`). Field names are case-insensitive.
    Id(Option<Vec<(String, Option<String>)>>),
    /// Untagged data this crate does not know (`Data::Other`), kept as the exact bytes of
    /// the response (CRLF included).
    Raw(Vec<u8>),
}

/// `* ESEARCH` results, owned.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ESearch {
    /// The `(TAG "...")` correlator, if sent.
    pub tag: Option<String>,
    /// Whether the results are UIDs.
    pub uid: bool,
    /// `MIN`
    pub min: Option<u32>,
    /// `MAX`
    pub max: Option<u32>,
    /// `COUNT`
    pub count: Option<u32>,
    /// `ALL`
    pub all: Option<Vec<SeqRange>>,
    /// `MODSEQ`
    pub modseq: Option<u64>,
}
