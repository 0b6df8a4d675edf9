//! Flags and response codes: Gmail's keywords holding `]`, flags sent as quoted strings.

use super::{transcript_of, transcript_with_events};
use crate::proto::session::tests::select;
use crate::types::response::{ResponseCode, ServerData};
use crate::types::{Flag, ImapAtom, Quirk, StatusKind, TypedEvent};

fn keyword(k: &str) -> Flag {
    Flag::Keyword(ImapAtom::from_server(k.to_owned()))
}

/// Gmail's FLAGS and PERMANENTFLAGS hold its labels as keywords with `[` and `]` (and a
/// space, in `OIB-Seen-[Gmail]/All Mail`), and its HIGHESTMODSEQ code has no text after it
/// (jstedfast/MailKit #193, the report's lines): every flag is kept, the PERMANENTFLAGS code
/// is typed whole and the next code is read.
#[test]
fn gmail_keywords_with_brackets_in_flags_and_permanentflags() {
    let flags = "\\Answered \\Flagged \\Draft \\Deleted \\Seen OIB-Seen-[Gmail]/Trash OIB-Seen-[Gmail]/Important $MailFlagBit2 OIB-Seen-Unsubscribe $Phishing $Forwarded $MDNSent OIB-Seen-INBOX JunkRecorded NotJunk $NotJunk $NotPhishing $Junk OIB-Seen-[Gmail]/All Mail OIB-Seen-[Gmail]/Spam";
    let (outcome, quirks) = transcript_of(
        select("INBOX"),
        &format!(
            "* FLAGS ({flags})\r\n* OK [PERMANENTFLAGS ({flags} \\*)] Flags permitted.\r\n* OK [HIGHESTMODSEQ 9195383]\r\n"
        ),
    );
    assert_eq!(quirks.get(Quirk::BracketInFlag), 2, "two responses");
    assert_eq!(quirks.iter().count(), 1, "{quirks:?}");
    let [
        ServerData::Flags(got),
        ServerData::Code {
            code: ResponseCode::PermanentFlags(permanent),
            text,
        },
        ServerData::Code {
            code: ResponseCode::HighestModSeq(modseq),
            ..
        },
    ] = &outcome.data[..]
    else {
        panic!("FLAGS and two codes: {:?}", outcome.data)
    };
    assert_eq!(got.len(), 21, "the keyword with a space is read as two");
    assert_eq!(got[5], keyword("OIB-Seen-[Gmail]/Trash"));
    assert_eq!(got[18], keyword("OIB-Seen-[Gmail]/All"));
    assert_eq!(got[19], keyword("Mail"));
    assert_eq!(got[20], keyword("OIB-Seen-[Gmail]/Spam"));
    assert_eq!(&permanent[..21], &got[..]);
    assert_eq!(
        permanent[21],
        Flag::Extension(ImapAtom::from_server("*".into()))
    );
    assert_eq!(text, "Flags permitted.");
    assert_eq!(*modseq, 9195383);
}

/// InterMail sent a flag as a quoted string (jstedfast/MailKit #771, the report's lines):
/// read as its value, `\Deleted`.
#[test]
fn intermail_quoted_flag() {
    let (outcome, quirks) = transcript_of(
        select("INBOX"),
        "* FLAGS (\"\\\\Deleted\" \\Answered \\Flagged \\Deleted \\Draft \\Seen)\r\n* OK [PERMANENTFLAGS ()] Permanent flags\r\n",
    );
    assert_eq!(quirks.get(Quirk::QuotedFlag), 1);
    assert_eq!(quirks.iter().count(), 1, "{quirks:?}");
    let ServerData::Flags(got) = &outcome.data[0] else {
        panic!("FLAGS: {:?}", outcome.data)
    };
    assert_eq!(
        got,
        &[
            Flag::Deleted,
            Flag::Answered,
            Flag::Flagged,
            Flag::Deleted,
            Flag::Draft,
            Flag::Seen
        ]
    );
}

/// The dynadot.com mail host sent a UIDVALIDITY wider than 32 bits (emersion/go-imap #612,
/// the report's line): the code is kept untyped with its raw value, never truncated — as an
/// unsolicited status, since SELECT claims only the codes it types — and SELECT completes.
#[test]
fn dynadot_uidvalidity_over_32_bits_in_a_code() {
    let (outcome, quirks, events) = transcript_with_events(
        select("INBOX"),
        "* 3 EXISTS\r\n* OK [UIDVALIDITY 1713632002544]\r\n* OK [UIDNEXT 4] Predicted next UID\r\n",
    );
    assert_eq!(quirks.get(Quirk::UntypedValue), 1);
    assert_eq!(quirks.iter().count(), 1, "{quirks:?}");
    assert_eq!(
        outcome.data,
        [
            ServerData::Exists(3),
            ServerData::Code {
                code: ResponseCode::UidNext(4),
                text: "Predicted next UID".into()
            },
        ]
    );
    assert_eq!(
        events,
        [TypedEvent::Status {
            kind: StatusKind::Ok,
            code: Some(ResponseCode::Other {
                name: "UIDVALIDITY".into(),
                raw: b"1713632002544".to_vec()
            }),
            text: String::new()
        }]
    );
}

/// A STATUS with a UIDVALIDITY wider than 32 bits (neomutt/neomutt #3830, the report's
/// line): that item is kept untyped, the other four are typed.
#[test]
fn neomutt_3830_uidvalidity_over_32_bits_in_status() {
    let (outcome, quirks) = transcript_of(
        crate::proto::session::CommandBody::Status {
            mailbox: crate::proto::session::tests::mailbox("folder_0"),
            attrs: vec![crate::types::StatusAttr::UidNext],
        },
        "* STATUS \"folder_0\" (UIDNEXT 1 UIDVALIDITY 1666390893380 UNSEEN 0 RECENT 0 MESSAGES 0)\r\n",
    );
    assert_eq!(quirks.get(Quirk::UntypedValue), 1);
    let [ServerData::Status(status)] = &outcome.data[..] else {
        panic!("STATUS: {:?}", outcome.data)
    };
    assert_eq!(
        (
            status.uid_next,
            status.uid_validity,
            status.unseen,
            status.recent,
            status.messages
        ),
        (Some(1), None, Some(0), Some(0), Some(0))
    );
    assert_eq!(
        status.other,
        [("UIDVALIDITY".to_owned(), b"1666390893380".to_vec())]
    );
}

/// `MODSEQ (-1)` from an unnamed server (jstedfast/MailKit #495 quotes only the error,
/// "Unexpected token: [atom: -1]"; this line is written around it): the item is kept untyped
/// and the FETCH's UID and FLAGS are typed.
#[test]
fn mailkit_495_negative_modseq() {
    let (outcome, quirks) = transcript_of(
        crate::proto::session::tests::fetch("1", vec![crate::types::FetchAttr::ModSeq]),
        "* 1 FETCH (UID 5 MODSEQ (-1) FLAGS (\\Seen))\r\n",
    );
    assert_eq!(quirks.get(Quirk::UntypedValue), 1);
    let f = &super::fetches(outcome)[0];
    assert_eq!((f.uid, f.modseq), (Some(5), None));
    assert_eq!(f.flags, Some(vec![Flag::Seen]));
    assert_eq!(f.other.len(), 1);
    assert_eq!(
        (f.other[0].name.as_str(), &f.other[0].raw[..]),
        ("MODSEQ", &b"(-1)"[..])
    );
}

/// Outlook.com sent COPYUID without its UID sets (jstedfast/MailKit #555, the report's
/// line): kept as an untyped code.
#[test]
fn outlook_copyuid_without_uids() {
    let (_, quirks, events) = transcript_with_events(select("INBOX"), "* OK [COPYUID 14  ]\r\n");
    assert_eq!(quirks.get(Quirk::UntypedValue), 1);
    assert_eq!(
        events,
        [TypedEvent::Status {
            kind: StatusKind::Ok,
            code: Some(ResponseCode::Other {
                name: "COPYUID".into(),
                raw: b"14  ".to_vec()
            }),
            text: String::new()
        }]
    );
}

/// Message sizes over 2 GB broke a client (jakartaee/mail-api #234 describes it; no report
/// shows the bytes, so these lines are written from it): a size of 2^63 is typed (RFC822.SIZE
/// is a 64-bit number), one past `u64` is kept untyped with its digits, and the FETCH's UID
/// and FLAGS are typed either way.
#[test]
fn sizes_past_2_gb_are_typed_and_past_u64_kept_untyped() {
    let (outcome, quirks) = transcript_of(
        crate::proto::session::tests::fetch("1:2", vec![crate::types::FetchAttr::Rfc822Size]),
        "* 1 FETCH (UID 9 RFC822.SIZE 9223372036854775808 FLAGS (\\Seen))\r\n* 2 FETCH (UID 10 RFC822.SIZE 18446744073709551616 FLAGS (\\Seen))\r\n",
    );
    assert_eq!(quirks.get(Quirk::UntypedValue), 1, "the second response");
    let got = super::fetches(outcome);
    assert_eq!((got[0].uid, got[0].rfc822_size), (Some(9), Some(1 << 63)));
    let f = &got[1];
    assert_eq!((f.uid, f.rfc822_size), (Some(10), None));
    assert_eq!(f.flags, Some(vec![Flag::Seen]));
    assert_eq!(
        (f.other[0].name.as_str(), &f.other[0].raw[..]),
        ("RFC822.SIZE", &b"18446744073709551616"[..])
    );
}

/// A keyword holding an unescaped quote or a lone backslash (written for this test; the
/// quote class of MailKit #485 and the backslash class of MailKit #422 in a flag list): kept
/// as the keyword it is, next to the typed system flags.
#[test]
fn keywords_with_a_raw_quote_or_backslash() {
    let (outcome, quirks) = transcript_of(select("INBOX"), "* FLAGS (\\Seen foo\"bar a\\b)\r\n");
    assert_eq!(quirks.get(Quirk::QuotedFlag), 1);
    let ServerData::Flags(got) = &outcome.data[0] else {
        panic!("FLAGS: {:?}", outcome.data)
    };
    assert_eq!(got, &[Flag::Seen, keyword("foo\"bar"), keyword("a\\b")]);
}
