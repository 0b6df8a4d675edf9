//! Session and authentication: AUTHENTICATE PLAIN and LOGIN with and without SASL-IR, LOGIN,
//! ID, ENABLE and the automatic ENABLE of IMAP4rev2, against the real harness Dovecot and
//! Cyrus; the scripted fake server for what neither shows (see the `scripted` module).
//!
//! The server behaviours are scenarios taking the server, each run on Dovecot and on Cyrus by
//! `server_tests!` (`<scenario>::dovecot`, `<scenario>::cyrus`), so AUTHENTICATE PLAIN (with
//! and without SASL-IR) and AUTHENTICATE LOGIN are shown against both. UNAUTHENTICATE runs on
//! Cyrus, which offers it to its administrator (verified: not to ordinary users, and Dovecot 2.3 not at all).

use daaki_imap::proto::encode::encode_authenticate_response;
use daaki_imap::types::response::ResponseCode;
use daaki_imap::{ConnectionState, Error, ImapConnection, TlsMode, TrustRoots};
use daaki_imap_tests::client::{T, connect, login};
use daaki_imap_tests::harness::{ServerKind, TestServer, shared_server};
use daaki_imap_tests::proxy::Recorder;
use daaki_imap_tests::server_tests;

/// `data` in base64, as a client line of an AUTHENTICATE exchange carries it.
fn b64(data: &[u8]) -> String {
    let line = encode_authenticate_response(data);
    String::from_utf8(line)
        .expect("base64 is ASCII")
        .trim_end()
        .to_owned()
}

/// A plaintext connection through a recording relay, with `ignored` capabilities hidden.
async fn recorded(server: &dyn TestServer, ignored: &[&str]) -> (ImapConnection, Recorder) {
    let recorder = Recorder::start(server.plain_port()).await;
    let pem = std::fs::read(server.ca_cert_path()).expect("read the test CA");
    let mut builder = ImapConnection::builder()
        .trust_roots(TrustRoots::None)
        .add_root_pem(&pem)
        .expect("test CA");
    for cap in ignored {
        builder = builder.ignore_capability(cap);
    }
    let conn = builder
        .connect(server.host(), recorder.port(), TlsMode::Plaintext, T)
        .await
        .expect("connect through the relay");
    (conn, recorder)
}

/// The client's lines as sent (tags included), without CRLF.
fn lines(recorder: &Recorder) -> Vec<String> {
    recorder
        .client_text()
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| l.to_owned())
        .collect()
}

/// AUTHENTICATE PLAIN: with SASL-IR the credentials ride in the command line; without it
/// they follow the server's empty challenge. Both log in.
async fn authenticate_plain_with_and_without_sasl_ir(server: &'static dyn TestServer) {
    let user = server.new_user(2);
    let credentials = b64(format!("\0{}\0{}", user.name, user.password).as_bytes());

    let (conn, recorder) = recorded(server, &[]).await;
    assert!(
        conn.capabilities().has("SASL-IR"),
        "the server offers SASL-IR"
    );
    conn.authenticate_plain(&user.name, &user.password, T)
        .await
        .expect("AUTHENTICATE PLAIN with SASL-IR");
    assert!(conn.state().is_authenticated());
    assert_eq!(conn.select("INBOX", T).await.expect("SELECT").exists, 2);
    let sent = lines(&recorder);
    assert!(
        sent.iter()
            .any(|l| l.ends_with(&format!("AUTHENTICATE PLAIN {credentials}"))),
        "{sent:?}"
    );

    let (conn, recorder) = recorded(server, &["SASL-IR"]).await;
    conn.authenticate_plain(&user.name, &user.password, T)
        .await
        .expect("AUTHENTICATE PLAIN after a challenge");
    assert!(conn.state().is_authenticated());
    let sent = lines(&recorder);
    let at = sent
        .iter()
        .position(|l| l.ends_with("AUTHENTICATE PLAIN"))
        .unwrap_or_else(|| panic!("no bare AUTHENTICATE PLAIN in {sent:?}"));
    assert_eq!(sent.get(at + 1), Some(&credentials), "{sent:?}");
}

/// AUTHENTICATE LOGIN answers the user-name and password challenges in turn.
async fn authenticate_login_answers_both_challenges(server: &'static dyn TestServer) {
    let user = server.new_user(1);
    let (conn, recorder) = recorded(server, &[]).await;
    conn.authenticate_login(&user.name, &user.password, T)
        .await
        .expect("AUTHENTICATE LOGIN");
    assert_eq!(conn.state(), ConnectionState::Authenticated);
    assert_eq!(conn.select("INBOX", T).await.expect("SELECT").exists, 1);
    let sent = lines(&recorder);
    let at = sent
        .iter()
        .position(|l| l.ends_with("AUTHENTICATE LOGIN"))
        .unwrap_or_else(|| panic!("{sent:?}"));
    assert_eq!(sent.get(at + 1), Some(&b64(user.name.as_bytes())));
    assert_eq!(sent.get(at + 2), Some(&b64(user.password.as_bytes())));
}

/// Wrong credentials: a typed `[AUTHENTICATIONFAILED]` NO for LOGIN and for AUTHENTICATE;
/// the connection stays usable and the right password then works. (Two failures only:
/// Dovecot's anvil doubles a delay per failed attempt from one address — 2 s, 4 s, 8 s —
/// for every test of this binary.)
async fn wrong_credentials_are_authenticationfailed(server: &'static dyn TestServer) {
    let user = server.new_user(0);
    let conn = connect(server, TlsMode::Plaintext).await;
    let attempts = [
        conn.login(&user.name, "wrong", T).await,
        conn.authenticate_plain(&user.name, "wrong", T).await,
    ];
    // Cyrus 3.6 says NO without a code.
    let expected = match server.kind() {
        ServerKind::Dovecot => Some(&ResponseCode::AuthenticationFailed),
        ServerKind::Cyrus => None,
    };
    for result in attempts {
        match result {
            Err(ref e @ Error::No { .. }) => assert_eq!(e.response_code(), expected, "{e:?}"),
            other => panic!("wrong password: {other:?}"),
        }
    }
    assert_eq!(conn.state(), ConnectionState::NotAuthenticated);
    conn.login(&user.name, &user.password, T)
        .await
        .expect("the right password");
    assert!(conn.state().is_authenticated());
}

/// ID: the server names itself; `NIL` from the client is fine too.
async fn id_exchanges_identification(server: &'static dyn TestServer) {
    let user = server.new_user(0);
    let conn = login(server, &user, TlsMode::Plaintext).await;
    let fields = conn
        .id(Some(&[("name", "daaki-imap-tests"), ("version", "1")]), T)
        .await
        .expect("ID")
        .expect("the server identifies itself");
    let name = fields
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("name"))
        .and_then(|(_, v)| v.clone());
    let expected = match server.kind() {
        ServerKind::Dovecot => "Dovecot",
        ServerKind::Cyrus => "Cyrus IMAPD",
    };
    assert_eq!(name.as_deref(), Some(expected), "{fields:?}");
    assert!(conn.id(None, T).await.expect("ID NIL").is_some());
}

/// ENABLE returns what the server enabled (unknown names are ignored by the server), and a
/// rev1 server gets no automatic ENABLE after login.
async fn enable_reports_what_was_enabled(server: &'static dyn TestServer) {
    let user = server.new_user(0);
    let (conn, recorder) = recorded(server, &[]).await;
    conn.login(&user.name, &user.password, T)
        .await
        .expect("login");
    assert!(
        !recorder.client_text().contains("ENABLE"),
        "no IMAP4rev2 / UTF8=ACCEPT offered: nothing to enable automatically"
    );
    let enabled = conn
        .enable(&["CONDSTORE", "X-DAAKI-UNKNOWN"], T)
        .await
        .expect("ENABLE");
    assert_eq!(enabled, vec!["CONDSTORE".to_owned()]);
    assert!(matches!(
        conn.enable(&["bad atom"], T).await,
        Err(Error::InvalidInput(_))
    ));
}

/// Mechanisms and commands the server does not offer are refused before anything is sent.
async fn unoffered_mechanisms_and_unauthenticate_are_refused_locally(
    server: &'static dyn TestServer,
) {
    let user = server.new_user(0);
    let (conn, recorder) = recorded(server, &[]).await;
    for result in [
        conn.authenticate_xoauth2(&user.name, "token", T).await,
        conn.authenticate_oauthbearer(&user.name, "localhost", 143, "token", T)
            .await,
    ] {
        assert!(matches!(result, Err(Error::Unsupported(_))), "{result:?}");
    }
    conn.login(&user.name, &user.password, T)
        .await
        .expect("login");
    // Neither server offers UNAUTHENTICATE to an ordinary user.
    assert!(!conn.capabilities().has("UNAUTHENTICATE"));
    assert!(matches!(
        conn.unauthenticate(T).await,
        Err(Error::Unsupported(_))
    ));
    conn.noop(T).await.expect("NOOP");
    assert!(conn.state().is_authenticated());
    assert!(!recorder.client_text().contains("UNAUTHENTICATE"));
    assert!(!recorder.client_text().contains("XOAUTH2"));
    assert!(!recorder.client_text().contains("OAUTHBEARER"));
}

/// UNAUTHENTICATE (RFC 8437) where the server offers it — Cyrus, to its administrator
/// only: the session returns to not-authenticated, forgets what was ENABLEd, and another
/// user can log in on the same connection and sees their own mail.
async fn unauthenticate_returns_to_not_authenticated(server: &'static dyn TestServer) {
    let (name, password) = server
        .admin()
        .expect("UNAUTHENTICATE is offered to the administrator only");
    let user = server.new_user(3);
    let conn = connect(server, TlsMode::Plaintext).await;
    conn.login(name, password, T).await.expect("admin login");
    assert!(
        conn.capabilities().has("UNAUTHENTICATE"),
        "{:?}",
        conn.capabilities()
    );
    conn.enable(&["CONDSTORE"], T).await.expect("ENABLE");
    conn.unauthenticate(T).await.expect("UNAUTHENTICATE");
    assert_eq!(conn.state(), ConnectionState::NotAuthenticated);
    conn.login(&user.name, &user.password, T)
        .await
        .expect("login as another user on the same connection");
    assert_eq!(conn.select("INBOX", T).await.expect("SELECT").exists, 3);
}

server_tests!(
    authenticate_plain_with_and_without_sasl_ir,
    authenticate_login_answers_both_challenges,
    wrong_credentials_are_authenticationfailed,
    id_exchanges_identification,
    enable_reports_what_was_enabled,
    unoffered_mechanisms_and_unauthenticate_are_refused_locally,
);

/// Cyrus only: Dovecot 2.3 has no UNAUTHENTICATE (its refusal, before sending, is in
/// `unoffered_mechanisms_and_unauthenticate_are_refused_locally::dovecot`).
#[tokio::test]
async fn cyrus_admin_unauthenticate_returns_to_not_authenticated() {
    unauthenticate_returns_to_not_authenticated(shared_server(ServerKind::Cyrus)).await;
}

/// Scripted sessions for what neither harness server shows: neither offers XOAUTH2 nor
/// OAUTHBEARER (so no OAuth failure continuation), Dovecot never advertises LOGINDISABLED on
/// loopback (Cyrus does, but only after login), and the UNAUTHENTICATE exchange with a
/// re-ENABLE is shown in full here. Each exchange is written from its RFC (7628, 8437, 3501
/// §6.2.3) or, for XOAUTH2, Google's protocol description.
mod scripted {
    use super::b64;
    use daaki_imap::{ConnectionState, Error, TlsMode};
    use daaki_imap_tests::client::T;
    use daaki_imap_tests::fake::{FakeServer, Step};

    const JSON_400: &str =
        r#"{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}"#;
    const JSON_INVALID: &str = r#"{"status":"invalid_token","scope":"example_scope","openid-configuration":"https://example.com/.well-known/openid-configuration"}"#;

    #[tokio::test]
    async fn xoauth2_failure_challenge_is_answered_empty_and_surfaced_typed() {
        let ir = b64(b"user=alice@example.com\x01auth=Bearer expired-token\x01\x01");
        let server = FakeServer::start(vec![vec![
            Step::send("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] fake\r\n"),
            Step::expect(&format!("AUTHENTICATE XOAUTH2 {ir}")),
            Step::send(format!("+ {}\r\n", b64(JSON_400.as_bytes()))),
            // Google: "the client should send an empty response".
            Step::expect_line(""),
            Step::send("{tag1} NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)\r\n"),
            Step::expect("NOOP"),
            Step::send("{tag} OK still here\r\n"),
        ]])
        .await;
        let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
        let result = conn
            .authenticate_xoauth2("alice@example.com", "expired-token", T)
            .await;
        match result {
            Err(Error::OAuth { error, code, text }) => {
                assert_eq!(error.status.as_deref(), Some("400"));
                assert_eq!(error.schemes.as_deref(), Some("Bearer"));
                assert_eq!(error.scope.as_deref(), Some("https://mail.google.com/"));
                assert_eq!(error.raw, JSON_400);
                assert_eq!(
                    code,
                    Some(daaki_imap::types::response::ResponseCode::AuthenticationFailed)
                );
                assert_eq!(text, "Invalid credentials (Failure)");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(conn.state(), ConnectionState::NotAuthenticated);
        conn.noop(T).await.expect("the connection goes on");
        assert_eq!(server.finish(T).await, Vec::<String>::new());
    }

    #[tokio::test]
    async fn oauthbearer_without_sasl_ir_sends_gs2_message_then_dummy_on_error() {
        // RFC 7628 §4.3, without SASL-IR: the client-first message follows an empty
        // challenge; the error challenge is answered with %x01 (`AQ==`).
        let first = b64(
            b"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01",
        );
        let server = FakeServer::start(vec![vec![
            Step::send("* OK [CAPABILITY IMAP4rev1 AUTH=OAUTHBEARER] fake\r\n"),
            Step::expect_line("A1 AUTHENTICATE OAUTHBEARER"),
            Step::send("+ \r\n"),
            Step::expect_line(&first),
            Step::send(format!("+ {}\r\n", b64(JSON_INVALID.as_bytes()))),
            Step::expect_line("AQ=="),
            Step::send("A1 NO SASL authentication failed\r\n"),
        ]])
        .await;
        let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
        let result = conn
            .authenticate_oauthbearer(
                "user@example.com",
                "server.example.com",
                143,
                "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==",
                T,
            )
            .await;
        match result {
            Err(Error::OAuth { error, code, text }) => {
                assert_eq!(error.status.as_deref(), Some("invalid_token"));
                assert_eq!(error.scope.as_deref(), Some("example_scope"));
                assert_eq!(
                    error.openid_configuration.as_deref(),
                    Some("https://example.com/.well-known/openid-configuration")
                );
                assert_eq!(code, None);
                assert_eq!(text, "SASL authentication failed");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(server.finish(T).await, Vec::<String>::new());
    }

    #[tokio::test]
    async fn oauthbearer_success_with_sasl_ir_is_one_line() {
        let first =
            b64(b"n,a=bob,\x01host=imap.example.org\x01port=993\x01auth=Bearer tok\x01\x01");
        let server = FakeServer::start(vec![vec![
            Step::send("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=OAUTHBEARER] fake\r\n"),
            Step::expect_line(&format!("A1 AUTHENTICATE OAUTHBEARER {first}")),
            Step::send("A1 OK [CAPABILITY IMAP4rev1 IDLE] authenticated\r\n"),
            Step::expect("LOGOUT"),
            Step::send("* BYE\r\n{tag} OK bye\r\n"),
        ]])
        .await;
        let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
        conn.authenticate_oauthbearer("bob", "imap.example.org", 993, "tok", T)
            .await
            .expect("OAUTHBEARER");
        assert_eq!(conn.state(), ConnectionState::Authenticated);
        assert!(conn.capabilities().has("IDLE"), "capabilities from the OK");
        conn.logout().await.expect("logout");
        assert_eq!(server.finish(T).await, Vec::<String>::new());
    }

    #[tokio::test]
    async fn a_challenge_plain_cannot_answer_cancels_the_exchange() {
        // PLAIN says everything in its first message; a server asking for more gets `*`.
        let server = FakeServer::start(vec![vec![
            Step::send("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] fake\r\n"),
            Step::expect("AUTHENTICATE PLAIN"),
            Step::send("+ bW9yZT8=\r\n"),
            Step::expect_line("*"),
            Step::send("{tag} BAD AUTHENTICATE cancelled\r\n"),
        ]])
        .await;
        let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
        assert!(matches!(
            conn.authenticate_plain("u", "p", T).await,
            Err(Error::Bad { .. })
        ));
        assert_eq!(server.finish(T).await, Vec::<String>::new());
    }

    #[tokio::test]
    async fn logindisabled_refuses_login_without_sending_it() {
        // RFC 3501 §6.2.3. The greeting carries no capabilities: the client asks first.
        let server = FakeServer::start(vec![vec![
            Step::send("* OK fake ready\r\n"),
            Step::expect("CAPABILITY"),
            Step::send("* CAPABILITY IMAP4rev1 LOGINDISABLED AUTH=PLAIN\r\n{tag} OK done\r\n"),
            Step::expect("AUTHENTICATE PLAIN"),
            Step::send("+ \r\n"),
            Step::expect_line(&b64(b"\0u\0p")),
            Step::send("{tag} OK welcome\r\n"),
        ]])
        .await;
        let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
        assert!(matches!(
            conn.login("u", "p", T).await,
            Err(Error::Unsupported(_))
        ));
        assert!(
            !server.cleartext().contains("LOGIN "),
            "{}",
            server.cleartext()
        );
        conn.authenticate_plain("u", "p", T)
            .await
            .expect("AUTHENTICATE is still allowed");
        assert_eq!(server.finish(T).await, Vec::<String>::new());
        assert!(!server.cleartext().contains(" LOGIN "));
    }

    #[tokio::test]
    async fn unauthenticate_returns_to_not_authenticated_and_allows_a_new_login() {
        // RFC 8437 §3: after OK the session is not authenticated; ENABLEd extensions are
        // forgotten.
        let server = FakeServer::start(vec![vec![
            Step::send("* OK [CAPABILITY IMAP4rev1 ENABLE] fake\r\n"),
            Step::expect("LOGIN alice"),
            Step::send("{tag} OK [CAPABILITY IMAP4rev1 ENABLE UNAUTHENTICATE CONDSTORE] in\r\n"),
            Step::expect("ENABLE CONDSTORE"),
            Step::send("* ENABLED CONDSTORE\r\n{tag} OK enabled\r\n"),
            Step::expect("SELECT INBOX"),
            Step::send("* 0 EXISTS\r\n{tag} OK [READ-WRITE] selected\r\n"),
            Step::expect("UNAUTHENTICATE"),
            Step::send("{tag} OK [CAPABILITY IMAP4rev1 ENABLE] logged out\r\n"),
            Step::expect("LOGIN bob"),
            Step::send("{tag} OK in again\r\n"),
            Step::expect("LOGOUT"),
            Step::send("* BYE\r\n{tag} OK bye\r\n"),
        ]])
        .await;
        let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
        conn.login("alice", "p", T).await.expect("login");
        conn.enable(&["CONDSTORE"], T).await.expect("enable");
        conn.select("INBOX", T).await.expect("select");
        conn.unauthenticate(T).await.expect("UNAUTHENTICATE");
        assert_eq!(conn.state(), ConnectionState::NotAuthenticated);
        assert!(!conn.capabilities().has("UNAUTHENTICATE"));
        conn.login("bob", "p", T).await.expect("login again");
        assert_eq!(conn.state(), ConnectionState::Authenticated);
        conn.logout().await.expect("logout");
        assert_eq!(server.finish(T).await, Vec::<String>::new());
    }

    #[tokio::test]
    async fn id_with_nil_values_and_nil_answer() {
        // RFC 2971 §3.3: the server may answer NIL, and values may be NIL.
        let server = FakeServer::start(vec![vec![
            Step::send("* OK [CAPABILITY IMAP4rev1 ID] fake\r\n"),
            Step::expect("ID (\"name\" \"x\")"),
            Step::send("* ID (\"name\" \"Fake\" \"vendor\" NIL)\r\n{tag} OK\r\n"),
            Step::expect("ID NIL"),
            Step::send("* ID NIL\r\n{tag} OK\r\n"),
        ]])
        .await;
        let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
        let fields = conn.id(Some(&[("name", "x")]), T).await.expect("ID");
        assert_eq!(
            fields,
            Some(vec![
                ("name".to_owned(), Some("Fake".to_owned())),
                ("vendor".to_owned(), None)
            ])
        );
        assert_eq!(conn.id(None, T).await.expect("ID NIL"), None);
        assert_eq!(server.finish(T).await, Vec::<String>::new());
    }
}
