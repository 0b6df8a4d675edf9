//! The protocol-level (borrowed) response model: what one server response says, as close to the
//! wire as is useful, borrowing strings and literals from the input buffer.
//!
//! **Internal** (hidden from the docs, no stability promise): the session parses into this
//! model and routes on it before anything is allocated, then converts once into the public
//! model, [`crate::types::response`] — the one model callers see. It is reachable only for the
//! fuzzers, the parser benchmark and the conformance tests.
//!
//! Every type here has a lifetime `'a` tied to the bytes given to
//! [`parse_response`](crate::proto::parse_response). Tokens are `&'a [u8]`; strings that may
//! be quoted are [`IString`] (borrowed; escapes are removed only on demand). Literal bodies
//! are always borrowed slices.
//!
//! `ENVELOPE` and `BODYSTRUCTURE` are parsed straight into the public model (they are always
//! converted, so a borrowed copy would only cost allocations); the rest converts to the owned
//! public model ([`crate::types::response`]) with the `into_owned` methods;
//! this module never allocates beyond the vectors a response truly needs and never interprets
//! text encodings (that is the owned model's job).
//!
//! Unknown response codes, FETCH items and untagged responses are kept as `Other` data rather
//! than failing the whole response.
//!
//! With the `serde` feature every type here implements `serde::Serialize` (serialisation
//! only); byte strings and [`IString`]s serialise as bytes.

mod convert;
pub mod extensions;
mod fetch;
mod istring;
mod mailbox;
mod search;
#[cfg(feature = "serde")]
mod ser;
mod status;

pub use fetch::{FetchItem, FetchResponse, FlagList, Section};
pub use istring::IString;
pub use mailbox::{ListExtendedItem, ListItem, StatusItem, StatusResponseData};
pub use search::{ESearchItem, ESearchResponse, SearchResponse, SeqRange, Thread};
pub use status::{Code, Continuation, MetadataCode, StatusKind, StatusResponse};

/// One complete server response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum Response<'a> {
    /// A tagged or untagged status response (`OK`, `NO`, `BAD`, `PREAUTH`, `BYE`), including
    /// the greeting.
    Status(StatusResponse<'a>),
    /// Untagged server data (`* ...` that is not a status response).
    Data(Data<'a>),
    /// A command continuation request (`+ ...`).
    Continuation(Continuation<'a>),
}

/// Untagged server data.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum Data<'a> {
    /// `* CAPABILITY ...` (RFC 3501 §7.2.1): the capability atoms as sent.
    Capability(
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::proto::response::ser::vec_bytes")
        )]
        Vec<&'a [u8]>,
    ),
    /// `* ENABLED ...` (RFC 5161): the extensions the server enabled.
    Enabled(
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::proto::response::ser::vec_bytes")
        )]
        Vec<&'a [u8]>,
    ),
    /// `* LIST ...` (RFC 3501 §7.2.2, RFC 5258 LIST-EXTENDED, RFC 6154 SPECIAL-USE).
    List(ListItem<'a>),
    /// `* LSUB ...` (RFC 3501 §7.2.3).
    Lsub(ListItem<'a>),
    /// `* XLIST ...`: Gmail's and QQ Mail's pre-SPECIAL-USE list, shaped like LIST.
    XList(ListItem<'a>),
    /// `* STATUS mailbox (...)` (RFC 3501 §7.2.4 and extensions).
    Status(StatusResponseData<'a>),
    /// `* SEARCH ...` (RFC 3501 §7.2.5; `(MODSEQ n)` from RFC 7162).
    Search(SearchResponse),
    /// `* SORT ...` (RFC 5256); same shape as SEARCH.
    Sort(SearchResponse),
    /// `* ESEARCH ...` (RFC 4731 / RFC 9051).
    ESearch(ESearchResponse<'a>),
    /// `* THREAD ...` (RFC 5256): one entry per top-level thread.
    Thread(Vec<Thread>),
    /// `* FLAGS (...)` (RFC 3501 §7.2.6).
    Flags(FlagList<'a>),
    /// `* n EXISTS` (RFC 3501 §7.3.1).
    Exists(u32),
    /// `* n RECENT` (RFC 3501 §7.3.2; IMAP4rev1 only).
    Recent(u32),
    /// `* n EXPUNGE` (RFC 3501 §7.4.1). Every later message's sequence number drops by one.
    Expunge(u32),
    /// `* n FETCH (...)` (RFC 3501 §7.4.2).
    Fetch(FetchResponse<'a>),
    /// `* VANISHED [(EARLIER)] uid-set` (RFC 7162 QRESYNC).
    Vanished(extensions::Vanished),
    /// `* NAMESPACE ...` (RFC 2342).
    Namespace(extensions::Namespace<'a>),
    /// `* QUOTA root (...)` (RFC 9208).
    Quota(extensions::Quota<'a>),
    /// `* QUOTAROOT mailbox root...` (RFC 9208).
    QuotaRoot(extensions::QuotaRoot<'a>),
    /// `* ACL mailbox (id rights)...` (RFC 4314).
    Acl(extensions::Acl<'a>),
    /// `* LISTRIGHTS mailbox id required optional...` (RFC 4314).
    ListRights(extensions::ListRights<'a>),
    /// `* MYRIGHTS mailbox rights` (RFC 4314).
    MyRights(extensions::MyRights<'a>),
    /// `* METADATA mailbox ...` (RFC 5464).
    Metadata(extensions::Metadata<'a>),
    /// `* ID (...)` or `* ID NIL` (RFC 2971): field/value pairs.
    Id(Option<Vec<(IString<'a>, Option<IString<'a>>)>>),
    /// Untagged data this parser does not know: the keyword (or number + keyword) and the raw
    /// bytes after it up to, not including, the final CRLF.
    Other {
        /// The response keyword as sent (e.g. `XCONVERSATIONS`).
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::proto::response::ser::bytes")
        )]
        name: &'a [u8],
        /// The number before the keyword, for `* n KEYWORD` forms.
        number: Option<u32>,
        /// Everything after the keyword and its space, without the final CRLF.
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::proto::response::ser::bytes")
        )]
        raw: &'a [u8],
    },
}
