//! IDLE bookkeeping of the driver (RFC 2177).
//!
//! One IDLE runs at a time. It ends — DONE is sent — on the first event that matters
//! ([`idle_result`]), when its time is up, when its token is cancelled, or when the caller
//! stops waiting (the reply channel closes). Long IDLEs are refreshed before servers'
//! 30-minute inactivity limit: DONE and a new IDLE, invisibly to the caller.

use std::time::Duration;

use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use crate::Result;
use crate::proto::session::CommandId;
use crate::runtime::Instant;
use crate::types::{IdleEvent, MailboxName, TypedEvent};

/// The IDLE result `event` ends IDLE with ([`IdleEvent::from_event`]), or `None` when it
/// does not end IDLE and is queued as an event. A `* STATUS` of the selected mailbox while no
/// NOTIFY is in force is not a result: servers speaking IMAP4rev2 may send one unasked just
/// before the `* n EXISTS` it summarises (RFC 9051 §7.2.4 lets a server send STATUS
/// responses for the selected mailbox at any time), and that EXISTS — what an IDLE loop waits
/// for — ends IDLE instead.
pub(super) fn idle_result(
    event: &TypedEvent,
    selected: Option<&MailboxName>,
    notify_active: bool,
) -> Option<IdleEvent> {
    match event {
        TypedEvent::MailboxStatus { mailbox, .. }
            if !notify_active && selected == Some(mailbox) =>
        {
            None
        }
        _ => IdleEvent::from_event(event),
    }
}

/// An IDLE request.
pub(crate) struct IdleRequest {
    pub(crate) reply: oneshot::Sender<Result<IdleEvent>>,
    pub(crate) timeout: Duration,
    pub(crate) cancel: CancellationToken,
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::response::MailboxStatus;

    #[test]
    fn a_status_of_the_selected_mailbox_ends_idle_only_under_notify() {
        let inbox = MailboxName::inbox();
        let other = MailboxName::new("Other").unwrap();
        let status = |mailbox: &MailboxName| TypedEvent::MailboxStatus {
            mailbox: mailbox.clone(),
            items: MailboxStatus::default(),
        };
        let as_result = |mailbox: &MailboxName| {
            Some(IdleEvent::MailboxStatus {
                mailbox: mailbox.clone(),
                items: MailboxStatus::default(),
            })
        };
        // The selected mailbox, no NOTIFY: queued, not a result.
        assert_eq!(idle_result(&status(&inbox), Some(&inbox), false), None);
        // Under NOTIFY, or for another mailbox, or with none selected: the result.
        assert_eq!(
            idle_result(&status(&inbox), Some(&inbox), true),
            as_result(&inbox)
        );
        assert_eq!(
            idle_result(&status(&other), Some(&inbox), false),
            as_result(&other)
        );
        assert_eq!(idle_result(&status(&inbox), None, false), as_result(&inbox));
        // Everything else as `IdleEvent::from_event` has it.
        assert_eq!(
            idle_result(&TypedEvent::Exists(4), Some(&inbox), false),
            Some(IdleEvent::Exists(4))
        );
        assert_eq!(
            idle_result(&TypedEvent::Alert("x".into()), Some(&inbox), false),
            None
        );
    }

    const TIMEOUT: Duration = Duration::from_secs(60);
    const REFRESH: Duration = Duration::from_secs(10);
    const SEC: Duration = Duration::from_secs(1);

    /// An IDLE state with a 60 s timeout and a 10 s refresh, the instant it was created, and
    /// its reply channel's receiver.
    fn idle() -> (IdleState, Instant, oneshot::Receiver<Result<IdleEvent>>) {
        let (reply, rx) = oneshot::channel();
        let start = Instant::now();
        let request = IdleRequest {
            reply,
            timeout: TIMEOUT,
            cancel: CancellationToken::new(),
        };
        (IdleState::new(CommandId(1), request, REFRESH), start, rx)
    }

    /// An IDLE request queued behind another, and its reply channel's receiver.
    fn queued() -> (IdleRequest, oneshot::Receiver<Result<IdleEvent>>) {
        let (reply, rx) = oneshot::channel();
        let request = IdleRequest {
            reply,
            timeout: TIMEOUT,
            cancel: CancellationToken::new(),
        };
        (request, rx)
    }

    #[test]
    fn wakes_at_the_deadline_until_accepted_then_at_the_refresh_unless_refreshing() {
        let (mut idle, start, _rx) = idle();
        // Not accepted yet: only the deadline counts (within the instant between `start` and
        // the state's own clock reading).
        let wait = idle.next_wakeup(start + SEC).unwrap();
        assert!(wait >= TIMEOUT - SEC && wait < TIMEOUT, "{wait:?}");

        idle.accepted(start + 2 * SEC);
        assert_eq!(idle.next_wakeup(start + 2 * SEC), Some(REFRESH));
        assert_eq!(idle.next_wakeup(start + 5 * SEC), Some(REFRESH - 3 * SEC));
        // Past the refresh time: due now, not a wait that wrapped around.
        assert_eq!(idle.next_wakeup(start + 20 * SEC), Some(Duration::ZERO));

        idle.refreshing = true;
        let wait = idle.next_wakeup(start + 5 * SEC).unwrap();
        assert!(
            wait > REFRESH,
            "a refresh in flight waits for the deadline: {wait:?}"
        );

        idle.finish_with(IdleEvent::Exists(1));
        assert_eq!(idle.next_wakeup(start + 5 * SEC), None, "ending");
    }

    #[test]
    fn a_refresh_is_due_only_refresh_after_acceptance_and_only_once() {
        let (mut idle, start, _rx) = idle();
        assert!(
            !idle.refresh_due(start + 30 * SEC),
            "never before acceptance"
        );
        idle.accepted(start);
        assert!(!idle.refresh_due(start));
        assert!(!idle.refresh_due(start + REFRESH - SEC));
        assert!(idle.refresh_due(start + REFRESH));
        idle.refreshing = true;
        assert!(!idle.refresh_due(start + 2 * REFRESH), "already refreshing");
        idle.restart(CommandId(2));
        assert!(
            !idle.refresh_due(start + 2 * REFRESH),
            "not accepted again yet"
        );
        idle.accepted(start + 2 * REFRESH);
        assert!(idle.refresh_due(start + 3 * REFRESH));
        idle.finish_with(IdleEvent::Timeout);
        assert!(!idle.refresh_due(start + 4 * REFRESH), "ending");
    }

    #[test]
    fn check_reports_cancellation_abandonment_and_the_deadline_once() {
        let (mut idle, start, rx) = idle();
        assert_eq!(idle.check(start + SEC), None);
        assert_eq!(idle.check(start + TIMEOUT + SEC), Some(IdleEvent::Timeout));
        idle.cancel.cancel();
        assert_eq!(idle.check(start + SEC), Some(IdleEvent::Cancelled));
        idle.finish_with(IdleEvent::Cancelled);
        assert_eq!(idle.check(start + SEC), None, "already ending");

        let (mut idle, start, rx2) = self::idle();
        drop(rx2);
        assert_eq!(
            idle.check(start + SEC),
            Some(IdleEvent::Cancelled),
            "abandoned"
        );
        drop(rx);
    }

    #[test]
    fn ending_or_abandoned_means_a_result_is_set_or_the_caller_is_gone() {
        let (mut idle, _, rx) = idle();
        assert!(!idle.ending_or_abandoned(), "running, caller waiting");
        idle.finish_with(IdleEvent::Exists(3));
        assert!(
            idle.ending_or_abandoned(),
            "ending while the caller still waits"
        );
        assert!(!idle.wants_event());
        idle.finish_with(IdleEvent::Timeout);
        assert_eq!(
            idle.result,
            Some(IdleEvent::Exists(3)),
            "the first result stays"
        );
        drop(rx);

        let (idle, _, rx) = self::idle();
        drop(rx);
        assert!(idle.ending_or_abandoned(), "caller gone");
    }

    #[test]
    fn the_next_slot_is_free_unless_its_caller_still_waits() {
        let (mut idle, _, _rx) = idle();
        assert!(idle.free_next(), "empty");

        let (waiting, _waiting_rx) = queued();
        idle.next = Some(waiting);
        assert!(!idle.free_next(), "its caller waits and did not cancel");
        assert!(idle.next.is_some(), "kept");

        let (gone, gone_rx) = queued();
        drop(gone_rx);
        idle.next = Some(gone);
        assert!(idle.free_next(), "caller gone");
        assert!(idle.next.is_none());

        let (cancelled, mut cancelled_rx) = queued();
        cancelled.cancel.cancel();
        idle.next = Some(cancelled);
        assert!(idle.free_next(), "cancelled");
        assert!(idle.next.is_none());
        assert!(
            matches!(cancelled_rx.try_recv(), Ok(Ok(IdleEvent::Cancelled))),
            "the cancelled caller is answered"
        );
    }
}
