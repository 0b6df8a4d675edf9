//! `ID` (RFC 2971 §3.2).

use crate::proto::parse::core::{PResult, nil, nstring, paren_list, sp};
use crate::proto::response::Data;

/// `SP ("(" string SP nstring *(SP string SP nstring) ")" / nil)`. Leniency: field names
/// may be NIL-free nstrings; empty lists `()` are accepted (seen from Yahoo).
pub(in crate::proto::parse) fn id<'a>(i: &mut &'a [u8]) -> PResult<Data<'a>> {
    sp(i)?;
    if nil(i)? {
        return Ok(Data::Id(None));
    }
    let pairs = paren_list(i, |i| {
        let name = crate::proto::parse::core::string_or_nil(i)?;
        sp(i)?;
        Ok((name, nstring(i)?))
    })?;
    Ok(Data::Id(Some(pairs)))
}
