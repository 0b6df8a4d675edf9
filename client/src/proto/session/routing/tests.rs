//! Every routing rule, pinned by value: which untagged data each command kind claims (with and
//! without UID, with `*` and `$` in its set), which response codes it claims, and which kinds
//! may not be in flight together. The expected values are written out here, not derived from
//! the rules under test, so changing a rule needs a deliberate change of this table.

use super::*;
use crate::proto::parse::parse_response;
use crate::proto::response::{Response, StatusResponse};

fn set(text: &str) -> SequenceSet {
    SequenceSet::new(text).expect("valid set")
}

fn mailbox(name: &str) -> MailboxName {
    MailboxName::new(name).expect("valid name")
}

/// Parses one untagged data line (CRLF added).
fn data(line: &str) -> Data<'static> {
    let bytes: &'static [u8] = format!("{line}\r\n").into_bytes().leak();
    match parse_response(bytes) {
        Ok((Response::Data(d), _)) => d,
        other => panic!("{line:?} is not untagged data: {other:?}"),
    }
}

/// Parses one untagged status line and returns its response code.
fn code(line: &str) -> Code<'static> {
    let bytes: &'static [u8] = format!("{line}\r\n").into_bytes().leak();
    match parse_response(bytes) {
        Ok((Response::Status(StatusResponse { code: Some(c), .. }), _)) => c,
        other => panic!("{line:?} is not a status response with a code: {other:?}"),
    }
}

/// The kinds that claim no untagged data at all, typed or not.
fn claiming_nothing() -> Vec<(CommandKind, &'static [&'static str])> {
    use CommandKind as K;
    [
        K::Noop,
        K::Logout,
        K::StartTls,
        K::Login,
        K::Authenticate,
        K::Simple("CREATE"),
        K::Append,
        K::Idle,
        K::Close,
        K::Unselect,
        K::Copy,
        K::Notify { active: true },
        K::Compress,
        K::Unauthenticate,
    ]
    .into_iter()
    .map(|k| (k, &[] as &'static [&'static str]))
    .collect()
}

/// One sample of every kind of untagged data, with a short name the table below uses.
const SAMPLES: &[(&str, &str)] = &[
    ("capability", "* CAPABILITY IMAP4rev1 IDLE"),
    ("flags", "* FLAGS (\\Seen \\Answered)"),
    ("exists", "* 3 EXISTS"),
    ("recent", "* 1 RECENT"),
    ("vanished", "* VANISHED 1:2"),
    ("vanished-earlier", "* VANISHED (EARLIER) 3"),
    ("fetch-seq2", "* 2 FETCH (FLAGS (\\Seen))"),
    ("fetch-seq2-uid7", "* 2 FETCH (UID 7 FLAGS (\\Seen))"),
    ("list-inbox", "* LIST () \"/\" INBOX"),
    ("list-other", "* LIST () \"/\" Other"),
    (
        "xlist",
        "* XLIST (\\HasNoChildren \\AllMail) \"/\" \"[Gmail]/All Mail\"",
    ),
    ("status-inbox", "* STATUS INBOX (MESSAGES 1)"),
    ("status-other", "* STATUS Other (MESSAGES 1)"),
    ("lsub", "* LSUB () \"/\" INBOX"),
    ("namespace", "* NAMESPACE ((\"\" \"/\")) NIL NIL"),
    ("expunge", "* 4 EXPUNGE"),
    ("search", "* SEARCH 1 2"),
    ("esearch-own-tag", "* ESEARCH (TAG \"A5\") COUNT 2"),
    ("esearch-other-tag", "* ESEARCH (TAG \"A9\") COUNT 2"),
    ("esearch-no-tag", "* ESEARCH COUNT 2"),
    ("sort", "* SORT 2 1"),
    ("thread", "* THREAD (1)(2 3)"),
    ("enabled", "* ENABLED CONDSTORE"),
    ("id", "* ID NIL"),
    ("metadata", "* METADATA INBOX (/private/comment \"x\")"),
    ("quota", "* QUOTA \"\" (STORAGE 10 512)"),
    ("quotaroot", "* QUOTAROOT INBOX \"\""),
    ("acl", "* ACL INBOX fred rwipsldexta"),
    ("listrights", "* LISTRIGHTS INBOX fred \"\" l r"),
    ("myrights", "* MYRIGHTS INBOX rwiptsldaex"),
];

/// What each kind claims of [`SAMPLES`], by name; every other sample is not its own. The
/// commands run with tag `A5`.
fn expected_claims() -> Vec<(CommandKind, &'static [&'static str])> {
    use CommandKind as K;
    let own: Vec<(CommandKind, &'static [&'static str])> = vec![
        (K::Capability, &["capability"]),
        (
            K::Select {
                mailbox: mailbox("INBOX"),
                examine: false,
            },
            &[
                "flags",
                "exists",
                "recent",
                "vanished",
                "vanished-earlier",
                "fetch-seq2",
                "fetch-seq2-uid7",
                "list-inbox",
            ],
        ),
        (
            K::Select {
                mailbox: mailbox("Other"),
                examine: true,
            },
            &[
                "flags",
                "exists",
                "recent",
                "vanished",
                "vanished-earlier",
                "fetch-seq2",
                "fetch-seq2-uid7",
                "list-other",
            ],
        ),
        (
            K::List,
            &[
                "list-inbox",
                "list-other",
                "xlist",
                "status-inbox",
                "status-other",
            ],
        ),
        (K::Lsub, &["lsub"]),
        (K::Namespace, &["namespace"]),
        (
            K::Status {
                mailbox: mailbox("INBOX"),
            },
            &["status-inbox"],
        ),
        (
            K::Status {
                mailbox: mailbox("Other"),
            },
            &["status-other"],
        ),
        (K::Expunge, &["expunge", "vanished"]),
        (K::Move, &["expunge", "vanished"]),
        (
            K::Search { uid: false },
            &["search", "esearch-own-tag", "esearch-no-tag"],
        ),
        (
            K::Search { uid: true },
            &["search", "esearch-own-tag", "esearch-no-tag"],
        ),
        (K::Sort, &["sort", "esearch-own-tag", "esearch-no-tag"]),
        (K::Thread, &["thread"]),
        (
            K::Fetch {
                uid: false,
                set: set("1:3"),
            },
            &["fetch-seq2", "fetch-seq2-uid7"],
        ),
        (
            K::Fetch {
                uid: true,
                set: set("7"),
            },
            &["fetch-seq2-uid7", "vanished-earlier"],
        ),
        (
            K::Fetch {
                uid: true,
                set: set("1:*"),
            },
            &["fetch-seq2-uid7", "vanished-earlier"],
        ),
        (
            K::Store {
                uid: false,
                set: set("2"),
            },
            &["fetch-seq2", "fetch-seq2-uid7"],
        ),
        (
            K::Store {
                uid: true,
                set: set("1:*"),
            },
            &["fetch-seq2-uid7"],
        ),
        (K::Enable, &["enabled"]),
        (K::Id, &["id"]),
        (K::GetMetadata, &["metadata"]),
        (K::GetQuota, &["quota"]),
        (K::GetQuotaRoot, &["quotaroot", "quota"]),
        (K::GetAcl, &["acl"]),
        (K::ListRights, &["listrights"]),
        (K::MyRights, &["myrights"]),
    ];
    own.into_iter().chain(claiming_nothing()).collect()
}

#[test]
fn every_kind_claims_exactly_its_own_data() {
    let samples: Vec<(&str, Data<'static>)> =
        SAMPLES.iter().map(|(n, line)| (*n, data(line))).collect();
    let mut wrong = Vec::new();
    for (kind, own) in expected_claims() {
        for (name, d) in &samples {
            let expected = own.contains(name);
            if kind.claims(d, "A5") != expected {
                wrong.push(format!("{kind:?} on {name}: expected {expected}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// `(uid command, set, FETCH response, claimed)`: the FETCH/STORE set rules one by one.
const FETCH_CASES: &[(bool, &str, &str, bool)] = &[
    // Sequence-number commands: the response's number decides, a UID item is irrelevant.
    (false, "1:3", "* 2 FETCH (FLAGS ())", true),
    (false, "1:3", "* 4 FETCH (FLAGS ())", false),
    (false, "1:3", "* 4 FETCH (UID 2 FLAGS ())", false),
    (false, "2,5", "* 5 FETCH (FLAGS ())", true),
    (false, "2,5", "* 3 FETCH (FLAGS ())", false),
    // `*` or `$`: the set cannot be resolved here; every FETCH is claimed.
    (false, "1:*", "* 4000 FETCH (FLAGS ())", true),
    (false, "*", "* 4 FETCH (FLAGS ())", true),
    (false, "*:9", "* 20 FETCH (FLAGS ())", true),
    (false, "9,*", "* 3 FETCH (FLAGS ())", true),
    (false, "$", "* 3 FETCH (FLAGS ())", true),
    // UID commands: the UID item decides, never the sequence number.
    (true, "5:7", "* 2 FETCH (UID 6 FLAGS ())", true),
    (true, "5:7", "* 6 FETCH (UID 2 FLAGS ())", false),
    (true, "5:7", "* 6 FETCH (FLAGS ())", false),
    // A FETCH without UID is never a UID command's, even over `1:*` or `$`: it is a change
    // someone else made (the live bug of issue 19, seen on Dovecot with CHANGEDSINCE).
    (
        true,
        "1:*",
        "* 2 FETCH (MODSEQ (13) FLAGS (\\Answered))",
        false,
    ),
    (
        true,
        "1:*",
        "* 2 FETCH (UID 40 MODSEQ (13) FLAGS (\\Answered))",
        true,
    ),
    (true, "*", "* 2 FETCH (FLAGS ())", false),
    (true, "*", "* 2 FETCH (UID 3 FLAGS ())", true),
    (true, "3:*", "* 2 FETCH (UID 1 FLAGS ())", true),
    (true, "$", "* 2 FETCH (FLAGS ())", false),
    (true, "$", "* 2 FETCH (UID 9 FLAGS ())", true),
];

#[test]
fn fetch_and_store_claim_by_set_and_uid() {
    let mut wrong = Vec::new();
    for &(uid, text, line, expected) in FETCH_CASES {
        let d = data(line);
        for kind in [
            CommandKind::Fetch {
                uid,
                set: set(text),
            },
            CommandKind::Store {
                uid,
                set: set(text),
            },
        ] {
            if kind.claims(&d, "A1") != expected {
                wrong.push(format!("{kind:?} on {line:?}: expected {expected}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn only_uid_fetch_claims_vanished_earlier() {
    let earlier = data("* VANISHED (EARLIER) 3:4");
    let plain = data("* VANISHED 3:4");
    let uid_fetch = CommandKind::Fetch {
        uid: true,
        set: set("1:*"),
    };
    let fetch = CommandKind::Fetch {
        uid: false,
        set: set("1:*"),
    };
    let uid_store = CommandKind::Store {
        uid: true,
        set: set("1:*"),
    };
    assert!(uid_fetch.claims(&earlier, "A1"));
    assert!(!uid_fetch.claims(&plain, "A1"));
    assert!(!fetch.claims(&earlier, "A1"));
    assert!(!uid_store.claims(&earlier, "A1"));
}

#[test]
fn esearch_is_claimed_by_its_tag_correlator() {
    let tagged = data("* ESEARCH (TAG \"A7\") UID COUNT 2");
    for kind in [CommandKind::Search { uid: true }, CommandKind::Sort] {
        assert!(kind.claims(&tagged, "A7"), "{kind:?}");
        assert!(!kind.claims(&tagged, "A70"), "{kind:?}");
        assert!(!kind.claims(&tagged, "A"), "{kind:?}");
    }
}

/// Mailbox names are compared as the server may spell them: INBOX in any case, modified
/// UTF-7 or UTF-8 for a non-ASCII name.
#[test]
fn status_and_select_match_the_mailbox_however_the_server_spells_it() {
    let status = |name: &str| CommandKind::Status {
        mailbox: mailbox(name),
    };
    assert!(status("INBOX").claims(&data("* STATUS inbox (MESSAGES 1)"), "A1"));
    assert!(status("Entwürfe").claims(&data("* STATUS Entw&APw-rfe (MESSAGES 1)"), "A1"));
    assert!(status("Entwürfe").claims(&data("* STATUS \"Entwürfe\" (MESSAGES 1)"), "A1"));
    assert!(!status("Entwürfe").claims(&data("* STATUS Entwurfe (MESSAGES 1)"), "A1"));
    assert!(!status("A").claims(&data("* STATUS AB (MESSAGES 1)"), "A1"));
    let select = CommandKind::Select {
        mailbox: mailbox("Entwürfe"),
        examine: false,
    };
    assert!(select.claims(&data("* LIST () \"/\" Entw&APw-rfe"), "A1"));
    assert!(!select.claims(&data("* LIST () \"/\" Drafts"), "A1"));
}

/// The codes SELECT/EXAMINE and MOVE claim from untagged status responses; nothing else
/// claims a code.
#[test]
fn select_and_move_claim_their_response_codes() {
    let select_codes = [
        "* OK [UIDVALIDITY 3857529045] x",
        "* OK [UIDNEXT 4392] x",
        "* OK [UNSEEN 12] x",
        "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] x",
        "* OK [HIGHESTMODSEQ 715194045007] x",
        "* OK [NOMODSEQ] x",
        "* OK [MAILBOXID (F2212ea87-6097-4256-9d51-71338625)] x",
        "* OK [READ-ONLY] x",
        "* OK [READ-WRITE] x",
        "* OK [CLOSED] x",
        "* NO [UIDNOTSTICKY] x",
    ];
    let others = [
        "* OK [ALERT] x",
        "* OK [COPYUID 38505 304,319:320 3956:3958] x",
        "* NO [TRYCREATE] x",
        "* OK [CAPABILITY IMAP4rev1] x",
    ];
    let select = CommandKind::Select {
        mailbox: mailbox("INBOX"),
        examine: true,
    };
    for line in select_codes {
        assert!(
            select.claims_code(&code(line)),
            "SELECT should claim {line}"
        );
        assert!(
            !CommandKind::Move.claims_code(&code(line)),
            "MOVE claimed {line}"
        );
        assert!(
            !CommandKind::Noop.claims_code(&code(line)),
            "NOOP claimed {line}"
        );
    }
    for line in others {
        assert!(!select.claims_code(&code(line)), "SELECT claimed {line}");
    }
    let copyuid = code("* OK [COPYUID 38505 304,319:320 3956:3958] x");
    assert!(CommandKind::Move.claims_code(&copyuid));
    assert!(!CommandKind::Copy.claims_code(&copyuid));
    assert!(!CommandKind::Expunge.claims_code(&copyuid));
}

/// Which kinds conflict (RFC 3501 §5.5), written out pair by pair. Every pair not listed is
/// allowed in flight together.
#[test]
fn conflicts_are_exactly_the_ambiguous_pairs() {
    use CommandKind as K;
    let kinds: Vec<(&str, CommandKind)> = vec![
        (
            "select",
            K::Select {
                mailbox: mailbox("INBOX"),
                examine: false,
            },
        ),
        (
            "fetch",
            K::Fetch {
                uid: false,
                set: set("1"),
            },
        ),
        (
            "uid-fetch",
            K::Fetch {
                uid: true,
                set: set("1:*"),
            },
        ),
        (
            "store",
            K::Store {
                uid: false,
                set: set("2"),
            },
        ),
        (
            "uid-store",
            K::Store {
                uid: true,
                set: set("9"),
            },
        ),
        ("search", K::Search { uid: false }),
        ("sort", K::Sort),
        ("thread", K::Thread),
        ("expunge", K::Expunge),
        ("move", K::Move),
        ("list", K::List),
        (
            "status-inbox",
            K::Status {
                mailbox: mailbox("INBOX"),
            },
        ),
        (
            "status-other",
            K::Status {
                mailbox: mailbox("Other"),
            },
        ),
        ("lsub", K::Lsub),
        ("capability", K::Capability),
        ("namespace", K::Namespace),
        ("enable", K::Enable),
        ("id", K::Id),
        ("getquota", K::GetQuota),
        ("getquotaroot", K::GetQuotaRoot),
        ("getacl", K::GetAcl),
        ("listrights", K::ListRights),
        ("myrights", K::MyRights),
        ("getmetadata", K::GetMetadata),
        ("noop", K::Noop),
        ("append", K::Append),
        ("copy", K::Copy),
        ("create", K::Simple("CREATE")),
        ("idle", K::Idle),
        ("notify", K::Notify { active: true }),
    ];
    // Groups of mutually conflicting kinds (each kind also conflicts with itself).
    let groups: &[&[&str]] = &[
        &["select", "fetch", "uid-fetch", "store", "uid-store"],
        &["search", "sort"],
        &["thread"],
        &["expunge", "move"],
        &["list", "status-inbox", "status-other"],
        &["lsub"],
        &["capability"],
        &["namespace"],
        &["enable"],
        &["id"],
        &["getquota", "getquotaroot"],
        &["getacl"],
        &["listrights"],
        &["myrights"],
        &["getmetadata"],
    ];
    let together = |a: &str, b: &str| {
        // STATUS of two different mailboxes is the one exception inside a group.
        if (a, b) == ("status-inbox", "status-other") || (a, b) == ("status-other", "status-inbox")
        {
            return false;
        }
        groups.iter().any(|g| g.contains(&a) && g.contains(&b))
    };
    let mut wrong = Vec::new();
    for (a, ka) in &kinds {
        for (b, kb) in &kinds {
            let expected = together(a, b);
            if ka.conflicts_with(kb) != expected {
                wrong.push(format!("{a} with {b}: expected conflict = {expected}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Responses that did not parse, by what routing can read of them (keyword, number, STATUS
/// mailbox), with a short name the table below uses.
const UNPARSED_SAMPLES: &[(&str, &str)] = &[
    ("capability", "* CAPABILITY \"x"),
    ("flags", "* FLAGS (\\Seen"),
    ("exists", "* 3 EXISTS x"),
    ("recent", "* 1 RECENT x"),
    ("vanished", "* VANISHED x"),
    ("fetch-2", "* 2 FETCH (UID )"),
    ("fetch-4", "* 4 FETCH (UID )"),
    ("fetch-no-number", "* 99999999999 FETCH (UID )"),
    ("list", "* LIST (\\X"),
    ("list-lower-case", "* list (\\X"),
    ("xlist", "* XLIST (\\X"),
    ("status-inbox", "* STATUS INBOX (MESSAGES"),
    ("status-other", "* STATUS Other (MESSAGES"),
    ("status-unreadable", "* STATUS \"Oth"),
    ("lsub", "* LSUB (\\X"),
    ("namespace", "* NAMESPACE (("),
    ("expunge", "* 4 EXPUNGE x"),
    ("search", "* SEARCH 1 x"),
    ("esearch", "* ESEARCH (TAG"),
    ("sort", "* SORT x"),
    ("thread", "* THREAD (x"),
    ("enabled", "* ENABLED \"x"),
    ("id", "* ID (\"x"),
    ("metadata", "* METADATA INBOX ("),
    ("quota", "* QUOTA \"\" ("),
    ("quotaroot", "* QUOTAROOT \"x"),
    ("acl", "* ACL \"x"),
    ("listrights", "* LISTRIGHTS \"x"),
    ("myrights", "* MYRIGHTS \"x"),
    ("unknown", "* XYZZY (x"),
];

/// What each kind claims of [`UNPARSED_SAMPLES`], by name; every other sample is not its own.
fn expected_unparsed_claims() -> Vec<(CommandKind, &'static [&'static str])> {
    use CommandKind as K;
    let select = &[
        "flags", "exists", "recent", "vanished", "fetch-2", "fetch-4",
    ];
    let list = &[
        "list",
        "list-lower-case",
        "xlist",
        "status-inbox",
        "status-other",
        "status-unreadable",
    ];
    let own: Vec<(CommandKind, &'static [&'static str])> = vec![
        (K::Capability, &["capability"]),
        (
            K::Select {
                mailbox: mailbox("INBOX"),
                examine: false,
            },
            select,
        ),
        (
            K::Select {
                mailbox: mailbox("Other"),
                examine: true,
            },
            select,
        ),
        (K::List, list),
        (K::Lsub, &["lsub"]),
        (K::Namespace, &["namespace"]),
        (
            K::Status {
                mailbox: mailbox("INBOX"),
            },
            &["status-inbox", "status-unreadable"],
        ),
        (
            K::Status {
                mailbox: mailbox("Other"),
            },
            &["status-other", "status-unreadable"],
        ),
        (K::Expunge, &["expunge", "vanished"]),
        (K::Move, &["expunge", "vanished"]),
        (K::Search { uid: false }, &["search", "esearch"]),
        (K::Search { uid: true }, &["search", "esearch"]),
        (K::Sort, &["sort", "esearch"]),
        (K::Thread, &["thread"]),
        (
            K::Fetch {
                uid: false,
                set: set("1:3"),
            },
            &["fetch-2"],
        ),
        (
            K::Fetch {
                uid: false,
                set: set("1:*"),
            },
            &["fetch-2", "fetch-4"],
        ),
        (
            K::Fetch {
                uid: true,
                set: set("7"),
            },
            &["fetch-2", "fetch-4", "vanished"],
        ),
        (
            K::Store {
                uid: false,
                set: set("2"),
            },
            &["fetch-2"],
        ),
        (
            K::Store {
                uid: true,
                set: set("7"),
            },
            &["fetch-2", "fetch-4"],
        ),
        (K::Enable, &["enabled"]),
        (K::Id, &["id"]),
        (K::GetMetadata, &["metadata"]),
        (K::GetQuota, &["quota"]),
        (K::GetQuotaRoot, &["quotaroot", "quota"]),
        (K::GetAcl, &["acl"]),
        (K::ListRights, &["listrights"]),
        (K::MyRights, &["myrights"]),
    ];
    own.into_iter().chain(claiming_nothing()).collect()
}

#[test]
fn every_kind_claims_exactly_its_own_untyped_responses() {
    let samples: Vec<(&str, Unparsed)> = UNPARSED_SAMPLES
        .iter()
        .map(|(n, line)| (*n, Unparsed::new(format!("{line}\r\n").into_bytes(), "x")))
        .collect();
    let mut wrong = Vec::new();
    for (kind, own) in expected_unparsed_claims() {
        for (name, unparsed) in &samples {
            let expected = own.contains(name);
            let head = UnparsedHead::read(unparsed).expect("each sample has a head");
            if kind.claims_unparsed(&head) != expected {
                wrong.push(format!("{kind:?} on {name}: expected {expected}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn the_head_of_an_untyped_response() {
    let head = |raw: &'static [u8]| {
        UnparsedHead::read(Box::leak(Box::new(Unparsed::new(raw.to_vec(), "x"))))
    };
    let expected = |keyword, number, mailbox: Option<&'static [u8]>| {
        Some(UnparsedHead {
            keyword,
            number,
            mailbox: mailbox.map(IString::new),
        })
    };
    assert_eq!(
        head(b"* 2 FETCH (UID )\r\n"),
        expected("FETCH", Some(2), None)
    );
    assert_eq!(
        head(b"* STATUS Drafts (MESSAGES\r\n"),
        expected("STATUS", None, Some(b"Drafts"))
    );
    assert_eq!(
        head(b"* status \"a b\" (\r\n"),
        expected("status", None, Some(b"a b"))
    );
    assert_eq!(head(b"* STATUS \"a\r\n"), expected("STATUS", None, None));
    // Only STATUS has its mailbox read.
    assert_eq!(
        head(b"* LIST () \"/\" x (\r\n"),
        expected("LIST", None, None)
    );
    assert_eq!(head(b"A1 OK [\r\n"), None);
}

#[test]
fn reading_a_status_mailbox_notes_no_quirk() {
    use crate::proto::parse::noted_quirks::take_noted_quirks;
    take_noted_quirks();
    // An unescaped quote inside the name is a quirk the parser notes when it parses one.
    let raw = b"* STATUS \"a\"b\" (MESSAGES\r\n".to_vec();
    let unparsed = Unparsed::new(raw, "x");
    assert!(UnparsedHead::read(&unparsed).is_some());
    assert_eq!(take_noted_quirks(), 0);
}
