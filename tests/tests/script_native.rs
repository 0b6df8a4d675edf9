//! The shared script (`client/tests/script/`) natively over direct TLS: its transcript must
//! equal `expected.txt`, which the browser run (`client/tests/web.rs`, through the bridge)
//! compares with too.

use daaki_imap::TlsMode;
use daaki_imap_tests::client::login;
use daaki_imap_tests::harness::shared_dovecot;

#[path = "../../client/tests/script/mod.rs"]
mod script;

#[tokio::test]
async fn the_shared_script_gives_the_expected_transcript_over_direct_tls() {
    let dovecot = shared_dovecot();
    let user = dovecot.new_user(1000);
    let conn = login(dovecot, &user, TlsMode::Implicit).await;
    let transcript = script::run(&conn, "native").await;
    std::fs::write(
        std::env::temp_dir().join("daaki-script-native.txt"),
        &transcript,
    )
    .expect("write transcript");
    assert_eq!(transcript, script::EXPECTED);
    conn.logout().await.expect("logout");
}
