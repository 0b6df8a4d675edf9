//! Status responses, response codes, continuation requests and atom lists (CAPABILITY,
//! ENABLED).

use super::core::{
    PResult, advance, at_eol, byte, eq_kw, flag_atom, invalid, item_name, number, number64, peek,
    sequence_set, skip_spaces, sp, text_to_eol,
};
use super::noted_quirks::note_quirk;
use crate::proto::response::{Code, Continuation, MetadataCode, StatusKind, StatusResponse};
use crate::types::Quirk;

/// Maps a status keyword (any case) to its kind.
#[inline]
pub(super) fn status_kind(name: &[u8]) -> Option<StatusKind> {
    Some(match name.len() {
        2 if eq_kw(name, b"OK") => StatusKind::Ok,
        2 if eq_kw(name, b"NO") => StatusKind::No,
        3 if eq_kw(name, b"BAD") => StatusKind::Bad,
        3 if eq_kw(name, b"BYE") => StatusKind::Bye,
        7 if eq_kw(name, b"PREAUTH") => StatusKind::PreAuth,
        _ => return None,
    })
}

/// `tag SP (OK / NO / BAD) SP resp-text` (also accepts BYE/PREAUTH; the session judges).
pub(super) fn tagged<'a>(i: &mut &'a [u8]) -> PResult<StatusResponse<'a>> {
    let s = *i;
    // tag = 1*<any ASTRING-CHAR except "+">
    let n = s
        .iter()
        .position(|&b| b == b'+' || !(super::core::is_atom_char(b) || b == b']'))
        .unwrap_or(s.len());
    if n == 0 {
        return Err(invalid(i, "tag"));
    }
    let (tag, rest) = s.split_at(n);
    *i = rest;
    sp(i)?;
    let name = item_name(i)?;
    let kind = status_kind(name).ok_or_else(|| invalid(i, "OK, NO or BAD"))?;
    status_rest(i, Some(tag), kind)
}

/// `"[" resp-text-code "]" [SP text]` alone on a line, as Exchange 2013 sends COPYUID
/// during UID MOVE: read as an untagged OK ([`Quirk::BareResponseCode`]).
pub(super) fn bare_code<'a>(i: &mut &'a [u8]) -> PResult<StatusResponse<'a>> {
    let code = resp_code(i)?;
    if peek(i) == Some(b' ') {
        advance(i, 1);
    }
    let text = text_to_eol(i)?;
    note_quirk(Quirk::BareResponseCode);
    Ok(StatusResponse {
        tag: None,
        kind: StatusKind::Ok,
        code: Some(code),
        text,
    })
}

/// Exchange's `Server Unavailable. 15` line: a NO sent with an empty tag.
const SERVER_UNAVAILABLE: &[u8] = b"Server Unavailable.";

/// Whether the line starts with Exchange's `Server Unavailable.` (any case).
pub(super) fn is_server_unavailable(i: &[u8]) -> bool {
    i.get(..SERVER_UNAVAILABLE.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(SERVER_UNAVAILABLE))
}

/// Exchange's `Server Unavailable. 15` line (no `*`, no tag): read as an untagged NO whose
/// text is the whole line ([`Quirk::BareServerUnavailable`]).
pub(super) fn server_unavailable<'a>(i: &mut &'a [u8]) -> PResult<StatusResponse<'a>> {
    let text = text_to_eol(i)?;
    note_quirk(Quirk::BareServerUnavailable);
    Ok(StatusResponse {
        tag: None,
        kind: StatusKind::No,
        code: None,
        text,
    })
}

/// The part after the status keyword: `[SP [resp-text-code SP] text]`.
pub(super) fn status_rest<'a>(
    i: &mut &'a [u8],
    tag: Option<&'a [u8]>,
    kind: StatusKind,
) -> PResult<StatusResponse<'a>> {
    let (code, text) = resp_text(i)?;
    Ok(StatusResponse {
        tag,
        kind,
        code,
        text,
    })
}

fn resp_text<'a>(i: &mut &'a [u8]) -> PResult<(Option<Code<'a>>, &'a [u8])> {
    // Leniency: resp-text missing entirely (`a1 OK\r\n`).
    if at_eol(i) {
        if peek(i) != Some(b' ') {
            note_quirk(Quirk::MissingText);
        }
        return Ok((None, &[]));
    }
    sp(i)?;
    let code = if peek(i) == Some(b'[') {
        Some(resp_code(i)?)
    } else {
        None
    };
    if peek(i) == Some(b' ') {
        advance(i, 1);
    }
    Ok((code, text_to_eol(i)?))
}

/// `+ [resp-text]`; an empty `+\r\n` (Dovecot during AUTHENTICATE, Exchange) and `+ base64`
/// are accepted.
pub(super) fn continuation<'a>(i: &mut &'a [u8]) -> PResult<Continuation<'a>> {
    byte(i, b'+', "continuation")?;
    if peek(i) == Some(b' ') {
        advance(i, 1);
    }
    let code = if peek(i) == Some(b'[') {
        Some(resp_code(i)?)
    } else {
        None
    };
    if code.is_some() && peek(i) == Some(b' ') {
        advance(i, 1);
    }
    Ok(Continuation {
        code,
        text: text_to_eol(i)?,
    })
}

/// `"[" resp-text-code "]"`. Known codes whose data does not parse become `Code::Other`.
fn resp_code<'a>(i: &mut &'a [u8]) -> PResult<Code<'a>> {
    byte(i, b'[', "response code")?;
    let name = item_name(i)?;
    if peek(i) == Some(b' ') {
        advance(i, 1);
    }
    let s = *i;
    let raw = match code_end(s) {
        Some(n) if s.get(n) == Some(&b']') => {
            let (raw, rest) = s.split_at(n);
            *i = rest.get(1..).unwrap_or_default();
            raw
        }
        Some(n) => {
            return Err(invalid(
                s.get(n..).unwrap_or_default(),
                "']' of response code",
            ));
        }
        None => return Err(super::core::incomplete(&[])),
    };
    Ok(code(name, raw).unwrap_or_else(|| {
        note_quirk(Quirk::UntypedValue);
        Code::Other { name, raw }
    }))
}

/// Where the data of a response code ends: the first `]` outside parentheses and quoted
/// strings, so a flag holding `]` (Gmail's PERMANENTFLAGS) stays inside the code. If the
/// parentheses do not close on the line, the first `]` (or the line end, `None` if neither
/// comes).
fn code_end(s: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    let mut j = 0;
    while let Some(&b) = s.get(j) {
        match b {
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b']' if depth == 0 => return Some(j),
            b'"' => {
                j += 1;
                while let Some(&q) = s.get(j) {
                    match q {
                        b'\\' => j += 1,
                        b'"' | b'\r' | b'\n' => break,
                        _ => {}
                    }
                    j += 1;
                }
                if matches!(s.get(j), Some(b'\r' | b'\n')) {
                    break;
                }
            }
            b'\r' | b'\n' => break,
            _ => {}
        }
        j += 1;
    }
    memchr::memchr2(b']', b'\n', s)
}

/// Interprets a response code's name and data: an unknown code is [`Code::Other`]; `None`
/// if a known code's data does not fit.
fn code<'a>(name: &'a [u8], raw: &'a [u8]) -> Option<Code<'a>> {
    let simple = |c: Code<'a>| trim(raw).is_empty().then_some(c);
    let mut r = raw;
    let r = &mut r;
    let c = match name.len() {
        5 if eq_kw(name, b"ALERT") => return simple(Code::Alert),
        5 if eq_kw(name, b"PARSE") => return simple(Code::Parse),
        5 if eq_kw(name, b"INUSE") => return simple(Code::InUse),
        5 if eq_kw(name, b"LIMIT") => return simple(Code::Limit),
        6 if eq_kw(name, b"TOOBIG") => return simple(Code::TooBig),
        6 if eq_kw(name, b"NOPERM") => return simple(Code::NoPerm),
        6 if eq_kw(name, b"CLOSED") => return simple(Code::Closed),
        6 if eq_kw(name, b"CANNOT") => return simple(Code::Cannot),
        6 if eq_kw(name, b"UNSEEN") => Code::Unseen(number(r).ok()?),
        7 if eq_kw(name, b"EXPIRED") => return simple(Code::Expired),
        7 if eq_kw(name, b"USEATTR") => return simple(Code::UseAttr),
        7 if eq_kw(name, b"UIDNEXT") => Code::UidNext(number(r).ok()?),
        7 if eq_kw(name, b"COPYUID") => {
            let uid_validity = number(r).ok()?;
            sp(r).ok()?;
            let source = sequence_set(r).ok()?;
            sp(r).ok()?;
            Code::CopyUid {
                uid_validity,
                source,
                destination: sequence_set(r).ok()?,
            }
        }
        8 if eq_kw(name, b"NOTSAVED") => return simple(Code::NotSaved),
        8 if eq_kw(name, b"NOMODSEQ") => return simple(Code::NoModSeq),
        8 if eq_kw(name, b"REFERRAL") => return Some(Code::Referral(trim(raw))),
        8 if eq_kw(name, b"MODIFIED") => Code::Modified(sequence_set(r).ok()?),
        // RFC 5465 puts the events in parentheses; Dovecot 2.3 sends them bare
        // (`[BADEVENT MailboxMetadataChange]`): take both.
        8 if eq_kw(name, b"BADEVENT") => {
            Code::BadEvent(match super::core::paren_list(r, super::core::atom) {
                Ok(events) => events,
                Err(_) => {
                    *r = &[];
                    atoms_in(raw)
                }
            })
        }
        8 if eq_kw(name, b"METADATA") => {
            let kind = item_name(r).ok()?;
            Code::Metadata(if eq_kw(kind, b"TOOMANY") {
                MetadataCode::TooMany
            } else if eq_kw(kind, b"NOPRIVATE") {
                MetadataCode::NoPrivate
            } else if eq_kw(kind, b"LONGENTRIES") {
                sp(r).ok()?;
                MetadataCode::LongEntries(number64(r).ok()?)
            } else if eq_kw(kind, b"MAXSIZE") {
                sp(r).ok()?;
                MetadataCode::MaxSize(number64(r).ok()?)
            } else {
                return None;
            })
        }
        9 if eq_kw(name, b"READ-ONLY") => return simple(Code::ReadOnly),
        9 if eq_kw(name, b"TRYCREATE") => return simple(Code::TryCreate),
        9 if eq_kw(name, b"SERVERBUG") => return simple(Code::ServerBug),
        9 if eq_kw(name, b"CLIENTBUG") => return simple(Code::ClientBug),
        9 if eq_kw(name, b"OVERQUOTA") => return simple(Code::OverQuota),
        9 if eq_kw(name, b"APPENDUID") => {
            let uid_validity = number(r).ok()?;
            sp(r).ok()?;
            Code::AppendUid {
                uid_validity,
                uids: sequence_set(r).ok()?,
            }
        }
        9 if eq_kw(name, b"MAILBOXID") => Code::MailboxId(super::core::object_id(r).ok()?),
        10 if eq_kw(name, b"READ-WRITE") => return simple(Code::ReadWrite),
        10 if eq_kw(name, b"BADCHARSET") => {
            if trim(raw).is_empty() {
                Code::BadCharset(Vec::new())
            } else {
                Code::BadCharset(super::core::paren_list(r, super::core::astring).ok()?)
            }
        }
        10 if eq_kw(name, b"CORRUPTION") => return simple(Code::Corruption),
        10 if eq_kw(name, b"CAPABILITY") => return Some(Code::Capability(atoms_in(raw))),
        11 if eq_kw(name, b"UIDVALIDITY") => Code::UidValidity(number(r).ok()?),
        11 if eq_kw(name, b"UNAVAILABLE") => return simple(Code::Unavailable),
        11 if eq_kw(name, b"HASCHILDREN") => return simple(Code::HasChildren),
        11 if eq_kw(name, b"NONEXISTENT") => return simple(Code::NonExistent),
        11 if eq_kw(name, b"UNKNOWN-CTE") => return simple(Code::UnknownCte),
        12 if eq_kw(name, b"UIDNOTSTICKY") => return simple(Code::UidNotSticky),
        12 if eq_kw(name, b"CONTACTADMIN") => return simple(Code::ContactAdmin),
        13 if eq_kw(name, b"HIGHESTMODSEQ") => Code::HighestModSeq(number64(r).ok()?),
        13 if eq_kw(name, b"EXPUNGEISSUED") => return simple(Code::ExpungeIssued),
        13 if eq_kw(name, b"ALREADYEXISTS") => return simple(Code::AlreadyExists),
        14 if eq_kw(name, b"PERMANENTFLAGS") => {
            Code::PermanentFlags(super::flags::flag_list(r).ok()?)
        }
        15 if eq_kw(name, b"PRIVACYREQUIRED") => return simple(Code::PrivacyRequired),
        17 if eq_kw(name, b"COMPRESSIONACTIVE") => return simple(Code::CompressionActive),
        19 if eq_kw(name, b"AUTHORIZATIONFAILED") => return simple(Code::AuthorizationFailed),
        20 if eq_kw(name, b"AUTHENTICATIONFAILED") => return simple(Code::AuthenticationFailed),
        20 if eq_kw(name, b"NOTIFICATIONOVERFLOW") => return simple(Code::NotificationOverflow),
        _ => return Some(Code::Other { name, raw }),
    };
    skip_spaces(r);
    r.is_empty().then_some(c)
}

fn trim(raw: &[u8]) -> &[u8] {
    raw.trim_ascii()
}

/// Splits space-separated atoms (capability lists inside a response code).
fn atoms_in(raw: &[u8]) -> Vec<&[u8]> {
    raw.split(|&b| b == b' ')
        .filter(|a| !a.is_empty())
        .collect()
}

/// `*(SP atom)` up to the end of the line (CAPABILITY, ENABLED). Leniency: trailing spaces.
pub(super) fn atom_list<'a>(i: &mut &'a [u8]) -> PResult<Vec<&'a [u8]>> {
    let mut out = Vec::new();
    while !at_eol(i) {
        sp(i)?;
        if at_eol(i) {
            break;
        }
        out.push(flag_atom(i)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use crate::proto::parse::test_util::{parse_all, status};
    use crate::proto::response::{
        Code, Continuation, MetadataCode, Response, SeqRange, StatusKind, StatusResponse,
    };

    fn code(input: &[u8]) -> Code<'_> {
        status(input).code.expect("a response code")
    }

    #[test]
    fn greeting_ok_with_capability_code() {
        let s = status(b"* OK [CAPABILITY IMAP4rev1 SASL-IR ID AUTH=PLAIN] Dovecot ready.\r\n");
        assert_eq!(s.tag, None);
        assert_eq!(s.kind, StatusKind::Ok);
        assert_eq!(
            s.code,
            Some(Code::Capability(vec![
                b"IMAP4rev1",
                b"SASL-IR",
                b"ID",
                b"AUTH=PLAIN"
            ]))
        );
        assert_eq!(s.text, b"Dovecot ready.");
    }

    #[test]
    fn greeting_preauth_and_bye() {
        assert_eq!(
            status(b"* PREAUTH IMAP4rev1 server logged in as Smith\r\n").kind,
            StatusKind::PreAuth
        );
        let bye = status(b"* BYE Autologout; idle for too long\r\n");
        assert_eq!(bye.kind, StatusKind::Bye);
        assert_eq!(bye.text, b"Autologout; idle for too long");
    }

    #[test]
    fn tagged_ok_keeps_dovecot_timing_text() {
        let s = status(b"a3 OK Fetch completed (0.070 + 0.000 + 0.069 secs).\r\n");
        assert_eq!(
            s,
            StatusResponse {
                tag: Some(b"a3"),
                kind: StatusKind::Ok,
                code: None,
                text: b"Fetch completed (0.070 + 0.000 + 0.069 secs)."
            }
        );
    }

    #[test]
    fn tagged_no_and_bad_lower_case_keywords() {
        assert_eq!(status(b"A1 no [TRYCREATE] nope\r\n").kind, StatusKind::No);
        assert_eq!(
            status(b"A1 bad [trycreate] x\r\n").code,
            Some(Code::TryCreate)
        );
    }

    #[test]
    fn missing_resp_text_and_trailing_spaces_are_accepted() {
        let s = status(b"a1 OK\r\n");
        assert_eq!((s.code, s.text), (None, &b""[..]));
        let s = status(b"a1 OK [READ-WRITE]\r\n");
        assert_eq!((s.code, s.text), (Some(Code::ReadWrite), &b""[..]));
        let s = status(b"a1 OK done   \r\n");
        assert_eq!(s.text, b"done   ");
        let s = status(b"a1 OK  \r\n");
        assert_eq!(s.text, b"");
    }

    #[test]
    fn cyrus_rename_notice_is_plain_text() {
        let s = status(b"* OK rename user/a user/b\r\n");
        assert_eq!((s.code, s.text), (None, &b"rename user/a user/b"[..]));
    }

    #[test]
    fn eight_bit_text_is_kept() {
        assert_eq!(
            status("* NO Überschrift\r\n".as_bytes()).text,
            "Überschrift".as_bytes()
        );
    }

    #[test]
    fn codes_without_data() {
        let cases: &[(&[u8], Code<'_>)] = &[
            (b"ALERT", Code::Alert),
            (b"PARSE", Code::Parse),
            (b"READ-ONLY", Code::ReadOnly),
            (b"READ-WRITE", Code::ReadWrite),
            (b"TRYCREATE", Code::TryCreate),
            (b"UIDNOTSTICKY", Code::UidNotSticky),
            (b"NOMODSEQ", Code::NoModSeq),
            (b"CLOSED", Code::Closed),
            (b"NOTIFICATIONOVERFLOW", Code::NotificationOverflow),
            (b"NOTSAVED", Code::NotSaved),
            (b"TOOBIG", Code::TooBig),
            (b"UNKNOWN-CTE", Code::UnknownCte),
            (b"COMPRESSIONACTIVE", Code::CompressionActive),
            (b"USEATTR", Code::UseAttr),
            (b"HASCHILDREN", Code::HasChildren),
            (b"UNAVAILABLE", Code::Unavailable),
            (b"AUTHENTICATIONFAILED", Code::AuthenticationFailed),
            (b"AUTHORIZATIONFAILED", Code::AuthorizationFailed),
            (b"EXPIRED", Code::Expired),
            (b"PRIVACYREQUIRED", Code::PrivacyRequired),
            (b"CONTACTADMIN", Code::ContactAdmin),
            (b"NOPERM", Code::NoPerm),
            (b"INUSE", Code::InUse),
            (b"EXPUNGEISSUED", Code::ExpungeIssued),
            (b"CORRUPTION", Code::Corruption),
            (b"SERVERBUG", Code::ServerBug),
            (b"CLIENTBUG", Code::ClientBug),
            (b"CANNOT", Code::Cannot),
            (b"LIMIT", Code::Limit),
            (b"OVERQUOTA", Code::OverQuota),
            (b"ALREADYEXISTS", Code::AlreadyExists),
            (b"NONEXISTENT", Code::NonExistent),
        ];
        for (name, expected) in cases {
            let mut line = b"a NO [".to_vec();
            line.extend_from_slice(name);
            line.extend_from_slice(b"] text\r\n");
            assert_eq!(&code(&line), expected, "{}", String::from_utf8_lossy(name));
        }
    }

    #[test]
    fn codes_with_numbers() {
        assert_eq!(
            code(b"* OK [UIDNEXT 4392] Predicted next UID\r\n"),
            Code::UidNext(4392)
        );
        assert_eq!(
            code(b"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"),
            Code::UidValidity(3857529045)
        );
        assert_eq!(
            code(b"* OK [UNSEEN 12] Message 12 is first unseen\r\n"),
            Code::Unseen(12)
        );
        assert_eq!(
            code(b"* OK [HIGHESTMODSEQ 715194045007]\r\n"),
            Code::HighestModSeq(715194045007)
        );
    }

    #[test]
    fn permanentflags_with_star() {
        let Code::PermanentFlags(f) =
            code(b"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n")
        else {
            panic!()
        };
        assert_eq!(
            f.iter().collect::<Vec<_>>(),
            vec![&b"\\Deleted"[..], b"\\Seen", b"\\*"]
        );
    }

    #[test]
    fn uidplus_codes() {
        assert_eq!(
            code(b"A003 OK [APPENDUID 38505 3955] APPEND completed\r\n"),
            Code::AppendUid {
                uid_validity: 38505,
                uids: vec![SeqRange {
                    start: 3955,
                    end: 3955
                }]
            }
        );
        assert_eq!(
            code(b"A004 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n"),
            Code::CopyUid {
                uid_validity: 38505,
                source: vec![
                    SeqRange {
                        start: 304,
                        end: 304
                    },
                    SeqRange {
                        start: 319,
                        end: 320
                    }
                ],
                destination: vec![SeqRange {
                    start: 3956,
                    end: 3958
                }],
            }
        );
    }

    #[test]
    fn condstore_objectid_notify_metadata_codes() {
        assert_eq!(
            code(b"d105 OK [MODIFIED 7,9] Conditional STORE failed\r\n"),
            Code::Modified(vec![
                SeqRange { start: 7, end: 7 },
                SeqRange { start: 9, end: 9 }
            ])
        );
        assert_eq!(
            code(b"3 OK [MAILBOXID (F2212ea87-6097-4256-9d51-71338625)] Ok\r\n"),
            Code::MailboxId(b"F2212ea87-6097-4256-9d51-71338625")
        );
        assert_eq!(
            code(b"a NO [BADEVENT (MessageNew MessageExpunge)] x\r\n"),
            Code::BadEvent(vec![b"MessageNew", b"MessageExpunge"])
        );
        assert_eq!(
            code(b"a NO [BADEVENT MailboxMetadataChange] x\r\n"),
            Code::BadEvent(vec![b"MailboxMetadataChange"])
        );
        assert_eq!(
            code(b"a OK [METADATA LONGENTRIES 2199] x\r\n"),
            Code::Metadata(MetadataCode::LongEntries(2199))
        );
        assert_eq!(
            code(b"a NO [METADATA MAXSIZE 1024] x\r\n"),
            Code::Metadata(MetadataCode::MaxSize(1024))
        );
        assert_eq!(
            code(b"a NO [METADATA TOOMANY] x\r\n"),
            Code::Metadata(MetadataCode::TooMany)
        );
        assert_eq!(
            code(b"a NO [METADATA NOPRIVATE] x\r\n"),
            Code::Metadata(MetadataCode::NoPrivate)
        );
    }

    #[test]
    fn badcharset_referral() {
        assert_eq!(
            code(b"a NO [BADCHARSET (UTF-8 \"ISO-8859-1\")] x\r\n"),
            Code::BadCharset(vec![b"UTF-8".into(), b"ISO-8859-1".into()])
        );
        assert_eq!(code(b"a NO [BADCHARSET] x\r\n"), Code::BadCharset(vec![]));
        assert_eq!(
            code(b"a NO [REFERRAL imap://x/INBOX] x\r\n"),
            Code::Referral(b"imap://x/INBOX")
        );
    }

    #[test]
    fn unknown_codes_as_long_as_known_ones_are_kept_as_other() {
        // Codes are matched by name length first: an unknown name of each known length, with
        // data that one of the known codes of that length would accept, must stay `Other`.
        let data: [&[u8]; 9] = [
            b"",
            b"5",
            b"1:2",
            b"1 1:2",
            b"1 1:2 3:4",
            b"TOOMANY",
            b"(F123)",
            b"(\\Seen)",
            b"imap://x/INBOX",
        ];
        for len in 5..=20 {
            let name = "X".repeat(len);
            for raw in data {
                let mut line = format!("* OK [{name}").into_bytes();
                if !raw.is_empty() {
                    line.push(b' ');
                    line.extend_from_slice(raw);
                }
                line.extend_from_slice(b"] x\r\n");
                assert_eq!(
                    code(&line),
                    Code::Other {
                        name: name.as_bytes(),
                        raw
                    },
                    "{}",
                    String::from_utf8_lossy(&line)
                );
            }
        }
    }

    #[test]
    fn unknown_or_malformed_codes_are_kept_as_other() {
        assert_eq!(
            code(b"* OK [XPROPRIETARY 1 2 (3)] x\r\n"),
            Code::Other {
                name: b"XPROPRIETARY",
                raw: b"1 2 (3)"
            }
        );
        assert_eq!(
            code(b"* OK [UIDNEXT abc] x\r\n"),
            Code::Other {
                name: b"UIDNEXT",
                raw: b"abc"
            }
        );
        assert_eq!(
            code(b"* OK [X-EMPTY] x\r\n"),
            Code::Other {
                name: b"X-EMPTY",
                raw: b""
            }
        );
    }

    #[test]
    fn continuation_forms() {
        let c = |i: &'static [u8]| match parse_all(i) {
            Response::Continuation(c) => c,
            o => panic!("{o:?}"),
        };
        assert_eq!(
            c(b"+\r\n"),
            Continuation {
                code: None,
                text: b""
            }
        );
        assert_eq!(
            c(b"+ \r\n"),
            Continuation {
                code: None,
                text: b""
            }
        );
        assert_eq!(
            c(b"+ Ready for literal data\r\n").text,
            b"Ready for literal data"
        );
        assert_eq!(
            c(b"+ YGgGCSqGSIb3EgECAgIBAAD/////6jcyG4GE3KkTzBeBiVHeceP2CWY0SR0fAQAgAAQEBAQ=\r\n")
                .text,
            b"YGgGCSqGSIb3EgECAgIBAAD/////6jcyG4GE3KkTzBeBiVHeceP2CWY0SR0fAQAgAAQEBAQ="
        );
        assert_eq!(
            c(b"+ [ALERT] hi\r\n"),
            Continuation {
                code: Some(Code::Alert),
                text: b"hi"
            }
        );
        assert_eq!(
            c(b"+  two spaces\r\n"),
            Continuation {
                code: None,
                text: b" two spaces"
            },
            "only one space is skipped when there is no code"
        );
    }

    #[test]
    fn a_line_end_inside_a_response_code_is_invalid_not_the_code_end() {
        let err = crate::proto::parse_response(b"* OK [ALERT\r\n] x\r\n").unwrap_err();
        assert_eq!(err.kind, crate::proto::ParseErrorKind::Invalid);
        assert_eq!(err.context, "']' of response code");
        let err = crate::proto::parse_response(b"* OK [X (a\r\n] x\r\n").unwrap_err();
        assert_eq!(
            err.context, "']' of response code",
            "also inside parentheses"
        );
        let err = crate::proto::parse_response(b"* OK [X \"a\r\n] x\r\n").unwrap_err();
        assert_eq!(
            err.context, "']' of response code",
            "and inside a quoted string"
        );
    }

    #[test]
    fn a_code_alone_on_a_line_is_an_untagged_ok() {
        for (line, text) in [
            (&b"[COPYUID 124 10 233]\r\n"[..], &b""[..]),
            (b"[COPYUID 124 10 233] Moved\r\n", b"Moved"),
        ] {
            let st = status(line);
            assert_eq!(
                (st.tag, st.kind, st.text),
                (None, StatusKind::Ok, text),
                "{line:?}"
            );
            assert!(matches!(st.code, Some(Code::CopyUid { .. })), "{line:?}");
        }
    }

    #[test]
    fn a_code_ends_at_the_first_bracket_outside_parentheses_and_quotes() {
        use super::code_end;
        assert_eq!(code_end(b"] rest"), Some(0));
        assert_eq!(code_end(b"(a] b) c] d]"), Some(8), "']' inside parentheses");
        assert_eq!(code_end(b"((a]) b]) c]"), Some(11), "nested parentheses");
        assert_eq!(code_end(b"(a) b] (c]"), Some(5), "after a closed list");
        assert_eq!(
            code_end(b"\"a]\" b] c]"),
            Some(6),
            "']' inside a quoted string"
        );
        assert_eq!(
            code_end(b"\"a\\\"]\" b] c]"),
            Some(8),
            "after an escaped quote"
        );
        assert_eq!(
            code_end(b") a] b]"),
            Some(3),
            "a stray ')' does not go below zero"
        );
        // Parentheses that do not close on the line: the first ']' (the old rule).
        assert_eq!(code_end(b"(a] b\r\n]"), Some(2));
        assert_eq!(
            code_end(b"(a] \"b\r\n]"),
            Some(2),
            "a quote cut by the line end"
        );
        assert_eq!(code_end(b"(a b"), None, "no ']' at all");
        assert_eq!(
            code_end(b"(a\n]"),
            Some(2),
            "the line end, where the code is cut"
        );
    }

    #[test]
    fn gmail_permanentflags_keep_keywords_with_brackets() {
        assert_eq!(
            code(b"* OK [PERMANENTFLAGS (\\Seen OIB-Seen-[Gmail]/Trash \\*)] Flags permitted.\r\n"),
            Code::PermanentFlags(crate::proto::response::FlagList(
                b"\\Seen OIB-Seen-[Gmail]/Trash \\*"
            ))
        );
    }
}
