//! ACL (RFC 4314), QUOTA (RFC 9208 / 2087) and METADATA (RFC 5464) against the real harness
//! Dovecot and Cyrus: every call of `client/src/connection/access.rs`, with the effects checked
//! from a second user's connection or by reading the data back.
//!
//! Each behaviour is a scenario taking the server; the `#[tokio::test]`s at the end run them
//! on Dovecot and on Cyrus (`metadata_depth_and_server_entries` needs undefined entries such
//! as `/private/vendor/…`, which the harness Cyrus accepts through
//! `annotation_allow_undefined: yes`; without it they are "Permission denied").
//! The harness Dovecot: `acl = vfile` with a shared namespace `Shared/<user>/`, `quota =
//! count:User quota` with `storage=1G`, `imap_metadata = yes` (see
//! `tests/src/harness/dovecot.conf.in`).

use std::time::Duration;

use daaki_imap::types::response::{QuotaResource, QuotaResourceName, ResponseCode};
use daaki_imap::types::{AclModification, AclRights, GetMetadataOptions, MetadataDepth};
use daaki_imap::types::{Flag, TypedEvent};
use daaki_imap::{
    Error, ImapConnection, MailboxFilter, NotifyEvent, NotifyEventGroup, NotifySetParams, TlsMode,
};
use daaki_imap_tests::client::{T, login, login_as};
use daaki_imap_tests::harness::{ServerKind, TestServer, seed, shared_server};

fn rights(r: &str) -> AclRights {
    AclRights::new(r).expect("valid rights")
}

/// The entry of `identifier` in `mailbox`'s ACL, read fresh.
/// The rights letters are returned sorted: servers order them as they like.
async fn acl_of(conn: &ImapConnection, mailbox: &str, identifier: &str) -> Option<String> {
    conn.get_acl(mailbox, T)
        .await
        .expect("GETACL")
        .entries
        .into_iter()
        .find(|e| e.identifier == identifier)
        .map(|e| sorted(&e.rights))
}

fn sorted(rights: &str) -> String {
    let mut letters: Vec<char> = rights.chars().collect();
    letters.sort_unstable();
    letters.into_iter().collect()
}

/// The path under which `owner`'s `mailbox` appears to other users.
fn shared_path(server: &dyn TestServer, owner: &str, mailbox: &str) -> String {
    match server.kind() {
        ServerKind::Dovecot => format!("Shared/{owner}/{mailbox}"),
        ServerKind::Cyrus => format!("Other Users/{owner}/{mailbox}"),
    }
}

// ----- ACL -----

/// The owner grants, narrows and removes another user's rights; the other user's MYRIGHTS
/// and what it may do follow each change.
async fn acl_grants_and_revokes_rights_seen_by_the_grantee(server: &'static dyn TestServer) {
    let owner_user = server.new_user(0);
    let grantee_user = server.new_user(0);
    let owner = login(server, &owner_user, TlsMode::Plaintext).await;
    let grantee = login(server, &grantee_user, TlsMode::Plaintext).await;
    // Users are fresh per scenario, so fixed names cannot collide.
    let mailbox = "AclBox".to_owned();
    owner.create(mailbox.as_str(), T).await.expect("CREATE");
    server
        .seed_mailbox(&owner_user, &mailbox, 3)
        .expect("seed the shared mailbox");

    // The owner holds every right, including `a` (administer).
    let mine = owner
        .my_rights(mailbox.as_str(), T)
        .await
        .expect("MYRIGHTS");
    for right in ['l', 'r', 's', 'w', 'i', 'a'] {
        assert!(mine.rights.contains(right), "owner lacks {right}: {mine:?}");
    }
    assert_eq!(mine.mailbox.as_str(), mailbox);
    assert_eq!(acl_of(&owner, &mailbox, &grantee_user.name).await, None);

    owner
        .set_acl(
            mailbox.as_str(),
            &grantee_user.name,
            AclModification::Replace(rights("lrs")),
            T,
        )
        .await
        .expect("SETACL lrs");
    assert_eq!(
        acl_of(&owner, &mailbox, &grantee_user.name)
            .await
            .as_deref(),
        Some("lrs")
    );
    let path = shared_path(server, &owner_user.name, &mailbox);
    let theirs = grantee
        .my_rights(path.as_str(), T)
        .await
        .expect("grantee MYRIGHTS");
    assert_eq!(sorted(&theirs.rights), "lrs");
    let selected = grantee
        .examine(path.as_str(), T)
        .await
        .expect("EXAMINE shared");
    assert_eq!(selected.exists, 3);
    grantee.unselect(T).await.expect("UNSELECT");

    // `+` adds, `-` removes.
    owner
        .set_acl(
            mailbox.as_str(),
            &grantee_user.name,
            AclModification::Add(rights("w")),
            T,
        )
        .await
        .expect("SETACL +w");
    owner
        .set_acl(
            mailbox.as_str(),
            &grantee_user.name,
            AclModification::Remove(rights("r")),
            T,
        )
        .await
        .expect("SETACL -r");
    assert_eq!(
        acl_of(&owner, &mailbox, &grantee_user.name)
            .await
            .as_deref(),
        Some("lsw")
    );
    // Dovecot caches ACLs per session (`acl_cache_secs`): a new session sees the change.
    let grantee = login(server, &grantee_user, TlsMode::Plaintext).await;
    let theirs = grantee.my_rights(path.as_str(), T).await.expect("MYRIGHTS");
    assert_eq!(sorted(&theirs.rights), "lsw");

    // Without `a` the grantee may not read the ACL.
    match grantee.get_acl(path.as_str(), T).await {
        Err(Error::No { .. }) => {}
        other => panic!("GETACL without the a right: {other:?}"),
    }

    owner
        .delete_acl(mailbox.as_str(), &grantee_user.name, T)
        .await
        .expect("DELETEACL");
    assert_eq!(acl_of(&owner, &mailbox, &grantee_user.name).await, None);
    let grantee = login(server, &grantee_user, TlsMode::Plaintext).await;
    assert!(
        grantee.examine(path.as_str(), T).await.is_err(),
        "the grantee lost access"
    );
}

/// LISTRIGHTS says what may be granted; rights outside `RIGHTS=` never reach the server.
async fn acl_list_rights_and_unknown_rights(server: &'static dyn TestServer) {
    let owner_user = server.new_user(0);
    let other = server.new_user(0);
    let conn = login(server, &owner_user, TlsMode::Plaintext).await;
    let listed = conn
        .list_rights("INBOX", &other.name, T)
        .await
        .expect("LISTRIGHTS");
    assert_eq!(listed.identifier, other.name);
    assert_eq!(listed.mailbox.as_str(), "INBOX");
    let grantable: String = listed.optional.concat();
    for right in ['l', 'r', 'w', 'a'] {
        assert!(
            grantable.contains(right) || listed.required.contains(right),
            "{right} not grantable: {listed:?}"
        );
    }

    let advertised = conn.capabilities().acl_rights().map(str::to_owned);
    assert!(advertised.is_some(), "the server advertises RIGHTS=");
    match conn
        .set_acl(
            "INBOX",
            &other.name,
            AclModification::Replace(rights("lz")),
            T,
        )
        .await
    {
        Err(Error::Unsupported(msg)) => assert!(msg.contains("lz"), "{msg}"),
        other => panic!("rights outside RIGHTS= must be refused client-side: {other:?}"),
    }
    // The connection is still fine, and nothing was granted.
    assert_eq!(acl_of(&conn, "INBOX", &other.name).await, None);
    assert!(
        AclRights::new("l r").is_err(),
        "rights are validated at construction"
    );
}

// ----- QUOTA -----

/// The STORAGE resource `GETQUOTAROOT INBOX` reports, with the root's name.
async fn inbox_storage(conn: &ImapConnection) -> (String, QuotaResource) {
    let info = conn.get_quota_root("INBOX", T).await.expect("GETQUOTAROOT");
    assert_eq!(info.roots.len(), 1, "{info:?}");
    let root = info.roots[0].clone();
    let quota = info.quota(&root).expect("QUOTA data with the root");
    let storage = quota.resource("STORAGE").expect("STORAGE").clone();
    (root, storage)
}

/// GETQUOTAROOT / GETQUOTA report the configured limit and a usage that grows with an
/// APPEND by the message's size; SETQUOTA by an administrator takes effect (Cyrus), by a
/// user it is refused.
async fn quota_reports_limits_and_usage(server: &'static dyn TestServer) {
    let user = server.new_user(4);
    let conn = login(server, &user, TlsMode::Plaintext).await;
    // Cyrus users have no quota until an administrator sets one, and only administrators
    // may GETQUOTA there (the user gets "Permission denied"); the harness Dovecot gives
    // everyone 1 GiB, has no quota administrator and lets users GETQUOTA their root.
    let admin = match server.admin() {
        Some((name, password)) => Some(login_as(server, name, password, TlsMode::Plaintext).await),
        None => None,
    };
    let limit = match &admin {
        Some(admin) => {
            admin
                .set_quota(
                    &format!("user/{}", user.name),
                    &[(QuotaResourceName::Storage, 500_000)],
                    T,
                )
                .await
                .expect("SETQUOTA as the administrator");
            500_000
        }
        None => 1024 * 1024,
    };
    let (root, storage) = inbox_storage(&conn).await;
    assert_eq!(storage.kind(), Some(QuotaResourceName::Storage));
    assert_eq!(storage.limit, limit, "in KiB");
    if server.kind() == ServerKind::Dovecot {
        assert_eq!(root, "User quota");
    }
    let seeded: u64 = (1..=4).map(|i| seed::message(i).len() as u64).sum();
    assert!(
        storage.usage >= seeded / 1024 && storage.usage <= seeded / 1024 + 4,
        "usage {} KiB for {seeded} bytes",
        storage.usage
    );

    // GETQUOTA on the root says the same.
    let (reader, root_name) = match &admin {
        Some(admin) => (admin, format!("user/{}", user.name)),
        None => (&conn, root.clone()),
    };
    let quota = reader.get_quota(&root_name, T).await.expect("GETQUOTA");
    assert_eq!(quota.root, root_name);
    assert_eq!(quota.resource("STORAGE"), Some(&storage));

    // 50 KiB more mail: 50 KiB more usage.
    let body = "x".repeat(50 * 1024);
    let message = format!("Subject: big\r\n\r\n{body}\r\n");
    conn.append("INBOX", &[Flag::Seen], message.as_bytes(), T)
        .await
        .expect("APPEND");
    let (_, after) = inbox_storage(&conn).await;
    let grown = after.usage - storage.usage;
    assert!((49..=52).contains(&grown), "usage grew by {grown} KiB");

    // An ordinary user may not change limits.
    match conn
        .set_quota(&root, &[(QuotaResourceName::Storage, 10)], T)
        .await
    {
        Err(Error::No { .. } | Error::Bad { .. }) => {}
        other => panic!("SETQUOTA as a user: {other:?}"),
    }
    assert_eq!(
        inbox_storage(&conn).await.1.limit,
        limit,
        "the limit is unchanged"
    );
}

// ----- METADATA -----

/// SETMETADATA stores arbitrary bytes (CRLF, quotes, UTF-8) in the entries every server
/// defines (`/private/comment`, `/shared/comment`); GETMETADATA gives them back; MAXSIZE
/// leaves long values out and reports LONGENTRIES; NIL removes; invalid names never leave.
async fn metadata_round_trips_bytes_and_honours_maxsize(server: &'static dyn TestServer) {
    let user = server.new_user(0);
    let conn = login(server, &user, TlsMode::Plaintext).await;
    // Users are fresh per scenario, so fixed names cannot collide.
    let mailbox = "MetaBox";
    conn.create(mailbox, T).await.expect("CREATE");
    let comment: &[u8] = b"line one\r\nline \"two\" \xc3\xa9\xe2\x82\xac";
    let long = vec![b'L'; 3000];
    conn.set_metadata(
        mailbox,
        &[
            ("/private/comment", Some(comment)),
            ("/shared/comment", Some(long.as_slice())),
        ],
        T,
    )
    .await
    .expect("SETMETADATA");
    let both = ["/private/comment", "/shared/comment"];
    let got = conn
        .get_metadata(mailbox, &both, GetMetadataOptions::default(), T)
        .await
        .expect("GETMETADATA");
    assert_eq!(got.get("/private/comment"), Some(comment));
    assert_eq!(got.get("/shared/comment"), Some(long.as_slice()));
    assert_eq!(got.long_entries, None);

    // MAXSIZE 100: the 3000-byte value is left out and its size reported.
    let small = GetMetadataOptions {
        max_size: Some(100),
        depth: None,
    };
    let capped = conn
        .get_metadata(mailbox, &both, small, T)
        .await
        .expect("MAXSIZE");
    assert_eq!(capped.get("/private/comment"), Some(comment));
    assert_eq!(capped.get("/shared/comment"), None);
    assert_eq!(capped.long_entries, Some(3000));

    // NIL removes.
    conn.set_metadata(mailbox, &[("/private/comment", None)], T)
        .await
        .expect("SETMETADATA NIL");
    let gone = conn
        .get_metadata(
            mailbox,
            &["/private/comment"],
            GetMetadataOptions::default(),
            T,
        )
        .await
        .expect("GETMETADATA after NIL");
    assert_eq!(gone.get("/private/comment"), None);

    // Invalid entry names never reach the server.
    for bad in ["comment", "/other/x", "/private/*"] {
        assert!(
            matches!(
                conn.get_metadata(mailbox, &[bad], GetMetadataOptions::default(), T)
                    .await,
                Err(Error::InvalidInput(_))
            ),
            "{bad}"
        );
    }
}

/// Entries a server does not define (`/private/vendor/…`): DEPTH walks their tree, and
/// server annotations (mailbox `""`) round-trip. Needs a server that accepts undefined
/// entries (Dovecot does; Cyrus with `annotation_allow_undefined: yes`, as the harness sets).
async fn metadata_depth_and_server_entries(server: &'static dyn TestServer) {
    let user = server.new_user(0);
    let conn = login(server, &user, TlsMode::Plaintext).await;
    conn.set_metadata(
        "INBOX",
        &[
            ("/private/vendor/daaki/a", Some(b"A".as_slice())),
            ("/private/vendor/daaki/b/c", Some(b"C".as_slice())),
        ],
        T,
    )
    .await
    .expect("SETMETADATA vendor entries");
    let depth = |d| GetMetadataOptions {
        max_size: None,
        depth: Some(d),
    };
    let root = ["/private/vendor/daaki"];
    let zero = conn
        .get_metadata("INBOX", &root, depth(MetadataDepth::Zero), T)
        .await
        .expect("DEPTH 0");
    assert_eq!(zero.get("/private/vendor/daaki/a"), None, "{zero:?}");
    let one = conn
        .get_metadata("INBOX", &root, depth(MetadataDepth::One), T)
        .await
        .expect("DEPTH 1");
    assert_eq!(one.get("/private/vendor/daaki/a"), Some(b"A".as_slice()));
    assert_eq!(one.get("/private/vendor/daaki/b/c"), None, "{one:?}");
    let all = conn
        .get_metadata("INBOX", &root, depth(MetadataDepth::Infinity), T)
        .await
        .expect("DEPTH infinity");
    assert_eq!(all.get("/private/vendor/daaki/a"), Some(b"A".as_slice()));
    assert_eq!(all.get("/private/vendor/daaki/b/c"), Some(b"C".as_slice()));

    conn.set_server_metadata(
        &[("/private/vendor/daaki/theme", Some(b"dark".as_slice()))],
        T,
    )
    .await
    .expect("SETMETADATA server");
    let server_values = conn
        .get_server_metadata(
            &["/private/vendor/daaki/theme"],
            GetMetadataOptions::default(),
            T,
        )
        .await
        .expect("GETMETADATA server");
    assert_eq!(
        server_values.get("/private/vendor/daaki/theme"),
        Some(b"dark".as_slice())
    );
}

/// NOTIFY with MailboxMetadataChange: a server that supports it reports a change made on
/// another connection as a typed event naming the entry; Dovecot 2.3 refuses the event, and
/// the refusal is typed (`[BADEVENT MailboxMetadataChange]`); Cyrus has no NOTIFY at all. The event itself is covered by
/// the scripted `metadata_change_under_notify_is_a_typed_event` below.
async fn metadata_changes_under_notify(server: &'static dyn TestServer) {
    let user = server.new_user(0);
    let watcher = login(server, &user, TlsMode::Plaintext).await;
    let writer = login(server, &user, TlsMode::Plaintext).await;
    let params = NotifySetParams::new(
        vec![NotifyEventGroup::new(
            MailboxFilter::Personal,
            vec![NotifyEvent::MailboxMetadataChange],
        )],
        false,
    );
    match watcher.notify_set(params, T).await {
        Ok(()) => {}
        // Cyrus 3.6 has no NOTIFY: refused before anything is sent.
        Err(Error::Unsupported(_)) if !watcher.capabilities().has("NOTIFY") => return,
        Err(ref e @ Error::No { .. }) if server.kind() == ServerKind::Dovecot => {
            assert_eq!(
                e.response_code(),
                Some(&ResponseCode::BadEvent(vec![
                    "MailboxMetadataChange".into()
                ])),
                "{e:?}"
            );
            return;
        }
        Err(e) => panic!("NOTIFY SET MailboxMetadataChange: {e:?}"),
    }
    writer
        .set_metadata(
            "INBOX",
            &[("/private/comment", Some(b"changed".as_slice()))],
            T,
        )
        .await
        .expect("SETMETADATA");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    while tokio::time::Instant::now() < deadline {
        watcher.noop(T).await.expect("NOOP");
        for event in watcher.drain_events().await {
            if let TypedEvent::MetadataChange { mailbox, entries } = &event {
                assert_eq!(mailbox.as_str(), "INBOX");
                assert_eq!(entries, &vec!["/private/comment".to_owned()]);
                return;
            }
            seen.push(event);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("no METADATA event within 10 s; got {seen:?}");
}

fn dovecot() -> &'static dyn TestServer {
    shared_server(ServerKind::Dovecot)
}

#[tokio::test]
async fn dovecot_acl_grants_and_revokes_rights_seen_by_the_grantee() {
    acl_grants_and_revokes_rights_seen_by_the_grantee(dovecot()).await;
}

#[tokio::test]
async fn dovecot_acl_list_rights_and_unknown_rights() {
    acl_list_rights_and_unknown_rights(dovecot()).await;
}

#[tokio::test]
async fn dovecot_quota_reports_limits_and_usage() {
    quota_reports_limits_and_usage(dovecot()).await;
}

#[tokio::test]
async fn dovecot_metadata_round_trips_bytes_and_honours_maxsize() {
    metadata_round_trips_bytes_and_honours_maxsize(dovecot()).await;
}

#[tokio::test]
async fn dovecot_metadata_depth_and_server_entries() {
    metadata_depth_and_server_entries(dovecot()).await;
}

#[tokio::test]
async fn dovecot_metadata_changes_under_notify() {
    metadata_changes_under_notify(dovecot()).await;
}

fn cyrus() -> &'static dyn TestServer {
    shared_server(ServerKind::Cyrus)
}

#[tokio::test]
async fn cyrus_acl_grants_and_revokes_rights_seen_by_the_grantee() {
    acl_grants_and_revokes_rights_seen_by_the_grantee(cyrus()).await;
}

#[tokio::test]
async fn cyrus_acl_list_rights_and_unknown_rights() {
    acl_list_rights_and_unknown_rights(cyrus()).await;
}

#[tokio::test]
async fn cyrus_quota_reports_limits_and_usage() {
    quota_reports_limits_and_usage(cyrus()).await;
}

#[tokio::test]
async fn cyrus_metadata_round_trips_bytes_and_honours_maxsize() {
    metadata_round_trips_bytes_and_honours_maxsize(cyrus()).await;
}

#[tokio::test]
async fn cyrus_metadata_depth_and_server_entries() {
    metadata_depth_and_server_entries(cyrus()).await;
}

#[tokio::test]
async fn cyrus_metadata_changes_under_notify() {
    metadata_changes_under_notify(cyrus()).await;
}

// ----- Scripted: what Dovecot does not send -----
//
// Dovecot 2.3 accepts metadata values of any size and any number of entries (no
// `[METADATA MAXSIZE]` / `[METADATA TOOMANY]`), has private metadata (no `NOPRIVATE`), and
// refuses NOTIFY's MailboxMetadataChange (above). These replies are written from RFC 5464
// §4.3 and RFC 5465 §5.8 and played by the scripted fake server.

mod scripted {
    use daaki_imap::types::GetMetadataOptions;
    use daaki_imap::types::TypedEvent;
    use daaki_imap::types::response::ResponseCode;
    use daaki_imap::{Error, TlsMode};
    use daaki_imap_tests::client::T;
    use daaki_imap_tests::fake::{FakeServer, Step};

    const GREETING: &str =
        "* OK [CAPABILITY IMAP4rev1 LITERAL+ METADATA NOTIFY ACL QUOTA] fake\r\n";

    fn login() -> Vec<Step> {
        vec![
            Step::send(GREETING),
            Step::expect("LOGIN"),
            Step::send("{tag} OK logged in\r\n"),
        ]
    }

    #[tokio::test]
    async fn metadata_refusals_carry_their_typed_codes() {
        let mut script = login();
        for reply in [
            "NO [METADATA MAXSIZE 1024] value too long",
            "NO [METADATA TOOMANY] too many annotations",
            "NO [METADATA NOPRIVATE] no private annotations",
        ] {
            script.push(Step::expect("SETMETADATA"));
            script.push(Step::send(format!("{{tag}} {reply}\r\n")));
        }
        script.push(Step::expect(
            "GETMETADATA (MAXSIZE 10) INBOX /private/comment",
        ));
        script.push(Step::send(
            "* METADATA INBOX (/private/short \"ok\")\r\n{tag} OK [METADATA LONGENTRIES 2199] done\r\n",
        ));
        let server = FakeServer::start(vec![script]).await;
        let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
        conn.login("u", "p", T).await.expect("login");
        let mut codes = Vec::new();
        for _ in 0..3 {
            match conn
                .set_metadata("INBOX", &[("/private/comment", None)], T)
                .await
            {
                Err(e @ Error::No { .. }) => codes.push(e.response_code().cloned()),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(
            codes,
            vec![
                Some(ResponseCode::MetadataMaxSize(1024)),
                Some(ResponseCode::MetadataTooMany),
                Some(ResponseCode::MetadataNoPrivate),
            ]
        );
        let options = GetMetadataOptions {
            max_size: Some(10),
            depth: None,
        };
        let values = conn
            .get_metadata("INBOX", &["/private/comment"], options, T)
            .await
            .expect("GETMETADATA");
        assert_eq!(values.long_entries, Some(2199));
        assert_eq!(values.get("/private/short"), Some(b"ok".as_slice()));
        assert_eq!(server.finish(T).await, Vec::<String>::new());
    }

    #[tokio::test]
    async fn metadata_change_under_notify_is_a_typed_event() {
        let mut script = login();
        script.extend([
            Step::expect("NOTIFY SET (personal (MailboxMetadataChange))"),
            Step::send("{tag} OK NOTIFY completed\r\n"),
            Step::expect("NOOP"),
            Step::send(
                "* METADATA INBOX /private/comment /shared/comment\r\n{tag} OK NOOP completed\r\n",
            ),
        ]);
        let server = FakeServer::start(vec![script]).await;
        let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
        conn.login("u", "p", T).await.expect("login");
        conn.notify_set(
            daaki_imap::NotifySetParams::new(
                vec![daaki_imap::NotifyEventGroup::new(
                    daaki_imap::MailboxFilter::Personal,
                    vec![daaki_imap::NotifyEvent::MailboxMetadataChange],
                )],
                false,
            ),
            T,
        )
        .await
        .expect("NOTIFY");
        conn.noop(T).await.expect("NOOP");
        let events = conn.drain_events().await;
        let change = events
            .iter()
            .find_map(|e| match e {
                TypedEvent::MetadataChange { mailbox, entries } => Some((mailbox, entries)),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no MetadataChange in {events:?}"));
        assert_eq!(change.0.as_str(), "INBOX");
        assert_eq!(
            change.1,
            &vec!["/private/comment".to_owned(), "/shared/comment".to_owned()]
        );
        assert_eq!(server.finish(T).await, Vec::<String>::new());
    }

    /// A server without ACL / QUOTA / METADATA: every call is refused before anything is
    /// sent (the script expects no command after LOGIN).
    #[tokio::test]
    async fn access_calls_need_their_capabilities() {
        let script = vec![
            Step::send("* OK [CAPABILITY IMAP4rev1] fake\r\n"),
            Step::expect("LOGIN"),
            Step::send("{tag} OK logged in\r\n"),
            Step::expect("LOGOUT"),
            Step::send("* BYE\r\n{tag} OK bye\r\n"),
        ];
        let server = FakeServer::start(vec![script]).await;
        let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
        conn.login("u", "p", T).await.expect("login");
        let unsupported = |r: daaki_imap::Result<()>| matches!(r, Err(Error::Unsupported(_)));
        assert!(unsupported(conn.get_acl("INBOX", T).await.map(drop)));
        assert!(unsupported(conn.my_rights("INBOX", T).await.map(drop)));
        assert!(unsupported(conn.get_quota_root("INBOX", T).await.map(drop)));
        assert!(unsupported(conn.get_quota("", T).await.map(drop)));
        assert!(unsupported(
            conn.get_metadata("INBOX", &["/private/x"], GetMetadataOptions::default(), T)
                .await
                .map(drop)
        ));
        assert!(unsupported(
            conn.set_server_metadata(&[("/private/x", None)], T).await
        ));
        conn.logout().await.expect("logout");
        assert_eq!(server.finish(T).await, Vec::<String>::new());
    }
}
