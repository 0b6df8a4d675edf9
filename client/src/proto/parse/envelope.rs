//! `ENVELOPE` (RFC 3501 §9 `envelope`, `address`).

use super::core::{PResult, advance, byte, invalid, nil, nstring, peek, skip_spaces, sp};
use crate::proto::response::{Address, Envelope};

/// `"(" date SP subject SP from SP sender SP reply-to SP to SP cc SP bcc SP in-reply-to SP
/// message-id ")"`.
pub(super) fn envelope<'a>(i: &mut &'a [u8]) -> PResult<Envelope<'a>> {
    byte(i, b'(', "'(' of envelope")?;
    let date = nstring(i)?;
    sp(i)?;
    let subject = nstring(i)?;
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
    let in_reply_to = nstring(i)?;
    sp(i)?;
    let message_id = nstring(i)?;
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

/// `"(" 1*address ")" / nil`. Leniency: spaces between addresses (Yahoo, Zimbra) and an
/// empty list `()` (Exchange) are accepted.
fn addresses<'a>(i: &mut &'a [u8]) -> PResult<Vec<Address<'a>>> {
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
                return Ok(out);
            }
            Some(b'(') => out.push(address(i)?),
            _ => return Err(invalid(i, "address")),
        }
    }
}

/// `"(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"`.
fn address<'a>(i: &mut &'a [u8]) -> PResult<Address<'a>> {
    byte(i, b'(', "'(' of address")?;
    let name = nstring(i)?;
    sp(i)?;
    let adl = nstring(i)?;
    sp(i)?;
    let mailbox = nstring(i)?;
    sp(i)?;
    let host = nstring(i)?;
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
    use crate::proto::response::{
        Address, BodyFields, BodyParam, BodyStructure, Envelope, FetchItem, IString, SinglePart,
        SinglePartKind,
    };

    fn addr<'a>(name: Option<&'a [u8]>, mailbox: &'a [u8], host: &'a [u8]) -> Address<'a> {
        Address {
            name: name.map(IString::new),
            adl: None,
            mailbox: Some(IString::new(mailbox)),
            host: Some(IString::new(host)),
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
        let gray = addr(Some(b"Terry Gray"), b"gray", b"cac.washington.edu");
        assert_eq!(
            items[3],
            FetchItem::Envelope(Box::new(Envelope {
                date: Some(IString::new(b"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)")),
                subject: Some(IString::new(b"IMAP4rev1 WG mtg summary and minutes")),
                from: vec![gray],
                sender: vec![gray],
                reply_to: vec![gray],
                to: vec![addr(None, b"imap", b"cac.washington.edu")],
                cc: vec![
                    addr(None, b"minutes", b"CNRI.Reston.VA.US"),
                    addr(Some(b"John Klensin"), b"KLENSIN", b"MIT.EDU"),
                ],
                bcc: vec![],
                in_reply_to: None,
                message_id: Some(IString::new(b"<B27397-0100000@cac.washington.edu>")),
            }))
        );
        assert_eq!(
            items[4],
            FetchItem::Body(Box::new(BodyStructure::Single(SinglePart {
                kind: SinglePartKind::Text {
                    subtype: IString::new(b"PLAIN"),
                    lines: 92
                },
                fields: BodyFields {
                    params: vec![BodyParam {
                        name: IString::new(b"CHARSET"),
                        value: IString::new(b"US-ASCII")
                    }],
                    id: None,
                    description: None,
                    encoding: IString::new(b"7BIT"),
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
        assert_eq!(&*env.from[0].name.unwrap().to_bytes(), b"A \"x\"");
    }

    #[test]
    fn group_syntax_and_literal_subject() {
        let items = fetch_items(
            b"* 1 FETCH (ENVELOPE (NIL {3}\r\nS\xc3\xa9 ((NIL NIL \"grp\" NIL)(NIL NIL \"a\" \"h\")(NIL NIL NIL NIL)) NIL NIL NIL NIL NIL NIL NIL))\r\n",
        );
        let FetchItem::Envelope(env) = &items[0] else {
            panic!()
        };
        assert_eq!(env.subject.unwrap().to_string_lossy(), "Sé");
        assert_eq!(env.from.len(), 3);
        assert_eq!(env.from[0].host, None);
        assert_eq!(env.from[2], Address::default());
    }
}
