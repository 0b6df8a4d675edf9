//! CONDSTORE and QRESYNC (RFC 7162) against the real harness Dovecot and Cyrus (every
//! scenario on both, via `server_tests!`): HIGHESTMODSEQ from
//! SELECT and STATUS, FETCH CHANGEDSINCE, STORE UNCHANGEDSINCE with MODIFIED, SEARCH MODSEQ,
//! SELECT QRESYNC with VANISHED (EARLIER) and changed FETCHes, VANISHED as an event,
//! `[CLOSED]`, and UID FETCH (CHANGEDSINCE n VANISHED).
//!
//! Changes are made on a second connection of the same user, so every expected value (which
//! messages changed, which vanished, the new mod-sequence) comes from what the test itself did,
//! not from the client under test. `[NOMODSEQ]` (a mailbox without mod-sequences) is
//! something neither harness server sends; the scripted server shows it.

use std::num::NonZeroU32;

use daaki_imap::types::response::SeqRange;
use daaki_imap::types::{FetchAttr, Flag, ModSeq, SearchKey, SequenceSet, StatusAttr};
use daaki_imap::{AppendMessage, Error, ImapConnection, QResyncParams, StoreKind, TlsMode};
use daaki_imap::{TypedEvent, types::response::FetchResponse};
use daaki_imap_tests::client::{T, login};
use daaki_imap_tests::fake::{FakeServer, Step};
use daaki_imap_tests::harness::{TestServer, seed};
use daaki_imap_tests::server_tests;

fn set(s: &str) -> SequenceSet {
    SequenceSet::new(s).expect("valid set")
}

fn modseq(n: u64) -> ModSeq {
    ModSeq::new(n).expect("valid mod-sequence")
}

fn uids(ranges: &[SeqRange]) -> Vec<u32> {
    ranges.iter().flat_map(|r| r.iter()).collect()
}

/// Creates `mailbox` holding sample messages `1..=count` (UIDs 1..=count), over IMAP so it
/// works on every server.
async fn fill(conn: &ImapConnection, mailbox: &str, count: u32) {
    conn.create(mailbox, T).await.expect("create");
    let messages = (1..=count)
        .map(|i| AppendMessage::new(seed::message(i)))
        .collect();
    conn.append_many(mailbox, messages, T)
        .await
        .expect("append");
}

fn has_flag(msg: &FetchResponse, flag: &Flag) -> bool {
    msg.flags.as_ref().is_some_and(|f| f.contains(flag))
}

// ----- scenarios (server-independent) -----

/// A STORE on another connection raises HIGHESTMODSEQ; FETCH CHANGEDSINCE finds exactly that
/// message with the new mod-sequence, which STATUS HIGHESTMODSEQ and SEARCH MODSEQ agree on.
async fn modseq_follows_a_change_on_another_connection(
    conn: &ImapConnection,
    other: &ImapConnection,
) {
    fill(conn, "Cond", 5).await;
    let before = conn.select_condstore("Cond", T).await.expect("select");
    let hms = before
        .highest_modseq
        .expect("SELECT (CONDSTORE) gives HIGHESTMODSEQ");
    let status = conn
        .status("Cond", &[StatusAttr::HighestModSeq], T)
        .await
        .expect("status");
    assert_eq!(status.highest_modseq, Some(hms));

    other.select("Cond", T).await.expect("other select");
    other
        .uid_store(&set("2"), StoreKind::Add, &[Flag::Flagged], T)
        .await
        .expect("other store");

    let changed = conn
        .fetch_changed_since(&set("1:*"), &[FetchAttr::Flags], modseq(hms), T)
        .await
        .expect("fetch changedsince");
    // Dovecot first sends the pending flag change unsolicited (`* 2 FETCH (FLAGS … MODSEQ …)`)
    // and then the FETCH's own answer for the same message: both are about message 2, and
    // untagged FETCH data cannot be told apart (RFC 3501 §5.5), so both come back.
    let mut seqs: Vec<u32> = changed.iter().map(|m| m.seq).collect();
    seqs.dedup();
    assert_eq!(seqs, vec![2], "only message 2 changed: {changed:?}");
    let msg = &changed[changed.len() - 1];
    assert!(has_flag(msg, &Flag::Flagged));
    let new = msg.modseq.expect("CHANGEDSINCE answers carry MODSEQ");
    assert!(new > hms, "{new} > {hms}");

    let after = other
        .status("Cond", &[StatusAttr::HighestModSeq], T)
        .await
        .expect("status after");
    assert_eq!(after.highest_modseq, Some(new));

    let found = conn
        .uid_search_modseq(&SearchKey::modseq(hms + 1).expect("key"), T)
        .await
        .expect("search modseq");
    assert_eq!(found.ids, vec![2]);
    assert_eq!(found.highest_modseq, Some(new));
    let none = conn
        .search_modseq(&SearchKey::modseq(new + 1).expect("key"), T)
        .await
        .expect("search modseq");
    assert!(none.ids.is_empty(), "{none:?}");

    let fetched = conn
        .fetch(&set("1:5"), &[FetchAttr::ModSeq], T)
        .await
        .expect("fetch modseq");
    let highest = fetched.iter().filter_map(|m| m.modseq).max();
    assert_eq!(highest, Some(new), "FETCH MODSEQ: message 2 is the newest");
}

/// STORE UNCHANGEDSINCE changes only messages not changed since; the others come back in
/// MODIFIED and keep their flags.
async fn unchangedsince_reports_modified(conn: &ImapConnection, other: &ImapConnection) {
    fill(conn, "Guarded", 3).await;
    let hms = conn
        .select_condstore("Guarded", T)
        .await
        .expect("select")
        .highest_modseq
        .expect("HIGHESTMODSEQ");
    other.select("Guarded", T).await.expect("other select");
    other
        .uid_store(&set("1"), StoreKind::Add, &[Flag::Answered], T)
        .await
        .expect("other store");

    let result = conn
        .store_unchanged_since(
            &set("1:2"),
            StoreKind::Add,
            &[Flag::Flagged],
            modseq(hms),
            T,
        )
        .await
        .expect("conditional store");
    assert_eq!(uids(&result.modified), vec![1], "{result:?}");
    let after = conn
        .fetch(&set("1:3"), &[FetchAttr::Flags], T)
        .await
        .expect("fetch");
    assert!(
        !has_flag(&after[0], &Flag::Flagged),
        "message 1 was left alone"
    );
    assert!(has_flag(&after[1], &Flag::Flagged), "message 2 was changed");
    assert!(
        !has_flag(&after[2], &Flag::Flagged),
        "message 3 was not in the set"
    );

    let hms2 = conn
        .status("Guarded", &[StatusAttr::HighestModSeq], T)
        .await
        .expect("status")
        .highest_modseq
        .expect("modseq");
    let uid_result = conn
        .uid_store_unchanged_since(&set("1:3"), StoreKind::Add, &[Flag::Seen], modseq(hms2), T)
        .await
        .expect("uid conditional store");
    assert!(uid_result.modified.is_empty(), "{uid_result:?}");
    assert_eq!(uid_result.fetches.len(), 3);
    assert!(
        uid_result
            .fetches
            .iter()
            .all(|m| m.modseq.is_some_and(|m| m > hms2))
    );
}

/// ENABLE CONDSTORE makes a plain SELECT report HIGHESTMODSEQ.
async fn enable_condstore_gives_highestmodseq(conn: &ImapConnection) {
    fill(conn, "Enabled", 1).await;
    conn.enable_condstore(T).await.expect("enable");
    let selected = conn.select("Enabled", T).await.expect("select");
    assert!(selected.highest_modseq.is_some(), "{selected:?}");
}

/// The state a client caches: UIDVALIDITY and HIGHESTMODSEQ of `mailbox` (selected and left).
async fn cache_state(conn: &ImapConnection, mailbox: &str) -> (NonZeroU32, u64) {
    let selected = conn.select(mailbox, T).await.expect("select");
    conn.unselect(T).await.expect("unselect");
    (
        NonZeroU32::new(selected.uid_validity.expect("UIDVALIDITY")).expect("non-zero"),
        selected.highest_modseq.expect("HIGHESTMODSEQ with QRESYNC"),
    )
}

/// Flags UID 2 and expunges UID 4 on `other`.
async fn change_elsewhere(other: &ImapConnection, mailbox: &str) {
    other.select(mailbox, T).await.expect("other select");
    other
        .uid_store(&set("2"), StoreKind::Add, &[Flag::Flagged], T)
        .await
        .expect("other store");
    other
        .uid_store(&set("4"), StoreKind::Add, &[Flag::Deleted], T)
        .await
        .expect("other delete");
    other
        .uid_expunge(&set("4"), T)
        .await
        .expect("other expunge");
}

/// SELECT QRESYNC from a cached state reports the expunged UID as VANISHED (EARLIER) and the
/// flag change as FETCH; a second mailbox selected after it reports `[CLOSED]`.
async fn qresync_select_resynchronises(conn: &ImapConnection, other: &ImapConnection) {
    fill(conn, "Resync", 5).await;
    fill(conn, "Second", 1).await;
    conn.enable_qresync(T).await.expect("enable qresync");
    let (validity, hms) = cache_state(conn, "Resync").await;
    change_elsewhere(other, "Resync").await;

    let params = QResyncParams {
        uid_validity: validity,
        mod_seq: modseq(hms),
        known_uids: Some(set("1:5")),
        seq_match: None,
    };
    let synced = conn
        .select_qresync("Resync", &params, T)
        .await
        .expect("select qresync");
    assert_eq!(uids(&synced.vanished), vec![4]);
    let changed: Vec<_> = synced.changed.iter().filter_map(|m| m.uid).collect();
    assert_eq!(changed, vec![2], "{:?}", synced.changed);
    assert!(has_flag(&synced.changed[0], &Flag::Flagged));
    assert!(synced.changed[0].modseq.is_some_and(|m| m > hms));
    assert_eq!(synced.mailbox.exists, 4);
    assert!(!synced.closed_previous, "nothing was selected before");
    assert!(synced.mailbox.highest_modseq.is_some_and(|m| m > hms));

    // The same old state with message sequence match data (seqs 1,3 were UIDs 1,3): the
    // same answer.
    let matched = conn
        .select_qresync(
            "Resync",
            &QResyncParams {
                seq_match: Some((set("1,3"), set("1,3"))),
                ..params.clone()
            },
            T,
        )
        .await
        .expect("select qresync with seq-match data");
    assert_eq!(uids(&matched.vanished), vec![4]);
    assert_eq!(
        matched
            .changed
            .iter()
            .filter_map(|m| m.uid)
            .collect::<Vec<_>>(),
        vec![2]
    );

    // Re-select from the new state: nothing to report; the previous mailbox is CLOSED.
    let second = conn
        .examine_qresync(
            "Second",
            &QResyncParams {
                uid_validity: NonZeroU32::new(
                    conn.status("Second", &[StatusAttr::UidValidity], T)
                        .await
                        .expect("status")
                        .uid_validity
                        .expect("uidvalidity"),
                )
                .expect("non-zero"),
                mod_seq: modseq(1),
                known_uids: None,
                seq_match: None,
            },
            T,
        )
        .await
        .expect("examine qresync");
    assert!(second.closed_previous, "[CLOSED] for the mailbox left");
    assert!(second.mailbox.read_only);
    assert_eq!(second.mailbox.exists, 1);

    // A wrong UIDVALIDITY: the cache is invalid, the server reports no changes.
    let stale = conn
        .select_qresync(
            "Resync",
            &QResyncParams {
                uid_validity: validity.checked_add(1).expect("no overflow"),
                ..params
            },
            T,
        )
        .await
        .expect("select with a stale cache");
    assert!(
        stale.vanished.is_empty() && stale.changed.is_empty(),
        "{stale:?}"
    );
}

/// An expunge on another connection reaches a QRESYNC session as a VANISHED event.
async fn vanished_arrives_as_an_event(conn: &ImapConnection, other: &ImapConnection) {
    fill(conn, "Live", 4).await;
    conn.enable_qresync(T).await.expect("enable qresync");
    conn.select("Live", T).await.expect("select");
    other.select("Live", T).await.expect("other select");
    other
        .uid_store(&set("3"), StoreKind::Add, &[Flag::Deleted], T)
        .await
        .expect("other delete");
    other.expunge(T).await.expect("other expunge");
    conn.drain_events().await;
    conn.noop(T).await.expect("noop");
    let events = conn.drain_events().await;
    let vanished: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            TypedEvent::Vanished { earlier, uids: u } => Some((*earlier, uids(u))),
            _ => None,
        })
        .collect();
    assert_eq!(vanished, vec![(false, vec![3])], "{events:?}");
    assert!(
        !events.iter().any(|e| matches!(e, TypedEvent::Expunge(_))),
        "QRESYNC replaces EXPUNGE by VANISHED: {events:?}"
    );
}

/// UID FETCH (CHANGEDSINCE n VANISHED) reports changes and expunged UIDs since `n`.
async fn uid_fetch_vanished_reports_expunged_uids(conn: &ImapConnection, other: &ImapConnection) {
    fill(conn, "Since", 5).await;
    conn.enable_qresync(T).await.expect("enable qresync");
    let (_, hms) = cache_state(conn, "Since").await;
    change_elsewhere(other, "Since").await;
    conn.select("Since", T).await.expect("select");
    let changes = conn
        .uid_fetch_changed_since(&set("1:*"), &[FetchAttr::Flags], modseq(hms), true, T)
        .await
        .expect("uid fetch changedsince vanished");
    assert_eq!(uids(&changes.vanished), vec![4]);
    let changed: Vec<_> = changes.fetches.iter().filter_map(|m| m.uid).collect();
    assert_eq!(changed, vec![2]);
    let without = conn
        .uid_fetch_changed_since(&set("1:*"), &[FetchAttr::Flags], modseq(hms), false, T)
        .await
        .expect("uid fetch changedsince");
    assert!(
        without.vanished.is_empty(),
        "no VANISHED without the modifier"
    );
    assert!(matches!(
        conn.uid_fetch_changed_since(&set("1:*"), &[FetchAttr::Flags], modseq(0), true, T)
            .await,
        Err(Error::InvalidInput(_))
    ));
}

// ----- both servers -----

async fn two_connections(server: &'static dyn TestServer) -> (ImapConnection, ImapConnection) {
    let user = server.new_user(0);
    (
        login(server, &user, TlsMode::Plaintext).await,
        login(server, &user, TlsMode::Plaintext).await,
    )
}

async fn a_store_elsewhere_raises_modseq_seen_by_fetch_status_and_search(
    server: &'static dyn TestServer,
) {
    let (conn, other) = two_connections(server).await;
    modseq_follows_a_change_on_another_connection(&conn, &other).await;
}

async fn store_unchangedsince_leaves_messages_changed_since_and_reports_modified(
    server: &'static dyn TestServer,
) {
    let (conn, other) = two_connections(server).await;
    unchangedsince_reports_modified(&conn, &other).await;
}

async fn enable_condstore_makes_select_report_highestmodseq(server: &'static dyn TestServer) {
    let (conn, _other) = two_connections(server).await;
    enable_condstore_gives_highestmodseq(&conn).await;
}

async fn select_qresync_reports_vanished_earlier_changes_and_closed(
    server: &'static dyn TestServer,
) {
    let (conn, other) = two_connections(server).await;
    qresync_select_resynchronises(&conn, &other).await;
}

async fn an_expunge_elsewhere_arrives_as_a_vanished_event(server: &'static dyn TestServer) {
    let (conn, other) = two_connections(server).await;
    vanished_arrives_as_an_event(&conn, &other).await;
}

async fn uid_fetch_changedsince_vanished_lists_expunged_uids(server: &'static dyn TestServer) {
    let (conn, other) = two_connections(server).await;
    uid_fetch_vanished_reports_expunged_uids(&conn, &other).await;
}

async fn enable_qresync_without_the_capability_sends_nothing(server: &'static dyn TestServer) {
    let user = server.new_user(0);
    let pem = std::fs::read(server.ca_cert_path()).expect("test CA");
    let conn = ImapConnection::builder()
        .ignore_capability("QRESYNC")
        .trust_roots(daaki_imap::TrustRoots::None)
        .add_root_pem(&pem)
        .expect("CA")
        .connect(server.host(), server.plain_port(), TlsMode::Plaintext, T)
        .await
        .expect("connect");
    conn.login(&user.name, &user.password, T)
        .await
        .expect("login");
    assert!(matches!(
        conn.enable_qresync(T).await,
        Err(Error::Unsupported(_))
    ));
}

server_tests!(
    a_store_elsewhere_raises_modseq_seen_by_fetch_status_and_search,
    store_unchangedsince_leaves_messages_changed_since_and_reports_modified,
    enable_condstore_makes_select_report_highestmodseq,
    select_qresync_reports_vanished_earlier_changes_and_closed,
    an_expunge_elsewhere_arrives_as_a_vanished_event,
    uid_fetch_changedsince_vanished_lists_expunged_uids,
    enable_qresync_without_the_capability_sends_nothing,
);

// ----- scripted server -----

/// Scripted: Dovecot and Cyrus keep mod-sequences for every mailbox; a server that cannot answers
/// SELECT (CONDSTORE) with `[NOMODSEQ]`, and the result has no HIGHESTMODSEQ.
#[tokio::test]
async fn nomodseq_leaves_highestmodseq_empty() {
    let server = FakeServer::start(vec![vec![
        Step::send("* PREAUTH [CAPABILITY IMAP4rev1 CONDSTORE] fake\r\n"),
        Step::expect("SELECT INBOX (CONDSTORE)"),
        Step::send(
            "* 2 EXISTS\r\n* OK [UIDVALIDITY 5] ok\r\n* OK [NOMODSEQ] no mod-sequences here\r\n{tag} OK [READ-WRITE] done\r\n",
        ),
        Step::expect("SELECT Other (CONDSTORE)"),
        Step::send(
            "* 2 EXISTS\r\n* OK [UIDVALIDITY 6] ok\r\n* OK [HIGHESTMODSEQ 715194045007] ok\r\n{tag} OK [READ-WRITE] done\r\n",
        ),
    ]])
    .await;
    let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
    let selected = conn.select_condstore("INBOX", T).await.expect("select");
    assert_eq!(selected.highest_modseq, None);
    assert_eq!(selected.exists, 2);
    let other = conn.select_condstore("Other", T).await.expect("select");
    assert_eq!(other.highest_modseq, Some(715_194_045_007));
    assert_eq!(server.finish(T).await, Vec::<String>::new());
}
