//! Flags and response codes: Gmail's keywords holding `]`, flags sent as quoted strings.

use super::transcript_of;
use crate::proto::session::tests::select;
use crate::types::response::{ResponseCode, ServerData};
use crate::types::{Flag, ImapAtom, Quirk};

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
