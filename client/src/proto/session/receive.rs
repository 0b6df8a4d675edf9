//! The receive side of the [`Session`]: received bytes are framed, parsed one response per
//! [`Session::poll_event`] call, and routed — tagged completions to their command, untagged
//! data to the command that claims it or out as an event, continuations to the command that
//! waits for one.

use super::outgoing::Stop;
use super::routing::UnparsedHead;
use super::{
    Capabilities, CommandId, CommandKind, CommandOutcome, Completion, ConnectionState, DataMode,
    GreetingKind, Session, SessionEvent, Switch,
};
use crate::proto::encode::encode_authenticate_response;
use crate::proto::parse::noted_quirks::take_noted_quirks;
use crate::proto::parse::repair::repair_quotes;
use crate::proto::parse::{ParseError, parse_keeping_untyped};
use crate::proto::response::{Code, Continuation, Data, Response, StatusKind, StatusResponse};
use crate::proto::{Frame, ProtoError, parse_response};
use crate::types::response::{FetchResponse, ResponseCode, ServerData, Unparsed};
use crate::types::{Quirk, StatusKind as EventStatusKind, TypedEvent, quirk};

impl Session {
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
        let parsed = parse_response(frame);
        let noted = take_noted_quirks();
        match parsed {
            Ok((response, _)) => {
                self.quirks.add_mask(noted);
                self.handle_response(response, frame);
            }
            Err(error) => self.handle_invalid(frame, error),
        }
    }

    /// A response that failed to parse: repaired if its quoted strings can be
    /// ([`repair_quotes`]), else parsed keeping values that do not fit their type untyped
    /// ([`parse_keeping_untyped`]), else kept whole as [`Unparsed`]. A repaired or partly
    /// untyped response is routed like any other, counted against the frame's own length.
    fn handle_invalid(&mut self, frame: &[u8], error: ParseError) {
        if let Some(repaired) = repair_quotes(frame, error.position)
            && let Ok((response, _)) = parse_response(&repaired.bytes)
        {
            self.quirks.add_mask(take_noted_quirks() | repaired.quirks);
            self.handle_response(response, frame);
            return;
        }
        take_noted_quirks();
        if let Ok((response, _)) = parse_keeping_untyped(frame) {
            self.quirks.add_mask(take_noted_quirks());
            self.handle_response(response, frame);
            return;
        }
        take_noted_quirks();
        self.handle_unparsable(frame, error.into());
    }

    fn handle_response(&mut self, response: Response<'_>, frame: &[u8]) {
        match response {
            Response::Status(status) => self.handle_status(status),
            Response::Data(data) => self.handle_data(data, frame),
            Response::Continuation(c) => self.handle_continuation(c),
        }
    }

    /// A response that does not parse: if it carries the tag of a command in flight, that
    /// command fails (it would otherwise never complete). Anything else is kept whole as an
    /// [`Unparsed`] value, never dropped. When a command in flight claims it by its keyword
    /// ([`CommandKind::claims_unparsed`]) it is part of that command's reply: a `* n FETCH`
    /// as a [`FetchResponse`] with only `seq` and `unparsed` set, streamed or collected like
    /// the others; any other response in the command's own unparsed list, which makes its
    /// completion an incomplete reply ([`CommandOutcome::into_result`]). The rest is an
    /// unsolicited [`TypedEvent::Unparsed`].
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
            return;
        }
        let unparsed = Unparsed::new(frame.to_vec(), error.to_string());
        let owner = UnparsedHead::read(&unparsed).and_then(|head| {
            self.in_flight
                .iter()
                .position(|c| self.out.started(c.id) && c.kind.claims_unparsed(&head))
        });
        let Some(pos) = owner else {
            self.events
                .push_back(SessionEvent::Unsolicited(TypedEvent::Unparsed(unparsed)));
            return;
        };
        match unparsed.number() {
            Some(seq)
                if unparsed
                    .keyword()
                    .is_some_and(|k| k.eq_ignore_ascii_case("FETCH")) =>
            {
                let fetch = FetchResponse {
                    seq,
                    unparsed: Some(Box::new(unparsed)),
                    ..FetchResponse::default()
                };
                self.deliver(pos, ServerData::Fetch(fetch), frame.len());
            }
            _ => {
                let command = &mut self.in_flight[pos];
                if command.collect(frame.len(), self.config.max_collected_bytes) {
                    command.unparsed.push(unparsed);
                }
            }
        }
    }

    /// Hands owned data to the in-flight command at `pos`: a streamed FETCH goes out as an
    /// event at once, anything else is collected (up to the collected-bytes cap, counting
    /// `frame_len` bytes for it).
    fn deliver(&mut self, pos: usize, owned: ServerData, frame_len: usize) {
        let command = &mut self.in_flight[pos];
        match (command.mode, owned) {
            (DataMode::Stream, ServerData::Fetch(fetch)) => {
                let id = command.id;
                self.events.push_back(SessionEvent::Fetch { id, fetch });
            }
            (_, owned) => {
                if command.collect(frame_len, self.config.max_collected_bytes) {
                    command.data.push(owned);
                }
            }
        }
    }

    fn handle_status(&mut self, status: StatusResponse<'_>) {
        let text = String::from_utf8_lossy(status.text).into_owned();
        if !self.greeted && status.tag.is_none() {
            self.handle_greeting(status, text);
            return;
        }
        if let Some(Code::Capability(atoms)) = &status.code {
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
        if let Some(Code::Capability(atoms)) = &status.code {
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
            // A tagged BYE (imap.wp.pl): the server is closing the connection.
            StatusKind::Bye => {
                self.quirks.add_mask(quirk::bit(Quirk::TaggedBye));
                self.state = ConnectionState::Logout;
                if matches!(command.kind, CommandKind::Logout) {
                    Completion::Ok
                } else {
                    Completion::Bad
                }
            }
            // BAD, and PREAUTH which is not a valid tagged response.
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
        let mut unparsed = command.unparsed;
        // A refused command has no result to report them with: they follow its completion as
        // events (after it, so that the completion is the event that ends the command).
        let refused = if ok {
            Vec::new()
        } else {
            std::mem::take(&mut unparsed)
        };
        self.events.push_back(SessionEvent::Completed {
            id,
            outcome: CommandOutcome {
                kind: command.kind,
                completion,
                code,
                text,
                data: command.data,
                unparsed,
            },
        });
        self.events.extend(
            refused
                .into_iter()
                .map(|u| SessionEvent::Unsolicited(TypedEvent::Unparsed(u))),
        );
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
                self.notify_active = false;
            }
            CommandKind::Notify { active } => self.notify_active = *active,
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
        if matches!(status.code, Some(Code::NotificationOverflow)) {
            self.notify_active = false;
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
                let owned = data.into_owned(frame, utf8);
                self.deliver(pos, owned, frame.len());
            }
            None => {
                let owned = data.into_owned(frame, utf8);
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
}

/// Base64-decodes a SASL challenge; text that is not base64 is returned as is.
fn decode_challenge(text: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let trimmed = text.trim_ascii();
    base64::engine::general_purpose::STANDARD
        .decode(trimmed)
        .unwrap_or_else(|_| trimmed.to_vec())
}
