//! RFC 5530 response codes as the real harness servers send them (Dovecot many, Cyrus 3.6
//! almost none): each refusal reaches the
//! caller as an [`Error::No`] whose code is the typed [`ResponseCode`] (through
//! [`Error::response_code`]). Unit tests in `client/src/types/response/status.rs` cover
//! every code of the RFC on the wire; these show the codes a real server sends for real
//! mistakes.

use daaki_imap::types::response::ResponseCode;
use daaki_imap::types::{AclModification, AclRights};
use daaki_imap::types::{SequenceSet, StatusAttr};
use daaki_imap::{Error, TlsMode};
use daaki_imap_tests::client::{T, login};
use daaki_imap_tests::harness::{ServerKind, TestServer};
use daaki_imap_tests::server_tests;

/// The code of a refused call (`None` if it carried none); panics if it was not refused.
fn code_of<T: std::fmt::Debug>(what: &str, result: daaki_imap::Result<T>) -> Option<ResponseCode> {
    match result {
        Err(e @ (Error::No { .. } | Error::Bad { .. })) => e.response_code().cloned(),
        other => panic!("{what}: expected NO, got {other:?}"),
    }
}

/// Mistakes with mailboxes: CREATE of an existing one, DELETE / RENAME / GETACL / SELECT /
/// STATUS of a missing one, RENAME onto an existing one, COPY into a missing one, SETACL
/// without rights. The codes each server sends are listed per server: Dovecot sends RFC 5530
/// codes for most (not for SELECT and STATUS of a missing mailbox); Cyrus 3.6 for few.
async fn mailbox_mistakes_carry_typed_codes(server: &'static dyn TestServer) {
    use ResponseCode as R;
    let user = server.new_user(2);
    let other = server.new_user(0);
    let conn = login(server, &user, TlsMode::Plaintext).await;
    conn.create("Exists", T).await.expect("CREATE");
    let mut observed = vec![
        (
            "CREATE existing",
            code_of("CREATE existing", conn.create("Exists", T).await),
        ),
        (
            "DELETE missing",
            code_of("DELETE missing", conn.delete("Missing", T).await),
        ),
        (
            "RENAME missing",
            code_of("RENAME missing", conn.rename("Missing", "Other", T).await),
        ),
        (
            "RENAME onto existing",
            code_of(
                "RENAME onto existing",
                conn.rename("Exists", "INBOX", T).await,
            ),
        ),
        (
            "GETACL missing",
            code_of("GETACL missing", conn.get_acl("Missing", T).await),
        ),
        (
            "SELECT missing",
            code_of("SELECT missing", conn.select("Missing", T).await),
        ),
        (
            "STATUS missing",
            code_of(
                "STATUS missing",
                conn.status("Missing", &[StatusAttr::Messages], T).await,
            ),
        ),
    ];
    conn.select("INBOX", T).await.expect("SELECT INBOX");
    let set = SequenceSet::new("1").expect("set");
    observed.push((
        "COPY to missing",
        code_of("COPY to missing", conn.copy(&set, "Missing", T).await),
    ));

    // The other user's mailbox: no rights to change its ACL.
    let them = login(server, &other, TlsMode::Plaintext).await;
    them.create("Private", T).await.expect("CREATE");
    let path = match server.kind() {
        ServerKind::Dovecot => format!("Shared/{}/Private", other.name),
        ServerKind::Cyrus => format!("Other Users/{}/Private", other.name),
    };
    let grant = AclModification::Replace(AclRights::new("lr").expect("rights"));
    observed.push((
        "SETACL without rights",
        code_of(
            "SETACL without rights",
            conn.set_acl(path.as_str(), &user.name, grant, T).await,
        ),
    ));

    let expected: Vec<(&str, Option<ResponseCode>)> = match server.kind() {
        ServerKind::Dovecot => vec![
            ("CREATE existing", Some(R::AlreadyExists)),
            ("DELETE missing", Some(R::NonExistent)),
            ("RENAME missing", Some(R::NonExistent)),
            ("RENAME onto existing", Some(R::AlreadyExists)),
            ("GETACL missing", Some(R::NonExistent)),
            ("SELECT missing", None),
            ("STATUS missing", None),
            ("COPY to missing", Some(R::TryCreate)),
            ("SETACL without rights", Some(R::NonExistent)),
        ],
        ServerKind::Cyrus => CYRUS_EXPECTED.to_vec(),
    };
    assert_eq!(observed, expected);
}

/// Cyrus 3.6.1's codes for the same mistakes: only TRYCREATE (RFC 3501); its refusals carry
/// text only ("Mailbox already exists", "Permission denied", …).
const CYRUS_EXPECTED: &[(&str, Option<ResponseCode>)] = &[
    ("CREATE existing", None),
    ("DELETE missing", None),
    ("RENAME missing", None),
    ("RENAME onto existing", None),
    ("GETACL missing", None),
    ("SELECT missing", None),
    ("STATUS missing", None),
    ("COPY to missing", Some(ResponseCode::TryCreate)),
    ("SETACL without rights", None),
];

server_tests!(mailbox_mistakes_carry_typed_codes);
