//! `SequenceSet`: message sequence numbers or UIDs for requests (RFC 3501 §9 `sequence-set`,
//! RFC 5182 `$`).
//!
//! Requests use non-zero numbers only ([`NonZeroU32`]); responses keep plain integers and do
//! not use this type. [`ModSeq`], the 63-bit mod-sequence of CONDSTORE requests, lives here
//! too.

use std::num::NonZeroU32;
use std::ops::RangeInclusive;

use crate::types::InvalidInput;

/// One end of a range, or a single element: a number or `*` (the largest number in use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum SeqNumber {
    /// A message sequence number or UID.
    Value(NonZeroU32),
    /// `*`: the largest number in use in the mailbox.
    Largest,
}

/// One comma-separated element of a sequence set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum SequenceItem {
    /// A single number or `*`.
    Single(SeqNumber),
    /// `a:b`; the order of the ends does not matter to the server (`5:1` is `1:5`).
    Range(SeqNumber, SeqNumber),
}

/// A non-empty set of message sequence numbers or UIDs, or `$` (the saved search result of
/// SEARCHRES, RFC 5182).
///
/// Display writes the wire form (`1:5,7,10:*`, or `$`).
///
/// ```
/// # use daaki_imap::types::SequenceSet;
/// let set = SequenceSet::new("1:5,7,10:*")?;
/// assert_eq!(set.to_string(), "1:5,7,10:*");
/// assert_eq!(SequenceSet::from_numbers([4, 1, 2, 3, 9])?.to_string(), "1:4,9");
/// assert!(SequenceSet::new("0").is_err());
/// # Ok::<(), daaki_imap::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "String", into = "String")
)]
pub struct SequenceSet(Inner);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Inner {
    /// Never empty.
    Items(Vec<SequenceItem>),
    Saved,
}

impl SequenceSet {
    /// Parses the wire syntax: comma-separated numbers, `*` and ranges `a:b`, or `$` alone.
    /// Rejects empty sets, zero, leading zeros, numbers above `u32::MAX`, spaces and anything
    /// else.
    pub fn new(s: &str) -> Result<Self, InvalidInput> {
        let invalid = || InvalidInput::new(format!("invalid sequence set: {s:?}"));
        if s == "$" {
            return Ok(Self::saved());
        }
        let items = s
            .split(',')
            .map(|item| match item.split_once(':') {
                Some((a, b)) => Some(SequenceItem::Range(
                    parse_seq_number(a)?,
                    parse_seq_number(b)?,
                )),
                None => parse_seq_number(item).map(SequenceItem::Single),
            })
            .collect::<Option<Vec<_>>>()
            .ok_or_else(invalid)?;
        Ok(Self(Inner::Items(items)))
    }

    /// One number.
    pub fn single(n: NonZeroU32) -> Self {
        Self(Inner::Items(vec![SequenceItem::Single(SeqNumber::Value(
            n,
        ))]))
    }

    /// The range `a:b` (inclusive; the ends may come in any order).
    pub fn range(a: NonZeroU32, b: NonZeroU32) -> Self {
        Self(Inner::Items(vec![SequenceItem::Range(
            SeqNumber::Value(a),
            SeqNumber::Value(b),
        )]))
    }

    /// `a:*`: from `a` to the largest number in use.
    pub fn range_from(a: NonZeroU32) -> Self {
        Self(Inner::Items(vec![SequenceItem::Range(
            SeqNumber::Value(a),
            SeqNumber::Largest,
        )]))
    }

    /// `1:*`: every message.
    pub fn all() -> Self {
        Self::range_from(NonZeroU32::MIN)
    }

    /// `*`: the last message (the largest number in use).
    pub fn last() -> Self {
        Self(Inner::Items(vec![SequenceItem::Single(SeqNumber::Largest)]))
    }

    /// `$`: the result saved by the last `SEARCH RETURN (SAVE)` (SEARCHRES, RFC 5182).
    pub fn saved() -> Self {
        Self(Inner::Saved)
    }

    /// The set of the given numbers, sorted, de-duplicated and coalesced into ranges.
    /// Rejects an empty iterator and zero.
    pub fn from_numbers(numbers: impl IntoIterator<Item = u32>) -> Result<Self, InvalidInput> {
        Self::from_ranges(numbers.into_iter().map(|n| n..=n))
    }

    /// The union of the given inclusive ranges (ends in any order), coalesced: overlapping
    /// and adjacent ranges merge. Rejects an empty iterator and zero.
    pub fn from_ranges(
        ranges: impl IntoIterator<Item = RangeInclusive<u32>>,
    ) -> Result<Self, InvalidInput> {
        let mut spans: Vec<(u32, u32)> = Vec::new();
        for range in ranges {
            let (a, b) = (*range.start(), *range.end());
            if a == 0 || b == 0 {
                return Err(InvalidInput::new("sequence numbers start at 1".to_owned()));
            }
            spans.push((a.min(b), a.max(b)));
        }
        spans.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(spans.len());
        for (start, end) in spans {
            match merged.last_mut() {
                Some(last) if u64::from(start) <= u64::from(last.1) + 1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        let items: Vec<SequenceItem> = merged
            .into_iter()
            .filter_map(|(start, end)| {
                let (start, end) = (NonZeroU32::new(start)?, NonZeroU32::new(end)?);
                Some(if start == end {
                    SequenceItem::Single(SeqNumber::Value(start))
                } else {
                    SequenceItem::Range(SeqNumber::Value(start), SeqNumber::Value(end))
                })
            })
            .collect();
        if items.is_empty() {
            return Err(InvalidInput::new("empty sequence set".to_owned()));
        }
        Ok(Self(Inner::Items(items)))
    }

    /// The elements; empty for `$`.
    pub fn items(&self) -> &[SequenceItem] {
        match &self.0 {
            Inner::Items(items) => items,
            Inner::Saved => &[],
        }
    }

    /// True for `$` (the saved search result).
    pub fn is_saved(&self) -> bool {
        matches!(self.0, Inner::Saved)
    }

    /// Whether `n` is in the set, given the largest number in use (what `*` stands for).
    /// Always false for `$`, whose contents only the server knows.
    pub fn contains(&self, n: u32, largest: u32) -> bool {
        let value = |s: SeqNumber| match s {
            SeqNumber::Value(v) => v.get(),
            SeqNumber::Largest => largest,
        };
        n != 0
            && self.items().iter().any(|item| match *item {
                SequenceItem::Single(s) => value(s) == n,
                SequenceItem::Range(a, b) => {
                    let (a, b) = (value(a), value(b));
                    (a.min(b)..=a.max(b)).contains(&n)
                }
            })
    }
}

/// A mod-sequence value for requests (RFC 7162 `mod-sequence-valzer`): an unsigned 63-bit
/// integer, `0` to `2^63 - 1`. Used by the MODSEQ search key (and CHANGEDSINCE /
/// UNCHANGEDSINCE modifiers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "u64", into = "u64")
)]
pub struct ModSeq(u64);

impl ModSeq {
    /// The largest mod-sequence, `2^63 - 1`.
    pub const MAX: u64 = i64::MAX as u64;

    /// Validates `value` (at most [`ModSeq::MAX`]).
    pub fn new(value: u64) -> Result<Self, InvalidInput> {
        if value <= Self::MAX {
            Ok(Self(value))
        } else {
            Err(InvalidInput::new(format!(
                "mod-sequence {value} exceeds 2^63 - 1"
            )))
        }
    }

    /// The value.
    pub fn get(self) -> u64 {
        self.0
    }
}

impl std::fmt::Display for ModSeq {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl TryFrom<u64> for ModSeq {
    type Error = InvalidInput;

    fn try_from(value: u64) -> Result<Self, InvalidInput> {
        Self::new(value)
    }
}

impl From<ModSeq> for u64 {
    fn from(m: ModSeq) -> Self {
        m.0
    }
}

fn parse_seq_number(s: &str) -> Option<SeqNumber> {
    if s == "*" {
        return Some(SeqNumber::Largest);
    }
    // nz-number = digit-nz *DIGIT: no sign, no leading zero.
    if !s.bytes().all(|b| b.is_ascii_digit()) || s.starts_with('0') {
        return None;
    }
    s.parse::<NonZeroU32>().ok().map(SeqNumber::Value)
}

impl std::fmt::Display for SeqNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SeqNumber::Value(n) => write!(f, "{n}"),
            SeqNumber::Largest => f.write_str("*"),
        }
    }
}

impl std::fmt::Display for SequenceItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SequenceItem::Single(s) => write!(f, "{s}"),
            SequenceItem::Range(a, b) => write!(f, "{a}:{b}"),
        }
    }
}

impl std::fmt::Display for SequenceSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Inner::Saved => f.write_str("$"),
            Inner::Items(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{item}")?;
                }
                Ok(())
            }
        }
    }
}

impl From<NonZeroU32> for SequenceSet {
    fn from(n: NonZeroU32) -> Self {
        Self::single(n)
    }
}

impl std::str::FromStr for SequenceSet {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, InvalidInput> {
        Self::new(s)
    }
}

impl TryFrom<&str> for SequenceSet {
    type Error = InvalidInput;

    fn try_from(s: &str) -> Result<Self, InvalidInput> {
        Self::new(s)
    }
}

impl TryFrom<String> for SequenceSet {
    type Error = InvalidInput;

    fn try_from(s: String) -> Result<Self, InvalidInput> {
        Self::new(&s)
    }
}

impl From<SequenceSet> for String {
    fn from(set: SequenceSet) -> Self {
        set.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nz(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).unwrap()
    }

    #[test]
    fn parses_and_displays_the_wire_syntax() {
        for s in [
            "1",
            "1:5",
            "5:1",
            "*",
            "1:*",
            "*:4",
            "1,3,5:7,9:*",
            "4294967295",
            "$",
            "2,2,2",
        ] {
            assert_eq!(SequenceSet::new(s).unwrap().to_string(), s);
        }
    }

    #[test]
    fn rejects_empty_zero_and_garbage() {
        for s in [
            "",
            ",",
            "1,",
            ",1",
            "1,,2",
            "0",
            "1:0",
            "0:*",
            "01",
            "4294967296",
            "-1",
            "+1",
            " 1",
            "1 ",
            "1 2",
            "1:2:3",
            "1:",
            ":1",
            "$,1",
            "$$",
            "a",
            "1\r\n",
            "**",
            "1;2",
            "１",
        ] {
            assert!(SequenceSet::new(s).is_err(), "{s:?} must be rejected");
        }
    }

    #[test]
    fn typed_constructors_write_the_expected_wire_form() {
        assert_eq!(SequenceSet::single(nz(7)).to_string(), "7");
        assert_eq!(SequenceSet::range(nz(2), nz(9)).to_string(), "2:9");
        assert_eq!(SequenceSet::range_from(nz(100)).to_string(), "100:*");
        assert_eq!(SequenceSet::all().to_string(), "1:*");
        assert_eq!(SequenceSet::last().to_string(), "*");
        assert_eq!(SequenceSet::saved().to_string(), "$");
        assert!(SequenceSet::saved().is_saved());
        assert!(SequenceSet::saved().items().is_empty());
        assert_eq!(SequenceSet::from(nz(3)), SequenceSet::single(nz(3)));
    }

    #[test]
    fn from_numbers_sorts_dedups_and_coalesces() {
        assert_eq!(
            SequenceSet::from_numbers([5, 1, 2, 3, 3, 9, 10, 12])
                .unwrap()
                .to_string(),
            "1:3,5,9:10,12"
        );
        assert_eq!(
            SequenceSet::from_numbers([u32::MAX, u32::MAX - 1])
                .unwrap()
                .to_string(),
            "4294967294:4294967295"
        );
        assert!(SequenceSet::from_numbers([]).is_err());
        assert!(SequenceSet::from_numbers([1, 0]).is_err());
    }

    #[test]
    fn from_ranges_merges_overlapping_and_adjacent_ranges() {
        let reversed = RangeInclusive::new(30, 28);
        let set = SequenceSet::from_ranges([
            10..=20,
            1..=3,
            4..=4,
            15..=25,
            reversed.clone(),
            1..=u32::MAX,
        ])
        .unwrap();
        assert_eq!(set.to_string(), "1:4294967295");
        let set = SequenceSet::from_ranges([10..=20, 1..=3, 4..=4, 15..=25, reversed]).unwrap();
        assert_eq!(set.to_string(), "1:4,10:25,28:30");
        assert!(SequenceSet::from_ranges([0..=3]).is_err());
    }

    #[test]
    fn contains_resolves_star_against_the_largest_number() {
        let set = SequenceSet::new("2:4,*,9:*").unwrap();
        assert!(set.contains(3, 20));
        assert!(set.contains(20, 20));
        assert!(set.contains(12, 20));
        assert!(!set.contains(5, 20));
        assert!(!set.contains(0, 20));
        assert!(SequenceSet::new("*:3").unwrap().contains(5, 7));
        assert!(!SequenceSet::saved().contains(1, 1));
    }

    #[test]
    fn modseq_is_limited_to_63_bits() {
        assert_eq!(ModSeq::new(0).unwrap().get(), 0);
        assert_eq!(
            ModSeq::new(ModSeq::MAX).unwrap().to_string(),
            "9223372036854775807"
        );
        assert!(ModSeq::new(ModSeq::MAX + 1).is_err());
        assert!(ModSeq::try_from(u64::MAX).is_err());
    }

    #[test]
    fn items_expose_the_structure() {
        let set = SequenceSet::new("3,1:*").unwrap();
        assert_eq!(
            set.items(),
            [
                SequenceItem::Single(SeqNumber::Value(nz(3))),
                SequenceItem::Range(SeqNumber::Value(nz(1)), SeqNumber::Largest)
            ]
        );
    }
}
