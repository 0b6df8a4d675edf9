//! BODYSTRUCTURE deviations: odd parts kept unparsed beside the typed ones, bare-string
//! dispositions, spaces before a closing parenthesis, negative sizes.

use super::{fetches, transcript_of};
use crate::proto::session::tests::fetch;
use crate::types::response::{BodyStructure, FetchResponse, MultiPart, SinglePart, SinglePartKind};
use crate::types::{FetchAttr, Flag, Quirk, QuirkCounts};

/// `reply` (untagged FETCH data) played to a `FETCH 1:* (BODYSTRUCTURE)` by [`transcript_of`]:
/// its FETCH results and the quirks counted.
fn transcript(reply: &str) -> (Vec<FetchResponse>, QuirkCounts) {
    let (outcome, quirks) = transcript_of(fetch("1:*", vec![FetchAttr::BodyStructure]), reply);
    (fetches(outcome), quirks)
}

fn multi(b: &BodyStructure) -> &MultiPart {
    match b {
        BodyStructure::Multi(m) => m,
        other => panic!("expected a multipart, got {other:?}"),
    }
}

fn single(b: &BodyStructure) -> &SinglePart {
    match b {
        BodyStructure::Single(s) => s,
        other => panic!("expected a single part, got {other:?}"),
    }
}

fn unparsed(b: &BodyStructure) -> &[u8] {
    match b {
        BodyStructure::Unparsed(u) => {
            assert!(!u.error.is_empty());
            &u.raw
        }
        other => panic!("expected an unparsed part, got {other:?}"),
    }
}

/// Exchange 2016 puts the description where the multipart's disposition goes, as a bare
/// string (javaee/javamail #278).
#[test]
fn exchange_2016_bare_string_disposition() {
    let (got, quirks) = transcript(
        "* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 21 0 NIL (\"inline\" NIL) NIL NIL)(\"application\" \"octet-stream\" (\"name\" \"private.txt\") NIL NIL \"base64\" 690 NIL (\"attachment\" (\"filename\" \"private.txt\")) NIL NIL) \"mixed\" (\"boundary\" \"----=_Part_0_-1731707885.1504253815584\") \"S/MIME Encrypted Message\" NIL))\r\n",
    );
    assert_eq!(quirks.get(Quirk::BareStringDisposition), 1);
    assert_eq!(quirks.iter().count(), 1, "{quirks:?}");
    let body = got[0].body_structure.as_deref().expect("typed");
    let m = multi(body);
    assert_eq!(m.subtype, "mixed");
    assert_eq!(m.parts.len(), 2);
    let dsp = m.extension.disposition.as_ref().expect("disposition");
    assert_eq!(dsp.kind, "S/MIME Encrypted Message");
    assert!(dsp.params.is_empty());
    let attachment = single(&m.parts[1]);
    assert_eq!(attachment.fields.octets, 690);
    assert_eq!(
        attachment
            .extension
            .disposition
            .as_ref()
            .map(|d| d.kind.as_str()),
        Some("attachment")
    );
}

/// Lotus Domino sends a message/rfc822 part with an all-NIL envelope and `()` as its body
/// (jstedfast/MailKit #944): that body is kept unparsed, the rest of the structure and the
/// FETCH's later items are typed.
#[test]
fn domino_message_part_with_an_empty_body() {
    let (got, quirks) = transcript(
        "* 9125 FETCH (UID 23064 BODYSTRUCTURE ((\"text\" \"plain\"  (\"charset\" \"UTF-8\") NIL NIL \"base64\" 232 4 NIL NIL NIL)(\"message\" \"delivery-status\"  NIL NIL NIL \"7BIT\" 421 NIL NIL NIL)(\"message\" \"rfc822\"  NIL NIL NIL \"7BIT\" 787 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) () 0 NIL NIL NIL) \"report\" (\"report-type\" \"delivery-status\" \"boundary\" \"==IFJRGLKFGIR60132UHRUHIHD\") NIL NIL) FLAGS (\\Seen))\r\n",
    );
    assert_eq!(quirks.get(Quirk::UnparsedBodyPart), 1);
    assert_eq!(
        quirks.get(Quirk::ExtraSpaces),
        1,
        "two spaces after each subtype"
    );
    assert_eq!(quirks.iter().count(), 2, "{quirks:?}");
    let f = &got[0];
    assert_eq!((f.seq, f.uid), (9125, Some(23064)));
    assert_eq!(
        f.flags,
        Some(vec![Flag::Seen]),
        "the item after BODYSTRUCTURE"
    );
    let m = multi(f.body_structure.as_deref().expect("typed"));
    assert_eq!(m.subtype, "report");
    assert_eq!(m.parts.len(), 3);
    let message = single(&m.parts[2]);
    assert_eq!(message.fields.octets, 787);
    match &message.kind {
        SinglePartKind::Message { body, lines, .. } => {
            assert_eq!(unparsed(body), b"()");
            assert_eq!(*lines, 0);
        }
        other => panic!("{other:?}"),
    }
}

/// Gmail sent parts shaped `("RELATED" NIL ("ATTACHMENT" NIL) NIL)`, neither a single part
/// nor a multipart (jstedfast/MailKit #371): each is kept unparsed, the alternative part and
/// the multipart around them stay typed.
#[test]
fn gmail_parts_that_are_neither_single_nor_multipart() {
    let (got, quirks) = transcript(
        "* 56697 FETCH (UID 227195 RFC822.SIZE 87705 BODYSTRUCTURE (((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\" \"DELSP\" \"yes\" \"FORMAT\" \"flowed\") NIL NIL \"BASE64\" 10418 133 NIL NIL NIL)(\"TEXT\" \"HTML\" (\"CHARSET\" \"UTF-8\") NIL NIL \"BASE64\" 34544 442 NIL NIL NIL) \"ALTERNATIVE\" (\"BOUNDARY\" \"94eb2c1cd0507723d5054c1ce6cb\") NIL NIL)(\"RELATED\" NIL (\"ATTACHMENT\" NIL) NIL)(\"RELATED\" NIL (\"ATTACHMENT\" NIL) NIL)(\"RELATED\" NIL (\"ATTACHMENT\" NIL) NIL)(\"RELATED\" NIL (\"ATTACHMENT\" NIL) NIL) \"MIXED\" (\"BOUNDARY\" \"94eb2c1cd0507723e6054c1ce6cd\") NIL NIL))\r\n",
    );
    assert_eq!(quirks.get(Quirk::UnparsedBodyPart), 1);
    assert_eq!(quirks.iter().count(), 1, "{quirks:?}");
    let f = &got[0];
    assert_eq!((f.uid, f.rfc822_size), (Some(227195), Some(87705)));
    let m = multi(f.body_structure.as_deref().expect("typed"));
    assert_eq!(m.subtype, "MIXED");
    assert_eq!(m.parts.len(), 5);
    let alternative = multi(&m.parts[0]);
    assert_eq!(alternative.parts.len(), 2);
    assert_eq!(single(&alternative.parts[1]).fields.octets, 34544);
    for part in &m.parts[1..] {
        assert_eq!(
            unparsed(part),
            b"(\"RELATED\" NIL (\"ATTACHMENT\" NIL) NIL)"
        );
    }
}

/// A message/rfc822 part whose body is a multipart written as a single part with a NIL type
/// and no size (jstedfast/MailKit #1393): that body is kept unparsed, the message part keeps
/// its envelope and line count.
#[test]
fn nil_typed_body_inside_a_message_part() {
    let (got, quirks) = transcript(
        "* 3 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 727 16 NIL NIL NIL NIL)(\"message\" \"delivery-status\" (\"name\" \"Delivery status\") NIL NIL \"7bit\" 416 NIL NIL NIL NIL)(\"message\" \"rfc822\" (\"name\" \"Message headers\") NIL NIL \"7bit\" 903 (\"Mon, 17 Nov 2014 13:29:21 +0100\" \"Re: Adresy\" ((\"username\" NIL \"e.username\" \"example.com\")) ((\"username\" NIL \"e.username\" \"example.com\")) ((\"username\" NIL \"e.username\" \"example.com\")) ((\"=?utf-8?Q?Justyna?=\" NIL \"salesde\" \"some-company.eu\")) ((NIL NIL \"saleseu\" \"some-company.eu\")(\"Bogdan\" NIL \"bogdan\" \"some-company.eu\")) NIL \"<004901d00260$35405970$9fc10c50$@some-company.eu>\" \"<D6173425-9D71-4D78-8C3C-1CEB03BCB4D0@example.com>\") (NIL \"alternative\" (\"boundary\" \"Apple-Mail=_352FCEEC-EB15-428F-9D8B-D3B4259DD646\") NIL NIL NIL) 17 NIL NIL NIL NIL) \"report\" (\"report-type\" \"delivery-status\" \"boundary\" \"_e0d7475d888f9882b71de053e5efb221_idea\") NIL NIL NIL))\r\n",
    );
    assert_eq!(quirks.get(Quirk::UnparsedBodyPart), 1);
    assert_eq!(quirks.iter().count(), 1, "{quirks:?}");
    let m = multi(got[0].body_structure.as_deref().expect("typed"));
    assert_eq!((m.subtype.as_str(), m.parts.len()), ("report", 3));
    let message = single(&m.parts[2]);
    match &message.kind {
        SinglePartKind::Message {
            envelope,
            body,
            lines,
            ..
        } => {
            assert_eq!(envelope.subject.as_deref(), Some("Re: Adresy"));
            assert_eq!(envelope.cc.len(), 2);
            assert_eq!(
                unparsed(body),
                b"(NIL \"alternative\" (\"boundary\" \"Apple-Mail=_352FCEEC-EB15-428F-9D8B-D3B4259DD646\") NIL NIL NIL)"
            );
            assert_eq!(*lines, 17);
        }
        other => panic!("{other:?}"),
    }
}

/// Yahoo Japan sent a space before a multipart's closing parenthesis
/// (emailjs/emailjs-imap-handler #8).
#[test]
fn yahoo_japan_trailing_space_in_a_multipart() {
    let (got, quirks) = transcript(
        "* 2 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"ISO-2022-JP\") NIL NIL \"7bit\" 2515 64 NIL NIL NIL NIL)(\"text\" \"html\" (\"charset\" \"ISO-2022-JP\") NIL NIL \"7bit\" 7723 151 NIL NIL NIL NIL) \"alternative\" (\"boundary\" \"pzu8t3naw7b5therma1t\") NIL ) FLAGS (\\Seen) UID 2)\r\n",
    );
    assert_eq!(quirks.get(Quirk::SpaceBeforeBodyClose), 1);
    assert_eq!(quirks.iter().count(), 1, "{quirks:?}");
    let f = &got[0];
    assert_eq!((f.uid, f.flags.clone()), (Some(2), Some(vec![Flag::Seen])));
    let m = multi(f.body_structure.as_deref().expect("typed"));
    assert_eq!((m.subtype.as_str(), m.parts.len()), ("alternative", 2));
}

/// A part whose parentheses do not balance cannot be skipped: the whole FETCH is kept as an
/// unparsed response instead, and the session stays in sync.
#[test]
fn an_unbalanced_part_leaves_the_fetch_unparsed() {
    let (got, quirks) =
        transcript("* 1 FETCH (UID 5 BODYSTRUCTURE ((\"text\" \"plain\" \"oops\")\r\n");
    // The failed parse's notes are dropped: no quirk made this response typed.
    assert!(quirks.is_empty(), "{quirks:?}");
    let unparsed = got[0].unparsed.as_ref().expect("kept as unparsed");
    assert_eq!(got[0].seq, 1);
    assert!(unparsed.raw.starts_with(b"* 1 FETCH (UID 5"));
}

/// SmarterMail sent a negative size in octets (jstedfast/MailKit #385; the report quotes the
/// part up to its extension data, closed here): read as 0.
#[test]
fn smartermail_negative_octets() {
    let (got, quirks) = transcript(
        "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" -2 0 NIL NIL NIL))\r\n",
    );
    assert_eq!(quirks.get(Quirk::NegativeBodySize), 1);
    let part = single(got[0].body_structure.as_deref().expect("typed"));
    assert_eq!(part.fields.octets, 0);
    assert!(matches!(part.kind, SinglePartKind::Text { lines: 0, .. }));
}

/// A multipart written as a single part with `-1` octets, as the body of a message part
/// (emersion/go-imap #534; the report's placeholders kept): typed, with size 0.
#[test]
fn negative_octets_in_a_message_parts_body() {
    let (got, quirks) = transcript(
        "* 32 FETCH (UID 389 RFC822.SIZE 27824 BODY ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 155 1)(\"message\" \"feedback-report\" NIL NIL NIL \"7bit\" 141)(\"message\" \"rfc822\" NIL NIL NIL \"8bit\" 0 (\"Thu, 8 Jun 2023 11:37:19 +0200\" \"=?utf-8?... =?utf-8?Q?023@ID61326?=\" ((\"{.eml From}\" NIL \"{.eml From local part}\" \"{.eml From domain}\")) ((NIL NIL \"{.eml Sender local part}\" \"{.eml Sender domain}\")) NIL NIL NIL NIL NIL \"<{.eml messageID}>\") (\"multipart\" \"parallel\" (\"boundary\" \"_90b3ff09-0c78-477e-ac01-677ba1271137_\") NIL NIL \"7BIT\" -1) 0) \"report\"))\r\n",
    );
    assert_eq!(quirks.get(Quirk::NegativeBodySize), 1);
    assert_eq!(quirks.iter().count(), 1, "{quirks:?}");
    let f = &got[0];
    assert_eq!((f.uid, f.rfc822_size), (Some(389), Some(27824)));
    let m = multi(f.body_structure.as_deref().expect("typed"));
    assert_eq!((m.subtype.as_str(), m.parts.len()), ("report", 3));
    match &single(&m.parts[2]).kind {
        SinglePartKind::Message { body, .. } => {
            let inner = single(body);
            assert_eq!(inner.fields.octets, 0);
            assert!(matches!(
                &inner.kind,
                SinglePartKind::Basic { media_type, subtype } if media_type == "multipart" && subtype == "parallel"
            ));
        }
        other => panic!("{other:?}"),
    }
}

/// `-1` octets on an appledouble part written as a single part (jstedfast/MailKit #823).
#[test]
fn negative_octets_on_an_appledouble_part() {
    let (got, quirks) = transcript(
        "* 5 FETCH (UID 581 FLAGS (\\Seen) RFC822.SIZE 35149 BODYSTRUCTURE (((\"text\" \"plain\" (\"charset\" \"US-ASCII\") NIL NIL \"7bit\" 6 3 NIL NIL NIL NIL)(\"text\" \"html\" (\"charset\" \"US-ASCII\") NIL NIL \"quoted-printable\" 314 5 NIL NIL NIL NIL) \"alternative\" (\"boundary\" \"B_8345248387_336787\") NIL NIL)(\"multipart\" \"appledouble\" (\"boundary\" \"B_8145297380_164091\") NIL NIL \"7BIT\" -1 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"B_7193419875_891207\") NIL NIL))\r\n",
    );
    assert_eq!(quirks.get(Quirk::NegativeBodySize), 1);
    let m = multi(got[0].body_structure.as_deref().expect("typed"));
    assert_eq!((m.subtype.as_str(), m.parts.len()), ("mixed", 2));
    assert_eq!(single(&m.parts[1]).fields.octets, 0);
}

/// Migadu's sora server sent NIL as a text part's line count (migadu/alps #45, the PR's
/// part): read as 0 lines.
#[test]
fn migadu_nil_line_count() {
    let (got, quirks) = transcript(
        "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 1234 NIL NIL NIL NIL))\r\n",
    );
    assert_eq!(quirks.get(Quirk::NilBodySize), 1);
    assert_eq!(quirks.iter().count(), 1, "{quirks:?}");
    let part = single(got[0].body_structure.as_deref().expect("typed"));
    assert_eq!(part.fields.octets, 1234);
    assert_eq!(part.fields.encoding, "7bit");
    assert!(matches!(part.kind, SinglePartKind::Text { lines: 0, .. }));
}

/// iCloud sent NIL as a part's transfer encoding (djc/imap-proto #205; the report's first
/// part, closed here as the whole structure): read as an empty encoding.
#[test]
fn icloud_nil_encoding() {
    let (got, quirks) = transcript(
        "* 80 FETCH (UID 111 BODYSTRUCTURE (\"text\" \"plain\" (\"CHARSET\" \"UTF-8\") NIL NIL NIL 1694 51 NIL NIL NIL NIL))\r\n",
    );
    assert_eq!(quirks.get(Quirk::NilBodyEncoding), 1);
    assert_eq!(quirks.iter().count(), 1, "{quirks:?}");
    let part = single(got[0].body_structure.as_deref().expect("typed"));
    assert_eq!(part.fields.encoding, "");
    assert_eq!(
        part.fields.params,
        [("CHARSET".to_owned(), "UTF-8".to_owned())]
    );
    assert_eq!(part.fields.octets, 1694);
    assert!(matches!(part.kind, SinglePartKind::Text { lines: 51, .. }));
}

/// mail.ru sent `()` as parameters and message/rfc822 parts without envelope, body and lines
/// (emersion/go-imap #557; the report's line without its trailing `BODY[] {40909}` literal):
/// every part is typed, the message parts as basic parts, and the ENVELOPE after the body is
/// read too.
#[test]
fn mail_ru_message_parts_without_envelope() {
    let (got, quirks) = transcript(
        "* 85648 FETCH (UID 369004 BODY (((\"text\" \"plain\" (\"charset\" \"koi8-r\") NIL NIL \"quoted-printable\" 5716 0)(\"text\" \"html\" (\"charset\" \"koi8-r\") NIL NIL \"quoted-printable\" 6181 0) \"alternative\")(\"message\" \"delivery-status\" () NIL NIL \"7bit\" 340)(\"message\" \"rfc822\" () NIL NIL \"7bit\" 23925) \"report\") ENVELOPE (\"Thu, 02 Nov 2023 13:28:10 +0000\" \"=?utf-8?B?...?=\" ((\"\" NIL \"foo\" \"example.org\")) NIL NIL ((\"\" NIL \"bar\" \"example.net\")) NIL NIL \"<111.222@f124.i.mail.ru>\" \"<baz@example.com>\"))\r\n",
    );
    assert_eq!(quirks.get(Quirk::NilOrEmptyBodyParams), 1, "one response");
    assert_eq!(quirks.get(Quirk::MessagePartWithoutEnvelope), 1);
    assert_eq!(quirks.iter().count(), 2, "{quirks:?}");
    let f = &got[0];
    let report = multi(f.body_structure.as_deref().expect("typed"));
    assert_eq!(report.subtype, "report");
    assert_eq!(multi(&report.parts[0]).parts.len(), 2);
    let rfc822 = single(&report.parts[2]);
    assert_eq!(
        rfc822.kind,
        SinglePartKind::Basic {
            media_type: "message".into(),
            subtype: "rfc822".into()
        }
    );
    assert!(rfc822.fields.params.is_empty());
    assert_eq!(rfc822.fields.octets, 23925);
    let env = f.envelope.as_deref().expect("typed envelope");
    assert_eq!(env.message_id.as_deref(), Some("<baz@example.com>"));
}

/// mail.ru sent NIL as a multipart's boundary value (kisli/vmime #159, the report's line):
/// read as an empty value.
#[test]
fn mail_ru_nil_parameter_value() {
    let (got, quirks) = transcript(
        "* 4 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"8bit\" 536 0 NIL NIL NIL NIL)(\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"8bit\" 7130 0 NIL NIL NIL NIL) \"alternative\" (\"boundary\" NIL)))\r\n",
    );
    assert_eq!(quirks.get(Quirk::NilOrEmptyBodyParams), 1);
    assert_eq!(quirks.iter().count(), 1, "{quirks:?}");
    let m = multi(got[0].body_structure.as_deref().expect("typed"));
    assert_eq!(m.params, [("boundary".to_owned(), String::new())]);
    assert_eq!(m.parts.len(), 2);
}

/// Gmail sent a multipart without parts, `("ALTERNATIVE")`, as a message part's body
/// (jstedfast/MailKit #1841, the report's line): read as a multipart with no parts; the
/// message part keeps its envelope and lines.
#[test]
fn gmail_multipart_without_parts() {
    let (got, quirks) = transcript(
        "* 51 FETCH (MODSEQ (18812) BODY ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"windows-1252\") NIL NIL \"QUOTED-PRINTABLE\" 211 5)(\"MESSAGE\" \"DELIVERY-STATUS\" NIL NIL NIL \"7BIT\" 344)(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 2942 (\"Sat, 3 Jan 2015 19:26:15 +0100\" \"Re: MPG\" ((\"c p\" NIL \"---.---87\" \"gmail.com\")) ((\"c p\" NIL \"---.---87\" \"gmail.com\")) ((\"c p\" NIL \"---.---87\" \"gmail.com\")) ((\"am sa[cft]\" NIL \"sm\" \"cft.ce.fr\")) NIL NIL \"<D3CAD328B4CFD24E83DD07E8923DFEE902FA8F1B@PRDGCE8P4523.sigce.ce.fr>\" \"<D4A-8A32-4DC3-AC6C-98429154@gmail.com>\") (\"ALTERNATIVE\") 51) \"REPORT\"))\r\n",
    );
    assert_eq!(quirks.get(Quirk::EmptyMultipart), 1);
    assert_eq!(quirks.iter().count(), 1, "{quirks:?}");
    let f = &got[0];
    assert_eq!(f.modseq, Some(18812));
    let report = multi(f.body_structure.as_deref().expect("typed"));
    assert_eq!(report.parts.len(), 3);
    let SinglePartKind::Message {
        envelope,
        body,
        lines,
        ..
    } = &single(&report.parts[2]).kind
    else {
        panic!("a message part: {:?}", report.parts[2])
    };
    assert_eq!(*lines, 51);
    assert_eq!(envelope.subject.as_deref(), Some("Re: MPG"));
    let alternative = multi(body);
    assert_eq!(alternative.subtype, "ALTERNATIVE");
    assert!(alternative.parts.is_empty());
}
