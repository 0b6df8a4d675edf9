//! `LIST` / `LSUB` and `STATUS` data.

use super::ParseErrorKind;
use super::core::{
    PResult, astring, at_eol, byte, delimiter, eq_kw, flag_atom, item_name, nil, number, number64,
    paren_list, peek, skip_spaces, skip_value, sp,
};
use super::noted_quirks::{keeping_untyped, note_quirk};
use crate::proto::response::{ListExtendedItem, ListItem, StatusItem, StatusResponseData};
use crate::types::Quirk;

/// `SP "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox
/// [SP mbox-list-extended]`. Leniency: lower-case attributes (Cyrus sends `\drafts`).
pub(super) fn list<'a>(i: &mut &'a [u8]) -> PResult<ListItem<'a>> {
    sp(i)?;
    let attributes = paren_list(i, list_attribute)?;
    sp(i)?;
    let delimiter = delimiter(i)?;
    sp(i)?;
    let name = astring(i)?;
    let mut extended = Vec::new();
    if !at_eol(i) {
        sp(i)?;
        extended = paren_list(i, extended_item)?;
    }
    Ok(ListItem {
        attributes,
        delimiter,
        name,
        extended,
    })
}

/// One mailbox attribute (`\Noselect`, `\Sent`, …). Leniency: a lone `\` is kept
/// ([`Quirk::EmptyMailboxAttribute`]).
fn list_attribute<'a>(i: &mut &'a [u8]) -> PResult<&'a [u8]> {
    if let [b'\\', b')' | b' ', ..] = i {
        let (lone, rest) = i.split_at(1);
        *i = rest;
        note_quirk(Quirk::EmptyMailboxAttribute);
        return Ok(lone);
    }
    flag_atom(i)
}

/// `mbox-list-extended-item` = tag SP value (RFC 5258 §9).
fn extended_item<'a>(i: &mut &'a [u8]) -> PResult<ListExtendedItem<'a>> {
    let tag = astring(i)?;
    sp(i)?;
    if eq_kw(tag.raw(), b"CHILDINFO") {
        return Ok(ListExtendedItem::ChildInfo(paren_list(i, astring)?));
    }
    if eq_kw(tag.raw(), b"OLDNAME") && peek(i) == Some(b'(') {
        byte(i, b'(', "'(' of OLDNAME")?;
        let name = astring(i)?;
        skip_spaces(i);
        byte(i, b')', "')' of OLDNAME")?;
        return Ok(ListExtendedItem::OldName(name));
    }
    Ok(ListExtendedItem::Other {
        tag,
        raw: skip_value(i)?,
    })
}

/// `SP mailbox SP "(" [status-att-list] ")"`. Leniency: the mailbox may be a literal with
/// UTF-8 even without UTF8=ACCEPT (Dovecot's NOTIFY).
pub(super) fn status<'a>(i: &mut &'a [u8]) -> PResult<StatusResponseData<'a>> {
    sp(i)?;
    let mailbox = astring(i)?;
    sp(i)?;
    let items = paren_list(i, status_item)?;
    Ok(StatusResponseData { mailbox, items })
}

/// One `name SP value`. A known item whose value does not parse (a UIDVALIDITY over 2^32)
/// is kept as [`StatusItem::Other`] with its raw value, so the other items stay typed
/// ([`Quirk::UntypedValue`]).
fn status_item<'a>(i: &mut &'a [u8]) -> PResult<StatusItem<'a>> {
    let name = item_name(i)?;
    sp(i)?;
    let start = *i;
    match typed_status_item(i, name) {
        Err(e) if e.kind == ParseErrorKind::Invalid && keeping_untyped() => {
            *i = start;
            let raw = skip_value(i).map_err(|_| e)?;
            note_quirk(Quirk::UntypedValue);
            Ok(StatusItem::Other { name, raw })
        }
        result => result,
    }
}

fn typed_status_item<'a>(i: &mut &'a [u8], name: &'a [u8]) -> PResult<StatusItem<'a>> {
    Ok(match name.len() {
        4 if eq_kw(name, b"SIZE") => StatusItem::Size(number64(i)?),
        6 if eq_kw(name, b"RECENT") => StatusItem::Recent(number(i)?),
        6 if eq_kw(name, b"UNSEEN") => StatusItem::Unseen(number(i)?),
        7 if eq_kw(name, b"UIDNEXT") => StatusItem::UidNext(number(i)?),
        7 if eq_kw(name, b"DELETED") => StatusItem::Deleted(number(i)?),
        8 if eq_kw(name, b"MESSAGES") => StatusItem::Messages(number(i)?),
        9 if eq_kw(name, b"MAILBOXID") => StatusItem::MailboxId(super::core::object_id(i)?),
        11 if eq_kw(name, b"UIDVALIDITY") => StatusItem::UidValidity(number(i)?),
        11 if eq_kw(name, b"APPENDLIMIT") => {
            StatusItem::AppendLimit(if nil(i)? { None } else { Some(number64(i)?) })
        }
        13 if eq_kw(name, b"HIGHESTMODSEQ") => StatusItem::HighestModSeq(number64(i)?),
        15 if eq_kw(name, b"DELETED-STORAGE") => StatusItem::DeletedStorage(number64(i)?),
        _ => StatusItem::Other {
            name,
            raw: skip_value(i)?,
        },
    })
}

#[cfg(test)]
mod tests {
    use crate::proto::parse::test_util::data;
    use crate::proto::response::{
        Data, IString, ListExtendedItem, ListItem, StatusItem, StatusResponseData,
    };

    fn list(input: &[u8]) -> ListItem<'_> {
        match data(input) {
            Data::List(l) | Data::Lsub(l) => l,
            o => panic!("{o:?}"),
        }
    }

    #[test]
    fn unknown_status_items_as_long_as_known_ones_are_kept_as_other() {
        // Item names are matched by length first: an unknown name of each known length must
        // not fall into a known item's parser.
        for len in 4..=15 {
            let name = "X".repeat(len);
            let line = format!("* STATUS INBOX ({name} (a b) MESSAGES 2)\r\n");
            assert_eq!(
                data(line.as_bytes()),
                Data::Status(StatusResponseData {
                    mailbox: IString::new(b"INBOX"),
                    items: vec![
                        StatusItem::Other {
                            name: name.as_bytes(),
                            raw: b"(a b)"
                        },
                        StatusItem::Messages(2),
                    ],
                }),
                "{name}"
            );
        }
    }

    #[test]
    fn a_bad_status_value_fails_the_strict_parse_and_is_kept_raw_in_the_last_attempt() {
        let line = b"* STATUS INBOX (MESSAGES x UIDNEXT 2)\r\n";
        assert_eq!(
            crate::proto::parse_response(line).unwrap_err().kind,
            crate::proto::ParseErrorKind::Invalid
        );
        let (resp, _) = crate::proto::parse::parse_keeping_untyped(line).unwrap();
        assert_eq!(
            resp,
            crate::proto::response::Response::Data(Data::Status(StatusResponseData {
                mailbox: IString::new(b"INBOX"),
                items: vec![
                    StatusItem::Other {
                        name: b"MESSAGES",
                        raw: b"x"
                    },
                    StatusItem::UidNext(2),
                ],
            }))
        );
        // Input that ends inside a value stays incomplete in the last attempt too.
        assert_eq!(
            crate::proto::parse::parse_keeping_untyped(b"* STATUS INBOX (MESSAGES ")
                .unwrap_err()
                .kind,
            crate::proto::ParseErrorKind::Incomplete
        );
    }

    #[test]
    fn plain_list_and_lsub() {
        let l = list(b"* LIST (\\Noselect) \"/\" ~/Mail/foo\r\n");
        assert_eq!(l.attributes, vec![&b"\\Noselect"[..]]);
        assert_eq!(l.delimiter, Some(b'/'));
        assert_eq!(l.name, IString::new(b"~/Mail/foo"));
        let l = list(b"* LSUB () \".\" #news.comp.mail.misc\r\n");
        assert!(l.attributes.is_empty());
        assert_eq!(list(b"* LIST () NIL inbox\r\n").delimiter, None);
        assert_eq!(
            list(b"* LIST () \"\\\\\" \"a\\\\b\"\r\n").delimiter,
            Some(b'\\')
        );
    }

    #[test]
    fn special_use_attributes_including_cyrus_lower_case() {
        let l = list(b"* LIST (\\HasNoChildren \\drafts) \"/\" Drafts\r\n");
        assert_eq!(l.attributes, vec![&b"\\HasNoChildren"[..], b"\\drafts"]);
    }

    #[test]
    fn list_extended_childinfo_and_oldname() {
        let l = list(b"* LIST (\\Subscribed) \"/\" \"Foo\" (\"CHILDINFO\" (\"SUBSCRIBED\") \"OLDNAME\" (\"Bar\") \"X-Y\" 1)\r\n");
        assert_eq!(
            l.extended,
            vec![
                ListExtendedItem::ChildInfo(vec![IString::new(b"SUBSCRIBED")]),
                ListExtendedItem::OldName(IString::new(b"Bar")),
                ListExtendedItem::Other {
                    tag: IString::new(b"X-Y"),
                    raw: b"1"
                },
            ]
        );
    }

    #[test]
    fn status_with_every_item() {
        let d = data(
            b"* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292 UIDVALIDITY 1 UNSEEN 3 DELETED 2 SIZE 123456789012 RECENT 0 HIGHESTMODSEQ 7 APPENDLIMIT NIL MAILBOXID (F123) DELETED-STORAGE 4096 X-NEW (1 2))\r\n",
        );
        assert_eq!(
            d,
            Data::Status(StatusResponseData {
                mailbox: IString::new(b"blurdybloop"),
                items: vec![
                    StatusItem::Messages(231),
                    StatusItem::UidNext(44292),
                    StatusItem::UidValidity(1),
                    StatusItem::Unseen(3),
                    StatusItem::Deleted(2),
                    StatusItem::Size(123456789012),
                    StatusItem::Recent(0),
                    StatusItem::HighestModSeq(7),
                    StatusItem::AppendLimit(None),
                    StatusItem::MailboxId(b"F123"),
                    StatusItem::DeletedStorage(4096),
                    StatusItem::Other {
                        name: b"X-NEW",
                        raw: b"(1 2)"
                    },
                ]
            })
        );
    }

    #[test]
    fn status_with_utf8_literal_name_from_dovecot_notify() {
        let Data::Status(s) = data("* STATUS {7}\r\nBücher (MESSAGES 1)\r\n".as_bytes()) else {
            panic!()
        };
        assert_eq!(s.mailbox.to_string_lossy(), "Bücher");
    }

    #[test]
    fn cyrus_junk_mailboxid_is_opaque() {
        let Data::Status(s) = data(b"* STATUS INBOX (MESSAGES 1 MAILBOXID (\x90\x01 \xff))\r\n")
        else {
            panic!()
        };
        assert_eq!(s.items[1], StatusItem::MailboxId(b"\x90\x01 \xff"));
    }

    /// Junk ids seen from Cyrus 3.6 when MAILBOXID comes with other items: a heap pointer's
    /// bytes, cut at its first NUL (so possibly empty or a lone space).
    #[test]
    fn cyrus_junk_mailboxid_between_items_keeps_the_other_items() {
        for junk in [
            &b"p\xad\xa2\xb7\xdaU"[..],
            b" \xad\xa2\xb7\xdaU",
            b" ",
            b"",
            b"5${'\xa3U",
            // A `)` inside the junk (seen: `(n)\xc0\xf1\xd8U)` and `(E\xed\x1c)!V)`).
            b"n)\xc0\xf1\xd8U",
            b"E\xed\x1c)!V",
        ] {
            let mut line = b"* STATUS INBOX (MESSAGES 4 UIDNEXT 5 MAILBOXID (".to_vec();
            line.extend_from_slice(junk);
            line.extend_from_slice(b") UNSEEN 3)\r\n");
            let Data::Status(s) = data(&line) else {
                panic!("{junk:?}")
            };
            assert_eq!(s.items.len(), 4, "{junk:?}");
            assert_eq!(s.items[2], StatusItem::MailboxId(junk));
            assert_eq!(s.items[3], StatusItem::Unseen(3));
        }
    }

    #[test]
    fn a_parenthesised_value_of_another_tag_is_not_an_oldname() {
        let l = list(b"* LIST () \"/\" Foo (\"X-NEW\" (\"Bar\"))\r\n");
        assert_eq!(
            l.extended,
            vec![ListExtendedItem::Other {
                tag: IString::new(b"X-NEW"),
                raw: b"(\"Bar\")"
            }]
        );
    }
}
