//! ENABLE (RFC 5161).

use super::super::writer::Writer;
use crate::types::ImapAtom;
use crate::types::InvalidInput;

pub(in crate::proto::encode) fn enable(
    w: &mut Writer<'_>,
    caps: &[ImapAtom],
) -> Result<(), InvalidInput> {
    if caps.is_empty() {
        return Err(InvalidInput::new(
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
