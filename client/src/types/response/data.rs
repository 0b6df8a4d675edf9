//! Owned untagged server data, as the session hands it to the command that asked for it.
//!
//! The session routes on the borrowed protocol model (no allocation before it knows where a
//! response goes) and converts exactly once, here.

use crate::proto::response as proto;

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

impl ServerData {
    /// Converts borrowed data; `frame` is the whole response's bytes, kept for unknown data
    /// ([`ServerData::Raw`]). `utf8` says whether mailbox names are UTF-8.
    pub(crate) fn from_proto(data: proto::Data<'_>, frame: &[u8], utf8: bool) -> Self {
        let lossy = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        match data {
            proto::Data::Capability(c) => {
                ServerData::Capability(c.into_iter().map(lossy).collect())
            }
            proto::Data::Enabled(c) => ServerData::Enabled(c.into_iter().map(lossy).collect()),
            proto::Data::List(l) => ServerData::List(l.into_owned(utf8)),
            proto::Data::Lsub(l) => ServerData::Lsub(l.into_owned(utf8)),
            proto::Data::Status(s) => ServerData::Status(s.into_owned(utf8)),
            proto::Data::Search(s) => ServerData::Search {
                ids: s.ids,
                modseq: s.modseq,
            },
            proto::Data::Sort(s) => ServerData::Sort {
                ids: s.ids,
                modseq: s.modseq,
            },
            proto::Data::ESearch(e) => {
                let mut out = ESearch {
                    tag: e.tag.map(|t| t.to_string_lossy()),
                    uid: e.uid,
                    ..ESearch::default()
                };
                for item in e.items {
                    match item {
                        proto::ESearchItem::Min(n) => out.min = Some(n),
                        proto::ESearchItem::Max(n) => out.max = Some(n),
                        proto::ESearchItem::Count(n) => out.count = Some(n),
                        proto::ESearchItem::All(r) => out.all = Some(r),
                        proto::ESearchItem::ModSeq(n) => out.modseq = Some(n),
                        _ => {}
                    }
                }
                ServerData::ESearch(out)
            }
            proto::Data::Thread(t) => ServerData::Thread(t),
            proto::Data::Flags(f) => ServerData::Flags(f.iter().map(Flag::from_server).collect()),
            proto::Data::Exists(n) => ServerData::Exists(n),
            proto::Data::Recent(n) => ServerData::Recent(n),
            proto::Data::Expunge(n) => ServerData::Expunge(n),
            proto::Data::Fetch(f) => ServerData::Fetch(f.into_owned()),
            proto::Data::Vanished(v) => ServerData::Vanished {
                earlier: v.earlier,
                uids: v.uids,
            },
            proto::Data::Namespace(n) => ServerData::Namespace(n.into_owned(utf8)),
            proto::Data::Quota(q) => ServerData::Quota(q.into_owned()),
            proto::Data::QuotaRoot(q) => ServerData::QuotaRoot(q.into_owned(utf8)),
            proto::Data::Acl(a) => ServerData::Acl(a.into_owned(utf8)),
            proto::Data::ListRights(l) => ServerData::ListRights(l.into_owned(utf8)),
            proto::Data::MyRights(m) => ServerData::MyRights(m.into_owned(utf8)),
            proto::Data::Metadata(m) => ServerData::Metadata(m.into_owned(utf8)),
            proto::Data::Id(id) => ServerData::Id(proto::extensions::id_into_owned(id)),
            proto::Data::Other { .. } => ServerData::Raw(frame.to_vec()),
        }
    }
}
