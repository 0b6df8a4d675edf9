//! Session tests: the example sessions of RFC 3501 §8 and RFC 9051 §8 replayed as byte traces,
//! pipelining with interleaved responses, and the continuation flows (literals, IDLE,
//! AUTHENTICATE, STARTTLS, COMPRESS).

use super::*;
use crate::proto::command::SelectParams;
use crate::types::response::{FetchResponse, ResponseCode};
use crate::types::{AuthMechanism, StatusKind as EventStatusKind, StoreKind, TypedEvent};
use crate::types::{
    FetchAttr, Flag, ImapString, MailboxName, SearchKey, Secret, SequenceSet, StatusAttr,
};

fn greeted(greeting: &str) -> Session {
    let mut s = Session::default();
    let events = feed(&mut s, greeting);
    assert!(
        matches!(events[0], SessionEvent::Greeting { .. }),
        "{events:?}"
    );
    s
}

fn feed(s: &mut Session, server: &str) -> Vec<SessionEvent> {
    s.handle_input(server.as_bytes());
    std::iter::from_fn(|| s.poll_event()).collect()
}

fn sent(s: &mut Session) -> String {
    let mut out = Vec::new();
    s.transmit_into(&mut out);
    String::from_utf8(out).expect("ASCII commands")
}

fn completed(events: &[SessionEvent]) -> &CommandOutcome {
    events
        .iter()
        .find_map(|e| match e {
            SessionEvent::Completed { outcome, .. } => Some(outcome),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no completion in {events:?}"))
}

fn mailbox(name: &str) -> MailboxName {
    MailboxName::new(name).expect("valid name")
}

fn set(text: &str) -> SequenceSet {
    SequenceSet::new(text).expect("valid set")
}

fn login(user: &str, pass: &str) -> CommandBody {
    CommandBody::Login {
        username: ImapString::new(user).expect("user"),
        password: Secret::new(pass.to_owned()),
    }
}

fn fetch(seq: &str, attrs: Vec<FetchAttr>) -> CommandBody {
    CommandBody::Fetch {
        uid: false,
        set: set(seq),
        attrs,
        changed_since: None,
        vanished: false,
    }
}

fn select(name: &str) -> CommandBody {
    CommandBody::Select {
        mailbox: mailbox(name),
        params: SelectParams::default(),
    }
}

/// An example session of an RFC, replayed against a [`Session`] as the RFC writes it: each
/// client line of the example must be what the session sends next, and each server line is
/// fed as the RFC shows it. The RFC's tags map one to one to the session's own (`a001` → `A1`,
/// …), in both directions.
struct Replay {
    s: Session,
    /// `(the RFC's tag, ours)`, in the order the example uses them.
    tags: &'static [(&'static str, &'static str)],
}

impl Replay {
    fn ours(&self, rfc_tag: &str) -> &'static str {
        self.tags
            .iter()
            .find(|(rfc, _)| *rfc == rfc_tag)
            .map(|(_, ours)| *ours)
            .unwrap_or_else(|| panic!("the RFC's tag {rfc_tag} has no counterpart"))
    }

    /// The RFC's client command `rfc` is what the session sends next: imap-codec (an independent
    /// parser) reads both lines as the same command, ours under our tag for the RFC's. `exact`
    /// is our line as the encoder writes it (the RFC writes commands in lower case, and STORE's
    /// flags without parentheses: the same command).
    fn client(&mut self, rfc: &str, exact: &str) {
        use imap_codec::CommandCodec;
        use imap_codec::decode::Decoder;
        let ours = sent(&mut self.s);
        assert_eq!(ours, format!("{exact}\r\n"), "for the RFC's {rfc:?}");
        let rfc_line = format!("{rfc}\r\n");
        let codec = CommandCodec::default();
        let (rest, theirs) = codec
            .decode(rfc_line.as_bytes())
            .unwrap_or_else(|e| panic!("imap-codec reads the RFC's {rfc:?}: {e:?}"));
        assert!(rest.is_empty(), "{rfc:?} is one command");
        let (rest, mine) = codec
            .decode(ours.as_bytes())
            .unwrap_or_else(|e| panic!("imap-codec reads our {ours:?}: {e:?}"));
        assert!(rest.is_empty(), "{ours:?} is one command");
        assert_eq!(
            mine.tag.as_ref(),
            self.ours(theirs.tag.as_ref()),
            "{ours:?}"
        );
        assert_eq!(mine.body, theirs.body, "ours {ours:?}, the RFC's {rfc:?}");
    }

    /// A client line that is not a command (a SASL response): byte for byte.
    fn client_raw(&mut self, rfc: &str) {
        assert_eq!(sent(&mut self.s), format!("{rfc}\r\n"));
    }

    /// The RFC's server lines, one per `\n` (a line the RFC breaks "for editorial clarity" is
    /// given joined), the RFC's tags replaced by ours, fed at once.
    fn server(&mut self, rfc: &str) -> Vec<SessionEvent> {
        let mut wire = String::new();
        for line in rfc.split('\n') {
            let line = match line.split_once(' ') {
                Some((tag, rest)) if self.tags.iter().any(|(t, _)| *t == tag) => {
                    format!("{} {rest}", self.ours(tag))
                }
                _ => line.to_owned(),
            };
            wire.push_str(&line);
            wire.push_str("\r\n");
        }
        feed(&mut self.s, &wire)
    }
}

/// The one completion in `events`, which must be that of command `id`.
fn completion_of(events: &[SessionEvent], id: CommandId) -> &CommandOutcome {
    let done: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            SessionEvent::Completed { id, outcome } => Some((*id, outcome)),
            _ => None,
        })
        .collect();
    match done.as_slice() {
        [(i, outcome)] if *i == id => outcome,
        other => panic!("expected the completion of {id:?} alone: {other:?}"),
    }
}

/// The address `("name" NIL "mailbox" "host")`.
fn address(name: Option<&str>, mailbox: &str, host: &str) -> crate::types::response::Address {
    crate::types::response::Address {
        name: name.map(str::to_owned),
        adl: None,
        mailbox: Some(mailbox.to_owned()),
        host: Some(host.to_owned()),
    }
}

/// Message 12 of the RFC 3501 and RFC 9051 examples as `FETCH 12 FULL` returns it (the RFCs
/// differ in the subject and in one character of the Message-ID).
fn rfc_message_12(subject: &str, message_id: &str) -> FetchResponse {
    use crate::types::response::{
        BodyExtension, BodyFields, BodyStructure, Envelope, SinglePart, SinglePartKind,
    };
    let gray = vec![address(Some("Terry Gray"), "gray", "cac.washington.edu")];
    FetchResponse {
        seq: 12,
        flags: Some(vec![Flag::Seen]),
        internal_date: Some(crate::types::ServerDateTime::Valid(
            crate::types::ImapDateTime::parse("17-Jul-1996 02:44:25 -0700").expect("date"),
        )),
        rfc822_size: Some(4286),
        envelope: Some(Box::new(Envelope {
            date: Some("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)".into()),
            subject: Some(subject.into()),
            from: gray.clone(),
            sender: gray.clone(),
            reply_to: gray,
            to: vec![address(None, "imap", "cac.washington.edu")],
            cc: vec![
                address(None, "minutes", "CNRI.Reston.VA.US"),
                address(Some("John Klensin"), "KLENSIN", "MIT.EDU"),
            ],
            bcc: vec![],
            in_reply_to: None,
            message_id: Some(message_id.into()),
        })),
        body_structure: Some(Box::new(BodyStructure::Single(SinglePart {
            kind: SinglePartKind::Text {
                subtype: "PLAIN".into(),
                lines: 92,
            },
            fields: BodyFields {
                params: vec![("CHARSET".into(), "US-ASCII".into())],
                id: None,
                description: None,
                encoding: "7BIT".into(),
                octets: 3028,
            },
            md5: None,
            extension: BodyExtension::default(),
        }))),
        ..FetchResponse::default()
    }
}

/// The 342-byte header of message 12 in the RFC 3501 and RFC 9051 examples.
fn rfc_header_12(rev: &str) -> String {
    format!(
        "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n\
         From: Terry Gray <gray@cac.washington.edu>\r\n\
         Subject: IMAP4{rev} WG mtg summary and minutes\r\n\
         To: imap@cac.washington.edu\r\n\
         cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n\
         Message-Id: <B27397-0100000@cac.washington.edu>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n"
    )
}

/// Feeds the RFC's `a004 fetch 12 body[header]` exchange (after the client line) and checks
/// that the command got exactly the header.
fn replay_fetch_header(r: &mut Replay, id: CommandId, rev: &str) {
    let header = rfc_header_12(rev);
    assert_eq!(header.len(), 342, "the RFC's literal is {{342}}");
    let events = r.server(&format!(
        "* 12 FETCH (BODY[HEADER] {{342}}\n{})\na004 OK FETCH completed",
        header.replace("\r\n", "\n")
    ));
    let outcome = completion_of(&events, id);
    assert_eq!(events.len(), 1, "{events:?}");
    let [ServerData::Fetch(f)] = outcome.data.as_slice() else {
        panic!("one FETCH: {:?}", outcome.data)
    };
    assert_eq!(f.section(b"HEADER"), Some(header.as_bytes()));
    let mut rest = f.clone();
    rest.body_sections.clear();
    assert_eq!(
        rest,
        FetchResponse {
            seq: 12,
            ..FetchResponse::default()
        }
    );
}

/// RFC 3501 §8 replayed as written: every client and server line of the example, its tags
/// a001…a006 standing for our A1…A6.
#[test]
fn rfc3501_section8_trace() {
    let mut s = Session::default();
    let events = feed(&mut s, "* OK IMAP4rev1 Service Ready\r\n");
    assert!(
        matches!(&events[..], [SessionEvent::Greeting { text, .. }] if text == "IMAP4rev1 Service Ready"),
        "{events:?}"
    );
    assert_eq!(s.state(), &ConnectionState::NotAuthenticated);
    let mut r = Replay {
        s,
        tags: &[
            ("a001", "A1"),
            ("a002", "A2"),
            ("a003", "A3"),
            ("a004", "A4"),
            ("a005", "A5"),
            ("a006", "A6"),
        ],
    };

    let id =
        r.s.submit(login("mrc", "secret"), DataMode::Collect)
            .unwrap();
    r.client("a001 login mrc secret", "A1 LOGIN mrc secret");
    let events = r.server("a001 OK LOGIN completed");
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(completion_of(&events, id).text, "LOGIN completed");
    assert_eq!(r.s.state(), &ConnectionState::Authenticated);

    let id = r.s.submit(select("inbox"), DataMode::Collect).unwrap();
    r.client("a002 select inbox", "A2 SELECT INBOX");
    let events = r.server(
        "* 18 EXISTS\n\
         * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\n\
         * 2 RECENT\n\
         * OK [UNSEEN 17] Message 17 is the first unseen message\n\
         * OK [UIDVALIDITY 3857529045] UIDs valid\n\
         a002 OK [READ-WRITE] SELECT completed",
    );
    assert_eq!(
        events.len(),
        1,
        "all SELECT data is the command's: {events:?}"
    );
    let outcome = completion_of(&events, id);
    assert_eq!(outcome.code, Some(ResponseCode::ReadWrite));
    assert_eq!(outcome.text, "SELECT completed");
    assert_eq!(
        outcome.data,
        vec![
            ServerData::Exists(18),
            ServerData::Flags(vec![
                Flag::Answered,
                Flag::Flagged,
                Flag::Deleted,
                Flag::Seen,
                Flag::Draft
            ]),
            ServerData::Recent(2),
            ServerData::Code {
                code: ResponseCode::Unseen(17),
                text: "Message 17 is the first unseen message".into()
            },
            ServerData::Code {
                code: ResponseCode::UidValidity(3_857_529_045),
                text: "UIDs valid".into()
            },
        ]
    );
    assert_eq!(
        r.s.state(),
        &ConnectionState::Selected {
            mailbox: mailbox("INBOX"),
            read_only: false
        }
    );

    let id =
        r.s.submit(fetch("12", vec![FetchAttr::Full]), DataMode::Collect)
            .unwrap();
    r.client("a003 fetch 12 full", "A3 FETCH 12 FULL");
    // The RFC breaks this line in ten places for editorial clarity: a space at each break,
    // except between the two addresses of the Cc list, which the grammar writes adjacent.
    let events = r.server(
        "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" \
         RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \
         \"IMAP4rev1 WG mtg summary and minutes\" \
         ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
         ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
         ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
         ((NIL NIL \"imap\" \"cac.washington.edu\")) \
         ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")\
         (\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \
         \"<B27397-0100000@cac.washington.edu>\") \
         BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 \
         92))\n\
         a003 OK FETCH completed",
    );
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(
        completion_of(&events, id).data,
        vec![ServerData::Fetch(rfc_message_12(
            "IMAP4rev1 WG mtg summary and minutes",
            "<B27397-0100000@cac.washington.edu>"
        ))]
    );

    let id =
        r.s.submit(
            fetch(
                "12",
                vec![FetchAttr::BodySection {
                    section: crate::types::Section::header(),
                    partial: None,
                    peek: false,
                }],
            ),
            DataMode::Collect,
        )
        .unwrap();
    r.client("a004 fetch 12 body[header]", "A4 FETCH 12 BODY[HEADER]");
    replay_fetch_header(&mut r, id, "rev1");

    let id =
        r.s.submit(
            CommandBody::Store {
                uid: false,
                set: set("12"),
                kind: StoreKind::Add,
                silent: false,
                flags: vec![Flag::Deleted],
                unchanged_since: None,
            },
            DataMode::Collect,
        )
        .unwrap();
    r.client(
        "a005 store 12 +flags \\deleted",
        "A5 STORE 12 +FLAGS (\\Deleted)",
    );
    let events = r.server("* 12 FETCH (FLAGS (\\Seen \\Deleted))\na005 OK +FLAGS completed");
    assert_eq!(
        events.len(),
        1,
        "the flag change is the STORE's: {events:?}"
    );
    assert_eq!(
        completion_of(&events, id).data,
        vec![ServerData::Fetch(FetchResponse {
            seq: 12,
            flags: Some(vec![Flag::Seen, Flag::Deleted]),
            ..FetchResponse::default()
        })]
    );

    let id = r.s.submit(CommandBody::Logout, DataMode::Collect).unwrap();
    r.client("a006 logout", "A6 LOGOUT");
    let events =
        r.server("* BYE IMAP4rev1 server terminating connection\na006 OK LOGOUT completed");
    assert!(
        matches!(
            &events[0],
            SessionEvent::Unsolicited(TypedEvent::Bye { code: None, text }) if text == "IMAP4rev1 server terminating connection"
        ),
        "{events:?}"
    );
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(completion_of(&events, id).completion, Completion::Ok);
    assert_eq!(r.s.state(), &ConnectionState::Logout);
    assert!(matches!(
        r.s.submit(CommandBody::Noop, DataMode::Collect),
        Err(ProtoError::Closed)
    ));
    assert_eq!(r.s.in_flight(), 0);
}

/// RFC 9051 §8 replayed as written: STARTTLS (the TLS handshake is the transport's: the
/// session is told the transport changed), AUTHENTICATE SCRAM-SHA-256 with the RFC's (RFC 7677)
/// messages scripted as our SASL client's answers, ENABLE IMAP4rev2, then the RFC 3501 session
/// under rev2 rules. The RFC's tags a000, A001, babc, a002…a006 stand for our A1…A8.
///
/// One line differs, and must: the RFC's client sends its AUTHENTICATE initial response on the
/// command line (SASL-IR, part of IMAP4rev2), but the session forgot every capability at
/// STARTTLS (RFC 9051 §6.2.1: the client MUST discard them), so it does not know SASL-IR and
/// sends the initial response after the server's empty `+` instead — one server line the RFC
/// does not have.
#[test]
fn rfc9051_section8_trace() {
    // The greeting says LOGINDISABLED: LOGIN is refused before anything is written.
    let mut refused = greeted(
        "* OK [CAPABILITY STARTTLS AUTH=SCRAM-SHA-256 LOGINDISABLED IMAP4rev2] IMAP4rev2 Service Ready\r\n",
    );
    assert!(matches!(
        refused.submit(login("u", "p"), DataMode::Collect),
        Err(ProtoError::Unsupported(_))
    ));
    assert_eq!(
        sent(&mut refused),
        "",
        "nothing is sent for a refused LOGIN"
    );

    let mut s = Session::default();
    // The RFC breaks the greeting after LOGINDISABLED for editorial clarity.
    let events = feed(
        &mut s,
        "* OK [CAPABILITY STARTTLS AUTH=SCRAM-SHA-256 LOGINDISABLED IMAP4rev2] IMAP4rev2 Service Ready\r\n",
    );
    assert!(
        matches!(&events[..], [SessionEvent::Greeting { .. }]),
        "{events:?}"
    );
    assert!(s.capabilities().imap4rev2());
    assert!(s.capabilities().login_disabled());
    let mut r = Replay {
        s,
        tags: &[
            ("a000", "A1"),
            ("A001", "A2"),
            ("babc", "A3"),
            ("a002", "A4"),
            ("a003", "A5"),
            ("a004", "A6"),
            ("a005", "A7"),
            ("a006", "A8"),
        ],
    };

    let id =
        r.s.submit(CommandBody::StartTls, DataMode::Collect)
            .unwrap();
    r.client("a000 starttls", "A1 STARTTLS");
    let events = r.server("a000 OK Proceed with TLS negotiation");
    assert_eq!(
        completion_of(&events, id).text,
        "Proceed with TLS negotiation"
    );
    assert!(
        matches!(events.last(), Some(SessionEvent::StartTls { id: i, discarded: 0 }) if *i == id),
        "{events:?}"
    );
    assert!(
        r.s.capabilities().is_empty(),
        "pre-TLS capabilities are forgotten"
    );
    // <TLS negotiation>
    r.s.transport_changed();

    let id =
        r.s.submit(
            CommandBody::Authenticate {
                mechanism: AuthMechanism::ScramSha256,
                initial_response: Some(Secret::new(b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO".to_vec())),
            },
            DataMode::Collect,
        )
        .unwrap();
    // The RFC: `A001 AUTHENTICATE SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=`
    // (the deviation explained above).
    assert_eq!(sent(&mut r.s), "A2 AUTHENTICATE SCRAM-SHA-256\r\n");
    assert!(
        r.server("+ ").is_empty(),
        "the empty challenge asks for the initial response"
    );
    r.client_raw("biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=");
    let events = r.server(
        "+ cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTY=",
    );
    assert!(
        matches!(&events[..], [SessionEvent::AuthChallenge { id: i, challenge }]
            if *i == id && challenge.as_slice() == b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"),
        "{events:?}"
    );
    r.s.authenticate_respond(
        id,
        b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    )
    .unwrap();
    r.client_raw(
        "Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0FmdXhGSWxqKWhObEYkazAscD1kSHpiWmFwV0lrNGpVaE4rVXRlOXl0YWc5empmTUhnc3FtbWl6N0FuZFZRPQ==",
    );
    let events = r.server("+ dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0PQ==");
    assert!(
        matches!(&events[..], [SessionEvent::AuthChallenge { id: i, challenge }]
            if *i == id && challenge.as_slice() == b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="),
        "{events:?}"
    );
    r.s.authenticate_respond(id, b"").unwrap();
    r.client_raw("");
    let events = r.server("A001 OK SCRAM-SHA-256 authentication successful");
    assert_eq!(
        completion_of(&events, id).text,
        "SCRAM-SHA-256 authentication successful"
    );
    assert_eq!(r.s.state(), &ConnectionState::Authenticated);

    let id =
        r.s.submit(
            CommandBody::Enable(vec![crate::types::ImapAtom::new("IMAP4rev2").unwrap()]),
            DataMode::Collect,
        )
        .unwrap();
    r.client("babc ENABLE IMAP4rev2", "A3 ENABLE IMAP4rev2");
    let events = r.server("* ENABLED IMAP4rev2\nbabc OK Some capabilities enabled");
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(
        completion_of(&events, id).data,
        vec![ServerData::Enabled(vec!["IMAP4rev2".into()])]
    );
    assert!(r.s.utf8(), "IMAP4rev2 enabled means UTF-8 names");

    let id = r.s.submit(select("inbox"), DataMode::Collect).unwrap();
    r.client("a002 select inbox", "A4 SELECT INBOX");
    let events = r.server(
        "* 18 EXISTS\n\
         * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\n\
         * OK [UIDVALIDITY 3857529045] UIDs valid\n\
         * LIST () \"/\" INBOX (\"OLDNAME\" (\"inbox\"))\n\
         a002 OK [READ-WRITE] SELECT completed",
    );
    // The rev2 LIST inside SELECT (the mailbox's canonical name) belongs to SELECT: it is not
    // news about a mailbox, so it must not surface as an event.
    assert_eq!(
        events.len(),
        1,
        "all SELECT data is the command's: {events:?}"
    );
    let outcome = completion_of(&events, id);
    assert_eq!(outcome.code, Some(ResponseCode::ReadWrite));
    let [
        ServerData::Exists(18),
        ServerData::Flags(flags),
        ServerData::Code {
            code: ResponseCode::UidValidity(3_857_529_045),
            ..
        },
        ServerData::List(list),
    ] = outcome.data.as_slice()
    else {
        panic!("EXISTS, FLAGS, UIDVALIDITY and LIST: {:?}", outcome.data)
    };
    assert_eq!(flags.len(), 5);
    assert_eq!(list.name, MailboxName::inbox());
    assert!(list.attributes.is_empty());
    assert_eq!(list.delimiter, Some('/'));
    assert_eq!(list.old_name, Some(mailbox("inbox")));
    assert_eq!(
        r.s.state(),
        &ConnectionState::Selected {
            mailbox: mailbox("INBOX"),
            read_only: false
        }
    );

    let id =
        r.s.submit(fetch("12", vec![FetchAttr::Full]), DataMode::Collect)
            .unwrap();
    r.client("a003 fetch 12 full", "A5 FETCH 12 FULL");
    // Broken in eleven places in the RFC: a space at each break, none inside `ENVELOPE (` and
    // between the Cc addresses. The Message-ID's `.ed>` is the RFC's.
    let events = r.server(
        "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \
         \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 ENVELOPE (\
         \"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \
         \"IMAP4rev2 WG mtg summary and minutes\" \
         ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
         ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
         ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
         ((NIL NIL \"imap\" \"cac.washington.edu\")) \
         ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")\
         (\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \
         \"<B27397-0100000@cac.washington.ed>\") \
         BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" \
         3028 92))\n\
         a003 OK FETCH completed",
    );
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(
        completion_of(&events, id).data,
        vec![ServerData::Fetch(rfc_message_12(
            "IMAP4rev2 WG mtg summary and minutes",
            "<B27397-0100000@cac.washington.ed>"
        ))]
    );

    let id =
        r.s.submit(
            fetch(
                "12",
                vec![FetchAttr::BodySection {
                    section: crate::types::Section::header(),
                    partial: None,
                    peek: false,
                }],
            ),
            DataMode::Collect,
        )
        .unwrap();
    r.client("a004 fetch 12 body[header]", "A6 FETCH 12 BODY[HEADER]");
    replay_fetch_header(&mut r, id, "rev2");

    let id =
        r.s.submit(
            CommandBody::Store {
                uid: false,
                set: set("12"),
                kind: StoreKind::Add,
                silent: false,
                flags: vec![Flag::Deleted],
                unchanged_since: None,
            },
            DataMode::Collect,
        )
        .unwrap();
    r.client(
        "a005 store 12 +flags \\deleted",
        "A7 STORE 12 +FLAGS (\\Deleted)",
    );
    let events = r.server("* 12 FETCH (FLAGS (\\Seen \\Deleted))\na005 OK +FLAGS completed");
    assert_eq!(
        events.len(),
        1,
        "the flag change is the STORE's: {events:?}"
    );
    assert_eq!(
        completion_of(&events, id).data,
        vec![ServerData::Fetch(FetchResponse {
            seq: 12,
            flags: Some(vec![Flag::Seen, Flag::Deleted]),
            ..FetchResponse::default()
        })]
    );

    let id = r.s.submit(CommandBody::Logout, DataMode::Collect).unwrap();
    r.client("a006 logout", "A8 LOGOUT");
    let events =
        r.server("* BYE IMAP4rev2 server terminating connection\na006 OK LOGOUT completed");
    assert!(
        matches!(
            &events[0],
            SessionEvent::Unsolicited(TypedEvent::Bye { code: None, text }) if text == "IMAP4rev2 server terminating connection"
        ),
        "{events:?}"
    );
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(completion_of(&events, id).completion, Completion::Ok);
    assert_eq!(r.s.state(), &ConnectionState::Logout);
    assert_eq!(r.s.in_flight(), 0);
}

/// Eight commands of seven kinds in flight at once (one write). The server answers them out of
/// order, their data interleaved with each other's and with unsolicited data — an EXPUNGE (UID
/// commands may see one, RFC 3501 §7.4.1), a flag change without UID for a message whose
/// number is in the UID FETCH's set, an EXISTS — in the middle: each command gets exactly its
/// own data, the unsolicited data become events, in the order they came.
#[test]
fn eight_pipelined_commands_get_their_own_data() {
    use crate::types::ListPattern;
    let mut s = greeted("* PREAUTH [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n");
    s.submit(select("INBOX"), DataMode::Collect).unwrap();
    sent(&mut s);
    feed(&mut s, "* 40 EXISTS\r\nA1 OK [READ-WRITE] done\r\n");

    let status = |name: &str| CommandBody::Status {
        mailbox: mailbox(name),
        attrs: vec![StatusAttr::Messages, StatusAttr::Unseen],
    };
    let commands = vec![
        CommandBody::Fetch {
            uid: true,
            set: set("1:3"),
            attrs: vec![FetchAttr::Uid, FetchAttr::Flags],
            changed_since: None,
            vanished: false,
        },
        CommandBody::Search {
            uid: true,
            charset: None,
            criteria: SearchKey::Flagged,
            return_options: None,
        },
        status("Drafts"),
        status("Sent"),
        CommandBody::Lsub {
            reference: ListPattern::new("").unwrap(),
            pattern: ListPattern::new("*").unwrap(),
        },
        CommandBody::Capability,
        CommandBody::Namespace,
        CommandBody::Noop,
    ];
    let ids: Vec<CommandId> = commands
        .into_iter()
        .map(|c| s.submit(c, DataMode::Collect).unwrap())
        .collect();
    let [
        fetch,
        search,
        drafts,
        sent_box,
        lsub,
        capability,
        namespace,
        noop,
    ] = ids[..]
    else {
        unreachable!("eight ids")
    };
    assert_eq!(
        sent(&mut s),
        "A2 UID FETCH 1:3 (UID FLAGS)\r\n\
         A3 UID SEARCH FLAGGED\r\n\
         A4 STATUS Drafts (MESSAGES UNSEEN)\r\n\
         A5 STATUS Sent (MESSAGES UNSEEN)\r\n\
         A6 LSUB \"\" *\r\n\
         A7 CAPABILITY\r\n\
         A8 NAMESPACE\r\n\
         A9 NOOP\r\n",
        "all eight leave in one write"
    );

    let events = feed(
        &mut s,
        "* STATUS Sent (MESSAGES 5 UNSEEN 1)\r\n\
         * 2 FETCH (UID 2 FLAGS (\\Seen))\r\n\
         * LSUB () \"/\" Work\r\n\
         * CAPABILITY IMAP4rev1 LITERAL+ NAMESPACE\r\n\
         A7 OK CAPABILITY completed\r\n\
         * 5 EXPUNGE\r\n\
         * SEARCH 4 7\r\n\
         * 1 FETCH (UID 1 FLAGS ())\r\n\
         * 3 FETCH (FLAGS (\\Deleted))\r\n\
         * STATUS Drafts (MESSAGES 2 UNSEEN 0)\r\n\
         A5 OK STATUS completed\r\n\
         * NAMESPACE ((\"\" \"/\")) NIL NIL\r\n\
         A4 OK STATUS completed\r\n\
         * LSUB () \"/\" Archive\r\n\
         * 39 EXISTS\r\n\
         A9 OK NOOP completed\r\n\
         A6 OK LSUB completed\r\n\
         A8 OK NAMESPACE completed\r\n\
         * 3 FETCH (UID 3 FLAGS (\\Answered))\r\n\
         A3 OK SEARCH completed\r\n\
         A2 OK FETCH completed\r\n",
    );

    // The order of everything the session reported: completions as their tagged replies came,
    // unsolicited data where it came.
    let order: Vec<String> = events
        .iter()
        .map(|e| match e {
            SessionEvent::Completed { id, .. } => {
                let i = ids.iter().position(|x| x == id).expect("one of ours");
                format!("A{}", i + 2)
            }
            SessionEvent::Unsolicited(TypedEvent::Expunge(n)) => format!("expunge {n}"),
            SessionEvent::Unsolicited(TypedEvent::Exists(n)) => format!("exists {n}"),
            SessionEvent::Unsolicited(TypedEvent::Fetch(f)) => format!("fetch {}", f.seq),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        order,
        [
            "A7",
            "expunge 5",
            "fetch 3",
            "A5",
            "A4",
            "exists 39",
            "A9",
            "A6",
            "A8",
            "A3",
            "A2"
        ]
    );
    let unsolicited_fetch = events
        .iter()
        .find_map(|e| match e {
            SessionEvent::Unsolicited(TypedEvent::Fetch(f)) => Some(f),
            _ => None,
        })
        .expect("the flag change without UID");
    assert_eq!(
        *unsolicited_fetch,
        FetchResponse {
            seq: 3,
            flags: Some(vec![Flag::Deleted]),
            ..FetchResponse::default()
        }
    );

    let data = |id: CommandId| -> &Vec<ServerData> {
        events
            .iter()
            .find_map(|e| match e {
                SessionEvent::Completed { id: i, outcome } if *i == id => {
                    assert_eq!(outcome.completion, Completion::Ok);
                    Some(&outcome.data)
                }
                _ => None,
            })
            .expect("completed")
    };
    let fetched = |seq: u32, flags: Vec<Flag>| {
        ServerData::Fetch(FetchResponse {
            seq,
            uid: Some(seq),
            flags: Some(flags),
            ..FetchResponse::default()
        })
    };
    assert_eq!(
        data(fetch),
        &vec![
            fetched(2, vec![Flag::Seen]),
            fetched(1, vec![]),
            fetched(3, vec![Flag::Answered]),
        ]
    );
    assert_eq!(
        data(search),
        &vec![ServerData::Search {
            ids: vec![4, 7],
            modseq: None
        }]
    );
    let status_of = |id: CommandId| -> (String, Option<u32>, Option<u32>) {
        let [ServerData::Status(st)] = data(id).as_slice() else {
            panic!("one STATUS: {:?}", data(id))
        };
        (
            st.mailbox.as_ref().expect("name").as_str().to_owned(),
            st.messages,
            st.unseen,
        )
    };
    assert_eq!(status_of(drafts), ("Drafts".into(), Some(2), Some(0)));
    assert_eq!(status_of(sent_box), ("Sent".into(), Some(5), Some(1)));
    let names: Vec<&str> = data(lsub)
        .iter()
        .map(|d| match d {
            ServerData::Lsub(info) => info.name.as_str(),
            other => panic!("LSUB data only: {other:?}"),
        })
        .collect();
    assert_eq!(names, ["Work", "Archive"]);
    assert_eq!(
        data(capability),
        &vec![ServerData::Capability(vec![
            "IMAP4rev1".into(),
            "LITERAL+".into(),
            "NAMESPACE".into()
        ])]
    );
    let [ServerData::Namespace(ns)] = data(namespace).as_slice() else {
        panic!("one NAMESPACE: {:?}", data(namespace))
    };
    assert_eq!(
        ns.personal
            .iter()
            .map(|n| (n.prefix.as_str(), n.delimiter))
            .collect::<Vec<_>>(),
        [("", Some('/'))]
    );
    assert!(ns.other.is_empty() && ns.shared.is_empty());
    assert_eq!(
        data(noop),
        &vec![],
        "NOOP claims nothing: EXISTS is an event"
    );
    assert_eq!(s.in_flight(), 0);
}

/// Pipelined STATUS commands get their data by mailbox name: a server answering out of order
/// (or a NOTIFY STATUS for another mailbox arriving meanwhile) cannot mix them up.
#[test]
fn pipelined_status_is_routed_by_mailbox_name_not_order() {
    let mut s = greeted("* PREAUTH ready\r\n");
    let status = |name: &str| CommandBody::Status {
        mailbox: mailbox(name),
        attrs: vec![StatusAttr::Messages],
    };
    let inbox = s.submit(status("INBOX"), DataMode::Collect).unwrap();
    let drafts = s.submit(status("Drafts"), DataMode::Collect).unwrap();
    let utf = s.submit(status("Entwürfe"), DataMode::Collect).unwrap();
    let wire = sent(&mut s);
    assert!(
        wire.contains("A3 STATUS Entw&APw-rfe (MESSAGES)\r\n"),
        "{wire}"
    );
    let events = feed(
        &mut s,
        concat!(
            "* STATUS Entw&APw-rfe (MESSAGES 3)\r\n",
            "* STATUS Drafts (MESSAGES 2)\r\n",
            "* STATUS Other (MESSAGES 9)\r\n",
            "* STATUS inbox (MESSAGES 1)\r\n",
            "A3 OK done\r\n",
            "A2 OK done\r\n",
            "A1 OK done\r\n",
        ),
    );
    let mut got = Vec::new();
    for e in &events {
        match e {
            SessionEvent::Completed { id, outcome } => {
                let [ServerData::Status(st)] = outcome.data.as_slice() else {
                    panic!("one STATUS per command: {outcome:?}")
                };
                got.push((*id, st.mailbox.clone().unwrap(), st.messages));
            }
            SessionEvent::Unsolicited(TypedEvent::Status { .. }) => {}
            _ => {}
        }
    }
    assert_eq!(
        got,
        vec![
            (utf, mailbox("Entwürfe"), Some(3)),
            (drafts, mailbox("Drafts"), Some(2)),
            (inbox, MailboxName::inbox(), Some(1)),
        ]
    );
    // The STATUS of a mailbox nobody asked about is an event, not a command's result.
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, SessionEvent::Unsolicited(_)))
            .count(),
        1,
        "{events:?}"
    );
}

/// Two FETCHes could not tell their data apart (RFC 3501 §5.5): the second waits until the
/// first completed. FETCH data for messages outside a command's set is not that command's.
#[test]
fn conflicting_fetches_are_serialised_and_claim_only_their_own_messages() {
    let mut s = greeted("* PREAUTH ready\r\n");
    let a = s
        .submit(fetch("1:2", vec![FetchAttr::Flags]), DataMode::Collect)
        .unwrap();
    let b = s
        .submit(fetch("5", vec![FetchAttr::Flags]), DataMode::Collect)
        .unwrap();
    let n = s.submit(CommandBody::Noop, DataMode::Collect).unwrap();
    assert_eq!(
        sent(&mut s),
        "A1 FETCH 1:2 FLAGS\r\n",
        "B and what follows wait for A"
    );
    let events = feed(
        &mut s,
        "* 9 FETCH (FLAGS (\\Deleted))\r\n* 1 FETCH (FLAGS (\\Seen))\r\n* 2 FETCH (FLAGS ())\r\nA1 OK done\r\n",
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, SessionEvent::Unsolicited(TypedEvent::Fetch(f)) if f.seq == 9))
    );
    let [.., SessionEvent::Completed { id, outcome }] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert_eq!(*id, a);
    assert_eq!(outcome.data.len(), 2);
    assert_eq!(sent(&mut s), "A2 FETCH 5 FLAGS\r\nA3 NOOP\r\n");
    let events = feed(
        &mut s,
        "* 5 FETCH (FLAGS ())\r\nA3 OK noop\r\nA2 OK done\r\n",
    );
    let ids: Vec<CommandId> = events
        .iter()
        .filter_map(|e| match e {
            SessionEvent::Completed { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
    assert_eq!(ids, vec![n, b]);
    let SessionEvent::Completed { outcome, .. } = &events[1] else {
        panic!()
    };
    assert_eq!(outcome.data.len(), 1);
}

#[test]
fn commands_claiming_different_data_still_pipeline() {
    let mut s = greeted("* PREAUTH ready\r\n");
    s.submit(fetch("1", vec![FetchAttr::Flags]), DataMode::Collect)
        .unwrap();
    s.submit(
        CommandBody::Status {
            mailbox: mailbox("Drafts"),
            attrs: vec![StatusAttr::Messages],
        },
        DataMode::Collect,
    )
    .unwrap();
    s.submit(CommandBody::Noop, DataMode::Collect).unwrap();
    assert_eq!(
        sent(&mut s),
        "A1 FETCH 1 FLAGS\r\nA2 STATUS Drafts (MESSAGES)\r\nA3 NOOP\r\n"
    );
}

#[test]
fn streaming_mode_hands_out_each_fetch() {
    let mut s = greeted("* PREAUTH ready\r\n");
    let id = s
        .submit(fetch("1:*", vec![FetchAttr::Uid]), DataMode::Stream)
        .unwrap();
    sent(&mut s);
    s.handle_input(b"* 1 FETCH (UID 10)\r\n* 2 FETCH (UID 11)\r\n");
    // One response is parsed per poll: a driver that stops polling stops parsing.
    assert!(
        matches!(s.poll_event(), Some(SessionEvent::Fetch { id: i, fetch }) if i == id && fetch.uid == Some(10))
    );
    assert!(
        matches!(s.poll_event(), Some(SessionEvent::Fetch { fetch, .. }) if fetch.uid == Some(11))
    );
    assert!(s.poll_event().is_none());
    let events = feed(&mut s, "A1 OK done\r\n");
    assert!(completed(&events).data.is_empty());
}

#[test]
fn synchronising_literal_waits_for_continuation() {
    let mut s = greeted("* OK [CAPABILITY IMAP4rev1] ready\r\n");
    s.submit(login("user name", "p\"w"), DataMode::Collect)
        .unwrap();
    let first = sent(&mut s);
    assert_eq!(first, "A1 LOGIN \"user name\" \"p\\\"w\"\r\n");

    let mut s = greeted("* OK [CAPABILITY IMAP4rev1] ready\r\n");
    let pass = "pässword";
    s.submit(login("u", pass), DataMode::Collect).unwrap();
    s.submit(CommandBody::Noop, DataMode::Collect).unwrap();
    assert_eq!(sent(&mut s), format!("A1 LOGIN u {{{}}}\r\n", pass.len()));
    assert_eq!(sent(&mut s), "", "nothing more before the server's +");
    assert!(feed(&mut s, "+ go ahead\r\n").is_empty());
    assert_eq!(sent(&mut s), format!("{pass}\r\nA2 NOOP\r\n"));
}

#[test]
fn refused_literal_completes_the_command_and_unblocks_the_queue() {
    let mut s = greeted("* OK [CAPABILITY IMAP4rev1] ready\r\n");
    let id = s.submit(login("u", "pässword"), DataMode::Collect).unwrap();
    s.submit(CommandBody::Noop, DataMode::Collect).unwrap();
    sent(&mut s);
    let events = feed(
        &mut s,
        "A1 NO [AUTHENTICATIONFAILED] no literals for you\r\n",
    );
    assert!(
        matches!(&events[0], SessionEvent::Completed { id: i, outcome } if *i == id
        && outcome.completion == Completion::No
        && outcome.code == Some(ResponseCode::AuthenticationFailed))
    );
    assert_eq!(sent(&mut s), "A2 NOOP\r\n");
}

#[test]
fn literal_plus_needs_no_continuation() {
    let mut s = greeted("* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n");
    s.submit(login("u", "pässword"), DataMode::Collect).unwrap();
    assert_eq!(
        sent(&mut s),
        format!("A1 LOGIN u {{{}+}}\r\npässword\r\n", "pässword".len())
    );
}

#[test]
fn idle_flow_sends_done_after_acceptance() {
    let mut s = greeted("* PREAUTH [CAPABILITY IMAP4rev1 IDLE] ready\r\n");
    let id = s.submit(CommandBody::Idle, DataMode::Collect).unwrap();
    s.submit(CommandBody::Noop, DataMode::Collect).unwrap();
    assert_eq!(sent(&mut s), "A1 IDLE\r\n");
    let events = feed(&mut s, "+ idling\r\n* 4 EXISTS\r\n");
    assert!(matches!(events[0], SessionEvent::IdleAccepted { id: i } if i == id));
    assert!(matches!(
        events[1],
        SessionEvent::Unsolicited(TypedEvent::Exists(4))
    ));
    assert!(s.is_idling());
    assert_eq!(sent(&mut s), "", "nothing is written while idling");
    assert!(s.idle_done(id));
    assert_eq!(sent(&mut s), "DONE\r\nA2 NOOP\r\n");
    assert!(!s.is_idling(), "DONE is sent");
    let events = feed(&mut s, "A1 OK IDLE terminated\r\nA2 OK NOOP\r\n");
    assert_eq!(events.len(), 2);
}

#[test]
fn idle_done_is_only_for_an_idle_in_flight() {
    let mut s = greeted("* PREAUTH [CAPABILITY IMAP4rev1 IDLE] ready\r\n");
    let noop = s.submit(CommandBody::Noop, DataMode::Collect).unwrap();
    assert!(!s.idle_done(noop), "NOOP is not an IDLE");
    assert_eq!(sent(&mut s), "A1 NOOP\r\n", "no DONE");
}

#[test]
fn pending_output_until_everything_is_written() {
    let mut s = greeted("* PREAUTH [CAPABILITY IMAP4rev1] ready\r\n");
    assert!(!s.has_pending_output());
    s.submit(CommandBody::Noop, DataMode::Collect).unwrap();
    assert!(s.has_pending_output());
    sent(&mut s);
    assert!(!s.has_pending_output());
}

#[test]
fn the_receive_buffer_is_compacted_as_responses_are_handled() {
    let mut s = greeted("* PREAUTH [CAPABILITY IMAP4rev1] ready\r\n");
    for _ in 0..1000 {
        feed(&mut s, "* 1 EXISTS\r\n");
    }
    feed(&mut s, "* 2 EXI");
    assert!(
        s.rx.len() < 64,
        "handled responses are dropped from the buffer: {} bytes kept",
        s.rx.len()
    );
    assert_eq!(s.buffered_input(), 7);
}

#[test]
fn a_preauth_greeting_authenticates() {
    let mut s = Session::default();
    let events = feed(
        &mut s,
        "* PREAUTH [CAPABILITY IMAP4rev1] logged in as bob\r\n",
    );
    assert!(
        matches!(
            events[..],
            [SessionEvent::Greeting {
                kind: GreetingKind::PreAuth,
                ..
            }]
        ),
        "{events:?}"
    );
    assert_eq!(s.state(), &ConnectionState::Authenticated);
    let ok = greeted("* OK [CAPABILITY IMAP4rev1] ready\r\n");
    assert_eq!(ok.state(), &ConnectionState::NotAuthenticated);
}

#[test]
fn imap4rev2_implies_literal_minus() {
    // RFC 9051 §7.2.2: IMAP4rev2 includes LITERAL-, so a short literal needs no `+`.
    let mut s = greeted("* OK [CAPABILITY IMAP4rev2] ready\r\n");
    s.submit(login("bob", "pässwort"), DataMode::Collect)
        .unwrap();
    assert_eq!(
        sent(&mut s),
        "A1 LOGIN bob {9+}\r\npässwort\r\n",
        "sent whole, without waiting for a continuation"
    );
}

#[test]
fn idling_only_once_the_server_accepted() {
    let mut s = greeted("* PREAUTH [CAPABILITY IMAP4rev1 IDLE] ready\r\n");
    assert!(!s.is_idling());
    s.submit(CommandBody::Idle, DataMode::Collect).unwrap();
    assert_eq!(sent(&mut s), "A1 IDLE\r\n");
    assert!(!s.is_idling(), "sent, not accepted yet");
    feed(&mut s, "+ idling\r\n");
    assert!(s.is_idling());
}

#[test]
fn accessors_report_ids_enabled_extensions_and_buffered_input() {
    let mut s = greeted("* PREAUTH [CAPABILITY IMAP4rev1 ENABLE UTF8=ACCEPT] ready\r\n");
    assert!(!s.utf8() && !s.enabled().has("UTF8=ACCEPT"));
    let first = s.submit(CommandBody::Noop, DataMode::Collect).unwrap();
    let second = s.submit(CommandBody::Noop, DataMode::Collect).unwrap();
    assert_eq!((first.get(), second.get()), (1, 2), "numbered from 1");
    sent(&mut s);
    feed(&mut s, "A1 OK\r\nA2 OK\r\n");

    let utf8 = crate::types::ImapAtom::new("UTF8=ACCEPT").unwrap();
    s.submit(CommandBody::Enable(vec![utf8]), DataMode::Collect)
        .unwrap();
    sent(&mut s);
    feed(&mut s, "* ENABLED UTF8=ACCEPT\r\nA3 OK\r\n");
    assert!(s.enabled().has("UTF8=ACCEPT"));
    assert!(s.utf8());

    assert_eq!(s.buffered_input(), 0);
    assert!(feed(&mut s, "* 3 EXI").is_empty());
    assert_eq!(s.buffered_input(), 7, "the cut response waits");
    feed(&mut s, "STS\r\n");
    assert_eq!(s.buffered_input(), 0);
    // Between two events, handled bytes are not counted either.
    s.handle_input(b"* 4 EXISTS\r\n* 5 EXI");
    assert!(s.poll_event().is_some());
    assert_eq!(s.buffered_input(), 7);
}

#[test]
fn idle_done_before_acceptance_is_sent_when_accepted() {
    let mut s = greeted("* PREAUTH [CAPABILITY IMAP4rev1 IDLE] ready\r\n");
    let id = s.submit(CommandBody::Idle, DataMode::Collect).unwrap();
    sent(&mut s);
    assert!(s.idle_done(id));
    assert_eq!(sent(&mut s), "", "DONE must wait for the server's +");
    feed(&mut s, "+ idling\r\n");
    assert_eq!(sent(&mut s), "DONE\r\n");
}

#[test]
fn idle_needs_the_capability() {
    let mut s = greeted("* PREAUTH [CAPABILITY IMAP4rev1] ready\r\n");
    assert!(matches!(
        s.submit(CommandBody::Idle, DataMode::Collect),
        Err(ProtoError::Unsupported(_))
    ));
}

#[test]
fn authenticate_without_sasl_ir_sends_initial_response_after_first_challenge() {
    let mut s = greeted("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n");
    let id = s
        .submit(
            CommandBody::Authenticate {
                mechanism: AuthMechanism::Plain,
                initial_response: Some(Secret::new(b"\0user\0pass".to_vec())),
            },
            DataMode::Collect,
        )
        .unwrap();
    assert_eq!(sent(&mut s), "A1 AUTHENTICATE PLAIN\r\n");
    assert!(feed(&mut s, "+ \r\n").is_empty());
    assert_eq!(sent(&mut s), "AHVzZXIAcGFzcw==\r\n");
    let events = feed(&mut s, "A1 OK [CAPABILITY IMAP4rev1 IDLE] done\r\n");
    assert!(matches!(&events[0], SessionEvent::Completed { id: i, .. } if *i == id));
    assert!(s.capabilities().has("IDLE"));
    assert_eq!(s.state(), &ConnectionState::Authenticated);
}

#[test]
fn authenticate_challenges_are_decoded_and_answered() {
    let mut s = greeted("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] ready\r\n");
    let id = s
        .submit(
            CommandBody::Authenticate {
                mechanism: AuthMechanism::XOAuth2,
                initial_response: Some(Secret::new(b"token".to_vec())),
            },
            DataMode::Collect,
        )
        .unwrap();
    assert_eq!(sent(&mut s), "A1 AUTHENTICATE XOAUTH2 dG9rZW4=\r\n");
    // RFC 7628-style error challenge: base64 JSON; the client must answer with an empty line.
    let events = feed(&mut s, "+ eyJzdGF0dXMiOiI0MDEifQ==\r\n");
    assert!(
        matches!(&events[0], SessionEvent::AuthChallenge { id: i, challenge } if *i == id && challenge == b"{\"status\":\"401\"}")
    );
    s.authenticate_respond(id, b"").unwrap();
    assert_eq!(sent(&mut s), "\r\n");
    let events = feed(&mut s, "A1 NO [AUTHENTICATIONFAILED] invalid token\r\n");
    assert_eq!(completed(&events).completion, Completion::No);
    assert!(s.authenticate_cancel(id).is_err(), "the exchange is over");
}

#[test]
fn starttls_discards_injected_bytes_and_capabilities() {
    let mut s = greeted("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n");
    let id = s.submit(CommandBody::StartTls, DataMode::Collect).unwrap();
    s.submit(CommandBody::Capability, DataMode::Collect)
        .unwrap();
    assert_eq!(sent(&mut s), "A1 STARTTLS\r\n");
    let injected = "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA2 OK injected\r\n";
    let events = feed(
        &mut s,
        &format!("A1 OK Begin TLS negotiation now\r\n{injected}"),
    );
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(matches!(events[0], SessionEvent::Completed { id: i, .. } if i == id));
    assert!(
        matches!(events[1], SessionEvent::StartTls { id: i, discarded } if i == id && discarded == injected.len())
    );
    assert!(
        s.capabilities().is_empty(),
        "pre-TLS capabilities are forgotten"
    );
    assert_eq!(
        s.in_flight(),
        1,
        "the injected completion did not complete A2"
    );
    assert_eq!(
        sent(&mut s),
        "",
        "nothing is written before the TLS handshake"
    );
    s.transport_changed();
    assert_eq!(sent(&mut s), "A2 CAPABILITY\r\n");
}

#[test]
fn compress_hands_back_compressed_leftover() {
    let mut s = greeted("* PREAUTH [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] ready\r\n");
    let id = s.submit(CommandBody::Compress, DataMode::Collect).unwrap();
    assert_eq!(sent(&mut s), "A1 COMPRESS DEFLATE\r\n");
    s.submit(CommandBody::Noop, DataMode::Collect).unwrap();
    let mut input = b"A1 OK DEFLATE active\r\n".to_vec();
    input.extend_from_slice(&[0x78, 0x9c, 0x01]);
    s.handle_input(&input);
    let events: Vec<_> = std::iter::from_fn(|| s.poll_event()).collect();
    assert!(
        matches!(&events[1], SessionEvent::Compress { id: i, leftover } if *i == id && leftover == &[0x78, 0x9c, 0x01])
    );
    assert_eq!(sent(&mut s), "");
    s.transport_changed();
    assert_eq!(sent(&mut s), "A2 NOOP\r\n");
}

#[test]
fn unsolicited_alerts_and_bye_become_events() {
    let mut s = greeted("* PREAUTH ready\r\n");
    let events = feed(
        &mut s,
        "* OK [ALERT] System shutdown in 10 minutes\r\n* NO disk almost full\r\n* BYE Autologout; idle for too long\r\n",
    );
    assert!(
        matches!(&events[0], SessionEvent::Unsolicited(TypedEvent::Alert(t)) if t == "System shutdown in 10 minutes")
    );
    assert!(matches!(
        &events[1],
        SessionEvent::Unsolicited(TypedEvent::Status {
            kind: crate::types::StatusKind::No,
            ..
        })
    ));
    assert!(matches!(
        &events[2],
        SessionEvent::Unsolicited(TypedEvent::Bye { .. })
    ));
    assert_eq!(s.state(), &ConnectionState::Logout);
}

#[test]
fn bye_greeting_logs_out() {
    let mut s = Session::default();
    let events = feed(&mut s, "* BYE Too many connections\r\n");
    assert!(matches!(
        events[0],
        SessionEvent::Greeting {
            kind: GreetingKind::Bye,
            ..
        }
    ));
    assert!(matches!(
        s.submit(CommandBody::Noop, DataMode::Collect),
        Err(ProtoError::Closed)
    ));
}

#[test]
fn server_faults_are_protocol_violations_and_caller_mistakes_invalid_commands() {
    let mut s = greeted("* PREAUTH ready\r\n");
    let violation = |events: &[SessionEvent]| match events {
        [SessionEvent::Malformed { error }] if error.is_server_fault() => match error {
            ProtoError::Violation(text) => text.clone(),
            other => format!("not a violation: {other:?}"),
        },
        other => format!("not one malformed response: {other:?}"),
    };
    let unknown = feed(&mut s, "X9 OK who asked?\r\n");
    assert_eq!(
        violation(&unknown),
        "tagged response for unknown tag \"X9\""
    );
    let stray = feed(&mut s, "+ go on\r\n");
    assert_eq!(
        violation(&stray),
        "continuation request while no command waits for one"
    );
    let preauth = feed(&mut s, "* PREAUTH again\r\n");
    assert_eq!(violation(&preauth), "PREAUTH after the greeting");
    // Answering a challenge nobody sent is the caller's mistake, not the server's.
    let misuse = s.authenticate_respond(CommandId(1), b"x").unwrap_err();
    assert!(!misuse.is_server_fault(), "{misuse:?}");
    assert!(
        matches!(&misuse, ProtoError::InvalidCommand(e) if e.message() == "no AUTHENTICATE exchange in progress"),
        "{misuse:?}"
    );
    let cancel = s.authenticate_cancel(CommandId(1)).unwrap_err();
    assert!(
        matches!(cancel, ProtoError::InvalidCommand(_)),
        "{cancel:?}"
    );
}

#[test]
fn unparsable_responses_are_kept_as_events_and_an_unparsable_tagged_reply_fails_its_command() {
    let mut s = greeted("* PREAUTH ready\r\n");
    let id = s.submit(CommandBody::Noop, DataMode::Collect).unwrap();
    sent(&mut s);
    let events = feed(&mut s, "* 1 FETCH (((\r\ngarbage\r\nA1 HUH what\r\n");
    let unparsed = |e: &SessionEvent| match e {
        SessionEvent::Unsolicited(TypedEvent::Unparsed(u)) => {
            assert!(!u.error.is_empty(), "{u:?}");
            u.raw.clone()
        }
        other => panic!("expected an unparsed event, got {other:?}"),
    };
    // NOOP claims no FETCH data, so the untyped FETCH is unsolicited too.
    assert_eq!(unparsed(&events[0]), b"* 1 FETCH (((\r\n");
    assert_eq!(unparsed(&events[1]), b"garbage\r\n");
    assert!(matches!(&events[2], SessionEvent::Failed { id: i, .. } if *i == id));
    assert_eq!(s.in_flight(), 0);
    let events = feed(&mut s, "* 2 EXISTS\r\n");
    assert!(
        matches!(events[0], SessionEvent::Unsolicited(TypedEvent::Exists(2))),
        "still in sync"
    );
}

#[test]
fn impossible_literal_is_fatal_and_fail_all_resolves_everything() {
    let mut s = greeted("* PREAUTH ready\r\n");
    let a = s.submit(CommandBody::Noop, DataMode::Collect).unwrap();
    let b = s.submit(CommandBody::Noop, DataMode::Collect).unwrap();
    sent(&mut s);
    let events = feed(&mut s, "* 1 FETCH (BODY[] {99999999999999999999999}\r\n");
    assert!(
        events
            .iter()
            .any(|e| matches!(e, SessionEvent::Fatal { .. })),
        "{events:?}"
    );
    assert_eq!(s.fail_all(), vec![a, b]);
    assert_eq!(s.state(), &ConnectionState::Logout);
}

#[test]
fn oversized_literal_is_skipped_without_buffering() {
    let limits = Limits {
        max_literal: 1024,
        ..Limits::default()
    };
    let mut s = Session::new(SessionConfig {
        limits,
        ..SessionConfig::default()
    });
    feed(&mut s, "* PREAUTH ready\r\n");
    let events = feed(&mut s, "* 1 FETCH (BODY[] {4294967295}\r\n");
    assert!(matches!(
        events[0],
        SessionEvent::Malformed {
            error: ProtoError::Frame(_)
        }
    ));
    // Feed 1 MiB of the literal: it is skipped, never buffered.
    let chunk = vec![b'x'; 64 * 1024];
    for _ in 0..16 {
        s.handle_input(&chunk);
        assert!(s.poll_event().is_none());
        assert!(format!("{s:?}").contains("buffered_input: 0"), "{s:?}");
    }
}

#[test]
fn ignored_capabilities_are_hidden() {
    let mut s = Session::new(SessionConfig {
        ignored_capabilities: vec!["move".into(), "LITERAL+".into()],
        ..SessionConfig::default()
    });
    feed(
        &mut s,
        "* OK [CAPABILITY IMAP4rev1 MOVE LITERAL+ IDLE] hi\r\n",
    );
    assert!(!s.capabilities().has("MOVE") && !s.capabilities().has("LITERAL+"));
    assert!(s.capabilities().has("IDLE"));
}

#[test]
fn uid_expunge_and_move_claim_expunges_and_copyuid() {
    let mut s = greeted("* PREAUTH [CAPABILITY IMAP4rev1 MOVE UIDPLUS] ready\r\n");
    s.submit(
        CommandBody::Move {
            uid: true,
            set: set("42:43"),
            mailbox: mailbox("Archive"),
        },
        DataMode::Collect,
    )
    .unwrap();
    assert_eq!(sent(&mut s), "A1 UID MOVE 42:43 Archive\r\n");
    let events = feed(
        &mut s,
        "* OK [COPYUID 432432 42:43 1:2] Moved\r\n* 3 EXPUNGE\r\n* 3 EXPUNGE\r\nA1 OK Done\r\n",
    );
    assert_eq!(events.len(), 1);
    let outcome = completed(&events);
    assert!(matches!(
        &outcome.data[0],
        ServerData::Code {
            code: ResponseCode::CopyUid {
                uid_validity: 432_432,
                ..
            },
            ..
        }
    ));
    assert_eq!(
        &outcome.data[1..],
        &[ServerData::Expunge(3), ServerData::Expunge(3)]
    );
}

#[test]
fn close_and_unselect_leave_the_mailbox() {
    for leave in [CommandBody::Close, CommandBody::Unselect] {
        let mut s = greeted("* PREAUTH [CAPABILITY IMAP4rev1 UNSELECT] ready\r\n");
        s.submit(select("INBOX"), DataMode::Collect).unwrap();
        feed(&mut s, "* 1 EXISTS\r\nA1 OK selected\r\n");
        assert!(s.state().selected().is_some());
        s.submit(leave, DataMode::Collect).unwrap();
        feed(&mut s, "A2 OK done\r\n");
        assert_eq!(s.state(), &ConnectionState::Authenticated);
    }
}

#[test]
fn logout_and_unauthenticate_change_the_state_on_ok() {
    let mut s = greeted("* PREAUTH [CAPABILITY IMAP4rev1 UNAUTHENTICATE] ready\r\n");
    s.submit(CommandBody::Unauthenticate, DataMode::Collect)
        .unwrap();
    feed(&mut s, "A1 OK unauthenticated\r\n");
    assert_eq!(s.state(), &ConnectionState::NotAuthenticated);
    s.submit(CommandBody::Logout, DataMode::Collect).unwrap();
    feed(&mut s, "A2 OK bye\r\n");
    assert_eq!(s.state(), &ConnectionState::Logout);
}

#[test]
fn untagged_capability_data_replaces_the_capabilities() {
    let mut s = greeted("* OK [CAPABILITY IMAP4rev1] ready\r\n");
    s.submit(CommandBody::Capability, DataMode::Collect)
        .unwrap();
    feed(&mut s, "* CAPABILITY IMAP4rev1 IDLE MOVE\r\nA1 OK done\r\n");
    assert!(s.capabilities().has("IDLE") && s.capabilities().has("MOVE"));
}

#[test]
fn untagged_bad_and_a_late_preauth_are_not_plain_ok_statuses() {
    let mut s = greeted("* OK [CAPABILITY IMAP4rev1] ready\r\n");
    let events = feed(&mut s, "* BAD line too long\r\n* NO disk almost full\r\n");
    assert!(
        matches!(
            &events[..],
            [
                SessionEvent::Unsolicited(TypedEvent::Status {
                    kind: EventStatusKind::Bad,
                    ..
                }),
                SessionEvent::Unsolicited(TypedEvent::Status {
                    kind: EventStatusKind::No,
                    ..
                })
            ]
        ),
        "{events:?}"
    );
    let events = feed(&mut s, "* PREAUTH again\r\n");
    assert!(
        matches!(&events[..], [SessionEvent::Malformed { .. }]),
        "PREAUTH is only a greeting: {events:?}"
    );
    assert_eq!(s.state(), &ConnectionState::NotAuthenticated);
}

#[test]
fn failed_select_leaves_no_mailbox_selected() {
    let mut s = greeted("* PREAUTH ready\r\n");
    s.submit(select("INBOX"), DataMode::Collect).unwrap();
    feed(&mut s, "* 1 EXISTS\r\nA1 OK selected\r\n");
    assert!(s.state().selected().is_some());
    s.submit(select("Nope"), DataMode::Collect).unwrap();
    feed(&mut s, "A2 NO [NONEXISTENT] no such mailbox\r\n");
    assert_eq!(s.state(), &ConnectionState::Authenticated);
}

#[test]
fn collecting_exactly_the_cap_is_allowed() {
    let reply = "* 1 FETCH (UID 1)\r\n";
    let mut s = Session::new(SessionConfig {
        max_collected_bytes: 2 * reply.len() as u64,
        ..SessionConfig::default()
    });
    feed(&mut s, "* PREAUTH ready\r\n");
    s.submit(fetch("1:2", vec![FetchAttr::Uid]), DataMode::Collect)
        .unwrap();
    sent(&mut s);
    let events = feed(
        &mut s,
        &format!("{reply}{}A1 OK done\r\n", reply.replace('1', "2")),
    );
    assert_eq!(completed(&events).data.len(), 2, "{events:?}");
}

#[test]
fn collecting_more_than_the_cap_fails_the_command_and_keeps_nothing() {
    let mut s = Session::new(SessionConfig {
        max_collected_bytes: 100,
        ..SessionConfig::default()
    });
    feed(&mut s, "* PREAUTH ready\r\n");
    let id = s
        .submit(fetch("1:*", vec![FetchAttr::Uid]), DataMode::Collect)
        .unwrap();
    sent(&mut s);
    let mut server = String::new();
    for i in 1..=20 {
        server.push_str(&format!("* {i} FETCH (UID {i})\r\n"));
    }
    server.push_str("A1 OK done\r\n");
    let events = feed(&mut s, &server);
    assert!(
        matches!(&events[..], [SessionEvent::Failed { id: i, error: ProtoError::ReplyTooLarge { limit: 100 } }] if *i == id),
        "{events:?}"
    );
    // Streaming has no cap: the same reply streams fine.
    let id = s
        .submit(fetch("1:*", vec![FetchAttr::Uid]), DataMode::Stream)
        .unwrap();
    sent(&mut s);
    let events = feed(&mut s, &server.replace("A1 OK", "A2 OK"));
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, SessionEvent::Fetch { .. }))
            .count(),
        20
    );
    assert!(matches!(events.last(), Some(SessionEvent::Completed { id: i, .. }) if *i == id));
}

/// Routing at the session level: data is claimed only by commands the server has seen. A command held back
/// (it conflicts with one in flight, or waits behind a synchronising literal) claims nothing.
mod unsent_commands {
    use super::{feed, greeted, sent};
    use crate::proto::command::{CommandBody, SelectParams};
    use crate::proto::session::{DataMode, SessionEvent};
    use crate::types::StoreKind;
    use crate::types::{FetchAttr, Flag, MailboxName, SequenceSet, StatusAttr, TypedEvent};

    fn fetch_one() -> CommandBody {
        CommandBody::Fetch {
            uid: false,
            set: SequenceSet::new("1").expect("set"),
            attrs: vec![FetchAttr::Flags],
            changed_since: None,
            vanished: false,
        }
    }

    fn unsolicited(events: &[SessionEvent]) -> Vec<&TypedEvent> {
        events
            .iter()
            .filter_map(|e| match e {
                SessionEvent::Unsolicited(t) => Some(t),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_held_back_store_does_not_claim_fetch_data() {
        let mut s = greeted("* PREAUTH ready\r\n");
        s.submit(fetch_one(), DataMode::Collect).expect("fetch");
        s.submit(
            CommandBody::Store {
                uid: false,
                set: SequenceSet::new("2").expect("set"),
                kind: StoreKind::Add,
                silent: false,
                flags: vec![Flag::Seen],
                unchanged_since: None,
            },
            DataMode::Collect,
        )
        .expect("store");
        assert_eq!(
            sent(&mut s),
            "A1 FETCH 1 FLAGS\r\n",
            "STORE waits for FETCH"
        );
        let events = feed(&mut s, "* 2 FETCH (FLAGS (\\Seen))\r\n");
        assert!(
            matches!(unsolicited(&events).as_slice(), [TypedEvent::Fetch(f)] if f.seq == 2),
            "{events:?}"
        );
    }

    #[test]
    fn a_held_back_select_claims_neither_data_nor_codes() {
        let mut s = greeted("* PREAUTH ready\r\n");
        s.submit(fetch_one(), DataMode::Collect).expect("fetch");
        s.submit(
            CommandBody::Select {
                mailbox: MailboxName::inbox(),
                params: SelectParams::default(),
            },
            DataMode::Collect,
        )
        .expect("select");
        assert_eq!(
            sent(&mut s),
            "A1 FETCH 1 FLAGS\r\n",
            "SELECT waits for FETCH"
        );
        let events = feed(&mut s, "* 3 EXISTS\r\n* OK [UIDVALIDITY 5] ok\r\n");
        let got = unsolicited(&events);
        assert!(
            matches!(
                got.as_slice(),
                [TypedEvent::Exists(3), TypedEvent::Status { .. }]
            ),
            "{events:?}"
        );
    }

    #[test]
    fn a_command_queued_behind_a_synchronising_literal_claims_nothing() {
        let mut s = greeted("* PREAUTH ready\r\n");
        s.submit(
            CommandBody::Login {
                username: crate::types::ImapString::new("a\"b\\c\u{e9}").expect("user"),
                password: crate::types::Secret::new("p".to_owned()),
            },
            DataMode::Collect,
        )
        .expect("login");
        s.submit(
            CommandBody::Status {
                mailbox: MailboxName::inbox(),
                attrs: vec![StatusAttr::Messages],
            },
            DataMode::Collect,
        )
        .expect("status");
        let first = sent(&mut s);
        assert!(first.starts_with("A1 LOGIN {"), "{first:?}");
        assert!(!first.contains("STATUS"), "{first:?}");
        let events = feed(&mut s, "* STATUS INBOX (MESSAGES 4)\r\n");
        assert!(
            matches!(
                unsolicited(&events).as_slice(),
                [TypedEvent::MailboxStatus { .. }]
            ),
            "{events:?}"
        );
    }
}

mod real_world;
mod settings;
mod unparsed;
