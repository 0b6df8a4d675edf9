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
