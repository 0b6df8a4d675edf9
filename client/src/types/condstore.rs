//! CONDSTORE / QRESYNC (RFC 7162): the `QRESYNC` SELECT parameter and the typed results of a
//! resynchronising SELECT, `FETCH … (CHANGEDSINCE n [VANISHED])` and a SEARCH with a `MODSEQ`
//! criterion.

use std::num::NonZeroU32;

use super::response::{FetchResponse, SelectedMailbox, SeqRange};
use super::{ModSeq, SequenceSet};

/// `QRESYNC (uidvalidity modseq [known-uids [(seq-match-data)]])` (RFC 7162 §3.2.5).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QResyncParams {
    /// The UIDVALIDITY the cache is for.
    pub uid_validity: NonZeroU32,
    /// The last known HIGHESTMODSEQ (must be positive).
    pub mod_seq: ModSeq,
    /// The UIDs the client knows (optional).
    pub known_uids: Option<SequenceSet>,
    /// Message sequence numbers and their UIDs (`(seqs uids)`); needs `known_uids`.
    pub seq_match: Option<(SequenceSet, SequenceSet)>,
}

/// What `SELECT`/`EXAMINE mailbox (QRESYNC (…))` reported: the mailbox's state and
/// everything that changed since the client's known state.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct ResyncedMailbox {
    /// The usual SELECT data (EXISTS, UIDVALIDITY, HIGHESTMODSEQ, …).
    pub mailbox: SelectedMailbox,
    /// `* VANISHED (EARLIER) uids`: known messages that were expunged since the known
    /// mod-sequence (or, without one, that the server cannot show are still there).
    pub vanished: Vec<SeqRange>,
    /// `* n FETCH (UID … FLAGS … MODSEQ …)`: messages whose flags changed since the known
    /// mod-sequence (new messages included).
    pub changed: Vec<FetchResponse>,
    /// `* OK [CLOSED]`: a previously selected mailbox was closed by this SELECT (RFC 7162
    /// §3.2.11); data after it is about the new mailbox.
    pub closed_previous: bool,
}

/// What `[UID] FETCH set items (CHANGEDSINCE n [VANISHED])` reported.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct ChangedSince {
    /// Messages of the set whose mod-sequence is above `n`, each with its `MODSEQ`.
    pub fetches: Vec<FetchResponse>,
    /// `* VANISHED (EARLIER) uids` (only with the `VANISHED` modifier, QRESYNC): UIDs of the
    /// set expunged since `n`.
    pub vanished: Vec<SeqRange>,
}

/// What `[UID] SEARCH … MODSEQ n` reported (RFC 7162 §3.1.5).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ModSeqSearch {
    /// The matching sequence numbers or UIDs, in the server's order.
    pub ids: Vec<u32>,
    /// The highest mod-sequence of the matches (`(MODSEQ n)` after the numbers); `None` when
    /// nothing matched or the server sent none.
    pub highest_modseq: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::session::CommandOutcome;
    use crate::proto::session::assemble;
    use crate::types::response::{ESearch, ResponseCode, ServerData};

    fn outcome(data: Vec<ServerData>, code: Option<ResponseCode>) -> CommandOutcome {
        CommandOutcome::ok_with(data, code)
    }

    fn fetch(seq: u32, uid: u32) -> FetchResponse {
        FetchResponse {
            seq,
            uid: Some(uid),
            modseq: Some(90 + u64::from(uid)),
            ..FetchResponse::default()
        }
    }

    #[test]
    fn resynced_collects_vanished_changes_and_closed() {
        let o = outcome(
            vec![
                ServerData::Code {
                    code: ResponseCode::Closed,
                    text: String::new(),
                },
                ServerData::Exists(4),
                ServerData::Code {
                    code: ResponseCode::HighestModSeq(99),
                    text: String::new(),
                },
                ServerData::Vanished {
                    earlier: true,
                    uids: vec![SeqRange { start: 4, end: 4 }],
                },
                ServerData::Fetch(fetch(2, 2)),
            ],
            Some(ResponseCode::ReadWrite),
        );
        let r = assemble::resynced(o);
        assert!(r.closed_previous);
        assert_eq!(r.mailbox.exists, 4);
        assert_eq!(r.mailbox.highest_modseq, Some(99));
        assert_eq!(r.vanished, vec![SeqRange { start: 4, end: 4 }]);
        assert_eq!(r.changed, vec![fetch(2, 2)]);
        assert!(!assemble::resynced(outcome(Vec::new(), None)).closed_previous);
    }

    #[test]
    fn changed_since_splits_fetches_and_vanished() {
        let o = outcome(
            vec![
                ServerData::Vanished {
                    earlier: true,
                    uids: vec![SeqRange { start: 3, end: 5 }],
                },
                ServerData::Fetch(fetch(1, 1)),
                ServerData::Fetch(fetch(2, 7)),
            ],
            None,
        );
        let c = assemble::changed_since(o);
        assert_eq!(c.fetches.len(), 2);
        assert_eq!(c.vanished, vec![SeqRange { start: 3, end: 5 }]);
    }

    #[test]
    fn modseq_search_reads_search_and_esearch() {
        let rev1 = outcome(
            vec![ServerData::Search {
                ids: vec![2, 5],
                modseq: Some(917_162_500),
            }],
            None,
        );
        let s = assemble::modseq_search(&rev1).unwrap();
        assert_eq!(s.ids, vec![2, 5]);
        assert_eq!(s.highest_modseq, Some(917_162_500));
        let rev2 = outcome(
            vec![ServerData::ESearch(ESearch {
                all: Some(vec![SeqRange { start: 2, end: 3 }]),
                modseq: Some(12),
                ..ESearch::default()
            })],
            None,
        );
        let s = assemble::modseq_search(&rev2).unwrap();
        assert_eq!(s.ids, vec![2, 3]);
        assert_eq!(s.highest_modseq, Some(12));
        let empty = assemble::modseq_search(&outcome(
            vec![ServerData::Search {
                ids: Vec::new(),
                modseq: None,
            }],
            None,
        ))
        .unwrap();
        assert_eq!(empty, ModSeqSearch::default());
    }
}
