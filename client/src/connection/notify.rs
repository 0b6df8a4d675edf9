//! NOTIFY (RFC 5465): `notify_set` and `notify_none`.
//!
//! NOTIFY tells the server which changes to report for which mailboxes. What it reports
//! arrives as ordinary unsolicited data and becomes events — from
//! [`ImapConnection::drain_events`] / [`ImapConnection::next_event`], or as the result of
//! [`ImapConnection::idle`]:
//! - `* STATUS` of another mailbox → [`TypedEvent::MailboxStatus`] /
//!   [`IdleEvent::MailboxStatus`](crate::IdleEvent::MailboxStatus);
//! - `* LIST` (mailbox created, deleted, renamed, subscription changed) →
//!   [`TypedEvent::MailboxEvent`];
//! - `* METADATA mailbox entry …` → [`TypedEvent::MetadataChange`];
//! - `* OK [NOTIFICATIONOVERFLOW]` → a [`TypedEvent::Status`] with that code, and
//!   [`IdleEvent::NotificationOverflow`](crate::IdleEvent::NotificationOverflow) during IDLE.
//!
//! **The initial `STATUS` of `NOTIFY SET STATUS`.** The server answers `NOTIFY SET STATUS`
//! with a `* STATUS` for every mailbox the filters match, before its tagged OK. These are
//! *events*, not the command's data: the NOTIFY command claims no untagged data (see
//! `proto::session::routing`), so they are queued as [`TypedEvent::MailboxStatus`] before
//! `notify_set` returns — the initial state an application wants in the same place as the
//! changes that follow.
//!
//! **Routing.** A `STATUS` command claims only the `* STATUS` of its own mailbox, so
//! notifications about other mailboxes stay events. A `LIST … RETURN (STATUS …)` running
//! while NOTIFY is active may still take a notification's `* STATUS` as its own: IMAP has no
//! way to tell them apart (RFC 5465 §5, RFC 3501 §5.5).

use std::time::Duration;

use super::ImapConnection;
use crate::proto::command::{CommandBody, NotifyCommand};
use crate::types::NotifySetParams;
use crate::{Error, Result};

#[cfg(doc)]
use crate::TypedEvent;

impl ImapConnection {
    /// `NOTIFY SET [STATUS] (filter events) …`: replaces the set of notifications the server
    /// sends. A `params` without groups sends `NOTIFY NONE` (no events at all).
    ///
    /// With `params.status`, the server first reports the status of every matching mailbox;
    /// these arrive as [`TypedEvent::MailboxStatus`] events, queued before this call returns.
    ///
    /// Fails with [`Error::Unsupported`] when the server does not advertise `NOTIFY`, and
    /// with [`Error::InvalidInput`] (before anything is sent) for a `SUBTREE`/`MAILBOXES`
    /// filter without mailboxes or a `MessageNew` with a FETCH macro. A server that refuses
    /// an event answers `NO [BADEVENT …]` ([`Error::No`]).
    ///
    /// The seed README's example — NOTIFY for every personal mailbox, then IDLE:
    ///
    /// ```no_run
    /// # use daaki_imap::{
    /// #     IdleEvent, ImapConnection, MailboxFilter, NotifyEvent, NotifyEventGroup,
    /// #     NotifySetParams,
    /// # };
    /// # use tokio_util::sync::CancellationToken;
    /// # use std::time::Duration;
    /// # async fn example(conn: &ImapConnection) -> daaki_imap::Result<()> {
    /// let timeout = Duration::from_secs(30);
    /// let params = NotifySetParams::new(
    ///     vec![
    ///         NotifyEventGroup::new(
    ///             MailboxFilter::Personal,
    ///             vec![NotifyEvent::MessageNew { fetch_attrs: vec![] }, NotifyEvent::MessageExpunge],
    ///         ),
    ///         NotifyEventGroup::new(
    ///             MailboxFilter::Selected,
    ///             vec![
    ///                 NotifyEvent::MessageNew { fetch_attrs: vec![] },
    ///                 NotifyEvent::MessageExpunge,
    ///                 NotifyEvent::FlagChange,
    ///             ],
    ///         ),
    ///     ],
    ///     true,
    /// );
    /// conn.notify_set(params, timeout).await?;
    /// let cancel = CancellationToken::new();
    /// match conn.idle(Duration::from_secs(300), cancel.clone()).await? {
    ///     IdleEvent::MailboxStatus { mailbox, items } => {
    ///         println!("status changed for {mailbox}: {items:?}");
    ///     }
    ///     IdleEvent::MailboxEvent(info) => {
    ///         println!("mailbox event: {}", info.name);
    ///     }
    ///     IdleEvent::MetadataChange { mailbox, entries } => {
    ///         println!("metadata changed for {mailbox}: {entries:?}");
    ///     }
    ///     IdleEvent::NotificationOverflow { .. } => {
    ///         conn.notify_set(NotifySetParams::new(vec![], false), timeout).await?;
    ///     }
    ///     _ => {}
    /// }
    /// conn.notify_none(timeout).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn notify_set(&self, params: NotifySetParams, timeout: Duration) -> Result<()> {
        self.require_notify()?;
        self.run(CommandBody::Notify(NotifyCommand::Set(params)), timeout)
            .await
            .map(drop)
    }

    /// `NOTIFY NONE`: the server stops sending the notifications `NOTIFY SET` asked for
    /// (RFC 5465 §3.2).
    ///
    /// Fails with [`Error::Unsupported`] when the server does not advertise `NOTIFY`.
    pub async fn notify_none(&self, timeout: Duration) -> Result<()> {
        self.require_notify()?;
        self.run(CommandBody::Notify(NotifyCommand::None), timeout)
            .await
            .map(drop)
    }

    fn require_notify(&self) -> Result<()> {
        if self.capabilities().has("NOTIFY") {
            Ok(())
        } else {
            Err(Error::Unsupported(
                "NOTIFY (RFC 5465) is not advertised".into(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    //! How NOTIFY data travels through the session: it is never the NOTIFY command's data.

    use crate::proto::command::{CommandBody, NotifyCommand};
    use crate::proto::session::{DataMode, Session, SessionEvent};
    use crate::types::{IdleEvent, TypedEvent};
    use crate::types::{MailboxFilter, NotifyEvent, NotifyEventGroup, NotifySetParams};

    fn feed(s: &mut Session, server: &str) -> Vec<SessionEvent> {
        s.handle_input(server.as_bytes());
        std::iter::from_fn(|| s.poll_event()).collect()
    }

    fn notify_status() -> CommandBody {
        CommandBody::Notify(NotifyCommand::Set(NotifySetParams::new(
            vec![NotifyEventGroup::new(
                MailboxFilter::Personal,
                vec![
                    NotifyEvent::MessageNew {
                        fetch_attrs: vec![],
                    },
                    NotifyEvent::MessageExpunge,
                    NotifyEvent::MailboxName,
                ],
            )],
            true,
        )))
    }

    #[test]
    fn initial_status_of_notify_set_status_are_events_queued_before_the_completion() {
        let mut s = Session::default();
        feed(&mut s, "* OK [CAPABILITY IMAP4rev1 NOTIFY] hi\r\n");
        s.submit(notify_status(), DataMode::Collect)
            .expect("submit");
        let mut out = Vec::new();
        s.transmit_into(&mut out);
        assert_eq!(
            out,
            b"A1 NOTIFY SET STATUS (PERSONAL (MessageNew MessageExpunge MailboxName))\r\n"
        );
        let events = feed(
            &mut s,
            "* STATUS Archive (MESSAGES 3 UIDNEXT 4 UIDVALIDITY 7)\r\n\
             * STATUS Drafts (MESSAGES 0 UIDNEXT 1 UIDVALIDITY 8)\r\n\
             A1 OK NOTIFY completed\r\n",
        );
        let names: Vec<String> = events
            .iter()
            .filter_map(|e| match e {
                SessionEvent::Unsolicited(TypedEvent::MailboxStatus { mailbox, items }) => {
                    assert_eq!(items.mailbox.as_ref(), Some(mailbox));
                    Some(mailbox.to_string())
                }
                _ => None,
            })
            .collect();
        assert_eq!(names, ["Archive", "Drafts"]);
        let Some(SessionEvent::Completed { outcome, .. }) = events.last() else {
            panic!("the completion comes last: {events:?}");
        };
        assert!(outcome.data.is_empty(), "{:?}", outcome.data);
    }

    #[test]
    fn notify_list_and_metadata_become_events_that_end_idle() {
        let mut s = Session::default();
        feed(&mut s, "* OK [CAPABILITY IMAP4rev1 NOTIFY IDLE] hi\r\n");
        let events = feed(
            &mut s,
            "* LIST () \"/\" Projects\r\n\
             * METADATA INBOX /private/comment /shared/comment\r\n\
             * METADATA \"\" /shared/admin\r\n\
             * OK [NOTIFICATIONOVERFLOW] too many\r\n",
        );
        let idle: Vec<IdleEvent> = events
            .iter()
            .filter_map(|e| match e {
                SessionEvent::Unsolicited(event) => IdleEvent::from_event(event),
                _ => None,
            })
            .collect();
        assert_eq!(idle.len(), 4, "{events:?}");
        assert!(
            matches!(&idle[0], IdleEvent::MailboxEvent(info) if info.name.as_str() == "Projects")
        );
        assert_eq!(
            idle[1],
            IdleEvent::MetadataChange {
                mailbox: "INBOX".into(),
                entries: vec!["/private/comment".into(), "/shared/comment".into()],
            }
        );
        assert_eq!(
            idle[2],
            IdleEvent::MetadataChange {
                mailbox: String::new(),
                entries: vec!["/shared/admin".into()],
            }
        );
        assert_eq!(
            idle[3],
            IdleEvent::NotificationOverflow {
                text: "too many".into()
            }
        );
    }

    /// A NOTIFY notification about another mailbox that arrives while `STATUS Drafts` runs
    /// stays an event: STATUS claims only `* STATUS` data for its own mailbox.
    #[test]
    fn a_notify_status_of_another_mailbox_is_not_the_status_commands_data() {
        use crate::types::{MailboxName, StatusAttr};
        let mut s = Session::default();
        feed(&mut s, "* OK [CAPABILITY IMAP4rev1 NOTIFY] hi\r\n");
        s.submit(
            CommandBody::Status {
                mailbox: MailboxName::new("Drafts").expect("name"),
                attrs: vec![StatusAttr::Messages],
            },
            DataMode::Collect,
        )
        .expect("submit");
        s.transmit_into(&mut Vec::new());
        let events = feed(
            &mut s,
            "* STATUS Archive (MESSAGES 9)\r\n\
             * STATUS Drafts (MESSAGES 0)\r\n\
             A1 OK STATUS completed\r\n",
        );
        assert!(
            events.iter().any(|e| matches!(
                e,
                SessionEvent::Unsolicited(TypedEvent::MailboxStatus { mailbox, .. })
                    if mailbox.as_str() == "Archive"
            )),
            "Archive's STATUS is a NOTIFY event: {events:?}"
        );
        let Some(SessionEvent::Completed { outcome, .. }) = events.last() else {
            panic!("{events:?}");
        };
        let drafts = crate::types::MailboxName::new("Drafts").unwrap();
        let status =
            crate::proto::session::assemble::status(outcome.clone(), Some(&drafts)).unwrap();
        assert_eq!(
            status.mailbox.map(|m| m.to_string()).as_deref(),
            Some("Drafts")
        );
        assert_eq!(status.messages, Some(0));
    }
}
