//! NOTIFY (RFC 5465): which events the server reports for which mailboxes.
//!
//! These types are re-exported at the crate root for `ImapConnection::notify_set` (see the
//! seed README's NOTIFY example).

use super::{FetchAttr, MailboxName};

/// The arguments of `NOTIFY SET`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct NotifySetParams {
    /// Event groups, each a mailbox filter and its events.
    pub groups: Vec<NotifyEventGroup>,
    /// `STATUS`: the server sends a STATUS for each mailbox of the filters right away.
    pub status: bool,
}

impl NotifySetParams {
    /// `NOTIFY SET [STATUS] groups…`.
    pub fn new(groups: Vec<NotifyEventGroup>, status: bool) -> Self {
        Self { groups, status }
    }
}

/// `(filter events)`: which mailboxes, and which events for them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct NotifyEventGroup {
    /// Which mailboxes.
    pub filter: MailboxFilter,
    /// Which events; empty writes `NONE` (no events for these mailboxes).
    pub events: Vec<NotifyEvent>,
}

impl NotifyEventGroup {
    /// A group.
    pub fn new(filter: MailboxFilter, events: Vec<NotifyEvent>) -> Self {
        Self { filter, events }
    }
}

/// A NOTIFY mailbox filter (RFC 5465 §6).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum MailboxFilter {
    /// `SELECTED`: the selected mailbox.
    Selected,
    /// `SELECTED-DELAYED`: the selected mailbox, expunges delayed until a command allows
    /// them.
    SelectedDelayed,
    /// `INBOXES`: mailboxes that get new mail.
    Inboxes,
    /// `PERSONAL`: every mailbox in the personal namespace.
    Personal,
    /// `SUBSCRIBED`: every subscribed mailbox.
    Subscribed,
    /// `SUBTREE (…)`: these mailboxes and all below them (never empty).
    Subtree(Vec<MailboxName>),
    /// `MAILBOXES (…)`: exactly these mailboxes (never empty).
    Mailboxes(Vec<MailboxName>),
}

/// A NOTIFY event (RFC 5465 §5).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum NotifyEvent {
    /// `MessageNew [(fetch-att …)]`: new messages, with these FETCH items pushed.
    MessageNew {
        /// Items the server sends with each new message (may be empty).
        fetch_attrs: Vec<FetchAttr>,
    },
    /// `MessageExpunge`
    MessageExpunge,
    /// `FlagChange`
    FlagChange,
    /// `AnnotationChange`
    AnnotationChange,
    /// `MailboxName`: mailboxes created, deleted or renamed.
    MailboxName,
    /// `SubscriptionChange`
    SubscriptionChange,
    /// `MailboxMetadataChange` (RFC 5464)
    MailboxMetadataChange,
    /// `ServerMetadataChange` (RFC 5464)
    ServerMetadataChange,
}

impl NotifyEvent {
    /// The event name (without fetch attributes).
    pub fn name(&self) -> &'static str {
        match self {
            NotifyEvent::MessageNew { .. } => "MessageNew",
            NotifyEvent::MessageExpunge => "MessageExpunge",
            NotifyEvent::FlagChange => "FlagChange",
            NotifyEvent::AnnotationChange => "AnnotationChange",
            NotifyEvent::MailboxName => "MailboxName",
            NotifyEvent::SubscriptionChange => "SubscriptionChange",
            NotifyEvent::MailboxMetadataChange => "MailboxMetadataChange",
            NotifyEvent::ServerMetadataChange => "ServerMetadataChange",
        }
    }
}
