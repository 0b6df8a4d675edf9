//! NOTIFY (RFC 5465) against the real harness Dovecot: changes of *other* mailboxes, made on
//! a second connection, reach the first one as events — during IDLE and from the event queue.

use std::time::Duration;

use daaki_imap::types::MailboxName;
use daaki_imap::{
    Error, IdleEvent, ImapConnection, MailboxFilter, NotifyEvent, NotifyEventGroup,
    NotifySetParams, TlsMode, TypedEvent,
};
use daaki_imap_tests::client::{T, login, login_via};
use daaki_imap_tests::harness::{TestServer, TestUser, seed, shared_dovecot};
use daaki_imap_tests::proxy::Recorder;
use tokio_util::sync::CancellationToken;

fn personal(events: Vec<NotifyEvent>) -> NotifySetParams {
    NotifySetParams::new(
        vec![NotifyEventGroup::new(MailboxFilter::Personal, events)],
        false,
    )
}

fn new_and_expunge() -> Vec<NotifyEvent> {
    vec![
        NotifyEvent::MessageNew {
            fetch_attrs: vec![],
        },
        NotifyEvent::MessageExpunge,
    ]
}

/// IDLE on `conn` until the first event, in a task.
fn idle_task(conn: &ImapConnection) -> tokio::task::JoinHandle<daaki_imap::Result<IdleEvent>> {
    let conn = conn.clone();
    tokio::spawn(async move { conn.idle(T, CancellationToken::new()).await })
}

/// Logs `user` in (plaintext) through a new recording relay, to see when IDLE is accepted.
async fn login_relayed(server: &dyn TestServer, user: &TestUser) -> (ImapConnection, Recorder) {
    let relay = Recorder::start(server.plain_port()).await;
    let conn = login_via(ImapConnection::builder(), server, &relay, user).await;
    (conn, relay)
}

/// Waits until the server has accepted IDLE (its first continuation request on the
/// connection through `relay`): the server watches for changes from then on.
async fn idle_accepted(relay: &Recorder) {
    relay.wait_for_continuations(1, T).await;
}

#[tokio::test]
async fn notify_reports_a_status_change_of_another_mailbox_during_idle() {
    let dovecot = shared_dovecot();
    let user = dovecot.new_user(2);
    let (watcher, relay) = login_relayed(dovecot, &user).await;
    let writer = login(dovecot, &user, TlsMode::Plaintext).await;
    assert!(watcher.capabilities().has("NOTIFY"));
    watcher.select("INBOX", T).await.expect("select");
    watcher
        .notify_set(personal(new_and_expunge()), T)
        .await
        .expect("NOTIFY SET");
    watcher.drain_events().await;

    let idle = idle_task(&watcher);
    idle_accepted(&relay).await;
    writer
        .append("Archive", &[], &seed::message(1), T)
        .await
        .expect("append to Archive");
    let woke = idle.await.expect("idle task").expect("idle");
    let IdleEvent::MailboxStatus { mailbox, items } = woke else {
        panic!("expected a STATUS of Archive, got {woke:?}");
    };
    assert_eq!(mailbox.as_str(), "Archive");
    assert_eq!(items.mailbox.as_ref(), Some(&mailbox));
    assert_eq!(items.messages, Some(1), "{items:?}");
    watcher.noop(T).await.expect("noop after IDLE");
}

#[tokio::test]
async fn notify_set_status_reports_the_initial_state_as_events() {
    let dovecot = shared_dovecot();
    let user = dovecot.new_user(4);
    let conn = login(dovecot, &user, TlsMode::Plaintext).await;
    conn.drain_events().await;
    let archive = MailboxName::new("Archive").expect("name");
    let params = NotifySetParams::new(
        vec![NotifyEventGroup::new(
            MailboxFilter::Mailboxes(vec![MailboxName::new("INBOX").expect("name"), archive]),
            new_and_expunge(),
        )],
        true,
    );
    conn.notify_set(params, T).await.expect("NOTIFY SET STATUS");
    // Queued before notify_set returned: no waiting needed.
    let events = conn.drain_events().await;
    let statuses: Vec<(String, Option<u32>)> = events
        .iter()
        .filter_map(|e| match e {
            TypedEvent::MailboxStatus { mailbox, items } => {
                Some((mailbox.to_string(), items.messages))
            }
            _ => None,
        })
        .collect();
    assert!(
        statuses.contains(&("INBOX".to_owned(), Some(4))),
        "{events:?}"
    );
    assert!(
        statuses.contains(&("Archive".to_owned(), Some(0))),
        "{events:?}"
    );
}

#[tokio::test]
async fn a_mailbox_created_elsewhere_arrives_as_a_mailbox_event() {
    let dovecot = shared_dovecot();
    let user = dovecot.new_user(0);
    let (watcher, relay) = login_relayed(dovecot, &user).await;
    let writer = login(dovecot, &user, TlsMode::Plaintext).await;
    watcher
        .notify_set(personal(vec![NotifyEvent::MailboxName]), T)
        .await
        .expect("NOTIFY SET");
    watcher.drain_events().await;

    // During IDLE.
    let idle = idle_task(&watcher);
    idle_accepted(&relay).await;
    writer.create("Projects", T).await.expect("create");
    let woke = idle.await.expect("idle task").expect("idle");
    assert!(
        matches!(&woke, IdleEvent::MailboxEvent(info) if info.name.as_str() == "Projects"),
        "{woke:?}"
    );

    // Outside IDLE: from the event queue (Dovecot sends it when it next may).
    watcher.drain_events().await;
    writer.create("Receipts", T).await.expect("create");
    let mut seen = Vec::new();
    for _ in 0..10 {
        watcher.noop(T).await.expect("noop");
        seen.extend(watcher.drain_events().await);
        if seen.iter().any(
            |e| matches!(e, TypedEvent::MailboxEvent(info) if info.name.as_str() == "Receipts"),
        ) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let found = seen
        .iter()
        .any(|e| matches!(e, TypedEvent::MailboxEvent(info) if info.name.as_str() == "Receipts"));
    assert!(found, "no LIST for Receipts; saw {seen:?}");
}

#[tokio::test]
async fn notify_none_stops_notifications() {
    let dovecot = shared_dovecot();
    let user = dovecot.new_user(0);
    let watcher = login(dovecot, &user, TlsMode::Plaintext).await;
    let writer = login(dovecot, &user, TlsMode::Plaintext).await;
    watcher
        .notify_set(personal(new_and_expunge()), T)
        .await
        .expect("NOTIFY SET");
    watcher.notify_none(T).await.expect("NOTIFY NONE");
    watcher.drain_events().await;
    writer
        .append("Archive", &[], &seed::message(1), T)
        .await
        .expect("append");
    // IDLE in the authenticated state: nothing can end it but its time.
    let ended = watcher
        .idle(Duration::from_secs(2), CancellationToken::new())
        .await
        .expect("idle");
    assert_eq!(ended, IdleEvent::Timeout);
    watcher.noop(T).await.expect("noop");
    let events = watcher.drain_events().await;
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, TypedEvent::MailboxStatus { .. })),
        "{events:?}"
    );
    // An empty SET is NOTIFY NONE too (the seed's overflow recovery).
    watcher
        .notify_set(NotifySetParams::new(vec![], false), T)
        .await
        .expect("empty NOTIFY SET");
}

#[tokio::test]
async fn invalid_notify_params_fail_before_anything_is_sent() {
    let dovecot = shared_dovecot();
    let user = dovecot.new_user(0);
    let conn = login(dovecot, &user, TlsMode::Plaintext).await;
    let empty_filter = NotifySetParams::new(
        vec![NotifyEventGroup::new(
            MailboxFilter::Subtree(vec![]),
            new_and_expunge(),
        )],
        false,
    );
    let err = conn.notify_set(empty_filter, T).await.expect_err("invalid");
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    conn.noop(T).await.expect("noop");
}

#[tokio::test]
async fn notify_is_unsupported_where_the_server_does_not_advertise_it() {
    let dovecot = shared_dovecot();
    let user = dovecot.new_user(0);
    let pem = std::fs::read(dovecot.ca_cert_path()).expect("CA");
    let conn = ImapConnection::builder()
        .ignore_capability("NOTIFY")
        .trust_roots(daaki_imap::TrustRoots::None)
        .add_root_pem(&pem)
        .expect("pem")
        .connect(dovecot.host(), dovecot.plain_port(), TlsMode::Plaintext, T)
        .await
        .expect("connect");
    conn.login(&user.name, &user.password, T)
        .await
        .expect("login");
    let err = conn
        .notify_set(personal(new_and_expunge()), T)
        .await
        .expect_err("unsupported");
    assert!(matches!(err, Error::Unsupported(_)), "{err:?}");
    let err = conn.notify_none(T).await.expect_err("unsupported");
    assert!(matches!(err, Error::Unsupported(_)), "{err:?}");
}

/// The seed README's NOTIFY example, verbatim inside a function, run against Dovecot: an
/// APPEND to Archive on another connection ends its IDLE with `MailboxStatus`.
#[tokio::test]
async fn the_seed_notify_example_runs() {
    async fn example(conn: &ImapConnection) -> daaki_imap::Result<()> {
        let timeout = Duration::from_secs(30);
        let params = NotifySetParams::new(
            vec![
                NotifyEventGroup::new(
                    MailboxFilter::Personal,
                    vec![
                        NotifyEvent::MessageNew {
                            fetch_attrs: vec![],
                        },
                        NotifyEvent::MessageExpunge,
                    ],
                ),
                NotifyEventGroup::new(
                    MailboxFilter::Selected,
                    vec![
                        NotifyEvent::MessageNew {
                            fetch_attrs: vec![],
                        },
                        NotifyEvent::MessageExpunge,
                        NotifyEvent::FlagChange,
                    ],
                ),
            ],
            true,
        );
        conn.notify_set(params, timeout).await?;
        let cancel = CancellationToken::new();
        match conn.idle(Duration::from_secs(300), cancel.clone()).await? {
            IdleEvent::MailboxStatus { mailbox, items } => {
                println!("status changed for {mailbox}: {items:?}");
            }
            IdleEvent::MailboxEvent(info) => {
                println!("mailbox event: {}", info.name);
            }
            IdleEvent::MetadataChange { mailbox, entries } => {
                println!("metadata changed for {mailbox}: {entries:?}");
            }
            IdleEvent::NotificationOverflow { .. } => {
                conn.notify_set(NotifySetParams::new(vec![], false), timeout)
                    .await?;
            }
            _ => {}
        }
        conn.notify_none(timeout).await?;
        Ok(())
    }

    let dovecot = shared_dovecot();
    let user = dovecot.new_user(1);
    let (conn, relay) = login_relayed(dovecot, &user).await;
    let writer = login(dovecot, &user, TlsMode::Plaintext).await;
    conn.select("INBOX", T).await.expect("select");
    let run = tokio::spawn({
        let conn = conn.clone();
        async move { example(&conn).await }
    });
    // NOTIFY SET STATUS queues the initial STATUS of every mailbox as events, which do not end
    // the IDLE that follows; wait for the server to accept it, then change Archive.
    idle_accepted(&relay).await;
    writer
        .append("Archive", &[], &seed::message(1), T)
        .await
        .expect("append");
    tokio::time::timeout(T, run)
        .await
        .expect("the example ends on the STATUS change")
        .expect("example task")
        .expect("example");
    let initial = conn.drain_events().await;
    assert!(
        initial
            .iter()
            .any(|e| matches!(e, TypedEvent::MailboxStatus { mailbox, .. } if mailbox.as_str() == "Archive")),
        "the initial STATUS of NOTIFY SET STATUS were queued as events: {initial:?}"
    );
}
