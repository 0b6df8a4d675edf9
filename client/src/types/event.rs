//! `TypedEvent`: what the server says that no command asked for.
//!
//! Servers send untagged data at any time (RFC 3501 §5.2, §7): new mail (`EXISTS`), removals
//! (`EXPUNGE` / `VANISHED`), flag changes (`FETCH`), alerts, NOTIFY data, the final `BYE`.
//! Whatever the session does not route to a running command becomes one of these events.

use super::Flag;
use super::MailboxName;
use super::response::{
    FetchResponse, MailboxInfo, MailboxStatus, ResponseCode, SeqRange, ServerData,
};

/// An asynchronous server notification.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[allow(
    clippy::large_enum_variant,
    reason = "events are created once and moved a few times; boxing would cost every user a deref"
)]
pub enum TypedEvent {
    /// `[ALERT]` text the user must see (RFC 3501 §7.1: "MUST present ... to the user").
    Alert(String),
    /// `* n EXISTS`: the selected mailbox now has `n` messages.
    Exists(u32),
    /// `* n EXPUNGE`: message `n` was removed. Every later message's sequence number drops
    /// by one *immediately* (RFC 3501 §7.4.1), so apply these in order.
    Expunge(u32),
    /// `* n RECENT` (IMAP4rev1).
    Recent(u32),
    /// `* VANISHED uids` (QRESYNC): these UIDs were expunged.
    Vanished {
        /// `(EARLIER)` was present.
        earlier: bool,
        /// The expunged UIDs.
        uids: Vec<SeqRange>,
    },
    /// `* n FETCH (...)` nobody asked for: typically flags changed by another client.
    Fetch(FetchResponse),
    /// `* FLAGS (...)`: the flags defined in the selected mailbox changed.
    Flags(Vec<Flag>),
    /// `* BYE`: the server is closing the connection.
    Bye {
        /// The response code, if any.
        code: Option<ResponseCode>,
        /// The server's text.
        text: String,
    },
    /// The server's capabilities changed (unsolicited `* CAPABILITY` or a code).
    Capabilities(Vec<String>),
    /// An untagged `OK`/`NO`/`BAD` with no command to go to (e.g. Dovecot's `* OK Still here`
    /// during IDLE, or a `* NO` warning).
    Status {
        /// `OK`, `NO` or `BAD`.
        kind: StatusKind,
        /// The response code, if any.
        code: Option<ResponseCode>,
        /// The server's text.
        text: String,
    },
    /// NOTIFY: `* STATUS` for another mailbox (RFC 5465).
    MailboxStatus {
        /// The mailbox the status is about.
        mailbox: MailboxName,
        /// The items the server sent.
        items: MailboxStatus,
    },
    /// NOTIFY: a `* LIST` about a created, renamed or deleted mailbox (RFC 5465).
    MailboxEvent(MailboxInfo),
    /// Events were lost because the queue was full; `dropped` says how many (oldest first).
    Overflow {
        /// Number of events dropped.
        dropped: u64,
    },
    /// Any other unsolicited data, owned.
    Data(ServerData),
}

/// What ended an [`idle`](crate::ImapConnection::idle) call.
///
/// IDLE returns on the first event; whatever else arrived before the server confirmed the end
/// of IDLE is queued as [`TypedEvent`]s.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[allow(
    clippy::large_enum_variant,
    reason = "events are created once and moved a few times; boxing would cost every user a deref"
)]
pub enum IdleEvent {
    /// `* n EXISTS`: the mailbox now has `n` messages.
    Exists(u32),
    /// `* n EXPUNGE`: message `n` was removed.
    Expunge(u32),
    /// `* VANISHED uids` (QRESYNC): these UIDs were removed.
    Vanished(Vec<SeqRange>),
    /// `* n FETCH (...)`: a message changed (usually its flags).
    Fetch(FetchResponse),
    /// The idle time given to `idle` passed without an event.
    Timeout,
    /// The cancellation token was cancelled.
    Cancelled,
    /// NOTIFY: the status of another mailbox changed.
    MailboxStatus {
        /// The mailbox.
        mailbox: MailboxName,
        /// The status items the server sent.
        items: MailboxStatus,
    },
    /// NOTIFY: a mailbox was created, renamed or deleted (or its subscription changed).
    MailboxEvent(MailboxInfo),
    /// NOTIFY: metadata of a mailbox (or the server, when `mailbox` is empty) changed.
    MetadataChange {
        /// The mailbox (`""` for server metadata).
        mailbox: String,
        /// The entries that changed.
        entries: Vec<String>,
    },
    /// NOTIFY: the server dropped notifications (`[NOTIFICATIONOVERFLOW]`); it has switched
    /// NOTIFY off. Re-synchronise, then set NOTIFY again.
    NotificationOverflow {
        /// The server's text.
        text: String,
    },
}

impl IdleEvent {
    /// The IDLE result for an unsolicited event, or `None` if the event does not end IDLE
    /// (alerts, `* OK Still here`, …).
    pub(crate) fn from_event(event: &TypedEvent) -> Option<Self> {
        Some(match event {
            TypedEvent::Exists(n) => IdleEvent::Exists(*n),
            TypedEvent::Expunge(n) => IdleEvent::Expunge(*n),
            TypedEvent::Vanished { uids, .. } => IdleEvent::Vanished(uids.clone()),
            TypedEvent::Fetch(f) => IdleEvent::Fetch(f.clone()),
            TypedEvent::MailboxStatus { mailbox, items } => IdleEvent::MailboxStatus {
                mailbox: mailbox.clone(),
                items: items.clone(),
            },
            TypedEvent::MailboxEvent(info) => IdleEvent::MailboxEvent(info.clone()),
            TypedEvent::Status {
                code: Some(ResponseCode::NotificationOverflow),
                text,
                ..
            } => IdleEvent::NotificationOverflow { text: text.clone() },
            _ => return None,
        })
    }
}

/// The kind of an untagged status response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum StatusKind {
    /// `OK`
    Ok,
    /// `NO`
    No,
    /// `BAD`
    Bad,
}

impl TypedEvent {
    /// The event for unsolicited untagged data.
    pub(crate) fn from_data(data: ServerData) -> Self {
        match data {
            ServerData::Exists(n) => TypedEvent::Exists(n),
            ServerData::Expunge(n) => TypedEvent::Expunge(n),
            ServerData::Recent(n) => TypedEvent::Recent(n),
            ServerData::Vanished { earlier, uids } => TypedEvent::Vanished { earlier, uids },
            ServerData::Fetch(f) => TypedEvent::Fetch(f),
            ServerData::Flags(f) => TypedEvent::Flags(f),
            ServerData::Capability(c) => TypedEvent::Capabilities(c),
            ServerData::Status(status) => match status.mailbox.clone() {
                Some(mailbox) => TypedEvent::MailboxStatus {
                    mailbox,
                    items: status,
                },
                None => TypedEvent::Data(ServerData::Status(status)),
            },
            ServerData::List(info) => TypedEvent::MailboxEvent(info),
            other => TypedEvent::Data(other),
        }
    }
}
