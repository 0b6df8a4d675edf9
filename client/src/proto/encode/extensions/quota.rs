//! QUOTA (RFC 9208): GETQUOTA and SETQUOTA (GETQUOTAROOT takes a mailbox only).

use super::super::writer::Writer;
use crate::types::InvalidInput;
use crate::types::{ImapAtom, ImapString};

pub(in crate::proto::encode) fn get_quota(
    w: &mut Writer<'_>,
    root: &ImapString,
) -> Result<(), InvalidInput> {
    w.raw("GETQUOTA ");
    w.astring(root.as_str().as_bytes())
}

pub(in crate::proto::encode) fn set_quota(
    w: &mut Writer<'_>,
    root: &ImapString,
    limits: &[(ImapAtom, u64)],
) -> Result<(), InvalidInput> {
    w.raw("SETQUOTA ");
    w.astring(root.as_str().as_bytes())?;
    w.sp();
    w.paren_list(limits, |w, (resource, limit)| {
        w.raw(resource.as_str());
        w.sp();
        w.num(*limit);
        Ok(())
    })
}
