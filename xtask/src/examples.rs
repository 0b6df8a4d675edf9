//! The `examples` stage: every program in `client/examples/` runs unchanged against a real,
//! freshly started harness Dovecot, and its output must show that it did its job.
//!
//! The examples read `IMAP_HOST`, `IMAP_PORT`, `IMAP_USER`, `IMAP_PASSWORD` and trust the test
//! CA through `SSL_CERT_FILE` — the documented way to point the OS trust store of
//! `rustls-native-certs` at a private CA.

use std::process::{Command, Stdio};

use crate::browser::Harness;
use crate::process::Result;
use crate::process::workspace_root;

/// Messages the demo user gets; the checks below depend on it.
const MESSAGES: u32 = 50;

/// `(example, substrings its standard output must contain)`.
const EXPECTED: &[(&str, &[&str])] = &[
    (
        "quickstart",
        &[
            "INBOX has 50 messages",
            "Subject: Test message 1",
            "Subject: Test message 5",
        ],
    ),
    (
        "pipeline",
        &[
            "INBOX: MailboxStatus {",
            "messages: Some(50)",
            "Drafts: MailboxStatus {",
        ],
    ),
    ("compress", &["compressed: INBOX has 50 messages"]),
    // The examples below deliver mail themselves, so counts vary: check the kind of output.
    ("streaming", &["UID 1: ", "UID 50: "]),
    ("events", &["mailbox now has", "got event: Exists("]),
    ("idle", &["mailbox now has"]),
    // Dovecot may still be sending NOTIFY's initial STATUS burst when IDLE starts, so the first
    // change reported need not be the delivery to Archive.
    ("notify", &["status changed for "]),
];

pub(crate) fn run() -> Result {
    let examples = crate::process::files_in("client/examples", "rs");
    for name in &examples {
        if !EXPECTED.iter().any(|(e, _)| e == name) {
            return Err(format!(
                "client/examples/{name}.rs has no expected output in xtask/src/examples.rs"
            ));
        }
    }
    let harness = Harness::start_with(MESSAGES)?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    for (name, expected) in EXPECTED {
        println!("$ cargo run -p daaki-imap --example {name}");
        let output = Command::new(&cargo)
            .args(["run", "--quiet", "-p", "daaki-imap", "--example", name])
            .current_dir(workspace_root())
            .env("IMAP_HOST", harness.fact("host")?)
            .env("IMAP_PORT", harness.fact("tls_port")?)
            .env("IMAP_PLAIN_PORT", harness.fact("plain_port")?)
            .env("IMAP_USER", harness.fact("user")?)
            .env("IMAP_PASSWORD", harness.fact("password")?)
            .env("SSL_CERT_FILE", harness.fact("ca_cert")?)
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("could not run example {name}: {e}"))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        print!("{stdout}");
        if !output.status.success() {
            return Err(format!("example {name} failed ({})", output.status));
        }
        for want in *expected {
            if !stdout.contains(want) {
                return Err(format!("example {name}: output lacks {want:?}"));
            }
        }
    }
    Ok(())
}
