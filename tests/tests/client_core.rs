//! The core commands of `ImapConnection` against the real harness servers (Dovecot and Cyrus,
//! each test runs on both): every call of the native-client issue, over implicit TLS,
//! STARTTLS (test CA) and the plaintext mode.

use daaki_imap::types::response::MailboxAttribute;
use daaki_imap::types::{FetchAttr, Flag, SearchKey, Section, SequenceSet, StatusAttr};
use daaki_imap::{ConnectionState, Error, StoreKind, TlsMode};
use daaki_imap_tests::client::{T, connect, login, try_connect};
use daaki_imap_tests::harness::{ServerKind, TestServer, seed};
use daaki_imap_tests::server_tests;

fn set(s: &str) -> SequenceSet {
    SequenceSet::new(s).expect("valid set")
}

async fn login_select_fetch_logout(server: &'static dyn TestServer, mode: TlsMode) {
    let user = server.new_user(12);
    let conn = connect(server, mode).await;
    assert_eq!(conn.state(), ConnectionState::NotAuthenticated);
    conn.login(&user.name, &user.password, T)
        .await
        .expect("login");
    assert_eq!(conn.state(), ConnectionState::Authenticated);
    let caps = conn.capability(T).await.expect("capability");
    assert!(caps.iter().any(|c| c == "IDLE"), "{caps:?}");
    assert!(conn.capabilities().has("MOVE"));
    let inbox = conn.select("INBOX", T).await.expect("select");
    assert_eq!(inbox.exists, 12);
    assert!(inbox.uid_validity.is_some());
    let fetched = conn
        .fetch(&set("1:3"), &[FetchAttr::Envelope], T)
        .await
        .expect("fetch");
    let subjects: Vec<_> = fetched
        .iter()
        .map(|m| m.envelope.as_ref().and_then(|e| e.subject.clone()))
        .collect();
    assert_eq!(
        subjects,
        vec![
            Some("Test message 1".to_owned()),
            Some("Test message 2".to_owned()),
            Some("Test message 3".to_owned())
        ]
    );
    conn.noop(T).await.expect("noop");
    conn.logout().await.expect("logout");
    assert!(
        matches!(conn.noop(T).await, Err(Error::Closed)),
        "calls after LOGOUT get Closed"
    );
    assert!(conn.is_closed());
}

async fn implicit_tls_login_select_fetch_logout(server: &'static dyn TestServer) {
    login_select_fetch_logout(server, TlsMode::Implicit).await;
}

async fn starttls_login_select_fetch_logout(server: &'static dyn TestServer) {
    login_select_fetch_logout(server, TlsMode::StartTls).await;
}

async fn plaintext_login_select_fetch_logout(server: &'static dyn TestServer) {
    login_select_fetch_logout(server, TlsMode::Plaintext).await;
}

async fn starttls_refreshes_capabilities_under_tls(server: &'static dyn TestServer) {
    let conn = connect(server, TlsMode::StartTls).await;
    let caps = conn.capabilities();
    assert!(caps.has("IMAP4REV1") && caps.has("AUTH=PLAIN"), "{caps:?}");
    assert!(
        !caps.has("STARTTLS"),
        "{} no longer offers STARTTLS once TLS is on",
        server.kind()
    );
}

async fn untrusted_certificate_fails_with_a_tls_error(server: &'static dyn TestServer) {
    let err = daaki_imap::ImapConnection::builder()
        .trust_roots(daaki_imap::TrustRoots::Mozilla)
        .connect(server.host(), server.tls_port(), TlsMode::Implicit, T)
        .await
        .expect_err("the test CA is not a Mozilla root");
    assert!(matches!(err, Error::Tls(_)), "{err:?}");
}

async fn wrong_password_is_no_with_authenticationfailed(server: &'static dyn TestServer) {
    let user = server.new_user(0);
    let conn = connect(server, TlsMode::Implicit).await;
    let err = conn
        .login(&user.name, "wrong", T)
        .await
        .expect_err("bad password");
    // Dovecot sends [AUTHENTICATIONFAILED]; Cyrus 3.6 a bare `NO Login failed: ...`.
    let code = match server.kind() {
        ServerKind::Dovecot => Some(daaki_imap::types::ResponseCode::AuthenticationFailed),
        ServerKind::Cyrus => None,
    };
    assert!(
        matches!(
            &err,
            Error::No {
                code: c,
                ..
            } if *c == code
        ),
        "{err:?}"
    );
    assert!(
        !format!("{err:?}").contains("wrong"),
        "the password never shows in errors"
    );
    // Still usable: the right password works on the same connection.
    conn.login(&user.name, &user.password, T)
        .await
        .expect("login");
}

async fn authenticate_plain_with_sasl_ir(server: &'static dyn TestServer) {
    let user = server.new_user(1);
    let conn = connect(server, TlsMode::Implicit).await;
    assert!(conn.capabilities().has("SASL-IR"));
    conn.authenticate_plain(&user.name, &user.password, T)
        .await
        .expect("AUTHENTICATE PLAIN");
    assert_eq!(conn.state(), ConnectionState::Authenticated);
    assert_eq!(conn.select("INBOX", T).await.expect("select").exists, 1);
}

async fn id_and_enable(server: &'static dyn TestServer) {
    let user = server.new_user(0);
    let conn = login(server, &user, TlsMode::Implicit).await;
    let id = conn
        .id(Some(&[("name", "daaki-imap-tests")]), T)
        .await
        .expect("ID")
        .expect("the server answers with its ID");
    // Dovecot says `Dovecot`, Cyrus `Cyrus IMAP`.
    let name = server.kind().name();
    assert!(
        id.iter().any(|(k, v)| k.eq_ignore_ascii_case("name")
            && v.as_deref().is_some_and(|v| v.starts_with(name))),
        "{id:?}"
    );
    // Neither Dovecot 2.3 nor Cyrus 3.6 offers IMAP4rev2: nothing was enabled at login.
    assert_eq!(conn.enabled().iter().count(), 0);
    let enabled = conn.enable(&["CONDSTORE"], T).await.expect("ENABLE");
    assert_eq!(enabled, vec!["CONDSTORE".to_owned()]);
    assert_eq!(conn.enabled().iter().collect::<Vec<_>>(), ["CONDSTORE"]);
    assert_eq!(conn.enabled().dialect(), daaki_imap::Dialect::Imap4rev1);
}

async fn select_examine_unselect_close(server: &'static dyn TestServer) {
    let user = server.new_user(5);
    let conn = login(server, &user, TlsMode::Implicit).await;
    let ro = conn.examine("INBOX", T).await.expect("examine");
    assert!(ro.read_only);
    assert_eq!(ro.exists, 5);
    assert!(ro.flags.contains(&Flag::Seen));
    conn.unselect(T).await.expect("unselect");
    assert_eq!(conn.state(), ConnectionState::Authenticated);
    let rw = conn.select("INBOX", T).await.expect("select");
    assert!(!rw.read_only);
    assert!(rw.permanent_flags.contains(&Flag::Deleted));
    // CLOSE expunges \Deleted messages silently.
    conn.store(&set("1"), StoreKind::Add, &[Flag::Deleted], T)
        .await
        .expect("store");
    conn.close(T).await.expect("close");
    assert_eq!(conn.state(), ConnectionState::Authenticated);
    assert_eq!(conn.select("INBOX", T).await.expect("select").exists, 4);
    let err = conn
        .select("No such box", T)
        .await
        .expect_err("missing mailbox");
    assert!(matches!(err, Error::No { .. }), "{err:?}");
    assert_eq!(
        conn.state(),
        ConnectionState::Authenticated,
        "failed SELECT deselects"
    );
}

async fn fetch_and_uid_fetch_return_the_seeded_bytes(server: &'static dyn TestServer) {
    let user = server.new_user(20);
    let conn = login(server, &user, TlsMode::Implicit).await;
    conn.select("INBOX", T).await.expect("select");
    let msgs = conn
        .uid_fetch(
            &set("10,13"),
            &[
                FetchAttr::Uid,
                FetchAttr::Flags,
                FetchAttr::Rfc822Size,
                FetchAttr::BodyStructure,
                FetchAttr::BodySection {
                    section: Section::full(),
                    partial: None,
                    peek: true,
                },
            ],
            T,
        )
        .await
        .expect("uid fetch");
    assert_eq!(msgs.len(), 2);
    for m in &msgs {
        let uid = m.uid.expect("UID FETCH responses carry the UID");
        assert_eq!(m.body(), Some(seed::message(uid).as_slice()));
        assert_eq!(m.rfc822_size, Some(seed::message(uid).len() as u64));
        assert!(m.body_structure.is_some());
    }
    let flags = conn
        .fetch(&set("1:15"), &[FetchAttr::Flags], T)
        .await
        .expect("fetch");
    for m in flags {
        let has_seen = m.flags.as_deref().unwrap_or_default().contains(&Flag::Seen);
        assert_eq!(has_seen, m.seq % 3 == 0, "message {}", m.seq);
    }
}

async fn search_and_uid_search(server: &'static dyn TestServer) {
    let user = server.new_user(30);
    let conn = login(server, &user, TlsMode::Implicit).await;
    conn.select("INBOX", T).await.expect("select");
    let flagged = conn.search(&SearchKey::Flagged, T).await.expect("search");
    assert_eq!(flagged, vec![5, 10, 15, 20, 25, 30]);
    let subject = SearchKey::subject("message 1").expect("text");
    let found = conn.uid_search(&subject, T).await.expect("uid search");
    // 14's subject is the encoded German one (every 7th), so it does not match.
    assert_eq!(found, vec![1, 10, 11, 12, 13, 15, 16, 17, 18, 19]);
    // Non-ASCII search text: the client sends CHARSET UTF-8; both servers decode RFC 2047.
    let koeln = SearchKey::subject("Köln").expect("text");
    assert_eq!(
        conn.search(&koeln, T).await.expect("search"),
        vec![7, 14, 21, 28]
    );
}

async fn store_and_uid_store_report_new_flags(server: &'static dyn TestServer) {
    let user = server.new_user(4);
    let conn = login(server, &user, TlsMode::Implicit).await;
    conn.select("INBOX", T).await.expect("select");
    let r = conn
        .store(&set("1:2"), StoreKind::Add, &[Flag::Flagged], T)
        .await
        .expect("store");
    assert_eq!(r.fetches.len(), 2);
    assert!(r.fetches.iter().all(|f| {
        f.flags
            .as_ref()
            .is_some_and(|fl| fl.contains(&Flag::Flagged))
    }));
    let r = conn
        .uid_store(&set("2"), StoreKind::Remove, &[Flag::Flagged], T)
        .await
        .expect("uid store");
    assert_eq!(r.fetches.len(), 1);
    assert_eq!(r.fetches[0].uid, Some(2));
    assert!(
        !r.fetches[0]
            .flags
            .as_ref()
            .expect("flags")
            .contains(&Flag::Flagged)
    );
}

async fn copy_and_move_report_copyuid(server: &'static dyn TestServer) {
    let user = server.new_user(6);
    let conn = login(server, &user, TlsMode::Implicit).await;
    conn.select("INBOX", T).await.expect("select");
    let copied = conn.copy(&set("1:2"), "Archive", T).await.expect("copy");
    assert!(copied.uid_validity.is_some());
    assert_eq!(
        copied
            .destination_uids
            .iter()
            .map(|r| r.iter().count())
            .sum::<usize>(),
        2
    );
    let copied = conn
        .uid_copy(&set("3"), "Archive", T)
        .await
        .expect("uid copy");
    assert_eq!(copied.source_uids[0].start, 3);
    let moved = conn
        .move_messages(&set("4"), "Trash", T)
        .await
        .expect("move");
    assert_eq!(moved.expunged, vec![4]);
    assert!(moved.copy.uid_validity.is_some(), "{moved:?}");
    let moved = conn
        .uid_move(&set("6"), "Trash", T)
        .await
        .expect("uid move");
    assert_eq!(moved.expunged.len(), 1);
    let archive = conn
        .status("Archive", &[StatusAttr::Messages], T)
        .await
        .expect("status");
    assert_eq!(archive.messages, Some(3));
    let trash = conn
        .status("Trash", &[StatusAttr::Messages], T)
        .await
        .expect("status");
    assert_eq!(trash.messages, Some(2));
}

async fn expunge_and_uid_expunge(server: &'static dyn TestServer) {
    let user = server.new_user(6);
    let conn = login(server, &user, TlsMode::Implicit).await;
    conn.select("INBOX", T).await.expect("select");
    conn.store(&set("2,4,6"), StoreKind::Add, &[Flag::Deleted], T)
        .await
        .expect("store");
    let r = conn.uid_expunge(&set("4"), T).await.expect("uid expunge");
    assert_eq!(r.expunged, vec![4]);
    let r = conn.expunge(T).await.expect("expunge");
    // Left: UIDs 2 and 6 (sequence numbers 2 and 5). Dovecot reports them highest first
    // (5, then 2), Cyrus lowest first (2, then 4 — message 5 moved up). Both are valid: each
    // number applies after the previous expunges. Replaying them must remove UIDs 2 and 6.
    let mut uids = vec![1, 2, 3, 5, 6];
    let mut removed: Vec<u32> = r
        .expunged
        .iter()
        .map(|&n| uids.remove(n as usize - 1))
        .collect();
    removed.sort_unstable();
    assert_eq!(removed, vec![2, 6], "{:?}", r.expunged);
    assert_eq!(conn.select("INBOX", T).await.expect("select").exists, 3);
}

async fn append_returns_appenduid_and_the_message_reads_back(server: &'static dyn TestServer) {
    let user = server.new_user(2);
    let conn = login(server, &user, TlsMode::Implicit).await;
    let message = b"From: a@example.org\r\nSubject: appended\r\n\r\nHello \xc3\xbc\r\n";
    let r = conn
        .append("INBOX", &[Flag::Seen], message, T)
        .await
        .expect("append");
    assert!(r.uid_validity.is_some());
    let uid = r.uids.first().expect("APPENDUID").start;
    assert_eq!(uid, 3);
    conn.select("INBOX", T).await.expect("select");
    let got = conn
        .uid_fetch(
            &set(&uid.to_string()),
            &[
                FetchAttr::Flags,
                FetchAttr::BodySection {
                    section: Section::full(),
                    partial: None,
                    peek: true,
                },
            ],
            T,
        )
        .await
        .expect("fetch");
    assert_eq!(got[0].body(), Some(message.as_slice()));
    assert!(got[0].flags.as_ref().expect("flags").contains(&Flag::Seen));
}

async fn mailbox_management_list_lsub_status_create_rename_delete_subscribe(
    server: &'static dyn TestServer,
) {
    let user = server.new_user(3);
    let conn = login(server, &user, TlsMode::Implicit).await;
    let all = conn.list("", "*", T).await.expect("list");
    let drafts = all
        .iter()
        .find(|m| m.name.as_str() == "Drafts")
        .expect("Drafts");
    assert!(
        drafts.attributes.contains(&MailboxAttribute::Drafts),
        "{drafts:?}"
    );
    assert_eq!(drafts.delimiter, Some('/'));

    conn.create("Projects/Ünïcode", T).await.expect("create");
    let listed = conn.list("", "Projects/*", T).await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].name.as_str(),
        "Projects/Ünïcode",
        "modified UTF-7 both ways"
    );

    conn.subscribe("Projects/Ünïcode", T)
        .await
        .expect("subscribe");
    let subscribed = conn.lsub("", "Projects/*", T).await.expect("lsub");
    assert_eq!(subscribed.len(), 1);
    conn.unsubscribe("Projects/Ünïcode", T)
        .await
        .expect("unsubscribe");
    assert!(
        conn.lsub("", "Projects/*", T)
            .await
            .expect("lsub")
            .is_empty()
    );

    conn.rename("Projects/Ünïcode", "Projects/Renamed", T)
        .await
        .expect("rename");
    let st = conn
        .status(
            "Projects/Renamed",
            &[
                StatusAttr::Messages,
                StatusAttr::UidNext,
                StatusAttr::UidValidity,
            ],
            T,
        )
        .await
        .expect("status");
    assert_eq!(st.messages, Some(0));
    assert!(st.uid_next.is_some() && st.uid_validity.is_some());
    let inbox = conn
        .status("INBOX", &[StatusAttr::Messages, StatusAttr::Unseen], T)
        .await
        .expect("status");
    assert_eq!((inbox.messages, inbox.unseen), (Some(3), Some(2)));

    conn.delete("Projects/Renamed", T).await.expect("delete");
    assert!(
        conn.list("", "Projects/Renamed", T)
            .await
            .expect("list")
            .is_empty()
    );
    let err = conn
        .delete("Projects/Renamed", T)
        .await
        .expect_err("already gone");
    assert!(matches!(err, Error::No { .. }));
}

async fn refused_connections_are_typed_errors(server: &'static dyn TestServer) {
    // Implicit TLS against the plain port: the TLS handshake fails (or times out) — typed.
    let err = daaki_imap::ImapConnection::builder()
        .dangerous_accept_any_certificate()
        .connect(
            server.host(),
            server.plain_port(),
            TlsMode::Implicit,
            std::time::Duration::from_secs(5),
        )
        .await
        .expect_err("TLS to a plaintext port");
    assert!(
        matches!(err, Error::Tls(_) | Error::Timeout | Error::Io(_)),
        "{err:?}"
    );
    let _ = try_connect::<dyn TestServer>;
}

async fn buffered_fetch_over_the_cap_fails_and_points_to_streaming(
    server: &'static dyn TestServer,
) {
    let user = server.new_user(50);
    let pem = std::fs::read(server.ca_cert_path()).expect("CA");
    let conn = daaki_imap::ImapConnection::builder()
        .trust_roots(daaki_imap::TrustRoots::None)
        .add_root_pem(&pem)
        .expect("pem")
        .max_reply_bytes(4096)
        .connect(server.host(), server.tls_port(), TlsMode::Implicit, T)
        .await
        .expect("connect");
    conn.login(&user.name, &user.password, T)
        .await
        .expect("login");
    conn.select("INBOX", T).await.expect("select");
    let body = FetchAttr::BodySection {
        section: Section::full(),
        partial: None,
        peek: true,
    };
    let err = conn
        .fetch(&set("1:*"), std::slice::from_ref(&body), T)
        .await
        .expect_err("50 bodies exceed 4 KiB");
    assert!(
        matches!(err, Error::ReplyTooLarge { limit: 4096 }),
        "{err:?}"
    );
    assert!(err.to_string().contains("streaming"), "{err}");
    // The connection is fine and small replies still work.
    conn.noop(T).await.expect("noop");
    assert_eq!(
        conn.fetch(&set("1"), &[body], T)
            .await
            .expect("fetch")
            .len(),
        1
    );
}

async fn from_stream_runs_over_a_caller_supplied_stream(server: &'static dyn TestServer) {
    use tokio_util::compat::TokioAsyncReadCompatExt;
    let user = server.new_user(2);
    let tcp = tokio::net::TcpStream::connect((server.host(), server.plain_port()))
        .await
        .expect("tcp");
    let (conn, driver) = daaki_imap::ImapConnection::builder()
        .from_stream(tcp.compat(), T)
        .await
        .expect("greeting");
    // The caller runs the driver on an executor of its choice.
    let task = tokio::spawn(driver);
    conn.login(&user.name, &user.password, T)
        .await
        .expect("login");
    assert_eq!(conn.select("INBOX", T).await.expect("select").exists, 2);
    conn.logout().await.expect("logout");
    tokio::time::timeout(T, task)
        .await
        .expect("the driver ends after LOGOUT")
        .expect("driver task");
}

/// The quirk registry has no false positives: a session of the common commands against a
/// standard server (every FETCH item of a mail client's message list, LIST, STATUS,
/// NAMESPACE, SEARCH) needs no tolerated quirk.
async fn standard_servers_need_no_quirk(server: &'static dyn TestServer) {
    let user = server.new_user(20);
    let conn = login(server, &user, TlsMode::Implicit).await;
    conn.list("", "*", T).await.expect("list");
    conn.namespace(T).await.expect("namespace");
    conn.status(
        "INBOX",
        &[
            StatusAttr::Messages,
            StatusAttr::UidNext,
            StatusAttr::UidValidity,
        ],
        T,
    )
    .await
    .expect("status");
    conn.select("INBOX", T).await.expect("select");
    let msgs = conn
        .fetch(
            &set("1:*"),
            &[
                FetchAttr::Uid,
                FetchAttr::Flags,
                FetchAttr::InternalDate,
                FetchAttr::Rfc822Size,
                FetchAttr::Envelope,
                FetchAttr::BodyStructure,
            ],
            T,
        )
        .await
        .expect("fetch");
    assert_eq!(msgs.len(), 20);
    assert!(
        msgs.iter()
            .all(|m| m.envelope.is_some() && m.body_structure.is_some())
    );
    conn.search(&SearchKey::All, T).await.expect("search");
    assert!(
        conn.quirks().is_empty(),
        "{:?}: {:?}",
        server.kind(),
        conn.quirks()
    );
}

server_tests!(
    implicit_tls_login_select_fetch_logout,
    starttls_login_select_fetch_logout,
    plaintext_login_select_fetch_logout,
    from_stream_runs_over_a_caller_supplied_stream,
);
server_tests!(
    starttls_refreshes_capabilities_under_tls,
    untrusted_certificate_fails_with_a_tls_error,
    wrong_password_is_no_with_authenticationfailed,
    authenticate_plain_with_sasl_ir,
    id_and_enable,
    select_examine_unselect_close,
    fetch_and_uid_fetch_return_the_seeded_bytes,
    search_and_uid_search,
    store_and_uid_store_report_new_flags,
    copy_and_move_report_copyuid,
    expunge_and_uid_expunge,
    append_returns_appenduid_and_the_message_reads_back,
    mailbox_management_list_lsub_status_create_rename_delete_subscribe,
    refused_connections_are_typed_errors,
    buffered_fetch_over_the_cap_fails_and_points_to_streaming,
    standard_servers_need_no_quirk
);
