//! Authenticated state: SELECT/EXAMINE, mailbox management, LIST/LSUB, STATUS, APPEND.

use super::*;

#[test]
fn select_and_examine_with_condstore_and_qresync() {
    kat(CommandBody::select(mb("inbox")), "SELECT INBOX");
    kat(
        CommandBody::select(mb("Sent Items")),
        "SELECT \"Sent Items\"",
    );
    kat(CommandBody::select(mb("Entwürfe")), "SELECT Entw&APw-rfe");
    kat_with(
        &EncodeOptions {
            utf8: true,
            ..PLAIN
        },
        CommandBody::select(mb("Entwürfe")),
        "SELECT \"Entwürfe\"".as_bytes(),
        &[],
    );
    kat(
        CommandBody::Examine {
            mailbox: mb("INBOX"),
            params: SelectParams {
                condstore: true,
                qresync: None,
            },
        },
        "EXAMINE INBOX (CONDSTORE)",
    );
    // RFC 7162 §3.2.5.2 example.
    let qresync = |known_uids, seq_match| QResyncParams {
        uid_validity: nz(67_890_007),
        mod_seq: ModSeq::new(90_060_115_194_045_000).unwrap(),
        known_uids,
        seq_match,
    };
    kat(
        CommandBody::Select {
            mailbox: mb("INBOX"),
            params: SelectParams {
                condstore: false,
                qresync: Some(qresync(Some(set("41:211,214:541")), None)),
            },
        },
        "SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541))",
    );
    kat(
        CommandBody::Select {
            mailbox: mb("INBOX"),
            params: SelectParams {
                condstore: true,
                qresync: Some(qresync(
                    Some(set("1:*")),
                    Some((set("3,7,11"), set("5,20,30"))),
                )),
            },
        },
        "SELECT INBOX (CONDSTORE QRESYNC (67890007 90060115194045000 1:* (3,7,11 5,20,30)))",
    );
    kat(
        CommandBody::Select {
            mailbox: mb("INBOX"),
            params: SelectParams {
                condstore: false,
                qresync: Some(qresync(None, None)),
            },
        },
        "SELECT INBOX (QRESYNC (67890007 90060115194045000))",
    );
    fails(
        CommandBody::Select {
            mailbox: mb("INBOX"),
            params: SelectParams {
                condstore: false,
                qresync: Some(qresync(None, Some((set("1"), set("2"))))),
            },
        },
        &PLAIN,
    );
    let mut zero = qresync(None, None);
    zero.mod_seq = ModSeq::new(0).unwrap();
    fails(
        CommandBody::Select {
            mailbox: mb("INBOX"),
            params: SelectParams {
                condstore: false,
                qresync: Some(zero),
            },
        },
        &PLAIN,
    );
}

#[test]
fn mailbox_management_commands() {
    kat(
        CommandBody::Create {
            mailbox: mb("owatagusiam/"),
            special_use: vec![],
        },
        "CREATE owatagusiam/",
    );
    // RFC 6154 §5.3 example.
    kat(
        CommandBody::Create {
            mailbox: mb("MySpecialArchive"),
            special_use: vec![SpecialUse::Archive],
        },
        r"CREATE MySpecialArchive (USE (\Archive))",
    );
    kat(
        CommandBody::Create {
            mailbox: mb("X"),
            special_use: vec![SpecialUse::Drafts, SpecialUse::Important],
        },
        r"CREATE X (USE (\Drafts \Important))",
    );
    kat(CommandBody::Delete(mb("blurdybloop")), "DELETE blurdybloop");
    kat(
        CommandBody::Rename {
            from: mb("blurdybloop"),
            to: mb("sarasoop"),
        },
        "RENAME blurdybloop sarasoop",
    );
    kat(
        CommandBody::Subscribe(mb("#news.comp.mail.mime")),
        "SUBSCRIBE #news.comp.mail.mime",
    );
    kat(CommandBody::Unsubscribe(mb("台北")), "UNSUBSCRIBE &U,BTFw-");
    kat(
        CommandBody::Status {
            mailbox: mb("blurdybloop"),
            attrs: vec![StatusAttr::UidNext, StatusAttr::Messages],
        },
        "STATUS blurdybloop (UIDNEXT MESSAGES)",
    );
    kat(
        CommandBody::Status {
            mailbox: mb("INBOX"),
            attrs: StatusAttr::parse_list("(MESSAGES UNSEEN SIZE MAILBOXID)").unwrap(),
        },
        "STATUS INBOX (MESSAGES UNSEEN SIZE MAILBOXID)",
    );
    fails(
        CommandBody::Status {
            mailbox: mb("INBOX"),
            attrs: vec![],
        },
        &PLAIN,
    );
}

fn pattern(p: &str) -> ListPattern {
    ListPattern::new(p).unwrap()
}

fn list(
    patterns: &[&str],
    selection: Vec<ListSelectOption>,
    return_options: Vec<ListReturnOption>,
) -> CommandBody {
    CommandBody::List {
        reference: ListPattern::empty(),
        patterns: patterns.iter().map(|p| pattern(p)).collect(),
        selection,
        return_options,
    }
}

#[test]
fn list_lsub_and_list_extended() {
    kat(list(&["*"], vec![], vec![]), "LIST \"\" *");
    kat(list(&["%"], vec![], vec![]), "LIST \"\" %");
    kat(list(&[""], vec![], vec![]), "LIST \"\" \"\"");
    kat(list(&["Archiv/%"], vec![], vec![]), "LIST \"\" Archiv/%");
    kat(
        list(&["My Folder/*"], vec![], vec![]),
        "LIST \"\" \"My Folder/*\"",
    );
    kat(
        list(&["Entwürfe/%"], vec![], vec![]),
        "LIST \"\" Entw&APw-rfe/%",
    );
    kat(
        CommandBody::List {
            reference: pattern("~/Mail/"),
            patterns: vec![pattern("%")],
            selection: vec![],
            return_options: vec![],
        },
        "LIST ~/Mail/ %",
    );
    // The reference is a `mailbox` (astring): wildcards there are quoted.
    kat(
        CommandBody::List {
            reference: pattern("*"),
            patterns: vec![pattern("%")],
            selection: vec![],
            return_options: vec![],
        },
        "LIST \"*\" %",
    );
    // RFC 5258 §5 examples.
    kat(
        list(
            &["*"],
            vec![
                ListSelectOption::Subscribed,
                ListSelectOption::RecursiveMatch,
            ],
            vec![ListReturnOption::Children],
        ),
        "LIST (SUBSCRIBED RECURSIVEMATCH) \"\" * RETURN (CHILDREN)",
    );
    kat(
        list(&["INBOX", "Drafts", "Sent/%"], vec![], vec![]),
        "LIST \"\" (INBOX Drafts Sent/%)",
    );
    kat(
        list(
            &["%"],
            vec![ListSelectOption::SpecialUse],
            vec![
                ListReturnOption::SpecialUse,
                ListReturnOption::Subscribed,
                ListReturnOption::Status(vec![StatusAttr::Messages, StatusAttr::Unseen]),
            ],
        ),
        "LIST (SPECIAL-USE) \"\" % RETURN (SPECIAL-USE SUBSCRIBED STATUS (MESSAGES UNSEEN))",
    );
    fails(list(&[], vec![], vec![]), &PLAIN);
    fails(
        list(&["*"], vec![], vec![ListReturnOption::Status(vec![])]),
        &PLAIN,
    );
    kat(
        CommandBody::Lsub {
            reference: pattern("#news."),
            pattern: pattern("comp.mail.*"),
        },
        "LSUB #news. comp.mail.*",
    );
    kat(
        CommandBody::XList {
            reference: pattern(""),
            pattern: pattern("*"),
        },
        "XLIST \"\" *",
    );
}

fn message(data: &[u8]) -> AppendMessage {
    AppendMessage::new(data.to_vec())
}

#[test]
fn append_writes_flags_date_and_a_synchronising_literal() {
    let data = b"Date: Mon, 7 Feb 1994 21:52:25 -0800\r\n\r\nHello\r\n";
    let mut m = message(data);
    m.flags = vec![Flag::Seen];
    m.internal_date = Some(ImapDateTime::new(date(1994, 2, 7), 21, 52, 25, -8 * 60).unwrap());
    let mut wire =
        b"APPEND saved-messages (\\Seen) \"07-Feb-1994 21:52:25 -0800\" {47}\r\n".to_vec();
    let sync = wire.len();
    wire.extend_from_slice(data);
    kat_with(
        &PLAIN,
        CommandBody::Append {
            mailbox: mb("saved-messages"),
            messages: vec![m],
        },
        &wire,
        &[sync],
    );
    kat_with(
        &PLAIN,
        CommandBody::Append {
            mailbox: mb("INBOX"),
            messages: vec![message(b"")],
        },
        b"APPEND INBOX {0}\r\n",
        &[18],
    );
}

#[test]
fn multiappend_has_one_sync_point_per_message() {
    let body = CommandBody::Append {
        mailbox: mb("Drafts"),
        messages: vec![
            {
                let mut m = message(b"one");
                m.flags = vec![Flag::Draft, Flag::keyword("$Label1").unwrap()];
                m
            },
            message(b"two!"),
        ],
    };
    kat_with(
        &PLAIN,
        body.clone(),
        b"APPEND Drafts (\\Draft $Label1) {3}\r\none {4}\r\ntwo!",
        &[36, 45],
    );
    let plus = EncodeOptions {
        literal_plus: true,
        ..PLAIN
    };
    kat_with(
        &plus,
        body,
        b"APPEND Drafts (\\Draft $Label1) {3+}\r\none {4+}\r\ntwo!",
        &[],
    );
    fails(
        CommandBody::Append {
            mailbox: mb("Drafts"),
            messages: vec![],
        },
        &PLAIN,
    );
}

#[test]
fn append_literal_minus_limit_is_4096_bytes() {
    let minus = EncodeOptions {
        literal_minus: true,
        ..PLAIN
    };
    let at = vec![b'x'; 4096];
    let over = vec![b'x'; 4097];
    let one = |data: &[u8]| CommandBody::Append {
        mailbox: mb("INBOX"),
        messages: vec![message(data)],
    };
    let encoded = enc(one(&at), &minus);
    assert!(
        encoded
            .bytes()
            .starts_with(b"A1 APPEND INBOX {4096+}\r\nxxx")
    );
    assert!(encoded.sync_points().is_empty());
    assert_eq!(encoded.segments().count(), 1);
    let encoded = enc(one(&over), &minus);
    assert!(
        encoded
            .bytes()
            .starts_with(b"A1 APPEND INBOX {4097}\r\nxxx")
    );
    assert_eq!(encoded.sync_points(), [24]);
    let segments: Vec<&[u8]> = encoded.segments().collect();
    assert_eq!(segments.len(), 2);
    assert_eq!(segments[0], b"A1 APPEND INBOX {4097}\r\n");
    assert_eq!(segments[1].len(), 4097 + 2);
    // LITERAL+ has no limit.
    let plus = EncodeOptions {
        literal_plus: true,
        ..PLAIN
    };
    assert!(
        enc(one(&over), &plus)
            .bytes()
            .starts_with(b"A1 APPEND INBOX {4097+}\r\n")
    );
}

#[test]
fn append_binary_uses_literal8_only_for_nul_and_only_with_binary() {
    let binary = EncodeOptions {
        binary: true,
        ..PLAIN
    };
    let mut m = message(b"a\0b");
    m.binary = true;
    let body = CommandBody::Append {
        mailbox: mb("INBOX"),
        messages: vec![m.clone()],
    };
    kat_with(&binary, body.clone(), b"APPEND INBOX ~{3}\r\na\0b", &[19]);
    fails(body, &PLAIN);
    m.binary = false;
    fails(
        CommandBody::Append {
            mailbox: mb("INBOX"),
            messages: vec![m],
        },
        &binary,
    );
    // Binary requested but no NUL: a plain literal, 8-bit included.
    let mut m = message("ä\r\n".as_bytes());
    m.binary = true;
    kat_with(
        &binary,
        CommandBody::Append {
            mailbox: mb("INBOX"),
            messages: vec![m],
        },
        "APPEND INBOX {4}\r\nä\r\n".as_bytes(),
        &[18],
    );
}
