//! `SEARCH`, `SORT` (RFC 3501, RFC 5256, RFC 7162 `(MODSEQ n)`), `ESEARCH` (RFC 4731,
//! RFC 9051) and `THREAD` (RFC 5256).

use super::IString;
pub use crate::types::response::{SeqRange, Thread};

/// `* SEARCH n...` or `* SORT n...`, with the optional `(MODSEQ n)` of RFC 7162.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SearchResponse {
    /// The matching message numbers or UIDs, in server order.
    pub ids: Vec<u32>,
    /// The highest mod-sequence of the matches, if the server sent one.
    pub modseq: Option<u64>,
}

/// `* ESEARCH [(TAG "tag")] [UID] items...`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ESearchResponse<'a> {
    /// The tag of the command this answers (`TAG` correlator).
    pub tag: Option<IString<'a>>,
    /// `true` when the numbers are UIDs.
    pub uid: bool,
    /// The return items, in server order.
    pub items: Vec<ESearchItem<'a>>,
}

/// One ESEARCH return item.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum ESearchItem<'a> {
    /// `MIN n`
    Min(u32),
    /// `MAX n`
    Max(u32),
    /// `COUNT n`
    Count(u32),
    /// `ALL seq-set`
    All(Vec<SeqRange>),
    /// `MODSEQ n` (RFC 7162)
    ModSeq(u64),
    /// An item this parser does not know: its name and raw value.
    Other {
        /// The item name as sent.
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::proto::response::ser::bytes")
        )]
        name: &'a [u8],
        /// The raw value.
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::proto::response::ser::bytes")
        )]
        raw: &'a [u8],
    },
}
