//! What the providers people use need beyond the RFCs, as scripted sessions (no harness
//! server behaves like them), each written from the public report named on the test.

use daaki_imap::{Error, TlsMode};
use daaki_imap_tests::client::T;
use daaki_imap_tests::fake::{FakeServer, Step};

/// 163.com / 126.com / yeah.net (Coremail) and Yahoo: LOGIN succeeds, but SELECT is refused
/// with "Unsafe Login" until the client identified itself with ID (RFC 2971) — the text of
/// pimalaya/himalaya #651, emersion/go-imap #524, OfflineIMAP/offlineimap3 #71; the ID must
/// carry quoted strings (Wh1isper/mcp-email-server #85).
const COREMAIL_GREETING: &str =
    "* OK [CAPABILITY IMAP4rev1 ID AUTH=PLAIN] Coremail System IMap Server Ready\r\n";
const UNSAFE: &str = "{tag} NO SELECT Unsafe Login. Please contact kefu@188.com for help\r\n";

#[tokio::test]
async fn id_after_login_unlocks_select_on_coremail() {
    let without_id = vec![
        Step::send(COREMAIL_GREETING),
        Step::expect("LOGIN"),
        Step::send("{tag} OK LOGIN completed\r\n"),
        Step::expect("SELECT INBOX"),
        Step::send(UNSAFE),
        Step::expect("LOGOUT"),
        Step::send("* BYE\r\n{tag} OK bye\r\n"),
    ];
    let with_default_id = vec![
        Step::send(COREMAIL_GREETING),
        Step::expect("LOGIN"),
        Step::send("{tag} OK LOGIN completed\r\n"),
        Step::expect(&format!(
            "ID (\"name\" \"daaki-imap\" \"version\" \"{}\")",
            daaki_imap::VERSION
        )),
        Step::send(
            "* ID (\"name\" \"Coremail Imap\" \"vendor\" \"Coremail\")\r\n{tag} OK ID completed\r\n",
        ),
        Step::expect("SELECT INBOX"),
        Step::send("* 2 EXISTS\r\n* 0 RECENT\r\n{tag} OK [READ-WRITE] SELECT completed\r\n"),
        Step::expect("LOGOUT"),
        Step::send("* BYE\r\n{tag} OK bye\r\n"),
    ];
    let with_own_id = vec![
        Step::send(COREMAIL_GREETING),
        Step::expect("LOGIN"),
        Step::send("{tag} OK LOGIN completed\r\n"),
        Step::expect("ID (\"name\" \"my app\" \"vendor\" \"Example\")"),
        Step::send("{tag} OK ID completed\r\n"),
        Step::expect("SELECT INBOX"),
        Step::send("* 2 EXISTS\r\n{tag} OK [READ-WRITE] SELECT completed\r\n"),
        Step::expect("LOGOUT"),
        Step::send("* BYE\r\n{tag} OK bye\r\n"),
    ];
    let server = FakeServer::start(vec![without_id, with_default_id, with_own_id]).await;

    // ID turned off: SELECT is refused, as the reports show.
    let conn = server
        .builder()
        .send_client_id(false)
        .connect(server.host(), server.port(), TlsMode::Plaintext, T)
        .await
        .expect("connect");
    conn.login("user@163.com", "app-password", T)
        .await
        .expect("login");
    let refused = conn.select("INBOX", T).await;
    assert!(
        matches!(&refused, Err(Error::No { text, .. }) if text.starts_with("SELECT Unsafe Login")),
        "{refused:?}"
    );
    conn.logout().await.expect("logout");

    // The default: ID right after login, then SELECT works.
    let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
    conn.login("user@163.com", "app-password", T)
        .await
        .expect("login");
    assert_eq!(conn.select("INBOX", T).await.expect("SELECT").exists, 2);
    conn.logout().await.expect("logout");

    // The application's own fields.
    let conn = server
        .builder()
        .client_id(&[("name", "my app"), ("vendor", "Example")])
        .expect("valid fields")
        .connect(server.host(), server.port(), TlsMode::Plaintext, T)
        .await
        .expect("connect");
    conn.login("user@163.com", "app-password", T)
        .await
        .expect("login");
    assert_eq!(conn.select("INBOX", T).await.expect("SELECT").exists, 2);
    conn.logout().await.expect("logout");
    assert_eq!(server.finish(T).await, Vec::<String>::new());
}

/// A server that refuses ID does not fail the login; one without ID gets none; a field that
/// is no IMAP string is refused when the builder is configured, before connecting.
#[tokio::test]
async fn id_is_best_effort_and_validated() {
    let refuses = vec![
        Step::send(COREMAIL_GREETING),
        Step::expect("LOGIN"),
        Step::send("{tag} OK LOGIN completed\r\n"),
        Step::expect("ID"),
        Step::send("{tag} BAD Parse command error\r\n"),
        Step::expect("NOOP"),
        Step::send("{tag} OK done\r\n"),
    ];
    let no_id = vec![
        Step::send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] no ID here\r\n"),
        Step::expect("LOGIN"),
        Step::send("{tag} OK LOGIN completed\r\n"),
        Step::expect("NOOP"),
        Step::send("{tag} OK done\r\n"),
    ];
    let server = FakeServer::start(vec![refuses, no_id]).await;
    for _ in 0..2 {
        let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
        conn.login("u", "p", T).await.expect("login despite ID");
        conn.noop(T).await.expect("NOOP next");
    }
    assert_eq!(server.finish(T).await, Vec::<String>::new());

    let bad = daaki_imap::ImapConnection::builder().client_id(&[("name", "a\r\nb")]);
    assert!(matches!(bad, Err(Error::InvalidInput(_))), "{bad:?}");
}

/// iCloud answers `FETCH (RFC822)` with the other items only — `* 1 FETCH (UID 7)`, no
/// message (modern-email/defects #36, zammad/zammad #4589, tecnologicachile/mail-mcp #22) —
/// while `BODY.PEEK[]` works. A caller's own RFC822 is sent as asked (never rewritten: it
/// sets `\Seen`), and the missing message is an error, not an empty message.
#[tokio::test]
async fn an_rfc822_answered_without_the_message_is_reported() {
    use daaki_imap::types::{FetchAttr, Section, SequenceSet};
    let message = "From: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n";
    let script = vec![
        Step::send("* PREAUTH [CAPABILITY IMAP4rev1 X-APPLE-REMOTE-LINKS] iCloud-like\r\n"),
        Step::expect("UID FETCH 7 RFC822"),
        Step::send("* 1 FETCH (UID 7)\r\n{tag} OK FETCH completed (took 3 ms)\r\n"),
        Step::expect("UID FETCH 7 BODY.PEEK[]"),
        Step::send(format!(
            "* 1 FETCH (UID 7 BODY[] {{{}}}\r\n{message})\r\n{{tag}} OK FETCH completed\r\n",
            message.len()
        )),
        Step::Stall,
    ];
    let server = FakeServer::start(vec![script]).await;
    let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
    let seven = SequenceSet::new("7").expect("set");
    let refused = conn.uid_fetch(&seven, &[FetchAttr::Rfc822], T).await;
    assert!(
        matches!(&refused, Err(Error::Protocol(text)) if text.contains("without the message for 1 message(s)") && text.contains("BODY.PEEK[]")),
        "{refused:?}"
    );
    let got = conn
        .uid_fetch(&seven, &[FetchAttr::body_peek(Section::full())], T)
        .await
        .expect("BODY.PEEK[]");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].uid, Some(7));
    assert_eq!(
        got[0].body_sections.first().map(|s| s.data.clone()),
        Some(Some(message.as_bytes().to_vec()))
    );
    drop(conn);
    assert_eq!(server.finish(T).await, Vec::<String>::new());
}

/// Gmail's `X-GM-EXT-1` through the Rust API, against the scripted session of
/// `daaki_imap_tests::gmail` (written from Google's "IMAP Extensions" page; the npm facade's
/// test in Chromium plays the same script): labels fetched, added, removed and searched,
/// messages grouped into threads by `X-GM-THRID`, an `X-GM-RAW` search and a search by
/// `X-GM-MSGID`.
#[tokio::test]
async fn gmail_labels_threads_and_raw_search() {
    use std::collections::BTreeMap;

    use daaki_imap::types::{FetchAttr, GmailLabel, SearchKey, SequenceSet, StoreKind};
    use daaki_imap_tests::gmail::{self, LABEL, LABELS, MSGID_1, RAW, THREAD_A, THREAD_B};

    let server = FakeServer::start(vec![gmail::session()]).await;
    let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
    conn.login("user@gmail.com", "app-password", T)
        .await
        .expect("login");
    assert_eq!(conn.select("INBOX", T).await.expect("SELECT").exists, 4);

    // Labels, message and thread ids.
    let all = SequenceSet::new("1:4").expect("set");
    let items = [
        FetchAttr::GmailMessageId,
        FetchAttr::GmailThreadId,
        FetchAttr::GmailLabels,
    ];
    let messages = conn.fetch(&all, &items, T).await.expect("FETCH");
    let labels: Vec<Vec<&str>> = messages
        .iter()
        .map(|m| {
            m.gmail_labels()
                .into_iter()
                .flatten()
                .map(GmailLabel::as_str)
                .collect()
        })
        .collect();
    assert_eq!(labels, LABELS.map(<[&str]>::to_vec));
    assert!(messages[0].gmail_labels().expect("labels")[0].is_system());
    assert_eq!(messages[0].gmail_message_id(), Some(MSGID_1));
    // Threads grouped by X-GM-THRID.
    let mut threads: BTreeMap<u64, Vec<u32>> = BTreeMap::new();
    for m in &messages {
        threads
            .entry(m.gmail_thread_id().expect("thread id"))
            .or_default()
            .push(m.seq);
    }
    assert_eq!(
        threads,
        BTreeMap::from([(THREAD_B, vec![3, 4]), (THREAD_A, vec![1, 2])])
    );

    // A label added and removed; the result carries the labels afterwards.
    let one = SequenceSet::new("1").expect("set");
    let foo = [GmailLabel::new(LABEL).expect("label")];
    let added = conn
        .store_gmail_labels(&one, StoreKind::Add, &foo, T)
        .await
        .expect("+X-GM-LABELS");
    assert!(
        added.fetches[0]
            .gmail_labels()
            .is_some_and(|l| l.contains(&foo[0]))
    );
    let removed = conn
        .store_gmail_labels(&one, StoreKind::Remove, &foo, T)
        .await
        .expect("-X-GM-LABELS");
    assert!(
        removed.fetches[0]
            .gmail_labels()
            .is_some_and(|l| !l.contains(&foo[0]) && l.len() == 4)
    );

    // Searches by label, raw Gmail syntax, message id and thread id.
    let by_label = SearchKey::GmailLabel(foo[0].clone());
    assert_eq!(conn.search(&by_label, T).await.expect("label"), [2]);
    let raw = SearchKey::gmail_raw(RAW).expect("raw");
    assert_eq!(conn.search(&raw, T).await.expect("X-GM-RAW"), [1, 3, 4]);
    let by_id = SearchKey::GmailMessageId(MSGID_1);
    assert_eq!(conn.uid_search(&by_id, T).await.expect("X-GM-MSGID"), [1]);
    let by_thread = SearchKey::GmailThreadId(THREAD_B);
    assert_eq!(
        conn.search(&by_thread, T).await.expect("X-GM-THRID"),
        [3, 4]
    );
    conn.logout().await.expect("logout");
    assert_eq!(server.finish(T).await, Vec::<String>::new());
}

/// Label changes need `X-GM-EXT-1`: elsewhere the call is refused before anything is sent.
#[tokio::test]
async fn gmail_labels_need_the_extension() {
    use daaki_imap::types::{GmailLabel, SequenceSet, StoreKind};
    let server = FakeServer::start(vec![vec![
        Step::send("* PREAUTH [CAPABILITY IMAP4rev1] not Gmail\r\n"),
        Step::expect("NOOP"),
        Step::send("{tag} OK done\r\n"),
    ]])
    .await;
    let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
    let label = [GmailLabel::new("foo").expect("label")];
    let refused = conn
        .uid_store_gmail_labels(
            &SequenceSet::new("1").expect("set"),
            StoreKind::Add,
            &label,
            T,
        )
        .await;
    assert!(matches!(refused, Err(Error::Unsupported(_))), "{refused:?}");
    conn.noop(T)
        .await
        .expect("nothing was sent: the script's next line is NOOP");
    assert_eq!(server.finish(T).await, Vec::<String>::new());
}

/// Gmail's special folders through XLIST where LIST SPECIAL-USE is not offered — the XLIST
/// answer of Google's "IMAP Extensions" page (XLIST section, since superseded by RFC 6154):
/// `\AllMail`, `\Spam` and `\Starred` are read as `\All`, `\Junk` and `\Flagged`.
#[tokio::test]
async fn gmail_special_folders_through_xlist() {
    use daaki_imap::types::SpecialUse;
    let xlist = "* XLIST (\\HasNoChildren \\Inbox) \"/\" \"Inbox\"\r\n\
                 * XLIST (\\Noselect \\HasChildren) \"/\" \"[Gmail]\"\r\n\
                 * XLIST (\\HasNoChildren \\AllMail) \"/\" \"[Gmail]/All Mail\"\r\n\
                 * XLIST (\\HasNoChildren \\Drafts) \"/\" \"[Gmail]/Drafts\"\r\n\
                 * XLIST (\\HasNoChildren \\Important) \"/\" \"[Gmail]/Important\"\r\n\
                 * XLIST (\\HasNoChildren \\Sent) \"/\" \"[Gmail]/Sent Mail\"\r\n\
                 * XLIST (\\HasNoChildren \\Spam) \"/\" \"[Gmail]/Spam\"\r\n\
                 * XLIST (\\HasNoChildren \\Starred) \"/\" \"[Gmail]/Starred\"\r\n\
                 * XLIST (\\HasNoChildren \\Trash) \"/\" \"[Gmail]/Trash\"\r\n\
                 {tag} OK Success\r\n";
    let server = FakeServer::start(vec![vec![
        Step::send(
            "* PREAUTH [CAPABILITY IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA XLIST CHILDREN X-GM-EXT-1] Gimap\r\n",
        ),
        Step::expect("XLIST \"\" *"),
        Step::send(xlist),
        Step::Stall,
    ]])
    .await;
    let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
    let special: Vec<(String, Vec<SpecialUse>)> = conn
        .list_special_use(T)
        .await
        .expect("XLIST")
        .into_iter()
        .map(|m| (m.name.as_str().to_owned(), m.special_uses()))
        .collect();
    let expected = [
        ("[Gmail]/All Mail", SpecialUse::All),
        ("[Gmail]/Drafts", SpecialUse::Drafts),
        ("[Gmail]/Important", SpecialUse::Important),
        ("[Gmail]/Sent Mail", SpecialUse::Sent),
        ("[Gmail]/Spam", SpecialUse::Junk),
        ("[Gmail]/Starred", SpecialUse::Flagged),
        ("[Gmail]/Trash", SpecialUse::Trash),
    ]
    .map(|(name, special)| (name.to_owned(), vec![special]));
    assert_eq!(special, expected);
    assert_eq!(
        conn.drain_events().await,
        Vec::new(),
        "XLIST data is the call's"
    );
    drop(conn);
    assert_eq!(server.finish(T).await, Vec::<String>::new());
}
