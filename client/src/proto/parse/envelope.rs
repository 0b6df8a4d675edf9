//! `ENVELOPE` (RFC 3501 §9 `envelope`, `address`).

//!
//! Parsed straight into the public model ([`crate::types::response::Envelope`]): an envelope
//! is always converted, so a borrowed copy in between would only cost allocations.

use super::core::{PResult, advance, byte, invalid, nil, nstring, peek, skip_spaces, sp};
use super::noted_quirks::note_quirk;
use crate::proto::response::IString;
use crate::types::Quirk;
use crate::types::response::{Address, Envelope};

/// A string's value as text (escapes removed, invalid UTF-8 replaced by U+FFFD).
pub(super) fn text(s: IString<'_>) -> String {
    s.to_string_lossy()
}

/// [`text`] of an `nstring`.
pub(super) fn opt_text(s: Option<IString<'_>>) -> Option<String> {
    s.map(text)
}

/// `"(" date SP subject SP from SP sender SP reply-to SP to SP cc SP bcc SP in-reply-to SP
/// message-id ")"`.
pub(super) fn envelope(i: &mut &[u8]) -> PResult<Envelope> {
    byte(i, b'(', "'(' of envelope")?;
    let date = opt_text(nstring(i)?);
    sp(i)?;
    let subject = opt_text(nstring(i)?);
    sp(i)?;
    let from = addresses(i)?;
    sp(i)?;
    let sender = addresses(i)?;
    sp(i)?;
    let reply_to = addresses(i)?;
    sp(i)?;
    let to = addresses(i)?;
    sp(i)?;
    let cc = addresses(i)?;
    sp(i)?;
    let bcc = addresses(i)?;
    sp(i)?;
    let in_reply_to = opt_text(nstring(i)?);
    let message_id = if peek(i) == Some(b')') {
        note_quirk(Quirk::ShortEnvelope);
        None
    } else {
        sp(i)?;
        opt_text(nstring(i)?)
    };
    skip_spaces(i);
    byte(i, b')', "')' of envelope")?;
    Ok(Envelope {
        date,
        subject,
        from,
        sender,
        reply_to,
        to,
        cc,
        bcc,
        in_reply_to,
        message_id,
    })
}

/// `"(" 1*address ")" / nil`. Leniency: spaces between addresses, and an empty list `()`
/// ([`Quirk::EmptyAddressList`]).
fn addresses(i: &mut &[u8]) -> PResult<Vec<Address>> {
    if peek(i) != Some(b'(') {
        if nil(i)? {
            return Ok(Vec::new());
        }
        return Err(invalid(i, "address list"));
    }
    advance(i, 1);
    let mut out = Vec::with_capacity(1);
    loop {
        skip_spaces(i);
        match peek(i) {
            Some(b')') => {
                advance(i, 1);
                if out.is_empty() {
                    note_quirk(Quirk::EmptyAddressList);
                }
                return Ok(out);
            }
            Some(b'(') => out.push(address(i)?),
            _ => return Err(invalid(i, "address")),
        }
    }
}

/// `"(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"`.
fn address(i: &mut &[u8]) -> PResult<Address> {
    byte(i, b'(', "'(' of address")?;
    let name = opt_text(nstring(i)?);
    sp(i)?;
    let adl = opt_text(nstring(i)?);
    sp(i)?;
    let mailbox = opt_text(nstring(i)?);
    sp(i)?;
    let host = opt_text(nstring(i)?);
    skip_spaces(i);
    byte(i, b')', "')' of address")?;
    Ok(Address {
        name,
        adl,
        mailbox,
        host,
    })
}

#[cfg(test)]
mod tests {
    use crate::proto::parse::test_util::fetch_items;
    use crate::proto::response::FetchItem;
    use crate::types::response::{
        Address, BodyFields, BodyStructure, Envelope, SinglePart, SinglePartKind,
    };

    fn addr(name: Option<&str>, mailbox: &str, host: &str) -> Address {
        Address {
            name: name.map(str::to_owned),
            adl: None,
            mailbox: Some(mailbox.to_owned()),
            host: Some(host.to_owned()),
        }
    }

    #[test]
    fn rfc3501_section8_fetch_example() {
        let items = fetch_items(
            b"* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" \
RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \
\"IMAP4rev1 WG mtg summary and minutes\" \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((NIL NIL \"imap\" \"cac.washington.edu\")) \
((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")\
(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \
\"<B27397-0100000@cac.washington.edu>\") \
BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n",
        );
        let gray = addr(Some("Terry Gray"), "gray", "cac.washington.edu");
        assert_eq!(
            items[3],
            FetchItem::Envelope(Box::new(Envelope {
                date: Some("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)".to_owned()),
                subject: Some("IMAP4rev1 WG mtg summary and minutes".to_owned()),
                from: vec![gray.clone()],
                sender: vec![gray.clone()],
                reply_to: vec![gray.clone()],
                to: vec![addr(None, "imap", "cac.washington.edu")],
                cc: vec![
                    addr(None, "minutes", "CNRI.Reston.VA.US"),
                    addr(Some("John Klensin"), "KLENSIN", "MIT.EDU"),
                ],
                bcc: vec![],
                in_reply_to: None,
                message_id: Some("<B27397-0100000@cac.washington.edu>".to_owned()),
            }))
        );
        assert_eq!(
            items[4],
            FetchItem::Body(Box::new(BodyStructure::Single(SinglePart {
                kind: SinglePartKind::Text {
                    subtype: "PLAIN".to_owned(),
                    lines: 92
                },
                fields: BodyFields {
                    params: vec![("CHARSET".to_owned(), "US-ASCII".to_owned())],
                    id: None,
                    description: None,
                    encoding: "7BIT".to_owned(),
                    octets: 3028,
                },
                md5: None,
                extension: Default::default(),
            })))
        );
    }

    #[test]
    fn spaces_between_addresses_and_escapes_in_names() {
        let items = fetch_items(
            b"* 1 FETCH (ENVELOPE (NIL NIL ((\"A \\\"x\\\"\" NIL \"a\" \"h\") (NIL NIL \"b\" \"h\")) NIL NIL NIL NIL NIL NIL NIL))\r\n",
        );
        let FetchItem::Envelope(env) = &items[0] else {
            panic!()
        };
        assert_eq!(env.from.len(), 2);
        assert_eq!(env.from[0].name.as_deref(), Some("A \"x\""));
    }

    #[test]
    fn group_syntax_and_literal_subject() {
        let items = fetch_items(
            b"* 1 FETCH (ENVELOPE (NIL {3}\r\nS\xc3\xa9 ((NIL NIL \"grp\" NIL)(NIL NIL \"a\" \"h\")(NIL NIL NIL NIL)) NIL NIL NIL NIL NIL NIL NIL))\r\n",
        );
        let FetchItem::Envelope(env) = &items[0] else {
            panic!()
        };
        assert_eq!(env.subject.as_deref(), Some("Sé"));
        assert_eq!(env.from.len(), 3);
        assert_eq!(env.from[0].host, None);
        assert_eq!(env.from[2], Address::default());
    }
}
