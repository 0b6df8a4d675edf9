//! Quoted strings that break the grammar: unescaped quotes inside them, and backslashes that
//! escape nothing.

use super::{fetches, transcript_of};
use crate::proto::session::CommandBody;
use crate::proto::session::tests::{fetch, mailbox};
use crate::types::response::{BodyStructure, ServerData, SinglePartKind};
use crate::types::{FetchAttr, ListPattern, Quirk, StatusAttr};

fn list() -> CommandBody {
    CommandBody::List {
        reference: ListPattern::empty(),
        patterns: vec![ListPattern::all()],
        selection: Vec::new(),
        return_options: Vec::new(),
    }
}

fn only(data: Vec<ServerData>) -> ServerData {
    assert_eq!(data.len(), 1, "{data:?}");
    data.into_iter().next().unwrap()
}

/// An unnamed server copied `Content-Type: text/html"` and an address into quoted strings
/// without escaping (jstedfast/MailKit #485, the report's log line): `"test""`, `"HTML""` and a
/// literal `8bit"` are read with their quotes, and every item of the FETCH is typed.
#[test]
fn mailkit_485_quotes_in_an_address_and_a_media_subtype() {
    let (outcome, quirks) = transcript_of(
        fetch("1", vec![FetchAttr::Envelope, FetchAttr::BodyStructure]),
        "* 1 FETCH (UID 1 FLAGS () INTERNALDATE \" 5-Apr-2017 14:38:25 +0200\" RFC822.SIZE 947 ENVELOPE (\"Wed, 5 Apr 2017 14:38:25 +0200\" \"test\" ((NIL NIL \"test\" \"acme.com\")) ((NIL NIL \"test\"\" \"acme.com\")) ((NIL NIL \"test\" \"acme.com\")) NIL NIL NIL NIL \"<54B6100D01175D77@acme.com>\") BODYSTRUCTURE (\"TEXT\" \"HTML\"\" NIL NIL NIL {5}\r\n8bit\" 74 2))\r\n",
    );
    assert_eq!(quirks.get(Quirk::UnescapedQuote), 1, "one response");
    assert_eq!(quirks.iter().count(), 1, "{quirks:?}");
    let f = &fetches(outcome)[0];
    assert_eq!((f.uid, f.rfc822_size), (Some(1), Some(947)));
    let env = f.envelope.as_deref().expect("typed envelope");
    assert_eq!(env.sender[0].mailbox.as_deref(), Some("test\""));
    assert_eq!(env.from[0].mailbox.as_deref(), Some("test"));
    assert_eq!(env.reply_to[0].host.as_deref(), Some("acme.com"));
    assert_eq!(
        env.message_id.as_deref(),
        Some("<54B6100D01175D77@acme.com>")
    );
    let BodyStructure::Single(part) = f.body_structure.as_deref().expect("typed body") else {
        panic!("a single part: {:?}", f.body_structure)
    };
    assert_eq!(
        part.kind,
        SinglePartKind::Text {
            subtype: "HTML\"".into(),
            lines: 2
        }
    );
    assert_eq!(part.fields.encoding, "8bit\"");
    assert_eq!(part.fields.octets, 74);
}

/// A Message-ID with raw quotes inside, in a qq.com mailbox (jakartaee/mail-api #669, the
/// report's line): the envelope is typed, the ID kept with its quotes.
#[test]
fn mail_api_669_message_id_with_raw_quotes() {
    let (outcome, quirks) = transcript_of(
        fetch("364", vec![FetchAttr::Envelope]),
        "* 364 FETCH (ENVELOPE (\"Wed, 6 Apr 2022 17:10:18 +0800 (CST)\" \"=?utf-8?B?44CQQk9TU+ebtOiBmOOAkeW0lOS9s+aXreeahOeugOWOhg==?=\" ((\"=?utf-8?B?Qk9TU+ebtOiBmA==?=\" NIL \"cv\" \"notice.zhipin.com\")) ((\"=?utf-8?B?Qk9TU+ebtOiBmA==?=\" NIL \"cv\" \"notice.zhipin.com\")) ((\"=?utf-8?B?Qk9TU+ebtOiBmA==?=\" NIL \"cv\" \"notice.zhipin.com\")) ((\"=?utf-8?B?NTcxODYzNTU5?=\" NIL \"571863559\" \"qq.com\")) NIL NIL NIL \"<1763943481.139839.1649236218178.JavaMail.\"cv@notice.zhipin.com\"@v-bosszpmail-01>\") INTERNALDATE \"6-Apr-2022 17:10:18 +0800\" RFC822.SIZE 1103217)\r\n",
    );
    assert_eq!(quirks.get(Quirk::UnescapedQuote), 1);
    let f = &fetches(outcome)[0];
    let env = f.envelope.as_deref().expect("typed envelope");
    assert_eq!(
        env.message_id.as_deref(),
        Some("<1763943481.139839.1649236218178.JavaMail.\"cv@notice.zhipin.com\"@v-bosszpmail-01>")
    );
    assert_eq!(env.to[0].host.as_deref(), Some("qq.com"));
    assert_eq!(f.rfc822_size, Some(1103217));
}

/// GreenMail listed a mailbox named `ab"cd` without escaping the quote
/// (greenmail-mail-test/greenmail #993): the name is typed with its quote.
#[test]
fn greenmail_mailbox_name_with_a_raw_quote() {
    let (outcome, quirks) = transcript_of(list(), "* LIST () \".\" \"ab\"cd\"\r\n");
    assert_eq!(quirks.get(Quirk::UnescapedQuote), 1);
    let ServerData::List(info) = only(outcome.data) else {
        panic!("LIST data")
    };
    assert_eq!(info.name.as_str(), "ab\"cd");
    assert_eq!(info.delimiter, Some('.'));
}

/// A Content-Description of one `"` sent as `""""` (emersion/go-imap #659; the sender's
/// Message-ID is at smtp.qiye.163.com): read as the two quotes between the outer ones, and
/// both parts and the multipart are typed.
#[test]
fn go_imap_659_four_quotes_as_a_description() {
    let (outcome, quirks) = transcript_of(
        fetch("150", vec![FetchAttr::Body]),
        "* 150 FETCH (UID 1733220355 FLAGS (\\Seen) BODY ((\"text\" \"html\" (\"charset\" \"UTF-8\") NIL NIL \"quoted-printable\" 1224 16)(\"application\" \"octet-stream\" (\"name\" \"2154973550.pdf\") NIL \"\"\"\" \"base64\" 65322) \"MIXED\"))\r\n",
    );
    assert_eq!(quirks.get(Quirk::UnescapedQuote), 1);
    assert_eq!(quirks.iter().count(), 1, "{quirks:?}");
    let f = &fetches(outcome)[0];
    assert_eq!(f.uid, Some(1733220355));
    let Some(BodyStructure::Multi(m)) = f.body_structure.as_deref() else {
        panic!("a multipart: {:?}", f.body_structure)
    };
    assert_eq!(m.subtype, "MIXED");
    let BodyStructure::Single(pdf) = &m.parts[1] else {
        panic!("typed part: {:?}", m.parts[1])
    };
    assert_eq!(pdf.fields.description.as_deref(), Some("\"\""));
    assert_eq!(pdf.fields.encoding, "base64");
    assert_eq!(pdf.fields.octets, 65322);
}

/// A quote followed by a space cannot be told from a closing quote while parsing: the issue's
/// own example (`"say "hi" now"`, written for this test, no public transcript) fails to
/// parse and is repaired at the response boundary.
#[test]
fn a_quote_before_a_space_is_repaired_at_the_response_boundary() {
    let (outcome, quirks) = transcript_of(list(), "* LIST () \"/\" \"say \"hi\" now\"\r\n");
    assert_eq!(quirks.get(Quirk::UnescapedQuote), 1);
    let ServerData::List(info) = only(outcome.data) else {
        panic!("LIST data")
    };
    assert_eq!(info.name.as_str(), "say \"hi\" now");
}

/// Tobit David.fx copied the display name `name surname \ ` into a quoted string without
/// doubling the backslash (jstedfast/MailKit #422; the report quotes the header, its FETCH
/// line is written here from it): the backslash is kept.
#[test]
fn david_fx_backslash_before_a_space_in_a_name() {
    let (outcome, quirks) = transcript_of(
        fetch("1", vec![FetchAttr::Envelope]),
        "* 1 FETCH (ENVELOPE (NIL \"Hi\" NIL NIL NIL ((\"name surname \\ \" NIL \"example\" \"somedomain.de\")) NIL NIL NIL NIL))\r\n",
    );
    assert_eq!(quirks.get(Quirk::LoneBackslash), 1);
    let f = &fetches(outcome)[0];
    let to = &f.envelope.as_deref().expect("typed").to[0];
    assert_eq!(to.name.as_deref(), Some("name surname \\ "));
    assert_eq!(to.host.as_deref(), Some("somedomain.de"));
}

/// hMailServer did not escape its `\` hierarchy delimiter (hmailserver/hmailserver #85, a
/// description without bytes; these lines are written from it): in a STATUS mailbox name
/// the backslash is kept; as the delimiter `"\"` it escapes the closing quote, the response
/// fails to parse and is repaired.
#[test]
fn hmailserver_unescaped_backslash_delimiter() {
    let (outcome, quirks) = transcript_of(
        CommandBody::Status {
            mailbox: mailbox("Parent\\Child"),
            attrs: vec![StatusAttr::Messages],
        },
        "* STATUS \"Parent\\Child\" (MESSAGES 1)\r\n",
    );
    assert_eq!(quirks.get(Quirk::LoneBackslash), 1);
    let ServerData::Status(status) = only(outcome.data) else {
        panic!("STATUS data")
    };
    assert_eq!(
        status.mailbox.as_ref().map(|m| m.as_str()),
        Some("Parent\\Child")
    );
    assert_eq!(status.messages, Some(1));

    let (outcome, quirks) =
        transcript_of(list(), "* LIST (\\HasNoChildren) \"\\\" \"INBOX\\Sub\"\r\n");
    assert_eq!(quirks.get(Quirk::LoneBackslash), 1);
    let ServerData::List(info) = only(outcome.data) else {
        panic!("LIST data")
    };
    assert_eq!(info.delimiter, Some('\\'));
    assert_eq!(info.name.as_str(), "INBOX\\Sub");
}

/// A repaired response's own quirks are counted with the repair's (written for this test: a
/// double space and a backslash before a closing quote in one response).
#[test]
fn a_repaired_response_counts_its_other_quirks_too() {
    let (outcome, quirks) = transcript_of(
        fetch("1", vec![FetchAttr::Envelope]),
        "* 1 FETCH  (ENVELOPE (NIL \"s\" ((\"C:\\\" NIL \"x\" \"y\")) NIL NIL NIL NIL NIL NIL NIL))\r\n",
    );
    assert_eq!(quirks.get(Quirk::LoneBackslash), 1);
    assert_eq!(quirks.get(Quirk::ExtraSpaces), 1);
    let f = &fetches(outcome)[0];
    let from = &f.envelope.as_deref().expect("typed").from[0];
    assert_eq!(from.name.as_deref(), Some("C:\\"));
    assert_eq!(from.host.as_deref(), Some("y"));
}
