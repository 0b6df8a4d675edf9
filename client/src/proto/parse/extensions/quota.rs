//! `QUOTA` and `QUOTAROOT` (RFC 9208 §5).

use crate::proto::parse::core::{PResult, astring, at_eol, item_name, number64, paren_list, sp};
use crate::proto::response::Data;
use crate::proto::response::extensions::{Quota, QuotaResource, QuotaRoot};

/// `SP quota-root-name SP "(" [resource SP usage SP limit *(SP ...)] ")"`
pub(in crate::proto::parse) fn quota<'a>(i: &mut &'a [u8]) -> PResult<Data<'a>> {
    sp(i)?;
    let root = astring(i)?;
    sp(i)?;
    let resources = paren_list(i, |i| {
        let name = item_name(i)?;
        sp(i)?;
        let usage = number64(i)?;
        sp(i)?;
        Ok(QuotaResource {
            name,
            usage,
            limit: number64(i)?,
        })
    })?;
    Ok(Data::Quota(Quota { root, resources }))
}

/// `SP mailbox *(SP quota-root-name)`
pub(in crate::proto::parse) fn quotaroot<'a>(i: &mut &'a [u8]) -> PResult<Data<'a>> {
    sp(i)?;
    let mailbox = astring(i)?;
    let mut roots = Vec::new();
    while !at_eol(i) {
        sp(i)?;
        roots.push(astring(i)?);
    }
    Ok(Data::QuotaRoot(QuotaRoot { mailbox, roots }))
}
