//! ENABLE (RFC 5161).

use super::super::writer::Writer;
use crate::types::ImapAtom;
use crate::{Error, Result};

pub(in crate::proto::encode) fn enable(w: &mut Writer<'_>, caps: &[ImapAtom]) -> Result<()> {
    if caps.is_empty() {
        return Err(Error::InvalidInput(
            "ENABLE needs at least one capability".to_owned(),
        ));
    }
    w.raw("ENABLE");
    for cap in caps {
        w.sp();
        w.raw(cap.as_str());
    }
    Ok(())
}
