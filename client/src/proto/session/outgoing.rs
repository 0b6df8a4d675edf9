//! The write side of the session: encoded commands waiting to go out, in order.
//!
//! Bytes leave strictly in submission order. A command may stop the queue part-way:
//! - after a synchronising literal header `{n}\r\n`, until the server's `+` (or a tagged
//!   refusal, which drops the rest of that command);
//! - after `IDLE` / `AUTHENTICATE` (the exchange that follows is driven by the session);
//! - after `STARTTLS` / `COMPRESS`, until the transport has changed.
//!
//! While the queue is stopped nothing after the stopping command is written; everything that
//! *can* go out is handed to the driver in one buffer, so pipelined commands leave in a
//! single write.

use std::collections::VecDeque;

use super::CommandId;

/// Why the queue is stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// A synchronising literal was announced; the next part waits for `+`.
    Literal(CommandId),
    /// IDLE was sent: waiting for `+`, then idling until `DONE` is sent.
    Idle(CommandId),
    /// AUTHENTICATE was sent: the SASL exchange runs until the tagged completion.
    Authenticate(CommandId),
    /// STARTTLS / COMPRESS was sent: nothing more until the tagged completion and, on OK,
    /// until the transport reports it has changed.
    TransportChange(CommandId),
}

impl Stop {
    pub(crate) fn id(self) -> CommandId {
        match self {
            Stop::Literal(id)
            | Stop::Idle(id)
            | Stop::Authenticate(id)
            | Stop::TransportChange(id) => id,
        }
    }
}

/// What stops the queue after a command's last byte (besides literals).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AfterWrite {
    Continue,
    Idle,
    Authenticate,
    TransportChange,
}

struct Pending {
    id: CommandId,
    bytes: Vec<u8>,
    /// Offsets (into `bytes`) right after each synchronising literal header.
    sync_points: Vec<usize>,
    written: usize,
    after: AfterWrite,
}

/// The ordered queue of bytes to send.
#[derive(Default)]
pub(crate) struct Outgoing {
    queue: VecDeque<Pending>,
    stop: Option<Stop>,
    /// Bytes that bypass the queue because they belong to the exchange that stopped it
    /// (literal continuation is not one of them: literals live in `queue`).
    urgent: Vec<u8>,
}

impl std::fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the bytes: they may hold credentials.
        f.debug_struct("Outgoing")
            .field("queued_commands", &self.queue.len())
            .field("stop", &self.stop)
            .field("urgent_bytes", &self.urgent.len())
            .finish()
    }
}

impl Outgoing {
    pub(crate) fn push(
        &mut self,
        id: CommandId,
        bytes: Vec<u8>,
        sync_points: Vec<usize>,
        after: AfterWrite,
    ) {
        self.queue.push_back(Pending {
            id,
            bytes,
            sync_points,
            written: 0,
            after,
        });
    }

    /// Bytes written directly as part of the current exchange (DONE, SASL responses).
    pub(crate) fn push_urgent(&mut self, bytes: &[u8]) {
        self.urgent.extend_from_slice(bytes);
    }

    pub(crate) fn stop(&self) -> Option<Stop> {
        self.stop
    }

    pub(crate) fn set_stop(&mut self, stop: Option<Stop>) {
        self.stop = stop;
    }

    /// Whether any byte of command `id` has been handed out (the server may answer it).
    pub(crate) fn started(&self, id: CommandId) -> bool {
        match self.queue.iter().find(|p| p.id == id) {
            Some(p) => p.written > 0,
            None => true,
        }
    }

    /// The server said `+` to the literal of `id`: release the next part.
    pub(crate) fn continue_literal(&mut self, id: CommandId) -> bool {
        if self.stop == Some(Stop::Literal(id)) {
            self.stop = None;
            true
        } else {
            false
        }
    }

    /// Command `id` completed before all of it was written (a literal was refused): drop
    /// what is left of it and lift a stop it held.
    pub(crate) fn abandon(&mut self, id: CommandId) {
        self.queue.retain(|p| p.id != id);
        if self.stop.is_some_and(|s| s.id() == id) {
            self.stop = None;
        }
    }

    /// Appends every byte that may be written now to `out`; returns how many. A command
    /// that has not started yet goes out only if `may_start(id)` says so; otherwise it, and
    /// everything queued after it, waits (order on the wire is submission order).
    pub(crate) fn transmit_into(
        &mut self,
        out: &mut Vec<u8>,
        mut may_start: impl FnMut(CommandId) -> bool,
    ) -> usize {
        let before = out.len();
        out.append(&mut self.urgent);
        while self.stop.is_none() {
            let Some(head) = self.queue.front_mut() else {
                break;
            };
            if head.written == 0 && !may_start(head.id) {
                break;
            }
            let end = head
                .sync_points
                .iter()
                .copied()
                .find(|&p| p > head.written)
                .unwrap_or(head.bytes.len())
                .min(head.bytes.len());
            out.extend_from_slice(&head.bytes[head.written..end]);
            head.written = end;
            if end < head.bytes.len() {
                self.stop = Some(Stop::Literal(head.id));
                break;
            }
            let (id, after) = (head.id, head.after);
            self.queue.pop_front();
            self.stop = match after {
                AfterWrite::Continue => None,
                AfterWrite::Idle => Some(Stop::Idle(id)),
                AfterWrite::Authenticate => Some(Stop::Authenticate(id)),
                AfterWrite::TransportChange => Some(Stop::TransportChange(id)),
            };
        }
        out.len() - before
    }

    /// Whether anything is waiting to be written (now or later).
    pub(crate) fn is_empty(&self) -> bool {
        self.queue.is_empty() && self.urgent.is_empty()
    }

    /// Forgets everything (the transport is gone).
    pub(crate) fn clear(&mut self) {
        self.queue.clear();
        self.urgent.clear();
        self.stop = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u64) -> CommandId {
        CommandId(n)
    }

    #[test]
    fn pipelined_commands_leave_in_one_buffer() {
        let mut o = Outgoing::default();
        o.push(id(1), b"A1 NOOP\r\n".to_vec(), vec![], AfterWrite::Continue);
        o.push(id(2), b"A2 NOOP\r\n".to_vec(), vec![], AfterWrite::Continue);
        let mut out = Vec::new();
        assert_eq!(o.transmit_into(&mut out, |_| true), 18);
        assert_eq!(out, b"A1 NOOP\r\nA2 NOOP\r\n");
        assert!(o.is_empty());
    }

    #[test]
    fn transmit_counts_only_what_it_appended_and_clear_forgets_everything() {
        let mut o = Outgoing::default();
        o.push(id(1), b"A1 NOOP\r\n".to_vec(), vec![], AfterWrite::Idle);
        let mut out = b"earlier".to_vec();
        assert_eq!(o.transmit_into(&mut out, |_| true), 9);
        assert_eq!(out, b"earlierA1 NOOP\r\n");
        assert_eq!(o.stop(), Some(Stop::Idle(id(1))));
        o.push(id(2), b"A2 NOOP\r\n".to_vec(), vec![], AfterWrite::Continue);
        o.push_urgent(b"DONE\r\n");
        assert!(!o.is_empty());
        o.clear();
        assert!(o.is_empty());
        assert_eq!(o.stop(), None);
        out.clear();
        assert_eq!(o.transmit_into(&mut out, |_| true), 0);
        assert!(out.is_empty());
    }

    #[test]
    fn debug_shows_counts_never_bytes() {
        let mut o = Outgoing::default();
        o.push(
            id(1),
            b"A1 LOGIN user s3cret\r\n".to_vec(),
            vec![],
            AfterWrite::Continue,
        );
        o.push_urgent(b"t0ken\r\n");
        let debug = format!("{o:?}");
        assert_eq!(
            debug,
            "Outgoing { queued_commands: 1, stop: None, urgent_bytes: 7 }"
        );
    }

    #[test]
    fn sync_literal_stops_until_continued() {
        let mut o = Outgoing::default();
        let cmd = b"A1 LOGIN {4}\r\nuser pass\r\n".to_vec();
        o.push(id(1), cmd, vec![14], AfterWrite::Continue);
        o.push(id(2), b"A2 NOOP\r\n".to_vec(), vec![], AfterWrite::Continue);
        let mut out = Vec::new();
        o.transmit_into(&mut out, |_| true);
        assert_eq!(out, b"A1 LOGIN {4}\r\n");
        assert_eq!(o.stop(), Some(Stop::Literal(id(1))));
        assert!(o.started(id(1)) && !o.started(id(2)));
        out.clear();
        assert_eq!(o.transmit_into(&mut out, |_| true), 0);
        assert!(o.continue_literal(id(1)));
        o.transmit_into(&mut out, |_| true);
        assert_eq!(out, b"user pass\r\nA2 NOOP\r\n");
    }

    #[test]
    fn refused_literal_drops_the_rest_of_that_command_only() {
        let mut o = Outgoing::default();
        o.push(
            id(1),
            b"A1 X {3}\r\nabc\r\n".to_vec(),
            vec![10],
            AfterWrite::Continue,
        );
        o.push(id(2), b"A2 NOOP\r\n".to_vec(), vec![], AfterWrite::Continue);
        let mut out = Vec::new();
        o.transmit_into(&mut out, |_| true);
        o.abandon(id(1));
        out.clear();
        o.transmit_into(&mut out, |_| true);
        assert_eq!(out, b"A2 NOOP\r\n");
    }

    #[test]
    fn idle_stops_the_queue_and_urgent_bytes_still_flow() {
        let mut o = Outgoing::default();
        o.push(id(1), b"A1 IDLE\r\n".to_vec(), vec![], AfterWrite::Idle);
        o.push(id(2), b"A2 NOOP\r\n".to_vec(), vec![], AfterWrite::Continue);
        let mut out = Vec::new();
        o.transmit_into(&mut out, |_| true);
        assert_eq!(out, b"A1 IDLE\r\n");
        assert_eq!(o.stop(), Some(Stop::Idle(id(1))));
        o.push_urgent(b"DONE\r\n");
        o.set_stop(None);
        out.clear();
        o.transmit_into(&mut out, |_| true);
        assert_eq!(out, b"DONE\r\nA2 NOOP\r\n");
    }
}
