//! IMAP4rev2 (RFC 9051) and UTF8=ACCEPT (RFC 6855): one API, the same results on both
//! dialects.
//!
//! Neither harness server offers IMAP4rev2 or UTF8=ACCEPT (Dovecot 2.3.19 and Cyrus 3.6 are
//! IMAP4rev1 servers), so the rev2 side is a scripted session on the fake server, written
//! from RFC 9051 (§6.3.2 SELECT with its LIST, §6.4.4 SEARCH answered by ESEARCH, §6.3.9
//! LIST (SUBSCRIBED) for the removed LSUB, §6.3.11 STATUS DELETED/SIZE and no RECENT,
//! §5.1 UTF-8 mailbox names, `\NonExistent`) and RFC 6855 §3 (ENABLE, UTF-8 quoted
//! strings). The rev1 side is the real Dovecot with the same mailbox content — six seed
//! messages (\Seen on 3 and 6, \Flagged on 5), the harness's subscribed special-use
//! mailboxes and a new `Entwürfe` — and the test asserts the public results are equal.

use std::collections::BTreeSet;

use daaki_imap::types::response::MailboxAttribute;
use daaki_imap::types::{FetchAttr, ImapAtom, SearchKey, SequenceSet, StatusAttr};
use daaki_imap::{ConnectionState, ImapConnection, TlsMode};
use daaki_imap_tests::client::{T, login};
use daaki_imap_tests::fake::{FakeServer, Step};
use daaki_imap_tests::harness::{ServerKind, shared_server};

/// What the public API returned for the common operations.
#[derive(Debug, PartialEq, Eq)]
struct Observed {
    exists: u32,
    uid_next: Option<u32>,
    seen: Vec<u32>,
    flagged_uids: Vec<u32>,
    none: Vec<u32>,
    messages: Option<u32>,
    unseen: Option<u32>,
    created: Vec<String>,
    subscribed: BTreeSet<String>,
}

/// The same calls on any connection, whichever dialect it speaks.
async fn observe(conn: &ImapConnection) -> Observed {
    let inbox = conn.select("INBOX", T).await.expect("SELECT");
    let seen = conn.search(&SearchKey::Seen, T).await.expect("SEARCH");
    let flagged_uids = conn
        .uid_search(&SearchKey::Flagged, T)
        .await
        .expect("UID SEARCH");
    let keyword = SearchKey::Keyword(ImapAtom::new("NoSuchKeyword").expect("atom"));
    let none = conn.search(&keyword, T).await.expect("SEARCH none");
    let status = conn
        .status("INBOX", &[StatusAttr::Messages, StatusAttr::Unseen], T)
        .await
        .expect("STATUS");
    conn.create("Entwürfe", T).await.expect("CREATE UTF-8 name");
    let created = conn
        .list("", "Entw*", T)
        .await
        .expect("LIST")
        .into_iter()
        .map(|m| m.name.as_str().to_owned())
        .collect();
    let subscribed = conn
        .lsub("", "*", T)
        .await
        .expect("LSUB / LIST (SUBSCRIBED)")
        .into_iter()
        .map(|m| m.name.as_str().to_owned())
        .collect();
    Observed {
        exists: inbox.exists,
        uid_next: inbox.uid_next,
        seen,
        flagged_uids,
        none,
        messages: status.messages,
        unseen: status.unseen,
        created,
        subscribed,
    }
}

const REV2_GREETING: &str =
    "* OK [CAPABILITY IMAP4rev2 IMAP4rev1 AUTH=PLAIN LITERAL+ ENABLE UTF8=ACCEPT] rev2 fake\r\n";

fn rev2_login() -> Vec<Step> {
    vec![
        Step::send(REV2_GREETING),
        Step::expect("LOGIN"),
        Step::send(
            "{tag} OK [CAPABILITY IMAP4rev2 IMAP4rev1 LITERAL+ ENABLE IDLE UTF8=ACCEPT STATUS=SIZE] logged in\r\n",
        ),
        // RFC 9051 §6.3.1 / RFC 6855 §3: the client turns both on right after login.
        Step::expect("ENABLE IMAP4rev2 UTF8=ACCEPT"),
        Step::send("* ENABLED IMAP4rev2 UTF8=ACCEPT\r\n{tag} OK enabled\r\n"),
    ]
}

/// The rev2 server's replies for [`observe`], for the content described in the module docs.
fn rev2_observe_script() -> Vec<Step> {
    let subscribed = ["Drafts", "Sent", "Trash", "Junk", "Archive"];
    let mut list_subscribed = String::new();
    for name in subscribed {
        list_subscribed.push_str(&format!("* LIST (\\Subscribed) \"/\" {name}\r\n"));
    }
    // A subscription whose mailbox is gone: RFC 9051 §6.3.9 lists it with \NonExistent,
    // where LSUB said \Noselect. Dovecot has no such subscription; it is left out of the
    // comparison below and checked on its own.
    list_subscribed.push_str("* LIST (\\Subscribed \\NonExistent) \"/\" \"Gelöscht\"\r\n");
    list_subscribed.push_str("{tag} OK LIST completed\r\n");
    vec![
        Step::expect("SELECT INBOX"),
        Step::send(concat!(
            "* 6 EXISTS\r\n",
            "* OK [UIDVALIDITY 1700000000] UIDs valid\r\n",
            "* OK [UIDNEXT 7] Predicted next UID\r\n",
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
            "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n",
            "* LIST () \"/\" INBOX\r\n",
            "{tag} OK [READ-WRITE] SELECT completed\r\n",
        )),
        Step::expect("SEARCH SEEN"),
        Step::send("* ESEARCH (TAG \"{tag}\") ALL 3,6\r\n{tag} OK SEARCH completed\r\n"),
        Step::expect("UID SEARCH FLAGGED"),
        Step::send("* ESEARCH (TAG \"{tag}\") UID ALL 5\r\n{tag} OK SEARCH completed\r\n"),
        Step::expect("SEARCH KEYWORD NoSuchKeyword"),
        Step::send("* ESEARCH (TAG \"{tag}\")\r\n{tag} OK SEARCH completed\r\n"),
        Step::expect("STATUS INBOX (MESSAGES UNSEEN)"),
        Step::send("* STATUS INBOX (MESSAGES 6 UNSEEN 4)\r\n{tag} OK STATUS completed\r\n"),
        // UTF-8 on the wire, not modified UTF-7 ("Entw&APw-rfe").
        Step::expect("CREATE \"Entwürfe\""),
        Step::send("{tag} OK CREATE completed\r\n"),
        Step::expect("LIST \"\" Entw*"),
        Step::send("* LIST (\\HasNoChildren) \"/\" \"Entwürfe\"\r\n{tag} OK LIST completed\r\n"),
        // No LSUB in IMAP4rev2.
        Step::expect("LIST (SUBSCRIBED) \"\" *"),
        Step::send(list_subscribed),
    ]
}

#[tokio::test]
async fn rev2_session_gives_the_same_results_as_dovecot_rev1_for_the_same_content() {
    // rev1: the real Dovecot.
    let dovecot = shared_server(ServerKind::Dovecot);
    let user = dovecot.new_user(6);
    let rev1 = login(dovecot, &user, TlsMode::Plaintext).await;
    assert!(!rev1.capabilities().imap4rev2());
    let rev1_seen = observe(&rev1).await;

    // rev2: the scripted server, same content.
    let mut script = rev2_login();
    script.extend(rev2_observe_script());
    script.extend([
        Step::expect("LOGOUT"),
        Step::send("* BYE bye\r\n{tag} OK LOGOUT completed\r\n"),
    ]);
    let server = FakeServer::start(vec![script]).await;
    let rev2 = server.connect(TlsMode::Plaintext).await.expect("connect");
    rev2.login("user", "pass", T).await.expect("login");
    assert!(rev2.capabilities().imap4rev2());
    let mut rev2_seen = observe(&rev2).await;
    assert!(
        rev2_seen.subscribed.remove("Gelöscht"),
        "the \\NonExistent subscription is listed: {rev2_seen:?}"
    );
    rev2.logout().await.expect("logout");
    assert_eq!(server.finish(T).await, Vec::<String>::new());

    assert_eq!(rev1_seen.seen, vec![3, 6], "the seed's \\Seen rule");
    assert_eq!(rev1_seen.flagged_uids, vec![5]);
    assert_eq!(rev2_seen, rev1_seen);
    // The SELECT's own LIST (RFC 9051 §6.3.2) belongs to SELECT, not to the event queue.
    assert!(
        rev2.drain_events()
            .await
            .iter()
            .all(|e| !matches!(e, daaki_imap::TypedEvent::MailboxEvent(_))),
        "no stray mailbox event"
    );
}

/// What only differs in form: no RECENT (the field is `None`, the STATUS item is not sent),
/// STATUS DELETED and SIZE, `\NonExistent`, UTF-8 in quoted strings of a FETCH.
#[tokio::test]
async fn rev2_specific_forms_are_read_into_the_same_types() {
    let mut script = rev2_login();
    script.extend([
        Step::expect("SELECT INBOX"),
        Step::send("* 2 EXISTS\r\n* OK [UIDVALIDITY 1] x\r\n* LIST () \"/\" INBOX\r\n{tag} OK [READ-WRITE] done\r\n"),
        // RECENT is dropped from the request: a rev2 server would answer BAD.
        Step::expect("STATUS INBOX (MESSAGES DELETED SIZE)"),
        Step::send("* STATUS INBOX (MESSAGES 2 DELETED 1 SIZE 4567)\r\n{tag} OK done\r\n"),
        Step::expect("FETCH 1 "),
        Step::send(concat!(
            "* 1 FETCH (ENVELOPE (\"Mon, 1 Jan 2024 00:00:00 +0000\" \"Grüße aus Köln\" ",
            "((\"Jürgen Groß\" NIL \"juergen\" \"example.de\")) NIL NIL NIL NIL NIL NIL \"<id@x>\"))\r\n",
            "{tag} OK done\r\n",
        )),
        Step::expect("LOGOUT"),
        Step::send("* BYE\r\n{tag} OK bye\r\n"),
    ]);
    let server = FakeServer::start(vec![script]).await;
    let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
    conn.login("user", "pass", T).await.expect("login");
    let inbox = conn.select("INBOX", T).await.expect("SELECT");
    assert_eq!(inbox.exists, 2);
    assert_eq!(inbox.recent, None, "IMAP4rev2 has no \\Recent");
    let status = conn
        .status(
            "INBOX",
            &[
                StatusAttr::Messages,
                StatusAttr::Recent,
                StatusAttr::Deleted,
                StatusAttr::Size,
            ],
            T,
        )
        .await
        .expect("STATUS");
    assert_eq!(status.messages, Some(2));
    assert_eq!(status.recent, None);
    assert_eq!(status.deleted, Some(1));
    assert_eq!(status.size, Some(4567));
    let fetched = conn
        .fetch(
            &SequenceSet::new("1").expect("set"),
            &[FetchAttr::Envelope],
            T,
        )
        .await
        .expect("FETCH");
    let envelope = fetched[0].envelope.as_ref().expect("envelope");
    assert_eq!(envelope.subject.as_deref(), Some("Grüße aus Köln"));
    assert_eq!(
        envelope.from[0].display_name().as_deref(),
        Some("Jürgen Groß")
    );
    conn.logout().await.expect("logout");
    assert_eq!(server.finish(T).await, Vec::<String>::new());
}

#[tokio::test]
async fn nonexistent_subscriptions_are_marked() {
    let mut script = rev2_login();
    script.extend([
        Step::expect("LIST (SUBSCRIBED) \"\" *"),
        Step::send("* LIST (\\Subscribed \\NonExistent) \"/\" \"Gelöscht\"\r\n{tag} OK\r\n"),
        Step::expect("LOGOUT"),
        Step::send("* BYE\r\n{tag} OK bye\r\n"),
    ]);
    let server = FakeServer::start(vec![script]).await;
    let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
    conn.login("user", "pass", T).await.expect("login");
    let subs = conn.lsub("", "*", T).await.expect("LSUB");
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].name.as_str(), "Gelöscht");
    assert!(subs[0].attributes.contains(&MailboxAttribute::NonExistent));
    assert!(subs[0].attributes.contains(&MailboxAttribute::Subscribed));
    conn.logout().await.expect("logout");
    assert_eq!(server.finish(T).await, Vec::<String>::new());
}

/// `enable_imap4rev2(false)`: nothing is enabled, LSUB stays LSUB and names stay modified
/// UTF-7 — a rev1 session on a rev2 server (RFC 9051 servers must still speak rev1).
#[tokio::test]
async fn opting_out_keeps_imap4rev1() {
    let script = vec![
        Step::send(REV2_GREETING),
        Step::expect("LOGIN"),
        Step::send("{tag} OK logged in\r\n"),
        Step::expect("CREATE Entw&APw-rfe"),
        Step::send("{tag} OK done\r\n"),
        Step::expect("LSUB \"\" *"),
        Step::send("* LSUB () \"/\" Entw&APw-rfe\r\n{tag} OK done\r\n"),
        Step::expect("LOGOUT"),
        Step::send("* BYE\r\n{tag} OK bye\r\n"),
    ];
    let server = FakeServer::start(vec![script]).await;
    let conn = server
        .builder()
        .enable_imap4rev2(false)
        .connect(server.host(), server.port(), TlsMode::Plaintext, T)
        .await
        .expect("connect");
    conn.login("user", "pass", T).await.expect("login");
    assert_eq!(conn.enabled().dialect(), daaki_imap::Dialect::Imap4rev1);
    assert_eq!(conn.enabled().iter().count(), 0);
    conn.create("Entwürfe", T).await.expect("CREATE");
    let subs = conn.lsub("", "*", T).await.expect("LSUB");
    assert_eq!(subs[0].name.as_str(), "Entwürfe");
    conn.logout().await.expect("logout");
    assert_eq!(server.finish(T).await, Vec::<String>::new());
}

/// A server that refuses ENABLE leaves the session on rev1; login still succeeds.
#[tokio::test]
async fn a_refused_enable_does_not_fail_login() {
    let script = vec![
        Step::send(REV2_GREETING),
        Step::expect("LOGIN"),
        Step::send("{tag} OK logged in\r\n"),
        Step::expect("ENABLE IMAP4rev2 UTF8=ACCEPT"),
        Step::send("{tag} NO not today\r\n"),
        Step::expect("LSUB"),
        Step::send("{tag} OK done\r\n"),
        Step::expect("LOGOUT"),
        Step::send("* BYE\r\n{tag} OK bye\r\n"),
    ];
    let server = FakeServer::start(vec![script]).await;
    let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
    conn.login("user", "pass", T).await.expect("login");
    assert_eq!(conn.state(), ConnectionState::Authenticated);
    assert_eq!(conn.enabled().dialect(), daaki_imap::Dialect::Imap4rev1);
    assert!(conn.lsub("", "*", T).await.expect("LSUB").is_empty());
    conn.logout().await.expect("logout");
    assert_eq!(server.finish(T).await, Vec::<String>::new());
}

/// A PREAUTH greeting skips login: the connection enables IMAP4rev2 while connecting.
#[tokio::test]
async fn preauth_enables_imap4rev2_while_connecting() {
    let script = vec![
        Step::send("* PREAUTH [CAPABILITY IMAP4rev2 ENABLE] already authenticated\r\n"),
        Step::expect("ENABLE IMAP4rev2"),
        Step::send("* ENABLED IMAP4rev2\r\n{tag} OK enabled\r\n"),
        Step::expect("CREATE \"Entwürfe\""),
        Step::send("{tag} OK done\r\n"),
        Step::expect("LOGOUT"),
        Step::send("* BYE\r\n{tag} OK bye\r\n"),
    ];
    let server = FakeServer::start(vec![script]).await;
    let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
    assert_eq!(conn.state(), ConnectionState::Authenticated);
    assert_eq!(conn.enabled().dialect(), daaki_imap::Dialect::Imap4rev2);
    assert_eq!(conn.enabled().iter().collect::<Vec<_>>(), ["IMAP4REV2"]);
    conn.create("Entwürfe", T).await.expect("CREATE in UTF-8");
    conn.logout().await.expect("logout");
    assert_eq!(server.finish(T).await, Vec::<String>::new());
}

/// IDLE on a server that pushes more than EXISTS: an IMAP4rev2 server may send an unasked
/// `* STATUS` for the selected mailbox (RFC 9051 §7.2.4 allows STATUS responses at any time)
/// right before the EXISTS it summarises. The README's IDLE loop, unchanged, must see the
/// EXISTS; the STATUS is queued as an event. Under NOTIFY a STATUS is a result as before
/// (covered in `notify.rs` against Dovecot). Scripted: no harness server sends this.
#[tokio::test]
async fn idle_sees_the_exists_after_an_unasked_status_of_the_selected_mailbox() {
    use daaki_imap::types::response::MailboxStatus;
    use daaki_imap::{IdleEvent, TypedEvent};
    use tokio_util::sync::CancellationToken;

    let mut script = rev2_login();
    script.extend([
        Step::expect("SELECT INBOX"),
        Step::send("* 4 EXISTS\r\n* LIST () \"/\" INBOX\r\n{tag} OK [READ-WRITE] selected\r\n"),
        Step::expect("IDLE"),
        Step::send("+ idling\r\n* STATUS INBOX (MESSAGES 5 UIDNEXT 6)\r\n* 5 EXISTS\r\n"),
        Step::expect_line("DONE"),
        Step::send("{tag} OK idle done\r\n"),
        Step::expect("LOGOUT"),
        Step::send("* BYE\r\n{tag} OK bye\r\n"),
    ]);
    let server = FakeServer::start(vec![script]).await;
    let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
    conn.login("user", "pass", T).await.expect("login");
    conn.select("INBOX", T).await.expect("SELECT");

    // The README's IDLE example, as written there.
    let cancel = CancellationToken::new();
    let seen = match conn
        .idle(std::time::Duration::from_secs(300), cancel.clone())
        .await
        .expect("IDLE")
    {
        IdleEvent::Exists(n) => Some(n),
        _ => None,
    };
    assert_eq!(seen, Some(5), "IDLE ends on the EXISTS, not the STATUS");
    let mut status = MailboxStatus::default();
    status.mailbox = Some(daaki_imap::types::MailboxName::inbox());
    status.messages = Some(5);
    status.uid_next = Some(6);
    assert_eq!(
        conn.drain_events().await,
        vec![TypedEvent::MailboxStatus {
            mailbox: daaki_imap::types::MailboxName::inbox(),
            items: status,
        }],
        "the STATUS is queued, not lost"
    );
    conn.logout().await.expect("logout");
    assert_eq!(server.finish(T).await, Vec::<String>::new());
}

/// RFC 6855 §6, scripted (no harness server offers UTF8=ONLY): a `UTF8=ONLY` server gets
/// `ENABLE UTF8=ACCEPT` after login even with IMAP4rev2 turned off, then UTF-8 mailbox
/// names; one that refuses the ENABLE gets no mailbox command at all — the call fails with
/// `Error::Unsupported` before anything is sent.
#[tokio::test]
async fn utf8_only_servers_get_utf8_accept_or_no_mailbox_command() {
    use daaki_imap::Error;
    const GREETING: &str =
        "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN ENABLE UTF8=ACCEPT UTF8=ONLY] utf8-only fake\r\n";
    let accepts = vec![
        Step::send(GREETING),
        Step::expect("LOGIN"),
        Step::send("{tag} OK logged in\r\n"),
        Step::expect("ENABLE UTF8=ACCEPT"),
        Step::send("* ENABLED UTF8=ACCEPT\r\n{tag} OK enabled\r\n"),
        Step::expect("SELECT \"Entwürfe\""),
        Step::send("* 0 EXISTS\r\n{tag} OK [READ-WRITE] selected\r\n"),
        Step::expect("LOGOUT"),
        Step::send("* BYE\r\n{tag} OK bye\r\n"),
    ];
    let refuses = vec![
        Step::send(GREETING),
        Step::expect("LOGIN"),
        Step::send("{tag} OK logged in\r\n"),
        Step::expect("ENABLE UTF8=ACCEPT"),
        Step::send("{tag} NO not today\r\n"),
        Step::expect("LOGOUT"),
        Step::send("* BYE\r\n{tag} OK bye\r\n"),
    ];
    let server = FakeServer::start(vec![accepts, refuses]).await;
    let builder = || server.builder().enable_imap4rev2(false);

    let conn = builder()
        .connect(server.host(), server.port(), TlsMode::Plaintext, T)
        .await
        .expect("connect");
    assert!(conn.capabilities().utf8_only());
    conn.login("user", "pass", T).await.expect("login");
    assert_eq!(conn.enabled().iter().collect::<Vec<_>>(), ["UTF8=ACCEPT"]);
    conn.select("Entwürfe", T).await.expect("SELECT in UTF-8");
    conn.logout().await.expect("logout");

    let conn = builder()
        .connect(server.host(), server.port(), TlsMode::Plaintext, T)
        .await
        .expect("connect");
    conn.login("user", "pass", T)
        .await
        .expect("login despite the refusal");
    let refused = conn.select("INBOX", T).await;
    assert!(
        matches!(&refused, Err(Error::Unsupported(m)) if m.contains("UTF8=ONLY")),
        "{refused:?}"
    );
    conn.logout().await.expect("logout: the script's next line");
    assert_eq!(server.finish(T).await, Vec::<String>::new());
}
