//! FETCH and UID FETCH with CONDSTORE `CHANGEDSINCE` and QRESYNC `VANISHED` (RFC 3501
//! §6.4.5, RFC 7162 §3.1.4, §3.2.6). The item syntax itself is written by
//! [`crate::types::FetchAttr`].

use super::store::uid_prefix;
use super::writer::Writer;
use crate::types::InvalidInput;
use crate::types::{FetchAttr, ModSeq, SequenceSet};

pub(super) fn fetch(
    w: &mut Writer<'_>,
    uid: bool,
    set: &SequenceSet,
    attrs: &[FetchAttr],
    changed_since: Option<ModSeq>,
    vanished: bool,
) -> Result<(), InvalidInput> {
    if vanished && !(uid && changed_since.is_some()) {
        return Err(InvalidInput::new(
            "VANISHED needs UID FETCH with CHANGEDSINCE".to_owned(),
        ));
    }
    let mut items = String::new();
    FetchAttr::write_list(attrs, &mut items)?;
    uid_prefix(w, uid);
    w.raw("FETCH ");
    w.raw(&set.to_string());
    w.sp();
    w.raw(&items);
    if let Some(modseq) = changed_since {
        if modseq.get() == 0 {
            return Err(InvalidInput::new(
                "CHANGEDSINCE needs a positive mod-sequence".to_owned(),
            ));
        }
        w.raw(&format!(" (CHANGEDSINCE {modseq}"));
        if vanished {
            w.raw(" VANISHED");
        }
        w.raw(")");
    }
    Ok(())
}
