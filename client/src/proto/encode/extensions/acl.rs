//! ACL (RFC 4314): SETACL, DELETEACL, LISTRIGHTS (GETACL and MYRIGHTS take a mailbox only).

use super::super::writer::Writer;
use crate::types::AclModification;
use crate::types::InvalidInput;
use crate::types::{ImapString, MailboxName};

pub(in crate::proto::encode) fn mailbox_identifier(
    w: &mut Writer<'_>,
    name: &str,
    mailbox: &MailboxName,
    identifier: &ImapString,
) -> Result<(), InvalidInput> {
    w.raw(name);
    w.sp();
    w.mailbox(mailbox)?;
    w.sp();
    w.astring(identifier.as_str().as_bytes())
}

pub(in crate::proto::encode) fn set_acl(
    w: &mut Writer<'_>,
    mailbox: &MailboxName,
    identifier: &ImapString,
    rights: &AclModification,
) -> Result<(), InvalidInput> {
    mailbox_identifier(w, "SETACL", mailbox, identifier)?;
    w.sp();
    w.astring(rights.to_string().as_bytes())
}
