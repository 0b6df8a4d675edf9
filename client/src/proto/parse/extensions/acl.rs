//! `ACL`, `LISTRIGHTS`, `MYRIGHTS` (RFC 4314 §3.6–3.8).

use crate::proto::parse::core::{PResult, astring, at_eol, sp};
use crate::proto::response::Data;
use crate::proto::response::extensions::{Acl, AclEntry, ListRights, MyRights};

/// `SP mailbox *(SP identifier SP rights)`
pub(in crate::proto::parse) fn acl<'a>(i: &mut &'a [u8]) -> PResult<Data<'a>> {
    sp(i)?;
    let mailbox = astring(i)?;
    let mut entries = Vec::new();
    while !at_eol(i) {
        sp(i)?;
        let identifier = astring(i)?;
        sp(i)?;
        entries.push(AclEntry {
            identifier,
            rights: astring(i)?,
        });
    }
    Ok(Data::Acl(Acl { mailbox, entries }))
}

/// `SP mailbox SP identifier SP rights *(SP rights)`
pub(in crate::proto::parse) fn listrights<'a>(i: &mut &'a [u8]) -> PResult<Data<'a>> {
    sp(i)?;
    let mailbox = astring(i)?;
    sp(i)?;
    let identifier = astring(i)?;
    sp(i)?;
    let required = astring(i)?;
    let mut optional = Vec::new();
    while !at_eol(i) {
        sp(i)?;
        optional.push(astring(i)?);
    }
    Ok(Data::ListRights(ListRights {
        mailbox,
        identifier,
        required,
        optional,
    }))
}

/// `SP mailbox SP rights`
pub(in crate::proto::parse) fn myrights<'a>(i: &mut &'a [u8]) -> PResult<Data<'a>> {
    sp(i)?;
    let mailbox = astring(i)?;
    sp(i)?;
    Ok(Data::MyRights(MyRights {
        mailbox,
        rights: astring(i)?,
    }))
}
