//! IMAP4rev1 commands that IMAP4rev2 (RFC 9051) removed, and what the session sends instead
//! once `IMAP4rev2` is ENABLEd, so callers use one API on both dialects:
//!
//! - `LSUB ref pat` → `LIST (SUBSCRIBED) ref pat` (RFC 9051 §6.3.9 removed LSUB; the
//!   replies are LIST data, which [`assemble::mailboxes`](super::assemble::mailboxes) reads
//!   the same way);
//! - `STATUS … (RECENT …)` → the same without `RECENT` (RFC 9051 removed `\Recent`); the
//!   result's `recent` is then `None`. A STATUS asking for `RECENT` only is sent unchanged.

use crate::proto::command::CommandBody;
use crate::types::ListSelectOption;
use crate::types::StatusAttr;

/// Whether a `UTF8=ONLY` server (RFC 6855 §6) refuses `body` until `UTF8=ACCEPT` is
/// enabled: the commands that select, examine or name a mailbox.
pub(super) fn names_a_mailbox(body: &CommandBody) -> bool {
    use CommandBody as C;
    matches!(
        body,
        C::Select { .. }
            | C::Examine { .. }
            | C::Create { .. }
            | C::Delete(_)
            | C::Rename { .. }
            | C::Subscribe(_)
            | C::Unsubscribe(_)
            | C::List { .. }
            | C::Lsub { .. }
            | C::XList { .. }
            | C::Status { .. }
            | C::Append { .. }
            | C::Copy { .. }
            | C::Move { .. }
    )
}

/// `body` as an IMAP4rev2 session sends it.
pub(super) fn for_rev2(body: CommandBody) -> CommandBody {
    match body {
        CommandBody::Lsub { reference, pattern } => CommandBody::List {
            reference,
            patterns: vec![pattern],
            selection: vec![ListSelectOption::Subscribed],
            return_options: Vec::new(),
        },
        CommandBody::Status { mailbox, attrs }
            if attrs.iter().any(|a| *a != StatusAttr::Recent) =>
        {
            CommandBody::Status {
                mailbox,
                attrs: attrs
                    .into_iter()
                    .filter(|a| *a != StatusAttr::Recent)
                    .collect(),
            }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::ListPattern;
    use crate::types::MailboxName;

    #[test]
    fn lsub_becomes_list_subscribed_and_status_drops_recent() {
        let lsub = CommandBody::Lsub {
            reference: ListPattern::new("").unwrap(),
            pattern: ListPattern::new("*").unwrap(),
        };
        match for_rev2(lsub) {
            CommandBody::List {
                patterns,
                selection,
                ..
            } => {
                assert_eq!(selection, vec![ListSelectOption::Subscribed]);
                assert_eq!(patterns, vec![ListPattern::new("*").unwrap()]);
            }
            other => panic!("{other:?}"),
        }
        let mailbox = MailboxName::new("INBOX").unwrap();
        let status = CommandBody::Status {
            mailbox: mailbox.clone(),
            attrs: vec![StatusAttr::Messages, StatusAttr::Recent],
        };
        assert!(
            matches!(for_rev2(status), CommandBody::Status { attrs, .. } if attrs == vec![StatusAttr::Messages])
        );
        let only_recent = CommandBody::Status {
            mailbox,
            attrs: vec![StatusAttr::Recent],
        };
        assert!(
            matches!(for_rev2(only_recent), CommandBody::Status { attrs, .. } if attrs == vec![StatusAttr::Recent])
        );
    }
}
