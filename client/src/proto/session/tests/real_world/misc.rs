//! Spacing, missing text and short or odd values that real servers send.

use super::{fetches, transcript_of, transcript_with_events};
use crate::proto::session::CommandBody;
use crate::proto::session::tests::{fetch, greeted, mailbox};
use crate::proto::session::{Completion, DataMode, SessionEvent};
use crate::types::response::ServerData;
use crate::types::{FetchAttr, Flag, Quirk, StatusAttr, TypedEvent};

/// DavMail put two spaces between FETCH items (mguessan/davmail #454, the report's line as
/// escaped there) and imap.qq.com a space before the closing `)` (jakartaee/mail-api #209,
/// the report's line): both FETCHes are typed.
#[test]
fn davmail_and_qq_extra_spaces_in_fetch() {
    let (outcome, quirks) = transcript_of(
        fetch("1:*", vec![FetchAttr::Uid, FetchAttr::Flags]),
        "* 1 FETCH (UID 1989 FLAGS (\\Seen)  RFC822.HEADER {3}\r\nA: )\r\n* 11487 FETCH (UID 19436 )\r\n",
    );
    assert_eq!(quirks.get(Quirk::ExtraSpaces), 2, "two responses");
    assert_eq!(quirks.iter().count(), 1, "{quirks:?}");
    let got = fetches(outcome);
    assert_eq!(got[0].uid, Some(1989));
    assert_eq!(got[0].flags, Some(vec![Flag::Seen]));
    assert_eq!(got[0].rfc822_header.as_deref(), Some(&b"A: "[..]));
    assert_eq!((got[1].seq, got[1].uid), (11487, Some(19436)));
}

/// DavMail sent two spaces after `*` (python/cpython #117152, the report's line): typed.
#[test]
fn davmail_two_spaces_after_the_star() {
    let (_, quirks, events) = transcript_with_events(CommandBody::Noop, "*  1843 EXISTS\r\n");
    assert_eq!(quirks.get(Quirk::ExtraSpaces), 1);
    assert_eq!(events, [TypedEvent::Exists(1843)]);
}

/// Office 365 ends STATUS with a space (emersion/go-imap #540, the report's line): typed.
#[test]
fn office365_trailing_space_after_status() {
    let (outcome, quirks) = transcript_of(
        CommandBody::Status {
            mailbox: mailbox("INBOX"),
            attrs: vec![StatusAttr::Messages],
        },
        "* STATUS Inbox (MESSAGES 1) \r\n",
    );
    assert_eq!(quirks.get(Quirk::TrailingSpace), 1);
    let [ServerData::Status(status)] = &outcome.data[..] else {
        panic!("STATUS: {:?}", outcome.data)
    };
    assert_eq!(status.messages, Some(1));
}

/// Yahoo ends SEARCH with a space (djc/imap-proto #108; the report's line, its middle ids
/// elided there; here while a NOOP runs): typed.
#[test]
fn yahoo_trailing_space_after_search() {
    let (_, quirks, events) =
        transcript_with_events(CommandBody::Noop, "* SEARCH 169661 169662 169663 \r\n");
    assert_eq!(quirks.get(Quirk::TrailingSpace), 1);
    assert_eq!(
        events,
        [TypedEvent::Data(ServerData::Search {
            ids: vec![169661, 169662, 169663],
            modseq: None
        })]
    );
}

/// A tagged OK without text from ppops.net (mscdex/node-imap #539, the report's line) and an
/// untagged BYE without text from iCloud (djc/imap-proto #131, the report's line): read with
/// empty texts.
#[test]
fn ppops_and_icloud_missing_text() {
    let mut s = greeted("* PREAUTH ready\r\n");
    s.submit(CommandBody::Noop, DataMode::Collect).unwrap();
    s.transmit_into(&mut Vec::new());
    s.handle_input(b"A1 OK\r\n* BYE\r\n");
    let events: Vec<_> = std::iter::from_fn(|| s.poll_event()).collect();
    let [
        SessionEvent::Completed { outcome, .. },
        SessionEvent::Unsolicited(TypedEvent::Bye { code: None, text }),
    ] = &events[..]
    else {
        panic!("completion and BYE: {events:?}")
    };
    assert_eq!(outcome.completion, Completion::Ok);
    assert!(outcome.text.is_empty() && text.is_empty());
    assert_eq!(s.quirks().get(Quirk::MissingText), 2);
}

/// mail.ru sent `()` as an envelope's empty address lists (apple/swift-nio-imap #821; the
/// report's envelope shape `NIL NIL () NIL NIL`, in a line written around it): read as no
/// addresses.
#[test]
fn mail_ru_empty_address_list() {
    let (outcome, quirks) = transcript_of(
        fetch("1", vec![FetchAttr::Envelope]),
        "* 1 FETCH (ENVELOPE (\"Thu, 02 Nov 2023 13:28:10 +0000\" \"s\" ((NIL NIL \"a\" \"mail.ru\")) NIL NIL () NIL NIL NIL \"<1@mail.ru>\"))\r\n",
    );
    assert_eq!(quirks.get(Quirk::EmptyAddressList), 1);
    let got = fetches(outcome);
    let env = got[0].envelope.as_deref().expect("typed");
    assert!(env.to.is_empty());
    assert_eq!(env.from[0].host.as_deref(), Some("mail.ru"));
    assert_eq!(env.message_id.as_deref(), Some("<1@mail.ru>"));
}

/// qq.com sent an envelope without its Message-ID field (jstedfast/MailKit #669, the
/// report's envelope): read as having none.
#[test]
fn qq_envelope_without_message_id() {
    let (outcome, quirks) = transcript_of(
        fetch("1", vec![FetchAttr::Envelope]),
        "* 1 FETCH (ENVELOPE (\"Mon, 30 Oct 2017 11:05:21 +0800\" \"=?GBK?B?u7bTrcq508PM2tG2xvPStdPKz+Q=?=\" ((\"=?GBK?B?zNrRtsbz0rXTys/k?=\" NIL \"10000\" \"qq.com\")) ((\"=?GBK?B?zNrRtsbz0rXTys/k?=\" NIL \"10000\" \"qq.com\")) ((\"=?GBK?B?zNrRtsbz0rXTys/k?=\" NIL \"10000\" \"qq.com\")) NIL NIL NIL NIL))\r\n",
    );
    assert_eq!(quirks.get(Quirk::ShortEnvelope), 1);
    assert_eq!(quirks.iter().count(), 1, "{quirks:?}");
    let got = fetches(outcome);
    let env = got[0].envelope.as_deref().expect("typed");
    assert_eq!(env.message_id, None);
    assert_eq!(env.in_reply_to, None);
    assert_eq!(env.from[0].mailbox.as_deref(), Some("10000"));
}

/// Cyrus 3.4 sent a MAILBOXID of heap bytes (cyrusimap/cyrus-imapd #4944 describes it; its
/// bytes are only in an attachment, so these are made up with a `)` and 8-bit bytes): the id
/// is kept as bytes and STATUS's other items are typed.
#[test]
fn cyrus_mailboxid_with_junk_bytes() {
    let (outcome, quirks) = transcript_of(
        CommandBody::Status {
            mailbox: mailbox("INBOX"),
            attrs: vec![StatusAttr::MailboxId],
        },
        "* STATUS INBOX (MAILBOXID (a\u{1}b)c\u{ff}d) MESSAGES 4)\r\n",
    );
    assert_eq!(quirks.get(Quirk::ObjectIdJunk), 1);
    let [ServerData::Status(status)] = &outcome.data[..] else {
        panic!("STATUS: {:?}", outcome.data)
    };
    assert_eq!(
        status.mailbox_id.as_deref(),
        Some("a\u{1}b)c\u{ff}d".as_bytes())
    );
    assert_eq!(status.messages, Some(4));
}

/// Dovecot 2.3 sends PREVIEW in its draft form `(FUZZY "...")` (dovecot/core 1fc112d, the
/// commit that added it; this line is written from it): the text is read.
#[test]
fn dovecot_23_fuzzy_preview() {
    let (outcome, quirks) = transcript_of(
        fetch("1", vec![FetchAttr::Uid]),
        "* 1 FETCH (UID 4 PREVIEW (FUZZY \"Hello there\"))\r\n",
    );
    assert_eq!(quirks.get(Quirk::PreviewFuzzy), 1);
    let got = fetches(outcome);
    assert_eq!(got[0].preview.as_deref(), Some("Hello there"));
}

/// NAMESPACE descriptors follow each other with no separator (RFC 2342 §5's example with
/// four shared namespaces, and RFC 9051 §7.2.2's): typed in order through a NAMESPACE
/// command.
#[test]
fn namespace_descriptors_without_separators() {
    let (outcome, quirks) = transcript_of(
        CommandBody::Namespace,
        "* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) ((\"#shared/\" \"/\")(\"#public/\" \"/\")(\"#ftp/\" \"/\")(\"#news.\" \".\"))\r\n",
    );
    assert!(quirks.is_empty(), "{quirks:?}");
    let [ServerData::Namespace(ns)] = &outcome.data[..] else {
        panic!("NAMESPACE: {:?}", outcome.data)
    };
    assert_eq!((ns.personal.len(), ns.other.len()), (1, 1));
    let shared: Vec<_> = ns
        .shared
        .iter()
        .map(|d| (d.prefix.as_str(), d.delimiter))
        .collect();
    assert_eq!(
        shared,
        [
            ("#shared/", Some('/')),
            ("#public/", Some('/')),
            ("#ftp/", Some('/')),
            ("#news.", Some('.'))
        ]
    );
}
