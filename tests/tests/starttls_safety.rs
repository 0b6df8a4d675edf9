//! STARTTLS safety: the client never sends credentials in the clear, and never trusts bytes
//! that were not protected by TLS.
//!
//! These tests use the scripted fake server (`daaki_imap_tests::fake`) because no real server
//! misbehaves on demand: one that does not offer STARTTLS, refuses it, or pipelines bytes
//! after `OK Begin TLS` (the STARTTLS command-injection attack, CVE-2011-0411 and its IMAP
//! relatives) — the attacker here being a man in the middle who can write to the plain TCP
//! stream. The successful STARTTLS path is tested against the real Dovecot in `client_core.rs`.
//!
//! `LOGINDISABLED` is tested with the fake server only: Dovecot does not advertise it to
//! clients on 127.0.0.1 (it counts loopback connections as secure), so the harness cannot show
//! it.

use daaki_imap::{Error, TlsMode, TypedEvent};
use daaki_imap_tests::client::T;
use daaki_imap_tests::fake::{FakeServer, Step};

/// Greeting of a fake server that offers STARTTLS and refuses LOGIN before it.
const GREETING_STARTTLS: &str =
    "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] fake server ready\r\n";

/// Capabilities the fake server announces once TLS is on.
const POST_TLS_CAPS: &str = "* CAPABILITY IMAP4rev1 AUTH=PLAIN IDLE POSTTLS\r\n";

fn assert_no_credentials(text: &str) {
    let upper = text.to_ascii_uppercase();
    assert!(
        !upper.contains("LOGIN ") && !upper.contains("AUTHENTICATE"),
        "credentials crossed the wire in the clear: {text:?}"
    );
}

/// The lines the client sent, without their tags.
fn commands(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split_once(' ').map_or(l, |(_, rest)| rest).to_owned())
        .collect()
}

#[tokio::test]
async fn starttls_mode_refuses_a_server_that_does_not_offer_starttls() {
    let server = FakeServer::start(vec![vec![
        Step::send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] no TLS here\r\n"),
        Step::Stall,
    ]])
    .await;
    let result = server.connect(TlsMode::StartTls).await;
    assert!(
        matches!(result, Err(Error::Unsupported(_))),
        "{:?}",
        result.err()
    );
    assert!(server.finish(T).await.is_empty());
    // The greeting carried the capabilities: the client sent nothing at all.
    assert_eq!(server.cleartext(), "");
}

#[tokio::test]
async fn starttls_mode_asks_for_capabilities_and_refuses_when_starttls_is_missing() {
    let server = FakeServer::start(vec![vec![
        Step::send("* OK fake server ready\r\n"),
        Step::expect("CAPABILITY"),
        Step::send("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n{tag} OK done\r\n"),
        Step::Stall,
    ]])
    .await;
    let result = server.connect(TlsMode::StartTls).await;
    assert!(
        matches!(result, Err(Error::Unsupported(_))),
        "{:?}",
        result.err()
    );
    assert!(server.finish(T).await.is_empty());
    assert_eq!(commands(&server.cleartext()), vec!["CAPABILITY"]);
}

#[tokio::test]
async fn starttls_mode_refuses_a_preauth_greeting_without_starttls() {
    // A man in the middle answering PREAUTH hopes the client skips TLS (CVE-2014-2567 style).
    let server = FakeServer::start(vec![vec![
        Step::send("* PREAUTH [CAPABILITY IMAP4rev1] logged in already\r\n"),
        Step::Stall,
    ]])
    .await;
    let result = server.connect(TlsMode::StartTls).await;
    assert!(
        matches!(result, Err(Error::Unsupported(_))),
        "{:?}",
        result.err()
    );
    assert!(server.finish(T).await.is_empty());
    assert_eq!(server.cleartext(), "");
}

#[tokio::test]
async fn a_refused_starttls_fails_connect_and_sends_nothing_else() {
    for answer in ["NO [UNAVAILABLE] TLS is broken today", "BAD not now"] {
        let server = FakeServer::start(vec![vec![
            Step::send(GREETING_STARTTLS),
            Step::expect("STARTTLS"),
            Step::send(format!("{{tag}} {answer}\r\n")),
            Step::Stall,
        ]])
        .await;
        let result = server.connect(TlsMode::StartTls).await;
        match (answer.split(' ').next(), &result) {
            (Some("NO"), Err(Error::No { text, .. })) => assert_eq!(text, "TLS is broken today"),
            (Some("BAD"), Err(Error::Bad { text, .. })) => assert_eq!(text, "not now"),
            _ => panic!("{answer}: {:?}", result.err()),
        }
        assert!(server.finish(T).await.is_empty());
        assert_eq!(commands(&server.cleartext()), vec!["STARTTLS"]);
    }
}

/// The server's `OK Begin TLS` and, in the same write, bytes a man in the middle injected:
/// an untagged CAPABILITY, an untagged event, and a tagged OK for the client's *next* command
/// (the CAPABILITY it sends under TLS, tag `A2`) with a capability code of its own.
const INJECTED: &str = "* CAPABILITY IMAP4rev1 AUTH=PLAIN INJECTED\r\n\
                        * 666 EXISTS\r\n\
                        A2 OK [CAPABILITY IMAP4rev1 INJECTED] injected completion\r\n";

#[tokio::test]
async fn bytes_injected_after_starttls_ok_are_discarded() {
    let server = FakeServer::start(vec![vec![
        Step::send(GREETING_STARTTLS),
        Step::expect("STARTTLS"),
        Step::send(format!(
            "{{tag}} OK Begin TLS negotiation now\r\n{INJECTED}"
        )),
        Step::StartTls,
        Step::expect("CAPABILITY"),
        Step::send(format!("{POST_TLS_CAPS}{{tag}} OK capability done\r\n")),
        Step::expect("NOOP"),
        Step::send("{tag} OK noop done\r\n"),
        Step::Stall,
    ]])
    .await;
    let conn = server
        .connect(TlsMode::StartTls)
        .await
        .expect("STARTTLS with injected bytes still connects");
    let caps = conn.capabilities();
    assert!(caps.has("POSTTLS") && caps.has("IDLE"), "{caps:?}");
    assert!(
        !caps.has("INJECTED"),
        "injected capabilities were used: {caps:?}"
    );
    assert!(
        !caps.has("LOGINDISABLED") && !caps.has("STARTTLS"),
        "capabilities from before TLS survived: {caps:?}"
    );
    conn.noop(T).await.expect("the session goes on under TLS");
    let events = conn.drain_events().await;
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, TypedEvent::Exists(666) | TypedEvent::Capabilities(_))),
        "injected data surfaced as events: {events:?}"
    );
    drop(conn);
    assert!(server.finish(T).await.is_empty());
    assert_eq!(commands(&server.cleartext()), vec!["STARTTLS"]);
    assert_eq!(commands(&server.tls_text()), vec!["CAPABILITY", "NOOP"]);
}

#[tokio::test]
async fn bytes_injected_in_a_later_segment_break_the_handshake_instead_of_being_parsed() {
    // Here the injected bytes arrive after the client has read the OK and started the TLS
    // handshake: they reach the TLS layer as garbage records, and the handshake fails.
    let server = FakeServer::start(vec![vec![
        Step::send(GREETING_STARTTLS),
        Step::expect("STARTTLS"),
        Step::send("{tag} OK Begin TLS negotiation now\r\n"),
        Step::Sleep(std::time::Duration::from_millis(200)),
        Step::send(INJECTED),
        Step::StartTls,
        Step::expect("CAPABILITY"),
        Step::send(format!("{POST_TLS_CAPS}{{tag}} OK capability done\r\n")),
        Step::Stall,
    ]])
    .await;
    match server.connect(TlsMode::StartTls).await {
        Err(Error::Tls(_) | Error::Io(_)) => {}
        Err(other) => panic!("expected a TLS failure, got {other:?}"),
        Ok(conn) => {
            // Only acceptable if the injected bytes were discarded all the same.
            let caps = conn.capabilities();
            assert!(
                caps.has("POSTTLS") && !caps.has("INJECTED"),
                "injected data was parsed: {caps:?}"
            );
        }
    }
    assert_no_credentials(&server.cleartext());
}

#[tokio::test]
async fn login_is_refused_locally_when_the_server_says_logindisabled() {
    let server = FakeServer::start(vec![vec![
        Step::send("* OK [CAPABILITY IMAP4rev1 LOGINDISABLED AUTH=PLAIN] plain port\r\n"),
        Step::expect("NOOP"),
        Step::send("{tag} OK noop done\r\n"),
        Step::Stall,
    ]])
    .await;
    let conn = server
        .connect(TlsMode::Plaintext)
        .await
        .expect("plaintext connect");
    let result = conn.login("user", "secret-password", T).await;
    assert!(
        matches!(result, Err(Error::Unsupported(_))),
        "{:?}",
        result.err()
    );
    // The connection is fine; only LOGIN was refused.
    conn.noop(T).await.expect("noop after the refused login");
    drop(conn);
    assert!(server.finish(T).await.is_empty());
    let sent = server.client_text();
    assert_eq!(commands(&sent), vec!["NOOP"]);
    assert!(!sent.contains("secret-password"), "{sent:?}");
}

#[tokio::test]
async fn logindisabled_learned_from_capability_is_respected() {
    let server = FakeServer::start(vec![vec![
        Step::send("* OK fake server ready\r\n"),
        Step::expect("CAPABILITY"),
        Step::send("* CAPABILITY IMAP4rev1 LOGINDISABLED STARTTLS\r\n{tag} OK done\r\n"),
        Step::Stall,
    ]])
    .await;
    let conn = server
        .connect(TlsMode::Plaintext)
        .await
        .expect("plaintext connect");
    conn.capability(T).await.expect("capability");
    let result = conn.login("user", "secret-password", T).await;
    assert!(
        matches!(result, Err(Error::Unsupported(_))),
        "{:?}",
        result.err()
    );
    drop(conn);
    assert!(server.finish(T).await.is_empty());
    assert_eq!(commands(&server.client_text()), vec!["CAPABILITY"]);
}

#[tokio::test]
async fn nothing_received_before_tls_reaches_the_application() {
    // A man in the middle can write anything before the handshake: an ALERT to show the user,
    // or fake mailbox news. None of it may surface once the session is protected.
    let server = FakeServer::start(vec![vec![
        Step::send("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n* 3 EXISTS\r\n"),
        Step::expect("STARTTLS"),
        Step::send(
            "* OK [ALERT] Your password expired: re-enter it at evil.example\r\n\
             {tag} OK Begin TLS negotiation now\r\n",
        ),
        Step::StartTls,
        Step::expect("CAPABILITY"),
        Step::send(format!("{POST_TLS_CAPS}{{tag}} OK capability done\r\n")),
        Step::Stall,
    ]])
    .await;
    let conn = server
        .connect(TlsMode::StartTls)
        .await
        .expect("STARTTLS connect");
    let events = conn.drain_events().await;
    assert!(events.is_empty(), "cleartext data surfaced: {events:?}");
    drop(conn);
    assert!(server.finish(T).await.is_empty());
}
