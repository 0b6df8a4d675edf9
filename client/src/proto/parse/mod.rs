//! The response parser: bytes of one server response in, a borrowed
//! [`Response`] out.
//!
//! Entry point: [`parse_response`]. The parser is built from winnow-compatible functions
//! (`fn(&mut &[u8]) -> Result<T, _>`), hand-written where the hot FETCH paths need it: byte
//! tables, `memchr` scans, numbers by hand, literals as borrowed slices, no allocation per
//! response beyond the vectors the model needs.
//!
//! Strict grammar (RFC 3501, RFC 9051 and the extensions) plus leniency for real servers; each
//! leniency names the server in a comment where it is implemented. Nesting is bounded by
//! [`MAX_DEPTH`]: deeper input is a [`ParseErrorKind::TooDeep`] error, never a stack overflow.
//! The parser never panics on any input and returns [`ParseErrorKind::Incomplete`] when the
//! input ends before the response does.

mod body;
pub(crate) mod core;
mod envelope;
mod error;
mod extensions;
mod fetch;
mod flags;
mod mailbox;
pub(crate) mod noted_quirks;
pub(crate) mod repair;
mod search;
mod status;
#[cfg(test)]
pub(crate) mod test_util;

pub use self::core::MAX_DEPTH;
use self::core::{PResult, advance, crlf, eq_kw, item_name, number, peek, rest_of_response, sp};
pub use self::error::{ParseError, ParseErrorKind};
use crate::proto::response::{Data, Response};

/// Parses one server response from the start of `input` and returns it with the number of
/// bytes it used (including the final CRLF and any literals).
///
/// `input` is normally one complete frame from the framer, but any bytes are safe: a cut
/// response gives [`ParseErrorKind::Incomplete`], anything else invalid a typed error.
///
/// ```
/// use daaki_imap::proto::{parse_response, response::{Data, FetchItem, Response}};
/// let (resp, used) = parse_response(b"* 1 FETCH (UID 7)\r\n").unwrap();
/// assert_eq!(used, 19);
/// let Response::Data(Data::Fetch(fetch)) = resp else { panic!() };
/// assert_eq!(fetch.items, vec![FetchItem::Uid(7)]);
/// ```
pub fn parse_response(input: &[u8]) -> Result<(Response<'_>, usize), ParseError> {
    let mut i = input;
    match response(&mut i) {
        Ok(resp) => Ok((resp, input.len() - i.len())),
        Err(e) => {
            // A syntax error found only at the very end of the input means "cut short".
            let kind = if e.remaining == 0 && e.kind == ParseErrorKind::Invalid {
                ParseErrorKind::Incomplete
            } else {
                e.kind
            };
            Err(ParseError {
                kind,
                position: input.len() - e.remaining,
                context: e.context,
            })
        }
    }
}

/// Parses like [`parse_response`], but a known FETCH or STATUS item whose value does not
/// parse (`MODSEQ (-1)`, a UIDVALIDITY over 2^32) is kept as an untyped item with its raw
/// bytes ([`Quirk::UntypedValue`](crate::types::Quirk::UntypedValue)) instead of failing the
/// response. The session's last attempt at a response that failed otherwise.
pub(crate) fn parse_keeping_untyped(input: &[u8]) -> Result<(Response<'_>, usize), ParseError> {
    noted_quirks::set_keeping_untyped(true);
    let parsed = parse_response(input);
    noted_quirks::set_keeping_untyped(false);
    parsed
}

fn response<'a>(i: &mut &'a [u8]) -> PResult<Response<'a>> {
    let resp = match peek(i) {
        None => return Err(self::core::incomplete(i)),
        Some(b'+') => Response::Continuation(status::continuation(i)?),
        Some(b'*') => {
            advance(i, 1);
            sp(i)?;
            untagged(i)?
        }
        Some(b'[') => Response::Status(status::bare_code(i)?),
        Some(b'S' | b's') if status::is_server_unavailable(i) => {
            Response::Status(status::server_unavailable(i)?)
        }
        Some(_) => Response::Status(status::tagged(i)?),
    };
    crlf(i)?;
    Ok(resp)
}

fn untagged<'a>(i: &mut &'a [u8]) -> PResult<Response<'a>> {
    if peek(i).is_some_and(|b| b.is_ascii_digit()) {
        let n = number(i)?;
        sp(i)?;
        let name = item_name(i)?;
        let data = if eq_kw(name, b"FETCH") {
            sp(i)?;
            Data::Fetch(fetch::fetch(i, n)?)
        } else if eq_kw(name, b"EXISTS") {
            Data::Exists(n)
        } else if eq_kw(name, b"EXPUNGE") {
            Data::Expunge(n)
        } else if eq_kw(name, b"RECENT") {
            Data::Recent(n)
        } else {
            other(i, name, Some(n))?
        };
        return Ok(Response::Data(data));
    }
    let name = item_name(i)?;
    if let Some(kind) = status::status_kind(name) {
        return Ok(Response::Status(status::status_rest(i, None, kind)?));
    }
    let data = match name.len() {
        2 if eq_kw(name, b"ID") => extensions::id(i)?,
        3 if eq_kw(name, b"ACL") => extensions::acl(i)?,
        4 if eq_kw(name, b"LIST") => Data::List(mailbox::list(i)?),
        4 if eq_kw(name, b"LSUB") => Data::Lsub(mailbox::list(i)?),
        4 if eq_kw(name, b"SORT") => Data::Sort(search::search(i)?),
        5 if eq_kw(name, b"FLAGS") => {
            sp(i)?;
            Data::Flags(flags::flag_list(i)?)
        }
        5 if eq_kw(name, b"QUOTA") => extensions::quota(i)?,
        5 if eq_kw(name, b"XLIST") => {
            noted_quirks::note_quirk(crate::types::Quirk::XList);
            Data::XList(mailbox::list(i)?)
        }
        6 if eq_kw(name, b"STATUS") => Data::Status(mailbox::status(i)?),
        6 if eq_kw(name, b"SEARCH") => Data::Search(search::search(i)?),
        6 if eq_kw(name, b"THREAD") => Data::Thread(search::thread(i)?),
        7 if eq_kw(name, b"ESEARCH") => Data::ESearch(search::esearch(i)?),
        7 if eq_kw(name, b"ENABLED") => Data::Enabled(status::atom_list(i)?),
        8 if eq_kw(name, b"VANISHED") => extensions::vanished(i)?,
        8 if eq_kw(name, b"METADATA") => extensions::metadata(i)?,
        8 if eq_kw(name, b"MYRIGHTS") => extensions::myrights(i)?,
        9 if eq_kw(name, b"NAMESPACE") => extensions::namespace(i)?,
        9 if eq_kw(name, b"QUOTAROOT") => extensions::quotaroot(i)?,
        10 if eq_kw(name, b"CAPABILITY") => Data::Capability(status::atom_list(i)?),
        10 if eq_kw(name, b"LISTRIGHTS") => extensions::listrights(i)?,
        _ => other(i, name, None)?,
    };
    Ok(Response::Data(data))
}

/// Unknown untagged data: kept raw up to the final CRLF.
fn other<'a>(i: &mut &'a [u8], name: &'a [u8], number: Option<u32>) -> PResult<Data<'a>> {
    if peek(i) == Some(b' ') {
        advance(i, 1);
    }
    let raw = rest_of_response(i)?;
    Ok(Data::Other { name, number, raw })
}

#[cfg(test)]
mod stack_tests;
#[cfg(test)]
mod tests {
    use super::test_util::{assert_prefixes_incomplete, data};
    use super::{ParseErrorKind, parse_response};
    use crate::proto::response::{Data, FlagList};

    #[test]
    fn tags_starting_with_s_are_tags_not_exchanges_server_unavailable() {
        use crate::proto::response::{Response, StatusKind, StatusResponse};
        let status = |tag: Option<&'static [u8]>, kind, text: &'static [u8]| {
            Response::Status(StatusResponse {
                tag,
                kind,
                code: None,
                text,
            })
        };
        for (line, expected) in [
            (
                &b"S1 OK done\r\n"[..],
                status(Some(b"S1"), StatusKind::Ok, b"done"),
            ),
            (
                b"s2 NO nope\r\n",
                status(Some(b"s2"), StatusKind::No, b"nope"),
            ),
            (
                b"Server NO x\r\n",
                status(Some(b"Server"), StatusKind::No, b"x"),
            ),
            (
                b"server unavailable. 15\r\n",
                status(None, StatusKind::No, b"server unavailable. 15"),
            ),
        ] {
            assert_eq!(
                parse_response(line).map(|(r, _)| r),
                Ok(expected),
                "{line:?}"
            );
        }
    }

    #[test]
    fn message_status_numbers() {
        assert_eq!(data(b"* 23 EXISTS\r\n"), Data::Exists(23));
        assert_eq!(data(b"* 5 RECENT\r\n"), Data::Recent(5));
        assert_eq!(data(b"* 44 EXPUNGE\r\n"), Data::Expunge(44));
        assert_eq!(data(b"* 0 exists\r\n"), Data::Exists(0));
    }

    #[test]
    fn capability_enabled_flags() {
        assert_eq!(
            data(b"* CAPABILITY IMAP4rev1 STARTTLS AUTH=GSSAPI LOGINDISABLED \r\n"),
            Data::Capability(vec![
                b"IMAP4rev1",
                b"STARTTLS",
                b"AUTH=GSSAPI",
                b"LOGINDISABLED"
            ])
        );
        assert_eq!(
            data(b"* ENABLED CONDSTORE QRESYNC\r\n"),
            Data::Enabled(vec![b"CONDSTORE", b"QRESYNC"])
        );
        assert_eq!(data(b"* ENABLED\r\n"), Data::Enabled(vec![]));
        assert_eq!(
            data(b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"),
            Data::Flags(FlagList(b"\\Answered \\Flagged \\Deleted \\Seen \\Draft"))
        );
    }

    #[test]
    fn unknown_untagged_data_is_kept_raw_across_literals() {
        assert_eq!(
            data(b"* XCONV a {3}\r\nx\r\ny end\r\n"),
            Data::Other {
                name: b"XCONV",
                number: None,
                raw: b"a {3}\r\nx\r\ny end"
            }
        );
        assert_eq!(
            data(b"* 3 XTHING 1\r\n"),
            Data::Other {
                name: b"XTHING",
                number: Some(3),
                raw: b"1"
            }
        );
    }

    #[test]
    fn unknown_names_as_long_as_known_ones_are_kept_raw() {
        // The keyword table is matched by length first: an unknown name of each length that
        // has known names must still fall through to `Other`, not into a known parser.
        for len in 2..=10 {
            let name = "X".repeat(len);
            let line = format!("* {name} (\\HasNoChildren) \"/\" INBOX\r\n");
            assert_eq!(
                data(line.as_bytes()),
                Data::Other {
                    name: name.as_bytes(),
                    number: None,
                    raw: b"(\\HasNoChildren) \"/\" INBOX"
                },
                "{name}"
            );
        }
    }

    #[test]
    fn is_incomplete_tells_a_cut_response_from_a_wrong_one() {
        let cut = parse_response(b"* 1 FETCH (UID 7").unwrap_err();
        assert!(cut.is_incomplete(), "{cut}");
        let wrong = parse_response(b"* 1 FETCH UID 7)\r\n").unwrap_err();
        assert_eq!(wrong.kind, ParseErrorKind::Invalid);
        assert!(!wrong.is_incomplete(), "{wrong}");
    }

    #[test]
    fn nesting_one_level_too_deep_is_too_deep_not_incomplete() {
        // No more bytes can make a too-deep response parse: at the limit it is TooDeep in
        // every nesting context, never "incomplete".
        for head in [
            &b"* 1 FETCH (BODYSTRUCTURE "[..],
            b"* 1 FETCH (X-UNKNOWN ",
            b"* THREAD ",
        ] {
            let kind = |parens: usize| {
                let mut input = head.to_vec();
                input.extend(std::iter::repeat_n(b'(', parens));
                parse_response(&input).unwrap_err().kind
            };
            // `MAX_DEPTH` open parentheses may still be closed; one more is too deep.
            assert_eq!(kind(super::MAX_DEPTH), ParseErrorKind::Incomplete);
            assert_eq!(kind(super::MAX_DEPTH + 1), ParseErrorKind::TooDeep);
            assert_eq!(kind(super::MAX_DEPTH + 3), ParseErrorKind::TooDeep);
        }
    }

    #[test]
    fn consumed_length_stops_after_one_response() {
        let input = b"* 1 EXISTS\r\n* 2 EXISTS\r\n";
        let (_, used) = parse_response(input).unwrap();
        assert_eq!(used, 12);
    }

    #[test]
    fn huge_literal_length_is_incomplete_without_allocating() {
        let err = parse_response(b"* 1 FETCH (BODY[] {4294967295}\r\n").unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::Incomplete);
        let err = parse_response(b"* 1 FETCH (BODY[] {99999999999999999999999}\r\n").unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::Invalid);
    }

    #[test]
    fn garbage_is_invalid_with_position() {
        let err = parse_response(b"* 1 FETCH )\r\n").unwrap_err();
        assert_eq!((err.kind, err.position), (ParseErrorKind::Invalid, 10));
        assert_eq!(
            parse_response(b"\r\n").unwrap_err().kind,
            ParseErrorKind::Invalid
        );
    }

    #[test]
    fn truncation_of_complex_responses_is_always_incomplete() {
        for r in [
            &b"* OK [PERMANENTFLAGS (\\Seen \\*)] Limited\r\n"[..],
            b"a1 OK [COPYUID 1 2:3 4:5] done\r\n",
            b"* LIST (\\HasNoChildren) \"/\" \"a b\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n",
            b"* STATUS {3}\r\nabc (MESSAGES 1 MAILBOXID (x))\r\n",
            b"* ESEARCH (TAG \"a\") UID ALL 1:3 MODSEQ 4\r\n",
            b"* THREAD (2)(3 6 (4 23)(44 7 96))\r\n",
            b"* NAMESPACE ((\"\" \"/\")) NIL ((\"S/\" \"/\"))\r\n",
            b"* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1 NIL NIL NIL NIL)(\"APPLICATION\" \"PDF\" (\"N\" \"a\") NIL NIL \"BASE64\" 4 NIL (\"attachment\" NIL) \"en\" NIL) \"MIXED\" NIL NIL NIL NIL))\r\n",
            b"+ go ahead\r\n",
        ] {
            assert_prefixes_incomplete(r);
            assert!(parse_response(r).is_ok());
        }
    }

    #[test]
    fn single_byte_mutations_never_panic() {
        let samples: [&[u8]; 4] = [
            b"* 1 FETCH (UID 1 ENVELOPE (\"d\" \"s\" ((\"A\" NIL \"a\" \"h\")) NIL NIL NIL NIL NIL NIL \"<m>\") BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"C\" \"u\") NIL NIL \"7BIT\" 1 1 NIL (\"inline\" NIL) NIL NIL)(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 2 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1) 1) \"MIXED\") BODY[1]<0> {2}\r\nab BINARY[2] ~{1}\r\nz)\r\n",
            b"a1 OK [COPYUID 1 2:3,5 4:6] [x] done\r\n",
            b"* STATUS \"a\\\"b\" (MESSAGES 1 MAILBOXID (x) APPENDLIMIT NIL)\r\n",
            b"* ESEARCH (TAG \"a\") UID ALL 1:3 MODSEQ 4\r\n",
        ];
        for sample in samples {
            for pos in 0..sample.len() {
                for b in *b"()\" {}~\r\n\\N0*[]<>" {
                    let mut m = sample.to_vec();
                    m[pos] = b;
                    if let Ok((_, used)) = parse_response(&m) {
                        assert!(used <= m.len());
                    }
                }
            }
        }
    }
}
