//! The `examples` stage: every program in `client/examples/` runs unchanged against a real,
//! freshly started harness Dovecot, and its output must show that it did its job.
//!
//! The examples read `IMAP_HOST`, `IMAP_PORT`, `IMAP_USER`, `IMAP_PASSWORD` and trust the test
//! CA through `SSL_CERT_FILE` — the documented way to point the OS trust store of
//! `rustls-native-certs` at a private CA.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::Result;
use crate::stages::workspace_root;

/// Messages the demo user gets; the checks below depend on it.
const MESSAGES: &str = "50";

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

/// A running `dovecot-harness`; stops when dropped (its stdin closes).
struct Harness {
    child: Child,
    facts: HashMap<String, String>,
}

impl Harness {
    fn start() -> Result<Self> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut child = Command::new(cargo)
            .args([
                "run",
                "--quiet",
                "-p",
                "daaki-imap-tests",
                "--bin",
                "dovecot-harness",
                "--",
                "--messages",
                MESSAGES,
            ])
            .current_dir(workspace_root())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not start dovecot-harness: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut facts = HashMap::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|e| e.to_string())?;
            if line == "ready" {
                return Ok(Self { child, facts });
            }
            if let Some((k, v)) = line.split_once('=') {
                facts.insert(k.to_owned(), v.to_owned());
            }
        }
        let _ = child.wait();
        Err("dovecot-harness exited before it was ready (is Dovecot installed? run `cargo xtask setup`)".into())
    }

    fn fact(&self, key: &str) -> Result<&str> {
        self.facts
            .get(key)
            .map(String::as_str)
            .ok_or_else(|| format!("dovecot-harness did not print {key}"))
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

pub(crate) fn run() -> Result {
    let examples = crate::stages::files_in("client/examples", "rs");
    for name in &examples {
        if !EXPECTED.iter().any(|(e, _)| e == name) {
            return Err(format!(
                "client/examples/{name}.rs has no expected output in xtask/src/examples.rs"
            ));
        }
    }
    let harness = Harness::start()?;
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
