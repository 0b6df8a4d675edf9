//! Unsolicited server data: `drain_events` and `next_event`.

use std::time::Duration;

use super::ImapConnection;
use crate::runtime::{self, Instant};
use crate::types::TypedEvent;
use crate::{Error, Result};

impl ImapConnection {
    /// Every event queued so far, oldest first. Never waits and never touches the network:
    /// events are queued by the driver as they arrive — a command's unsolicited data is queued
    /// before that command's call returns.
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) {
    /// use daaki_imap::TypedEvent;
    /// for event in conn.drain_events().await {
    ///     if let TypedEvent::Exists(n) = event {
    ///         println!("mailbox now has {n} messages");
    ///     }
    /// }
    /// # }
    /// ```
    pub async fn drain_events(&self) -> Vec<TypedEvent> {
        std::iter::from_fn(|| self.inner.shared.pop_event()).collect()
    }

    /// The next event, waiting at most `timeout`: `Ok(None)` when the time is up,
    /// `Err(Error::Closed)` once the connection is closed and every event was taken.
    pub async fn next_event(&self, timeout: Duration) -> Result<Option<TypedEvent>> {
        let deadline = Instant::now() + timeout;
        loop {
            // Register interest before checking, so an event added in between is not missed.
            let added = self.inner.shared.event_added();
            if let Some(event) = self.inner.shared.pop_event() {
                return Ok(Some(event));
            }
            if self.inner.shared.is_closed() {
                return Err(Error::Closed);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || runtime::timeout(left, added).await.is_none() {
                return Ok(self.inner.shared.pop_event());
            }
        }
    }
}
