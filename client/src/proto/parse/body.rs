//! `BODY` / `BODYSTRUCTURE` (RFC 3501 §9 `body`), non-extensible and extensible forms.
//! Recursion is bounded by [`MAX_DEPTH`](super::MAX_DEPTH). Parsed straight into the public
//! model ([`crate::types::response::BodyStructure`]), like the envelope.

use super::core::{
    PErr, PResult, advance, byte, check_depth, eq_kw, invalid, nil, nstring, number, number64,
    peek, skip_spaces, skip_value, sp, string_or_nil,
};
use super::envelope::{opt_text, text};
use super::error::ParseErrorKind;
use super::noted_quirks::{note_quirk, noted_quirks, restore_noted_quirks};
use crate::types::Quirk;
use crate::types::response::{
    BodyDisposition, BodyExtension, BodyFields, BodyStructure, Envelope, MultiPart, SinglePart,
    SinglePartKind, Unparsed,
};

/// Where a body began: the input at its `(` and the quirks noted before it (a body that is
/// kept unparsed drops the notes made while trying it: they typed nothing).
#[derive(Clone, Copy)]
struct Start<'a> {
    at: &'a [u8],
    noted: u64,
}

/// A body whose nested bodies are still being parsed.
enum Open<'a> {
    /// A multipart: its parts so far.
    Multi(Start<'a>, Vec<BodyStructure>),
    /// A message/rfc822 (or message/global) part: what came before its body.
    Message(Start<'a>, MessageHead),
}

/// A message part up to its nested body: `type SP subtype SP fields SP envelope SP`.
struct MessageHead {
    subtype: String,
    fields: BodyFields,
    envelope: Box<Envelope>,
}

/// A single part after its `(`: complete, or a message part whose body follows.
enum Single {
    Done(SinglePart),
    Message(MessageHead),
    /// `("subtype")`: a multipart without parts (Gmail).
    EmptyMulti(String),
}

/// `"(" (body-type-1part / body-type-mpart) ")"` at nesting `depth` (1 for the outermost).
///
/// Nested bodies (multipart parts, the body of a message/rfc822 part) are parsed with a
/// heap stack of the bodies still open instead of by recursion, so the call stack stays the
/// same at every depth: the deepest body accepted ([`MAX_DEPTH`](super::MAX_DEPTH)) needs no
/// more stack than a flat one.
///
/// Leniency: a part that does not parse — neither a single part nor a multipart, as Gmail
/// (MailKit #371), Domino (MailKit #944: `()` as a message's body) and others send — becomes
/// [`BodyStructure::Unparsed`] with its exact bytes, provided its parentheses balance; the
/// structure around it goes on. Nesting errors ([`check_depth`]) and input that ends are not
/// recovered.
pub(super) fn body<'a>(i: &mut &'a [u8], depth: usize) -> PResult<BodyStructure> {
    let mut open: Vec<Open<'a>> = Vec::new();
    loop {
        // Descend: open bodies until one completes without a nested body.
        check_depth(i, depth + open.len())?;
        let mut start = Start {
            at: i,
            noted: noted_quirks(),
        };
        byte(i, b'(', "'(' of body")?;
        if peek(i) == Some(b'(') {
            open.push(Open::Multi(start, Vec::with_capacity(2)));
            continue;
        }
        // The body that just ended (or failed) and where it began.
        let mut done = match single(i) {
            Ok(Single::Done(part)) => close(i, BodyStructure::Single(part)),
            Ok(Single::Message(head)) => {
                open.push(Open::Message(start, head));
                continue;
            }
            Ok(Single::EmptyMulti(subtype)) => close(
                i,
                BodyStructure::Multi(MultiPart {
                    parts: Vec::new(),
                    subtype,
                    params: Vec::new(),
                    extension: BodyExtension::default(),
                }),
            ),
            Err(e) => Err(e),
        };
        // Ascend: hand each completed body to the innermost open one.
        loop {
            let body = match done {
                Ok(body) => body,
                Err(error) => recover(i, start, error)?,
            };
            match open.pop() {
                None => return Ok(body),
                Some(Open::Multi(multi_start, mut parts)) => {
                    parts.push(body);
                    // Leniency: a space between the parts (Exchange 2007).
                    skip_spaces(i);
                    if peek(i) == Some(b'(') {
                        open.push(Open::Multi(multi_start, parts));
                        break;
                    }
                    start = multi_start;
                    done = multi_rest(i, parts).and_then(|m| close(i, BodyStructure::Multi(m)));
                }
                Some(Open::Message(message_start, head)) => {
                    start = message_start;
                    done = message_rest(i, head, body)
                        .and_then(|p| close(i, BodyStructure::Single(p)));
                }
            }
        }
    }
}

/// The part that began at `start` did not parse (`error`): if its parentheses balance, it
/// becomes [`BodyStructure::Unparsed`] and parsing goes on after it; otherwise (and for input
/// that ends or nests too deep) the error stands.
fn recover<'a>(i: &mut &'a [u8], start: Start<'a>, error: PErr) -> PResult<BodyStructure> {
    if error.kind != ParseErrorKind::Invalid {
        return Err(error);
    }
    let mut rest = start.at;
    let raw = skip_value(&mut rest).map_err(|_| error)?;
    *i = rest;
    restore_noted_quirks(start.noted);
    note_quirk(Quirk::UnparsedBodyPart);
    let offset = start.at.len().saturating_sub(error.remaining);
    Ok(BodyStructure::Unparsed(Unparsed::new(
        raw.to_vec(),
        format!("invalid {} at byte {offset} of the part", error.context),
    )))
}

/// What follows a message part's nested body: its size in lines, MD5 and extension data.
fn message_rest(i: &mut &[u8], head: MessageHead, body: BodyStructure) -> PResult<SinglePart> {
    sp(i)?;
    let kind = SinglePartKind::Message {
        subtype: head.subtype,
        envelope: head.envelope,
        body: Box::new(body),
        lines: size(i)?,
    };
    single_rest(i, kind, head.fields)
}

/// `body-fld-octets` / `body-fld-lines` (a `number`). Leniency: a negative number is read
/// as 0 ([`Quirk::NegativeBodySize`]), and so is NIL ([`Quirk::NilBodySize`]).
fn size(i: &mut &[u8]) -> PResult<u32> {
    match peek(i) {
        Some(b'-') if i.get(1).is_some_and(u8::is_ascii_digit) => {
            advance(i, 1);
            number64(i)?;
            note_quirk(Quirk::NegativeBodySize);
            Ok(0)
        }
        Some(b'N' | b'n') if nil(i)? => {
            note_quirk(Quirk::NilBodySize);
            Ok(0)
        }
        _ => number(i),
    }
}

/// The `)` that ends a body (after lenient spaces).
fn close(i: &mut &[u8], body: BodyStructure) -> PResult<BodyStructure> {
    if peek(i) == Some(b' ') {
        note_quirk(Quirk::SpaceBeforeBodyClose);
        skip_spaces(i);
    }
    byte(i, b')', "')' of body")?;
    Ok(body)
}

/// `true` if another space-separated element follows before `)` (leniency: a trailing space
/// before `)`, seen from Exchange).
#[inline]
fn more(i: &[u8]) -> bool {
    let mut j = 0;
    while i.get(j) == Some(&b' ') {
        j += 1;
    }
    j > 0 && !matches!(i.get(j), Some(b')') | None)
}

/// A single part after its `(`, up to its `)` — or, for a message/rfc822 part, up to its
/// nested body.
fn single(i: &mut &[u8]) -> PResult<Single> {
    let media_type = string_or_nil(i)?;
    if peek(i) == Some(b')') {
        note_quirk(Quirk::EmptyMultipart);
        return Ok(Single::EmptyMulti(text(media_type)));
    }
    sp(i)?;
    let subtype = string_or_nil(i)?;
    sp(i)?;
    let fields = fields(i)?;
    let message = eq_kw(media_type.raw(), b"MESSAGE")
        && (eq_kw(subtype.raw(), b"RFC822") || eq_kw(subtype.raw(), b"GLOBAL"));
    let kind = if eq_kw(media_type.raw(), b"TEXT") {
        sp(i)?;
        SinglePartKind::Text {
            subtype: text(subtype),
            lines: size(i)?,
        }
    } else if message && i.starts_with(b" (") {
        sp(i)?;
        let envelope = Box::new(super::envelope::envelope(i)?);
        sp(i)?;
        return Ok(Single::Message(MessageHead {
            subtype: text(subtype),
            fields,
            envelope,
        }));
    } else {
        if message {
            // Without its envelope, body and lines: read as a basic part.
            note_quirk(Quirk::MessagePartWithoutEnvelope);
        }
        SinglePartKind::Basic {
            media_type: text(media_type),
            subtype: text(subtype),
        }
    };
    Ok(Single::Done(single_rest(i, kind, fields)?))
}

/// What follows a single part's type-specific fields: MD5 and the extension data.
fn single_rest(i: &mut &[u8], kind: SinglePartKind, fields: BodyFields) -> PResult<SinglePart> {
    let mut md5 = None;
    let mut extension = BodyExtension::default();
    if more(i) {
        sp(i)?;
        md5 = opt_text(nstring(i)?);
        extension = ext(i)?;
    }
    Ok(SinglePart {
        kind,
        fields,
        md5,
        extension,
    })
}

/// What follows a multipart's parts: its subtype, parameters and extension data.
fn multi_rest(i: &mut &[u8], parts: Vec<BodyStructure>) -> PResult<MultiPart> {
    let subtype = string_or_nil(i)?;
    let mut params = Vec::new();
    let mut extension = BodyExtension::default();
    if more(i) {
        sp(i)?;
        params = params_list(i)?;
        extension = ext(i)?;
    }
    Ok(MultiPart {
        parts,
        subtype: text(subtype),
        params,
        extension,
    })
}

/// `body-fields` = param SP id SP desc SP enc SP octets.
fn fields(i: &mut &[u8]) -> PResult<BodyFields> {
    let params = params_list(i)?;
    sp(i)?;
    let id = opt_text(nstring(i)?);
    sp(i)?;
    let description = opt_text(nstring(i)?);
    sp(i)?;
    let encoding = match nstring(i)? {
        Some(enc) => text(enc),
        None => {
            note_quirk(Quirk::NilBodyEncoding);
            String::new()
        }
    };
    sp(i)?;
    let octets = size(i)?;
    Ok(BodyFields {
        params,
        id,
        description,
        encoding,
        octets,
    })
}

/// `body-fld-param` = "(" string SP string *(SP string SP string) ")" / nil. Leniency: NIL
/// names or values (read as empty) and an empty list `()` ([`Quirk::NilOrEmptyBodyParams`]).
fn params_list(i: &mut &[u8]) -> PResult<Vec<(String, String)>> {
    if peek(i) != Some(b'(') {
        if nil(i)? {
            return Ok(Vec::new());
        }
        return Err(invalid(i, "body parameters"));
    }
    advance(i, 1);
    let mut out = Vec::with_capacity(1);
    loop {
        skip_spaces(i);
        if peek(i) == Some(b')') {
            advance(i, 1);
            if out.is_empty() {
                note_quirk(Quirk::NilOrEmptyBodyParams);
            }
            return Ok(out);
        }
        let name = nstring(i)?;
        sp(i)?;
        let value = nstring(i)?;
        let (Some(name), Some(value)) = (name, value) else {
            note_quirk(Quirk::NilOrEmptyBodyParams);
            out.push((
                name.map(text).unwrap_or_default(),
                value.map(text).unwrap_or_default(),
            ));
            continue;
        };
        out.push((text(name), text(value)));
    }
}

/// Disposition, language, location and the rest (each present only if the previous one is).
fn ext(i: &mut &[u8]) -> PResult<BodyExtension> {
    let mut e = BodyExtension::default();
    if !more(i) {
        return Ok(e);
    }
    sp(i)?;
    e.disposition = disposition(i)?;
    if !more(i) {
        return Ok(e);
    }
    sp(i)?;
    e.language = language(i)?;
    if !more(i) {
        return Ok(e);
    }
    sp(i)?;
    e.location = opt_text(nstring(i)?);
    if more(i) {
        sp(i)?;
        let start = *i;
        skip_value(i)?;
        while more(i) {
            sp(i)?;
            skip_value(i)?;
        }
        e.rest = start
            .get(..start.len() - i.len())
            .unwrap_or_default()
            .to_vec();
    }
    Ok(e)
}

/// `body-fld-dsp` = "(" string SP body-fld-param ")" / nil. Leniency: a bare string is
/// taken as the disposition type without parameters (Exchange 2016 puts the part's
/// description there: `"S/MIME Encrypted Message"`, javaee/javamail #278).
fn disposition(i: &mut &[u8]) -> PResult<Option<BodyDisposition>> {
    if peek(i) != Some(b'(') {
        if nil(i)? {
            return Ok(None);
        }
        if matches!(peek(i), Some(b'"' | b'{' | b'~')) {
            note_quirk(Quirk::BareStringDisposition);
            return Ok(Some(BodyDisposition {
                kind: text(string_or_nil(i)?),
                params: Vec::new(),
            }));
        }
        return Err(invalid(i, "body disposition"));
    }
    advance(i, 1);
    let kind = text(string_or_nil(i)?);
    sp(i)?;
    let params = params_list(i)?;
    skip_spaces(i);
    byte(i, b')', "')' of body disposition")?;
    Ok(Some(BodyDisposition { kind, params }))
}

/// `body-fld-lang` = nstring / "(" string *(SP string) ")".
fn language(i: &mut &[u8]) -> PResult<Vec<String>> {
    if peek(i) == Some(b'(') {
        let list = super::core::paren_list(i, string_or_nil)?;
        return Ok(list.into_iter().map(text).collect());
    }
    Ok(nstring(i)?.into_iter().map(text).collect())
}

#[cfg(test)]
mod tests {
    use crate::proto::parse::test_util::{data, fetch_items};
    use crate::proto::parse::{ParseErrorKind, parse_response};
    use crate::proto::response::FetchItem;
    use crate::types::response::{BodyStructure, SinglePartKind};

    fn structure(input: &[u8]) -> BodyStructure {
        match fetch_items(input).into_iter().next() {
            Some(FetchItem::BodyStructure(b) | FetchItem::Body(b)) => *b,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_minus_without_digits_is_not_a_negative_size() {
        // The part is kept unparsed, its error at the `-` itself, not after it.
        let b = structure(
            b"* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" -x 0))\r\n",
        );
        let raw = b"(\"text\" \"plain\" NIL NIL NIL \"7bit\" -x 0)";
        assert_eq!(raw[35], b'-');
        assert_eq!(
            b,
            BodyStructure::Unparsed(crate::types::response::Unparsed::new(
                raw.to_vec(),
                "invalid number at byte 35 of the part"
            ))
        );
    }

    #[test]
    fn corpus_b_extensible_text_plain() {
        let BodyStructure::Single(p) = structure(
            b"* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 914 15 NIL NIL NIL NIL))\r\n",
        ) else {
            panic!()
        };
        assert_eq!(
            p.kind,
            SinglePartKind::Text {
                subtype: "plain".to_owned(),
                lines: 15
            }
        );
        assert_eq!(p.fields.octets, 914);
        assert_eq!(p.md5, None);
        assert_eq!(p.extension.disposition, None);
        assert!(p.extension.language.is_empty());
    }

    #[test]
    fn multipart_with_extension_data() {
        let b = structure(
            b"* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23 NIL NIL NIL)\
(\"APPLICATION\" \"PDF\" (\"NAME\" \"a.pdf\") \"<id>\" \"desc\" \"BASE64\" 4554 \"md5sum\" (\"attachment\" (\"filename\" \"a.pdf\")) (\"en\" \"de\") \"loc\" 1 (2 \"x\")) \
\"MIXED\" (\"BOUNDARY\" \"----=_Part\") NIL \"en\" NIL))\r\n",
        );
        let BodyStructure::Multi(m) = b else { panic!() };
        assert_eq!(m.parts.len(), 2);
        assert_eq!(m.subtype, "MIXED".to_owned());
        assert_eq!(m.params[0].1, "----=_Part".to_owned());
        assert_eq!(m.extension.language, vec!["en".to_owned()]);
        let BodyStructure::Single(pdf) = &m.parts[1] else {
            panic!()
        };
        assert_eq!(pdf.md5, Some("md5sum".to_owned()));
        let d = pdf.extension.disposition.as_ref().unwrap();
        assert_eq!(d.kind, "attachment".to_owned());
        assert_eq!(pdf.extension.language.len(), 2);
        assert_eq!(pdf.extension.location, Some("loc".to_owned()));
        assert_eq!(pdf.extension.rest, b"1 (2 \"x\")");
    }

    #[test]
    fn message_rfc822_part_nests_envelope_and_body() {
        let b = structure(
            b"* 1 FETCH (BODY (\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 342 (NIL \"inner\" NIL NIL NIL NIL NIL NIL NIL NIL) (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 10 1) 12))\r\n",
        );
        let BodyStructure::Single(p) = b else {
            panic!()
        };
        let SinglePartKind::Message {
            envelope,
            body,
            lines,
            ..
        } = p.kind
        else {
            panic!()
        };
        assert_eq!(envelope.subject, Some("inner".to_owned()));
        assert!(matches!(*body, BodyStructure::Single(_)));
        assert_eq!(lines, 12);
    }

    #[test]
    fn nil_where_a_string_is_due_is_accepted() {
        let BodyStructure::Single(p) =
            structure(b"* 1 FETCH (BODY (\"APPLICATION\" NIL NIL NIL NIL NIL 0))\r\n")
        else {
            panic!()
        };
        assert_eq!(p.fields.encoding, "".to_owned());
    }

    #[test]
    fn message_parts_other_than_rfc822_with_envelope_are_basic() {
        // A delivery status report (RFC 3464) and a message/rfc822 part sent without its
        // envelope and body: neither has the RFC822 extra fields, both are basic parts.
        for part in [
            &b"(\"MESSAGE\" \"DELIVERY-STATUS\" NIL NIL NIL \"7BIT\" 421)"[..],
            b"(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 421)",
        ] {
            let mut input = b"* 1 FETCH (BODYSTRUCTURE ".to_vec();
            input.extend_from_slice(part);
            input.extend_from_slice(b")\r\n");
            let parsed = structure(&input);
            assert!(
                matches!(
                    &parsed,
                    BodyStructure::Single(single)
                        if matches!(single.kind, SinglePartKind::Basic { .. })
                            && single.fields.octets == 421
                ),
                "{:?}: {parsed:?}",
                String::from_utf8_lossy(part)
            );
        }
    }

    #[test]
    fn nested_message_parts_count_towards_the_depth_limit() {
        // message/rfc822 inside message/rfc822 …: each level is one deeper.
        let nested = |levels: usize| {
            let mut part = b"(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)".to_vec();
            for _ in 0..levels {
                let mut outer = b"(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 1 \
                    (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) "
                    .to_vec();
                outer.extend_from_slice(&part);
                outer.extend_from_slice(b" 1)");
                part = outer;
            }
            let mut input = b"* 1 FETCH (BODYSTRUCTURE ".to_vec();
            input.extend_from_slice(&part);
            input.extend_from_slice(b")\r\n");
            input
        };
        assert!(parse_response(&nested(3)).is_ok());
        assert_eq!(
            parse_response(&nested(crate::proto::MAX_DEPTH + 5))
                .unwrap_err()
                .kind,
            ParseErrorKind::TooDeep
        );
    }

    #[test]
    fn deep_nesting_is_a_typed_error() {
        let mut input = b"* 1 FETCH (BODYSTRUCTURE ".to_vec();
        input.extend(std::iter::repeat_n(b'(', 10_000));
        input.extend_from_slice(b"\r\n");
        let err = parse_response(&input).unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::TooDeep);
    }

    #[test]
    fn deep_nesting_in_unknown_data_is_a_typed_error() {
        let mut input = b"* 1 FETCH (X-UNKNOWN ".to_vec();
        input.extend(std::iter::repeat_n(b'(', 10_000));
        input.extend(std::iter::repeat_n(b')', 10_000));
        input.extend_from_slice(b")\r\n");
        assert_eq!(
            parse_response(&input).unwrap_err().kind,
            ParseErrorKind::TooDeep
        );
        // Unknown untagged data is skipped line-wise, so depth does not matter there.
        let mut input = b"* XNEST ".to_vec();
        input.extend(std::iter::repeat_n(b'(', 10_000));
        input.extend_from_slice(b"\r\n");
        assert!(matches!(
            data(&input),
            crate::proto::response::Data::Other { .. }
        ));
    }
}
