//! Self-tests of the real-server harness: the Dovecot it starts is real, configured with the
//! extensions later issues rely on, isolated per instance, and never outlives the tests.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use daaki_imap_tests::harness::{Dovecot, seed, shared_dovecot};
use daaki_imap_tests::raw::{RawSession, Security};

/// Capabilities the release series depends on (issue "Foundation").
const REQUIRED_CAPABILITIES: &[&str] = &[
    "IDLE",
    "NOTIFY",
    "CONDSTORE",
    "QRESYNC",
    "MOVE",
    "COMPRESS=DEFLATE",
    "METADATA",
    "QUOTA",
    "ACL",
    "SPECIAL-USE",
    "ESEARCH",
    "SORT",
    "THREAD=REFERENCES",
];

fn capabilities_after_login(security: Security, port: u16) -> Vec<String> {
    let dovecot = shared_dovecot();
    let user = dovecot.new_user(0);
    let mut session = RawSession::connect(dovecot.host(), port, security, &dovecot.ca().ca_der)
        .unwrap_or_else(|e| panic!("{security:?} connect failed: {e}"));
    assert!(
        session.greeting.starts_with("* OK"),
        "greeting: {}",
        session.greeting
    );
    let login = session
        .command(&format!("LOGIN {} {}", user.name, user.password))
        .expect("LOGIN");
    assert!(
        login.is_ok(),
        "LOGIN over {security:?}: {}",
        login.completion
    );
    let caps = session.command("CAPABILITY").expect("CAPABILITY");
    assert!(caps.is_ok());
    let line = caps
        .untagged
        .iter()
        .find(|l| l.starts_with("* CAPABILITY "))
        .expect("an untagged CAPABILITY line");
    session.command("LOGOUT").expect("LOGOUT");
    line.split_whitespace().skip(2).map(str::to_owned).collect()
}

fn assert_required(caps: &[String]) {
    for required in REQUIRED_CAPABILITIES {
        assert!(
            caps.iter().any(|c| c.eq_ignore_ascii_case(required)),
            "post-login CAPABILITY lacks {required}: {caps:?}"
        );
    }
}

#[test]
fn dovecot_is_real_over_plain_connection() {
    let dovecot = shared_dovecot();
    assert_required(&capabilities_after_login(
        Security::Plain,
        dovecot.plain_port(),
    ));
}

#[test]
fn dovecot_is_real_over_starttls_with_the_test_ca() {
    let dovecot = shared_dovecot();
    assert_required(&capabilities_after_login(
        Security::StartTls,
        dovecot.plain_port(),
    ));
}

#[test]
fn dovecot_is_real_over_implicit_tls_with_the_test_ca() {
    let dovecot = shared_dovecot();
    assert_required(&capabilities_after_login(
        Security::Implicit,
        dovecot.tls_port(),
    ));
}

#[test]
fn pre_login_capabilities_offer_starttls() {
    let dovecot = shared_dovecot();
    let mut s = RawSession::connect(dovecot.host(), dovecot.plain_port(), Security::Plain, &[])
        .expect("connect");
    let caps = s.command("CAPABILITY").expect("CAPABILITY");
    assert!(caps.untagged[0].contains("STARTTLS"), "{:?}", caps.untagged);
}

#[test]
fn implicit_tls_rejects_an_untrusted_server_certificate() {
    let dovecot = shared_dovecot();
    // A CA the server certificate was not signed by.
    let dir = std::env::temp_dir().join(format!("daaki-otherca-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let other = daaki_imap_tests::harness::TestCa::generate(&dir).expect("ca");
    let err = RawSession::connect(
        dovecot.host(),
        dovecot.tls_port(),
        Security::Implicit,
        &other.ca_der,
    )
    .expect_err("an unknown CA must fail the handshake");
    assert!(err.to_string().contains("TLS handshake failed"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn wrong_password_is_refused() {
    let dovecot = shared_dovecot();
    let user = dovecot.new_user(0);
    let mut s = RawSession::connect(dovecot.host(), dovecot.plain_port(), Security::Plain, &[])
        .expect("connect");
    let reply = s
        .command(&format!("LOGIN {} wrong", user.name))
        .expect("LOGIN");
    assert!(reply.completion.starts_with("NO"), "{}", reply.completion);
}

#[test]
fn seeded_mail_is_served_in_order_with_flags() {
    let dovecot = shared_dovecot();
    let user = dovecot.new_user(120);
    let mut s = RawSession::connect(dovecot.host(), dovecot.plain_port(), Security::Plain, &[])
        .expect("connect");
    assert!(
        s.command(&format!("LOGIN {} {}", user.name, user.password))
            .expect("LOGIN")
            .is_ok()
    );
    let select = s.command("SELECT INBOX").expect("SELECT");
    assert!(select.is_ok(), "{}", select.completion);
    assert!(
        select.untagged.iter().any(|l| l == "* 120 EXISTS"),
        "{:?}",
        select.untagged
    );

    let fetch = s
        .command("UID FETCH 1:120 (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        .expect("FETCH");
    assert!(fetch.is_ok(), "{}", fetch.completion);
    let lines: Vec<&String> = fetch
        .untagged
        .iter()
        .filter(|l| l.contains(" FETCH "))
        .collect();
    assert_eq!(lines.len(), 120);
    for (i, line) in (1u32..).zip(lines) {
        // UID n is message n: the harness seeds in a deterministic order.
        assert!(
            line.starts_with(&format!("* {i} FETCH (UID {i} ")),
            "{line}"
        );
        let size = seed::message(i).len();
        assert!(
            line.contains(&format!("RFC822.SIZE {size}")),
            "message {i}: {line}"
        );
        let want_seen = i % 3 == 0;
        assert_eq!(line.contains("\\Seen"), want_seen, "message {i}: {line}");
        assert_eq!(
            line.contains("\\Flagged"),
            i % 5 == 0,
            "message {i}: {line}"
        );
        if i % 7 != 0 {
            assert!(
                line.contains(&format!("Subject: Test message {i}")),
                "{line}"
            );
        }
    }

    let body = s.command_bytes("FETCH 10 BODY.PEEK[]").expect("FETCH body");
    let expected = seed::message(10);
    let literal = format!("{{{}}}\r\n", expected.len()).into_bytes();
    let first = &body[0];
    let at = first
        .windows(literal.len())
        .position(|w| w == literal.as_slice())
        .expect("BODY[] comes as a literal of the seeded size");
    assert_eq!(
        &first[at + literal.len()..at + literal.len() + expected.len()],
        expected.as_slice(),
        "fetched body differs from seed::message(10)"
    );
}

#[test]
fn ten_thousand_messages_seed_quickly() {
    let dovecot = shared_dovecot();
    let started = Instant::now();
    let user = dovecot.new_user(10_000);
    let seeded_in = started.elapsed();
    let mut s = RawSession::connect(dovecot.host(), dovecot.plain_port(), Security::Plain, &[])
        .expect("connect");
    assert!(
        s.command(&format!("LOGIN {} {}", user.name, user.password))
            .expect("LOGIN")
            .is_ok()
    );
    let status = s.command("STATUS INBOX (MESSAGES UNSEEN)").expect("STATUS");
    // Every third message is \Seen: 3,333 seen, 6,667 unseen.
    assert!(
        status
            .untagged
            .iter()
            .any(|l| l.contains("MESSAGES 10000") && l.contains("UNSEEN 6667")),
        "{:?}",
        status.untagged
    );
    // A figure, not an assertion: speed is measured, not asserted.
    eprintln!("seeded 10,000 messages in {seeded_in:?}");
}

#[test]
fn users_are_isolated() {
    let dovecot = shared_dovecot();
    let a = dovecot.new_user(3);
    let b = dovecot.new_user(5);
    for (user, count) in [(&a, 3), (&b, 5)] {
        let mut s = RawSession::connect(dovecot.host(), dovecot.plain_port(), Security::Plain, &[])
            .expect("connect");
        assert!(
            s.command(&format!("LOGIN {} {}", user.name, user.password))
                .expect("LOGIN")
                .is_ok()
        );
        let st = s.command("STATUS INBOX (MESSAGES)").expect("STATUS");
        assert!(
            st.untagged
                .iter()
                .any(|l| l.ends_with(&format!("(MESSAGES {count})"))),
            "{}: {:?}",
            user.name,
            st.untagged
        );
    }
}

#[test]
fn special_use_mailboxes_exist() {
    let dovecot = shared_dovecot();
    let user = dovecot.new_user(0);
    let mut s = RawSession::connect(dovecot.host(), dovecot.plain_port(), Security::Plain, &[])
        .expect("connect");
    assert!(
        s.command(&format!("LOGIN {} {}", user.name, user.password))
            .expect("LOGIN")
            .is_ok()
    );
    let list = s
        .command("LIST \"\" \"*\" RETURN (SPECIAL-USE)")
        .expect("LIST");
    for (attr, name) in [
        ("\\Drafts", "Drafts"),
        ("\\Sent", "Sent"),
        ("\\Trash", "Trash"),
        ("\\Junk", "Junk"),
        ("\\Archive", "Archive"),
    ] {
        assert!(
            list.untagged
                .iter()
                .any(|l| l.contains(attr) && l.ends_with(name)),
            "{attr} {name} missing: {:?}",
            list.untagged
        );
    }
}

fn pid_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

fn wait_gone(pid: u32, bound: Duration) -> bool {
    let deadline = Instant::now() + bound;
    while Instant::now() < deadline {
        if !pid_alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    !pid_alive(pid)
}

#[test]
fn two_instances_run_side_by_side_and_stop_when_dropped() {
    let a = Dovecot::start();
    let b = Dovecot::start();
    assert_ne!(a.plain_port(), b.plain_port());
    assert_ne!(a.dir(), b.dir());
    let (pid_a, pid_b) = (
        a.master_pid().expect("pid a"),
        b.master_pid().expect("pid b"),
    );
    assert_ne!(pid_a, pid_b);
    for d in [&a, &b] {
        let user = d.new_user(2);
        let mut s = RawSession::connect(d.host(), d.tls_port(), Security::Implicit, &d.ca().ca_der)
            .expect("connect");
        assert!(
            s.command(&format!("LOGIN {} {}", user.name, user.password))
                .expect("LOGIN")
                .is_ok()
        );
    }
    let (dir_a, dir_b) = (a.dir().to_path_buf(), b.dir().to_path_buf());
    drop(a);
    drop(b);
    assert!(
        wait_gone(pid_a, Duration::from_secs(20)),
        "dovecot {pid_a} still running"
    );
    assert!(
        wait_gone(pid_b, Duration::from_secs(20)),
        "dovecot {pid_b} still running"
    );
    if std::env::var_os("DAAKI_KEEP_HARNESS").is_none() {
        assert!(
            !dir_a.exists() && !dir_b.exists(),
            "instance directories were not removed"
        );
    }
}

#[test]
fn server_stops_when_the_test_process_is_killed() {
    // The harness binary stands in for a test process that dies without unwinding.
    let mut child = Command::new(env!("CARGO_BIN_EXE_dovecot-harness"))
        .args(["--messages", "1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn dovecot-harness");
    let stdout = child.stdout.take().expect("stdout");
    let mut master_pid = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("line");
        if let Some(pid) = line.strip_prefix("master_pid=") {
            master_pid = pid.parse::<u32>().ok();
        }
        if line == "ready" {
            break;
        }
    }
    let pid = master_pid.expect("the harness printed the master pid");
    assert!(pid > 0 && pid_alive(pid));
    child.kill().expect("SIGKILL the harness process");
    let _ = child.wait();
    assert!(
        wait_gone(pid, Duration::from_secs(20)),
        "Dovecot master {pid} outlived the killed test process"
    );
}
