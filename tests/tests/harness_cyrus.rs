//! Self-tests of the Cyrus side of the harness: the Cyrus it starts is real (raw wire checks),
//! serves all three connection modes with the test CA, has the extensions and special-use
//! folders later tests rely on, serves the seeded mail exactly, has a working administrator,
//! and never outlives the tests.

use std::time::{Duration, Instant};

use daaki_imap::TlsMode;
use daaki_imap::types::response::MailboxAttribute;
use daaki_imap::types::{FetchAttr, SequenceSet};
use daaki_imap_tests::client::{T, login, login_as};
use daaki_imap_tests::harness::{Cyrus, TestServer, seed, shared_cyrus};
use daaki_imap_tests::raw::{RawSession, Security};

fn raw_login(cyrus: &Cyrus, security: Security, name: &str, password: &str) -> RawSession {
    let port = match security {
        Security::Implicit => cyrus.tls_port(),
        _ => cyrus.plain_port(),
    };
    let mut session = RawSession::connect(cyrus.host(), port, security, &cyrus.ca().ca_der)
        .unwrap_or_else(|e| panic!("{security:?} connect to Cyrus: {e}"));
    assert!(
        session.greeting.starts_with("* OK") && session.greeting.contains("Cyrus IMAP"),
        "greeting: {}",
        session.greeting
    );
    let reply = session
        .command(&format!("LOGIN {name} {password}"))
        .expect("LOGIN");
    assert!(
        reply.is_ok(),
        "LOGIN over {security:?}: {}",
        reply.completion
    );
    session
}

fn capabilities(session: &mut RawSession) -> Vec<String> {
    let reply = session.command("CAPABILITY").expect("CAPABILITY");
    assert!(reply.is_ok(), "{}", reply.completion);
    reply
        .untagged
        .iter()
        .find(|l| l.starts_with("* CAPABILITY "))
        .expect("an untagged CAPABILITY line")
        .split_whitespace()
        .skip(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn cyrus_logs_in_over_plain_starttls_and_implicit_tls_with_the_test_ca() {
    let cyrus = shared_cyrus();
    let user = cyrus.new_user(0);
    for security in [Security::Plain, Security::StartTls, Security::Implicit] {
        let mut session = raw_login(cyrus, security, &user.name, &user.password);
        let caps = capabilities(&mut session);
        for required in [
            "IMAP4rev1",
            "IDLE",
            "OBJECTID",
            "CONDSTORE",
            "QRESYNC",
            "MOVE",
            "MULTIAPPEND",
            "UIDPLUS",
            "BINARY",
            "PREVIEW",
            "SAVEDATE",
            "SPECIAL-USE",
            "COMPRESS=DEFLATE",
            "NAMESPACE",
        ] {
            assert!(
                caps.iter().any(|c| c == required),
                "{required} missing over {security:?}: {caps:?}"
            );
        }
        assert!(
            caps.iter().any(|c| c.starts_with("APPENDLIMIT=")),
            "APPENDLIMIT missing: {caps:?}"
        );
        // The known gaps: tests for these stay Dovecot-only.
        for absent in ["NOTIFY", "SEARCHRES"] {
            assert!(!caps.iter().any(|c| c == absent), "{absent} now offered");
        }
        session.command("LOGOUT").expect("LOGOUT");
    }
}

#[tokio::test]
async fn the_client_logs_in_to_cyrus_in_every_mode() {
    let cyrus = shared_cyrus();
    let user = cyrus.new_user(1);
    for mode in [TlsMode::Plaintext, TlsMode::StartTls, TlsMode::Implicit] {
        let conn = login(cyrus, &user, mode).await;
        let caps = conn.capabilities();
        assert!(
            caps.has("OBJECTID") && caps.has("IDLE"),
            "{mode:?}: {caps:?}"
        );
        assert_eq!(conn.select("INBOX", T).await.expect("select").exists, 1);
        conn.logout().await.expect("logout");
    }
}

#[tokio::test]
async fn cyrus_users_get_special_use_folders() {
    let cyrus = shared_cyrus();
    let user = cyrus.new_user(0);
    let conn = login(cyrus, &user, TlsMode::Implicit).await;
    let list = conn.list("", "*", T).await.expect("LIST");
    let attribute_of = |name: &str| {
        list.iter()
            .find(|m| m.name.as_str() == name)
            .unwrap_or_else(|| panic!("{name} not listed: {list:?}"))
            .attributes
            .clone()
    };
    // Cyrus sends these lower-case (`\drafts`); the client maps them all the same.
    assert!(attribute_of("Drafts").contains(&MailboxAttribute::Drafts));
    assert!(attribute_of("Sent").contains(&MailboxAttribute::Sent));
    assert!(attribute_of("Trash").contains(&MailboxAttribute::Trash));
    assert!(attribute_of("Junk").contains(&MailboxAttribute::Junk));
    assert!(attribute_of("Archive").contains(&MailboxAttribute::Archive));
    let subscribed = conn.lsub("", "*", T).await.expect("LSUB");
    assert!(
        subscribed.iter().any(|m| m.name.as_str() == "Drafts"),
        "special-use folders are subscribed: {subscribed:?}"
    );
}

#[tokio::test]
async fn cyrus_serves_the_seeded_messages_with_flags_and_dates() {
    let cyrus = shared_cyrus();
    let user = cyrus.new_user(15);
    let conn = login(cyrus, &user, TlsMode::Plaintext).await;
    assert_eq!(conn.select("INBOX", T).await.expect("select").exists, 15);
    let fetched = conn
        .fetch(
            &SequenceSet::new("1:15").expect("set"),
            &[FetchAttr::Flags, FetchAttr::InternalDate],
            T,
        )
        .await
        .expect("fetch");
    assert_eq!(fetched.len(), 15);
    for m in &fetched {
        let i = m.seq;
        let flags: Vec<String> = m
            .flags
            .as_ref()
            .expect("flags")
            .iter()
            .map(|f| f.to_string())
            .collect();
        for (every, flag) in [(3, "\\Seen"), (5, "\\Flagged"), (11, "\\Answered")] {
            assert_eq!(
                flags.iter().any(|f| f == flag),
                i % every == 0,
                "message {i} flags {flags:?}"
            );
        }
        let date = m.internal_date.as_ref().expect("INTERNALDATE");
        assert!(
            format!("{date:?}").contains("2023"),
            "message {i} date {date:?}"
        );
    }
    let bodies = conn
        .fetch(
            &SequenceSet::new("1:15").expect("set"),
            &[FetchAttr::Rfc822],
            T,
        )
        .await
        .expect("fetch bodies");
    for m in &bodies {
        assert_eq!(
            m.rfc822.as_deref(),
            Some(seed::message(m.seq).as_slice()),
            "message {} bytes",
            m.seq
        );
    }
}

#[tokio::test]
async fn seeding_another_mailbox_creates_it() {
    let cyrus = shared_cyrus();
    let user = cyrus.new_user(0);
    TestServer::seed_mailbox(cyrus, &user, "Projects/2024", 4).expect("seed");
    TestServer::seed_mailbox(cyrus, &user, "Drafts", 2).expect("seed an existing folder");
    let conn = login(cyrus, &user, TlsMode::Plaintext).await;
    assert_eq!(
        conn.select("Projects/2024", T)
            .await
            .expect("select")
            .exists,
        4
    );
    assert_eq!(conn.select("Drafts", T).await.expect("select").exists, 2);
}

#[test]
fn the_admin_logs_in_and_unauthenticate_is_reported() {
    let cyrus = shared_cyrus();
    let (admin, password) = cyrus.admin();
    let mut session = raw_login(cyrus, Security::Implicit, admin, password);
    let caps = capabilities(&mut session);
    // A fact another issue needs: does Cyrus 3.6 offer UNAUTHENTICATE to its admins?
    let unauthenticate = caps.iter().any(|c| c == "UNAUTHENTICATE");
    println!("Cyrus 3.6 admin capabilities include UNAUTHENTICATE: {unauthenticate}");
    assert!(
        unauthenticate,
        "Cyrus 3.6 offers UNAUTHENTICATE to admins: {caps:?}"
    );
    // ... and only to admins.
    let user = cyrus.new_user(0);
    let mut plain_user = raw_login(cyrus, Security::Implicit, &user.name, &user.password);
    let user_caps = capabilities(&mut plain_user);
    assert!(
        !user_caps.iter().any(|c| c == "UNAUTHENTICATE"),
        "{user_caps:?}"
    );
    // Admin rights are real: the admin sees other users' mailboxes (as `user/<name>`) and
    // their ACLs.
    let reply = session
        .command(&format!("GETACL \"user/{}\"", user.name))
        .expect("GETACL");
    assert!(reply.is_ok(), "admin GETACL: {}", reply.completion);
    assert!(
        reply.untagged.iter().any(|l| l.contains(&user.name)),
        "{:?}",
        reply.untagged
    );
    session.command("LOGOUT").expect("LOGOUT");
}

#[tokio::test]
async fn the_client_logs_in_as_the_cyrus_admin() {
    let cyrus = shared_cyrus();
    let (admin, password) = cyrus.admin();
    let conn = login_as(cyrus, admin, password, TlsMode::StartTls).await;
    assert!(conn.capabilities().has("IMAP4REV1"));
    conn.logout().await.expect("logout");
}

#[test]
fn cyrus_syslog_is_captured() {
    let cyrus = shared_cyrus();
    let user = cyrus.new_user(0);
    let _ = raw_login(cyrus, Security::Plain, &user.name, &user.password);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let lines = cyrus
            .syslog()
            .expect("the harness runs as root here, so syslog is captured");
        if lines.iter().any(|l| l.contains(&user.name)) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no login line for {}: {lines:?}",
            user.name
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_dropped_cyrus_leaves_no_process_or_directory_behind() {
    let began = Instant::now();
    let cyrus = Cyrus::start();
    println!(
        "Cyrus start-up: {:?} (measured by the harness: {:?})",
        began.elapsed(),
        cyrus.startup_time()
    );
    let user = cyrus.new_user(0);
    let seeded = Instant::now();
    let count = 2_000;
    TestServer::seed_mailbox(&cyrus, &user, "INBOX", count).expect("seed");
    let rate = f64::from(count) / seeded.elapsed().as_secs_f64();
    println!(
        "Cyrus seeding: {count} messages in {:?} ({rate:.0} msg/s)",
        seeded.elapsed()
    );
    let pid = cyrus.master_pid().expect("master pid");
    let dir = cyrus.dir().to_path_buf();
    let port = cyrus.plain_port();
    assert!(std::path::Path::new(&format!("/proc/{pid}")).exists());
    let stopped = Instant::now();
    drop(cyrus);
    println!("Cyrus stop: {:?}", stopped.elapsed());
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "master {pid} still runs"
    );
    assert!(!dir.exists(), "{} left behind", dir.display());
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "port {port} still answers"
    );
    // No Cyrus process of that instance remains (imapd children, idled).
    let needle = dir.display().to_string();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            assert!(!cmdline.contains(&needle), "left behind: {cmdline}");
        }
    }
}

// ---- Cyrus quirks the client must survive (issue 14) ----

#[tokio::test]
async fn quirk_logindisabled_in_the_post_login_capabilities_breaks_nothing() {
    let cyrus = shared_cyrus();
    let user = cyrus.new_user(3);
    let conn = login(cyrus, &user, TlsMode::Plaintext).await;
    // Cyrus lists LOGINDISABLED after a plaintext login; the session is authenticated anyway.
    assert!(
        conn.capabilities().has("LOGINDISABLED"),
        "{:?}",
        conn.capabilities()
    );
    assert_eq!(conn.state(), daaki_imap::ConnectionState::Authenticated);
    let caps = conn.capability(T).await.expect("CAPABILITY");
    assert!(caps.iter().any(|c| c == "LOGINDISABLED"), "{caps:?}");
    assert_eq!(conn.select("INBOX", T).await.expect("select").exists, 3);
    conn.noop(T).await.expect("noop");
    // A new connection still logs in with LOGIN.
    let other = login(cyrus, &user, TlsMode::Plaintext).await;
    other.logout().await.expect("logout");
    conn.logout().await.expect("logout");
}

#[tokio::test]
async fn quirk_mailboxid_next_to_other_status_items_is_opaque_bytes() {
    use daaki_imap::types::StatusAttr;
    let cyrus = shared_cyrus();
    let user = cyrus.new_user(4);
    let conn = login(cyrus, &user, TlsMode::Implicit).await;
    let alone = conn
        .status("INBOX", &[StatusAttr::MailboxId], T)
        .await
        .expect("STATUS (MAILBOXID)");
    let id = alone.mailbox_id.expect("MAILBOXID alone");
    assert!(!id.is_empty());
    // Together with other items Cyrus 3.6 sends heap bytes (a pointer, cut at its first NUL)
    // as the id — often holding `)`, sometimes a bare LF. Each connection has other junk
    // (address randomisation), so try many. A LF splits the response line at the framing
    // layer (2–35 % of connections, varying from run to run): neither half parses, and the
    // first, `* STATUS INBOX (…`, is claimed by the STATUS it answers, which then fails with
    // `Error::Incomplete` carrying those bytes — never an empty status. Every other reply is
    // complete and right, and the connection stays usable either way. How many are cut is
    // Cyrus's heap, not ours: only "some parse" is asserted.
    let rounds = 40;
    let mut complete = 0;
    let mut lost = 0;
    for _ in 0..rounds {
        let conn = login(cyrus, &user, TlsMode::Plaintext).await;
        let mixed = conn
            .status(
                "INBOX",
                &[
                    StatusAttr::Messages,
                    StatusAttr::UidNext,
                    StatusAttr::MailboxId,
                    StatusAttr::Unseen,
                ],
                T,
            )
            .await;
        match mixed {
            Ok(mixed) => {
                assert_eq!(mixed.messages, Some(4), "{mixed:?}");
                assert_eq!(mixed.uid_next, Some(5), "{mixed:?}");
                assert_eq!(mixed.unseen, Some(3), "{mixed:?}");
                assert!(mixed.mailbox_id.is_some(), "{mixed:?}");
                complete += 1;
            }
            // The junk held a bare LF, which ends the line: the cut `* STATUS INBOX (…` does
            // not parse and is reported with the call, its bytes kept.
            Err(daaki_imap::Error::Incomplete(reply)) => {
                assert_eq!(reply.data, Vec::new(), "{reply:?}");
                assert_eq!(reply.unparsed.len(), 1, "{reply:?}");
                assert!(
                    reply.unparsed[0].raw.starts_with(b"* STATUS INBOX ("),
                    "{reply:?}"
                );
                lost += 1;
            }
            Err(other) => panic!("STATUS with MAILBOXID and other items: {other:?}"),
        }
        conn.noop(T)
            .await
            .expect("the connection is fine afterwards");
        assert_eq!(conn.select("INBOX", T).await.expect("select").exists, 4);
    }
    println!(
        "STATUS with junk MAILBOXID: {complete}/{rounds} complete, {lost} cut (Error::Incomplete)"
    );
    assert_eq!(complete + lost, rounds);
    assert!(
        complete > 0,
        "none of {rounds} STATUS replies with junk MAILBOXID parsed"
    );
}

#[tokio::test]
async fn quirk_preview_nil_and_object_ids_in_fetch() {
    let cyrus = shared_cyrus();
    let user = cyrus.new_user(10);
    let conn = login(cyrus, &user, TlsMode::Implicit).await;
    conn.select("INBOX", T).await.expect("select");
    let fetched = conn
        .fetch(
            &SequenceSet::new("1:10").expect("set"),
            &[
                FetchAttr::Preview { lazy: false },
                FetchAttr::EmailId,
                FetchAttr::ThreadId,
            ],
            T,
        )
        .await
        .expect("FETCH PREVIEW EMAILID THREADID");
    assert_eq!(fetched.len(), 10);
    for m in &fetched {
        assert!(
            m.email_id.as_ref().is_some_and(|id| !id.is_empty()),
            "{m:?}"
        );
        assert!(m.thread_id.is_some(), "{m:?}");
        // Cyrus answers `PREVIEW NIL` where it has no preview: that is `None`, not an error.
        if let Some(preview) = &m.preview {
            assert!(preview.len() <= 256, "{preview:?}");
        }
    }
    let mut ids: Vec<_> = fetched.iter().filter_map(|m| m.email_id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 10, "every message has its own EMAILID");
}

#[tokio::test]
async fn quirk_over_quota_without_a_response_code_is_a_no() {
    let cyrus = shared_cyrus();
    let user = cyrus.new_user(0);
    let (admin, password) = cyrus.admin();
    let mut session = raw_login(cyrus, Security::Plain, admin, password);
    let reply = session
        .command(&format!("SETQUOTA \"user/{}\" (STORAGE 1)", user.name))
        .expect("SETQUOTA");
    assert!(reply.is_ok(), "SETQUOTA: {}", reply.completion);
    let conn = login(cyrus, &user, TlsMode::Plaintext).await;
    let big = format!("Subject: big\r\n\r\n{}\r\n", "x".repeat(4096));
    let mut refused = None;
    // Cyrus checks the quota before each append; the second 4 KiB message exceeds 1 KiB.
    for _ in 0..3 {
        match conn.append("INBOX", &[], big.as_bytes(), T).await {
            Ok(_) => continue,
            Err(e) => {
                refused = Some(e);
                break;
            }
        }
    }
    let err = refused.expect("an APPEND over quota is refused");
    match &err {
        daaki_imap::Error::No { code, text, .. } => {
            assert!(text.to_ascii_lowercase().contains("quota"), "{err:?}");
            assert!(
                matches!(
                    code,
                    None | Some(daaki_imap::types::ResponseCode::OverQuota)
                ),
                "{err:?}"
            );
        }
        other => panic!("expected NO, got {other:?}"),
    }
    conn.noop(T)
        .await
        .expect("the connection is fine afterwards");
}

#[tokio::test]
async fn quirk_untagged_ok_rename_during_rename_is_harmless() {
    let cyrus = shared_cyrus();
    let user = cyrus.new_user(0);
    TestServer::seed_mailbox(cyrus, &user, "Before", 2).expect("seed");
    let conn = login(cyrus, &user, TlsMode::Implicit).await;
    conn.rename("Before", "After", T).await.expect("RENAME");
    let list = conn.list("", "*", T).await.expect("LIST");
    assert!(list.iter().any(|m| m.name.as_str() == "After"), "{list:?}");
    assert!(
        !list.iter().any(|m| m.name.as_str() == "Before"),
        "{list:?}"
    );
    assert_eq!(conn.select("After", T).await.expect("select").exists, 2);
}

#[tokio::test]
async fn quirk_8bit_header_bytes_come_back_as_x_in_the_envelope() {
    let cyrus = shared_cyrus();
    let user = cyrus.new_user(0);
    let conn = login(cyrus, &user, TlsMode::Implicit).await;
    let message =
        b"From: a@example.org\r\nSubject: Gr\xc3\xbc\xc3\x9fe\r\nDate: Tue, 14 Nov 2023 22:13:20 +0000\r\n\r\nbody\r\n";
    conn.append("INBOX", &[], message, T).await.expect("append");
    let inbox = conn.select("INBOX", T).await.expect("select");
    assert_eq!(inbox.exists, 1, "{} starts empty", user.name);
    let fetched = conn
        .fetch(
            &SequenceSet::new("1").expect("set"),
            &[FetchAttr::Envelope],
            T,
        )
        .await
        .expect("FETCH ENVELOPE");
    let subject = fetched
        .first()
        .and_then(|m| m.envelope.as_ref())
        .and_then(|e| e.subject.clone())
        .expect("a subject");
    assert!(subject.starts_with("Gr"), "{subject:?}");
    assert!(
        subject.contains('X') || subject.contains('ü'),
        "8-bit bytes arrive as X (Cyrus) or intact: {subject:?}"
    );
}

#[test]
fn users_created_concurrently_get_exactly_their_own_mail() {
    let cyrus = shared_cyrus();
    let users: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..12u32)
            .map(|n| scope.spawn(move || (n, cyrus.new_user(n))))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("user thread"))
            .collect()
    });
    for (n, user) in &users {
        let mut session = raw_login(cyrus, Security::Plain, &user.name, &user.password);
        let reply = session.command("STATUS INBOX (MESSAGES)").expect("STATUS");
        assert!(
            reply
                .untagged
                .iter()
                .any(|l| l.ends_with(&format!("(MESSAGES {n})"))),
            "{}: {:?}",
            user.name,
            reply.untagged
        );
    }
}
