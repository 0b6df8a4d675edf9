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

    /// Appends every number of `ranges` to `out`, refusing (before allocating) when `out`
    /// would hold more than [`MAX_EXPANDED_IDS`] numbers.
    ///
    /// ```
    /// use daaki_imap::types::response::SeqRange;
    /// let mut out = vec![9];
    /// SeqRange::expand_into(&[SeqRange { start: 1, end: 3 }], &mut out)?;
    /// assert_eq!(out, [9, 1, 2, 3]);
    /// # Ok::<(), daaki_imap::types::response::TooManyIds>(())
    /// ```
    pub fn expand_into(ranges: &[SeqRange], out: &mut Vec<u32>) -> Result<(), TooManyIds> {
        let total: u64 = ranges
            .iter()
            .map(|r| u64::from(r.end.saturating_sub(r.start)) + 1)
            .sum::<u64>()
            + out.len() as u64;
        if total > MAX_EXPANDED_IDS {
            return Err(TooManyIds);
        }
        out.reserve(total as usize - out.len());
        for r in ranges {
            out.extend(r.iter());
        }
        Ok(())
    }
}

/// The most numbers a compact `ALL 1:n` answer may expand to (16 Mi, 64 MiB of `u32`): a
/// server cannot make the client allocate without bound.
pub const MAX_EXPANDED_IDS: u64 = 16 * 1024 * 1024;

/// Ranges would expand to more than [`MAX_EXPANDED_IDS`] numbers. Converts into
/// [`Error::ReplyTooLarge`](crate::Error::ReplyTooLarge) with the cap in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("more than {MAX_EXPANDED_IDS} numbers to expand")]
pub struct TooManyIds;

impl TooManyIds {
    /// The cap in bytes of `u32` numbers (64 MiB).
    pub const LIMIT_BYTES: u64 = MAX_EXPANDED_IDS * 4;
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

#[cfg(test)]
mod tests {
    use super::{MAX_EXPANDED_IDS, SeqRange, TooManyIds};

    #[test]
    fn expanding_appends_every_number_and_stops_exactly_at_the_cap() {
        assert_eq!(MAX_EXPANDED_IDS, 16 * 1024 * 1024, "16 Mi numbers (64 MiB)");
        assert_eq!(TooManyIds::LIMIT_BYTES, 64 * 1024 * 1024);
        let mut out = vec![9];
        SeqRange::expand_into(
            &[SeqRange { start: 1, end: 3 }, SeqRange { start: 5, end: 5 }],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, vec![9, 1, 2, 3, 5]);
        let max = u32::try_from(MAX_EXPANDED_IDS).unwrap();
        let all = [SeqRange { start: 1, end: max }];
        // One number already held plus the cap is one too many: refused before allocating.
        let mut one = vec![7];
        assert_eq!(SeqRange::expand_into(&all, &mut one), Err(TooManyIds));
        assert_eq!(one, vec![7]);
        let mut exactly = Vec::new();
        SeqRange::expand_into(&all, &mut exactly).unwrap();
        assert_eq!(exactly.len() as u64, MAX_EXPANDED_IDS);
        assert_eq!(exactly.last(), Some(&max));
    }
}
