//! IDLE bookkeeping of the driver (RFC 2177).
//!
//! One IDLE runs at a time. It ends — DONE is sent — on the first event that matters
//! ([`IdleEvent::from_event`]), when its time is up, when its token is cancelled, or when the
//! caller stops waiting (the reply channel closes). Long IDLEs are refreshed before servers'
//! 30-minute inactivity limit: DONE and a new IDLE, invisibly to the caller.

use std::time::Duration;

use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use super::IdleRequest;
use crate::Result;
use crate::proto::session::CommandId;
use crate::runtime::Instant;
use crate::types::IdleEvent;

pub(super) struct IdleState {
    /// The IDLE command currently in flight.
    pub(super) id: CommandId,
    reply: Option<oneshot::Sender<Result<IdleEvent>>>,
    pub(super) cancel: CancellationToken,
    deadline: Instant,
    refresh_after: Duration,
    accepted_at: Option<Instant>,
    /// DONE was sent to refresh, not to finish.
    pub(super) refreshing: bool,
    /// The result, once IDLE is ending.
    pub(super) result: Option<IdleEvent>,
    /// An IDLE requested while this one was ending; it starts once this one completes.
    pub(super) next: Option<IdleRequest>,
}

impl IdleState {
    pub(super) fn new(id: CommandId, request: IdleRequest, refresh_after: Duration) -> Self {
        Self {
            id,
            reply: Some(request.reply),
            cancel: request.cancel,
            deadline: Instant::now() + request.timeout,
            refresh_after,
            accepted_at: None,
            refreshing: false,
            result: None,
            next: None,
        }
    }

    /// Whether this IDLE is ending or its caller stopped waiting.
    pub(super) fn ending_or_abandoned(&self) -> bool {
        self.result.is_some() || self.reply.as_ref().is_none_or(|r| r.is_closed())
    }

    /// Whether an IDLE requested now may queue behind this one: the slot is empty, or the
    /// IDLE queued there was given up — its caller stopped waiting (it is dropped) or
    /// cancelled it (it is answered [`IdleEvent::Cancelled`]).
    pub(super) fn free_next(&mut self) -> bool {
        match self.next.take() {
            None => true,
            Some(next) if next.reply.is_closed() => true,
            Some(next) if next.cancel.is_cancelled() => {
                let _ = next.reply.send(Ok(IdleEvent::Cancelled));
                true
            }
            Some(next) => {
                self.next = Some(next);
                false
            }
        }
    }

    pub(super) fn accepted(&mut self, now: Instant) {
        self.accepted_at = Some(now);
    }

    /// Whether IDLE is still waiting for its first event.
    pub(super) fn wants_event(&self) -> bool {
        self.result.is_none()
    }

    pub(super) fn finish_with(&mut self, result: IdleEvent) {
        if self.result.is_none() {
            self.result = Some(result);
        }
    }

    /// How long until something must be checked; `None` once IDLE is ending.
    pub(super) fn next_wakeup(&self, now: Instant) -> Option<Duration> {
        if self.result.is_some() {
            return None;
        }
        let mut at = self.deadline;
        if let Some(accepted) = self.accepted_at
            && !self.refreshing
        {
            at = at.min(accepted + self.refresh_after);
        }
        Some(at.saturating_duration_since(now))
    }

    /// The result IDLE ends with now, if any: cancelled, abandoned or timed out.
    pub(super) fn check(&mut self, now: Instant) -> Option<IdleEvent> {
        if self.result.is_some() {
            return None;
        }
        if self.cancel.is_cancelled() || self.reply.as_ref().is_none_or(|r| r.is_closed()) {
            return Some(IdleEvent::Cancelled);
        }
        (now >= self.deadline).then_some(IdleEvent::Timeout)
    }

    pub(super) fn refresh_due(&self, now: Instant) -> bool {
        self.result.is_none()
            && !self.refreshing
            && self
                .accepted_at
                .is_some_and(|t| now.saturating_duration_since(t) >= self.refresh_after)
    }

    /// Resolves when the caller stopped waiting.
    pub(super) async fn reply_closed(&mut self) {
        match self.reply.as_mut() {
            Some(reply) => reply.closed().await,
            None => std::future::pending().await,
        }
    }

    /// A refresh completed: IDLE goes on as command `id`.
    pub(super) fn restart(&mut self, id: CommandId) {
        self.id = id;
        self.refreshing = false;
        self.accepted_at = None;
    }

    pub(super) fn reply(mut self, result: Result<IdleEvent>) {
        if let Some(reply) = self.reply.take() {
            let _ = reply.send(result);
        }
    }
}
