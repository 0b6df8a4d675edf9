//! Number ranges (UID sets in APPENDUID/COPYUID/VANISHED/ESEARCH) and THREAD trees.

/// An inclusive range of numbers from a sequence set (`5` is `5..=5`; `*` is `u32::MAX`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct SeqRange {
    /// First number (the smaller one).
    pub start: u32,
    /// Last number (inclusive).
    pub end: u32,
}

impl SeqRange {
    /// Every number in the range.
    pub fn iter(&self) -> std::ops::RangeInclusive<u32> {
        self.start..=self.end
    }
}

/// One thread of a `THREAD` response (RFC 5256): a chain of messages (each the parent of the
/// next) and the sub-threads hanging off the last one. `members` is empty when the thread's
/// root is missing (`((3)(5))`). Nesting is bounded by the parser.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct Thread {
    /// Message numbers or UIDs, each the parent of the next.
    pub members: Vec<u32>,
    /// Sub-threads of the last member (or siblings under a missing root).
    pub children: Vec<Thread>,
}
