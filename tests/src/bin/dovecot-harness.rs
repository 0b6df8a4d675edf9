//! `dovecot-harness`: start the test Dovecot by hand (demo, debugging, other processes' tests).
//!
//! Prints one `key=value` line per fact (ports, CA path, master PID, demo login), then runs
//! until its standard input closes (Ctrl-D, or the parent process exits); the server stops
//! with it.
//!
//! ```text
//! cargo run -p daaki-imap-tests --bin dovecot-harness -- [--user NAME] [--password PW] [--messages N]
//!     [--extra-user NAME:PASSWORD:MESSAGES]...
//! ```
//!
//! `--extra-user` (repeatable) seeds more users besides the main one, e.g. for the fetch
//! benchmark's 10,000- and 100,000-message mailboxes (`cargo xtask bench fetch`).
#![deny(unsafe_code)]

use std::io::Read;

use daaki_imap_tests::harness::{Dovecot, DovecotOptions, SETUP_HINT};

fn main() {
    let mut user = "demo".to_owned();
    let mut password = "demo".to_owned();
    let mut messages = 1000u32;
    let mut extra_users = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next().unwrap_or_else(|| {
                eprintln!("{arg} needs a value");
                std::process::exit(2)
            })
        };
        match arg.as_str() {
            "--user" => user = value(),
            "--password" => password = value(),
            "--messages" => {
                messages = value().parse().unwrap_or_else(|e| {
                    eprintln!("--messages: {e}");
                    std::process::exit(2)
                })
            }
            "--extra-user" => {
                let spec = value();
                let parsed = spec.rsplit_once(':').and_then(|(rest, n)| {
                    let (name, pw) = rest.split_once(':')?;
                    Some((name.to_owned(), pw.to_owned(), n.parse::<u32>().ok()?))
                });
                match parsed {
                    Some(user) => extra_users.push(user),
                    None => {
                        eprintln!("--extra-user: expected NAME:PASSWORD:MESSAGES, got {spec:?}");
                        std::process::exit(2)
                    }
                }
            }
            "-h" | "--help" => {
                println!(
                    "usage: dovecot-harness [--user NAME] [--password PW] [--messages N] \
                     [--extra-user NAME:PASSWORD:MESSAGES]...\n\
                     Starts a private Dovecot on loopback and runs until stdin closes."
                );
                return;
            }
            other => {
                eprintln!("unknown argument {other:?} (try --help)");
                std::process::exit(2)
            }
        }
    }
    let options = DovecotOptions {
        users: std::iter::once((user.clone(), password.clone(), messages))
            .chain(extra_users)
            .collect(),
    };
    let dovecot = match Dovecot::start_with(options) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("could not start Dovecot: {e}\nhint: {SETUP_HINT}");
            std::process::exit(1)
        }
    };
    println!("host={}", dovecot.host());
    println!("plain_port={}", dovecot.plain_port());
    println!("tls_port={}", dovecot.tls_port());
    println!("ca_cert={}", dovecot.ca_cert_path().display());
    println!("master_pid={}", dovecot.master_pid().unwrap_or(0));
    println!("user={user}");
    println!("password={password}");
    println!("ready");
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    dovecot.stop();
}
