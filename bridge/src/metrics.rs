//! Counters and the Prometheus text exposition (hand-written, no registry crate), plus the tiny
//! HTTP endpoint that serves `/metrics` and `/healthz` on `metrics_listen`.
//!
//! | metric | type | meaning |
//! | --- | --- | --- |
//! | `daaki_bridge_connections_current` | gauge | TCP connections open now (any phase) |
//! | `daaki_bridge_connections_total` | counter | TCP connections accepted |
//! | `daaki_bridge_sessions_current` | gauge | sessions piping to an upstream now |
//! | `daaki_bridge_sessions_total` | counter | sessions that reached an upstream |
//! | `daaki_bridge_wire_sessions_total{wire}` | counter | those sessions by wire contract version, `v1` / `v2` |
//! | `daaki_bridge_sessions_stalled` | gauge | version-2 sessions that spent all their credit and wait for a grant now |
//! | `daaki_bridge_credit_stalls_total` | counter | times a version-2 session spent all its credit (each stall counted once) |
//! | `daaki_bridge_upload_buffered_bytes` | gauge | payload bytes read from version-2 clients and not yet written to their upstreams (each session at most its upload window) |
//! | `daaki_bridge_draining` | gauge | 1 once shutdown began (`/healthz` then answers 503) |
//! | `daaki_bridge_bytes_total{direction}` | counter | payload bytes, `client_to_upstream` / `upstream_to_client` |
//! | `daaki_bridge_refusals_total{reason}` | counter | connections refused, by [`Reason`] |
//! | `daaki_bridge_upstream_errors_total{kind}` | counter | `connect`, `tls`, `timeout`, `io` |
//! | `daaki_bridge_session_duration_seconds` | histogram | how long piped sessions lasted |

use std::fmt::Write as _;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::config::WireVersion;

/// Why a connection was refused (the `reason` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// `Origin` not allowed (HTTP 403).
    Origin,
    /// Wrong path (HTTP 404).
    Path,
    /// The WebSocket handshake failed (not a WebSocket request, bad headers, I/O).
    Handshake,
    /// The handshake did not complete within `handshake_timeout_secs` (slowloris).
    HandshakeTimeout,
    /// `proxy_protocol = true` and the connection did not begin with a valid PROXY header.
    ProxyHeader,
    /// No subprotocol the bridge speaks (`daaki-imap.v1`, or `daaki-imap.v2` when
    /// `wire_versions` lists 2).
    Subprotocol,
    /// Missing or invalid target in the query.
    BadRequest,
    /// Ticket missing, malformed, forged, expired or for another target.
    Ticket,
    /// The target, its port or a resolved address is not allowed.
    TargetNotAllowed,
    /// `max_connections` reached.
    LimitGlobal,
    /// `max_connections_per_ip` reached.
    LimitPerIp,
    /// `max_sessions_per_subject` reached: that ticket subject has that many sessions open.
    LimitPerSubject,
    /// Closed at accept: `max_connections` plus its grace band reached.
    LimitGlobalAtAccept,
    /// Closed at accept: `max_connections_per_ip` plus its grace band reached.
    LimitPerIpAtAccept,
    /// Closed at accept: the descriptor budget (from `RLIMIT_NOFILE`) is used up.
    Descriptors,
    /// A frame or message over `max_frame_size`.
    FrameTooLarge,
    /// The client sent a malformed frame (RFC 6455 §5), a text frame (version 1), or a bad
    /// control message or a grant beyond the maximum credit (version 2).
    Protocol,
    /// No bytes either way for `idle_timeout_secs`.
    Idle,
    /// The session reached `max_session_secs`.
    MaxDuration,
}

impl Reason {
    const ALL: [Reason; 19] = [
        Reason::Origin,
        Reason::Path,
        Reason::Handshake,
        Reason::HandshakeTimeout,
        Reason::ProxyHeader,
        Reason::Subprotocol,
        Reason::BadRequest,
        Reason::Ticket,
        Reason::TargetNotAllowed,
        Reason::LimitGlobal,
        Reason::LimitPerIp,
        Reason::LimitPerSubject,
        Reason::LimitGlobalAtAccept,
        Reason::LimitPerIpAtAccept,
        Reason::Descriptors,
        Reason::FrameTooLarge,
        Reason::Protocol,
        Reason::Idle,
        Reason::MaxDuration,
    ];

    /// The label value.
    pub fn label(self) -> &'static str {
        match self {
            Self::Origin => "origin",
            Self::Path => "path",
            Self::Handshake => "handshake",
            Self::HandshakeTimeout => "handshake_timeout",
            Self::ProxyHeader => "proxy_header",
            Self::Subprotocol => "subprotocol",
            Self::BadRequest => "bad_request",
            Self::Ticket => "ticket",
            Self::TargetNotAllowed => "target_not_allowed",
            Self::LimitGlobal => "limit_global",
            Self::LimitPerIp => "limit_per_ip",
            Self::LimitPerSubject => "limit_per_subject",
            Self::LimitGlobalAtAccept => "limit_global_at_accept",
            Self::LimitPerIpAtAccept => "limit_per_ip_at_accept",
            Self::Descriptors => "descriptors",
            Self::FrameTooLarge => "frame_too_large",
            Self::Protocol => "protocol",
            Self::Idle => "idle",
            Self::MaxDuration => "max_duration",
        }
    }

    fn index(self) -> usize {
        Self::ALL.iter().position(|r| *r == self).unwrap_or(0)
    }
}

/// An upstream failure (the `kind` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpstreamError {
    /// TCP connect (or DNS) failed.
    Connect,
    /// The TLS handshake failed.
    Tls,
    /// Resolving + connecting + TLS took longer than `upstream_connect_timeout_secs`.
    Timeout,
    /// Reading or writing an established upstream failed.
    Io,
}

impl UpstreamError {
    const ALL: [UpstreamError; 4] = [Self::Connect, Self::Tls, Self::Timeout, Self::Io];

    fn label(self) -> &'static str {
        match self {
            Self::Connect => "connect",
            Self::Tls => "tls",
            Self::Timeout => "timeout",
            Self::Io => "io",
        }
    }
}

/// Upper bounds (seconds) of the session duration histogram's buckets.
pub const DURATION_BUCKETS: [f64; 9] = [
    1.0, 10.0, 60.0, 300.0, 900.0, 1800.0, 3600.0, 14400.0, 86400.0,
];

/// The bridge's counters (all lock-free).
#[derive(Debug, Default)]
pub struct Metrics {
    /// TCP connections open now.
    pub connections_current: AtomicU64,
    /// TCP connections accepted.
    pub connections_total: AtomicU64,
    /// Sessions piping now.
    pub sessions_current: AtomicU64,
    /// Sessions that reached an upstream.
    pub sessions_total: AtomicU64,
    /// Bytes from clients to upstreams.
    pub bytes_client_to_upstream: AtomicU64,
    /// Bytes from upstreams to clients.
    pub bytes_upstream_to_client: AtomicU64,
    /// Set when shutdown begins (SIGTERM): `/healthz` answers 503 from then on, so load
    /// balancers and readiness probes stop sending new sessions while open ones drain.
    pub draining: std::sync::atomic::AtomicBool,
    /// Version-2 sessions that spent all their credit and wait for a grant now (the wait for
    /// the first grant, right after the upgrade, is not a stall).
    pub sessions_stalled: AtomicU64,
    /// Times a version-2 session spent all its credit.
    pub credit_stalls_total: AtomicU64,
    /// Payload bytes read from version-2 clients and not yet written to their upstreams
    /// (each session holds at most its upload window).
    pub upload_buffered_bytes: AtomicU64,
    wire_sessions: [AtomicU64; WireVersion::ALL.len()],
    refusals: [AtomicU64; Reason::ALL.len()],
    upstream_errors: [AtomicU64; 4],
    duration_buckets: [AtomicU64; 9],
    duration_count: AtomicU64,
    duration_sum_ms: AtomicU64,
}

impl Metrics {
    /// Counts a refusal.
    pub fn refused(&self, reason: Reason) {
        if let Some(c) = self.refusals.get(reason.index()) {
            c.fetch_add(1, Relaxed);
        }
    }

    /// How many refusals with `reason` so far.
    pub fn refusals(&self, reason: Reason) -> u64 {
        self.refusals
            .get(reason.index())
            .map_or(0, |c| c.load(Relaxed))
    }

    /// Counts a session that reached an upstream under `version` (besides
    /// [`sessions_total`](Self::sessions_total), which counts them all).
    pub fn wire_session(&self, version: WireVersion) {
        if let Some(c) = self.wire_sessions.get(wire_index(version)) {
            c.fetch_add(1, Relaxed);
        }
    }

    /// How many sessions ran `version` so far.
    pub fn wire_sessions(&self, version: WireVersion) -> u64 {
        self.wire_sessions
            .get(wire_index(version))
            .map_or(0, |c| c.load(Relaxed))
    }

    /// Counts an upstream failure.
    pub fn upstream_error(&self, kind: UpstreamError) {
        let i = UpstreamError::ALL.iter().position(|k| *k == kind);
        if let Some(c) = i.and_then(|i| self.upstream_errors.get(i)) {
            c.fetch_add(1, Relaxed);
        }
    }

    /// Records a finished session's duration.
    pub fn session_ended(&self, duration: Duration) {
        let secs = duration.as_secs_f64();
        for (bound, bucket) in DURATION_BUCKETS.iter().zip(&self.duration_buckets) {
            if secs <= *bound {
                bucket.fetch_add(1, Relaxed);
            }
        }
        self.duration_count.fetch_add(1, Relaxed);
        let ms = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
        self.duration_sum_ms.fetch_add(ms, Relaxed);
    }

    /// The Prometheus text exposition (format 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        let mut simple = |name: &str, kind: &str, help: &str, value: u64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        };
        simple(
            "daaki_bridge_connections_current",
            "gauge",
            "TCP connections open now.",
            self.connections_current.load(Relaxed),
        );
        simple(
            "daaki_bridge_connections_total",
            "counter",
            "TCP connections accepted.",
            self.connections_total.load(Relaxed),
        );
        simple(
            "daaki_bridge_sessions_current",
            "gauge",
            "Sessions piping to an upstream now.",
            self.sessions_current.load(Relaxed),
        );
        simple(
            "daaki_bridge_sessions_total",
            "counter",
            "Sessions that reached an upstream.",
            self.sessions_total.load(Relaxed),
        );
        simple(
            "daaki_bridge_sessions_stalled",
            "gauge",
            "Version-2 sessions out of credit, waiting for the client's grant now.",
            self.sessions_stalled.load(Relaxed),
        );
        simple(
            "daaki_bridge_credit_stalls_total",
            "counter",
            "Times a version-2 session spent all its credit.",
            self.credit_stalls_total.load(Relaxed),
        );
        simple(
            "daaki_bridge_upload_buffered_bytes",
            "gauge",
            "Payload bytes read from version-2 clients, not yet written to their upstreams.",
            self.upload_buffered_bytes.load(Relaxed),
        );
        simple(
            "daaki_bridge_draining",
            "gauge",
            "1 once shutdown began: not accepting, open sessions draining.",
            u64::from(self.draining.load(Relaxed)),
        );
        let _ = writeln!(
            out,
            "# HELP daaki_bridge_bytes_total Payload bytes piped.\n# TYPE daaki_bridge_bytes_total counter\n\
             daaki_bridge_bytes_total{{direction=\"client_to_upstream\"}} {}\n\
             daaki_bridge_bytes_total{{direction=\"upstream_to_client\"}} {}",
            self.bytes_client_to_upstream.load(Relaxed),
            self.bytes_upstream_to_client.load(Relaxed),
        );
        let _ = writeln!(
            out,
            "# HELP daaki_bridge_wire_sessions_total Sessions that reached an upstream, by wire contract version.\n\
             # TYPE daaki_bridge_wire_sessions_total counter"
        );
        for version in WireVersion::ALL {
            let _ = writeln!(
                out,
                "daaki_bridge_wire_sessions_total{{wire=\"{}\"}} {}",
                version.label(),
                self.wire_sessions(version)
            );
        }
        let _ = writeln!(
            out,
            "# HELP daaki_bridge_refusals_total Connections refused or ended by the bridge, by reason.\n\
             # TYPE daaki_bridge_refusals_total counter"
        );
        for reason in Reason::ALL {
            let _ = writeln!(
                out,
                "daaki_bridge_refusals_total{{reason=\"{}\"}} {}",
                reason.label(),
                self.refusals(reason)
            );
        }
        let _ = writeln!(
            out,
            "# HELP daaki_bridge_upstream_errors_total Upstream failures, by kind.\n\
             # TYPE daaki_bridge_upstream_errors_total counter"
        );
        for (kind, count) in UpstreamError::ALL.iter().zip(&self.upstream_errors) {
            let _ = writeln!(
                out,
                "daaki_bridge_upstream_errors_total{{kind=\"{}\"}} {}",
                kind.label(),
                count.load(Relaxed)
            );
        }
        let name = "daaki_bridge_session_duration_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} Duration of piped sessions.\n# TYPE {name} histogram"
        );
        for (bound, bucket) in DURATION_BUCKETS.iter().zip(&self.duration_buckets) {
            let _ = writeln!(
                out,
                "{name}_bucket{{le=\"{bound}\"}} {}",
                bucket.load(Relaxed)
            );
        }
        let count = self.duration_count.load(Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let sum = self.duration_sum_ms.load(Relaxed) as f64 / 1000.0;
        let _ = writeln!(out, "{name}_sum {sum}\n{name}_count {count}");
        out
    }
}

/// The counter of `version` in `Metrics::wire_sessions`.
fn wire_index(version: WireVersion) -> usize {
    match version {
        WireVersion::V1 => 0,
        WireVersion::V2 => 1,
    }
}

/// Serves `GET /metrics` (the exposition) and `GET /healthz` (`ok`, or 503 `draining` once
/// shutdown began) on `listener` forever.
/// Requests are read with a 5 s timeout and a 4 KiB bound; anything else gets 404.
pub async fn serve(listener: TcpListener, metrics: Arc<Metrics>) -> io::Result<()> {
    loop {
        let (mut tcp, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let metrics = metrics.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            let mut len = 0;
            let read = async {
                while len < buf.len() {
                    match tcp.read(buf.get_mut(len..).unwrap_or_default()).await {
                        Ok(0) | Err(_) => return false,
                        Ok(n) => len += n,
                    }
                    if buf
                        .get(..len)
                        .is_some_and(|b| b.windows(4).any(|w| w == b"\r\n\r\n"))
                    {
                        return true;
                    }
                }
                false
            };
            if !matches!(
                tokio::time::timeout(Duration::from_secs(5), read).await,
                Ok(true)
            ) {
                return;
            }
            let head = buf.get(..len).unwrap_or_default();
            let line = head.split(|b| *b == b'\r').next().unwrap_or_default();
            let (status, content_type, body) = match line {
                b"GET /healthz HTTP/1.1" | b"GET /healthz HTTP/1.0" => {
                    if metrics.draining.load(Relaxed) {
                        (
                            "503 Service Unavailable",
                            "text/plain",
                            "draining\n".to_owned(),
                        )
                    } else {
                        ("200 OK", "text/plain", "ok\n".to_owned())
                    }
                }
                b"GET /metrics HTTP/1.1" | b"GET /metrics HTTP/1.0" => {
                    ("200 OK", "text/plain; version=0.0.4", metrics.render())
                }
                _ => ("404 Not Found", "text/plain", "not found\n".to_owned()),
            };
            let response = format!(
                "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = tcp.write_all(response.as_bytes()).await;
            let _ = tcp.shutdown().await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exposition_has_every_reason_and_a_consistent_histogram() {
        let m = Metrics::default();
        m.refused(Reason::Ticket);
        m.refused(Reason::Ticket);
        m.upstream_error(UpstreamError::Tls);
        m.session_ended(Duration::from_secs(5));
        m.session_ended(Duration::from_secs(4000));
        let text = m.render();
        assert!(text.contains("daaki_bridge_refusals_total{reason=\"ticket\"} 2\n"));
        assert!(text.contains("daaki_bridge_refusals_total{reason=\"limit_per_ip\"} 0\n"));
        assert!(text.contains("daaki_bridge_upstream_errors_total{kind=\"tls\"} 1\n"));
        assert!(text.contains("daaki_bridge_session_duration_seconds_bucket{le=\"1\"} 0\n"));
        assert!(text.contains("daaki_bridge_session_duration_seconds_bucket{le=\"10\"} 1\n"));
        assert!(text.contains("daaki_bridge_session_duration_seconds_bucket{le=\"14400\"} 2\n"));
        assert!(text.contains("daaki_bridge_session_duration_seconds_count 2\n"));
        assert!(text.contains("daaki_bridge_session_duration_seconds_sum 4005\n"));
        assert_eq!(m.refusals(Reason::Ticket), 2);
    }

    #[test]
    fn the_per_subject_cap_has_its_own_label_and_counter() {
        let m = Metrics::default();
        m.refused(Reason::LimitPerSubject);
        m.refused(Reason::LimitPerSubject);
        m.refused(Reason::LimitPerSubject);
        m.refused(Reason::LimitPerIp);
        assert_eq!(Reason::LimitPerSubject.label(), "limit_per_subject");
        assert_eq!(m.refusals(Reason::LimitPerSubject), 3);
        assert_eq!(m.refusals(Reason::LimitPerIp), 1);
        assert_eq!(m.refusals(Reason::LimitGlobal), 0);
        let text = m.render();
        assert!(text.contains("daaki_bridge_refusals_total{reason=\"limit_per_subject\"} 3\n"));
        assert!(text.contains("daaki_bridge_refusals_total{reason=\"limit_per_ip\"} 1\n"));
    }

    #[test]
    fn wire_versions_and_stalls_have_their_own_lines() {
        let m = Metrics::default();
        let text = m.render();
        assert!(text.contains("\ndaaki_bridge_wire_sessions_total{wire=\"v1\"} 0\n"));
        assert!(text.contains("\ndaaki_bridge_wire_sessions_total{wire=\"v2\"} 0\n"));
        assert!(text.contains("# TYPE daaki_bridge_wire_sessions_total counter\n"));
        assert!(text.contains("# TYPE daaki_bridge_sessions_stalled gauge\n"));
        assert!(text.contains("# TYPE daaki_bridge_credit_stalls_total counter\n"));
        m.wire_session(WireVersion::V1);
        m.wire_session(WireVersion::V2);
        m.wire_session(WireVersion::V2);
        m.sessions_stalled.store(3, Relaxed);
        m.credit_stalls_total.store(7, Relaxed);
        assert_eq!(m.wire_sessions(WireVersion::V1), 1);
        assert_eq!(m.wire_sessions(WireVersion::V2), 2);
        let text = m.render();
        assert!(text.contains("\ndaaki_bridge_wire_sessions_total{wire=\"v1\"} 1\n"));
        assert!(text.contains("\ndaaki_bridge_wire_sessions_total{wire=\"v2\"} 2\n"));
        assert!(text.contains("\ndaaki_bridge_sessions_stalled 3\n"));
        assert!(text.contains("\ndaaki_bridge_credit_stalls_total 7\n"));
        assert!(text.contains("# TYPE daaki_bridge_upload_buffered_bytes gauge\n"));
        m.upload_buffered_bytes.store(262_144, Relaxed);
        assert!(
            m.render()
                .contains("\ndaaki_bridge_upload_buffered_bytes 262144\n")
        );
        // Not part of the untagged session counter.
        assert!(text.contains("\ndaaki_bridge_sessions_total 0\n"));
    }

    #[test]
    fn every_reason_has_its_own_label_and_counter() {
        let m = Metrics::default();
        for (i, reason) in Reason::ALL.into_iter().enumerate() {
            for _ in 0..=i {
                m.refused(reason);
            }
        }
        let text = m.render();
        let mut labels = Vec::new();
        for (i, reason) in Reason::ALL.into_iter().enumerate() {
            let n = i as u64 + 1;
            assert_eq!(m.refusals(reason), n, "{reason:?}");
            let line = format!(
                "daaki_bridge_refusals_total{{reason=\"{}\"}} {n}\n",
                reason.label()
            );
            assert!(text.contains(&line), "{line}");
            assert!(!labels.contains(&reason.label()), "{reason:?}");
            labels.push(reason.label());
        }
    }
}
