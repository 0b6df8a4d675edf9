//! The session state machine: the sans-I/O heart of the client.
//!
//! A [`Session`] holds everything that is true about one IMAP connection — its state, the
//! server's capabilities, the extensions it ENABLEd, the commands in flight, the bytes waiting
//! to be written and the bytes received but not yet handled — and none of the I/O. The driver
//! (native tokio, browser WebSocket, or a test) runs this loop:
//!
//! 1. [`Session::submit`] commands (any number: they pipeline);
//! 2. write what [`Session::transmit_into`] gives (everything that may go out now, in one
//!    buffer);
//! 3. feed received bytes to [`Session::handle_input`];
//! 4. take [`SessionEvent`]s from [`Session::poll_event`] until it returns `None`, and act
//!    on them (complete a caller's request, queue an event, answer a SASL challenge, switch the
//!    transport for STARTTLS / COMPRESS).
//!
//! Responses are parsed lazily, one per `poll_event` call, so a driver that stops polling
//! (because a streaming consumer is slow) stops the parsing too; together with reading no
//! more from the socket, that is the backpressure of streaming FETCH. The receive buffer
//! then holds at most one read plus one incomplete response, which the framer bounds by
//! [`Limits`].
//!
//! Obligations of the driver, stated where they arise:
//! - after [`SessionEvent::IdleAccepted`], the connection idles until [`Session::idle_done`];
//! - after [`SessionEvent::AuthChallenge`], answer with [`Session::authenticate_respond`] or
//!   [`Session::authenticate_cancel`];
//! - after [`SessionEvent::StartTls`] / [`SessionEvent::Compress`], change the transport and
//!   then call [`Session::transport_changed`]; nothing is written before that;
//! - after [`SessionEvent::Fatal`], close the connection and call [`Session::fail_all`].
//!
//! It never panics on server input and never grows without bound: unknown data becomes
//! `Other`/`Raw` values; a response that does not parse is kept whole as an
//! [`Unparsed`] value — in the result of the FETCH it
//! answers, in [`CommandOutcome::unparsed`] of another command it answers, or as
//! [`TypedEvent::Unparsed`](crate::TypedEvent::Unparsed) — and protocol
//! violations (a tag no command has, a continuation nobody waits for) and over-limit frames
//! become [`SessionEvent::Malformed`].

pub mod assemble;
mod capabilities;
mod dialect;
mod event;
mod outcome;
mod outgoing;
mod receive;
mod routing;
mod state;
// Native only: the RFC traces check client lines with imap-codec, a native-only
// dev-dependency (the session is the same code on every target).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

use std::collections::VecDeque;

pub use capabilities::{Capabilities, Dialect, Enabled};
pub use event::{CommandId, DataMode, GreetingKind, SessionEvent};
pub use outcome::{CommandOutcome, Completion};
pub use routing::CommandKind;
pub use state::ConnectionState;

use outgoing::{AfterWrite, Outgoing, Stop};

use crate::proto::command::{Command, CommandBody};
use crate::proto::encode::{
    EncodeOptions, encode, encode_authenticate_cancel, encode_authenticate_response,
    encode_idle_done,
};
use crate::proto::{Framer, Limits};
use crate::proto::{ProtoError, ProtoResult as Result};
use crate::types::InvalidInput;
use crate::types::QuirkCounts;
use crate::types::Tag;
use crate::types::response::{ServerData, Unparsed};

/// Settings of a session.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Size limits for server responses.
    pub limits: Limits,
    /// Prefix of command tags (`A` gives `A1`, `A2`, …); must be a valid tag.
    pub tag_prefix: String,
    /// Capabilities to act as if the server did not advertise (upper- or lower-case), e.g.
    /// `MOVE` to exercise a fallback, or `LITERAL+` to force synchronising literals.
    pub ignored_capabilities: Vec<String>,
    /// The most response bytes one command may collect in [`DataMode::Collect`] (default
    /// 256 MiB). A command that receives more completes with [`ProtoError::ReplyTooLarge`] and its
    /// data is dropped as it arrives — use streaming FETCH for large results.
    pub max_collected_bytes: u64,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            tag_prefix: "A".to_owned(),
            ignored_capabilities: Vec::new(),
            max_collected_bytes: 256 * 1024 * 1024,
        }
    }
}

struct InFlight {
    id: CommandId,
    tag: String,
    kind: CommandKind,
    mode: DataMode,
    data: Vec<ServerData>,
    /// Responses answering it that did not parse (other than `* n FETCH`, which goes into
    /// `data` as a [`FetchResponse`](crate::types::response::FetchResponse) with `unparsed`).
    unparsed: Vec<Unparsed>,
    /// The AUTHENTICATE initial response, held back when the server lacks SASL-IR: it goes
    /// out after the first empty challenge instead (RFC 4959 §3).
    held_initial_response: Option<Vec<u8>>,
    /// IDLE: `+` seen.
    idle_accepted: bool,
    /// IDLE: DONE asked for before `+` arrived; send it as soon as it does.
    idle_done_requested: bool,
    /// Bytes of the responses collected so far (frame lengths).
    collected_bytes: u64,
    /// The collection cap was exceeded: the data is gone, the command fails on completion.
    over_cap: bool,
}

impl InFlight {
    /// Counts a `frame_len`-byte response towards the collected-bytes cap: whether it may be
    /// kept. Past the cap everything collected is dropped (the command fails on completion).
    fn collect(&mut self, frame_len: usize, cap: u64) -> bool {
        self.collected_bytes += frame_len as u64;
        if self.collected_bytes > cap {
            self.over_cap = true;
            self.data = Vec::new();
            self.unparsed = Vec::new();
        }
        !self.over_cap
    }
}

/// The IMAP session state machine. See the module documentation.
pub struct Session {
    config: SessionConfig,
    state: ConnectionState,
    capabilities: Capabilities,
    /// How many responses needed each tolerated server quirk.
    quirks: QuirkCounts,
    enabled: Enabled,
    /// A `NOTIFY SET` with events is in force (RFC 5465).
    notify_active: bool,
    greeted: bool,
    next_tag: u64,
    next_id: u64,
    in_flight: Vec<InFlight>,
    out: Outgoing,
    rx: Vec<u8>,
    rx_start: usize,
    framer: Framer,
    events: VecDeque<SessionEvent>,
    /// Set by a successful STARTTLS / COMPRESS; acted on once its frame is handled.
    pending_switch: Option<Switch>,
}

/// A transport change the server agreed to.
#[derive(Debug, Clone, Copy)]
enum Switch {
    StartTls(CommandId),
    Compress(CommandId),
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("state", &self.state)
            .field("in_flight", &self.in_flight.len())
            .field("out", &self.out)
            .field("buffered_input", &self.buffered_input())
            .finish_non_exhaustive()
    }
}

impl Default for Session {
    fn default() -> Self {
        Self::new(SessionConfig::default())
    }
}

impl Session {
    /// A session for a fresh connection: it expects the server greeting first.
    pub fn new(config: SessionConfig) -> Self {
        let framer = Framer::new(config.limits);
        Self {
            config,
            state: ConnectionState::Greeting,
            capabilities: Capabilities::default(),
            quirks: QuirkCounts::default(),
            enabled: Enabled::default(),
            notify_active: false,
            greeted: false,
            next_tag: 1,
            next_id: 1,
            in_flight: Vec::new(),
            out: Outgoing::default(),
            rx: Vec::new(),
            rx_start: 0,
            framer,
            events: VecDeque::new(),
            pending_switch: None,
        }
    }

    /// The connection state.
    pub fn state(&self) -> &ConnectionState {
        &self.state
    }

    /// The server's current capabilities (minus [`SessionConfig::ignored_capabilities`]).
    pub fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    /// How many of the server's responses so far needed each tolerated quirk
    /// ([`crate::types::Quirk`]).
    pub fn quirks(&self) -> &QuirkCounts {
        &self.quirks
    }

    /// Extensions enabled with ENABLE.
    pub fn enabled(&self) -> &Enabled {
        &self.enabled
    }

    /// Whether a `NOTIFY SET` with events is in force (RFC 5465): set by its `OK`, ended by
    /// `NOTIFY NONE`, by `[NOTIFICATIONOVERFLOW]` (the server switched NOTIFY off) and by
    /// leaving the authenticated state.
    pub fn notify_active(&self) -> bool {
        self.notify_active
    }

    /// Whether mailbox names and strings are UTF-8 (IMAP4rev2 or UTF8=ACCEPT enabled).
    pub fn utf8(&self) -> bool {
        self.enabled.utf8()
    }

    /// Number of commands submitted and not yet completed.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Bytes received with [`Session::handle_input`] and not yet handled: after
    /// [`Session::poll_event`] has returned `None` this is at most one incomplete response
    /// (bounded by [`Limits::max_response`]). For drivers sizing reads, and for tests and
    /// fuzzing that check the buffer stays bounded.
    pub fn buffered_input(&self) -> usize {
        self.rx.len() - self.rx_start
    }

    /// Whether the server has been sent IDLE and has accepted it, and DONE is not sent yet.
    pub fn is_idling(&self) -> bool {
        matches!(self.out.stop(), Some(Stop::Idle(id)) if self.find(id).is_some_and(|c| c.idle_accepted))
    }

    /// Queues `body` for sending and returns its id. Encoding happens now, with the literal
    /// and UTF-8 rules the session's capabilities allow; an invalid command is an error and
    /// nothing is queued.
    ///
    /// Checks done here (everything else is the server's to judge): the session must not be
    /// logged out, LOGIN must not be sent when the server said `LOGINDISABLED`, IDLE needs the
    /// `IDLE` capability, and a `UTF8=ONLY` server gets no command that names a mailbox before
    /// `UTF8=ACCEPT` (or IMAP4rev2) is enabled.
    pub fn submit(&mut self, body: CommandBody, mode: DataMode) -> Result<CommandId> {
        if self.state == ConnectionState::Logout {
            return Err(ProtoError::Closed);
        }
        let mut body = body;
        if self.enabled.has("IMAP4REV2") {
            body = dialect::for_rev2(body);
        }
        match &mut body {
            CommandBody::Login { .. } if self.capabilities.login_disabled() => {
                return Err(ProtoError::Unsupported(
                    "the server advertises LOGINDISABLED: use AUTHENTICATE (after STARTTLS)".into(),
                ));
            }
            CommandBody::Idle if self.greeted && !self.capabilities.has("IDLE") => {
                return Err(ProtoError::Unsupported(
                    "IDLE (RFC 2177) is not advertised".into(),
                ));
            }
            body if self.capabilities.utf8_only()
                && !self.enabled.utf8()
                && dialect::names_a_mailbox(body) =>
            {
                return Err(ProtoError::Unsupported(format!(
                    "the server is UTF8=ONLY (RFC 6855 §6): {} needs UTF8=ACCEPT enabled first",
                    body.name()
                )));
            }
            _ => {}
        }
        let mut held_initial_response = None;
        if let CommandBody::Authenticate {
            initial_response, ..
        } = &mut body
            && !self.capabilities.has("SASL-IR")
            && let Some(ir) = initial_response.take()
        {
            held_initial_response = Some(ir.into_inner());
        }
        let kind = CommandKind::of(&body);
        let after = match kind {
            CommandKind::Idle => AfterWrite::Idle,
            CommandKind::Authenticate => AfterWrite::Authenticate,
            CommandKind::StartTls | CommandKind::Compress => AfterWrite::TransportChange,
            _ => AfterWrite::Continue,
        };
        let tag = Tag::with_counter(&self.config.tag_prefix, self.next_tag)?;
        let command = Command::new(tag, body);
        let encoded = encode(&command, &self.encode_options())?;
        self.next_tag += 1;
        let id = CommandId(self.next_id);
        self.next_id += 1;
        let sync_points = encoded.sync_points().to_vec();
        self.out.push(id, encoded.into_bytes(), sync_points, after);
        self.in_flight.push(InFlight {
            id,
            tag: command.tag.as_str().to_owned(),
            kind,
            mode,
            data: Vec::new(),
            held_initial_response,
            idle_accepted: false,
            idle_done_requested: false,
            collected_bytes: 0,
            over_cap: false,
            unparsed: Vec::new(),
        });
        Ok(id)
    }

    fn encode_options(&self) -> EncodeOptions {
        EncodeOptions {
            literal_plus: self.capabilities.has("LITERAL+"),
            literal_minus: self.capabilities.has("LITERAL-") || self.capabilities.imap4rev2(),
            utf8: self.enabled.utf8(),
            binary: self.capabilities.has("BINARY"),
        }
    }

    /// Appends every byte that may be written now to `out` (several pipelined commands come
    /// out together); returns how many bytes were appended.
    ///
    /// Commands whose untagged data could not be told apart are not pipelined (RFC 3501
    /// §5.5): a FETCH waits until a STORE on the same mailbox completed, and so on (see
    /// [`CommandKind::conflicts_with`]). Everything else leaves together.
    pub fn transmit_into(&mut self, out: &mut Vec<u8>) -> usize {
        let Session {
            in_flight,
            out: outgoing,
            ..
        } = self;
        // Kinds of the commands the server may be answering right now.
        let mut running: Vec<&CommandKind> = in_flight
            .iter()
            .filter(|c| outgoing.started(c.id))
            .map(|c| &c.kind)
            .collect();
        outgoing.transmit_into(out, |id| {
            let Some(candidate) = in_flight.iter().find(|c| c.id == id) else {
                return true;
            };
            if running.iter().any(|k| k.conflicts_with(&candidate.kind)) {
                false
            } else {
                running.push(&candidate.kind);
                true
            }
        })
    }

    /// Whether bytes are waiting to be written, now or after a continuation.
    pub fn has_pending_output(&self) -> bool {
        !self.out.is_empty()
    }

    /// Ends IDLE command `id`: `DONE` goes out with the next [`Session::transmit_into`] (or as
    /// soon as the server accepts IDLE, if it has not yet). Returns `false` if `id` is not an
    /// IDLE in flight.
    pub fn idle_done(&mut self, id: CommandId) -> bool {
        let accepted = match self.find_mut(id) {
            Some(c) if c.kind == CommandKind::Idle => {
                if c.idle_done_requested {
                    return true;
                }
                c.idle_done_requested = true;
                c.idle_accepted
            }
            _ => return false,
        };
        if accepted {
            self.send_done(id);
        }
        true
    }

    fn send_done(&mut self, id: CommandId) {
        self.out.push_urgent(encode_idle_done());
        if self.out.stop() == Some(Stop::Idle(id)) {
            // Commands queued behind IDLE may follow DONE at once (RFC 2177 §3).
            self.out.set_stop(None);
        }
    }

    /// Answers the current SASL challenge of AUTHENTICATE `id` with `response` (sent
    /// base64-encoded).
    pub fn authenticate_respond(&mut self, id: CommandId, response: &[u8]) -> Result<()> {
        if self.out.stop() != Some(Stop::Authenticate(id)) {
            return Err(ProtoError::InvalidCommand(InvalidInput::new(
                "no AUTHENTICATE exchange in progress",
            )));
        }
        self.out
            .push_urgent(&encode_authenticate_response(response));
        Ok(())
    }

    /// Cancels AUTHENTICATE `id` (`*`); the server answers with a tagged BAD.
    pub fn authenticate_cancel(&mut self, id: CommandId) -> Result<()> {
        if self.out.stop() != Some(Stop::Authenticate(id)) {
            return Err(ProtoError::InvalidCommand(InvalidInput::new(
                "no AUTHENTICATE exchange in progress",
            )));
        }
        self.out.push_urgent(encode_authenticate_cancel());
        Ok(())
    }

    /// The transport changed as [`SessionEvent::StartTls`] / [`SessionEvent::Compress`] asked:
    /// writing resumes.
    pub fn transport_changed(&mut self) {
        if matches!(self.out.stop(), Some(Stop::TransportChange(_))) {
            self.out.set_stop(None);
        }
    }

    /// The connection is gone: forgets everything in flight and returns the ids of the
    /// commands that will never complete. The session is then logged out.
    pub fn fail_all(&mut self) -> Vec<CommandId> {
        self.state = ConnectionState::Logout;
        self.out.clear();
        self.rx.clear();
        self.rx_start = 0;
        self.framer.reset();
        self.in_flight.drain(..).map(|c| c.id).collect()
    }

    fn find(&self, id: CommandId) -> Option<&InFlight> {
        self.in_flight.iter().find(|c| c.id == id)
    }

    fn find_mut(&mut self, id: CommandId) -> Option<&mut InFlight> {
        self.in_flight.iter_mut().find(|c| c.id == id)
    }
}
