//! Mailbox-management extensions against the harness Dovecot and Cyrus (every scenario on
//! both, via `server_tests!`): MOVE (and its COPY + STORE + UID EXPUNGE fallback when MOVE is
//! not advertised), UNSELECT, CHILDREN, SPECIAL-USE, CREATE-SPECIAL-USE (not offered by
//! Dovecot 2.3: the refusal path; Cyrus: created, and `[USEATTR]` for a use already taken),
//! `$Important`, LIST-EXTENDED, LIST-STATUS, STATUS=SIZE and NAMESPACE. Where the servers
//! differ (the order of EXPUNGE numbers, the namespaces) each one's answer is asserted.
//!
//! The harness configures Drafts, Sent, Trash, Junk and Archive as special-use mailboxes on
//! both servers (`tests/src/harness/dovecot.conf.in`, `cyrus-imapd.conf.in`); message sizes
//! and flags come from the seed's rules
//! (`tests/src/harness/seed.rs`), computed here independently of the server.

use std::collections::BTreeMap;

use daaki_imap::types::response::{MailboxAttribute, ResponseCode};
use daaki_imap::types::{
    FetchAttr, Flag, ImapAtom, ListEntry, ListOptions, SearchKey, SequenceSet, SpecialUse,
    StatusAttr,
};
use daaki_imap::{ConnectionState, Error, ImapConnection, StoreKind, TlsMode, TrustRoots};
use daaki_imap_tests::client::{T, login};
use daaki_imap_tests::harness::{ServerKind, TestServer, TestUser, seed};
use daaki_imap_tests::proxy::Recorder;
use daaki_imap_tests::server_tests;

fn set(s: &str) -> SequenceSet {
    SequenceSet::new(s).expect("valid set")
}

fn size_of(range: std::ops::RangeInclusive<u32>) -> u64 {
    range.map(|i| seed::message(i).len() as u64).sum()
}

/// Connects through a recording relay (plaintext, so the relay sees the commands), with
/// `ignored` capabilities hidden from the client, and logs in.
async fn recorded_login(
    server: &dyn TestServer,
    user: &TestUser,
    ignored: &[&str],
) -> (ImapConnection, Recorder) {
    let recorder = Recorder::start(server.plain_port()).await;
    let pem = std::fs::read(server.ca_cert_path()).expect("read the test CA");
    let mut builder = ImapConnection::builder()
        .trust_roots(TrustRoots::None)
        .add_root_pem(&pem)
        .expect("test CA");
    for cap in ignored {
        builder = builder.ignore_capability(cap);
    }
    let conn = builder
        .connect("127.0.0.1", recorder.port(), TlsMode::Plaintext, T)
        .await
        .expect("connect through the relay");
    conn.login(&user.name, &user.password, T)
        .await
        .expect("login");
    (conn, recorder)
}

/// The client's command lines (tags stripped), upper-cased.
fn commands(recorder: &Recorder) -> Vec<String> {
    recorder
        .client_text()
        .split("\r\n")
        .filter_map(|line| {
            line.split_once(' ')
                .map(|(_, rest)| rest.to_ascii_uppercase())
        })
        .collect()
}

async fn subjects(conn: &ImapConnection, mailbox: &str) -> Vec<String> {
    let selected = conn.examine(mailbox, T).await.expect("examine");
    if selected.exists == 0 {
        return Vec::new();
    }
    conn.fetch(&set("1:*"), &[FetchAttr::Envelope], T)
        .await
        .expect("fetch")
        .into_iter()
        .filter_map(|m| m.envelope.and_then(|e| e.subject))
        .collect()
}

async fn move_reports_copyuid_and_expunges(server: &'static dyn TestServer) {
    let user = server.new_user(10);
    let conn = login(server, &user, TlsMode::Plaintext).await;
    assert!(conn.capabilities().has("MOVE"));
    conn.create("Dest", T).await.expect("create");
    conn.select("INBOX", T).await.expect("select");
    let moved = conn
        .move_messages(&set("2:3"), "Dest", T)
        .await
        .expect("MOVE");
    assert!(moved.copy.uid_validity.is_some());
    assert_eq!(ids(&moved.copy.source_uids), vec![2, 3]);
    assert_eq!(ids(&moved.copy.destination_uids), vec![1, 2]);
    assert_eq!(moved.expunged, expunge_numbers(server, &[2, 3]));
    // UID 8 is sequence number 6 once 2 and 3 are gone.
    let moved = conn.uid_move(&set("8"), "Dest", T).await.expect("UID MOVE");
    assert_eq!(ids(&moved.copy.destination_uids), vec![3]);
    assert_eq!(moved.expunged, vec![6]);
    assert_eq!(
        subjects(&conn, "Dest").await,
        ["Test message 2", "Test message 3", "Test message 8"]
    );
    assert_eq!(conn.examine("INBOX", T).await.expect("examine").exists, 7);
}

/// The `* n EXPUNGE` numbers each server sends when the messages at the ascending sequence
/// numbers `seqs` go: Dovecot from the highest number down (each number still valid), Cyrus
/// from the lowest up, each already shifted by the expunges before it. Both remove the same
/// messages; the client reports the numbers as sent.
fn expunge_numbers(server: &dyn TestServer, seqs: &[u32]) -> Vec<u32> {
    match server.kind() {
        ServerKind::Dovecot => seqs.iter().rev().copied().collect(),
        ServerKind::Cyrus => seqs.iter().zip(0..).map(|(&s, i)| s - i).collect(),
    }
}

fn ids(ranges: &[daaki_imap::types::response::SeqRange]) -> Vec<u32> {
    ranges.iter().flat_map(|r| r.iter()).collect()
}

async fn move_without_move_falls_back_to_copy_store_and_uid_expunge(
    server: &'static dyn TestServer,
) {
    let user = server.new_user(10);
    let (conn, recorder) = recorded_login(server, &user, &["MOVE"]).await;
    assert!(!conn.capabilities().has("MOVE") && conn.capabilities().has("UIDPLUS"));
    conn.create("Dest", T).await.expect("create");
    conn.select("INBOX", T).await.expect("select");
    // A bystander marked \Deleted by someone else: the fallback must not expunge it.
    conn.store(&set("9"), StoreKind::Add, &[Flag::Deleted], T)
        .await
        .expect("store");

    let moved = conn
        .move_messages(&set("2:3"), "Dest", T)
        .await
        .expect("MOVE fallback");
    assert!(moved.copy.uid_validity.is_some());
    assert_eq!(ids(&moved.copy.source_uids), vec![2, 3]);
    assert_eq!(ids(&moved.copy.destination_uids), vec![1, 2]);
    assert_eq!(
        moved.expunged,
        expunge_numbers(server, &[2, 3]),
        "the same shape as a real MOVE"
    );

    let sent = commands(&recorder);
    assert!(sent.iter().all(|c| !c.contains("MOVE")), "{sent:?}");
    for expected in [
        "UID SEARCH 2:3",
        "UID COPY 2:3 DEST",
        "UID STORE 2:3 +FLAGS.SILENT (\\DELETED)",
        "UID EXPUNGE 2:3",
    ] {
        assert!(sent.iter().any(|c| c == expected), "{expected} in {sent:?}");
    }
    assert!(sent.iter().all(|c| c != "EXPUNGE"), "no plain EXPUNGE");

    assert_eq!(
        subjects(&conn, "Dest").await,
        ["Test message 2", "Test message 3"]
    );
    conn.select("INBOX", T).await.expect("select");
    let left = conn
        .uid_search(&SearchKey::All, T)
        .await
        .expect("uid search");
    assert_eq!(left, vec![1, 4, 5, 6, 7, 8, 9, 10]);
    let deleted = conn
        .uid_search(&SearchKey::Deleted, T)
        .await
        .expect("uid search deleted");
    assert_eq!(
        deleted,
        vec![9],
        "the bystander is still there, still \\Deleted"
    );
}

async fn uid_move_without_move_falls_back_by_uid(server: &'static dyn TestServer) {
    let user = server.new_user(8);
    let (conn, recorder) = recorded_login(server, &user, &["MOVE"]).await;
    conn.create("Dest", T).await.expect("create");
    conn.select("INBOX", T).await.expect("select");
    let moved = conn
        .uid_move(&set("4,6"), "Dest", T)
        .await
        .expect("UID MOVE fallback");
    assert_eq!(ids(&moved.copy.source_uids), vec![4, 6]);
    assert_eq!(ids(&moved.copy.destination_uids), vec![1, 2]);
    assert_eq!(moved.expunged, expunge_numbers(server, &[4, 6]));
    let sent = commands(&recorder);
    assert!(
        sent.iter()
            .all(|c| !c.contains("MOVE") && !c.starts_with("UID SEARCH")),
        "{sent:?}"
    );
    assert!(sent.iter().any(|c| c == "UID EXPUNGE 4,6"), "{sent:?}");
    assert_eq!(
        subjects(&conn, "Dest").await,
        ["Test message 4", "Test message 6"]
    );
}

async fn move_without_move_or_uidplus_is_refused_and_sends_nothing(
    server: &'static dyn TestServer,
) {
    let user = server.new_user(5);
    let (conn, recorder) = recorded_login(server, &user, &["MOVE", "UIDPLUS"]).await;
    conn.create("Dest", T).await.expect("create");
    conn.select("INBOX", T).await.expect("select");
    match conn.move_messages(&set("1:2"), "Dest", T).await {
        Err(Error::Unsupported(text)) => assert!(text.contains("UIDPLUS"), "{text}"),
        other => panic!("expected Unsupported, got {other:?}"),
    }
    let sent = commands(&recorder);
    assert!(
        sent.iter()
            .all(|c| !c.contains("COPY") && !c.contains("STORE") && !c.contains("EXPUNGE")),
        "{sent:?}"
    );
    assert_eq!(conn.select("INBOX", T).await.expect("select").exists, 5);
}

async fn unselect_keeps_deleted_messages_where_close_expunges_them(
    server: &'static dyn TestServer,
) {
    let user = server.new_user(5);
    let conn = login(server, &user, TlsMode::Plaintext).await;
    assert!(conn.capabilities().has("UNSELECT"));
    conn.select("INBOX", T).await.expect("select");
    conn.store(&set("1"), StoreKind::Add, &[Flag::Deleted], T)
        .await
        .expect("store");
    conn.unselect(T).await.expect("UNSELECT");
    assert_eq!(conn.state(), ConnectionState::Authenticated);
    assert!(
        matches!(
            conn.fetch(&set("1"), &[FetchAttr::Uid], T).await,
            Err(Error::Bad { .. })
        ),
        "no mailbox is selected after UNSELECT"
    );
    assert_eq!(
        conn.select("INBOX", T).await.expect("select").exists,
        5,
        "UNSELECT expunged nothing"
    );
    conn.close(T).await.expect("CLOSE");
    assert_eq!(
        conn.select("INBOX", T).await.expect("select").exists,
        4,
        "CLOSE expunged the \\Deleted message"
    );
}

fn by_name(entries: Vec<ListEntry>) -> BTreeMap<String, ListEntry> {
    entries
        .into_iter()
        .map(|e| (e.info.name.as_str().to_owned(), e))
        .collect()
}

async fn children_attributes_mark_parents_and_leaves(server: &'static dyn TestServer) {
    let user = server.new_user(0);
    let conn = login(server, &user, TlsMode::Plaintext).await;
    assert!(conn.capabilities().has("CHILDREN"));
    conn.create("Parent/Kid", T).await.expect("create");
    let plain = conn.list("", "Parent*", T).await.expect("LIST");
    let get = |name: &str| {
        plain
            .iter()
            .find(|m| m.name.as_str() == name)
            .unwrap_or_else(|| panic!("{name} in {plain:?}"))
    };
    assert!(get("Parent").has_attribute(&MailboxAttribute::HasChildren));
    assert!(get("Parent/Kid").has_attribute(&MailboxAttribute::HasNoChildren));
    assert_eq!(get("Parent/Kid").delimiter, Some('/'));

    let options = ListOptions::new().return_children();
    let listed = by_name(
        conn.list_extended("", &["Parent", "Parent/%"], &options, T)
            .await
            .expect("LIST RETURN (CHILDREN)"),
    );
    assert_eq!(listed.keys().collect::<Vec<_>>(), ["Parent", "Parent/Kid"]);
    assert!(
        listed["Parent"]
            .info
            .has_attribute(&MailboxAttribute::HasChildren)
    );
    assert!(
        listed["Parent/Kid"]
            .info
            .has_attribute(&MailboxAttribute::HasNoChildren)
    );
}

async fn special_use_mailboxes_are_listed_with_their_uses(server: &'static dyn TestServer) {
    let user = server.new_user(0);
    let conn = login(server, &user, TlsMode::Plaintext).await;
    assert!(conn.capabilities().has("SPECIAL-USE"));
    let found: BTreeMap<String, Vec<SpecialUse>> = conn
        .list_special_use(T)
        .await
        .expect("LIST (SPECIAL-USE)")
        .into_iter()
        .map(|m| (m.name.as_str().to_owned(), m.special_uses()))
        .collect();
    let expected: BTreeMap<String, Vec<SpecialUse>> = [
        ("Archive", SpecialUse::Archive),
        ("Drafts", SpecialUse::Drafts),
        ("Junk", SpecialUse::Junk),
        ("Sent", SpecialUse::Sent),
        ("Trash", SpecialUse::Trash),
    ]
    .into_iter()
    .map(|(name, u)| (name.to_owned(), vec![u]))
    .collect();
    assert_eq!(found, expected, "INBOX and plain mailboxes are not listed");

    // RETURN (SPECIAL-USE) without the selection option: every mailbox, uses where they apply.
    conn.create("Plain", T).await.expect("create");
    let options = ListOptions::new().return_special_use();
    let all = by_name(
        conn.list_extended("", &["*"], &options, T)
            .await
            .expect("LIST RETURN (SPECIAL-USE)"),
    );
    assert!(all["INBOX"].info.special_uses().is_empty());
    assert!(all["Plain"].info.special_uses().is_empty());
    assert_eq!(all["Sent"].info.special_uses(), [SpecialUse::Sent]);
}

/// CREATE-SPECIAL-USE (RFC 6154 §3). Dovecot 2.3 does not offer it (special uses come from
/// its configuration only): the client refuses with `Unsupported` and sends no CREATE.
/// Cyrus offers it: a use another mailbox holds is refused with `NO [USEATTR]`; a free one
/// (`\Important`, RFC 8457; Cyrus refuses `\Flagged` with `[USEATTR] Invalid annotation
/// entry`) is set on the new mailbox, which LIST (SPECIAL-USE) then shows.
/// On both, an empty use list is refused before sending.
async fn create_special_use_follows_the_capability(server: &'static dyn TestServer) {
    let user = server.new_user(0);
    let (conn, recorder) = recorded_login(server, &user, &[]).await;
    assert!(matches!(
        conn.create_special_use("Receipts", &[], T).await,
        Err(Error::InvalidInput(_))
    ));
    assert!(
        commands(&recorder).iter().all(|c| !c.starts_with("CREATE")),
        "the invalid CREATE was not sent"
    );
    let advertised = conn.capabilities().has("CREATE-SPECIAL-USE");
    if server.kind() == ServerKind::Dovecot {
        assert!(!advertised);
        match conn
            .create_special_use("Receipts", &[SpecialUse::Archive], T)
            .await
        {
            Err(Error::Unsupported(text)) => {
                assert!(text.contains("CREATE-SPECIAL-USE"), "{text}")
            }
            other => panic!("expected Unsupported, got {other:?}"),
        }
        let sent = commands(&recorder);
        assert!(sent.iter().all(|c| !c.starts_with("CREATE")), "{sent:?}");
        let listed = conn.list("", "Receipts", T).await.expect("LIST");
        assert!(listed.is_empty(), "nothing was created: {listed:?}");
        return;
    }
    assert!(advertised, "Cyrus offers CREATE-SPECIAL-USE");
    // A use another mailbox has (the harness autocreates Archive): NO [USEATTR].
    match conn
        .create_special_use("Receipts", &[SpecialUse::Archive], T)
        .await
    {
        Err(Error::No { code, .. }) => assert_eq!(code, Some(ResponseCode::UseAttr)),
        other => panic!("expected NO [USEATTR], got {other:?}"),
    }
    conn.create_special_use("Receipts", &[SpecialUse::Important], T)
        .await
        .expect("CREATE Receipts (USE (\\Important))");
    let sent = commands(&recorder);
    assert!(
        sent.iter()
            .any(|c| c == "CREATE RECEIPTS (USE (\\IMPORTANT))"),
        "{sent:?}"
    );
    let options = ListOptions::new().return_special_use();
    let all = by_name(
        conn.list_extended("", &["*"], &options, T)
            .await
            .expect("LIST RETURN (SPECIAL-USE)"),
    );
    assert_eq!(all["Receipts"].info.special_uses(), [SpecialUse::Important]);
    assert_eq!(all["Archive"].info.special_uses(), [SpecialUse::Archive]);
}

async fn important_keyword_is_stored_fetched_and_searched(server: &'static dyn TestServer) {
    let user = server.new_user(6);
    let conn = login(server, &user, TlsMode::Plaintext).await;
    let selected = conn.select("INBOX", T).await.expect("select");
    assert!(
        selected
            .permanent_flags
            .iter()
            .any(|f| f.to_string() == "\\*"),
        "the server accepts new keywords: {:?}",
        selected.permanent_flags
    );
    let important = Flag::keyword("$Important").expect("keyword");
    conn.store(
        &set("2,5"),
        StoreKind::Add,
        std::slice::from_ref(&important),
        T,
    )
    .await
    .expect("STORE +FLAGS ($Important)");
    let found = conn
        .search(&SearchKey::Keyword(ImapAtom::new("$Important").unwrap()), T)
        .await
        .expect("SEARCH KEYWORD $Important");
    assert_eq!(found, vec![2, 5]);
    let flags = conn
        .fetch(&set("1:6"), &[FetchAttr::Flags], T)
        .await
        .expect("fetch");
    let marked: Vec<u32> = flags
        .iter()
        .filter(|m| m.flags.as_ref().is_some_and(|f| f.contains(&important)))
        .map(|m| m.seq)
        .collect();
    assert_eq!(marked, vec![2, 5]);
}

async fn list_extended_subscribed_selection_and_recursivematch(server: &'static dyn TestServer) {
    let user = server.new_user(0);
    let conn = login(server, &user, TlsMode::Plaintext).await;
    assert!(conn.capabilities().has("LIST-EXTENDED"));
    for name in ["Subbed", "Unsubbed", "Top/Kid"] {
        conn.create(name, T).await.expect("create");
    }
    conn.subscribe("Subbed", T).await.expect("subscribe");
    conn.subscribe("Top/Kid", T).await.expect("subscribe");

    let subscribed = by_name(
        conn.list_extended("", &["*"], &ListOptions::new().subscribed(), T)
            .await
            .expect("LIST (SUBSCRIBED)"),
    );
    assert!(subscribed.contains_key("Subbed") && subscribed.contains_key("Top/Kid"));
    assert!(!subscribed.contains_key("Unsubbed") && !subscribed.contains_key("Top"));
    // The harness auto-subscribes the special-use mailboxes.
    assert!(subscribed.contains_key("Drafts"));
    assert!(
        subscribed
            .values()
            .all(|e| e.info.has_attribute(&MailboxAttribute::Subscribed)),
        "{subscribed:?}"
    );

    // RECURSIVEMATCH with `%`: Top is listed because a child is subscribed (CHILDINFO).
    let options = ListOptions::new().subscribed().recursive_match();
    let top_level = by_name(
        conn.list_extended("", &["%"], &options, T)
            .await
            .expect("LIST (SUBSCRIBED RECURSIVEMATCH)"),
    );
    let top = top_level.get("Top").expect("Top listed through its child");
    assert_eq!(top.info.child_info, ["SUBSCRIBED"]);
    assert!(!top.info.has_attribute(&MailboxAttribute::Subscribed));
    assert!(top_level["Subbed"].info.child_info.is_empty());
    assert!(!top_level.contains_key("Unsubbed") && !top_level.contains_key("Top/Kid"));
}

async fn list_extended_return_options_mark_subscriptions_and_children(
    server: &'static dyn TestServer,
) {
    let user = server.new_user(0);
    let conn = login(server, &user, TlsMode::Plaintext).await;
    for name in ["Subbed", "Unsubbed", "Top/Kid"] {
        conn.create(name, T).await.expect("create");
    }
    conn.subscribe("Subbed", T).await.expect("subscribe");
    let options = ListOptions::new().return_subscribed().return_children();
    let all = by_name(
        conn.list_extended("", &["*"], &options, T)
            .await
            .expect("LIST RETURN (SUBSCRIBED CHILDREN)"),
    );
    let has = |name: &str, a: MailboxAttribute| all[name].info.has_attribute(&a);
    assert!(has("Subbed", MailboxAttribute::Subscribed));
    assert!(!has("Unsubbed", MailboxAttribute::Subscribed));
    assert!(has("Top", MailboxAttribute::HasChildren));
    assert!(has("Top/Kid", MailboxAttribute::HasNoChildren));
    assert!(has("Unsubbed", MailboxAttribute::HasNoChildren));
}

async fn list_extended_remote_and_several_patterns(server: &'static dyn TestServer) {
    let user = server.new_user(0);
    let conn = login(server, &user, TlsMode::Plaintext).await;
    let plain: Vec<String> = conn
        .list("", "*", T)
        .await
        .expect("LIST")
        .into_iter()
        .map(|m| m.name.as_str().to_owned())
        .collect();
    // REMOTE adds mailboxes on other servers; a single Dovecot has none, so the list is the
    // same.
    let remote: Vec<String> = conn
        .list_extended("", &["*"], &ListOptions::new().remote(), T)
        .await
        .expect("LIST (REMOTE)")
        .into_iter()
        .map(|e| e.info.name.as_str().to_owned())
        .collect();
    assert_eq!(remote, plain);
    assert!(plain.len() >= 6, "{plain:?}");

    let several = by_name(
        conn.list_extended("", &["Drafts", "Sent", "INBOX"], &ListOptions::new(), T)
            .await
            .expect("LIST with several patterns"),
    );
    assert_eq!(
        several.keys().collect::<Vec<_>>(),
        ["Drafts", "INBOX", "Sent"]
    );
}

async fn list_extended_refuses_invalid_options_before_sending(server: &'static dyn TestServer) {
    let user = server.new_user(0);
    let (conn, recorder) = recorded_login(server, &user, &["LIST-STATUS"]).await;
    let lone = ListOptions::new().recursive_match();
    assert!(matches!(
        conn.list_extended("", &["*"], &lone, T).await,
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(
        conn.list_extended("", &[], &ListOptions::new(), T).await,
        Err(Error::InvalidInput(_))
    ));
    let status = ListOptions::new().return_status(&[StatusAttr::Messages]);
    assert!(matches!(
        conn.list_extended("", &["*"], &status, T).await,
        Err(Error::Unsupported(_))
    ));
    let sent = commands(&recorder);
    assert!(sent.iter().all(|c| !c.starts_with("LIST")), "{sent:?}");
}

async fn list_status_returns_each_mailbox_with_its_status(server: &'static dyn TestServer) {
    let user = server.new_user(9);
    server
        .seed_mailbox(&user, "Work", 4)
        .expect("seed the Work mailbox");
    let conn = login(server, &user, TlsMode::Plaintext).await;
    assert!(conn.capabilities().has("LIST-STATUS"));
    let items = [StatusAttr::Messages, StatusAttr::Unseen, StatusAttr::Size];
    let options = ListOptions::new().return_status(&items);
    let all = by_name(
        conn.list_extended("", &["*"], &options, T)
            .await
            .expect("LIST RETURN (STATUS ...)"),
    );
    let unseen = |n: u32| (1..=n).filter(|i| !i.is_multiple_of(3)).count() as u32;
    let inbox = all["INBOX"].status.as_ref().expect("INBOX status");
    assert_eq!(inbox.messages, Some(9));
    assert_eq!(inbox.unseen, Some(unseen(9)));
    assert_eq!(inbox.size, Some(size_of(1..=9)));
    let work = all["Work"].status.as_ref().expect("Work status");
    assert_eq!(
        (work.messages, work.unseen, work.size),
        (Some(4), Some(unseen(4)), Some(size_of(1..=4)))
    );
    let drafts = all["Drafts"].status.as_ref().expect("Drafts status");
    assert_eq!((drafts.messages, drafts.size), (Some(0), Some(0)));
    assert!(
        all.values().all(|e| e.status.is_some()),
        "every mailbox here is selectable: {all:?}"
    );
}

async fn status_size_is_the_total_of_the_message_sizes(server: &'static dyn TestServer) {
    let user = server.new_user(25);
    let conn = login(server, &user, TlsMode::Plaintext).await;
    assert!(conn.capabilities().has("STATUS=SIZE"));
    let status = conn
        .status("INBOX", &[StatusAttr::Messages, StatusAttr::Size], T)
        .await
        .expect("STATUS (MESSAGES SIZE)");
    assert_eq!(status.messages, Some(25));
    assert_eq!(status.size, Some(size_of(1..=25)));
    assert_eq!(status.unseen, None, "not asked for");
}

async fn namespace_reports_the_personal_and_shared_namespaces(server: &'static dyn TestServer) {
    let user = server.new_user(0);
    let conn = login(server, &user, TlsMode::Plaintext).await;
    let ns = conn.namespace(T).await.expect("NAMESPACE");
    let personal: Vec<_> = ns
        .personal
        .iter()
        .map(|n| (n.prefix.as_str(), n.delimiter))
        .collect();
    assert_eq!(personal, [("", Some('/'))]);
    let other: Vec<_> = ns
        .other
        .iter()
        .map(|n| (n.prefix.as_str(), n.delimiter))
        .collect();
    let shared: Vec<_> = ns
        .shared
        .iter()
        .map(|n| (n.prefix.as_str(), n.delimiter))
        .collect();
    match server.kind() {
        // The harness's `Shared/%u/` namespace is per user, so Dovecot reports it among the
        // other users' namespaces (the second class), and no shared one.
        ServerKind::Dovecot => {
            assert_eq!(other, [("Shared/", Some('/'))]);
            assert!(shared.is_empty(), "{ns:?}");
        }
        // Cyrus (altnamespace, unixhierarchysep): `(("" "/")) (("Other Users/" "/"))
        // (("Shared Folders/" "/"))`.
        ServerKind::Cyrus => {
            assert_eq!(other, [("Other Users/", Some('/'))]);
            assert_eq!(shared, [("Shared Folders/", Some('/'))]);
        }
    }
}

server_tests!(
    move_reports_copyuid_and_expunges,
    move_without_move_falls_back_to_copy_store_and_uid_expunge,
    uid_move_without_move_falls_back_by_uid,
    move_without_move_or_uidplus_is_refused_and_sends_nothing,
    unselect_keeps_deleted_messages_where_close_expunges_them,
    children_attributes_mark_parents_and_leaves,
    special_use_mailboxes_are_listed_with_their_uses,
    create_special_use_follows_the_capability,
    important_keyword_is_stored_fetched_and_searched,
    list_extended_subscribed_selection_and_recursivematch,
    list_extended_return_options_mark_subscriptions_and_children,
    list_extended_remote_and_several_patterns,
    list_extended_refuses_invalid_options_before_sending,
    list_status_returns_each_mailbox_with_its_status,
    status_size_is_the_total_of_the_message_sizes,
    namespace_reports_the_personal_and_shared_namespaces,
);
