//! Every response form the test Dovecot sends — above all every FETCH item it offers — parses
//! with daaki-imap's response parser, consumes exactly the bytes of the response, and yields
//! no `Other` (unknown) value at the top level.
//!
//! The bytes come straight from the real server through the harness's raw peer, so this test
//! fails if Dovecot sends anything the parser does not model.

use daaki_imap::proto::parse_response;
use daaki_imap::proto::response::{Data, FetchItem, Response};
use daaki_imap_tests::harness::shared_dovecot;
use daaki_imap_tests::raw::{RawSession, Security};

/// Commands whose replies are captured, in session order. Each must complete with OK.
const SCRIPT: &[&str] = &[
    "CAPABILITY",
    "ID NIL",
    "ENABLE CONDSTORE QRESYNC",
    "NAMESPACE",
    "LIST \"\" \"*\"",
    "LIST (SUBSCRIBED) \"\" \"*\" RETURN (SPECIAL-USE CHILDREN STATUS (MESSAGES UNSEEN SIZE))",
    "LSUB \"\" \"*\"",
    "STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN SIZE HIGHESTMODSEQ)",
    "EXAMINE INBOX",
    "SELECT INBOX (CONDSTORE)",
    // Every FETCH item Dovecot 2.3 offers (it has no OBJECTID: no EMAILID/THREADID).
    "FETCH 1:3 (FLAGS UID INTERNALDATE RFC822.SIZE)",
    "FETCH 1:30 ENVELOPE",
    "FETCH 1:30 BODY",
    "FETCH 1:30 BODYSTRUCTURE",
    "FETCH 1:3 (MODSEQ SAVEDATE)",
    "FETCH 1:12 (PREVIEW)",
    "FETCH 10 (RFC822.HEADER RFC822.TEXT)",
    "FETCH 11 RFC822",
    "FETCH 10 (BODY.PEEK[] BODY.PEEK[HEADER] BODY.PEEK[TEXT])",
    "FETCH 10 (BODY.PEEK[1] BODY.PEEK[1.MIME] BODY.PEEK[2])",
    "FETCH 10 (BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)] BODY.PEEK[HEADER.FIELDS.NOT (SUBJECT)])",
    "FETCH 10 BODY.PEEK[]<0.20>",
    "FETCH 13 (BINARY.PEEK[1] BINARY.PEEK[2] BINARY.SIZE[2])",
    "FETCH 13 BINARY.PEEK[2]<0.5>",
    "FETCH 1 FAST",
    "FETCH 2 ALL",
    "FETCH 3 FULL",
    "UID FETCH 1:* (UID FLAGS) (CHANGEDSINCE 1)",
    "SEARCH ALL",
    "SEARCH RETURN (MIN MAX COUNT ALL) ALL",
    "UID SEARCH RETURN () UNSEEN",
    "SEARCH MODSEQ 1",
    "SEARCH RETURN (SAVE) FLAGGED",
    "FETCH $ (UID)",
    "SORT (REVERSE DATE) UTF-8 ALL",
    "SORT RETURN (ALL COUNT) (ARRIVAL) UTF-8 ALL",
    "THREAD REFERENCES UTF-8 ALL",
    "THREAD ORDEREDSUBJECT UTF-8 ALL",
    "THREAD REFS UTF-8 ALL",
    "STORE 1 +FLAGS (\\Flagged $Important)",
    "STORE 1,2 (UNCHANGEDSINCE 1) +FLAGS (\\Answered)",
    "COPY 4 Archive",
    "MOVE 5 Archive",
    "STORE 6 +FLAGS.SILENT (\\Deleted)",
    "EXPUNGE",
    "UID FETCH 1:10 (FLAGS) (CHANGEDSINCE 1 VANISHED)",
    "GETQUOTAROOT INBOX",
    "GETQUOTA \"User quota\"",
    "GETACL INBOX",
    "MYRIGHTS INBOX",
    "LISTRIGHTS INBOX anyone",
    "SETMETADATA INBOX (/private/comment \"hello\")",
    "GETMETADATA INBOX (/private/comment)",
    "GETMETADATA (DEPTH infinity) \"\" (/private)",
    "NOOP",
    "CHECK",
    "UNSELECT",
];

fn assert_no_other(response: &Response<'_>, raw: &[u8]) {
    let shown = String::from_utf8_lossy(raw);
    if let Response::Data(data) = response {
        assert!(
            !matches!(data, Data::Other { .. }),
            "unknown untagged data: {shown}"
        );
        if let Data::Fetch(fetch) = data {
            for item in &fetch.items {
                assert!(
                    !matches!(item, FetchItem::Other { .. }),
                    "unknown FETCH item in: {shown}"
                );
            }
        }
    }
}

#[test]
fn every_dovecot_response_parses_without_unknowns() {
    let dovecot = shared_dovecot();
    let user = dovecot.new_user(30);
    let mut s = RawSession::connect(dovecot.host(), dovecot.plain_port(), Security::Plain, &[])
        .expect("connect");
    let login = s
        .command_bytes(&format!("LOGIN {} {}", user.name, user.password))
        .expect("LOGIN");
    let mut parsed = 0usize;
    let mut fetch_items = std::collections::BTreeSet::new();
    for command in std::iter::once("(login)").chain(SCRIPT.iter().copied()) {
        let responses = if command == "(login)" {
            login.clone()
        } else {
            s.command_bytes(command).expect(command)
        };
        let last = responses.last().expect("a tagged completion");
        let completion = String::from_utf8_lossy(last);
        assert!(
            completion.split(' ').nth(1) == Some("OK"),
            "{command} did not succeed: {completion}"
        );
        for raw in &responses {
            let (response, used) = parse_response(raw).unwrap_or_else(|e| {
                panic!(
                    "{command}: cannot parse {:?}: {e}",
                    String::from_utf8_lossy(raw)
                )
            });
            assert_eq!(
                used,
                raw.len(),
                "{command}: partial parse of {:?}",
                String::from_utf8_lossy(raw)
            );
            assert_no_other(&response, raw);
            if let Response::Data(Data::Fetch(fetch)) = &response {
                for item in &fetch.items {
                    let name = format!("{item:?}");
                    fetch_items.insert(name.split(['(', ' ', '{']).next().unwrap_or("").to_owned());
                }
            }
            parsed += 1;
        }
    }
    // Every FETCH item kind Dovecot offers was seen (so the script really exercised them).
    for kind in [
        "Flags",
        "Uid",
        "InternalDate",
        "Rfc822Size",
        "Rfc822",
        "Rfc822Header",
        "Rfc822Text",
        "Envelope",
        "Body",
        "BodyStructure",
        "BodySection",
        "Binary",
        "BinarySize",
        "ModSeq",
        "SaveDate",
        "Preview",
    ] {
        assert!(
            fetch_items.contains(kind),
            "no {kind} item seen; saw {fetch_items:?}"
        );
    }
    assert!(parsed > 200, "only {parsed} responses captured");
}
