//! The `browser` stage: the wasm32 client in headless Chromium, through `daaki-imap-bridge`,
//! against a real harness Dovecot (`client/tests/web.rs`).
//!
//! 1. starts `dovecot-harness` (a demo user with 1,000 messages);
//! 2. builds `daaki-imap-bridge` and starts three of them on free loopback ports, all with the
//!    named target `dovecot` (the harness's TLS port, `allow_private`, the harness CA as extra
//!    root): one allows the test page's origin; one only `http://elsewhere.example`; one
//!    allows the page's origin but requires a ticket (`ticket_secret_file` with a fresh random
//!    secret), for which `daaki-imap-bridge ticket` mints one ticket valid for an hour;
//! 3. serves the test page on a fixed address (`WASM_BINDGEN_TEST_ADDRESS`), so its origin is
//!    known before the tests are built, and passes the bridge URLs, the ticket and the login
//!    to the tests at compile time (`option_env!`);
//! 4. runs the command, `wasm-pack test --headless --chrome --chromedriver
//!    /usr/bin/chromedriver -m no-install client --test web` (nothing is ever downloaded;
//!    `--test web` leaves out the doc tests, which wasm32 reports as passed without running
//!    them). Without `--test web` the command works too: wasm-pack first runs `cargo build
//!    --tests`, so every test target builds for wasm32 — the unit-test modules that need
//!    native-only dev-dependencies are `cfg(not(target_arch = "wasm32"))`, and the native-only
//!    examples compile to nothing there. `DAAKI_BROWSER_RUNNER=cargo`
//!    runs `cargo test --target wasm32-unknown-unknown --test web` with
//!    `wasm-bindgen-test-runner` instead (the same tests, without wasm-pack);
//! 5. reads the wrong-Origin bridge's `/metrics` before and after the tests: a browser sees
//!    its HTTP 403 only as close 1006, so the bridge's own counter proves the refusal was the
//!    Origin check — `refusals_total{reason="origin"}` rose by one (one test connects there)
//!    and no other refusal rose;
//! 6. stops everything (also when a step fails).

use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::process::Result;
use crate::process::workspace_root;

/// The WebDriver the tests use (Debian's `chromium-driver`).
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The only origin the second bridge allows (the test page is never served from it).
const OTHER_ORIGIN: &str = "http://elsewhere.example";
/// Messages the harness seeds into the demo user's INBOX.
pub(crate) const HARNESS_MESSAGES: u32 = 1000;

/// A child process that is killed (by its own id) when dropped.
pub(crate) struct Guard(pub(crate) Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The harness Dovecot and the facts it printed (`key=value` lines before `ready`).
pub(crate) struct Harness {
    child: Child,
    facts: Vec<(String, String)>,
}

impl Harness {
    /// The harness with [`HARNESS_MESSAGES`] seeded messages.
    pub(crate) fn start() -> Result<Self> {
        Self::start_with(HARNESS_MESSAGES)
    }

    /// The harness with `messages` seeded messages in the demo user's INBOX.
    pub(crate) fn start_with(messages: u32) -> Result<Self> {
        let cargo = cargo();
        let mut child = Command::new(cargo)
            .args([
                "run",
                "--quiet",
                "-p",
                "daaki-imap-tests",
                "--bin",
                "dovecot-harness",
            ])
            .args(["--", "--messages", &messages.to_string()])
            .current_dir(workspace_root())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not start dovecot-harness: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut facts = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|e| e.to_string())?;
            if line == "ready" {
                return Ok(Self { child, facts });
            }
            if let Some((k, v)) = line.split_once('=') {
                facts.push((k.to_owned(), v.to_owned()));
            }
        }
        let _ = child.wait();
        Err("dovecot-harness exited before it was ready (run `cargo xtask setup`)".into())
    }

    pub(crate) fn fact(&self, key: &str) -> Result<&str> {
        self.facts
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| format!("dovecot-harness did not print {key}"))
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        // The harness stops Dovecot when its standard input closes.
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

pub(crate) fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// A loopback port nobody listens on right now.
pub(crate) fn free_port() -> Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

pub(crate) fn wait_for_port(port: u16, within: Duration) -> Result {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let start = Instant::now();
    while start.elapsed() < within {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!(
        "nothing listens on 127.0.0.1:{port} after {within:?}"
    ))
}

fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

pub(crate) fn bridge_config(port: u16, origin: &str, harness: &Harness) -> Result<String> {
    bridge_config_with(port, origin, None, harness)
}

/// As [`bridge_config`], requiring tickets signed with the secret in `ticket_secret` if given.
fn bridge_config_with(
    port: u16,
    origin: &str,
    ticket_secret: Option<&Path>,
    harness: &Harness,
) -> Result<String> {
    let tickets = ticket_secret.map_or(String::new(), |path| {
        format!(
            "ticket_secret_file = {}\n",
            toml_string(&path.display().to_string())
        )
    });
    Ok(format!(
        "listen = \"127.0.0.1:{port}\"\norigins = [{origin}]\n{tickets}\n[[targets]]\n\
         name = \"dovecot\"\nhost = {host}\nport = {tls_port}\nallow_private = true\n\
         extra_roots = {ca}\n",
        origin = toml_string(origin),
        host = toml_string(harness.fact("host")?),
        tls_port = harness.fact("tls_port")?,
        ca = toml_string(harness.fact("ca_cert")?),
    ))
}

pub(crate) fn start_bridge(
    binary: &Path,
    dir: &Path,
    name: &str,
    config: &str,
    port: u16,
) -> Result<Guard> {
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, config).map_err(|e| format!("{}: {e}", path.display()))?;
    let child = Command::new(binary)
        .arg("--config")
        .arg(&path)
        .env("RUST_LOG", "warn")
        .spawn()
        .map_err(|e| format!("could not start {}: {e}", binary.display()))?;
    let guard = Guard(child);
    wait_for_port(port, Duration::from_secs(30))?;
    Ok(guard)
}

/// Writes a fresh random ticket secret (64 hex digits from `/dev/urandom`) to `path`.
fn write_ticket_secret(path: &Path) -> Result {
    use std::io::Read as _;
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| format!("/dev/urandom: {e}"))?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(path, hex).map_err(|e| format!("{}: {e}", path.display()))
}

/// `daaki-imap-bridge ticket`: a ticket for the target `dovecot`, valid for an hour.
fn mint_ticket(binary: &Path, secret: &Path) -> Result<String> {
    let output = Command::new(binary)
        .arg("ticket")
        .arg("--secret-file")
        .arg(secret)
        .args(["--target", "dovecot", "--ttl", "3600"])
        .output()
        .map_err(|e| format!("could not run {} ticket: {e}", binary.display()))?;
    let ticket = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    if !output.status.success() || ticket.is_empty() {
        return Err(format!(
            "daaki-imap-bridge ticket failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(ticket)
}

pub(crate) fn run() -> Result {
    if !Path::new(CHROMEDRIVER).exists() {
        return Err(format!(
            "{CHROMEDRIVER} is missing (run `cargo xtask setup`)"
        ));
    }
    crate::process::cargo(&["build", "--quiet", "-p", "daaki-imap-bridge"])?;
    let binary = target_dir().join("debug").join("daaki-imap-bridge");
    let harness = Harness::start()?;
    let dir = target_dir().join("browser-stage");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;

    let page_port = free_port()?;
    let page_origin = format!("http://127.0.0.1:{page_port}");
    let good_port = free_port()?;
    let bad_port = free_port()?;
    let ticket_port = free_port()?;
    let secret = dir.join("ticket.secret");
    write_ticket_secret(&secret)?;
    let ticket = mint_ticket(&binary, &secret)?;
    let good = bridge_config(good_port, &page_origin, &harness)?;
    // The wrong-Origin bridge serves metrics: a browser sees its 403 only as close 1006, so
    // the stage proves from the bridge's own counter that the refusal was the Origin check.
    let bad_metrics_port = free_port()?;
    let bad = format!(
        "metrics_listen = \"127.0.0.1:{bad_metrics_port}\"\n{}",
        bridge_config(bad_port, OTHER_ORIGIN, &harness)?
    );
    let ticketed = bridge_config_with(ticket_port, &page_origin, Some(&secret), &harness)?;
    let _good = start_bridge(&binary, &dir, "bridge", &good, good_port)?;
    let _bad = start_bridge(&binary, &dir, "bridge-other-origin", &bad, bad_port)?;
    let _ticketed = start_bridge(&binary, &dir, "bridge-ticket", &ticketed, ticket_port)?;

    // Before the tests: the readiness probe of `start_bridge` already counts as a failed
    // handshake, so the check below compares counts, not absolute values.
    let refusals_before = refusal_counts(&http_get(bad_metrics_port, "/metrics")?);
    let via_cargo = std::env::var("DAAKI_BROWSER_RUNNER").is_ok_and(|r| r == "cargo");
    let (program, args): (String, &[&str]) = if via_cargo {
        (
            cargo(),
            &[
                "test",
                "--locked",
                "-p",
                "daaki-imap",
                "--target",
                "wasm32-unknown-unknown",
                "--test",
                "web",
            ],
        )
    } else {
        (
            "wasm-pack".to_owned(),
            &[
                "test",
                "--headless",
                "--chrome",
                "--chromedriver",
                CHROMEDRIVER,
                "-m",
                "no-install",
                "client",
                "--test",
                "web",
            ],
        )
    };
    println!("$ {program} {}", args.join(" "));
    let started = Instant::now();
    let status = Command::new(&program)
        .args(args)
        .current_dir(workspace_root())
        // Read by wasm-bindgen-test-runner under `cargo test`; wasm-pack takes the
        // `--chromedriver` flag and sets the runner itself.
        .env("CHROMEDRIVER", CHROMEDRIVER)
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
            "wasm-bindgen-test-runner",
        )
        .env(
            "WASM_BINDGEN_TEST_ADDRESS",
            format!("127.0.0.1:{page_port}"),
        )
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
        .env(
            "DAAKI_BRIDGE_URL",
            format!("ws://127.0.0.1:{good_port}/imap"),
        )
        .env(
            "DAAKI_BRIDGE_BAD_ORIGIN_URL",
            format!("ws://127.0.0.1:{bad_port}/imap"),
        )
        .env(
            "DAAKI_BRIDGE_TICKET_URL",
            format!("ws://127.0.0.1:{ticket_port}/imap"),
        )
        .env("DAAKI_BRIDGE_TICKET", &ticket)
        .env("DAAKI_IMAP_USER", harness.fact("user")?)
        .env("DAAKI_IMAP_PASSWORD", harness.fact("password")?)
        .status()
        .map_err(|e| format!("could not run {program} (run `cargo xtask setup`): {e}"))?;
    println!(
        "browser tests (build and run) took {:.1}s",
        started.elapsed().as_secs_f64()
    );
    if !status.success() {
        return Err(format!("browser tests failed ({status})"));
    }
    // `a_bad_origin_is_a_refused_connection` is the only test that connects to this bridge,
    // once: its Origin refusals rose by exactly one, and nothing else was refused meanwhile.
    let refusals_after = refusal_counts(&http_get(bad_metrics_port, "/metrics")?);
    let rises = refusal_rises(&refusals_before, &refusals_after);
    if rises != [("origin".to_owned(), 1)] {
        return Err(format!(
            "the wrong-Origin bridge should have refused exactly one more connection, for its \
             Origin; refusals that rose during the tests: {rises:?}"
        ));
    }
    println!(
        "wrong-Origin bridge: refusals_total{{reason=\"origin\"}} rose by 1, no other refusal"
    );
    Ok(())
}

/// `GET path` over HTTP/1.0 on loopback `port`; the response body.
fn http_get(port: u16, path: &str) -> Result<String> {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))
        .map_err(|e| format!("metrics on port {port}: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| format!("metrics: {e}"))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .map_err(|e| format!("metrics: {e}"))?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| format!("metrics: {e}"))?;
    match response.split_once("\r\n\r\n") {
        Some((head, body)) if head.starts_with("HTTP/1.") && head.contains(" 200 ") => {
            Ok(body.to_owned())
        }
        _ => Err(format!("GET {path}: unexpected response {response:?}")),
    }
}

/// `(reason, rise)` for each reason whose count is higher in `after` than in `before`.
fn refusal_rises(before: &[(String, u64)], after: &[(String, u64)]) -> Vec<(String, u64)> {
    after
        .iter()
        .filter_map(|(reason, n)| {
            let was = before
                .iter()
                .find(|(r, _)| r == reason)
                .map_or(0, |(_, n)| *n);
            (*n > was).then(|| (reason.clone(), n - was))
        })
        .collect()
}

/// `(reason, count)` of every `daaki_bridge_refusals_total{reason="…"} n` line.
fn refusal_counts(metrics: &str) -> Vec<(String, u64)> {
    metrics
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("daaki_bridge_refusals_total{reason=\"")?;
            let (reason, rest) = rest.split_once("\"} ")?;
            Some((reason.to_owned(), rest.trim().parse().ok()?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{refusal_counts, refusal_rises};

    #[test]
    fn rises_compare_counts_per_reason() {
        let before = vec![("origin".to_owned(), 0), ("handshake".to_owned(), 1)];
        let after = vec![
            ("origin".to_owned(), 1),
            ("handshake".to_owned(), 1),
            ("ticket".to_owned(), 2),
        ];
        assert_eq!(
            refusal_rises(&before, &after),
            vec![("origin".to_owned(), 1), ("ticket".to_owned(), 2)]
        );
    }

    #[test]
    fn refusal_counts_read_the_prometheus_lines() {
        let text = "# HELP x\ndaaki_bridge_refusals_total{reason=\"origin\"} 1\n\
                    daaki_bridge_refusals_total{reason=\"ticket\"} 0\nother 5\n";
        assert_eq!(
            refusal_counts(text),
            vec![("origin".to_owned(), 1), ("ticket".to_owned(), 0)]
        );
    }
}
