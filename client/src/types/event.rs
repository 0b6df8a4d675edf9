//! `TypedEvent`: what the server says that no command asked for.
//!
//! Servers send untagged data at any time (RFC 3501 §5.2, §7): new mail (`EXISTS`), removals
//! (`EXPUNGE` / `VANISHED`), flag changes (`FETCH`), alerts, NOTIFY data, the final `BYE`.
//! Whatever the session does not route to a running command becomes one of these events.

use super::Flag;
use super::MailboxName;
use super::response::{
    FetchResponse, MailboxInfo, MailboxStatus, Metadata, MetadataEntries, ResponseCode, SeqRange,
    ServerData, Unparsed,
};

/// An asynchronous server notification.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(
        tag = "kind",
        content = "value",
        rename_all = "camelCase",
        rename_all_fields = "camelCase"
    )
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
        #[cfg_attr(
            all(target_arch = "wasm32", feature = "js"),
            serde(serialize_with = "crate::types::js_serde::opt_code"),
            tsify(type = "string | undefined")
        )]
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
        #[cfg_attr(
            all(target_arch = "wasm32", feature = "js"),
            serde(serialize_with = "crate::types::js_serde::opt_code"),
            tsify(type = "string | undefined")
        )]
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
    /// NOTIFY: `* METADATA mailbox entry …` — these metadata entries changed (RFC 5465 §5.8,
    /// RFC 5464 §4.4.2); fetch them with GETMETADATA to see the new values.
    MetadataChange {
        /// The mailbox (`""` for server metadata).
        mailbox: String,
        /// The names of the entries that changed, e.g. `/private/comment`.
        entries: Vec<String>,
    },
    /// Events were lost because the queue was full; `dropped` says how many (oldest first).
    Overflow {
        /// Number of events dropped.
        #[cfg_attr(
            all(target_arch = "wasm32", feature = "js"),
            serde(serialize_with = "crate::types::js_serde::num"),
            tsify(type = "number")
        )]
        dropped: u64,
    },
    /// A response the parser could not type and no FETCH in flight was waiting for, kept
    /// whole instead of being dropped ([`Unparsed`]: its bytes and the reason).
    Unparsed(Unparsed),
    /// Any other unsolicited data, owned.
    Data(
        #[cfg_attr(
            all(target_arch = "wasm32", feature = "js"),
            serde(serialize_with = "crate::types::js_serde::data_name"),
            tsify(type = "string")
        )]
        ServerData,
    ),
}

/// What ended an [`idle`](crate::ImapConnection::idle) call.
///
/// IDLE returns on the first event; whatever else arrived before the server confirmed the end
/// of IDLE is queued as [`TypedEvent`]s.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(
        tag = "kind",
        content = "value",
        rename_all = "camelCase",
        rename_all_fields = "camelCase"
    )
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
            TypedEvent::MetadataChange { mailbox, entries } => IdleEvent::MetadataChange {
                mailbox: mailbox.clone(),
                entries: entries.clone(),
            },
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
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase", rename_all_fields = "camelCase")
)]
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
            ServerData::Metadata(Metadata {
                mailbox,
                entries: MetadataEntries::Changed(entries),
                ..
            }) => TypedEvent::MetadataChange {
                mailbox: mailbox.map(|m| m.as_str().to_owned()).unwrap_or_default(),
                entries,
            },
            other => TypedEvent::Data(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::response::MetadataEntry;

    #[test]
    fn changed_metadata_is_a_metadata_change_and_ends_idle() {
        let event = TypedEvent::from_data(ServerData::Metadata(Metadata {
            mailbox: Some(MailboxName::new("Archive").expect("name")),
            entries: MetadataEntries::Changed(vec!["/private/comment".into()]),
        }));
        assert_eq!(
            event,
            TypedEvent::MetadataChange {
                mailbox: "Archive".into(),
                entries: vec!["/private/comment".into()],
            }
        );
        assert_eq!(
            IdleEvent::from_event(&event),
            Some(IdleEvent::MetadataChange {
                mailbox: "Archive".into(),
                entries: vec!["/private/comment".into()],
            })
        );
    }

    #[test]
    fn metadata_values_nobody_asked_for_stay_raw_data() {
        let data = ServerData::Metadata(Metadata {
            mailbox: None,
            entries: MetadataEntries::Values(vec![MetadataEntry {
                name: "/shared/comment".into(),
                value: Some(b"hi".to_vec()),
            }]),
        });
        let event = TypedEvent::from_data(data.clone());
        assert_eq!(event, TypedEvent::Data(data));
        assert_eq!(IdleEvent::from_event(&event), None);
    }

    #[test]
    fn status_of_a_named_mailbox_is_a_mailbox_status_event() {
        let mailbox = MailboxName::new("Archive").expect("name");
        let items = MailboxStatus {
            mailbox: Some(mailbox.clone()),
            messages: Some(2),
            ..MailboxStatus::default()
        };
        let event = TypedEvent::from_data(ServerData::Status(items.clone()));
        assert_eq!(
            event,
            TypedEvent::MailboxStatus {
                mailbox: mailbox.clone(),
                items: items.clone()
            }
        );
        assert_eq!(
            IdleEvent::from_event(&event),
            Some(IdleEvent::MailboxStatus { mailbox, items })
        );
    }

    #[test]
    fn alerts_and_keepalive_oks_do_not_end_idle() {
        for event in [
            TypedEvent::Alert("maintenance".into()),
            TypedEvent::Status {
                kind: StatusKind::Ok,
                code: None,
                text: "Still here".into(),
            },
            TypedEvent::Recent(1),
        ] {
            assert_eq!(IdleEvent::from_event(&event), None, "{event:?}");
        }
    }
}
