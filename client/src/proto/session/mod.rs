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
//! `Other`/`Raw` values, malformed responses become [`SessionEvent::Malformed`] and are
//! skipped.

pub mod assemble;
mod capabilities;
mod dialect;
mod outcome;
mod outgoing;
mod queue;
mod routing;
mod state;
// Native only: the RFC traces check client lines with imap-codec, a native-only
// dev-dependency (the session is the same code on every target).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

use std::collections::VecDeque;

pub use capabilities::{Capabilities, Enabled};
pub use outcome::{CommandOutcome, Completion};
pub use queue::{BoundedQueue, Popped};
pub use routing::CommandKind;
pub use state::ConnectionState;

use outgoing::{AfterWrite, Outgoing, Stop};

use crate::proto::command::{Command, CommandBody};
use crate::proto::encode::{
    EncodeOptions, encode, encode_authenticate_cancel, encode_authenticate_response,
    encode_idle_done,
};
use crate::proto::response::{Continuation, Data, Response, StatusKind, StatusResponse};
use crate::proto::{Frame, Framer, Limits, parse_response};
use crate::proto::{ProtoError, ProtoResult as Result};
use crate::types::InvalidInput;
use crate::types::response::{FetchResponse, ResponseCode, ServerData};
use crate::types::{StatusKind as EventStatusKind, Tag, TypedEvent};

/// Identifies one submitted command for the life of the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CommandId(pub(crate) u64);

impl CommandId {
    /// The number behind the id (for logs).
    pub fn get(self) -> u64 {
        self.0
    }
}

/// How the untagged data a command claims is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DataMode {
    /// Collected into [`CommandOutcome::data`], delivered with the completion.
    #[default]
    Collect,
    /// FETCH data is handed out one response at a time as [`SessionEvent::Fetch`] (streaming
    /// FETCH); other data is collected.
    Stream,
}

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

/// The server greeting (RFC 3501 §7.1: `OK`, `PREAUTH` or `BYE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GreetingKind {
    /// Ready; authentication needed.
    Ok,
    /// Already authenticated (e.g. by the transport).
    PreAuth,
    /// The server refuses the connection.
    Bye,
}

/// What the session tells its driver.
#[derive(Debug)]
#[non_exhaustive]
pub enum SessionEvent {
    /// The greeting arrived; the state is set accordingly.
    Greeting {
        /// OK, PREAUTH or BYE.
        kind: GreetingKind,
        /// The response code (often `[CAPABILITY ...]`).
        code: Option<ResponseCode>,
        /// The greeting text.
        text: String,
    },
    /// A command completed (OK, NO or BAD) with the data it claimed.
    Completed {
        /// Which command.
        id: CommandId,
        /// Status, code, text and data.
        outcome: CommandOutcome,
    },
    /// A command cannot complete normally: its tagged response could not be parsed.
    Failed {
        /// Which command.
        id: CommandId,
        /// Why.
        error: ProtoError,
    },
    /// One FETCH response of a command submitted in [`DataMode::Stream`].
    Fetch {
        /// Which command.
        id: CommandId,
        /// The response.
        fetch: FetchResponse,
    },
    /// Untagged data no command claimed.
    Unsolicited(TypedEvent),
    /// The server accepted IDLE (`+`): the connection idles until [`Session::idle_done`].
    IdleAccepted {
        /// The IDLE command.
        id: CommandId,
    },
    /// A SASL challenge (base64-decoded; the raw text if it was not base64). Answer with
    /// [`Session::authenticate_respond`] or [`Session::authenticate_cancel`].
    AuthChallenge {
        /// The AUTHENTICATE command.
        id: CommandId,
        /// The decoded challenge.
        challenge: Vec<u8>,
    },
    /// STARTTLS succeeded: do the TLS handshake on the transport now, then call
    /// [`Session::transport_changed`]. Bytes the server sent after its OK and before the
    /// handshake were discarded unread (they could be an injection attack, CVE-2011-0411);
    /// `discarded` counts them.
    StartTls {
        /// The STARTTLS command.
        id: CommandId,
        /// How many received bytes were thrown away.
        discarded: usize,
    },
    /// COMPRESS succeeded: from now on the server's bytes are compressed. Install the
    /// decompressor, feed it `leftover` (compressed bytes that came with the OK) and the rest of
    /// the stream, and call [`Session::transport_changed`].
    Compress {
        /// The COMPRESS command.
        id: CommandId,
        /// Compressed bytes already received.
        leftover: Vec<u8>,
    },
    /// A response was malformed or too large and was skipped; the session goes on.
    Malformed {
        /// What was wrong.
        error: ProtoError,
    },
    /// The byte stream cannot be followed any more (e.g. a literal length that overflows):
    /// close the connection and call [`Session::fail_all`].
    Fatal {
        /// What happened.
        error: ProtoError,
    },
}

struct InFlight {
    id: CommandId,
    tag: String,
    kind: CommandKind,
    mode: DataMode,
    data: Vec<ServerData>,
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

/// The IMAP session state machine. See the module documentation.
pub struct Session {
    config: SessionConfig,
    state: ConnectionState,
    capabilities: Capabilities,
    enabled: Enabled,
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
            enabled: Enabled::default(),
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

    /// Extensions enabled with ENABLE.
    pub fn enabled(&self) -> &Enabled {
        &self.enabled
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
    /// `IDLE` capability.
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

    /// Feeds bytes received from the server. Call [`Session::poll_event`] until it returns
    /// `None` before feeding more, so the buffer stays bounded.
    pub fn handle_input(&mut self, bytes: &[u8]) {
        self.rx.extend_from_slice(bytes);
    }

    /// The next thing the driver must know, or `None` when all received bytes are handled.
    pub fn poll_event(&mut self) -> Option<SessionEvent> {
        loop {
            if let Some(event) = self.events.pop_front() {
                return Some(event);
            }
            match self.framer.decode(&self.rx[self.rx_start..]) {
                Frame::Incomplete => {
                    self.compact();
                    return None;
                }
                Frame::Complete { len } => {
                    let rx = std::mem::take(&mut self.rx);
                    let start = self.rx_start;
                    self.rx_start += len;
                    self.handle_frame(&rx[start..start + len]);
                    self.rx = rx;
                    if let Some(switch) = self.pending_switch.take() {
                        self.switch_transport(switch);
                    }
                }
                Frame::Discard { len, error } => {
                    self.rx_start += len;
                    if let Some(error) = error {
                        if error.keeps_sync() {
                            self.events.push_back(SessionEvent::Malformed {
                                error: error.into(),
                            });
                        } else {
                            self.events.push_back(SessionEvent::Fatal {
                                error: error.into(),
                            });
                        }
                    }
                }
            }
        }
    }

    /// Everything received after a STARTTLS / COMPRESS OK belongs to the new transport: for
    /// STARTTLS it is discarded unread (it was not protected by TLS — the injection attack of
    /// CVE-2011-0411), for COMPRESS it is handed back to be decompressed.
    fn switch_transport(&mut self, switch: Switch) {
        let rest = self.rx.get(self.rx_start..).unwrap_or_default();
        let event = match switch {
            Switch::StartTls(id) => SessionEvent::StartTls {
                id,
                discarded: rest.len(),
            },
            Switch::Compress(id) => SessionEvent::Compress {
                id,
                leftover: rest.to_vec(),
            },
        };
        self.rx.clear();
        self.rx_start = 0;
        self.framer.reset();
        self.events.push_back(event);
    }

    fn compact(&mut self) {
        if self.rx_start > 0 {
            self.rx.drain(..self.rx_start);
            self.rx_start = 0;
        }
    }

    fn handle_frame(&mut self, frame: &[u8]) {
        match parse_response(frame) {
            Ok((Response::Status(status), _)) => self.handle_status(status),
            Ok((Response::Data(data), _)) => self.handle_data(data, frame),
            Ok((Response::Continuation(c), _)) => self.handle_continuation(c),
            Err(error) => self.handle_unparsable(frame, error.into()),
        }
    }

    /// A response that does not parse: if it carries the tag of a command in flight, that
    /// command fails (it would otherwise never complete); anything else is skipped.
    fn handle_unparsable(&mut self, frame: &[u8], error: ProtoError) {
        let first = frame.split(|&b| b == b' ').next().unwrap_or_default();
        if let Some(pos) = self
            .in_flight
            .iter()
            .position(|c| c.tag.as_bytes() == first)
        {
            let command = self.in_flight.remove(pos);
            self.finish_exchange(command.id);
            self.events.push_back(SessionEvent::Failed {
                id: command.id,
                error,
            });
        } else {
            self.events.push_back(SessionEvent::Malformed { error });
        }
    }

    fn handle_status(&mut self, status: StatusResponse<'_>) {
        let text = String::from_utf8_lossy(status.text).into_owned();
        if !self.greeted && status.tag.is_none() {
            self.handle_greeting(status, text);
            return;
        }
        if let Some(crate::proto::response::Code::Capability(atoms)) = &status.code {
            self.set_capabilities(atoms.iter().copied());
        }
        match status.tag {
            Some(tag) => {
                self.handle_tagged(tag, status.kind, status.code.map(|c| c.into_owned()), text)
            }
            None => self.handle_untagged_status(status, text),
        }
    }

    fn handle_greeting(&mut self, status: StatusResponse<'_>, text: String) {
        self.greeted = true;
        if let Some(crate::proto::response::Code::Capability(atoms)) = &status.code {
            self.set_capabilities(atoms.iter().copied());
        }
        let kind = match status.kind {
            StatusKind::PreAuth => {
                self.state = ConnectionState::Authenticated;
                GreetingKind::PreAuth
            }
            StatusKind::Bye => {
                self.state = ConnectionState::Logout;
                GreetingKind::Bye
            }
            // RFC 3501 §7.1 allows only OK, PREAUTH and BYE; treat NO/BAD greetings as OK so the
            // connection stays usable (the server will refuse what it cannot do).
            _ => {
                self.state = ConnectionState::NotAuthenticated;
                GreetingKind::Ok
            }
        };
        self.events.push_back(SessionEvent::Greeting {
            kind,
            code: status.code.map(|c| c.into_owned()),
            text,
        });
    }

    fn set_capabilities<'a>(&mut self, atoms: impl Iterator<Item = &'a [u8]>) {
        let ignored = &self.config.ignored_capabilities;
        self.capabilities = Capabilities::from_atoms(
            atoms.filter(|a| !ignored.iter().any(|i| i.as_bytes().eq_ignore_ascii_case(a))),
        );
    }

    fn handle_tagged(
        &mut self,
        tag: &[u8],
        kind: StatusKind,
        code: Option<ResponseCode>,
        text: String,
    ) {
        let Some(pos) = self.in_flight.iter().position(|c| c.tag.as_bytes() == tag) else {
            self.events.push_back(SessionEvent::Malformed {
                error: ProtoError::Violation(format!(
                    "tagged response for unknown tag {:?}",
                    String::from_utf8_lossy(tag)
                )),
            });
            return;
        };
        let command = self.in_flight.remove(pos);
        if command.over_cap {
            self.finish_exchange(command.id);
            self.events.push_back(SessionEvent::Failed {
                id: command.id,
                error: ProtoError::ReplyTooLarge {
                    limit: self.config.max_collected_bytes,
                },
            });
            return;
        }
        let completion = match kind {
            StatusKind::Ok => Completion::Ok,
            StatusKind::No => Completion::No,
            // BAD, and PREAUTH/BYE which are not valid tagged responses.
            _ => Completion::Bad,
        };
        let ok = completion == Completion::Ok;
        let id = command.id;
        let mut transport_event = None;
        if ok {
            transport_event = self.apply_success(&command.kind, id);
        } else if matches!(command.kind, CommandKind::Select { .. }) {
            // A failed SELECT/EXAMINE leaves no mailbox selected (RFC 3501 §6.3.1).
            if self.state.is_authenticated() {
                self.state = ConnectionState::Authenticated;
            }
        }
        if transport_event.is_none() {
            self.finish_exchange(id);
        }
        self.events.push_back(SessionEvent::Completed {
            id,
            outcome: CommandOutcome {
                kind: command.kind,
                completion,
                code,
                text,
                data: command.data,
            },
        });
        self.pending_switch = transport_event;
    }

    /// Lifts a stop a finished command held and drops its unwritten bytes.
    fn finish_exchange(&mut self, id: CommandId) {
        self.out.abandon(id);
    }

    /// State changes of a successful command; returns the transport switch for STARTTLS /
    /// COMPRESS (whose stop stays in place until the transport changed).
    fn apply_success(&mut self, kind: &CommandKind, id: CommandId) -> Option<Switch> {
        match kind {
            CommandKind::Login | CommandKind::Authenticate => {
                self.state = ConnectionState::Authenticated;
            }
            CommandKind::Select { mailbox, examine } => {
                self.state = ConnectionState::Selected {
                    mailbox: mailbox.clone(),
                    read_only: *examine,
                };
            }
            CommandKind::Close | CommandKind::Unselect => {
                self.state = ConnectionState::Authenticated;
            }
            CommandKind::Logout => self.state = ConnectionState::Logout,
            CommandKind::Unauthenticate => {
                self.state = ConnectionState::NotAuthenticated;
                self.enabled.clear();
            }
            CommandKind::StartTls => {
                // RFC 3501 §6.2.1: forget capabilities learned before TLS.
                self.capabilities = Capabilities::default();
                return Some(Switch::StartTls(id));
            }
            CommandKind::Compress => return Some(Switch::Compress(id)),
            _ => {}
        }
        None
    }

    fn handle_untagged_status(&mut self, status: StatusResponse<'_>, text: String) {
        match status.kind {
            StatusKind::Bye => {
                self.state = ConnectionState::Logout;
                self.events
                    .push_back(SessionEvent::Unsolicited(TypedEvent::Bye {
                        code: status.code.map(|c| c.into_owned()),
                        text,
                    }));
                return;
            }
            StatusKind::PreAuth => {
                self.events.push_back(SessionEvent::Malformed {
                    error: ProtoError::Violation("PREAUTH after the greeting".into()),
                });
                return;
            }
            _ => {}
        }
        if let Some(code) = &status.code {
            let owner = self
                .in_flight
                .iter()
                .position(|c| self.out.started(c.id) && c.kind.claims_code(code));
            if let Some(pos) = owner {
                let code = status
                    .code
                    .map(|c| c.into_owned())
                    .unwrap_or(ResponseCode::Alert);
                self.in_flight[pos]
                    .data
                    .push(ServerData::Code { code, text });
                return;
            }
        }
        let code = status.code.map(|c| c.into_owned());
        let event = match (status.kind, code) {
            (_, Some(ResponseCode::Alert)) => TypedEvent::Alert(text),
            (kind, code) => TypedEvent::Status {
                kind: match kind {
                    StatusKind::No => EventStatusKind::No,
                    StatusKind::Bad => EventStatusKind::Bad,
                    _ => EventStatusKind::Ok,
                },
                code,
                text,
            },
        };
        self.events.push_back(SessionEvent::Unsolicited(event));
    }

    fn handle_data(&mut self, data: Data<'_>, frame: &[u8]) {
        match &data {
            Data::Capability(atoms) => self.set_capabilities(atoms.iter().copied()),
            Data::Enabled(atoms) => self.enabled.extend(atoms.iter().copied()),
            _ => {}
        }
        let owner = self
            .in_flight
            .iter()
            .position(|c| self.out.started(c.id) && c.kind.claims(&data, &c.tag));
        let utf8 = self.enabled.utf8();
        match owner {
            Some(pos) => {
                let command = &mut self.in_flight[pos];
                let owned = ServerData::from_proto(data, frame, utf8);
                match (command.mode, owned) {
                    (DataMode::Stream, ServerData::Fetch(fetch)) => {
                        let id = command.id;
                        self.events.push_back(SessionEvent::Fetch { id, fetch });
                    }
                    (_, owned) => {
                        command.collected_bytes += frame.len() as u64;
                        if command.collected_bytes > self.config.max_collected_bytes {
                            command.over_cap = true;
                            command.data = Vec::new();
                        }
                        if !command.over_cap {
                            command.data.push(owned);
                        }
                    }
                }
            }
            None => {
                let owned = ServerData::from_proto(data, frame, utf8);
                self.events
                    .push_back(SessionEvent::Unsolicited(TypedEvent::from_data(owned)));
            }
        }
    }

    fn handle_continuation(&mut self, continuation: Continuation<'_>) {
        match self.out.stop() {
            Some(Stop::Literal(id)) => {
                self.out.continue_literal(id);
            }
            Some(Stop::Idle(id)) => {
                let Some(command) = self.find_mut(id) else {
                    return;
                };
                if command.idle_accepted {
                    return;
                }
                command.idle_accepted = true;
                let done = command.idle_done_requested;
                self.events.push_back(SessionEvent::IdleAccepted { id });
                if done {
                    self.send_done(id);
                }
            }
            Some(Stop::Authenticate(id)) => {
                if let Some(initial) = self
                    .find_mut(id)
                    .and_then(|c| c.held_initial_response.take())
                {
                    self.out
                        .push_urgent(&encode_authenticate_response(&initial));
                    return;
                }
                let challenge = decode_challenge(continuation.text);
                self.events
                    .push_back(SessionEvent::AuthChallenge { id, challenge });
            }
            Some(Stop::TransportChange(_)) | None => {
                self.events.push_back(SessionEvent::Malformed {
                    error: ProtoError::Violation(
                        "continuation request while no command waits for one".into(),
                    ),
                });
            }
        }
    }

    fn find(&self, id: CommandId) -> Option<&InFlight> {
        self.in_flight.iter().find(|c| c.id == id)
    }

    fn find_mut(&mut self, id: CommandId) -> Option<&mut InFlight> {
        self.in_flight.iter_mut().find(|c| c.id == id)
    }
}

/// Base64-decodes a SASL challenge; text that is not base64 is returned as is.
fn decode_challenge(text: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let trimmed = text.trim_ascii();
    base64::engine::general_purpose::STANDARD
        .decode(trimmed)
        .unwrap_or_else(|_| trimmed.to_vec())
}
