//! Session tests: the example sessions of RFC 3501 §8 and RFC 9051 §8 replayed as byte traces,
//! pipelining with interleaved responses, and the continuation flows (literals, IDLE,
//! AUTHENTICATE, STARTTLS, COMPRESS).

use super::*;
use crate::proto::command::{AuthMechanism, SelectParams, StoreKind};
use crate::types::response::SeqRange;
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

/// RFC 3501 §8, with our tags (A1…) in place of a001….
#[test]
fn rfc3501_section8_trace() {
    let mut s = greeted("* OK IMAP4rev1 Service Ready\r\n");
    assert_eq!(s.state(), &ConnectionState::NotAuthenticated);

    let id = s.submit(login("mrc", "secret"), DataMode::Collect).unwrap();
    assert_eq!(sent(&mut s), "A1 LOGIN mrc secret\r\n");
    let events = feed(&mut s, "A1 OK LOGIN completed\r\n");
    assert!(matches!(events[0], SessionEvent::Completed { id: i, .. } if i == id));
    assert_eq!(s.state(), &ConnectionState::Authenticated);

    s.submit(select("inbox"), DataMode::Collect).unwrap();
    assert_eq!(sent(&mut s), "A2 SELECT INBOX\r\n");
    let events = feed(
        &mut s,
        "* 18 EXISTS\r\n\
         * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n\
         * 2 RECENT\r\n\
         * OK [UNSEEN 17] Message 17 is the first unseen message\r\n\
         * OK [UIDVALIDITY 3857529045] UIDs valid\r\n\
         A2 OK [READ-WRITE] SELECT completed\r\n",
    );
    assert_eq!(
        events.len(),
        1,
        "all SELECT data is the command's: {events:?}"
    );
    let outcome = completed(&events);
    assert_eq!(outcome.code, Some(ResponseCode::ReadWrite));
    assert!(outcome.data.contains(&ServerData::Exists(18)));
    assert!(outcome.data.contains(&ServerData::Recent(2)));
    assert!(outcome.data.iter().any(|d| matches!(
        d,
        ServerData::Code {
            code: ResponseCode::UidValidity(3_857_529_045),
            ..
        }
    )));
    assert!(
        outcome
            .data
            .iter()
            .any(|d| matches!(d, ServerData::Flags(f) if f.len() == 5))
    );
    assert_eq!(
        s.state(),
        &ConnectionState::Selected {
            mailbox: mailbox("INBOX"),
            read_only: false
        }
    );

    s.submit(fetch("12", vec![FetchAttr::Full]), DataMode::Collect)
        .unwrap();
    assert_eq!(sent(&mut s), "A3 FETCH 12 FULL\r\n");
    let events = feed(
        &mut s,
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
         BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n\
         A3 OK FETCH completed\r\n",
    );
    let outcome = completed(&events);
    let [ServerData::Fetch(f)] = outcome.data.as_slice() else {
        panic!("one FETCH expected: {:?}", outcome.data)
    };
    assert_eq!(f.seq, 12);
    assert_eq!(f.rfc822_size, Some(4286));
    let envelope = f.envelope.as_ref().expect("envelope");
    assert_eq!(
        envelope.subject.as_deref(),
        Some("IMAP4rev1 WG mtg summary and minutes")
    );
    assert_eq!(envelope.cc.len(), 2);

    let header = "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n\
                  From: Terry Gray <gray@cac.washington.edu>\r\n\
                  Subject: IMAP4rev1 WG mtg summary and minutes\r\n\r\n";
    s.submit(
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
    assert_eq!(sent(&mut s), "A4 FETCH 12 BODY[HEADER]\r\n");
    let events = feed(
        &mut s,
        &format!(
            "* 12 FETCH (BODY[HEADER] {{{}}}\r\n{header})\r\nA4 OK FETCH completed\r\n",
            header.len()
        ),
    );
    let [ServerData::Fetch(f)] = completed(&events).data.as_slice() else {
        panic!()
    };
    assert_eq!(f.section(b"HEADER"), Some(header.as_bytes()));

    s.submit(
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
    assert_eq!(sent(&mut s), "A5 STORE 12 +FLAGS (\\Deleted)\r\n");
    let events = feed(
        &mut s,
        "* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\nA5 OK +FLAGS completed\r\n",
    );
    let [ServerData::Fetch(f)] = completed(&events).data.as_slice() else {
        panic!()
    };
    assert_eq!(f.flags, Some(vec![Flag::Seen, Flag::Deleted]));

    s.submit(CommandBody::Logout, DataMode::Collect).unwrap();
    assert_eq!(sent(&mut s), "A6 LOGOUT\r\n");
    let events = feed(
        &mut s,
        "* BYE IMAP4rev1 server terminating connection\r\nA6 OK LOGOUT completed\r\n",
    );
    assert!(matches!(
        &events[0],
        SessionEvent::Unsolicited(TypedEvent::Bye { text, .. }) if text.starts_with("IMAP4rev1 server")
    ));
    assert_eq!(completed(&events).completion, Completion::Ok);
    assert_eq!(s.state(), &ConnectionState::Logout);
    assert!(matches!(
        s.submit(CommandBody::Noop, DataMode::Collect),
        Err(Error::Closed)
    ));
}

/// RFC 9051 §8 (IMAP4rev2): ENABLE, SELECT without RECENT, ESEARCH answering SEARCH,
/// LIST-based replies and UTF-8 mailbox names.
#[test]
fn rfc9051_section8_trace() {
    let mut s = greeted(
        "* OK [CAPABILITY STARTTLS AUTH=SCRAM-SHA-256 LOGINDISABLED IMAP4rev2] IMAP4rev2 Service Ready\r\n",
    );
    assert!(s.capabilities().imap4rev2());
    assert!(matches!(
        s.submit(login("u", "p"), DataMode::Collect),
        Err(Error::Unsupported(_))
    ));
    assert_eq!(sent(&mut s), "", "nothing is sent for a refused LOGIN");

    // The server authenticates us (we skip the SCRAM exchange: see the AUTHENTICATE tests).
    let mut s =
        greeted("* PREAUTH [CAPABILITY IMAP4rev2 ENABLE IDLE LITERAL+] Logged in as Smith\r\n");
    assert_eq!(s.state(), &ConnectionState::Authenticated);
    s.submit(
        CommandBody::Enable(vec![crate::types::ImapAtom::new("IMAP4rev2").unwrap()]),
        DataMode::Collect,
    )
    .unwrap();
    assert_eq!(sent(&mut s), "A1 ENABLE IMAP4rev2\r\n");
    let events = feed(&mut s, "* ENABLED IMAP4rev2\r\nA1 OK ENABLE completed\r\n");
    assert_eq!(
        completed(&events).data,
        vec![ServerData::Enabled(vec!["IMAP4rev2".into()])]
    );
    assert!(s.utf8(), "IMAP4rev2 enabled means UTF-8 names");

    s.submit(select("Entwürfe"), DataMode::Collect).unwrap();
    assert_eq!(
        sent(&mut s),
        "A2 SELECT \"Entwürfe\"\r\n",
        "UTF-8 name sent as is under rev2"
    );
    let events = feed(
        &mut s,
        "* 172 EXISTS\r\n\
         * OK [UIDVALIDITY 3857529045] UIDs valid\r\n\
         * OK [UIDNEXT 4392] Predicted next UID\r\n\
         * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n\
         * OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n\
         * LIST () \"/\" \"Entwürfe\"\r\n\
         A2 OK [READ-WRITE] SELECT completed\r\n",
    );
    let outcome = completed(&events);
    assert!(outcome.data.contains(&ServerData::Exists(172)));
    assert!(
        !outcome
            .data
            .iter()
            .any(|d| matches!(d, ServerData::Recent(_)))
    );
    // The rev2 LIST inside SELECT (the mailbox's canonical name) belongs to SELECT: it is not
    // news about a mailbox, so it must not surface as an event.
    assert!(
        outcome
            .data
            .iter()
            .any(|d| matches!(d, ServerData::List(info) if info.name.as_str() == "Entwürfe"))
    );
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, SessionEvent::Unsolicited(TypedEvent::MailboxEvent(_))))
    );

    s.submit(
        CommandBody::Search {
            uid: false,
            charset: None,
            criteria: SearchKey::Unseen,
            return_options: None,
        },
        DataMode::Collect,
    )
    .unwrap();
    assert_eq!(sent(&mut s), "A3 SEARCH UNSEEN\r\n");
    let events = feed(
        &mut s,
        "* ESEARCH (TAG \"A3\") ALL 2,10:11\r\nA3 OK SEARCH completed\r\n",
    );
    let [ServerData::ESearch(e)] = completed(&events).data.as_slice() else {
        panic!("ESEARCH is the SEARCH command's data: {events:?}")
    };
    assert_eq!(
        e.all,
        Some(vec![
            SeqRange { start: 2, end: 2 },
            SeqRange { start: 10, end: 11 }
        ])
    );
}

/// 8 commands in flight; the server interleaves their data the way servers do and answers
/// out of order: each command gets exactly its own data, unsolicited data goes to events.
#[test]
fn eight_pipelined_commands_get_their_own_data() {
    let mut s = greeted("* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n");
    feed(&mut s, "");
    s.submit(login("u", "p"), DataMode::Collect).unwrap();
    feed(&mut s, "");
    sent(&mut s);
    feed(&mut s, "A1 OK done\r\n");

    let boxes = [
        "INBOX", "Drafts", "Sent", "Trash", "Junk", "Archive", "Lists", "Work",
    ];
    let ids: Vec<CommandId> = boxes
        .iter()
        .map(|b| {
            s.submit(
                CommandBody::Status {
                    mailbox: mailbox(b),
                    attrs: vec![StatusAttr::Messages, StatusAttr::Unseen],
                },
                DataMode::Collect,
            )
            .unwrap()
        })
        .collect();
    let wire = sent(&mut s);
    assert_eq!(
        wire.matches("\r\n").count(),
        8,
        "all 8 in one buffer: {wire}"
    );
    assert!(wire.starts_with("A2 STATUS INBOX (MESSAGES UNSEEN)\r\nA3 STATUS Drafts"));

    // Each STATUS claims the STATUS data of its own mailbox (see
    // `pipelined_status_is_routed_by_mailbox_name_not_order` for answers out of order).
    let mut server = String::new();
    server.push_str("* 3 EXISTS\r\n"); // unsolicited
    for (i, b) in boxes.iter().enumerate() {
        server.push_str(&format!("* STATUS {b} (MESSAGES {i} UNSEEN 0)\r\n"));
        server.push_str(&format!("A{} OK STATUS completed\r\n", i + 2));
    }
    server.push_str("* 1 FETCH (FLAGS (\\Seen))\r\n"); // unsolicited flag change
    let events = feed(&mut s, &server);
    let mut got = Vec::new();
    for e in &events {
        if let SessionEvent::Completed { id, outcome } = e {
            let [ServerData::Status(st)] = outcome.data.as_slice() else {
                panic!("one STATUS per command: {outcome:?}")
            };
            got.push((*id, st.mailbox.clone().unwrap(), st.messages));
        }
    }
    assert_eq!(got.len(), 8);
    for (i, (id, name, messages)) in got.iter().enumerate() {
        assert_eq!(*id, ids[i]);
        assert_eq!(name.as_str(), boxes[i]);
        assert_eq!(*messages, Some(i as u32));
    }
    assert!(matches!(
        events[0],
        SessionEvent::Unsolicited(TypedEvent::Exists(3))
    ));
    assert!(
        matches!(events.last(), Some(SessionEvent::Unsolicited(TypedEvent::Fetch(f))) if f.seq == 1)
    );
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
    let events = feed(&mut s, "A1 OK IDLE terminated\r\nA2 OK NOOP\r\n");
    assert_eq!(events.len(), 2);
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
        Err(Error::Unsupported(_))
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
        Err(Error::Closed)
    ));
}

#[test]
fn malformed_responses_are_skipped_and_an_unparsable_tagged_reply_fails_its_command() {
    let mut s = greeted("* PREAUTH ready\r\n");
    let id = s.submit(CommandBody::Noop, DataMode::Collect).unwrap();
    sent(&mut s);
    let events = feed(&mut s, "* 1 FETCH (((\r\ngarbage\r\nA1 HUH what\r\n");
    assert!(matches!(events[0], SessionEvent::Malformed { .. }));
    assert!(matches!(events[1], SessionEvent::Malformed { .. }));
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
            error: Error::Frame(_)
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
        matches!(&events[..], [SessionEvent::Failed { id: i, error: Error::ReplyTooLarge { limit: 100 } }] if *i == id),
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
