//! LIST-like responses: XLIST and odd mailbox attributes.

use super::transcript_with_events;
use crate::proto::session::CommandBody;
use crate::types::response::{MailboxAttribute, MailboxInfo, ServerData};
use crate::types::{Quirk, TypedEvent};

/// The XLIST entries among the unsolicited events.
fn xlist(events: Vec<TypedEvent>) -> Vec<MailboxInfo> {
    events
        .into_iter()
        .map(|e| match e {
            TypedEvent::Data(ServerData::XList(info)) => info,
            other => panic!("XLIST data expected, got {other:?}"),
        })
        .collect()
}

fn other(name: &str) -> MailboxAttribute {
    MailboxAttribute::Other(name.into())
}

/// QQ Exmail answers XLIST (jstedfast/MailKit #1241, the report's lines, here arriving
/// while a NOOP runs): typed, its special-use attributes as LIST's, the modified UTF-7 name
/// decoded.
#[test]
fn qq_exmail_xlist() {
    let (_, quirks, events) = transcript_with_events(
        CommandBody::Noop,
        "* XLIST (\\NoSelect \\HasChildren) \"/\" \"&UXZO1mWHTvZZOQ-\"\r\n* XLIST (\\HasNoChildren \\Drafts) \"/\" \"Drafts\"\r\n* XLIST (\\HasNoChildren \\Junk) \"/\" \"Junk\"\r\n* XLIST (\\HasNoChildren \\Trash) \"/\" \"Deleted Messages\"\r\n* XLIST (\\HasNoChildren \\Sent) \"/\" \"Sent Messages\"\r\n* XLIST (\\HasNoChildren \\Inbox) \"/\" \"INBOX\"\r\n",
    );
    assert_eq!(quirks.get(Quirk::XList), 6, "six responses");
    let got = xlist(events);
    assert_eq!(got.len(), 6);
    assert_eq!(
        got[0].attributes,
        [MailboxAttribute::NoSelect, MailboxAttribute::HasChildren]
    );
    assert_eq!(got[0].name.as_str(), "其他文件夹");
    assert_eq!(got[0].delimiter, Some('/'));
    assert_eq!(got[2].attributes[1], MailboxAttribute::Junk);
    assert_eq!(got[4].name.as_str(), "Sent Messages");
    assert_eq!(got[5].attributes[1], other("\\Inbox"));
}

/// Gmail's XLIST (zone-eu/wildduck #91, the report's first lines): the inbox sent as `Inbox`
/// is read as INBOX (its name is case-insensitive), `\AllMail` as SPECIAL-USE's `\All`.
#[test]
fn gmail_xlist() {
    let (_, quirks, events) = transcript_with_events(
        CommandBody::Noop,
        "* XLIST (\\HasNoChildren \\Inbox) \"/\" \"Inbox\"\r\n* XLIST (\\HasChildren \\Noselect) \"/\" \"[Gmail]\"\r\n* XLIST (\\AllMail \\HasNoChildren) \"/\" \"[Gmail]/All Mail\"\r\n",
    );
    assert_eq!(quirks.get(Quirk::XList), 3);
    let got = xlist(events);
    assert_eq!(got[0].name.as_str(), "INBOX");
    assert_eq!(
        got[0].attributes,
        [MailboxAttribute::HasNoChildren, other("\\Inbox")]
    );
    assert_eq!(
        got[2].attributes,
        [MailboxAttribute::All, MailboxAttribute::HasNoChildren]
    );
    assert_eq!(got[2].name.as_str(), "[Gmail]/All Mail");
}

/// An XLIST with a lone `\` among the attributes, reportedly from Dovecot (dinhvh/libetpan
/// #403, the report's lines): the `\` is kept as an attribute and the entries are typed.
#[test]
fn lone_backslash_attribute() {
    let (_, quirks, events) = transcript_with_events(
        CommandBody::Noop,
        "* XLIST (\\HasChildren \\) \".\" \"Archive\"\r\n* XLIST (\\HasNoChildren \\Draft) \".\" \"DRAFTS\"\r\n",
    );
    assert_eq!(quirks.get(Quirk::EmptyMailboxAttribute), 1);
    assert_eq!(quirks.get(Quirk::XList), 2);
    let got = xlist(events);
    assert_eq!(
        got[0].attributes,
        [MailboxAttribute::HasChildren, other("\\")]
    );
    assert_eq!(got[0].name.as_str(), "Archive");
    assert_eq!(got[1].attributes[1], other("\\Draft"));
}
