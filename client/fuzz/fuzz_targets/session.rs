//! Fuzz the session state machine: random server bytes against a `Session` with commands in
//! flight, driven the way a driver drives it (submit, transmit, feed, drain `poll_event`, answer
//! continuations, switch transports, fail everything).
//!
//! Input layout: `[ctl, n_cmds, cmd × n_cmds, n_ops, op × n_ops, payload…]`.
//! - `ctl & 3`: greeting prefixed to the payload (capabilities + OK, PREAUTH, bare OK, none);
//!   `ctl & 4`: small limits (every limit is hit often), else defaults; `ctl & 8`: react to
//!   events like a driver (answer SASL challenges, end IDLE, finish transport switches,
//!   `fail_all` on `Fatal`); `ctl & 16`: pretend the server lacks `LITERAL+`.
//!   Small limits also make a command that collects over 1500 bytes fail.
//! - each `cmd` byte picks a command (low 5 bits) and streaming FETCH (bit 5); they are
//!   submitted before any server byte is fed;
//! - each `op` byte is an action (low 3 bits) with a parameter (high 5 bits): feed a chunk of
//!   the payload, transmit, `idle_done`, `authenticate_respond`/`cancel`,
//!   `transport_changed`, submit one more command, or `fail_all`;
//! - after the ops, the rest of the payload is fed in chunks of the last chunk size.
//!
//! Invariants: no panic; `in_flight()` equals submitted minus completed; every id completes
//! (Completed / Failed / returned by `fail_all`) at most once and only if it was submitted;
//! events name only commands in flight; at most one greeting; the receive buffer stays
//! within the limits once drained; after `fail_all` nothing is in flight or waiting to be
//! written.
#![no_main]

use std::collections::BTreeSet;
use std::num::NonZeroU32;

use daaki_imap::types::{AppendMessage, AuthMechanism, ListPattern, StoreKind};
use daaki_imap::proto::session::SessionEvent;
use daaki_imap::proto::{CommandBody, CommandId, DataMode, Limits, Session, SessionConfig};
use daaki_imap::types::{
    FetchAttr, Flag, ImapString, MailboxName, SearchKey, Secret, Section, SequenceSet,
};
use libfuzzer_sys::fuzz_target;

const GREETINGS: [&[u8]; 4] = [
    b"* OK [CAPABILITY IMAP4rev1 LITERAL+ IDLE SASL-IR AUTH=PLAIN STARTTLS COMPRESS=DEFLATE] hi\r\n",
    b"* PREAUTH [CAPABILITY IMAP4rev2 IDLE ENABLE UIDPLUS BINARY] ready\r\n",
    b"* OK hi\r\n",
    b"",
];

/// Bytes the framer may keep of a bad response's line while skipping it.
const MARKER_WINDOW: usize = 32;

/// Chunk size for a 5-bit parameter: 1 … 962 bytes, small sizes more likely.
fn chunk_size(param: u8) -> usize {
    let p = usize::from(param);
    p * p + 1
}

fn mailbox(n: u8) -> MailboxName {
    let name = [
        "INBOX",
        "Archive",
        "Entwürfe",
        "a \"quoted\" name",
        "&-weird",
    ][usize::from(n) % 5];
    MailboxName::new(name).expect("constant mailbox name is valid")
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).expect("constant is nonzero")
}

/// The command picked by `sel` (low 5 bits) and its data mode (bit 5).
fn command(sel: u8) -> (CommandBody, DataMode) {
    let mode = if sel & 0x20 != 0 {
        DataMode::Stream
    } else {
        DataMode::Collect
    };
    let set = || SequenceSet::new("1:*").expect("constant set is valid");
    let body = match sel & 0x1f {
        0 => CommandBody::login("alice", "p\"w d").expect("valid user"),
        1 => CommandBody::login("bob", "line\r\nbreak").expect("valid user"),
        2 => CommandBody::select(mailbox(sel >> 6)),
        3 => CommandBody::Examine {
            mailbox: mailbox(sel >> 6),
            params: Default::default(),
        },
        4 => CommandBody::fetch(
            false,
            set(),
            vec![FetchAttr::Uid, FetchAttr::Flags, FetchAttr::Rfc822Size],
        ),
        5 => CommandBody::fetch(
            true,
            SequenceSet::range(nz(1), nz(10)),
            vec![
                FetchAttr::Envelope,
                FetchAttr::BodyStructure,
                FetchAttr::BodySection {
                    section: Section::header(),
                    partial: Some((0, nz(100))),
                    peek: true,
                },
            ],
        ),
        6 => CommandBody::fetch(false, SequenceSet::last(), vec![FetchAttr::Full]),
        7 => CommandBody::Store {
            uid: sel & 0x40 != 0,
            set: SequenceSet::single(nz(1)),
            kind: StoreKind::Add,
            silent: sel & 0x80 != 0,
            flags: vec![
                Flag::Deleted,
                Flag::keyword("$Junk").expect("valid keyword"),
            ],
            unchanged_since: None,
        },
        8 => CommandBody::Search {
            uid: false,
            charset: None,
            criteria: SearchKey::Unseen,
            return_options: None,
        },
        9 => CommandBody::Search {
            uid: true,
            charset: None,
            criteria: SearchKey::Subject(ImapString::new("grüße").expect("valid string")),
            return_options: Some(Vec::new()),
        },
        10 | 11 => CommandBody::Idle,
        12 => CommandBody::Authenticate {
            mechanism: AuthMechanism::Plain,
            initial_response: Some(Secret::new(b"\0alice\0secret".to_vec())),
        },
        13 => CommandBody::Authenticate {
            mechanism: AuthMechanism::Plain,
            initial_response: None,
        },
        14 => CommandBody::StartTls,
        15 => CommandBody::Compress,
        16 | 17 => CommandBody::Append {
            mailbox: mailbox(sel >> 6),
            messages: vec![AppendMessage::new(
                b"Subject: hi\r\n\r\nbody\r\n".repeat(usize::from(sel >> 6) + 1),
            )],
        },
        18 => CommandBody::Append {
            mailbox: mailbox(0),
            messages: vec![
                AppendMessage::new(b"Subject: one\r\n\r\n1\r\n".to_vec()),
                AppendMessage::new(b"Subject: two\r\n\r\n2\r\n".to_vec()),
            ],
        },
        19 => CommandBody::Capability,
        20 => CommandBody::Logout,
        21 => CommandBody::Status {
            mailbox: mailbox(sel >> 6),
            attrs: daaki_imap::types::StatusAttr::ALL.to_vec(),
        },
        22 => CommandBody::List {
            reference: ListPattern::empty(),
            patterns: vec![ListPattern::all()],
            selection: Vec::new(),
            return_options: Vec::new(),
        },
        23 => CommandBody::Copy {
            uid: true,
            set: set(),
            mailbox: mailbox(1),
        },
        24 => CommandBody::Move {
            uid: false,
            set: set(),
            mailbox: mailbox(1),
        },
        25 => CommandBody::Expunge,
        26 => CommandBody::Close,
        27 => CommandBody::Namespace,
        28 => CommandBody::Unauthenticate,
        29 => CommandBody::Enable(vec![
            daaki_imap::types::ImapAtom::new("UTF8=ACCEPT").expect("valid atom"),
        ]),
        _ => CommandBody::Noop,
    };
    (body, mode)
}

struct Harness {
    session: Session,
    limits: Limits,
    react: bool,
    /// Ids submitted and not yet completed.
    outstanding: BTreeSet<CommandId>,
    /// Ids completed (Completed, Failed or returned by fail_all).
    done: BTreeSet<CommandId>,
    /// Every id submitted (for idle_done / authenticate_respond on arbitrary ids).
    submitted: Vec<CommandId>,
    greetings: usize,
    wire: Vec<u8>,
}

impl Harness {
    fn submit(&mut self, sel: u8) {
        let (body, mode) = command(sel);
        if let Ok(id) = self.session.submit(body, mode) {
            assert!(self.outstanding.insert(id), "id {id:?} handed out twice");
            assert!(!self.done.contains(&id), "id {id:?} reused");
            self.submitted.push(id);
        }
        self.check_counts();
    }

    fn pick(&self, param: u8) -> Option<CommandId> {
        let n = self.submitted.len();
        (n > 0).then(|| self.submitted[usize::from(param) % n])
    }

    fn complete(&mut self, id: CommandId) {
        assert!(
            self.outstanding.remove(&id),
            "{id:?} completed but not in flight (done before: {})",
            self.done.contains(&id)
        );
        self.done.insert(id);
    }

    fn check_counts(&self) {
        assert_eq!(
            self.session.in_flight(),
            self.outstanding.len(),
            "in-flight count differs from submitted minus completed"
        );
    }

    fn transmit(&mut self) {
        self.wire.clear();
        let n = self.session.transmit_into(&mut self.wire);
        assert_eq!(n, self.wire.len());
    }

    fn fail_all(&mut self) {
        let ids = self.session.fail_all();
        for id in ids {
            self.complete(id);
        }
        assert!(self.outstanding.is_empty(), "fail_all left commands behind");
        assert_eq!(self.session.in_flight(), 0);
        assert!(!self.session.has_pending_output());
        assert_eq!(self.session.buffered_input(), 0);
    }

    fn feed(&mut self, chunk: &[u8]) {
        self.session.handle_input(chunk);
        let bound = usize::try_from(self.limits.max_response)
            .unwrap_or(usize::MAX)
            .max(MARKER_WINDOW);
        assert!(self.session.buffered_input() <= bound.saturating_add(chunk.len()));
        self.drain();
        assert!(
            self.session.buffered_input() <= bound,
            "receive buffer {} above bound {bound}",
            self.session.buffered_input()
        );
    }

    fn drain(&mut self) {
        while let Some(event) = self.session.poll_event() {
            self.event(event);
            self.check_counts();
        }
    }

    fn event(&mut self, event: SessionEvent) {
        match event {
            SessionEvent::Greeting { .. } => {
                self.greetings += 1;
                assert_eq!(self.greetings, 1, "second greeting");
            }
            SessionEvent::Completed { id, .. } | SessionEvent::Failed { id, .. } => {
                self.complete(id)
            }
            SessionEvent::Fetch { id, .. } => {
                assert!(
                    self.outstanding.contains(&id),
                    "Fetch for {id:?} not in flight"
                );
            }
            SessionEvent::IdleAccepted { id } => {
                assert!(self.outstanding.contains(&id), "IdleAccepted for {id:?}");
                if self.react {
                    assert!(self.session.idle_done(id));
                }
            }
            SessionEvent::AuthChallenge { id, challenge } => {
                assert!(self.outstanding.contains(&id), "AuthChallenge for {id:?}");
                if self.react {
                    let answer = if challenge.is_empty() {
                        self.session.authenticate_respond(id, b"\0u\0p")
                    } else {
                        self.session.authenticate_cancel(id)
                    };
                    answer.expect("the challenged exchange is in progress");
                }
            }
            SessionEvent::StartTls { id, .. } | SessionEvent::Compress { id, .. } => {
                assert!(
                    self.done.contains(&id),
                    "switch for {id:?} before its completion"
                );
                if self.react {
                    self.session.transport_changed();
                }
            }
            SessionEvent::Fatal { .. } if self.react => self.fail_all(),
            _ => {}
        }
    }
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn take(&mut self, n: usize) -> Vec<u8> {
        let n = n.min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head.to_vec()
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Reader(data);
    let ctl = input.byte();
    let limits = if ctl & 4 != 0 {
        Limits {
            max_line: 200,
            max_literal: 300,
            max_response: 600,
        }
    } else {
        Limits::default()
    };
    let config = SessionConfig {
        limits,
        ignored_capabilities: if ctl & 16 != 0 {
            vec!["LITERAL+".to_owned()]
        } else {
            Vec::new()
        },
        // Small limits also cap what one command may collect, so that path is hit too.
        max_collected_bytes: if ctl & 4 != 0 {
            1500
        } else {
            256 * 1024 * 1024
        },
        ..SessionConfig::default()
    };
    let mut h = Harness {
        session: Session::new(config),
        limits,
        react: ctl & 8 != 0,
        outstanding: BTreeSet::new(),
        done: BTreeSet::new(),
        submitted: Vec::new(),
        greetings: 0,
        wire: Vec::new(),
    };

    // The greeting comes first so capabilities (LITERAL+, SASL-IR, IDLE) shape the encoding.
    let greeting = GREETINGS[usize::from(ctl & 3)];
    if !greeting.is_empty() {
        h.feed(greeting);
    }

    let n_cmds = usize::from(input.byte() % 16);
    for _ in 0..n_cmds {
        let sel = input.byte();
        h.submit(sel);
    }
    h.transmit();

    let n_ops = usize::from(input.byte());
    let ops = input.take(n_ops);
    let mut payload = input.0;
    let mut size = payload.len().max(1);
    for op in ops {
        let param = op >> 3;
        match op & 7 {
            0..=2 => {
                size = chunk_size(param);
                let (chunk, rest) = payload.split_at(size.min(payload.len()));
                payload = rest;
                h.feed(chunk);
            }
            3 => h.transmit(),
            4 => {
                if let Some(id) = h.pick(param) {
                    let known = h.outstanding.contains(&id);
                    let is_idle = h.session.idle_done(id);
                    assert!(
                        !is_idle || known,
                        "idle_done accepted for {id:?} not in flight"
                    );
                }
            }
            5 => {
                if let Some(id) = h.pick(param) {
                    let result = if param & 1 == 0 {
                        h.session.authenticate_respond(id, &[param; 3])
                    } else {
                        h.session.authenticate_cancel(id)
                    };
                    assert!(result.is_err() || h.outstanding.contains(&id));
                }
            }
            6 => h.session.transport_changed(),
            _ => {
                if param == 31 {
                    h.fail_all();
                } else {
                    h.submit(param | if param & 1 == 1 { 0x20 } else { 0 });
                }
            }
        }
        h.check_counts();
    }
    while !payload.is_empty() {
        h.transmit();
        let (chunk, rest) = payload.split_at(size.min(payload.len()));
        payload = rest;
        h.feed(chunk);
    }
    h.transmit();
    let _ = format!("{:?}", h.session);
    h.fail_all();
});
