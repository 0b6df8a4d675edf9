//! A scripted Gmail session for `X-GM-EXT-1`, written from Google's "IMAP Extensions" page
//! (developers.google.com/workspace/gmail/imap/imap-extensions) with the page's own example
//! values. No real server speaks X-GM-EXT-1 on this machine: the Rust test
//! (`tests/providers.rs`) and the npm facade's test in Chromium (through the bridge, via the
//! `gmail-fake` binary) play this same script and make the same calls in the same order.
//!
//! The calls, in order: LOGIN (the client then sends ID, which Gmail asks clients for),
//! SELECT INBOX, `FETCH 1:4 (X-GM-MSGID X-GM-THRID X-GM-LABELS)`, `STORE 1 +X-GM-LABELS
//! ("foo")`, `STORE 1 -X-GM-LABELS ("foo")`, `SEARCH X-GM-LABELS "foo"`, `SEARCH X-GM-RAW
//! "has:attachment in:unread"`, `UID SEARCH X-GM-MSGID <MSGID_1>`, `SEARCH X-GM-THRID
//! <THREAD_B>`, LOGOUT.

use crate::fake::{Script, Step};

/// The thread of messages 1 and 2.
pub const THREAD_A: u64 = 1_278_455_344_230_334_865;
/// The thread of messages 3 and 4.
pub const THREAD_B: u64 = 1_266_894_439_832_287_888;
/// Message 1's `X-GM-MSGID` (the page's example id; above 2^53, so exact only as a string
/// in JS).
pub const MSGID_1: u64 = 1_278_455_344_230_334_865;
/// The label `STORE` adds and removes and `SEARCH` looks for.
pub const LABEL: &str = "foo";
/// The `X-GM-RAW` query.
pub const RAW: &str = "has:attachment in:unread";

/// The labels of messages 1–4 as the FETCH reports them, decoded.
pub const LABELS: [&[&str]; 4] = [
    &["\\Inbox", "\\Sent", "Important", "Muy Importante"],
    &["foo"],
    &[],
    &["\\Drafts", "Été"],
];

/// The server's side of the session.
pub fn session() -> Script {
    vec![
        Step::send(
            "* OK [CAPABILITY IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1 AUTH=PLAIN] Gimap ready for requests from 127.0.0.1 k2if6111336rvb.0\r\n",
        ),
        Step::expect("LOGIN"),
        Step::send("{tag} OK user@gmail.com authenticated (Success)\r\n"),
        Step::expect("ID (\"name\" \"daaki-imap\""),
        Step::send(
            "* ID (\"name\" \"GImap\" \"vendor\" \"Google, Inc.\" \"support-url\" \"http://mail.google.com/support\" \"remote-host\" \"127.0.0.1\")\r\n{tag} OK Success\r\n",
        ),
        Step::expect("SELECT INBOX"),
        Step::send(
            "* FLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen $NotPhishing $Phishing)\r\n* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen $NotPhishing $Phishing \\*)] Flags permitted.\r\n* OK [UIDVALIDITY 1] UIDs valid.\r\n* 4 EXISTS\r\n* 0 RECENT\r\n* OK [UIDNEXT 5] Predicted next UID.\r\n{tag} OK [READ-WRITE] INBOX selected. (Success)\r\n",
        ),
        Step::expect("FETCH 1:4 (X-GM-MSGID X-GM-THRID X-GM-LABELS)"),
        Step::send(format!(
            "* 1 FETCH (X-GM-MSGID {MSGID_1} X-GM-THRID {THREAD_A} X-GM-LABELS (\\Inbox \\Sent Important \"Muy Importante\"))\r\n\
             * 2 FETCH (X-GM-MSGID 1278455344230334866 X-GM-THRID {THREAD_A} X-GM-LABELS (foo))\r\n\
             * 3 FETCH (X-GM-MSGID 1266894439832287889 X-GM-THRID {THREAD_B} X-GM-LABELS ())\r\n\
             * 4 FETCH (X-GM-MSGID 1266894439832287890 X-GM-THRID {THREAD_B} X-GM-LABELS (\\Drafts &AMk-t&AOk-))\r\n\
             {{tag}} OK Success\r\n"
        )),
        Step::expect("STORE 1 +X-GM-LABELS (\"foo\")"),
        Step::send(
            "* 1 FETCH (X-GM-LABELS (\\Inbox \\Sent Important \"Muy Importante\" foo))\r\n{tag} OK Success\r\n",
        ),
        Step::expect("STORE 1 -X-GM-LABELS (\"foo\")"),
        Step::send(
            "* 1 FETCH (X-GM-LABELS (\\Inbox \\Sent Important \"Muy Importante\"))\r\n{tag} OK Success\r\n",
        ),
        Step::expect("SEARCH X-GM-LABELS \"foo\""),
        Step::send("* SEARCH 2\r\n{tag} OK SEARCH completed (Success)\r\n"),
        Step::expect(&format!("SEARCH X-GM-RAW \"{RAW}\"")),
        Step::send("* SEARCH 1 3 4\r\n{tag} OK SEARCH completed (Success)\r\n"),
        Step::expect(&format!("UID SEARCH X-GM-MSGID {MSGID_1}")),
        Step::send("* SEARCH 1\r\n{tag} OK SEARCH completed (Success)\r\n"),
        Step::expect(&format!("SEARCH X-GM-THRID {THREAD_B}")),
        Step::send("* SEARCH 3 4\r\n{tag} OK SEARCH completed (Success)\r\n"),
        Step::expect("LOGOUT"),
        Step::send("* BYE LOGOUT Requested\r\n{tag} OK 73 good day (Success)\r\n"),
    ]
}
