//! NOTIFY (RFC 5465 §8 grammar): `NOTIFY NONE` and `NOTIFY SET [STATUS] (filter events) …`.

use super::super::writer::Writer;
use crate::proto::command::NotifyCommand;
use crate::types::InvalidInput;
use crate::types::{FetchAttr, MailboxName};
use crate::types::{MailboxFilter, NotifyEvent, NotifyEventGroup};

pub(in crate::proto::encode) fn notify(
    w: &mut Writer<'_>,
    command: &NotifyCommand,
) -> Result<(), InvalidInput> {
    let params = match command {
        NotifyCommand::Set(params) if !params.groups.is_empty() => params,
        // An empty SET has no grammar; it means "no events", which is NONE.
        NotifyCommand::None | NotifyCommand::Set(_) => {
            w.raw("NOTIFY NONE");
            return Ok(());
        }
    };
    w.raw("NOTIFY SET");
    if params.status {
        w.raw(" STATUS");
    }
    for group in &params.groups {
        w.sp();
        event_group(w, group)?;
    }
    Ok(())
}

fn event_group(w: &mut Writer<'_>, group: &NotifyEventGroup) -> Result<(), InvalidInput> {
    w.raw("(");
    match &group.filter {
        MailboxFilter::Selected => w.raw("SELECTED"),
        MailboxFilter::SelectedDelayed => w.raw("SELECTED-DELAYED"),
        MailboxFilter::Inboxes => w.raw("INBOXES"),
        MailboxFilter::Personal => w.raw("PERSONAL"),
        MailboxFilter::Subscribed => w.raw("SUBSCRIBED"),
        MailboxFilter::Subtree(names) => {
            w.raw("SUBTREE ");
            mailboxes(w, names)?;
        }
        MailboxFilter::Mailboxes(names) => {
            w.raw("MAILBOXES ");
            mailboxes(w, names)?;
        }
    }
    w.sp();
    if group.events.is_empty() {
        w.raw("NONE");
    } else {
        w.paren_list(&group.events, event)?;
    }
    w.raw(")");
    Ok(())
}

/// `one-or-more-mailbox`: a mailbox, or several in parentheses.
fn mailboxes(w: &mut Writer<'_>, names: &[MailboxName]) -> Result<(), InvalidInput> {
    match names {
        [] => Err(InvalidInput::new(
            "a NOTIFY mailbox filter needs at least one mailbox".to_owned(),
        )),
        [single] => w.mailbox(single),
        several => w.paren_list(several, |w, m| w.mailbox(m)),
    }
}

fn event(w: &mut Writer<'_>, event: &NotifyEvent) -> Result<(), InvalidInput> {
    w.raw(event.name());
    if let NotifyEvent::MessageNew { fetch_attrs } = event
        && !fetch_attrs.is_empty()
    {
        // RFC 5465: `MessageNew (fetch-att …)`, always parenthesised; macros are not fetch-atts.
        if fetch_attrs.iter().any(FetchAttr::is_macro) {
            return Err(InvalidInput::new(
                "NOTIFY MessageNew cannot take ALL, FAST or FULL".to_owned(),
            ));
        }
        w.sp();
        w.paren_list(fetch_attrs, |w, attr| {
            w.raw(&attr.to_string());
            Ok(())
        })?;
    }
    Ok(())
}
