//! The typed result of ESEARCH / ESORT (RFC 4731, RFC 5267): the `RETURN` items a server
//! reported, each `None` when it was not asked for or not sent.

use super::response::{ESearch, SeqRange, TooManyIds};

/// What `SEARCH RETURN (…)` / `SORT RETURN (…)` reported.
///
/// A server sends no `ESEARCH` response at all when nothing but `SAVE` was asked for
/// (RFC 5182 §2.1): every item is then `None`, and the result lives on the server as `$`.
/// For ESORT, `min` / `max` are the first / last message in sort order and `all` keeps the
/// sort order (RFC 5267 §3.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct ESearchResult {
    /// Whether the numbers are UIDs (`UID` in the response).
    pub uid: bool,
    /// `MIN`: the lowest matching number (ESORT: the first in sort order).
    pub min: Option<u32>,
    /// `MAX`: the highest matching number (ESORT: the last in sort order).
    pub max: Option<u32>,
    /// `COUNT`: how many messages matched.
    pub count: Option<u32>,
    /// `ALL`: the matches as ranges, in the server's order (ESORT: sort order). Each range
    /// is read low to high: Dovecot writes descending runs as single numbers, but a server
    /// writing `5:3` in an ESORT answer would have it read as 3, 4, 5.
    pub all: Option<Vec<SeqRange>>,
    /// `MODSEQ` (CONDSTORE): the highest mod-sequence of the matches.
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::opt_num"),
        tsify(type = "number | undefined")
    )]
    pub modseq: Option<u64>,
}

impl ESearchResult {
    /// The `ALL` item expanded into numbers (empty when it was not sent). Refuses with
    /// [`TooManyIds`] to expand more than
    /// [`MAX_EXPANDED_IDS`](crate::types::response::MAX_EXPANDED_IDS) numbers, so a
    /// `1:4294967295` answer cannot make the client allocate gigabytes.
    pub fn ids(&self) -> Result<Vec<u32>, TooManyIds> {
        let mut out = Vec::new();
        if let Some(all) = &self.all {
            SeqRange::expand_into(all, &mut out)?;
        }
        Ok(out)
    }

    /// The `ALL` item as a [`SequenceSet`](crate::types::SequenceSet) (sorted, so the sort
    /// order of ESORT is lost), ready for a later FETCH / STORE / COPY; `None` when `ALL` was
    /// not sent or was empty.
    pub fn all_set(&self) -> Option<crate::types::SequenceSet> {
        let ranges = self.all.as_ref()?;
        crate::types::SequenceSet::from_ranges(ranges.iter().map(SeqRange::iter)).ok()
    }

    /// Merges one `* ESEARCH` response: a later item replaces an earlier one.
    pub(crate) fn merge(&mut self, e: &ESearch) {
        self.uid |= e.uid;
        self.min = e.min.or(self.min);
        self.max = e.max.or(self.max);
        self.count = e.count.or(self.count);
        if let Some(all) = &e.all {
            self.all = Some(all.clone());
        }
        self.modseq = e.modseq.or(self.modseq);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_items_and_ids_expand_in_order() {
        let mut r = ESearchResult::default();
        r.merge(&ESearch {
            uid: true,
            min: Some(2),
            count: Some(3),
            all: Some(vec![
                SeqRange { start: 9, end: 9 },
                SeqRange { start: 2, end: 3 },
            ]),
            ..ESearch::default()
        });
        assert!(r.uid);
        assert_eq!((r.min, r.max, r.count), (Some(2), None, Some(3)));
        assert_eq!(r.ids().unwrap(), vec![9, 2, 3]);
        assert_eq!(r.all_set().unwrap().to_string(), "2:3,9");
        assert_eq!(ESearchResult::default().ids().unwrap(), Vec::<u32>::new());
        assert!(ESearchResult::default().all_set().is_none());
    }

    #[test]
    fn ids_refuse_huge_ranges() {
        let r = ESearchResult {
            all: Some(vec![SeqRange {
                start: 1,
                end: u32::MAX,
            }]),
            ..ESearchResult::default()
        };
        assert_eq!(r.ids(), Err(TooManyIds));
    }
}
