//! The wire contract between a client and `daaki-imap-bridge`, defined once.
//!
//! Browsers cannot open TCP sockets, so they reach IMAP servers through the bridge: a WebSocket
//! whose binary frames carry the raw IMAP byte stream, piped by the bridge to a TLS connection
//! to the server. The bridge depends on this module (with the client's default features off),
//! so the two sides can never drift apart.
//!
//! # The handshake
//!
//! - **Path**: [`DEFAULT_PATH`] (`/imap`) unless the bridge is configured otherwise.
//! - **Subprotocol**: the request's `Sec-WebSocket-Protocol` list must contain [`SUBPROTOCOL`]
//!   (`daaki-imap.v1`); the bridge echoes exactly that entry and never any other one.
//! - **Target**: named in the query string, either `target=<name>` (an upstream the bridge's
//!   configuration names) or `host=<host>&port=<port>` (when one of the bridge's host
//!   patterns allows that host and port; `port` defaults to 993). See [`BridgeTarget`].
//!   Values are percent-encoded: every byte outside the URI *unreserved* set
//!   (`A–Z a–z 0–9 - . _ ~`) is written as `%XX`; the bridge decodes `%XX` and takes `+`
//!   literally (it is not a space). Names and hosts only ever contain unreserved characters,
//!   so in practice nothing needs encoding — but decoders must not assume that.
//! - **Ticket** (required only when the bridge has a ticket secret): a second subprotocol
//!   entry, `new WebSocket(url, ["daaki-imap.v1", ticket])`, base64url without padding (an HTTP
//!   token, which a browser's `new WebSocket` accepts — see [`is_ticket_token`]). The bridge
//!   never echoes it. Format below.
//!
//! # Tickets
//!
//! A ticket lets an app backend decide who may use the bridge, for which target, for how long,
//! without the bridge knowing about users. The backend and the bridge share a secret; the
//! backend mints a ticket per connection attempt and hands it to the browser. There are two
//! versions; the bridge accepts both. A ticket is the base64url encoding (RFC 4648 §5,
//! **no padding**) of these bytes.
//!
//! **Version 1** (no subject):
//!
//! | bytes | contents |
//! | --- | --- |
//! | 1 | version, [`TICKET_VERSION`] (`0x01`) |
//! | 8 | expiry: Unix time in seconds, unsigned big-endian; invalid from that second on |
//! | n | the target, exactly as the request's query names it: [`BridgeTarget::to_query`], e.g. `target=work` or `host=imap.example.com&port=993` (UTF-8, 1–512 bytes) |
//! | 32 | HMAC-SHA256(secret, all the bytes above) |
//!
//! **Version 2** (with a subject: the user or account the backend minted it for, so the
//! bridge can cap concurrent sessions per subject):
//!
//! | bytes | contents |
//! | --- | --- |
//! | 1 | version, [`TICKET_VERSION_SUBJECT`] (`0x02`) |
//! | 8 | expiry: Unix time in seconds, unsigned big-endian; invalid from that second on |
//! | 1 | the subject's length in bytes, 1–[`TICKET_MAX_SUBJECT_LEN`] (128) |
//! | s | the subject: UTF-8, no control characters (Unicode category Cc: U+0000–U+001F, U+007F–U+009F); see [`TicketSubject`] |
//! | n | the target, as in version 1 ([`BridgeTarget::to_query`], UTF-8, 1–512 bytes) |
//! | 32 | HMAC-SHA256(secret, all the bytes above) |
//!
//! A decoded ticket is therefore 42–682 bytes. [`ticket_signed_bytes`] (version 1) and
//! [`ticket_subject_signed_bytes`] (version 2) build the signed part. In Python:
//!
//! ```text
//! subject = "alice@example.com".encode()
//! body = (b"\x02" + struct.pack(">Q", int(time.time()) + 300)
//!         + bytes([len(subject)]) + subject + b"target=work")
//! mac = hmac.new(secret, body, hashlib.sha256).digest()
//! ticket = base64.urlsafe_b64encode(body + mac).rstrip(b"=").decode()
//! ```
//!
//! (Version 1 is the same without the length byte and the subject, and with `b"\x01"`.)
//!
//! The bridge checks the MAC (in constant time) before anything else, then the version and
//! the lengths (a subject length of 0, over 128, or running past the end is malformed), then
//! the expiry, then that the target is the one the query names; any failure closes with
//! [`CloseCode::TicketInvalid`] before anything is resolved or dialled. Keep tickets short-lived
//! (minutes): they are bearer tokens and are not single-use.
//!
//! # After the handshake
//!
//! Version 1: binary frames only, both ways; message boundaries carry no meaning (either side
//! may split or join the byte stream arbitrarily). A text frame is a protocol error.
//! Version 2 ([`SUBPROTOCOL_V2`], negotiated by subprotocol) adds text frames carrying
//! control messages and credit-based flow control in both directions: see
//! [`flow`] (negotiation, messages, credit; [`Control`], [`ReceiveWindow`], [`SendCredit`]). Browsers cannot see the
//! HTTP status of a refused handshake (they report close code 1006), so the bridge refuses
//! everything except a disallowed `Origin` (HTTP 403) by **accepting** the upgrade and then
//! closing with a [`CloseCode`] from the 4000–4999 range.

use crate::types::InvalidInput;

pub mod flow;
pub use flow::{
    Control, ControlError, CreditExceeded, CreditOverflow, DEFAULT_UPLOAD_WINDOW, DEFAULT_WINDOW,
    MAX_CONTROL_LEN, MAX_WINDOW, ReceiveWindow, SUBPROTOCOL_V2, SendCredit, TlsPlacement,
};

/// The default request path of the bridge's WebSocket endpoint.
pub const DEFAULT_PATH: &str = "/imap";

/// The version-1 subprotocol token: every client offers it (a version-2 client offers
/// [`SUBPROTOCOL_V2`] before it), and a bridge echoes it when it runs version 1.
pub const SUBPROTOCOL: &str = "daaki-imap.v1";

/// Query parameter naming a configured upstream.
pub const TARGET_PARAM: &str = "target";
/// Query parameter naming an upstream host (allowed by a host pattern).
pub const HOST_PARAM: &str = "host";
/// Query parameter with the upstream port (with [`HOST_PARAM`]; default [`DEFAULT_PORT`]).
pub const PORT_PARAM: &str = "port";
/// The upstream port when `host=` comes without `port=` (IMAP over implicit TLS).
pub const DEFAULT_PORT: u16 = 993;

/// The largest WebSocket frame (and message) either side may send: 256 KiB. Senders should
/// use far smaller frames (the bridge sends at most 16 KiB per frame, the native client
/// writes at most 16 KiB per frame); a larger one ends the session.
pub const MAX_FRAME_LEN: usize = 256 * 1024;

/// The longest target name or host the contract allows (a DNS name's limit).
pub const MAX_NAME_LEN: usize = 253;

/// Which upstream the bridge should connect to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum BridgeTarget {
    /// An upstream the bridge's configuration names (`target=<name>`).
    Named(String),
    /// A host and port that one of the bridge's host patterns allows (`host=…&port=…`).
    Host {
        /// The host name (or IP literal, if a pattern names it exactly).
        host: String,
        /// The port.
        port: u16,
    },
}

/// Why a query string does not name a target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// Neither `target=` nor `host=` is present.
    #[error("no target named (expected target=<name> or host=<host>)")]
    Missing,
    /// Both `target=` and `host=`, or one of them twice.
    #[error("ambiguous target (target= and host= are exclusive and may appear once)")]
    Ambiguous,
    /// A value is empty, too long, badly encoded or has characters outside `[A-Za-z0-9._-]`.
    #[error("invalid {0} value")]
    Invalid(&'static str),
}

impl BridgeTarget {
    /// A configured upstream by name (`[A-Za-z0-9._-]`, 1–253 characters).
    pub fn named(name: impl Into<String>) -> Result<Self, InvalidInput> {
        let name = name.into();
        if !is_name(&name) {
            return Err(InvalidInput::new(format!(
                "invalid bridge target name {name:?}"
            )));
        }
        Ok(Self::Named(name))
    }

    /// A host and port (host: `[A-Za-z0-9._-]` plus `:` for IPv6 literals, 1–253 characters).
    pub fn host(host: impl Into<String>, port: u16) -> Result<Self, InvalidInput> {
        let host = host.into();
        if !is_host(&host) || port == 0 {
            return Err(InvalidInput::new(format!(
                "invalid bridge target {host:?}:{port}"
            )));
        }
        Ok(Self::Host { host, port })
    }

    /// The query string naming this target (without the leading `?`), percent-encoded.
    pub fn to_query(&self) -> String {
        match self {
            Self::Named(name) => format!("{TARGET_PARAM}={}", percent_encode(name)),
            Self::Host { host, port } => {
                format!("{HOST_PARAM}={}&{PORT_PARAM}={port}", percent_encode(host))
            }
        }
    }

    /// Reads the target from a request's query string (without the leading `?`). Unknown
    /// parameters are ignored.
    pub fn from_query(query: &str) -> Result<Self, TargetError> {
        let mut target = None;
        let mut host = None;
        let mut port = None;
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let slot = match key {
                TARGET_PARAM => &mut target,
                HOST_PARAM => &mut host,
                PORT_PARAM => &mut port,
                _ => continue,
            };
            if slot.is_some() {
                return Err(TargetError::Ambiguous);
            }
            *slot = Some(value);
        }
        match (target, host) {
            (Some(_), Some(_)) => Err(TargetError::Ambiguous),
            (None, None) => Err(TargetError::Missing),
            (Some(name), None) => {
                if port.is_some() {
                    return Err(TargetError::Ambiguous);
                }
                let name = percent_decode(name).ok_or(TargetError::Invalid(TARGET_PARAM))?;
                if !is_name(&name) {
                    return Err(TargetError::Invalid(TARGET_PARAM));
                }
                Ok(Self::Named(name))
            }
            (None, Some(host)) => {
                let host = percent_decode(host).ok_or(TargetError::Invalid(HOST_PARAM))?;
                if !is_host(&host) {
                    return Err(TargetError::Invalid(HOST_PARAM));
                }
                let port = match port {
                    None => DEFAULT_PORT,
                    Some(p) => percent_decode(p)
                        .filter(|p| !p.is_empty() && p.len() <= 5)
                        .and_then(|p| p.parse::<u16>().ok())
                        .filter(|p| *p != 0)
                        .ok_or(TargetError::Invalid(PORT_PARAM))?,
                };
                Ok(Self::Host { host, port })
            }
        }
    }

    /// `bridge_url` with this target's query appended (after `?`, or `&` if the URL already
    /// has a query).
    pub fn request_url(&self, bridge_url: &str) -> String {
        let sep = if bridge_url.contains('?') { '&' } else { '?' };
        format!("{bridge_url}{sep}{}", self.to_query())
    }
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_NAME_LEN
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

fn is_host(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_NAME_LEN
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b':'))
}

/// Percent-encodes every byte outside the URI unreserved set.
pub fn percent_encode(value: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
    out
}

/// Decodes `%XX` escapes (`+` stays `+`). `None` for a malformed escape or non-UTF-8 result.
pub fn percent_decode(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hi = hex_value(*bytes.get(i + 1)?)?;
            let lo = hex_value(*bytes.get(i + 2)?)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Whether `entry` has the shape of a ticket subprotocol entry: base64url without padding
/// (`A–Z a–z 0–9 - _`), 1–4096 characters. The ticket's contents are specified separately.
pub fn is_ticket_token(entry: &str) -> bool {
    !entry.is_empty()
        && entry.len() <= 4096
        && entry
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

/// The ticket format version (the first byte of a decoded ticket).
pub const TICKET_VERSION: u8 = 1;
/// The length of a ticket's HMAC-SHA256 tag (its last bytes).
pub const TICKET_MAC_LEN: usize = 32;
/// The longest target text a ticket may carry.
pub const TICKET_MAX_TARGET_LEN: usize = 512;

/// The bytes a ticket's HMAC-SHA256 signs: version, expiry (Unix seconds, big-endian) and
/// `target.to_query()`. A ticket is base64url-without-padding of these bytes followed by the
/// 32-byte tag (see the module docs).
pub fn ticket_signed_bytes(target: &BridgeTarget, expires_unix: u64) -> Vec<u8> {
    let query = target.to_query();
    let mut out = Vec::with_capacity(1 + 8 + query.len() + TICKET_MAC_LEN);
    out.push(TICKET_VERSION);
    out.extend_from_slice(&expires_unix.to_be_bytes());
    out.extend_from_slice(query.as_bytes());
    out
}

/// The format version of a ticket with a subject (the first byte of a decoded version-2
/// ticket).
pub const TICKET_VERSION_SUBJECT: u8 = 2;
/// The longest subject a version-2 ticket may carry, in bytes of UTF-8 (it fits the one
/// length byte).
pub const TICKET_MAX_SUBJECT_LEN: usize = 128;

/// Who a version-2 ticket was minted for: a user or account id the app backend chooses
/// (opaque to the bridge, which counts open sessions per subject). 1–[`TICKET_MAX_SUBJECT_LEN`]
/// bytes of UTF-8 without control characters (Unicode category Cc), so it is safe to log.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TicketSubject(String);

impl TicketSubject {
    /// A subject: refuses an empty one, one over [`TICKET_MAX_SUBJECT_LEN`] bytes, and one
    /// with a control character.
    pub fn new(subject: impl Into<String>) -> Result<Self, InvalidInput> {
        let subject = subject.into();
        if subject.is_empty() || subject.len() > TICKET_MAX_SUBJECT_LEN {
            return Err(InvalidInput::new(format!(
                "a ticket subject must be 1-{TICKET_MAX_SUBJECT_LEN} bytes, not {}",
                subject.len()
            )));
        }
        if subject.chars().any(char::is_control) {
            return Err(InvalidInput::new(
                "a ticket subject must not contain control characters",
            ));
        }
        Ok(Self(subject))
    }

    /// The subject's bytes as they are signed (UTF-8, or `None` for anything
    /// [`TicketSubject::new`] refuses).
    pub fn from_utf8(bytes: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(bytes).ok()?;
        Self::new(text).ok()
    }

    /// The subject as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for TicketSubject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for TicketSubject {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for TicketSubject {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, InvalidInput> {
        Self::new(s)
    }
}

/// The bytes a version-2 ticket's HMAC-SHA256 signs: version ([`TICKET_VERSION_SUBJECT`]),
/// expiry (Unix seconds, big-endian), the subject's length (one byte), the subject and
/// `target.to_query()`. The ticket is base64url-without-padding of these bytes followed by
/// the 32-byte tag (see the module docs).
pub fn ticket_subject_signed_bytes(
    subject: &TicketSubject,
    target: &BridgeTarget,
    expires_unix: u64,
) -> Vec<u8> {
    let query = target.to_query();
    let subject = subject.as_str().as_bytes();
    let mut out = Vec::with_capacity(1 + 8 + 1 + subject.len() + query.len() + TICKET_MAC_LEN);
    out.push(TICKET_VERSION_SUBJECT);
    out.extend_from_slice(&expires_unix.to_be_bytes());
    // At most TICKET_MAX_SUBJECT_LEN (128) bytes, checked by `TicketSubject::new`.
    out.push(u8::try_from(subject.len()).unwrap_or(u8::MAX));
    out.extend_from_slice(subject);
    out.extend_from_slice(query.as_bytes());
    out
}

/// The bridge's close codes (4000–4999): why it ended a WebSocket session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum CloseCode {
    /// The target is not configured, or its host, port or resolved address is not allowed.
    TargetNotAllowed,
    /// The request names no target, or names it badly.
    BadRequest,
    /// The [`SUBPROTOCOL`] entry was not offered.
    SubprotocolRequired,
    /// The TCP connection to the upstream failed (refused, unreachable, timed out, DNS).
    UpstreamConnectFailed,
    /// The TLS handshake with the upstream failed (certificate not trusted, protocol error).
    UpstreamTlsFailed,
    /// The upstream closed the connection (for example after LOGOUT).
    UpstreamClosed,
    /// A connection, rate or size limit of the bridge was reached.
    LimitReached,
    /// The ticket is missing, malformed, forged, expired or not valid for this target.
    TicketInvalid,
    /// The client broke the wire contract (for example it sent a text frame).
    ProtocolError,
    /// An idle or handshake timeout of the bridge expired.
    Timeout,
    /// The bridge is shutting down. (`daaki-imap-bridge` itself closes with the standard
    /// code 1001 "going away" after its drain deadline; this code is reserved. The client
    /// reports both 1001 and this code as `GoingAway`: reconnect, another instance answers.)
    GoingAway,
    /// An unexpected failure inside the bridge.
    Internal,
}

impl CloseCode {
    const ALL: [CloseCode; 12] = [
        CloseCode::TargetNotAllowed,
        CloseCode::BadRequest,
        CloseCode::SubprotocolRequired,
        CloseCode::UpstreamConnectFailed,
        CloseCode::UpstreamTlsFailed,
        CloseCode::UpstreamClosed,
        CloseCode::LimitReached,
        CloseCode::TicketInvalid,
        CloseCode::ProtocolError,
        CloseCode::Timeout,
        CloseCode::GoingAway,
        CloseCode::Internal,
    ];

    /// The numeric close code.
    pub fn as_u16(self) -> u16 {
        match self {
            Self::TargetNotAllowed => 4000,
            Self::BadRequest => 4001,
            Self::SubprotocolRequired => 4002,
            Self::UpstreamConnectFailed => 4003,
            Self::UpstreamTlsFailed => 4004,
            Self::UpstreamClosed => 4005,
            Self::LimitReached => 4006,
            Self::TicketInvalid => 4007,
            Self::ProtocolError => 4008,
            Self::Timeout => 4009,
            Self::GoingAway => 4010,
            Self::Internal => 4011,
        }
    }

    /// The close code for a number, if this contract defines it.
    pub fn from_u16(code: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_u16() == code)
    }

    /// The default close reason text (short: a close reason may be at most 123 bytes).
    pub fn reason(self) -> &'static str {
        match self {
            Self::TargetNotAllowed => "target not allowed",
            Self::BadRequest => "bad request: missing or invalid target",
            Self::SubprotocolRequired => "subprotocol daaki-imap.v1 required",
            Self::UpstreamConnectFailed => "upstream connect failed",
            Self::UpstreamTlsFailed => "upstream TLS failed",
            Self::UpstreamClosed => "upstream closed",
            Self::LimitReached => "limit reached",
            Self::TicketInvalid => "ticket invalid",
            Self::ProtocolError => "protocol error: binary frames only",
            Self::Timeout => "timeout",
            Self::GoingAway => "bridge shutting down",
            Self::Internal => "internal bridge error",
        }
    }
}

impl std::fmt::Display for CloseCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.as_u16(), self.reason())
    }
}

/// A bridge close carried inside an `io::Error` by a WebSocket transport, so the driver can
/// turn it back into [`Error::Bridge`](crate::Error::Bridge).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bridge closed the connection: {code}: {reason}")]
pub struct BridgeClosed {
    /// The close code.
    pub code: CloseCode,
    /// The close reason the bridge sent.
    pub reason: String,
}

impl From<BridgeClosed> for std::io::Error {
    fn from(closed: BridgeClosed) -> Self {
        std::io::Error::new(std::io::ErrorKind::ConnectionAborted, closed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_codes_round_trip_and_stay_in_the_private_range() {
        for code in CloseCode::ALL {
            let n = code.as_u16();
            assert!((4000..=4999).contains(&n));
            assert_eq!(CloseCode::from_u16(n), Some(code));
            assert!(code.reason().len() <= 123);
        }
        assert_eq!(CloseCode::from_u16(1000), None);
        assert_eq!(CloseCode::from_u16(4999), None);
    }

    #[test]
    fn targets_round_trip_through_the_query() {
        let named = BridgeTarget::named("work-mail").expect("valid");
        assert_eq!(named.to_query(), "target=work-mail");
        assert_eq!(BridgeTarget::from_query(&named.to_query()), Ok(named));
        let host = BridgeTarget::host("imap.example.com", 993).expect("valid");
        assert_eq!(host.to_query(), "host=imap.example.com&port=993");
        assert_eq!(BridgeTarget::from_query(&host.to_query()), Ok(host));
        let v6 = BridgeTarget::host("::1", 993).expect("valid");
        assert_eq!(v6.to_query(), "host=%3A%3A1&port=993");
        assert_eq!(BridgeTarget::from_query(&v6.to_query()), Ok(v6));
    }

    #[test]
    fn query_parsing_rejects_missing_ambiguous_and_invalid_targets() {
        use TargetError::*;
        assert_eq!(BridgeTarget::from_query(""), Err(Missing));
        assert_eq!(BridgeTarget::from_query("x=1"), Err(Missing));
        assert_eq!(BridgeTarget::from_query("target=a&host=b"), Err(Ambiguous));
        assert_eq!(
            BridgeTarget::from_query("target=a&target=b"),
            Err(Ambiguous)
        );
        assert_eq!(BridgeTarget::from_query("target="), Err(Invalid("target")));
        assert_eq!(
            BridgeTarget::from_query("target=a%2"),
            Err(Invalid("target"))
        );
        assert_eq!(
            BridgeTarget::from_query("target=a+b"),
            Err(Invalid("target"))
        );
        assert_eq!(
            BridgeTarget::from_query("target=a%20b"),
            Err(Invalid("target"))
        );
        assert_eq!(
            BridgeTarget::from_query("host=h&port=0"),
            Err(Invalid("port"))
        );
        assert_eq!(
            BridgeTarget::from_query("host=h&port=x"),
            Err(Invalid("port"))
        );
        assert_eq!(
            BridgeTarget::from_query("host=h&port=70000"),
            Err(Invalid("port"))
        );
        assert_eq!(
            BridgeTarget::from_query("host=h&other=1"),
            Ok(BridgeTarget::Host {
                host: "h".into(),
                port: DEFAULT_PORT
            })
        );
        assert!(BridgeTarget::named("a b").is_err());
        assert!(BridgeTarget::host("h/x", 993).is_err());
    }

    #[test]
    fn request_url_appends_the_query() {
        let t = BridgeTarget::named("t").expect("valid");
        assert_eq!(t.request_url("ws://b/imap"), "ws://b/imap?target=t");
        assert_eq!(t.request_url("ws://b/imap?x=1"), "ws://b/imap?x=1&target=t");
    }

    #[test]
    fn ticket_tokens_are_base64url_without_padding() {
        assert!(is_ticket_token("abc-_09XYZ"));
        assert!(!is_ticket_token("abc="));
        assert!(!is_ticket_token("a/b"));
        assert!(!is_ticket_token(""));
        assert!(!is_ticket_token(SUBPROTOCOL));
    }

    #[test]
    fn ticket_signed_bytes_are_version_expiry_and_query() {
        let t = BridgeTarget::named("work").expect("valid");
        let bytes = ticket_signed_bytes(&t, 0x0102_0304_0506_0708);
        assert_eq!(bytes[0], TICKET_VERSION);
        assert_eq!(&bytes[1..9], &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(&bytes[9..], b"target=work");
    }

    /// The close codes by value: number, name and reason. Changing any of them changes the
    /// wire contract (deployed bridges and clients disagree), so it must change this table.
    const CLOSE_CODES: [(CloseCode, u16, &str, &str); 12] = [
        (
            CloseCode::TargetNotAllowed,
            4000,
            "TargetNotAllowed",
            "target not allowed",
        ),
        (
            CloseCode::BadRequest,
            4001,
            "BadRequest",
            "bad request: missing or invalid target",
        ),
        (
            CloseCode::SubprotocolRequired,
            4002,
            "SubprotocolRequired",
            "subprotocol daaki-imap.v1 required",
        ),
        (
            CloseCode::UpstreamConnectFailed,
            4003,
            "UpstreamConnectFailed",
            "upstream connect failed",
        ),
        (
            CloseCode::UpstreamTlsFailed,
            4004,
            "UpstreamTlsFailed",
            "upstream TLS failed",
        ),
        (
            CloseCode::UpstreamClosed,
            4005,
            "UpstreamClosed",
            "upstream closed",
        ),
        (
            CloseCode::LimitReached,
            4006,
            "LimitReached",
            "limit reached",
        ),
        (
            CloseCode::TicketInvalid,
            4007,
            "TicketInvalid",
            "ticket invalid",
        ),
        (
            CloseCode::ProtocolError,
            4008,
            "ProtocolError",
            "protocol error: binary frames only",
        ),
        (CloseCode::Timeout, 4009, "Timeout", "timeout"),
        (
            CloseCode::GoingAway,
            4010,
            "GoingAway",
            "bridge shutting down",
        ),
        (
            CloseCode::Internal,
            4011,
            "Internal",
            "internal bridge error",
        ),
    ];

    #[test]
    fn close_codes_are_pinned_by_number_name_and_reason() {
        for (code, number, name, reason) in CLOSE_CODES {
            assert_eq!(code.as_u16(), number, "{name}");
            assert_eq!(CloseCode::from_u16(number), Some(code), "{number}");
            assert_eq!(format!("{code:?}"), name, "{number}");
            assert_eq!(code.reason(), reason, "{name}");
            assert_eq!(code.to_string(), format!("{number} ({reason})"));
        }
        // Exactly these twelve, in this order.
        assert_eq!(CloseCode::ALL, CLOSE_CODES.map(|(code, ..)| code));
        // Numbers the contract does not define (below, between the standard codes, above).
        for unknown in [0, 1000, 1001, 1006, 3999, 4012, 4100, 4999, 5000, u16::MAX] {
            assert_eq!(CloseCode::from_u16(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn the_handshake_constants_are_pinned_by_value() {
        assert_eq!(SUBPROTOCOL, "daaki-imap.v1");
        assert_eq!(DEFAULT_PATH, "/imap");
        assert_eq!(TARGET_PARAM, "target");
        assert_eq!(HOST_PARAM, "host");
        assert_eq!(PORT_PARAM, "port");
        assert_eq!(DEFAULT_PORT, 993);
        assert_eq!(MAX_FRAME_LEN, 262_144);
        assert_eq!(MAX_NAME_LEN, 253);
        assert_eq!(TICKET_VERSION, 0x01);
        assert_eq!(TICKET_MAC_LEN, 32);
        assert_eq!(TICKET_MAX_TARGET_LEN, 512);
        assert_eq!(TICKET_VERSION_SUBJECT, 0x02);
        assert_eq!(TICKET_MAX_SUBJECT_LEN, 128);
    }

    #[test]
    fn the_query_is_written_by_the_documented_grammar() {
        let q = |t: Result<BridgeTarget, InvalidInput>| t.expect("valid").to_query();
        assert_eq!(q(BridgeTarget::named("work")), "target=work");
        assert_eq!(q(BridgeTarget::named("A-z.0_9")), "target=A-z.0_9");
        assert_eq!(
            q(BridgeTarget::host("imap.example.com", 993)),
            "host=imap.example.com&port=993"
        );
        assert_eq!(
            q(BridgeTarget::host("IMAP.Example.com", 1)),
            "host=IMAP.Example.com&port=1"
        );
        assert_eq!(
            q(BridgeTarget::host("::1", 65535)),
            "host=%3A%3A1&port=65535"
        );
        assert_eq!(
            q(BridgeTarget::host("2001:db8::1", 143)),
            "host=2001%3Adb8%3A%3A1&port=143"
        );
        // Only `[A-Za-z0-9._-]` names, `:` besides in hosts; 1–253 characters; port ≠ 0.
        for bad in ["", "a b", "a+b", "a~b", "a:b", "a/b", "é", "a%41"] {
            assert!(BridgeTarget::named(bad).is_err(), "{bad:?}");
        }
        for bad in ["", "a b", "a+b", "a/b", "[::1]", "é"] {
            assert!(BridgeTarget::host(bad, 993).is_err(), "{bad:?}");
        }
        assert!(BridgeTarget::host("h", 0).is_err());
        assert!(BridgeTarget::named("a".repeat(253)).is_ok());
        assert!(BridgeTarget::named("a".repeat(254)).is_err());
        assert!(BridgeTarget::host("a".repeat(253), 993).is_ok());
        assert!(BridgeTarget::host("a".repeat(254), 993).is_err());
    }

    #[test]
    fn percent_encoding_escapes_all_but_unreserved_in_upper_case_hex() {
        let unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
        assert_eq!(percent_encode(unreserved), unreserved);
        assert_eq!(percent_encode(" "), "%20");
        assert_eq!(percent_encode("+"), "%2B");
        assert_eq!(percent_encode("%"), "%25");
        assert_eq!(percent_encode("&="), "%26%3D");
        assert_eq!(percent_encode("/?#:"), "%2F%3F%23%3A");
        assert_eq!(percent_encode("\0\x7f"), "%00%7F");
        assert_eq!(percent_encode("é€"), "%C3%A9%E2%82%AC");
        assert_eq!(percent_encode(""), "");
    }

    #[test]
    fn percent_decoding_takes_plus_literally_and_rejects_bad_escapes() {
        let d = percent_decode;
        assert_eq!(d("a+b").as_deref(), Some("a+b"));
        assert_eq!(d("a%20b").as_deref(), Some("a b"));
        assert_eq!(d("%41%5a%5A%7e").as_deref(), Some("AZZ~"));
        assert_eq!(d("%2b%2B").as_deref(), Some("++"));
        assert_eq!(d("%C3%A9").as_deref(), Some("é"));
        assert_eq!(d("%00").as_deref(), Some("\0"));
        assert_eq!(d("%09%0a%0F%f0%9F%98%80").as_deref(), Some("\t\n\x0f😀"));
        assert_eq!(d("plain").as_deref(), Some("plain"));
        assert_eq!(d("").as_deref(), Some(""));
        for bad in [
            "%", "%4", "a%", "%G1", "%1G", "%-1", "% 1", "%FF", "%C3", "%C3%28",
        ] {
            assert_eq!(d(bad), None, "{bad:?}");
        }
        for s in ["work", "::1", "a b+c%d", "é/€"] {
            assert_eq!(d(&percent_encode(s)).as_deref(), Some(s));
        }
    }

    #[test]
    fn the_query_is_read_by_the_documented_grammar() {
        use TargetError::*;
        let named = |n: &str| Ok(BridgeTarget::Named(n.to_owned()));
        let host = |h: &str, port| {
            Ok(BridgeTarget::Host {
                host: h.to_owned(),
                port,
            })
        };
        let r = BridgeTarget::from_query;
        assert_eq!(r("target=work"), named("work"));
        assert_eq!(r("target=w%6Frk"), named("work"));
        assert_eq!(r("target=%77%6f%72%6b"), named("work"));
        assert_eq!(r("&&target=work&"), named("work"));
        assert_eq!(r("x=1&target=work&y"), named("work"));
        assert_eq!(r("host=imap.example.com"), host("imap.example.com", 993));
        assert_eq!(r("host=h&port=1993"), host("h", 1993));
        assert_eq!(r("port=1993&host=h"), host("h", 1993));
        assert_eq!(r("host=h&port=%31%39%39%33"), host("h", 1993));
        assert_eq!(r("host=%3A%3A1&port=993"), host("::1", 993));
        assert_eq!(r("host=a%3Ab"), host("a:b", 993));
        assert_eq!(r("host=IMAP.Example.COM"), host("IMAP.Example.COM", 993));
        assert_eq!(r("host=h&port=1"), host("h", 1));
        assert_eq!(r("host=h&port=65535"), host("h", 65535));
        assert_eq!(r("host=h&port=00993"), host("h", 993));
        // Keys are case-sensitive and exact.
        assert_eq!(r("TARGET=work"), Err(Missing));
        assert_eq!(r("targets=work"), Err(Missing));
        assert_eq!(r("port=993"), Err(Missing));
        // Each key once; target= and host= (or target= and port=) exclude each other.
        assert_eq!(r("host=a&host=b"), Err(Ambiguous));
        assert_eq!(r("host=a&port=1&port=2"), Err(Ambiguous));
        assert_eq!(r("target=a&port=993"), Err(Ambiguous));
        assert_eq!(r("port=993&target=a"), Err(Ambiguous));
        assert_eq!(r("host=b&target=a"), Err(Ambiguous));
        // `+` is a literal plus (never a space), which no name or host may contain.
        assert_eq!(r("target=a+b"), Err(Invalid("target")));
        assert_eq!(r("host=a+b"), Err(Invalid("host")));
        assert_eq!(r("target=a%2Bb"), Err(Invalid("target")));
        assert_eq!(r("target"), Err(Invalid("target")));
        assert_eq!(r("target=a%3Ab"), Err(Invalid("target")));
        assert_eq!(r("target=a~b"), Err(Invalid("target")));
        assert_eq!(r("host="), Err(Invalid("host")));
        assert_eq!(r("host=a%zz"), Err(Invalid("host")));
        assert_eq!(r("host=h&port="), Err(Invalid("port")));
        assert_eq!(r("host=h&port=000993"), Err(Invalid("port")));
        assert_eq!(r("host=h&port=65536"), Err(Invalid("port")));
        assert_eq!(r("host=h&port=-1"), Err(Invalid("port")));
        assert_eq!(r("host=h&port=%"), Err(Invalid("port")));
        let long = "a".repeat(253);
        assert_eq!(r(&format!("target={long}")), named(&long));
        assert_eq!(r(&format!("target={long}a")), Err(Invalid("target")));
        assert_eq!(r(&format!("host={long}")), host(&long, 993));
        assert_eq!(r(&format!("host={long}a")), Err(Invalid("host")));
    }

    #[test]
    fn request_urls_are_pinned_by_value() {
        let t = BridgeTarget::host("::1", 1993).expect("valid");
        assert_eq!(
            t.request_url("wss://bridge.example/imap"),
            "wss://bridge.example/imap?host=%3A%3A1&port=1993"
        );
        assert_eq!(
            t.request_url("wss://bridge.example/imap?v=2"),
            "wss://bridge.example/imap?v=2&host=%3A%3A1&port=1993"
        );
    }

    #[test]
    fn ticket_tokens_are_limited_to_4096_characters() {
        assert!(is_ticket_token(&"A".repeat(4096)));
        assert!(!is_ticket_token(&"A".repeat(4097)));
        assert!(is_ticket_token(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        ));
        for bad in ["a b", "a,b", "a.b", "a~b", "a+b", "a=", "é"] {
            assert!(!is_ticket_token(bad), "{bad:?}");
        }
    }

    /// The same bytes as the Python-computed vector `1700000300 host=imap.example.com&port=993`
    /// in `bridge/testdata/ticket_vectors.txt` (before its 32-byte tag).
    #[test]
    fn ticket_signed_bytes_are_pinned_by_value() {
        let t = BridgeTarget::host("imap.example.com", 993).expect("valid");
        let mut expected = vec![0x01, 0, 0, 0, 0, 0x65, 0x53, 0xf2, 0x2c];
        expected.extend_from_slice(b"host=imap.example.com&port=993");
        assert_eq!(ticket_signed_bytes(&t, 1_700_000_300), expected);
        let t = BridgeTarget::named("work").expect("valid");
        assert_eq!(
            ticket_signed_bytes(&t, u64::MAX),
            b"\x01\xff\xff\xff\xff\xff\xff\xff\xfftarget=work"
        );
    }

    #[test]
    fn ticket_subjects_are_1_to_128_bytes_of_utf8_without_control_characters() {
        for ok in [
            "a".to_owned(),
            "alice@example.com".to_owned(),
            "a".repeat(128),
            "é".repeat(64),
            " spaced out ".to_owned(),
            "\u{a0}nbsp and \u{200b}zero-width".to_owned(),
        ] {
            let subject = TicketSubject::new(ok.clone()).expect(&ok);
            assert_eq!(subject.as_str(), ok);
            assert_eq!(subject.to_string(), ok);
            assert_eq!(subject.as_ref(), ok);
            assert_eq!(ok.parse::<TicketSubject>(), Ok(subject.clone()));
            assert_eq!(TicketSubject::from_utf8(ok.as_bytes()), Some(subject));
        }
        // Lengths are bytes, not characters: 64 two-byte characters and one more byte is 129.
        for bad in [
            String::new(),
            "a".repeat(129),
            format!("{}a", "é".repeat(64)),
            "a\0b".to_owned(),
            "a\nb".to_owned(),
            "\t".to_owned(),
            "a\u{1f}".to_owned(),
            "\u{7f}".to_owned(),
            "a\u{80}".to_owned(),
            "\u{85}".to_owned(),
            "a\u{9f}".to_owned(),
        ] {
            assert!(TicketSubject::new(bad.clone()).is_err(), "{bad:?}");
            assert_eq!(TicketSubject::from_utf8(bad.as_bytes()), None, "{bad:?}");
        }
        let long = TicketSubject::new("a".repeat(129)).expect_err("too long");
        assert!(long.message().contains("1-128 bytes, not 129"), "{long}");
        let control = TicketSubject::new("a\nb").expect_err("control");
        assert!(control.message().contains("control"), "{control}");
        // Not UTF-8.
        assert_eq!(TicketSubject::from_utf8(b"a\xffb"), None);
        assert_eq!(TicketSubject::from_utf8(b"\xc3"), None);
    }

    /// The first bytes are those of the Python-computed vector
    /// `mint2 … 72623859790382856 616c696365 target=work` in
    /// `bridge/testdata/ticket_vectors.txt` (before its 32-byte tag).
    #[test]
    fn ticket_subject_signed_bytes_are_version_expiry_length_subject_and_query() {
        let t = BridgeTarget::named("work").expect("valid");
        let alice = TicketSubject::new("alice").expect("subject");
        assert_eq!(
            ticket_subject_signed_bytes(&alice, &t, 0x0102_0304_0506_0708),
            b"\x02\x01\x02\x03\x04\x05\x06\x07\x08\x05alicetarget=work"
        );
        let longest = TicketSubject::new("é".repeat(64)).expect("subject");
        let bytes = ticket_subject_signed_bytes(&longest, &t, u64::MAX);
        assert_eq!(bytes.len(), 1 + 8 + 1 + 128 + "target=work".len());
        assert_eq!(bytes[0], TICKET_VERSION_SUBJECT);
        assert_eq!(&bytes[1..9], &[0xff; 8]);
        assert_eq!(bytes[9], 128);
        assert_eq!(&bytes[10..138], "é".repeat(64).as_bytes());
        assert_eq!(&bytes[138..], b"target=work");
    }

    #[test]
    fn a_bridge_close_inside_an_io_error_becomes_error_bridge() {}
}
