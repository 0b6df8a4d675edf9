//! The real bridge binary as a child process, for tests that need what only a process shows:
//! its SIGTERM handling, its resident memory, its `/metrics` as an operator sees them.
//!
//! Integration tests pass the binary's path (`env!("CARGO_BIN_EXE_bridge-under-test")`, the
//! bridge's CLI built by this crate) and the configuration's body; [`BridgeProcess::start`]
//! adds `listen` and `metrics_listen` on free loopback ports and waits for `/healthz`.

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A directory for one test's files, removed when dropped (kept with `DAAKI_KEEP_HARNESS`).
#[derive(Debug)]
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A fresh directory under the system's temporary directory, named after `prefix`,
    /// this process and `name`.
    ///
    /// # Panics
    /// When it cannot be created (a harness failure, reported as a test failure).
    pub fn new(prefix: &str, name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!(
            "{prefix}-{}-{name}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::env::var_os("DAAKI_KEEP_HARNESS").is_none() {
            let _ = fs::remove_dir_all(&self.0);
        }
    }
}

/// A loopback port free right now.
///
/// # Panics
/// When no port can be bound.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind")
        .port()
}

/// One bridge process, its log in a file; killed when dropped.
#[derive(Debug)]
pub struct BridgeProcess {
    /// A name for messages (`A`, `B`, …).
    pub name: String,
    /// The child process.
    pub child: Child,
    /// The WebSocket listener (`listen`).
    pub listen: SocketAddr,
    /// The `/metrics` and `/healthz` listener (`metrics_listen`).
    pub metrics: SocketAddr,
    log: PathBuf,
}

impl BridgeProcess {
    /// Starts `bin` with a configuration of `listen` and `metrics_listen` lines on free
    /// loopback ports followed by `body`, written to `dir`, logging at info to a file in
    /// `dir`; returns once `/healthz` answers 200.
    ///
    /// # Panics
    /// When the process cannot start, exits, or is not healthy within 30 s (with its log).
    pub async fn start(bin: &Path, dir: &Path, name: &str, body: &str) -> BridgeProcess {
        let listen: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().expect("addr");
        let metrics: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().expect("addr");
        let config = format!("listen = \"{listen}\"\nmetrics_listen = \"{metrics}\"\n{body}");
        let config_path = dir.join(format!("bridge-{name}.toml"));
        fs::write(&config_path, config).expect("write config");
        let log = dir.join(format!("bridge-{name}.log"));
        let child = Command::new(bin)
            .arg("--config")
            .arg(&config_path)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(fs::File::create(&log).expect("log file"))
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", bin.display()));
        let mut bridge = BridgeProcess {
            name: name.to_owned(),
            child,
            listen,
            metrics,
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = bridge.child.try_wait().expect("try_wait") {
                panic!(
                    "bridge {name} exited at start-up ({status}):\n{}",
                    bridge.logs()
                );
            }
            if let Ok(response) = http_get(metrics, "/healthz").await
                && response.starts_with("HTTP/1.1 200")
            {
                return bridge;
            }
            assert!(
                Instant::now() < deadline,
                "bridge {name} never became healthy:\n{}",
                bridge.logs()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Its `ws://` URL (path `/imap`).
    pub fn url(&self) -> String {
        format!("ws://{}/imap", self.listen)
    }

    /// Its log so far.
    pub fn logs(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_else(|e| format!("({e})"))
    }

    /// The `/metrics` exposition.
    ///
    /// # Panics
    /// When `/metrics` does not answer.
    pub async fn metrics_text(&self) -> String {
        http_get(self.metrics, "/metrics")
            .await
            .unwrap_or_else(|e| panic!("GET /metrics of bridge {}: {e}", self.name))
    }

    /// One sample of `/metrics`: the line `series value` (a name with its labels).
    ///
    /// # Panics
    /// When the series is not there.
    pub async fn metric(&self, series: &str) -> u64 {
        let text = self.metrics_text().await;
        sample(&text, series)
            .unwrap_or_else(|| panic!("no {series} in bridge {}'s /metrics:\n{text}", self.name))
    }

    /// The process's resident memory (`VmRSS`), in bytes (0 if unreadable).
    pub fn rss(&self) -> u64 {
        let status =
            fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse::<u64>().ok())
            .map_or(0, |kib| kib * 1024)
    }

    /// Sends SIGTERM (through `kill`).
    ///
    /// # Panics
    /// When `kill` fails.
    pub fn sigterm(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM {}", self.child.id());
    }

    /// Waits (at most 10 s) until the listener is closed: a connect is refused.
    ///
    /// # Panics
    /// When it still accepts after 10 s.
    pub async fn wait_listener_closed(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(self.listen).await.is_ok() {
            assert!(
                Instant::now() < deadline,
                "bridge {} still accepts 10 s after SIGTERM",
                self.name
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits (at most 30 s) for the process to exit.
    ///
    /// # Panics
    /// When it has not exited after 30 s (with its log).
    pub async fn exited(&mut self) -> ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "bridge {} did not exit within 30 s of SIGTERM:\n{}",
                self.name,
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for BridgeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `GET path` on `addr` (a bridge's metrics listener): the whole response, within 10 s.
pub async fn http_get(addr: SocketAddr, path: &str) -> std::io::Result<String> {
    let fetch = async {
        let mut tcp = TcpStream::connect(addr).await?;
        tcp.write_all(format!("GET {path} HTTP/1.1\r\nHost: bridge\r\n\r\n").as_bytes())
            .await?;
        let mut response = String::new();
        tcp.read_to_string(&mut response).await?;
        Ok(response)
    };
    tokio::time::timeout(Duration::from_secs(10), fetch)
        .await
        .unwrap_or_else(|_| Err(std::io::ErrorKind::TimedOut.into()))
}

/// The value of the sample `series` (exactly, labels included) in a Prometheus exposition.
pub fn sample(text: &str, series: &str) -> Option<u64> {
    text.lines().find_map(|line| {
        let value = line.strip_prefix(series)?.strip_prefix(' ')?;
        value.trim().parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_found_by_their_exact_series() {
        let text = "# HELP x\nx_total 3\nx_total{a=\"b\"} 4\nx_totally 9\n";
        assert_eq!(sample(text, "x_total"), Some(3));
        assert_eq!(sample(text, "x_total{a=\"b\"}"), Some(4));
        assert_eq!(sample(text, "x_tot"), None);
        assert_eq!(sample(text, "y"), None);
    }
}
