//! Lines that are not the responses the grammar allows: a response code alone, Exchange's
//! bare `Server Unavailable.`, a tagged BYE.

use super::{transcript_of, transcript_with_events};
use crate::proto::session::tests::{completed, feed, greeted, mailbox, sent, set};
use crate::proto::session::{CommandBody, Completion, DataMode, SessionEvent};
use crate::types::response::{ResponseCode, SeqRange, ServerData};
use crate::types::{Quirk, StatusKind, TypedEvent};

/// Exchange 2013 answered UID MOVE with its COPYUID code alone on a line, without `* OK`
/// (ruby/net-imap #250, the report's line): read as an untagged OK, so the MOVE's result
/// carries the COPYUID.
#[test]
fn exchange_2013_copyuid_without_ok() {
    let (outcome, quirks) = transcript_of(
        CommandBody::Move {
            uid: true,
            set: set("10"),
            mailbox: mailbox("PROCESSING"),
        },
        "[COPYUID 124 10 233]\r\n",
    );
    assert_eq!(quirks.get(Quirk::BareResponseCode), 1);
    assert_eq!(quirks.iter().count(), 1, "{quirks:?}");
    let one = |n| SeqRange { start: n, end: n };
    assert_eq!(
        outcome.data,
        [ServerData::Code {
            code: ResponseCode::CopyUid {
                uid_validity: 124,
                source: vec![one(10)],
                destination: vec![one(233)]
            },
            text: String::new()
        }]
    );
}

/// Office 365 sent `Server Unavailable. 15` with neither `*` nor a tag after IDLE's DONE
/// (mscdex/node-imap #561, the report's line; here while a NOOP runs): read as an untagged NO
/// with that text, never as a tagged response.
#[test]
fn office365_bare_server_unavailable() {
    let (_, quirks, events) =
        transcript_with_events(CommandBody::Noop, "Server Unavailable. 15\r\n");
    assert_eq!(quirks.get(Quirk::BareServerUnavailable), 1);
    assert_eq!(
        events,
        [TypedEvent::Status {
            kind: StatusKind::No,
            code: None,
            text: "Server Unavailable. 15".into()
        }]
    );
}

/// imap.wp.pl answers LOGOUT with a tagged BYE (jonhoo/rust-imap #210 and jstedfast/MailKit
/// #1536, the reports' line): the LOGOUT completes OK; a tagged BYE for another command
/// fails it. Either way the connection is logging out.
#[test]
fn wp_pl_tagged_bye() {
    let mut s = greeted("* PREAUTH ready\r\n");
    s.submit(CommandBody::Logout, DataMode::Collect).unwrap();
    sent(&mut s);
    let events = feed(&mut s, "A1 BYE IMAP4rev1 Server logging out\r\n");
    assert_eq!(completed(&events).completion, Completion::Ok);
    assert_eq!(s.quirks().get(Quirk::TaggedBye), 1);
    assert_eq!(*s.state(), crate::proto::session::ConnectionState::Logout);

    let mut s = greeted("* PREAUTH ready\r\n");
    s.submit(CommandBody::Noop, DataMode::Collect).unwrap();
    sent(&mut s);
    let events = feed(&mut s, "A1 BYE IMAP4rev1 Server logging out\r\n");
    assert!(
        matches!(events[..], [SessionEvent::Completed { .. }]),
        "{events:?}"
    );
    assert_eq!(completed(&events).completion, Completion::Bad);
    assert_eq!(*s.state(), crate::proto::session::ConnectionState::Logout);
}
