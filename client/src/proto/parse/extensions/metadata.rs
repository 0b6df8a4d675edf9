//! `METADATA` (RFC 5464 §4.4).

use crate::proto::parse::core::{PResult, astring, at_eol, nstring, paren_list, peek, sp};
use crate::proto::response::Data;
use crate::proto::response::extensions::{Metadata, MetadataEntries};

/// `SP mailbox SP ("(" entry SP value *(SP entry SP value) ")" / entry *(SP entry))`
pub(in crate::proto::parse) fn metadata<'a>(i: &mut &'a [u8]) -> PResult<Data<'a>> {
    sp(i)?;
    let mailbox = astring(i)?;
    sp(i)?;
    let entries = if peek(i) == Some(b'(') {
        MetadataEntries::Values(paren_list(i, |i| {
            let entry = astring(i)?;
            sp(i)?;
            Ok((entry, nstring(i)?))
        })?)
    } else {
        let mut names = vec![astring(i)?];
        while !at_eol(i) {
            sp(i)?;
            names.push(astring(i)?);
        }
        MetadataEntries::Changed(names)
    };
    Ok(Data::Metadata(Metadata { mailbox, entries }))
}
