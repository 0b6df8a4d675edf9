//! Search extensions against the harness Dovecot and Cyrus: ESEARCH (`RETURN (MIN MAX COUNT
//! ALL)`, also for UID SEARCH), SEARCHRES (`$` in later commands), SORT and SORT=DISPLAY,
//! ESORT, THREAD (REFERENCES, ORDEREDSUBJECT, REFS) and WITHIN (OLDER / YOUNGER).
//!
//! Every scenario runs on both servers (`server_tests!`). Cyrus 3.6 lacks SEARCHRES: there the
//! scenario asserts that it is not advertised and that the client refuses `RETURN (SAVE)`
//! with `Error::Unsupported` before sending anything. Cyrus answers ESORT's MIN/MAX as the
//! lowest/highest number rather than the first/last in sort order; the test says so.
//!
//! Expected results are computed from the seed's rules (`tests/src/harness/seed.rs`: message
//! `i` is `\Seen` when `i % 3 == 0`, `\Flagged` when `i % 5 == 0`, dated `i` minutes after
//! the base time, replies to `i - 1` when `i % 4 == 0`), never read back from the server.

use std::cmp::Reverse;

use daaki_imap::types::response::Thread;
use daaki_imap::types::{
    FetchAttr, Flag, SearchKey, SearchReturnOption as R, SequenceSet, SortCriterion, SortKey,
    ThreadAlgorithm,
};
use daaki_imap::{Error, ImapConnection, StoreKind, TlsMode, TrustRoots};
use daaki_imap_tests::client::{T, login};
use daaki_imap_tests::harness::{ServerKind, TestServer, seed};
use daaki_imap_tests::server_tests;

fn set(s: &str) -> SequenceSet {
    SequenceSet::new(s).expect("valid set")
}

fn seen(i: u32) -> bool {
    i.is_multiple_of(3)
}

fn flagged(i: u32) -> bool {
    i.is_multiple_of(5)
}

/// A fresh user with `n` seeded INBOX messages, logged in, INBOX selected.
async fn inbox(server: &'static dyn TestServer, n: u32) -> ImapConnection {
    let user = server.new_user(n);
    let conn = login(server, &user, TlsMode::Plaintext).await;
    let selected = conn.select("INBOX", T).await.expect("select INBOX");
    assert_eq!(selected.exists, n);
    conn
}

/// Removes messages `1..=k`, so that afterwards sequence number `s` is UID `s + k`.
async fn expunge_first(conn: &ImapConnection, k: u32) {
    conn.store(&set(&format!("1:{k}")), StoreKind::Add, &[Flag::Deleted], T)
        .await
        .expect("store \\Deleted");
    let gone = conn.expunge(T).await.expect("expunge");
    assert_eq!(gone.expunged.len(), k as usize);
}

async fn esearch_returns_only_the_requested_items(server: &'static dyn TestServer) {
    let conn = inbox(server, 30).await;
    let r = conn
        .esearch(&SearchKey::Seen, &[R::Min, R::Max, R::Count, R::All], T)
        .await
        .expect("ESEARCH");
    let expected: Vec<u32> = (1..=30).filter(|&i| seen(i)).collect();
    assert_eq!((r.min, r.max, r.count), (Some(3), Some(30), Some(10)));
    assert_eq!(r.ids().expect("ids"), expected);
    assert!(!r.uid);

    let r = conn
        .esearch(&SearchKey::Flagged, &[R::Count], T)
        .await
        .expect("ESEARCH COUNT");
    assert_eq!(r.count, Some(6));
    assert_eq!(
        (r.min, r.max, r.all),
        (None, None, None),
        "only COUNT asked"
    );

    let none = SearchKey::Keyword(daaki_imap::types::ImapAtom::new("NoSuchKeyword").unwrap());
    let r = conn
        .esearch(&none, &[R::Min, R::Max, R::Count, R::All], T)
        .await
        .expect("ESEARCH without matches");
    assert_eq!(r.count, Some(0));
    assert_eq!((r.min, r.max, r.all), (None, None, None));

    // `RETURN ()` is `RETURN (ALL)` (RFC 4731 §3.1).
    let r = conn
        .esearch(&SearchKey::Unseen, &[], T)
        .await
        .expect("ESEARCH RETURN ()");
    let unseen: Vec<u32> = (1..=30).filter(|&i| !seen(i)).collect();
    assert_eq!(r.ids().expect("ids"), unseen);
}

async fn uid_esearch_reports_uids_not_sequence_numbers(server: &'static dyn TestServer) {
    let conn = inbox(server, 20).await;
    expunge_first(&conn, 4).await;
    let uids: Vec<u32> = (5..=20).filter(|&i| seen(i)).collect();
    let r = conn
        .uid_esearch(&SearchKey::Seen, &[R::All, R::Min, R::Max], T)
        .await
        .expect("UID ESEARCH");
    assert!(r.uid);
    assert_eq!(r.ids().expect("ids"), uids);
    assert_eq!((r.min, r.max), (Some(6), Some(18)));
    let r = conn
        .esearch(&SearchKey::Seen, &[R::All], T)
        .await
        .expect("ESEARCH");
    let seqs: Vec<u32> = uids.iter().map(|u| u - 4).collect();
    assert_eq!(r.ids().expect("ids"), seqs);
}

async fn searchres_saved_result_is_usable_in_later_commands(server: &'static dyn TestServer) {
    let conn = inbox(server, 30).await;
    if server.kind() == ServerKind::Cyrus {
        assert!(
            !conn.capabilities().has("SEARCHRES"),
            "Cyrus 3.6 has no SEARCHRES"
        );
        let refused = conn.uid_esearch(&SearchKey::Flagged, &[R::Save], T).await;
        assert!(matches!(refused, Err(Error::Unsupported(_))), "{refused:?}");
        assert_eq!(
            conn.search(&SearchKey::Flagged, T)
                .await
                .expect("search")
                .len(),
            6
        );
        return;
    }
    assert!(conn.capabilities().has("SEARCHRES"));
    let flagged_uids: Vec<u32> = (1..=30).filter(|&i| flagged(i)).collect();
    // SAVE alone: the server answers with no ESEARCH at all (RFC 5182 §2.1).
    let r = conn
        .uid_esearch(&SearchKey::Flagged, &[R::Save], T)
        .await
        .expect("UID SEARCH RETURN (SAVE)");
    assert_eq!((r.min, r.max, r.count, r.all), (None, None, None, None));

    // FETCH $: exactly the saved messages.
    let fetched = conn
        .uid_fetch(&SequenceSet::saved(), &[FetchAttr::Flags], T)
        .await
        .expect("UID FETCH $");
    let mut uids: Vec<u32> = fetched.iter().filter_map(|f| f.uid).collect();
    uids.sort_unstable();
    assert_eq!(uids, flagged_uids);
    assert!(
        fetched
            .iter()
            .all(|f| f.flags.as_ref().is_some_and(|f| f.contains(&Flag::Flagged)))
    );

    // SEARCH $ SEEN: the saved set intersected with another key.
    let both = conn
        .search(
            &SearchKey::And(vec![
                SearchKey::SequenceSet(SequenceSet::saved()),
                SearchKey::Seen,
            ]),
            T,
        )
        .await
        .expect("SEARCH $ SEEN");
    assert_eq!(both, vec![15, 30]);

    // STORE $: the saved messages get a keyword, nothing else does.
    let keyword = Flag::keyword("Saved").unwrap();
    conn.uid_store(&SequenceSet::saved(), StoreKind::Add, &[keyword], T)
        .await
        .expect("UID STORE $");
    let tagged = conn
        .uid_search(
            &SearchKey::Keyword(daaki_imap::types::ImapAtom::new("Saved").unwrap()),
            T,
        )
        .await
        .expect("UID SEARCH KEYWORD");
    assert_eq!(tagged, flagged_uids);

    // SAVE with COUNT: the count comes back and `$` is replaced.
    let r = conn
        .esearch(&SearchKey::Seen, &[R::Save, R::Count], T)
        .await
        .expect("SEARCH RETURN (SAVE COUNT)");
    assert_eq!(r.count, Some(10));
    let fetched = conn
        .fetch(&SequenceSet::saved(), &[FetchAttr::Uid], T)
        .await
        .expect("FETCH $");
    let mut uids: Vec<u32> = fetched.iter().filter_map(|f| f.uid).collect();
    uids.sort_unstable();
    assert_eq!(uids, (1..=30).filter(|&i| seen(i)).collect::<Vec<_>>());
}

async fn within_younger_finds_a_fresh_message_and_older_the_seeded_ones(
    server: &'static dyn TestServer,
) {
    let conn = inbox(server, 5).await;
    // The seed is dated 2023; an APPENDed message gets the current time as INTERNALDATE.
    let fresh = b"From: a@example.org\r\nSubject: fresh\r\n\r\nnew\r\n";
    conn.append("INBOX", &[], fresh, T).await.expect("append");
    conn.noop(T).await.expect("noop");
    let hour = std::num::NonZeroU32::new(3600).unwrap();
    let younger = conn
        .search(&SearchKey::Younger(hour), T)
        .await
        .expect("SEARCH YOUNGER");
    assert_eq!(younger, vec![6]);
    let older = conn
        .search(&SearchKey::Older(hour), T)
        .await
        .expect("SEARCH OLDER");
    assert_eq!(older, vec![1, 2, 3, 4, 5]);
    // WITHIN keys combine with ESEARCH like any other key.
    let r = conn
        .esearch(&SearchKey::Older(hour), &[R::Count, R::Max], T)
        .await
        .expect("ESEARCH OLDER");
    assert_eq!((r.count, r.max), (Some(5), Some(5)));
}

/// The RFC 2047-decoded subject of seed message `i`.
fn subject(i: u32) -> String {
    if i.is_multiple_of(7) {
        format!("Grüße aus Köln {i}")
    } else {
        format!("Test message {i}")
    }
}

/// Messages `1..=n` ordered by `key`, ties in sequence order (RFC 5256 §3).
fn ordered<K: Ord>(n: u32, key: impl Fn(u32) -> K) -> Vec<u32> {
    let mut ids: Vec<u32> = (1..=n).collect();
    ids.sort_by_key(|&i| (key(i), i));
    ids
}

async fn sort_orders_match_an_independent_computation(server: &'static dyn TestServer) {
    let n = 20;
    let conn = inbox(server, n).await;
    let size = |i: u32| seed::message(i).len();
    let cases: Vec<(Vec<SortCriterion>, Vec<u32>)> = vec![
        (
            vec![SortCriterion::asc(SortKey::Arrival)],
            (1..=n).collect(),
        ),
        (
            vec![SortCriterion::desc(SortKey::Date)],
            (1..=n).rev().collect(),
        ),
        (vec![SortCriterion::asc(SortKey::Size)], ordered(n, size)),
        (
            vec![SortCriterion::desc(SortKey::Size)],
            ordered(n, |i| Reverse(size(i))),
        ),
        (
            vec![SortCriterion::asc(SortKey::Subject)],
            ordered(n, |i| subject(i).to_uppercase()),
        ),
        // FROM sorts by the address's mailbox part, `sender<i % 50>`.
        (
            vec![SortCriterion::asc(SortKey::From)],
            ordered(n, |i| format!("SENDER{}", i % 50)),
        ),
        // Every message has the same To: ties keep sequence order, and the second key decides.
        (
            vec![
                SortCriterion::asc(SortKey::To),
                SortCriterion::desc(SortKey::Arrival),
            ],
            (1..=n).rev().collect(),
        ),
    ];
    for (criteria, expected) in cases {
        let got = conn
            .sort(&criteria, &SearchKey::All, T)
            .await
            .unwrap_or_else(|e| panic!("SORT {criteria:?}: {e}"));
        assert_eq!(got, expected, "SORT {criteria:?}");
    }
    // The search key restricts what is sorted.
    let got = conn
        .sort(
            &[SortCriterion::desc(SortKey::Date)],
            &SearchKey::Flagged,
            T,
        )
        .await
        .expect("SORT FLAGGED");
    assert_eq!(got, vec![20, 15, 10, 5]);
}

async fn sort_display_orders_by_display_names(server: &'static dyn TestServer) {
    let n = 20;
    let conn = inbox(server, n).await;
    assert!(conn.capabilities().has("SORT=DISPLAY"));
    // DISPLAYFROM: the display name `Sender <i % 50>`.
    let got = conn
        .sort(
            &[SortCriterion::asc(SortKey::DisplayFrom)],
            &SearchKey::All,
            T,
        )
        .await
        .expect("SORT DISPLAYFROM");
    assert_eq!(got, ordered(n, |i| format!("SENDER {}", i % 50)));
    let got = conn
        .sort(
            &[SortCriterion::desc(SortKey::DisplayFrom)],
            &SearchKey::All,
            T,
        )
        .await
        .expect("SORT REVERSE DISPLAYFROM");
    assert_eq!(got, ordered(n, |i| Reverse(format!("SENDER {}", i % 50))));
    // DISPLAYTO: everyone wrote to "Test User", so sequence order remains.
    let got = conn
        .sort(
            &[SortCriterion::asc(SortKey::DisplayTo)],
            &SearchKey::All,
            T,
        )
        .await
        .expect("SORT DISPLAYTO");
    assert_eq!(got, (1..=n).collect::<Vec<_>>());
}

async fn uid_sort_returns_uids(server: &'static dyn TestServer) {
    let conn = inbox(server, 12).await;
    expunge_first(&conn, 2).await;
    let got = conn
        .uid_sort(&[SortCriterion::desc(SortKey::Date)], &SearchKey::All, T)
        .await
        .expect("UID SORT");
    assert_eq!(got, (3..=12).rev().collect::<Vec<_>>());
    let got = conn
        .sort(&[SortCriterion::desc(SortKey::Date)], &SearchKey::All, T)
        .await
        .expect("SORT");
    assert_eq!(got, (1..=10).rev().collect::<Vec<_>>());
}

async fn esort_reports_min_max_count_and_all_in_sort_order(server: &'static dyn TestServer) {
    let n = 12;
    let conn = inbox(server, n).await;
    assert!(conn.capabilities().has("ESORT"));
    let by_size_desc = ordered(n, |i| Reverse(seed::message(i).len()));
    let r = conn
        .esort(
            &[SortCriterion::desc(SortKey::Size)],
            &SearchKey::All,
            &[R::Min, R::Max, R::Count, R::All],
            T,
        )
        .await
        .expect("SORT RETURN (...)");
    assert_eq!(r.count, Some(n));
    match server.kind() {
        // RFC 5267 §3.1: MIN / MAX are the first / last message in sort order.
        ServerKind::Dovecot => {
            assert_eq!(r.min, by_size_desc.first().copied());
            assert_eq!(r.max, by_size_desc.last().copied());
        }
        // Cyrus 3.6 answers them as for SEARCH: the lowest and highest number. The client
        // reports what the server sent.
        ServerKind::Cyrus => assert_eq!((r.min, r.max), (Some(1), Some(n))),
    }
    assert_eq!(r.ids().expect("ids"), by_size_desc);

    let r = conn
        .uid_esort(
            &[SortCriterion::desc(SortKey::Date)],
            &SearchKey::Seen,
            &[R::Count, R::All],
            T,
        )
        .await
        .expect("UID SORT RETURN (...)");
    assert!(r.uid);
    assert_eq!(r.count, Some(4));
    assert_eq!(r.ids().expect("ids"), vec![12, 9, 6, 3]);
}

/// A thread of single messages, each the child of the one before.
fn chain(ids: &[u32]) -> Thread {
    Thread {
        members: ids.to_vec(),
        children: Vec::new(),
    }
}

/// Seeds 12 messages, appends a 13th titled `Re: Test message 2` (no References header, so
/// only subject-based threading links it to message 2), then expunges message 1: sequence
/// number `s` is UID `s + 1` afterwards.
async fn threaded_inbox(server: &'static dyn TestServer) -> ImapConnection {
    let conn = inbox(server, 12).await;
    let reply: &[u8] =
        b"From: Sender 2 <sender2@example.org>\r\nTo: Test User <user@example.org>\r\n\
         Subject: Re: Test message 2\r\nDate: Wed, 15 Nov 2023 00:00:00 +0000\r\n\
         Message-ID: <reply13@daaki.test>\r\n\r\nA reply by subject only.\r\n";
    conn.append("INBOX", &[], reply, T).await.expect("append");
    conn.noop(T).await.expect("noop");
    expunge_first(&conn, 1).await;
    conn
}

/// Maps every number of a thread forest through `f`.
fn map_threads(threads: &[Thread], f: &impl Fn(u32) -> u32) -> Vec<Thread> {
    threads
        .iter()
        .map(|t| Thread {
            members: t.members.iter().map(|&m| f(m)).collect(),
            children: map_threads(&t.children, f),
        })
        .collect()
}

async fn thread_references_links_by_references_and_by_subject(server: &'static dyn TestServer) {
    let conn = threaded_inbox(server).await;
    // By UID: 3→4, 7→8, 11→12 through References; 13 ("Re: Test message 2") under 2 through
    // its base subject (RFC 5256 REFERENCES step 5).
    let expected_uids = vec![
        chain(&[2, 13]),
        chain(&[3, 4]),
        chain(&[5]),
        chain(&[6]),
        chain(&[7, 8]),
        chain(&[9]),
        chain(&[10]),
        chain(&[11, 12]),
    ];
    let uid = conn
        .uid_thread(&ThreadAlgorithm::References, &SearchKey::All, T)
        .await
        .expect("UID THREAD REFERENCES");
    assert_eq!(uid, expected_uids);
    let seq = conn
        .thread(&ThreadAlgorithm::References, &SearchKey::All, T)
        .await
        .expect("THREAD REFERENCES");
    assert_eq!(seq, map_threads(&expected_uids, &|u| u - 1));
}

async fn thread_orderedsubject_groups_by_base_subject_only(server: &'static dyn TestServer) {
    let conn = threaded_inbox(server).await;
    let mut expected = vec![chain(&[2, 13])];
    expected.extend((3..=12).map(|u| chain(&[u])));
    let got = conn
        .uid_thread(&ThreadAlgorithm::OrderedSubject, &SearchKey::All, T)
        .await
        .expect("UID THREAD ORDEREDSUBJECT");
    assert_eq!(got, expected);
}

async fn thread_refs_links_by_references_only(server: &'static dyn TestServer) {
    let conn = threaded_inbox(server).await;
    assert!(conn.capabilities().has("THREAD=REFS"));
    let expected = vec![
        chain(&[2]),
        chain(&[3, 4]),
        chain(&[5]),
        chain(&[6]),
        chain(&[7, 8]),
        chain(&[9]),
        chain(&[10]),
        chain(&[11, 12]),
        chain(&[13]),
    ];
    let got = conn
        .uid_thread(&ThreadAlgorithm::Refs, &SearchKey::All, T)
        .await
        .expect("UID THREAD REFS");
    assert_eq!(got, expected);
}

async fn thread_search_key_restricts_the_messages(server: &'static dyn TestServer) {
    let conn = inbox(server, 12).await;
    // Only \Seen messages (3, 6, 9, 12): the 3→4 link is cut because 4 is not included.
    let got = conn
        .thread(&ThreadAlgorithm::References, &SearchKey::Seen, T)
        .await
        .expect("THREAD REFERENCES SEEN");
    assert_eq!(
        got,
        vec![chain(&[3]), chain(&[6]), chain(&[9]), chain(&[12])]
    );
}

async fn unadvertised_search_extensions_fail_before_sending(server: &'static dyn TestServer) {
    let user = server.new_user(3);
    let pem = std::fs::read(server.ca_cert_path()).expect("CA");
    let conn = ImapConnection::builder()
        .trust_roots(TrustRoots::None)
        .add_root_pem(&pem)
        .expect("pem")
        .ignore_capability("ESEARCH")
        .ignore_capability("SORT")
        .ignore_capability("THREAD=REFS")
        .connect(server.host(), server.plain_port(), TlsMode::Plaintext, T)
        .await
        .expect("connect");
    conn.login(&user.name, &user.password, T)
        .await
        .expect("login");
    conn.select("INBOX", T).await.expect("select");
    let unsupported = |r: Result<_, Error>, what: &str| match r {
        Err(Error::Unsupported(text)) => assert!(text.contains(what), "{text}"),
        other => panic!("expected Unsupported({what}), got {other:?}"),
    };
    unsupported(
        conn.esearch(&SearchKey::All, &[R::Count], T)
            .await
            .map(drop),
        "ESEARCH",
    );
    unsupported(
        conn.sort(&[SortCriterion::asc(SortKey::Date)], &SearchKey::All, T)
            .await
            .map(drop),
        "SORT",
    );
    unsupported(
        conn.thread(&ThreadAlgorithm::Refs, &SearchKey::All, T)
            .await
            .map(drop),
        "THREAD=REFS",
    );
    // Nothing was sent, so the session is in step: the next command works.
    assert_eq!(
        conn.search(&SearchKey::All, T).await.expect("search"),
        vec![1, 2, 3]
    );
}

server_tests!(
    esearch_returns_only_the_requested_items,
    uid_esearch_reports_uids_not_sequence_numbers,
    searchres_saved_result_is_usable_in_later_commands,
    within_younger_finds_a_fresh_message_and_older_the_seeded_ones,
    sort_orders_match_an_independent_computation,
    sort_display_orders_by_display_names,
    uid_sort_returns_uids,
    esort_reports_min_max_count_and_all_in_sort_order,
    thread_references_links_by_references_and_by_subject,
    thread_orderedsubject_groups_by_base_subject_only,
    thread_refs_links_by_references_only,
    thread_search_key_restricts_the_messages,
    unadvertised_search_extensions_fail_before_sending,
);
