//! CONDSTORE/QRESYNC data (RFC 7162): `VANISHED`. (`MODSEQ` FETCH items, `HIGHESTMODSEQ` and
//! friends live with FETCH, STATUS and the response codes.)

use crate::proto::response::SeqRange;

/// `* VANISHED [(EARLIER)] uid-set`
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Vanished {
    /// `true` for `(EARLIER)`: a reply to a QRESYNC/`VANISHED` fetch, not a live expunge.
    pub earlier: bool,
    /// The UIDs that are gone.
    pub uids: Vec<SeqRange>,
}
