//! Selected state: FETCH, STORE, COPY, MOVE, UID EXPUNGE, SEARCH, SORT, THREAD.

use super::*;

#[test]
fn fetch_items_and_condstore_modifiers() {
    let fields = Section::header_fields(["DATE", "FROM"]).unwrap();
    kat(
        CommandBody::fetch(
            false,
            set("2:4"),
            vec![FetchAttr::Flags, FetchAttr::body_section(fields)],
        ),
        "FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])",
    );
    kat(
        CommandBody::fetch(false, set("1:*"), vec![FetchAttr::Fast]),
        "FETCH 1:* FAST",
    );
    kat(
        CommandBody::fetch(
            true,
            set("$"),
            vec![
                FetchAttr::Uid,
                FetchAttr::Binary {
                    part: vec![nz(1)],
                    partial: Some((0, nz(1024))),
                    peek: true,
                },
                FetchAttr::Preview { lazy: true },
            ],
        ),
        "UID FETCH $ (UID BINARY.PEEK[1]<0.1024> PREVIEW (LAZY))",
    );
    // RFC 7162 §3.1.4.1 and §3.2.6 examples.
    kat(
        CommandBody::Fetch {
            uid: false,
            set: set("1:*"),
            attrs: vec![FetchAttr::Flags],
            changed_since: Some(ModSeq::new(12345).unwrap()),
            vanished: false,
        },
        "FETCH 1:* FLAGS (CHANGEDSINCE 12345)",
    );
    kat(
        CommandBody::Fetch {
            uid: true,
            set: set("300:500"),
            attrs: vec![FetchAttr::Flags],
            changed_since: Some(ModSeq::new(12345).unwrap()),
            vanished: true,
        },
        "UID FETCH 300:500 FLAGS (CHANGEDSINCE 12345 VANISHED)",
    );
    for (uid, changed) in [(false, Some(1)), (true, None)] {
        fails(
            CommandBody::Fetch {
                uid,
                set: set("1"),
                attrs: vec![FetchAttr::Flags],
                changed_since: changed.map(|c| ModSeq::new(c).unwrap()),
                vanished: true,
            },
            &PLAIN,
        );
    }
    fails(CommandBody::fetch(false, set("1"), vec![]), &PLAIN);
    fails(
        CommandBody::fetch(false, set("1"), vec![FetchAttr::All, FetchAttr::Uid]),
        &PLAIN,
    );
    fails(
        CommandBody::Fetch {
            uid: false,
            set: set("1"),
            attrs: vec![FetchAttr::Flags],
            changed_since: Some(ModSeq::new(0).unwrap()),
            vanished: false,
        },
        &PLAIN,
    );
}

#[test]
fn store_copy_move_and_uid_expunge() {
    let store = |uid, kind, silent, flags, unchanged_since: Option<u64>| CommandBody::Store {
        uid,
        set: set("2:4"),
        kind,
        silent,
        flags,
        unchanged_since: unchanged_since.map(|m| ModSeq::new(m).unwrap()),
    };
    kat(
        store(false, StoreKind::Add, false, vec![Flag::Deleted], None),
        "STORE 2:4 +FLAGS (\\Deleted)",
    );
    kat(
        store(
            true,
            StoreKind::Remove,
            true,
            vec![Flag::Seen, Flag::keyword("$Junk").unwrap()],
            None,
        ),
        "UID STORE 2:4 -FLAGS.SILENT (\\Seen $Junk)",
    );
    kat(
        store(false, StoreKind::Replace, false, vec![], None),
        "STORE 2:4 FLAGS ()",
    );
    // RFC 7162 §3.1.3 example.
    kat(
        store(
            false,
            StoreKind::Add,
            true,
            vec![Flag::Deleted],
            Some(320_162_338),
        ),
        "STORE 2:4 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)",
    );
    kat(
        store(false, StoreKind::Replace, false, vec![Flag::Seen], Some(0)),
        "STORE 2:4 (UNCHANGEDSINCE 0) FLAGS (\\Seen)",
    );
    // Gmail's labels (Google's "IMAP Extensions" page: `STORE 1 +X-GM-LABELS (foo)`).
    let labels = |uid, kind, names: &[&str]| CommandBody::StoreGmailLabels {
        uid,
        set: set("2:4"),
        kind,
        labels: names
            .iter()
            .map(|n| crate::types::GmailLabel::new(n).unwrap())
            .collect(),
    };
    kat(
        labels(false, StoreKind::Add, &["foo"]),
        "STORE 2:4 +X-GM-LABELS (\"foo\")",
    );
    kat(
        labels(
            true,
            StoreKind::Remove,
            &["\\Inbox", "Muy Importante", "Été"],
        ),
        "UID STORE 2:4 -X-GM-LABELS (\\Inbox \"Muy Importante\" \"&AMk-t&AOk-\")",
    );
    kat(
        labels(false, StoreKind::Replace, &[]),
        "STORE 2:4 X-GM-LABELS ()",
    );
    kat(
        CommandBody::Copy {
            uid: false,
            set: set("2:4"),
            mailbox: mb("MEETING"),
        },
        "COPY 2:4 MEETING",
    );
    kat(
        CommandBody::Copy {
            uid: true,
            set: set("$"),
            mailbox: mb("Archive 2024"),
        },
        "UID COPY $ \"Archive 2024\"",
    );
    kat(
        CommandBody::Move {
            uid: true,
            set: set("42:69"),
            mailbox: mb("foo"),
        },
        "UID MOVE 42:69 foo",
    );
    kat(
        CommandBody::Move {
            uid: false,
            set: set("1"),
            mailbox: mb("Trash"),
        },
        "MOVE 1 Trash",
    );
    kat(
        CommandBody::UidExpunge(set("3000:3002")),
        "UID EXPUNGE 3000:3002",
    );
}

#[test]
fn search_keys_all_forms() {
    // RFC 3501 §6.4.4 example (FROM "Smith" is an atom to us).
    kat(
        search(SearchKey::and([
            SearchKey::Flagged,
            SearchKey::Since(date(1994, 2, 1)),
            SearchKey::negate(SearchKey::from("Smith").unwrap()),
        ])),
        "SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM Smith",
    );
    kat(
        search(SearchKey::or(
            SearchKey::subject("hello world").unwrap(),
            SearchKey::And(vec![SearchKey::Seen, SearchKey::Larger(1000)]),
        )),
        "SEARCH OR SUBJECT \"hello world\" (SEEN LARGER 1000)",
    );
    let id = ObjectId::new("M6d99ac3275bb4e").unwrap();
    let secs = nz(3600);
    let cases: Vec<(SearchKey, &str)> = vec![
        (SearchKey::All, "ALL"),
        (SearchKey::And(vec![]), "ALL"),
        (SearchKey::Answered, "ANSWERED"),
        (SearchKey::Deleted, "DELETED"),
        (SearchKey::Draft, "DRAFT"),
        (SearchKey::New, "NEW"),
        (SearchKey::Old, "OLD"),
        (SearchKey::Recent, "RECENT"),
        (SearchKey::Unanswered, "UNANSWERED"),
        (SearchKey::Undeleted, "UNDELETED"),
        (SearchKey::Undraft, "UNDRAFT"),
        (SearchKey::Unflagged, "UNFLAGGED"),
        (SearchKey::Unseen, "UNSEEN"),
        (SearchKey::bcc("x").unwrap(), "BCC x"),
        (SearchKey::body("").unwrap(), "BODY \"\""),
        (SearchKey::cc("a@b").unwrap(), "CC a@b"),
        (SearchKey::to("\"q\"").unwrap(), "TO \"\\\"q\\\"\""),
        (SearchKey::text("*").unwrap(), "TEXT \"*\""),
        (
            SearchKey::header("List-Id", "").unwrap(),
            "HEADER List-Id \"\"",
        ),
        (
            SearchKey::header("X-Spam", "yes").unwrap(),
            "HEADER X-Spam yes",
        ),
        (
            SearchKey::keyword("$Forwarded").unwrap(),
            "KEYWORD $Forwarded",
        ),
        (
            SearchKey::unkeyword("NonJunk").unwrap(),
            "UNKEYWORD NonJunk",
        ),
        (SearchKey::Smaller(10), "SMALLER 10"),
        (SearchKey::Before(date(2024, 12, 31)), "BEFORE 31-Dec-2024"),
        (SearchKey::On(date(2024, 1, 2)), "ON 2-Jan-2024"),
        (
            SearchKey::SentBefore(date(2024, 1, 2)),
            "SENTBEFORE 2-Jan-2024",
        ),
        (SearchKey::SentOn(date(2024, 1, 2)), "SENTON 2-Jan-2024"),
        (
            SearchKey::SentSince(date(2024, 1, 2)),
            "SENTSINCE 2-Jan-2024",
        ),
        (SearchKey::Uid(set("1:100,200")), "UID 1:100,200"),
        (SearchKey::SequenceSet(set("1,3:*")), "1,3:*"),
        (SearchKey::SequenceSet(SequenceSet::saved()), "$"),
        (SearchKey::modseq(620_162_338).unwrap(), "MODSEQ 620162338"),
        (
            SearchKey::ModSeq {
                entry: Some(ModSeqEntry {
                    flag: Flag::Draft,
                    kind: EntryKind::All,
                }),
                modseq: ModSeq::new(620_162_338).unwrap(),
            },
            "MODSEQ \"/flags/\\\\Draft\" all 620162338",
        ),
        (SearchKey::Older(secs), "OLDER 3600"),
        (SearchKey::Younger(secs), "YOUNGER 3600"),
        (
            SearchKey::SavedBefore(date(2024, 3, 4)),
            "SAVEDBEFORE 4-Mar-2024",
        ),
        (SearchKey::SavedOn(date(2024, 3, 4)), "SAVEDON 4-Mar-2024"),
        (
            SearchKey::SavedSince(date(2024, 3, 4)),
            "SAVEDSINCE 4-Mar-2024",
        ),
        (SearchKey::SaveDateSupported, "SAVEDATESUPPORTED"),
        (SearchKey::EmailId(id.clone()), "EMAILID M6d99ac3275bb4e"),
        (SearchKey::ThreadId(id), "THREADID M6d99ac3275bb4e"),
        // Gmail's X-GM-EXT-1 (Google's "IMAP Extensions" page).
        (
            SearchKey::gmail_raw("has:attachment in:unread").unwrap(),
            "X-GM-RAW \"has:attachment in:unread\"",
        ),
        (
            SearchKey::GmailMessageId(1_278_455_344_230_334_865),
            "X-GM-MSGID 1278455344230334865",
        ),
        (
            SearchKey::GmailThreadId(1_266_894_439_832_287_888),
            "X-GM-THRID 1266894439832287888",
        ),
        (
            SearchKey::GmailLabel(crate::types::GmailLabel::new("foo").unwrap()),
            "X-GM-LABELS \"foo\"",
        ),
        (
            SearchKey::GmailLabel(crate::types::GmailLabel::new("\\Important").unwrap()),
            "X-GM-LABELS \\Important",
        ),
        (
            SearchKey::negate(SearchKey::And(vec![SearchKey::Seen, SearchKey::Flagged])),
            "NOT (SEEN FLAGGED)",
        ),
    ];
    for (key, wire) in cases {
        kat(search(key), &format!("SEARCH {wire}"));
    }
}

#[test]
fn search_charset_on_rev1_and_utf8() {
    // rev1: non-ASCII text needs CHARSET UTF-8 and a literal.
    kat_with(
        &PLAIN,
        search(SearchKey::subject("grüße").unwrap()),
        "SEARCH CHARSET UTF-8 SUBJECT {7}\r\ngrüße".as_bytes(),
        &[34],
    );
    kat_with(
        &PLAIN,
        search(SearchKey::and([
            SearchKey::Seen,
            SearchKey::negate(SearchKey::header("X-Tag", "café").unwrap()),
        ])),
        "SEARCH CHARSET UTF-8 SEEN NOT HEADER X-Tag {5}\r\ncafé".as_bytes(),
        &[48],
    );
    // rev2 / UTF8=ACCEPT: no CHARSET, quoted UTF-8.
    kat_with(
        &EncodeOptions {
            utf8: true,
            ..PLAIN
        },
        search(SearchKey::subject("grüße").unwrap()),
        "SEARCH SUBJECT \"grüße\"".as_bytes(),
        &[],
    );
    // ASCII text: no CHARSET.
    kat(
        search(SearchKey::subject("hello").unwrap()),
        "SEARCH SUBJECT hello",
    );
    // An explicit charset is written as given.
    kat(
        CommandBody::Search {
            uid: true,
            charset: Some(atom("US-ASCII")),
            criteria: SearchKey::All,
            return_options: None,
        },
        "UID SEARCH CHARSET US-ASCII ALL",
    );
}

#[test]
fn esearch_return_options_and_searchres() {
    let esearch = |uid, options| CommandBody::Search {
        uid,
        charset: None,
        criteria: SearchKey::and([SearchKey::Flagged, SearchKey::Since(date(1994, 2, 1))]),
        return_options: Some(options),
    };
    // RFC 4731 §3.1 example.
    kat(
        esearch(
            false,
            vec![SearchReturnOption::Min, SearchReturnOption::Count],
        ),
        "SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994",
    );
    kat(
        esearch(true, vec![]),
        "UID SEARCH RETURN () FLAGGED SINCE 1-Feb-1994",
    );
    kat(
        esearch(
            true,
            vec![
                SearchReturnOption::Max,
                SearchReturnOption::All,
                SearchReturnOption::Save,
            ],
        ),
        "UID SEARCH RETURN (MAX ALL SAVE) FLAGGED SINCE 1-Feb-1994",
    );
    kat_with(
        &PLAIN,
        CommandBody::Search {
            uid: false,
            charset: None,
            criteria: SearchKey::text("ü").unwrap(),
            return_options: Some(vec![SearchReturnOption::Count]),
        },
        "SEARCH RETURN (COUNT) CHARSET UTF-8 TEXT {2}\r\nü".as_bytes(),
        &[46],
    );
}

#[test]
fn search_depth_is_bounded() {
    let mut deep = SearchKey::All;
    for _ in 0..MAX_SEARCH_DEPTH {
        deep = SearchKey::negate(deep);
    }
    let msg = fails(search(deep), &PLAIN);
    assert!(msg.contains("nest"), "{msg}");
    let mut ok = SearchKey::All;
    for _ in 0..MAX_SEARCH_DEPTH - 1 {
        ok = SearchKey::negate(ok);
    }
    assert!(encode(&cmd(search(ok)), &PLAIN).is_ok());
}

#[test]
fn sort_and_thread() {
    // RFC 5256 §4 examples.
    kat(
        CommandBody::Sort {
            uid: false,
            criteria: vec![SortCriterion::asc(SortKey::Subject)],
            charset: None,
            search: SearchKey::Since(date(1994, 2, 1)),
            return_options: None,
        },
        "SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994",
    );
    kat(
        CommandBody::Sort {
            uid: true,
            criteria: vec![
                SortCriterion::desc(SortKey::Date),
                SortCriterion::asc(SortKey::DisplayFrom),
                SortCriterion::asc(SortKey::Arrival),
                SortCriterion::asc(SortKey::Cc),
                SortCriterion::asc(SortKey::From),
                SortCriterion::asc(SortKey::Size),
                SortCriterion::asc(SortKey::To),
                SortCriterion::desc(SortKey::DisplayTo),
            ],
            charset: Some(atom("US-ASCII")),
            search: SearchKey::and([SearchKey::Undeleted, SearchKey::Unkeyword(atom("$Junk"))]),
            return_options: None,
        },
        "UID SORT (REVERSE DATE DISPLAYFROM ARRIVAL CC FROM SIZE TO REVERSE DISPLAYTO) US-ASCII UNDELETED UNKEYWORD $Junk",
    );
    // ESORT (RFC 5267 §3.2).
    kat(
        CommandBody::Sort {
            uid: true,
            criteria: vec![SortCriterion::asc(SortKey::Date)],
            charset: None,
            search: SearchKey::Undeleted,
            return_options: Some(vec![SearchReturnOption::Min, SearchReturnOption::Max]),
        },
        "UID SORT RETURN (MIN MAX) (DATE) UTF-8 UNDELETED",
    );
    fails(
        CommandBody::Sort {
            uid: false,
            criteria: vec![],
            charset: None,
            search: SearchKey::All,
            return_options: None,
        },
        &PLAIN,
    );
    let thread = |algorithm| CommandBody::Thread {
        uid: false,
        algorithm,
        charset: None,
        search: SearchKey::Since(date(2000, 3, 5)),
    };
    kat(
        thread(ThreadAlgorithm::OrderedSubject),
        "THREAD ORDEREDSUBJECT UTF-8 SINCE 5-Mar-2000",
    );
    kat(
        thread(ThreadAlgorithm::References),
        "THREAD REFERENCES UTF-8 SINCE 5-Mar-2000",
    );
    kat(
        thread(ThreadAlgorithm::Refs),
        "THREAD REFS UTF-8 SINCE 5-Mar-2000",
    );
    kat(
        CommandBody::Thread {
            uid: true,
            algorithm: ThreadAlgorithm::Other(atom("X-ORDER")),
            charset: Some(atom("US-ASCII")),
            search: SearchKey::All,
        },
        "UID THREAD X-ORDER US-ASCII ALL",
    );
}
