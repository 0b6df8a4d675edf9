//! Any state and not authenticated: commands without arguments, LOGIN, AUTHENTICATE.

use super::*;

#[test]
fn commands_without_arguments() {
    use CommandBody as C;
    for (body, wire) in [
        (C::Capability, "CAPABILITY"),
        (C::Noop, "NOOP"),
        (C::Logout, "LOGOUT"),
        (C::StartTls, "STARTTLS"),
        (C::Namespace, "NAMESPACE"),
        (C::Idle, "IDLE"),
        (C::Check, "CHECK"),
        (C::Close, "CLOSE"),
        (C::Unselect, "UNSELECT"),
        (C::Expunge, "EXPUNGE"),
        (C::Unauthenticate, "UNAUTHENTICATE"),
        (C::Compress, "COMPRESS DEFLATE"),
    ] {
        kat(body, wire);
    }
    assert_eq!(encode_idle_done(), b"DONE\r\n");
}

#[test]
fn login_chooses_atom_quoted_or_literal_per_argument() {
    kat(
        CommandBody::login("alice", "hunter2").unwrap(),
        "LOGIN alice hunter2",
    );
    kat(
        CommandBody::login("alice@example.com", "pa ss\"\\").unwrap(),
        r#"LOGIN alice@example.com "pa ss\"\\""#,
    );
    kat(CommandBody::login("", "").unwrap(), r#"LOGIN "" """#);
    // 8-bit and CR/LF passwords go in literals.
    kat_with(
        &PLAIN,
        CommandBody::login("bob", "pässwort").unwrap(),
        "LOGIN bob {9}\r\npässwort".as_bytes(),
        &[15],
    );
    kat_with(
        &PLAIN,
        CommandBody::login("bob", "a\r\nb").unwrap(),
        b"LOGIN bob {4}\r\na\r\nb",
        &[15],
    );
    let utf8 = EncodeOptions {
        utf8: true,
        ..PLAIN
    };
    kat_with(
        &utf8,
        CommandBody::login("bob", "pässwort").unwrap(),
        "LOGIN bob \"pässwort\"".as_bytes(),
        &[],
    );
}

#[test]
fn login_with_nul_fails_without_echoing_the_password() {
    let msg = fails(CommandBody::login("bob", "se\0cret").unwrap(), &PLAIN);
    assert!(!msg.contains("se") && !msg.contains("cret"), "{msg}");
}

#[test]
fn encoded_credentials_are_redacted_in_debug() {
    let login = enc(CommandBody::login("bob", "hunter2").unwrap(), &PLAIN);
    assert!(login.contains_secret());
    let text = format!("{login:?}");
    assert!(!text.contains("hunter2") && !text.contains("bob"), "{text}");
    let auth = enc(
        CommandBody::Authenticate {
            mechanism: AuthMechanism::Plain,
            initial_response: Some(Secret::new(b"\0bob\0hunter2".to_vec())),
        },
        &PLAIN,
    );
    let text = format!("{auth:?}");
    assert!(
        !text.contains("AGJvYgBodW50ZXIy") && text.contains("redacted"),
        "{text}"
    );
    let noop = enc(CommandBody::Noop, &PLAIN);
    assert!(!noop.contains_secret());
    assert!(format!("{noop:?}").contains("A1 NOOP"));
}

#[test]
fn authenticate_with_and_without_initial_response() {
    let auth = |ir: Option<&[u8]>, mechanism| CommandBody::Authenticate {
        mechanism,
        initial_response: ir.map(|d| Secret::new(d.to_vec())),
    };
    kat(auth(None, AuthMechanism::Plain), "AUTHENTICATE PLAIN");
    kat(
        auth(Some(b"\0user\0pass"), AuthMechanism::Plain),
        "AUTHENTICATE PLAIN AHVzZXIAcGFzcw==",
    );
    kat(
        auth(Some(b""), AuthMechanism::Plain),
        "AUTHENTICATE PLAIN =",
    );
    kat(auth(None, AuthMechanism::XOAuth2), "AUTHENTICATE XOAUTH2");
    kat(
        auth(None, AuthMechanism::OAuthBearer),
        "AUTHENTICATE OAUTHBEARER",
    );
    kat(
        auth(None, AuthMechanism::ScramSha256),
        "AUTHENTICATE SCRAM-SHA-256",
    );
    kat(
        auth(None, AuthMechanism::Other(atom("GSSAPI"))),
        "AUTHENTICATE GSSAPI",
    );
    assert_eq!(
        encode_authenticate_response(b"\0user\0pass"),
        b"AHVzZXIAcGFzcw==\r\n"
    );
    assert_eq!(encode_authenticate_response(b""), b"\r\n");
    assert_eq!(encode_authenticate_cancel(), b"*\r\n");
}
