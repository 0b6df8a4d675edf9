//! `VANISHED` (RFC 7162 §3.2.10).

use crate::proto::parse::core::{
    PResult, advance, byte, eq_kw, invalid, item_name, sequence_set, skip_spaces, sp,
};
use crate::proto::response::Data;
use crate::proto::response::extensions::Vanished;

/// `SP ["(EARLIER)" SP] known-uids`
pub(in crate::proto::parse) fn vanished<'a>(i: &mut &'a [u8]) -> PResult<Data<'a>> {
    sp(i)?;
    let mut earlier = false;
    if i.first() == Some(&b'(') {
        advance(i, 1);
        let name = item_name(i)?;
        if !eq_kw(name, b"EARLIER") {
            return Err(invalid(i, "EARLIER"));
        }
        skip_spaces(i);
        byte(i, b')', "')' of EARLIER")?;
        sp(i)?;
        earlier = true;
    }
    Ok(Data::Vanished(Vanished {
        earlier,
        uids: sequence_set(i)?,
    }))
}
