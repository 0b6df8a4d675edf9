//! Streaming FETCH and IDLE: calls whose results arrive over time.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::ImapConnection;
use crate::Result;
use crate::driver::{IdleRequest, Request};
use crate::proto::command::CommandBody;
use crate::types::response::FetchResponse;
use crate::types::{FetchAttr, IdleEvent, SequenceSet};

impl ImapConnection {
    /// `UID FETCH` that pushes each response into `tx` as it arrives instead of buffering them
    /// all: memory stays flat however large the mailbox.
    ///
    /// Backpressure: when `tx` is full the driver stops reading from the server until there is
    /// room, so a slow consumer slows the transfer — it never grows a buffer. Consume `rx`
    /// concurrently (another task, or `join!`): awaiting this call without a consumer
    /// deadlocks once the channel is full (the call then ends with [`crate::Error::Timeout`]).
    /// If the receiver is dropped, the rest of the responses are read and discarded. Returns
    /// when the command completes; `tx` is dropped then, which ends the consumer's loop.
    ///
    /// Each response is passed on as the server sent it: unlike the buffered
    /// [`fetch`](Self::fetch), which fails when an asked-for `RFC822` never came (iCloud), a
    /// stream cannot know whether a later response still brings it, so such a message shows
    /// as `rfc822: None`. Ask for `BODY.PEEK[]` to fetch whole messages.
    pub async fn uid_fetch_streaming(
        &self,
        uids: &SequenceSet,
        items: &[FetchAttr],
        tx: mpsc::Sender<Result<FetchResponse>>,
        timeout: Duration,
    ) -> Result<()> {
        let body = CommandBody::Fetch {
            uid: true,
            set: uids.clone(),
            attrs: items.to_vec(),
            changed_since: None,
            vanished: false,
        };
        self.run_with(body, Some(tx), timeout)
            .await?
            .into_result()?;
        Ok(())
    }

    /// `IDLE` (RFC 2177): waits up to `timeout` for the server to report a change, and returns
    /// the first one. IDLE then ends with DONE; anything else that arrived meanwhile is queued
    /// as events. `IdleEvent::Timeout` and `IdleEvent::Cancelled` (when `cancel` fires) are
    /// normal results. Dropping the future also ends IDLE (DONE is still sent). Long waits
    /// are split into IDLEs shorter than servers' 30-minute limit, invisibly.
    ///
    /// What ends IDLE: `EXISTS`, `EXPUNGE`, `VANISHED` and `FETCH` of the selected mailbox;
    /// under NOTIFY also the status of other mailboxes, mailbox and metadata events and
    /// `[NOTIFICATIONOVERFLOW]`. What servers also push, queued as [`TypedEvent`]s
    /// without ending IDLE: keep-alive `* OK` lines (Dovecot's "Still here"), `[ALERT]`s, and
    /// a `* STATUS` of the selected mailbox while no NOTIFY is set — IMAP4rev2 servers may send
    /// one unasked just before the `EXISTS` it summarises, and that `EXISTS` ends IDLE.
    ///
    /// [`TypedEvent`]: crate::TypedEvent
    pub async fn idle(&self, timeout: Duration, cancel: CancellationToken) -> Result<IdleEvent> {
        // The IDLE's own time plus a round trip for DONE and the server's OK.
        let grace = self.default_timeout();
        self.request(
            |reply| {
                Request::Idle(IdleRequest {
                    reply,
                    timeout,
                    cancel,
                })
            },
            timeout.saturating_add(grace),
        )
        .await
    }
}
