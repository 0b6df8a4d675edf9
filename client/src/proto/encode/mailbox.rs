//! Mailbox commands: SELECT/EXAMINE (with CONDSTORE/QRESYNC), CREATE (with USE), DELETE,
//! RENAME, (UN)SUBSCRIBE, LIST (LIST-EXTENDED, LIST-STATUS), LSUB, STATUS, and the commands
//! that take one mailbox (GETQUOTAROOT, GETACL, MYRIGHTS).

use super::writer::Writer;
use crate::proto::command::SelectParams;
use crate::types::InvalidInput;
use crate::types::{ListPattern, ListReturnOption, ListSelectOption, SpecialUse};
use crate::types::{MailboxName, StatusAttr};

/// `NAME mailbox`.
pub(super) fn simple(
    w: &mut Writer<'_>,
    name: &str,
    mailbox: &MailboxName,
) -> Result<(), InvalidInput> {
    w.raw(name);
    w.sp();
    w.mailbox(mailbox)
}

pub(super) fn select(
    w: &mut Writer<'_>,
    name: &str,
    mailbox: &MailboxName,
    params: &SelectParams,
) -> Result<(), InvalidInput> {
    simple(w, name, mailbox)?;
    if params.is_empty() {
        return Ok(());
    }
    w.raw(" (");
    if params.condstore {
        w.raw("CONDSTORE");
    }
    if let Some(q) = &params.qresync {
        if q.mod_seq.get() == 0 {
            return Err(InvalidInput::new(
                "QRESYNC needs a positive mod-sequence".to_owned(),
            ));
        }
        if params.condstore {
            w.sp();
        }
        w.raw(&format!("QRESYNC ({} {}", q.uid_validity, q.mod_seq));
        match (&q.known_uids, &q.seq_match) {
            (None, None) => {}
            (Some(uids), None) => w.raw(&format!(" {uids}")),
            (Some(uids), Some((seqs, match_uids))) => {
                w.raw(&format!(" {uids} ({seqs} {match_uids})"));
            }
            (None, Some(_)) => {
                return Err(InvalidInput::new(
                    "QRESYNC sequence match data needs the known UIDs".to_owned(),
                ));
            }
        }
        w.raw(")");
    }
    w.raw(")");
    Ok(())
}

pub(super) fn create(
    w: &mut Writer<'_>,
    mailbox: &MailboxName,
    special_use: &[SpecialUse],
) -> Result<(), InvalidInput> {
    simple(w, "CREATE", mailbox)?;
    if !special_use.is_empty() {
        w.raw(" (USE ");
        w.paren_list(special_use, |w, attr| {
            w.raw(&attr.to_string());
            Ok(())
        })?;
        w.raw(")");
    }
    Ok(())
}

pub(super) fn rename(
    w: &mut Writer<'_>,
    from: &MailboxName,
    to: &MailboxName,
) -> Result<(), InvalidInput> {
    simple(w, "RENAME", from)?;
    w.sp();
    w.mailbox(to)
}

pub(super) fn list(
    w: &mut Writer<'_>,
    reference: &ListPattern,
    patterns: &[ListPattern],
    selection: &[ListSelectOption],
    return_options: &[ListReturnOption],
) -> Result<(), InvalidInput> {
    w.raw("LIST ");
    if !selection.is_empty() {
        w.paren_list(selection, |w, option| {
            w.raw(option.as_str());
            Ok(())
        })?;
        w.sp();
    }
    w.list_reference(reference)?;
    w.sp();
    match patterns {
        [] => {
            return Err(InvalidInput::new(
                "LIST needs at least one pattern".to_owned(),
            ));
        }
        [single] => w.list_mailbox(single)?,
        several => w.paren_list(several, |w, p| w.list_mailbox(p))?,
    }
    if !return_options.is_empty() {
        w.raw(" RETURN ");
        w.paren_list(return_options, |w, option| {
            match option {
                ListReturnOption::Subscribed => w.raw("SUBSCRIBED"),
                ListReturnOption::Children => w.raw("CHILDREN"),
                ListReturnOption::SpecialUse => w.raw("SPECIAL-USE"),
                ListReturnOption::Status(attrs) => {
                    w.raw("STATUS ");
                    status_attrs(w, attrs)?;
                }
                ListReturnOption::Other(atom) => w.raw(atom.as_str()),
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// `LSUB reference pattern`, or `XLIST …` (`command` with its trailing space).
pub(super) fn lsub(
    w: &mut Writer<'_>,
    command: &str,
    reference: &ListPattern,
    pattern: &ListPattern,
) -> Result<(), InvalidInput> {
    w.raw(command);
    w.list_reference(reference)?;
    w.sp();
    w.list_mailbox(pattern)
}

pub(super) fn status(
    w: &mut Writer<'_>,
    mailbox: &MailboxName,
    attrs: &[StatusAttr],
) -> Result<(), InvalidInput> {
    simple(w, "STATUS", mailbox)?;
    w.sp();
    status_attrs(w, attrs)
}

fn status_attrs(w: &mut Writer<'_>, attrs: &[StatusAttr]) -> Result<(), InvalidInput> {
    if attrs.is_empty() {
        return Err(InvalidInput::new("empty STATUS item list".to_owned()));
    }
    w.paren_list(attrs, |w, attr| {
        w.raw(attr.as_str());
        Ok(())
    })
}
