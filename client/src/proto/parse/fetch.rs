//! `* n FETCH (...)` — the hot path. Items are dispatched on their length and a
//! case-insensitive byte comparison; literals are borrowed slices; flag lists are validated
//! and kept as one slice.

use super::ParseErrorKind;
use super::core::{
    PErr, PResult, advance, byte, eq_kw, incomplete, invalid, item_name, nil, nstring, number,
    number64, peek, skip_spaces, skip_value, sp,
};
use super::noted_quirks::{keeping_untyped, note_quirk, noted_quirks, restore_noted_quirks};
use crate::proto::response::{FetchItem, FetchResponse, Section};
use crate::types::Quirk;

/// The `(...)` after `* n FETCH `.
pub(super) fn fetch<'a>(i: &mut &'a [u8], seq: u32) -> PResult<FetchResponse<'a>> {
    byte(i, b'(', "'(' of FETCH")?;
    let mut items = Vec::with_capacity(4);
    let keep_untyped = keeping_untyped();
    loop {
        if peek(i) == Some(b' ') {
            advance(i, 1);
            // Leniency: extra spaces between items and before ')' (`Quirk::ExtraSpaces`).
            if matches!(peek(i), Some(b' ' | b')')) {
                note_quirk(Quirk::ExtraSpaces);
                skip_spaces(i);
            }
        }
        if peek(i) == Some(b')') {
            advance(i, 1);
            return Ok(FetchResponse { seq, items });
        }
        let start = *i;
        let noted = if keep_untyped { noted_quirks() } else { 0 };
        match item(i) {
            Ok(it) => items.push(it),
            Err(e) => items.push(untyped(i, start, noted, e, keep_untyped)?),
        }
        match peek(i) {
            Some(b' ' | b')') => {}
            _ => return Err(invalid(i, "space or ')' after FETCH item")),
        }
    }
}

fn item<'a>(i: &mut &'a [u8]) -> PResult<FetchItem<'a>> {
    let start = *i;
    let name = item_name(i)?;
    let it = match name.len() {
        3 if eq_kw(name, b"UID") => {
            sp(i)?;
            FetchItem::Uid(number(i)?)
        }
        4 if eq_kw(name, b"BODY") => {
            if peek(i) == Some(b'[') {
                let (section, origin) = section_and_origin(i)?;
                sp(i)?;
                FetchItem::BodySection {
                    section,
                    origin,
                    data: nstring(i)?,
                }
            } else {
                sp(i)?;
                FetchItem::Body(Box::new(super::body::body(i, 1)?))
            }
        }
        5 if eq_kw(name, b"FLAGS") => {
            sp(i)?;
            FetchItem::Flags(super::flags::flag_list(i)?)
        }
        6 if eq_kw(name, b"MODSEQ") => {
            sp(i)?;
            byte(i, b'(', "'(' of MODSEQ")?;
            let n = number64(i)?;
            byte(i, b')', "')' of MODSEQ")?;
            FetchItem::ModSeq(n)
        }
        6 if eq_kw(name, b"RFC822") => {
            sp(i)?;
            FetchItem::Rfc822(nstring(i)?)
        }
        6 if eq_kw(name, b"BINARY") => {
            let (section, origin) = section_and_origin(i)?;
            sp(i)?;
            FetchItem::Binary {
                section,
                origin,
                data: nstring(i)?,
            }
        }
        7 if eq_kw(name, b"EMAILID") => {
            sp(i)?;
            FetchItem::EmailId(super::core::object_id(i)?)
        }
        7 if eq_kw(name, b"PREVIEW") => {
            sp(i)?;
            FetchItem::Preview(preview(i)?)
        }
        8 if eq_kw(name, b"ENVELOPE") => {
            sp(i)?;
            FetchItem::Envelope(Box::new(super::envelope::envelope(i)?))
        }
        8 if eq_kw(name, b"THREADID") => {
            sp(i)?;
            FetchItem::ThreadId(if nil(i)? {
                None
            } else {
                Some(super::core::object_id(i)?)
            })
        }
        8 if eq_kw(name, b"SAVEDATE") => {
            sp(i)?;
            FetchItem::SaveDate(if nil(i)? { None } else { Some(date(i)?) })
        }
        10 if eq_kw(name, b"X-GM-MSGID") => {
            sp(i)?;
            FetchItem::GmailMessageId(number64(i)?)
        }
        10 if eq_kw(name, b"X-GM-THRID") => {
            sp(i)?;
            FetchItem::GmailThreadId(number64(i)?)
        }
        11 if eq_kw(name, b"X-GM-LABELS") => {
            sp(i)?;
            FetchItem::GmailLabels(gmail_labels(i)?)
        }
        11 if eq_kw(name, b"RFC822.SIZE") => {
            sp(i)?;
            FetchItem::Rfc822Size(number64(i)?)
        }
        11 if eq_kw(name, b"RFC822.TEXT") => {
            sp(i)?;
            FetchItem::Rfc822Text(nstring(i)?)
        }
        11 if eq_kw(name, b"BINARY.SIZE") => {
            let (section, _) = section_and_origin(i)?;
            sp(i)?;
            FetchItem::BinarySize {
                section,
                size: number64(i)?,
            }
        }
        12 if eq_kw(name, b"INTERNALDATE") => {
            sp(i)?;
            FetchItem::InternalDate(date(i)?)
        }
        13 if eq_kw(name, b"BODYSTRUCTURE") => {
            sp(i)?;
            FetchItem::BodyStructure(Box::new(super::body::body(i, 1)?))
        }
        13 if eq_kw(name, b"RFC822.HEADER") => {
            sp(i)?;
            FetchItem::Rfc822Header(nstring(i)?)
        }
        _ => return other(i, start),
    };
    Ok(it)
}

/// A known item whose value does not parse (`MODSEQ (-1)`, a UID over 2^32) kept as
/// [`FetchItem::Other`] with its raw value when `keep` ([`keeping_untyped`]), so the FETCH's
/// other items stay typed ([`Quirk::UntypedValue`]); otherwise, or if the value cannot be
/// skipped either, the item's `error` stands. The notes made while trying it are dropped
/// (back to `noted`).
#[cold]
fn untyped<'a>(
    i: &mut &'a [u8],
    start: &'a [u8],
    noted: u64,
    error: PErr,
    keep: bool,
) -> PResult<FetchItem<'a>> {
    if !keep || error.kind != ParseErrorKind::Invalid {
        return Err(error);
    }
    *i = start;
    let it = item_name(i)
        .and_then(|_| other(i, start))
        .map_err(|_| error)?;
    restore_noted_quirks(noted);
    note_quirk(Quirk::UntypedValue);
    Ok(it)
}

/// An unknown item: `name[section]<origin>` (if any), a space and one value of any shape.
fn other<'a>(i: &mut &'a [u8], start: &'a [u8]) -> PResult<FetchItem<'a>> {
    if peek(i) == Some(b'[') {
        section_and_origin(i)?;
    }
    let name = start.get(..start.len() - i.len()).unwrap_or_default();
    sp(i)?;
    Ok(FetchItem::Other {
        name,
        raw: skip_value(i)?,
    })
}

/// `(label …)` of `X-GM-LABELS`: system labels as flag atoms (`\Inbox`), user labels as
/// astrings (Google's "IMAP Extensions" page: `(\Inbox \Sent Important "Muy Importante")`).
fn gmail_labels<'a>(i: &mut &'a [u8]) -> PResult<Vec<crate::proto::response::IString<'a>>> {
    super::core::paren_list(i, |i| {
        if peek(i) == Some(b'\\') {
            super::core::flag_atom(i).map(crate::proto::response::IString::new)
        } else {
            super::core::astring(i)
        }
    })
}

/// A quoted date (INTERNALDATE, SAVEDATE), kept as sent.
fn date<'a>(i: &mut &'a [u8]) -> PResult<&'a [u8]> {
    let s = super::core::quoted(i)?;
    // A date never holds escapes.
    if s.is_escaped() {
        Err(invalid(i, "date"))
    } else {
        Ok(s.raw())
    }
}

/// `PREVIEW nstring`. Leniency: Dovecot 2.3's draft form `PREVIEW (FUZZY "...")` too.
fn preview<'a>(i: &mut &'a [u8]) -> PResult<Option<crate::proto::response::IString<'a>>> {
    if peek(i) == Some(b'(') {
        advance(i, 1);
        note_quirk(Quirk::PreviewFuzzy);
        super::core::atom(i)?;
        sp(i)?;
        let s = nstring(i)?;
        skip_spaces(i);
        byte(i, b')', "')' of PREVIEW")?;
        return Ok(s);
    }
    nstring(i)
}

/// `"[" section "]" ["<" number ">"]`. Leniency: the origin is accepted after BINARY too,
/// as Dovecot and Cyrus send `BINARY[2]<0>` for partial fetches.
fn section_and_origin<'a>(i: &mut &'a [u8]) -> PResult<(Section<'a>, Option<u32>)> {
    byte(i, b'[', "'[' of section")?;
    let s = *i;
    let section = match memchr::memchr2(b']', b'\n', s) {
        Some(n) if s.get(n) == Some(&b']') => {
            let (sec, rest) = s.split_at(n);
            *i = rest.get(1..).unwrap_or_default();
            Section(sec)
        }
        Some(n) => return Err(invalid(s.get(n..).unwrap_or_default(), "']' of section")),
        None => return Err(incomplete(&[])),
    };
    let origin = if peek(i) == Some(b'<') {
        advance(i, 1);
        let n = number(i)?;
        byte(i, b'>', "'>' of origin")?;
        Some(n)
    } else {
        None
    };
    Ok((section, origin))
}

#[cfg(test)]
mod tests {
    use crate::proto::parse::test_util::{assert_prefixes_incomplete, data, fetch_items};
    use crate::proto::response::{Data, FetchItem, FetchResponse, FlagList, IString, Section};

    #[test]
    fn corpus_a_line() {
        let d = data(b"* 1 FETCH (UID 1 FLAGS (\\Flagged \\Seen) RFC822.SIZE 1281)\r\n");
        assert_eq!(
            d,
            Data::Fetch(FetchResponse {
                seq: 1,
                items: vec![
                    FetchItem::Uid(1),
                    FetchItem::Flags(FlagList(b"\\Flagged \\Seen")),
                    FetchItem::Rfc822Size(1281),
                ]
            })
        );
    }

    #[test]
    fn empty_flags_and_lower_case_items() {
        let items = fetch_items(b"* 2 fetch (flags () uid 9)\r\n");
        assert_eq!(
            items,
            vec![FetchItem::Flags(FlagList(b"")), FetchItem::Uid(9)]
        );
    }

    #[test]
    fn body_section_literal_is_borrowed() {
        let items = fetch_items(b"* 1 FETCH (UID 1 BODY[] {5}\r\nHello)\r\n");
        assert_eq!(
            items[1],
            FetchItem::BodySection {
                section: Section(b""),
                origin: None,
                data: Some(IString::new(b"Hello"))
            }
        );
    }

    #[test]
    fn body_section_with_origin_and_header_fields() {
        let items = fetch_items(
            b"* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)]<0> \"Subject: x\" BODY[1.2] NIL)\r\n",
        );
        assert_eq!(
            items,
            vec![
                FetchItem::BodySection {
                    section: Section(b"HEADER.FIELDS (SUBJECT)"),
                    origin: Some(0),
                    data: Some(IString::new(b"Subject: x"))
                },
                FetchItem::BodySection {
                    section: Section(b"1.2"),
                    origin: None,
                    data: None
                },
            ]
        );
    }

    #[test]
    fn binary_with_origin_literal8_and_size() {
        let items =
            fetch_items(b"* 1 FETCH (BINARY[2]<0> ~{3}\r\n\x00\x01\x02 BINARY.SIZE[2] 1234)\r\n");
        assert_eq!(
            items,
            vec![
                FetchItem::Binary {
                    section: Section(b"2"),
                    origin: Some(0),
                    data: Some(IString::new(b"\x00\x01\x02"))
                },
                FetchItem::BinarySize {
                    section: Section(b"2"),
                    size: 1234
                },
            ]
        );
    }

    #[test]
    fn rfc822_items_internaldate_modseq() {
        let items = fetch_items(
            b"* 3 FETCH (RFC822 {2}\r\nab RFC822.HEADER \"h\" RFC822.TEXT NIL INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" MODSEQ (624140003))\r\n",
        );
        assert_eq!(
            items,
            vec![
                FetchItem::Rfc822(Some(IString::new(b"ab"))),
                FetchItem::Rfc822Header(Some(IString::new(b"h"))),
                FetchItem::Rfc822Text(None),
                FetchItem::InternalDate(b"17-Jul-1996 02:44:25 -0700"),
                FetchItem::ModSeq(624140003),
            ]
        );
    }

    #[test]
    fn objectid_savedate_preview() {
        let items = fetch_items(
            b"* 1 FETCH (EMAILID (M6d99ac3275bb4e) THREADID (T64b478a75b7ea9) SAVEDATE \"01-Jan-2024 00:00:00 +0000\" PREVIEW \"Hi there\")\r\n",
        );
        assert_eq!(
            items,
            vec![
                FetchItem::EmailId(b"M6d99ac3275bb4e"),
                FetchItem::ThreadId(Some(b"T64b478a75b7ea9")),
                FetchItem::SaveDate(Some(b"01-Jan-2024 00:00:00 +0000")),
                FetchItem::Preview(Some(IString::new(b"Hi there"))),
            ]
        );
        // Cyrus sends PREVIEW NIL for plain messages, and THREADID NIL / SAVEDATE NIL exist.
        let items = fetch_items(b"* 1 FETCH (PREVIEW NIL THREADID NIL SAVEDATE NIL)\r\n");
        assert_eq!(
            items,
            vec![
                FetchItem::Preview(None),
                FetchItem::ThreadId(None),
                FetchItem::SaveDate(None)
            ]
        );
        // Dovecot 2.3 draft form.
        let items = fetch_items(b"* 1 FETCH (PREVIEW (FUZZY \"x\"))\r\n");
        assert_eq!(items, vec![FetchItem::Preview(Some(IString::new(b"x")))]);
    }

    #[test]
    fn opaque_object_ids_keep_junk_bytes() {
        let items = fetch_items(b"* 1 FETCH (EMAILID (\x01\xfe junk))\r\n");
        assert_eq!(items, vec![FetchItem::EmailId(b"\x01\xfe junk")]);
    }

    #[test]
    fn unknown_items_as_long_as_known_ones_are_kept_as_other() {
        // Item names are matched by length first: an unknown name of each known length
        // must not fall into a known item's parser.
        for len in 3..=14 {
            let name = "X".repeat(len);
            let line = format!("* 1 FETCH ({name} (1 \"two\") UID 3)\r\n");
            assert_eq!(
                fetch_items(line.as_bytes()),
                vec![
                    FetchItem::Other {
                        name: name.as_bytes(),
                        raw: b"(1 \"two\")"
                    },
                    FetchItem::Uid(3),
                ],
                "{name}"
            );
        }
    }

    /// Google's "IMAP Extensions" page: `X-GM-MSGID`, `X-GM-THRID` and `X-GM-LABELS` with a
    /// system label, an atom, a quoted label with a space, a literal and the empty list.
    #[test]
    fn gmail_items() {
        use crate::proto::response::IString;
        assert_eq!(
            fetch_items(
                b"* 1 FETCH (X-GM-THRID 1278455344230334865 X-GM-MSGID 1278455344230334866 \
                  X-GM-LABELS (\\Inbox \\Sent Important \"Muy Importante\" {3}\r\nfoo) UID 9)\r\n"
            ),
            vec![
                FetchItem::GmailThreadId(1_278_455_344_230_334_865),
                FetchItem::GmailMessageId(1_278_455_344_230_334_866),
                FetchItem::GmailLabels(vec![
                    IString::new(b"\\Inbox"),
                    IString::new(b"\\Sent"),
                    IString::new(b"Important"),
                    IString::new(b"Muy Importante"),
                    IString::new(b"foo"),
                ]),
                FetchItem::Uid(9),
            ]
        );
        assert_eq!(
            fetch_items(b"* 3 FETCH (x-gm-labels ())\r\n"),
            vec![FetchItem::GmailLabels(Vec::new())]
        );
        // Quoted system labels (`"\\Important"`) unescape to the flag form.
        let items = fetch_items(b"* 3 FETCH (X-GM-LABELS (\"\\\\Important\"))\r\n");
        let labels = match &items[..] {
            [FetchItem::GmailLabels(l)] => l.iter().map(|s| s.to_bytes().to_vec()).collect(),
            _ => Vec::new(),
        };
        assert_eq!(labels, vec![b"\\Important".to_vec()]);
    }

    #[test]
    fn unknown_items_are_kept_as_other() {
        let items = fetch_items(
            b"* 1 FETCH (X-GM-LABELX (\\Inbox \"a b\") X-FOO[1]<2> {1}\r\nz UID 3)\r\n",
        );
        assert_eq!(
            items,
            vec![
                FetchItem::Other {
                    name: b"X-GM-LABELX",
                    raw: b"(\\Inbox \"a b\")"
                },
                FetchItem::Other {
                    name: b"X-FOO[1]<2>",
                    raw: b"{1}\r\nz"
                },
                FetchItem::Uid(3),
            ]
        );
    }

    #[test]
    fn flags_keep_keywords_and_eight_bit() {
        let items = fetch_items("* 1 FETCH (FLAGS (\\seen $Forwarded Ärger))\r\n".as_bytes());
        let FetchItem::Flags(f) = &items[0] else {
            panic!()
        };
        assert_eq!(
            f.iter().collect::<Vec<_>>(),
            vec![&b"\\seen"[..], b"$Forwarded", "Ärger".as_bytes()]
        );
    }

    #[test]
    fn every_prefix_of_a_fetch_is_incomplete() {
        assert_prefixes_incomplete(
            b"* 12 FETCH (UID 5 FLAGS (\\Seen) BODY[1]<0> {3}\r\nabc ENVELOPE (NIL \"s\" ((\"A\" NIL \"a\" \"b\")) NIL NIL NIL NIL NIL NIL \"<m>\"))\r\n",
        );
    }

    #[test]
    fn a_line_end_inside_a_section_is_invalid_not_the_section_end() {
        let err = crate::proto::parse_response(b"* 1 FETCH (BODY[1\r\n] NIL)\r\n").unwrap_err();
        assert_eq!(err.kind, crate::proto::ParseErrorKind::Invalid);
        assert_eq!(err.context, "']' of section");
    }

    #[test]
    fn del_and_control_bytes_end_a_flag_list() {
        for bad in [&b"\x7f"[..], b"\x1f", b"{"] {
            let mut input = b"* 1 FETCH (FLAGS (\\Seen k".to_vec();
            input.extend_from_slice(bad);
            input.extend_from_slice(b"))\r\n");
            let err = crate::proto::parse_response(&input).unwrap_err();
            assert_eq!(err.kind, crate::proto::ParseErrorKind::Invalid, "{bad:?}");
            assert_eq!(err.context, "flag", "{bad:?}");
        }
        assert_eq!(
            fetch_items(b"* 1 FETCH (FLAGS (k~\x80))\r\n"),
            vec![FetchItem::Flags(FlagList(b"k~\x80"))],
            "'~' (0x7e) and 8-bit bytes stay in a flag"
        );
        assert_eq!(
            fetch_items(b"* 1 FETCH (FLAGS (\"k\"))\r\n"),
            vec![FetchItem::Flags(FlagList(b"\"k\""))],
            "quotes stay in a flag (a quoted flag, unquoted by Flag::from_server)"
        );
    }

    #[test]
    fn a_flag_list_splits_on_spaces_and_keeps_its_raw_bytes() {
        let flags = FlagList(b" \\Seen  k ");
        assert_eq!(flags.iter().collect::<Vec<_>>(), vec![&b"\\Seen"[..], b"k"]);
        assert_eq!(flags.as_bytes(), b" \\Seen  k ");
        assert!(!flags.is_empty());
        assert!(FlagList(b"").is_empty());
        assert!(FlagList(b"   ").is_empty());
    }

    #[test]
    fn a_line_end_inside_an_object_id_is_invalid() {
        let err = crate::proto::parse_response(b"* 1 FETCH (EMAILID (M1\r\n))\r\n").unwrap_err();
        assert_eq!(err.kind, crate::proto::ParseErrorKind::Invalid);
        assert_eq!(err.context, "')' of object id");
    }
}
