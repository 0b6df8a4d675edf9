//! Wire contract version 2: control messages and credit-based flow control, both ways.
//!
//! A WebSocket in a browser has no backpressure: whatever the bridge sends is delivered to the
//! page, whether the page reads it or not. Version 2 adds the missing half of TCP's flow
//! control to the contract: **each side grants the other byte credits as it consumes data,
//! and sends at most as many payload bytes as it was granted.** The bridge reads from the
//! IMAP server only while it holds the client's credit, so a slow page slows the server down
//! through TCP; and it reads the client at all times, holding at most the upload window it
//! granted, so a control message is never stuck behind data.
//!
//! Why both directions: credit travels in-band. If the bridge stopped reading the client while
//! the server was not reading (a server blocked writing a reply the client has no credit for
//! yet, while the client uploads), the client's grant would wait behind its own upload
//! data — and nothing would move again. Bounding the upload by credit lets the bridge read
//! everything the client sends without unbounded memory, and so always reach the grants.
//!
//! # Negotiation
//!
//! A version-2 client offers both subprotocols, [`SUBPROTOCOL_V2`] first:
//! `new WebSocket(url, ["daaki-imap.v2", "daaki-imap.v1", ticket?])`. The bridge echoes the
//! one it speaks — `daaki-imap.v2` if it was offered and the bridge allows it, else
//! `daaki-imap.v1` — and the client runs the version echoed. So a version-1 client (offering
//! only `daaki-imap.v1`) and a bridge that speaks only version 1 (an older one, or one
//! configured so) both keep working.
//!
//! # Frames
//!
//! - **Binary frames**: the IMAP byte stream, both ways, as in version 1 — each within the
//!   sender's credit.
//! - **Text frames**: control messages ([`Control`]), each one whole message of at most
//!   [`MAX_CONTROL_LEN`] bytes: a name, then `key=value` parameters, separated by single
//!   spaces (`credit 262144`, `ready tls=bridge`). A receiver ignores parameters and
//!   message names it does not know (so later versions of the contract can add them without
//!   a version 3) but refuses a known message that is malformed. Control messages never
//!   count against credit.
//!
//! # Messages
//!
//! | direction | message | meaning |
//! | --- | --- | --- |
//! | either | `credit <n>` | the sender may now receive `n` more payload bytes (1 ≤ n ≤ [`MAX_WINDOW`]) |
//! | bridge → client | `ready [tls=<placement>]` | the upstream is connected; sent once, before the first binary frame. Parameters describe the session (the end-to-end TLS issue adds `tls=`) |
//!
//! # Credit
//!
//! Both sides start with **no credit** to send payload. Right after the WebSocket opens the
//! client sends `credit <window>` (its download window, [`DEFAULT_WINDOW`] unless it chooses
//! another); the bridge sends `ready` and then `credit <window>` (its upload window,
//! [`DEFAULT_UPLOAD_WINDOW`] unless configured otherwise) before the first binary frame.
//! Then each side, as it consumes the other's payload, grants what it consumed
//! ([`ReceiveWindow`] decides when: once a quarter of the window was consumed, so grants are
//! few and never stall a fast reader), and subtracts the length of every binary frame it
//! sends from the credit it holds ([`SendCredit`]); with none left it sends no payload until
//! a grant arrives.
//!
//! - **Receivers read at all times.** Each side keeps reading the other's frames even while it
//!   cannot pass their payload on (a page not consuming, a server not reading), buffering at
//!   most the window it granted — that is what guarantees grants are always seen.
//! - **Limits.** The credit a side holds may never exceed [`MAX_WINDOW`]: a grant beyond it,
//!   and a binary frame beyond the credit granted, are protocol errors (the bridge closes with
//!   [`CloseCode::ProtocolError`](super::CloseCode::ProtocolError); the client ends the
//!   connection).

use std::fmt;

/// The version-2 subprotocol token (offered first by version-2 clients).
pub const SUBPROTOCOL_V2: &str = "daaki-imap.v2";

/// The longest control message (a text frame's payload), in bytes.
pub const MAX_CONTROL_LEN: usize = 256;

/// The receive window a client grants unless it chooses another: 1 MiB.
pub const DEFAULT_WINDOW: u32 = 1024 * 1024;

/// The upload window a bridge grants unless configured otherwise: 256 KiB (what a bridge
/// may have to hold per session while the server is not reading).
pub const DEFAULT_UPLOAD_WINDOW: u32 = 256 * 1024;

/// The most credit either side may hold at once, and so the largest window: 16 MiB.
pub const MAX_WINDOW: u32 = 16 * 1024 * 1024;

/// Where TLS to the IMAP server is done, as the bridge's `ready` message says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum TlsPlacement {
    /// The bridge does TLS to the server (version 1's only mode).
    Bridge,
    /// The client does TLS itself, through the bridge (which relays ciphertext).
    Client,
    /// No TLS to the server (local development).
    None,
}

impl TlsPlacement {
    /// The parameter value (`bridge`, `client`, `none`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bridge => "bridge",
            Self::Client => "client",
            Self::None => "none",
        }
    }

    fn parse(value: &str) -> Option<Self> {
        match value {
            "bridge" => Some(Self::Bridge),
            "client" => Some(Self::Client),
            "none" => Some(Self::None),
            _ => None,
        }
    }
}

/// A control message (a version-2 text frame).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Control {
    /// Either way: `n` more payload bytes may be sent to the sender (1 ≤ n ≤ [`MAX_WINDOW`]).
    Credit(u32),
    /// Bridge → client: the upstream is connected (before the first binary frame).
    Ready {
        /// Where TLS to the server is done, if the bridge said (`tls=`).
        tls: Option<TlsPlacement>,
    },
    /// A message this version does not know (ignored by receivers): its name.
    Unknown(String),
}

/// Why a text frame is not a valid control message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ControlError {
    /// Longer than [`MAX_CONTROL_LEN`], empty, or not UTF-8.
    #[error("control message is empty, too long or not UTF-8")]
    Shape,
    /// A known message with a missing or invalid argument.
    #[error("malformed {0} message")]
    Malformed(&'static str),
}

impl Control {
    /// Parses a text frame's payload.
    pub fn parse(payload: &[u8]) -> Result<Self, ControlError> {
        if payload.is_empty() || payload.len() > MAX_CONTROL_LEN {
            return Err(ControlError::Shape);
        }
        let text = std::str::from_utf8(payload).map_err(|_| ControlError::Shape)?;
        let mut words = text.split(' ');
        let name = words.next().unwrap_or_default();
        match name {
            "credit" => {
                let n = words
                    .next()
                    .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|n| n.parse::<u32>().ok())
                    .filter(|n| (1..=MAX_WINDOW).contains(n))
                    .ok_or(ControlError::Malformed("credit"))?;
                if words.next().is_some() {
                    return Err(ControlError::Malformed("credit"));
                }
                Ok(Self::Credit(n))
            }
            "ready" => {
                let mut tls = None;
                for word in words {
                    let (key, value) = word
                        .split_once('=')
                        .ok_or(ControlError::Malformed("ready"))?;
                    if key == "tls" {
                        tls = Some(
                            TlsPlacement::parse(value).ok_or(ControlError::Malformed("ready"))?,
                        );
                    }
                }
                Ok(Self::Ready { tls })
            }
            "" => Err(ControlError::Shape),
            other => Ok(Self::Unknown(other.to_owned())),
        }
    }
}

impl fmt::Display for Control {
    /// The text frame's payload.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Credit(n) => write!(f, "credit {n}"),
            Self::Ready { tls: None } => f.write_str("ready"),
            Self::Ready { tls: Some(tls) } => write!(f, "ready tls={}", tls.as_str()),
            Self::Unknown(name) => f.write_str(name),
        }
    }
}

/// The receiving side of the credit (the client for downloads, the bridge for uploads): how
/// much it has granted and consumed, and when to grant more. Sans-I/O: the transport reports
/// bytes received and consumed and sends the grants this returns.
#[derive(Debug, Clone)]
pub struct ReceiveWindow {
    window: u32,
    /// Granted and not yet received: what the bridge may still send.
    outstanding: u64,
    /// Received and not yet consumed: what the transport buffers.
    buffered: u64,
    /// Consumed since the last grant.
    consumed: u64,
}

/// The other side sent more than it was granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{received} bytes received with only {granted} granted")]
pub struct CreditExceeded {
    /// The bytes in the frame.
    pub received: u64,
    /// The credit the bridge held.
    pub granted: u64,
}

impl ReceiveWindow {
    /// A window of `window` bytes (clamped to 1..=[`MAX_WINDOW`]); [`ReceiveWindow::initial`]
    /// is the first grant.
    pub fn new(window: u32) -> Self {
        Self {
            window: window.clamp(1, MAX_WINDOW),
            outstanding: 0,
            buffered: 0,
            consumed: 0,
        }
    }

    /// The window size.
    pub fn window(&self) -> u32 {
        self.window
    }

    /// The first grant, sent once right after the WebSocket opens: the whole window.
    pub fn initial(&mut self) -> Control {
        self.outstanding = u64::from(self.window);
        Control::Credit(self.window)
    }

    /// `len` payload bytes arrived; an error when they exceed the credit granted.
    pub fn received(&mut self, len: usize) -> Result<(), CreditExceeded> {
        let len = len as u64;
        if len > self.outstanding {
            return Err(CreditExceeded {
                received: len,
                granted: self.outstanding,
            });
        }
        self.outstanding -= len;
        self.buffered += len;
        Ok(())
    }

    /// Bytes received and not yet consumed (never more than the window).
    pub fn buffered(&self) -> u64 {
        self.buffered
    }

    /// The reader consumed `len` bytes: the grant to send now, if one is due (a quarter of
    /// the window consumed since the last grant).
    pub fn consumed(&mut self, len: usize) -> Option<Control> {
        let len = (len as u64).min(self.buffered);
        self.buffered -= len;
        self.consumed += len;
        if self.consumed * 4 < u64::from(self.window) {
            return None;
        }
        let grant = u32::try_from(self.consumed).unwrap_or(MAX_WINDOW);
        self.outstanding += u64::from(grant);
        self.consumed = 0;
        Some(Control::Credit(grant))
    }
}

/// The sending side of the credit (the bridge for downloads, the client for uploads): what
/// it may still send.
#[derive(Debug, Clone, Default)]
pub struct SendCredit {
    available: u64,
}

/// A grant would raise the credit above [`MAX_WINDOW`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("credit above the maximum window")]
pub struct CreditOverflow;

impl SendCredit {
    /// No credit (each side's state when a version-2 session starts).
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes that may be sent now.
    pub fn available(&self) -> u64 {
        self.available
    }

    /// Adds a grant; an error if the credit would exceed [`MAX_WINDOW`].
    pub fn grant(&mut self, n: u32) -> Result<(), CreditOverflow> {
        let total = self.available + u64::from(n);
        if total > u64::from(MAX_WINDOW) {
            return Err(CreditOverflow);
        }
        self.available = total;
        Ok(())
    }

    /// `len` bytes were sent (at most [`SendCredit::available`]; more saturates at zero).
    pub fn spend(&mut self, len: usize) {
        self.available = self.available.saturating_sub(len as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_messages_round_trip_and_bounds_are_checked() {
        assert_eq!(Control::parse(b"credit 1"), Ok(Control::Credit(1)));
        let max = format!("credit {MAX_WINDOW}");
        assert_eq!(
            Control::parse(max.as_bytes()),
            Ok(Control::Credit(MAX_WINDOW))
        );
        assert_eq!(Control::Credit(262_144).to_string(), "credit 262144");
        for bad in [
            "credit",
            "credit ",
            "credit 0",
            "credit -1",
            "credit +5",
            "credit 1.5",
            "credit 1 2",
            "credit  1",
            "credit 99999999999",
        ] {
            assert_eq!(
                Control::parse(bad.as_bytes()),
                Err(ControlError::Malformed("credit")),
                "{bad:?}"
            );
        }
        let over = format!("credit {}", MAX_WINDOW + 1);
        assert_eq!(
            Control::parse(over.as_bytes()),
            Err(ControlError::Malformed("credit"))
        );
    }

    #[test]
    fn ready_carries_the_tls_placement_and_ignores_unknown_parameters() {
        assert_eq!(Control::parse(b"ready"), Ok(Control::Ready { tls: None }));
        for placement in [
            TlsPlacement::Bridge,
            TlsPlacement::Client,
            TlsPlacement::None,
        ] {
            let message = Control::Ready {
                tls: Some(placement),
            };
            assert_eq!(Control::parse(message.to_string().as_bytes()), Ok(message));
        }
        assert_eq!(
            Control::parse(b"ready future=1 tls=client"),
            Ok(Control::Ready {
                tls: Some(TlsPlacement::Client)
            })
        );
        for bad in ["ready tls=maybe", "ready tls", "ready x"] {
            assert_eq!(
                Control::parse(bad.as_bytes()),
                Err(ControlError::Malformed("ready")),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn unknown_messages_are_kept_by_name_and_shapes_are_checked() {
        assert_eq!(
            Control::parse(b"pause for=10"),
            Ok(Control::Unknown("pause".into()))
        );
        assert_eq!(Control::Unknown("pause".into()).to_string(), "pause");
        let longest = format!("x{}", " ".repeat(MAX_CONTROL_LEN - 1));
        assert_eq!(
            Control::parse(longest.as_bytes()),
            Ok(Control::Unknown("x".into()))
        );
        for bad in [
            &b""[..],
            &[b'x'; MAX_CONTROL_LEN + 1][..],
            b"\xff\xfe",
            b" credit 1",
        ] {
            assert_eq!(Control::parse(bad), Err(ControlError::Shape), "{bad:?}");
        }
    }

    #[test]
    fn a_receive_window_grants_the_window_first_then_each_quarter_consumed() {
        let mut w = ReceiveWindow::new(1000);
        assert_eq!(w.window(), 1000);
        assert_eq!(w.initial(), Control::Credit(1000));
        w.received(1000).expect("within credit");
        assert_eq!(w.buffered(), 1000);
        assert_eq!(
            w.received(1),
            Err(CreditExceeded {
                received: 1,
                granted: 0
            })
        );
        assert_eq!(w.consumed(249), None);
        assert_eq!(w.consumed(1), Some(Control::Credit(250)));
        assert_eq!(w.buffered(), 750);
        // The grant is outstanding again: exactly 250 more bytes may arrive.
        w.received(250).expect("granted");
        assert!(w.received(1).is_err());
        // Consuming more than is buffered counts only what was buffered.
        assert_eq!(w.consumed(5000), Some(Control::Credit(1000)));
        assert_eq!(w.buffered(), 0);
    }

    #[test]
    fn windows_are_clamped_and_the_buffer_never_exceeds_the_window() {
        assert_eq!(ReceiveWindow::new(0).window(), 1);
        assert_eq!(ReceiveWindow::new(u32::MAX).window(), MAX_WINDOW);
        let mut w = ReceiveWindow::new(64);
        w.initial();
        let mut sent_by_bridge = 0u64;
        for step in 0..1000u32 {
            // A bridge that sends whatever it may, in frames of up to 7 bytes…
            let frame = 7.min(w.outstanding) as usize;
            w.received(frame).expect("within credit");
            sent_by_bridge += frame as u64;
            assert!(w.buffered() <= 64);
            // …and a reader that consumes 0–5 bytes per step.
            if let Some(Control::Credit(n)) = w.consumed((step % 6) as usize) {
                assert!(n >= 16, "grants are batched: {n}");
            }
        }
        assert!(sent_by_bridge > 1000, "data kept flowing: {sent_by_bridge}");
    }

    #[test]
    fn send_credit_is_spent_by_frames_and_capped_at_the_maximum_window() {
        let mut c = SendCredit::new();
        assert_eq!(c.available(), 0);
        c.grant(MAX_WINDOW).expect("the maximum");
        assert_eq!(c.grant(1), Err(CreditOverflow));
        assert_eq!(c.available(), u64::from(MAX_WINDOW));
        c.spend(16_384);
        assert_eq!(c.available(), u64::from(MAX_WINDOW) - 16_384);
        c.grant(16_384).expect("back to the maximum");
        c.spend(usize::MAX);
        assert_eq!(c.available(), 0);
    }

    #[test]
    fn the_contract_constants_are_pinned_by_value() {
        assert_eq!(SUBPROTOCOL_V2, "daaki-imap.v2");
        assert_eq!(MAX_CONTROL_LEN, 256);
        assert_eq!(DEFAULT_WINDOW, 1_048_576);
        assert_eq!(DEFAULT_UPLOAD_WINDOW, 262_144);
        assert_eq!(MAX_WINDOW, 16_777_216);
    }
}
