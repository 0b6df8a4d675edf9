//! The bridge's configuration: where it listens, which origins may connect, and which
//! upstreams it may reach. Loaded from TOML; nothing outside it is ever reachable.
//!
//! ```toml
//! listen = "127.0.0.1:8143"
//! path = "/imap"                      # default
//! origins = ["https://mail.example.com"]  # exact origins; "*" only if you mean it
//!
//! [[targets]]                         # named upstreams: ?target=work
//! name = "work"
//! host = "imap.example.com"
//! port = 993                          # default
//! tls = true                          # default; false = plaintext (local development only)
//! allow_private = false               # default; true lets it resolve to private addresses
//! extra_roots = "/etc/ssl/private-ca.pem"  # optional, trusted besides the OS roots
//! send_proxy_protocol = "v2"         # optional: tell the server the client (it must expect it)
//!
//! [[patterns]]                        # host patterns: ?host=imap.fastmail.com&port=993
//! pattern = "*.fastmail.com"          # exact host, or "*." + suffix (any deeper name)
//! ports = [993]                       # default
//!
//! ticket_secret_file = "/etc/daaki-imap-bridge/ticket.secret"  # optional; tickets required when set
//! metrics_listen = "127.0.0.1:9143"   # optional; GET /metrics and /healthz
//! trusted_proxies = ["10.0.0.0/8"]    # optional: proxies whose Forwarded / X-Forwarded-For names the client
//! proxy_protocol = false             # true: every connection starts with a PROXY v1/v2 header (from a TCP load balancer)
//! tls_cert_file = "/etc/daaki-imap-bridge/cert.pem"  # optional, with tls_key_file: wss://
//! tls_key_file = "/etc/daaki-imap-bridge/key.pem"
//! wire_versions = [1, 2]             # default; the wire contract versions offered ([1]: v1 only)
//!
//! [limits]                            # every key optional; defaults shown
//! max_connections = 10000             # open TCP connections, all phases
//! max_connections_per_ip = 64        # IPv6: per ipv6_prefix_len prefix
//! max_sessions_per_subject = 16       # per version-2 ticket subject, this instance; 0 = unlimited
//! ipv6_prefix_len = 64
//! handshake_timeout_secs = 10         # the whole HTTP upgrade (slowloris)
//! upstream_connect_timeout_secs = 20  # resolve + TCP + TLS
//! idle_timeout_secs = 2400            # no bytes either way (IMAP IDLE is quiet: > 30 min)
//! max_session_secs = 86400            # 0 = unlimited
//! max_frame_size = 262144             # frame and message, at most wire::MAX_FRAME_LEN
//! ping_interval_secs = 30             # WebSocket pings from the bridge; 0 = none
//! shutdown_drain_secs = 30            # SIGTERM: let sessions finish this long, then close 1001
//! upload_window = 262144              # version 2: client bytes granted and buffered per session
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The whole configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The address to listen on (default `127.0.0.1:8143`).
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// The WebSocket endpoint's path (default [`daaki_imap::wire::DEFAULT_PATH`]).
    #[serde(default = "default_path")]
    pub path: String,
    /// Origins allowed to connect, compared exactly (`https://mail.example.com`). `"*"`
    /// allows any origin, also a missing one (native clients); never the default.
    #[serde(default)]
    pub origins: Vec<String>,
    /// Named upstreams.
    #[serde(default)]
    pub targets: Vec<Target>,
    /// Host patterns a client may name with `host=` / `port=`.
    #[serde(default)]
    pub patterns: Vec<HostPattern>,
    /// A file holding the ticket secret (at least 32 bytes; surrounding whitespace trimmed).
    /// When set, every connection needs a valid ticket (see [`daaki_imap::wire`]).
    #[serde(default)]
    pub ticket_secret_file: Option<PathBuf>,
    /// Where to serve `GET /metrics` (Prometheus) and `GET /healthz`; none by default. Keep it
    /// private (loopback or an internal network).
    #[serde(default)]
    pub metrics_listen: Option<SocketAddr>,
    /// PEM certificate chain for TLS on the listener (`wss://`); with `tls_key_file`.
    /// Without both, the listener speaks plain `ws://` (put a TLS proxy in front).
    #[serde(default)]
    pub tls_cert_file: Option<PathBuf>,
    /// PEM private key for `tls_cert_file`.
    #[serde(default)]
    pub tls_key_file: Option<PathBuf>,
    /// Reverse proxies (CIDR blocks, e.g. `"10.0.0.0/8"`, `"::1/128"`) whose `Forwarded` /
    /// `X-Forwarded-For` headers name the client. Only a connection from one of them is
    /// believed; from anyone else those headers are ignored (they are trivially spoofed).
    #[serde(default)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Every connection begins with a PROXY protocol header (version 1 or 2), as a TCP load
    /// balancer writes it (HAProxy `send-proxy`, nginx `proxy_protocol on`, AWS NLB). The
    /// client it names is believed only from `trusted_proxies`; from other peers it is read
    /// and ignored. A connection without one is closed (the header is never guessed).
    /// Default `false`.
    #[serde(default)]
    pub proxy_protocol: bool,
    /// The wire contract versions the bridge speaks (default both, `[1, 2]`): a client
    /// offering `daaki-imap.v2` gets version 2 (flow control) when it is listed, else
    /// `daaki-imap.v1`. `[1]` makes a bridge that answers like one that only knows version 1
    /// (to roll version 2 back); `[2]` refuses clients that only offer version 1. A non-empty
    /// set of 1 and 2, each at most once.
    #[serde(default = "default_wire_versions")]
    pub wire_versions: Vec<WireVersion>,
    /// Connection, time and size limits.
    #[serde(default)]
    pub limits: Limits,
}

/// A version of the wire contract (`wire_versions`: `1` or `2`), negotiated by subprotocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "u8")]
pub enum WireVersion {
    /// `daaki-imap.v1` ([`daaki_imap::wire::SUBPROTOCOL`]): binary frames only.
    V1,
    /// `daaki-imap.v2` ([`daaki_imap::wire::SUBPROTOCOL_V2`]): control messages and
    /// credit-based flow control ([`daaki_imap::wire::flow`]).
    V2,
}

impl WireVersion {
    /// Both versions, oldest first.
    pub const ALL: [WireVersion; 2] = [WireVersion::V1, WireVersion::V2];

    /// The subprotocol token that selects this version.
    pub fn subprotocol(self) -> &'static str {
        match self {
            Self::V1 => daaki_imap::wire::SUBPROTOCOL,
            Self::V2 => daaki_imap::wire::SUBPROTOCOL_V2,
        }
    }

    /// The version's number (`1`, `2`), as `wire_versions` lists it.
    pub fn number(self) -> u8 {
        match self {
            Self::V1 => 1,
            Self::V2 => 2,
        }
    }

    /// The metrics label (`v1`, `v2`).
    pub fn label(self) -> &'static str {
        match self {
            Self::V1 => "v1",
            Self::V2 => "v2",
        }
    }
}

impl TryFrom<u8> for WireVersion {
    type Error = String;

    fn try_from(version: u8) -> Result<Self, Self::Error> {
        match version {
            1 => Ok(Self::V1),
            2 => Ok(Self::V2),
            other => Err(format!("wire version {other}: the bridge speaks 1 and 2")),
        }
    }
}

/// Connection, time and size limits (`[limits]`). Every refusal they cause is counted in the
/// metrics and dials nothing.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Open TCP connections, in any phase (default 10 000). Beyond it, the upgrade is
    /// accepted and closed with `LimitReached`.
    pub max_connections: usize,
    /// Open TCP connections per client IP address (default 64).
    pub max_connections_per_ip: usize,
    /// Open sessions per ticket subject (default 16; 0 = unlimited). Only version-2 tickets
    /// carry a subject; connections with a version-1 ticket or without tickets are not
    /// counted. Beyond it, the connection is closed with `LimitReached` after its ticket was
    /// checked. Counted per bridge instance: several instances behind a load balancer each
    /// count their own sessions.
    pub max_sessions_per_subject: usize,
    /// How long the HTTP upgrade may take, from accept to the last header (default 10 s).
    pub handshake_timeout_secs: u64,
    /// How long resolving, the TCP connect and the upstream TLS handshake may take together
    /// (default 20 s).
    pub upstream_connect_timeout_secs: u64,
    /// A session with no payload bytes either way (and, in version 2, no credit grant from
    /// the client) for this long is closed with `Timeout` (default 2400 s = 40 min: IMAP
    /// IDLE may be silent for 29 min).
    pub idle_timeout_secs: u64,
    /// The longest a session may last, then it is closed with `Timeout` (default 86 400 s;
    /// 0 = unlimited).
    pub max_session_secs: u64,
    /// The largest WebSocket frame and message accepted from a client (default and maximum
    /// [`daaki_imap::wire::MAX_FRAME_LEN`]); a larger one closes with `LimitReached`.
    pub max_frame_size: usize,
    /// Interval of WebSocket pings the bridge sends (default 30 s; 0 = none). Keeps NATs and
    /// proxies from dropping quiet sessions.
    pub ping_interval_secs: u64,
    /// On SIGTERM/SIGINT: how long open sessions may continue before they are closed with
    /// 1001 (default 30 s).
    pub shutdown_drain_secs: u64,
    /// IPv6 clients are counted per prefix of this length for the per-IP cap (default 64:
    /// a subscriber usually holds a whole /64, so single addresses would not limit anyone).
    pub ipv6_prefix_len: u8,
    /// Version 2: the upload window, in bytes — the credit the bridge grants each client for
    /// payload it sends, and so the most client payload a session buffers while its upstream
    /// does not read (default [`daaki_imap::wire::DEFAULT_UPLOAD_WINDOW`], 256 KiB;
    /// [`MIN_UPLOAD_WINDOW`]`..=`[`daaki_imap::wire::MAX_WINDOW`]). Larger windows speed
    /// uploads over long round trips and cost up to this much memory per uploading session.
    pub upload_window: u32,
}

/// The smallest `limits.upload_window`: 16 KiB (one client read; smaller windows make
/// uploads crawl through a grant per few frames).
pub const MIN_UPLOAD_WINDOW: u32 = 16 * 1024;

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 10_000,
            max_connections_per_ip: 64,
            max_sessions_per_subject: 16,
            handshake_timeout_secs: 10,
            upstream_connect_timeout_secs: 20,
            idle_timeout_secs: 2400,
            max_session_secs: 86_400,
            max_frame_size: daaki_imap::wire::MAX_FRAME_LEN,
            ping_interval_secs: 30,
            shutdown_drain_secs: 30,
            ipv6_prefix_len: 64,
            upload_window: daaki_imap::wire::DEFAULT_UPLOAD_WINDOW,
        }
    }
}

/// A named upstream.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// The name clients use (`target=<name>`).
    pub name: String,
    /// The upstream host name (also the TLS server name) or IP address.
    pub host: String,
    /// The upstream port (default 993).
    #[serde(default = "default_port")]
    pub port: u16,
    /// TLS to the upstream (default `true`). `false` pipes plaintext: local development only.
    #[serde(default = "default_true")]
    pub tls: bool,
    /// Lets the host resolve to loopback/private/link-local/… addresses (default `false`).
    /// Cloud metadata addresses stay refused regardless.
    #[serde(default)]
    pub allow_private: bool,
    /// A PEM file of extra root certificates trusted for this upstream (besides the OS roots).
    #[serde(default)]
    pub extra_roots: Option<PathBuf>,
    /// Write a PROXY protocol header (`"v1"` or `"v2"`) naming the client before anything
    /// else (before TLS), so the server sees, logs and rate-limits the real client, not the
    /// bridge. Only for a server configured to expect it from the bridge (Dovecot: `haproxy =
    /// yes` on the listener and the bridge in `haproxy_trusted_networks`); any other server
    /// refuses the connection. Default: none.
    #[serde(default)]
    pub send_proxy_protocol: Option<crate::proxy_protocol::ProxyVersion>,
}

/// Hosts clients may name themselves.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostPattern {
    /// An exact host (`imap.example.com`) or `*.example.com` (any name ending in
    /// `.example.com`, not `example.com` itself).
    pub pattern: String,
    /// Allowed ports (default `[993]`).
    #[serde(default = "default_ports")]
    pub ports: Vec<u16>,
}

impl HostPattern {
    /// Whether `host` (compared case-insensitively) matches this pattern.
    pub fn matches(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        let pattern = self.pattern.to_ascii_lowercase();
        match pattern.strip_prefix("*.") {
            Some(suffix) => host
                .strip_suffix(suffix)
                .and_then(|head| head.strip_suffix('.'))
                .is_some_and(|head| !head.is_empty()),
            None => host == pattern,
        }
    }
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8143))
}

fn default_path() -> String {
    daaki_imap::wire::DEFAULT_PATH.to_owned()
}

fn default_port() -> u16 {
    daaki_imap::wire::DEFAULT_PORT
}

fn default_ports() -> Vec<u16> {
    vec![daaki_imap::wire::DEFAULT_PORT]
}

fn default_true() -> bool {
    true
}

fn default_wire_versions() -> Vec<WireVersion> {
    WireVersion::ALL.to_vec()
}

/// A configuration that cannot be loaded or is unsafe.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The TOML is malformed or has unknown keys.
    #[error("invalid configuration: {0}")]
    Parse(#[from] toml::de::Error),
    /// A value is not allowed.
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// A configuration with no origins, targets or patterns (reaches nothing).
    pub fn empty() -> Self {
        Self {
            listen: default_listen(),
            path: default_path(),
            origins: Vec::new(),
            targets: Vec::new(),
            patterns: Vec::new(),
            ticket_secret_file: None,
            metrics_listen: None,
            tls_cert_file: None,
            tls_key_file: None,
            trusted_proxies: Vec::new(),
            proxy_protocol: false,
            wire_versions: default_wire_versions(),
            limits: Limits::default(),
        }
    }

    /// Whether the bridge speaks `version` (`wire_versions`).
    pub fn speaks(&self, version: WireVersion) -> bool {
        self.wire_versions.contains(&version)
    }

    /// Parses and validates TOML text.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let config: Config = toml::from_str(text)?;
        config.validate()?;
        Ok(config)
    }

    /// Reads, parses and validates a TOML file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_toml(&text)
    }

    /// Whether `origin` may connect.
    pub fn origin_allowed(&self, origin: Option<&str>) -> bool {
        if self.origins.iter().any(|o| o == "*") {
            return true;
        }
        origin.is_some_and(|origin| self.origins.iter().any(|o| o == origin))
    }

    /// What in a valid configuration is most likely a mistake, one sentence each (logged as
    /// warnings at start-up and printed by `--check-config`): `origins = ["*"]` (any web
    /// page may use the bridge), an origin that can never match (a path, a trailing slash,
    /// upper case: browsers send `scheme://host[:port]` in lower case), and a host pattern
    /// as wide as a public suffix (`*.com`, `*.co.uk`: every host under it), a trusted proxy
    /// block that trusts everyone, and PROXY headers that no peer is trusted to send.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for origin in &self.origins {
            if origin == "*" {
                out.push(
                    "origins = [\"*\"]: any web page may use this bridge to reach its targets; \
                     list your application's origins instead"
                        .to_owned(),
                );
            } else if let Some(problem) = origin_problem(origin) {
                out.push(format!("origin {origin:?} can never match: {problem}"));
            }
        }
        for p in &self.patterns {
            if let Some(suffix) = p.pattern.strip_prefix("*.")
                && is_public_suffix(suffix)
            {
                out.push(format!(
                    "pattern {:?} allows every host under the public suffix {suffix:?}: \
                     name your mail provider's domains instead",
                    p.pattern
                ));
            }
        }
        for net in &self.trusted_proxies {
            if net.prefix_len() == 0 {
                out.push(format!(
                    "trusted_proxies {net}: every peer is trusted, so any client can name \
                     itself anyone in Forwarded / X-Forwarded-For and walk around the per-IP \
                     cap; list your proxies' addresses instead"
                ));
            }
        }
        if self.proxy_protocol && self.trusted_proxies.is_empty() {
            out.push(
                "proxy_protocol = true but trusted_proxies is empty: every PROXY header is \
                 read and ignored, so every client is counted as the load balancer; list the \
                 load balancer's addresses in trusted_proxies"
                    .to_owned(),
            );
        }
        out
    }

    /// Checks names, patterns and ports.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |m: String| Err(ConfigError::Invalid(m));
        if !self.path.starts_with('/') {
            return invalid(format!("path must start with '/': {:?}", self.path));
        }
        for (i, t) in self.targets.iter().enumerate() {
            if daaki_imap::wire::BridgeTarget::named(&t.name).is_err() {
                return invalid(format!("target name {:?} must be [A-Za-z0-9._-]", t.name));
            }
            if self.targets[..i].iter().any(|o| o.name == t.name) {
                return invalid(format!("target name {:?} appears twice", t.name));
            }
            if t.host.is_empty() || t.port == 0 {
                return invalid(format!("target {:?} needs a host and a port", t.name));
            }
        }
        if self.tls_cert_file.is_some() != self.tls_key_file.is_some() {
            return invalid("tls_cert_file and tls_key_file go together".into());
        }
        if self.wire_versions.is_empty() {
            return invalid(
                "wire_versions must list at least one version: [1], [2] or [1, 2]".into(),
            );
        }
        for (i, version) in self.wire_versions.iter().enumerate() {
            if self.wire_versions[..i].contains(version) {
                return invalid(format!(
                    "wire_versions lists version {} twice",
                    version.number()
                ));
            }
        }
        let l = &self.limits;
        if l.max_connections == 0 || l.max_connections_per_ip == 0 {
            return invalid("limits: connection caps must be at least 1".into());
        }
        if l.handshake_timeout_secs == 0
            || l.upstream_connect_timeout_secs == 0
            || l.idle_timeout_secs == 0
        {
            return invalid("limits: timeouts must be at least 1 s".into());
        }
        if !(32..=128).contains(&l.ipv6_prefix_len) {
            return invalid("limits: ipv6_prefix_len must be 32..=128".into());
        }
        if l.max_frame_size < 1024 || l.max_frame_size > daaki_imap::wire::MAX_FRAME_LEN {
            return invalid(format!(
                "limits: max_frame_size must be 1024..={}",
                daaki_imap::wire::MAX_FRAME_LEN
            ));
        }
        if !(MIN_UPLOAD_WINDOW..=daaki_imap::wire::MAX_WINDOW).contains(&l.upload_window) {
            return invalid(format!(
                "limits: upload_window must be {MIN_UPLOAD_WINDOW}..={}",
                daaki_imap::wire::MAX_WINDOW
            ));
        }
        for p in &self.patterns {
            let body = p.pattern.strip_prefix("*.").unwrap_or(&p.pattern);
            if body.is_empty() || body.contains('*') {
                return invalid(format!(
                    "pattern {:?}: only an exact host or \"*.\" + suffix",
                    p.pattern
                ));
            }
            if p.ports.is_empty() || p.ports.contains(&0) {
                return invalid(format!("pattern {:?} needs valid ports", p.pattern));
            }
        }
        Ok(())
    }
}

/// Why a configured origin can never equal what a browser sends (`scheme://host[:port]`,
/// lower case, no path), if it cannot.
fn origin_problem(origin: &str) -> Option<&'static str> {
    let Some((scheme, rest)) = origin.split_once("://") else {
        return Some("it has no scheme (browsers send `https://host[:port]`)");
    };
    if rest.ends_with('/') {
        Some("browsers send origins without a trailing slash")
    } else if rest.contains('/') {
        Some("browsers send origins without a path")
    } else if rest.is_empty() {
        Some("it has no host")
    } else if origin.bytes().any(|b| b.is_ascii_uppercase()) || scheme.is_empty() {
        Some("browsers send the scheme and host in lower case")
    } else {
        None
    }
}

/// Whether `domain` is a public suffix (`com`, `co.uk`, `github.io`) per the Public Suffix
/// List compiled into the `psl` crate.
fn is_public_suffix(domain: &str) -> bool {
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    psl::suffix_str(&domain) == Some(domain.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn likely_mistakes_are_warned_about() {
        let c = Config::from_toml(
            "origins = [\"*\", \"https://mail.example.com/\", \"https://mail.example.com/app\", \
             \"HTTPS://Mail.Example.com\", \"mail.example.com\", \"https://\", \"https://ok.example.com:8443\"]\n\
             [[patterns]]\npattern = \"*.com\"\n[[patterns]]\npattern = \"*.co.uk\"\n\
             [[patterns]]\npattern = \"*.github.io\"\n[[patterns]]\npattern = \"*.example.co.uk\"\n\
             [[patterns]]\npattern = \"imap.gmail.com\"\n[[patterns]]\npattern = \"*.COM.\"\n",
        )
        .expect("valid");
        assert_eq!(
            c.warnings(),
            [
                "origins = [\"*\"]: any web page may use this bridge to reach its targets; list your application's origins instead",
                "origin \"https://mail.example.com/\" can never match: browsers send origins without a trailing slash",
                "origin \"https://mail.example.com/app\" can never match: browsers send origins without a path",
                "origin \"HTTPS://Mail.Example.com\" can never match: browsers send the scheme and host in lower case",
                "origin \"mail.example.com\" can never match: it has no scheme (browsers send `https://host[:port]`)",
                "origin \"https://\" can never match: it has no host",
                "pattern \"*.com\" allows every host under the public suffix \"com\": name your mail provider's domains instead",
                "pattern \"*.co.uk\" allows every host under the public suffix \"co.uk\": name your mail provider's domains instead",
                "pattern \"*.github.io\" allows every host under the public suffix \"github.io\": name your mail provider's domains instead",
                "pattern \"*.COM.\" allows every host under the public suffix \"COM.\": name your mail provider's domains instead",
            ]
        );
        let fine = Config::from_toml(
            "origins = [\"https://mail.example.com\", \"http://127.0.0.1:8080\"]\n\
             [[patterns]]\npattern = \"*.example.com\"\n",
        )
        .expect("valid");
        assert_eq!(fine.warnings(), Vec::<String>::new());
    }

    #[test]
    fn defaults_are_safe() {
        let c = Config::from_toml(
            "[[targets]]\nname = \"t\"\nhost = \"imap.example.com\"\n\
             [[patterns]]\npattern = \"*.example.org\"\n",
        )
        .expect("valid");
        assert_eq!(c.path, "/imap");
        assert!(c.origins.is_empty());
        assert!(!c.origin_allowed(Some("https://a.example")));
        assert!(!c.origin_allowed(None));
        let t = &c.targets[0];
        assert!(t.tls && !t.allow_private && t.port == 993);
        assert_eq!(c.patterns[0].ports, vec![993]);
    }

    #[test]
    fn origins_match_exactly_and_star_only_when_configured() {
        let mut c = Config::empty();
        c.origins = vec!["https://mail.example.com".into()];
        assert!(c.origin_allowed(Some("https://mail.example.com")));
        assert!(!c.origin_allowed(Some("https://mail.example.com.evil")));
        assert!(!c.origin_allowed(Some("http://mail.example.com")));
        c.origins.push("*".into());
        assert!(c.origin_allowed(Some("https://anything")));
        assert!(c.origin_allowed(None));
    }

    #[test]
    fn wildcard_patterns_match_subdomains_only() {
        let p = HostPattern {
            pattern: "*.example.com".into(),
            ports: vec![993],
        };
        assert!(p.matches("imap.example.com"));
        assert!(p.matches("A.B.Example.COM"));
        assert!(!p.matches("example.com"));
        assert!(!p.matches("evilexample.com"));
        assert!(!p.matches("imap.example.com.evil"));
    }

    #[test]
    fn unsafe_or_unknown_settings_are_rejected() {
        assert!(Config::from_toml("bogus = 1").is_err());
        assert!(Config::from_toml("[[patterns]]\npattern = \"*\"").is_err());
        assert!(Config::from_toml("[[patterns]]\npattern = \"a.*.com\"").is_err());
        assert!(Config::from_toml("[[targets]]\nname = \"a b\"\nhost = \"h\"").is_err());
        assert!(Config::from_toml("path = \"imap\"").is_err());
        assert!(Config::from_toml("[limits]\nmax_frame_size = 100000000").is_err());
        assert!(Config::from_toml("[limits]\nidle_timeout_secs = 0").is_err());
        assert!(Config::from_toml("[limits]\nbogus = 1").is_err());
    }

    /// The validation error for `text` (not a parse error: the TOML itself is fine).
    fn invalid(text: &str) -> String {
        match Config::from_toml(text) {
            Err(ConfigError::Invalid(message)) => message,
            other => panic!("{text:?} was not rejected by validation: {other:?}"),
        }
    }

    #[test]
    fn exact_patterns_match_only_that_host_in_any_case() {
        let p = HostPattern {
            pattern: "IMAP.Example.com".into(),
            ports: vec![993],
        };
        assert!(p.matches("imap.example.com"));
        assert!(p.matches("IMAP.EXAMPLE.COM"));
        for other in [
            "x.imap.example.com",
            "example.com",
            "imap.example.co",
            "imap.example.com.evil",
            "",
        ] {
            assert!(!p.matches(other), "{other}");
        }
        let wild = HostPattern {
            pattern: "*.Example.COM".into(),
            ports: vec![993],
        };
        assert!(wild.matches("imap.example.com"));
        assert!(
            !wild.matches(".example.com"),
            "an empty label is no subdomain"
        );
    }

    #[test]
    fn targets_need_a_unique_name_a_host_and_a_port() {
        let two = "[[targets]]\nname = \"a\"\nhost = \"h\"\n\
                   [[targets]]\nname = \"b\"\nhost = \"h\"\nport = 143\n";
        let c = Config::from_toml(two).expect("two distinct targets");
        assert_eq!(c.targets.len(), 2);
        assert_eq!((c.targets[1].name.as_str(), c.targets[1].port), ("b", 143));
        let twice = "[[targets]]\nname = \"a\"\nhost = \"h\"\n\
                     [[targets]]\nname = \"a\"\nhost = \"g\"\n";
        assert!(invalid(twice).contains("appears twice"));
        assert!(invalid("[[targets]]\nname = \"a\"\nhost = \"\"").contains("needs a host"));
        assert!(
            invalid("[[targets]]\nname = \"a\"\nhost = \"h\"\nport = 0").contains("needs a host")
        );
        assert!(invalid("[[targets]]\nname = \"\"\nhost = \"h\"").contains("target name"));
    }

    #[test]
    fn listener_tls_needs_both_files() {
        let cert = "tls_cert_file = \"/c.pem\"\n";
        let key = "tls_key_file = \"/k.pem\"\n";
        assert!(invalid(cert).contains("go together"));
        assert!(invalid(key).contains("go together"));
        let both = Config::from_toml(&format!("{cert}{key}")).expect("both");
        assert_eq!(both.tls_cert_file, Some(PathBuf::from("/c.pem")));
        assert_eq!(both.tls_key_file, Some(PathBuf::from("/k.pem")));
    }

    #[test]
    fn every_cap_and_timeout_must_be_at_least_one() {
        for key in ["max_connections", "max_connections_per_ip"] {
            let message = invalid(&format!("[limits]\n{key} = 0"));
            assert!(message.contains("connection caps"), "{key}: {message}");
            Config::from_toml(&format!("[limits]\n{key} = 1")).expect(key);
        }
        for key in [
            "handshake_timeout_secs",
            "upstream_connect_timeout_secs",
            "idle_timeout_secs",
        ] {
            let message = invalid(&format!("[limits]\n{key} = 0"));
            assert!(message.contains("timeouts"), "{key}: {message}");
            Config::from_toml(&format!("[limits]\n{key} = 1")).expect(key);
        }
        // These three mean "none" or "at once" at 0.
        let c = Config::from_toml(
            "[limits]\nmax_session_secs = 0\nping_interval_secs = 0\nshutdown_drain_secs = 0",
        )
        .expect("zeros allowed");
        assert_eq!(c.limits.max_session_secs, 0);
    }

    #[test]
    fn max_frame_size_is_between_1_kib_and_the_wire_maximum() {
        let max = daaki_imap::wire::MAX_FRAME_LEN;
        for ok in [1024, 1025, max - 1, max] {
            let c = Config::from_toml(&format!("[limits]\nmax_frame_size = {ok}")).expect("ok");
            assert_eq!(c.limits.max_frame_size, ok);
        }
        for bad in [0, 1023, max + 1] {
            assert!(
                invalid(&format!("[limits]\nmax_frame_size = {bad}")).contains("max_frame_size")
            );
        }
    }

    #[test]
    fn upload_window_defaults_to_256_kib_and_is_between_16_kib_and_the_maximum_window() {
        use daaki_imap::wire::{DEFAULT_UPLOAD_WINDOW, MAX_WINDOW};
        assert_eq!(MIN_UPLOAD_WINDOW, 16_384);
        assert_eq!(Limits::default().upload_window, DEFAULT_UPLOAD_WINDOW);
        assert_eq!(
            Config::from_toml("").expect("empty").limits.upload_window,
            262_144
        );
        for ok in [
            MIN_UPLOAD_WINDOW,
            MIN_UPLOAD_WINDOW + 1,
            MAX_WINDOW - 1,
            MAX_WINDOW,
        ] {
            let c = Config::from_toml(&format!("[limits]\nupload_window = {ok}")).expect("ok");
            assert_eq!(c.limits.upload_window, ok);
        }
        for bad in [0, 1, MIN_UPLOAD_WINDOW - 1, MAX_WINDOW + 1] {
            let message = invalid(&format!("[limits]\nupload_window = {bad}"));
            assert_eq!(message, "limits: upload_window must be 16384..=16777216");
        }
        assert!(Config::from_toml("[limits]\nupload_window = -1").is_err());
        assert!(Config::from_toml("[limits]\nupload_window = 4294967296").is_err());
    }

    #[test]
    fn patterns_need_a_host_and_valid_ports() {
        for bad in ["", "*.", "*", "*.*.com", "a.*", "**.com"] {
            let message = invalid(&format!("[[patterns]]\npattern = {bad:?}"));
            assert!(message.contains("only an exact host"), "{bad:?}: {message}");
        }
        for ports in ["[]", "[0]", "[993, 0]"] {
            let message = invalid(&format!("[[patterns]]\npattern = \"h\"\nports = {ports}"));
            assert!(message.contains("valid ports"), "{ports}: {message}");
        }
        let c =
            Config::from_toml("[[patterns]]\npattern = \"h\"\nports = [143, 993]").expect("valid");
        assert_eq!(c.patterns[0].ports, vec![143, 993]);
    }

    #[test]
    fn the_empty_configuration_listens_on_loopback_and_reaches_nothing() {
        let parsed = Config::from_toml("").expect("empty");
        for c in [Config::empty(), parsed] {
            assert_eq!(c.listen, "127.0.0.1:8143".parse().expect("addr"));
            assert_eq!(c.path, "/imap");
            assert!(c.origins.is_empty() && c.targets.is_empty() && c.patterns.is_empty());
            assert!(c.ticket_secret_file.is_none() && c.metrics_listen.is_none());
            assert!(c.tls_cert_file.is_none() && c.tls_key_file.is_none());
            assert_eq!(c.limits.max_connections, 10_000);
            c.validate().expect("valid");
        }
    }

    #[test]
    fn load_reads_and_validates_a_file() {
        let dir = std::env::temp_dir();
        let path = dir.join(format!("daaki-bridge-config-{}.toml", std::process::id()));
        std::fs::write(&path, "path = \"/bridge\"\n[limits]\nmax_connections = 7\n")
            .expect("write");
        let c = Config::load(&path).expect("loaded");
        assert_eq!((c.path.as_str(), c.limits.max_connections), ("/bridge", 7));
        std::fs::write(&path, "path = \"bridge\"\n").expect("write");
        assert!(matches!(Config::load(&path), Err(ConfigError::Invalid(_))));
        std::fs::remove_file(&path).expect("remove");
        assert!(matches!(Config::load(&path), Err(ConfigError::Read { .. })));
    }

    #[test]
    fn the_example_configuration_parses() {
        let c = Config::from_toml(include_str!("../bridge.example.toml")).expect("valid");
        assert_eq!(c.targets.len(), 1);
        assert!(c.ticket_secret_file.is_some() && c.metrics_listen.is_some());
        assert_eq!(
            c.limits.idle_timeout_secs,
            Limits::default().idle_timeout_secs
        );
    }

    #[test]
    fn limits_have_documented_defaults_and_can_be_partly_overridden() {
        let c = Config::from_toml("[limits]\nmax_connections_per_ip = 3").expect("valid");
        assert_eq!(c.limits.max_connections_per_ip, 3);
        assert_eq!(c.limits.max_connections, 10_000);
        assert!(c.limits.idle_timeout_secs > 30 * 60);
        assert_eq!(c.limits.max_frame_size, daaki_imap::wire::MAX_FRAME_LEN);
        assert!(c.ticket_secret_file.is_none() && c.metrics_listen.is_none());
    }

    #[test]
    fn max_sessions_per_subject_defaults_to_16_and_0_means_unlimited() {
        assert_eq!(Limits::default().max_sessions_per_subject, 16);
        let parsed = Config::from_toml("").expect("empty");
        assert_eq!(parsed.limits.max_sessions_per_subject, 16);
        // Any value is valid: 0 is "unlimited", not a cap that refuses everyone.
        for n in [0, 1, 2, 100_000] {
            let c = Config::from_toml(&format!("[limits]\nmax_sessions_per_subject = {n}"))
                .expect("valid");
            assert_eq!(c.limits.max_sessions_per_subject, n);
            assert_eq!(c.limits.max_connections_per_ip, 64, "the others: defaults");
        }
        assert!(Config::from_toml("[limits]\nmax_sessions_per_subject = -1").is_err());
    }

    #[test]
    fn trusting_every_peer_is_warned_about_and_proxies_parse_as_cidr_blocks() {
        let c = Config::from_toml(
            "trusted_proxies = [\"10.0.0.0/8\", \"0.0.0.0/0\", \"::/0\", \"::1/128\"]",
        )
        .expect("config");
        let warnings: Vec<_> = c
            .warnings()
            .into_iter()
            .filter(|w| w.starts_with("trusted_proxies"))
            .collect();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].starts_with("trusted_proxies 0.0.0.0/0: every peer is trusted"));
        assert!(warnings[1].starts_with("trusted_proxies ::/0: every peer is trusted"));
        assert_eq!(c.trusted_proxies.len(), 4);
        assert!(Config::from_toml("trusted_proxies = [\"10.0.0.1\"]").is_err());
        assert!(Config::from_toml("[limits]\nipv6_prefix_len = 31").is_err());
        assert!(Config::from_toml("[limits]\nipv6_prefix_len = 129").is_err());
        assert_eq!(
            Config::from_toml("[limits]\nipv6_prefix_len = 32")
                .expect("32")
                .limits
                .ipv6_prefix_len,
            32
        );
        assert_eq!(Config::empty().limits.ipv6_prefix_len, 64);
    }

    #[test]
    fn wire_versions_default_to_both_and_must_be_a_non_empty_set_of_1_and_2() {
        use WireVersion::{V1, V2};
        assert_eq!(Config::empty().wire_versions, [V1, V2]);
        let parsed = Config::from_toml("").expect("empty");
        assert_eq!(parsed.wire_versions, [V1, V2]);
        assert!(parsed.speaks(V1) && parsed.speaks(V2));
        for (toml, expected) in [
            ("[1]", &[V1][..]),
            ("[2]", &[V2][..]),
            ("[1, 2]", &[V1, V2][..]),
            ("[2, 1]", &[V2, V1][..]),
        ] {
            let c = Config::from_toml(&format!("wire_versions = {toml}")).expect(toml);
            assert_eq!(c.wire_versions, expected, "{toml}");
            for version in WireVersion::ALL {
                assert_eq!(c.speaks(version), expected.contains(&version), "{toml}");
            }
        }
        assert!(invalid("wire_versions = []").contains("at least one version"));
        assert!(invalid("wire_versions = [1, 1]").contains("version 1 twice"));
        assert!(invalid("wire_versions = [1, 2, 2]").contains("version 2 twice"));
        for bad in ["[0]", "[3]", "[1, 3]", "[256]", "[-1]", "[\"1\"]", "2"] {
            let error = Config::from_toml(&format!("wire_versions = {bad}"))
                .expect_err(bad)
                .to_string();
            assert!(error.contains("invalid configuration"), "{bad}: {error}");
        }
        let three = Config::from_toml("wire_versions = [3]")
            .expect_err("3")
            .to_string();
        assert!(
            three.contains("wire version 3: the bridge speaks 1 and 2"),
            "{three}"
        );
    }

    #[test]
    fn wire_versions_name_their_subprotocols_and_labels() {
        assert_eq!(WireVersion::V1.subprotocol(), "daaki-imap.v1");
        assert_eq!(WireVersion::V2.subprotocol(), "daaki-imap.v2");
        assert_eq!(WireVersion::V1.label(), "v1");
        assert_eq!(WireVersion::V2.label(), "v2");
        for version in WireVersion::ALL {
            assert_eq!(WireVersion::try_from(version.number()), Ok(version));
        }
        assert_eq!(WireVersion::try_from(1), Ok(WireVersion::V1));
        assert_eq!(WireVersion::try_from(2), Ok(WireVersion::V2));
        assert!(WireVersion::try_from(0).is_err());
        assert!(WireVersion::try_from(3).is_err());
    }

    #[test]
    fn proxy_protocol_is_off_by_default_and_warned_about_without_trusted_proxies() {
        assert!(!Config::empty().proxy_protocol);
        let warned = |toml: &str| {
            Config::from_toml(toml)
                .expect("config")
                .warnings()
                .into_iter()
                .filter(|w| w.starts_with("proxy_protocol"))
                .count()
        };
        assert_eq!(warned("proxy_protocol = true"), 1);
        assert_eq!(
            warned("proxy_protocol = true\ntrusted_proxies = [\"10.0.0.0/8\"]"),
            0
        );
        assert_eq!(warned("proxy_protocol = false"), 0);
        assert!(
            Config::from_toml("proxy_protocol = true")
                .expect("on")
                .proxy_protocol
        );
    }
}
