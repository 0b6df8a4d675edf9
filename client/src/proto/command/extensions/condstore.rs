//! CONDSTORE / QRESYNC (RFC 7162): the `QRESYNC` SELECT parameter.

use crate::types::{ModSeq, SequenceSet};
use std::num::NonZeroU32;

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
