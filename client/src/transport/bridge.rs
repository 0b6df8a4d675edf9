//! What the two WebSocket transports (native `websocket`, feature `websocket`; `browser` on
//! wasm32) share for the bridge's wire contract: which version a connection runs
//! ([`WireVersion`]), what it measured ([`BridgeInfo`]), and — for version 2
//! ([`crate::wire::flow`]) — the credit bookkeeping between the socket and the reader.
//!
//! A transport runs version 2 when the bridge echoed [`SUBPROTOCOL_V2`]: it grants the
//! bridge the receive window as soon as the socket is open (`credit <window>`), checks that
//! every binary frame fits the credit it granted, and grants what its reader consumed (a
//! quarter of the window at a time, see [`ReceiveWindow`](crate::wire::ReceiveWindow)). So
//! the bytes it holds received and not yet read never exceed the window
//! ([`BridgeInfo::max_buffered`] shows it). The other way, it sends payload only within the
//! upload credit the bridge granted (`credit <n>` from the bridge,
//! [`SendCredit`](crate::wire::SendCredit)), and keeps reading the bridge's frames while it
//! waits for more ([`BridgeInfo::upload_waits`] counts the waits).

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering::Relaxed};

use crate::wire::{SUBPROTOCOL, SUBPROTOCOL_V2, TlsPlacement};

/// A version of the bridge's wire contract ([`crate::wire`]), negotiated by WebSocket
/// subprotocol.
///
/// ```
/// use daaki_imap::WireVersion;
/// assert_eq!(WireVersion::V2.subprotocol(), "daaki-imap.v2");
/// assert_eq!(WireVersion::from_subprotocol("daaki-imap.v1"), Some(WireVersion::V1));
/// assert_eq!(WireVersion::V2.offer(), ["daaki-imap.v2", "daaki-imap.v1"]);
/// assert_eq!(WireVersion::V1.offer(), ["daaki-imap.v1"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum WireVersion {
    /// Version 1 ([`SUBPROTOCOL`]): binary frames only, no flow control beyond TCP's.
    V1,
    /// Version 2 ([`SUBPROTOCOL_V2`]): control messages in text frames and credit-based flow
    /// control ([`crate::wire::flow`]).
    V2,
}

impl WireVersion {
    /// The newest version this crate speaks (what a connection offers unless told otherwise).
    pub const LATEST: Self = Self::V2;

    /// The subprotocol token of this version.
    pub fn subprotocol(self) -> &'static str {
        match self {
            Self::V1 => SUBPROTOCOL,
            Self::V2 => SUBPROTOCOL_V2,
        }
    }

    /// The version whose subprotocol token is `token`.
    pub fn from_subprotocol(token: &str) -> Option<Self> {
        match token {
            SUBPROTOCOL => Some(Self::V1),
            SUBPROTOCOL_V2 => Some(Self::V2),
            _ => None,
        }
    }

    /// The subprotocol entries a client offers when it speaks up to this version, newest
    /// first (a ticket, if any, comes after them).
    pub fn offer(self) -> &'static [&'static str] {
        match self {
            Self::V1 => &[SUBPROTOCOL],
            Self::V2 => &[SUBPROTOCOL_V2, SUBPROTOCOL],
        }
    }
}

impl fmt::Display for WireVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.subprotocol())
    }
}

/// What a connection through `daaki-imap-bridge` negotiated, and what its transport measured
/// so far: from [`ImapConnection::bridge_info`](crate::ImapConnection::bridge_info) (or a
/// transport's `info()`). Clones share the live figures.
///
/// ```no_run
/// # async fn example(url: &str) -> daaki_imap::Result<()> {
/// use std::time::Duration;
/// use daaki_imap::{ImapConnection, WireVersion, wire::BridgeTarget};
/// let conn = ImapConnection::connect_via_bridge(
///     url,
///     BridgeTarget::named("work")?,
///     Duration::from_secs(30),
/// )
/// .await?;
/// let info = conn.bridge_info().expect("connected through the bridge");
/// if info.wire_version() == WireVersion::V2 {
///     println!("flow control on, window {:?}", info.window());
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct BridgeInfo {
    inner: Arc<InfoInner>,
}

#[derive(Debug)]
struct InfoInner {
    version: WireVersion,
    /// The receive window (0 under version 1).
    window: u32,
    ready: AtomicBool,
    /// 0: not said; else `TLS_CODES` index + 1.
    tls: AtomicU8,
    received: AtomicU64,
    granted: AtomicU64,
    grants: AtomicU64,
    max_buffered: AtomicU64,
    /// Upload credit the bridge granted (version 2).
    upload_granted: AtomicU64,
    /// Payload bytes sent.
    sent: AtomicU64,
    /// Times a write found no upload credit and waited for a grant.
    upload_waits: AtomicU64,
}

const TLS_CODES: [TlsPlacement; 3] = [
    TlsPlacement::Bridge,
    TlsPlacement::Client,
    TlsPlacement::None,
];

impl BridgeInfo {
    /// The wire version the bridge chose (the subprotocol it echoed).
    pub fn wire_version(&self) -> WireVersion {
        self.inner.version
    }

    /// The receive window (bytes) granted to the bridge: `None` under version 1, which has no
    /// flow control of its own.
    pub fn window(&self) -> Option<u32> {
        (self.inner.version == WireVersion::V2).then_some(self.inner.window)
    }

    /// Whether the bridge's `ready` message arrived (version 2: before the first data).
    pub fn ready(&self) -> bool {
        self.inner.ready.load(Relaxed)
    }

    /// Where TLS to the IMAP server is done, if the bridge said so in its `ready` message.
    pub fn tls(&self) -> Option<TlsPlacement> {
        match self.inner.tls.load(Relaxed) {
            0 => None,
            n => TLS_CODES.get(usize::from(n) - 1).copied(),
        }
    }

    /// Payload bytes (binary frames) received from the bridge.
    pub fn bytes_received(&self) -> u64 {
        self.inner.received.load(Relaxed)
    }

    /// The credit granted to the bridge in all (the initial window included; 0 under
    /// version 1). Never less than [`bytes_received`](Self::bytes_received) under version 2.
    pub fn credit_granted(&self) -> u64 {
        self.inner.granted.load(Relaxed)
    }

    /// How many `credit` messages were sent (the initial one included).
    pub fn grants_sent(&self) -> u64 {
        self.inner.grants.load(Relaxed)
    }

    /// The most bytes the transport held at once, received and not yet read by the
    /// connection. Under version 2 never more than the [`window`](Self::window); under
    /// version 1 natively one frame at most (TCP holds the rest), in browsers up to the
    /// transport's cap.
    pub fn max_buffered(&self) -> u64 {
        self.inner.max_buffered.load(Relaxed)
    }

    /// The upload credit the bridge granted in all (its `credit` messages; 0 under version
    /// 1). Never less than [`bytes_sent`](Self::bytes_sent) under version 2: the transport
    /// sends payload only within it.
    pub fn upload_credit_received(&self) -> u64 {
        self.inner.upload_granted.load(Relaxed)
    }

    /// Payload bytes (binary frames) sent to the bridge, under either version.
    pub fn bytes_sent(&self) -> u64 {
        self.inner.sent.load(Relaxed)
    }

    /// How many times a write found no upload credit left and waited for the bridge's next
    /// grant (version 2): the bridge, and the IMAP server behind it, set the upload's pace.
    pub fn upload_waits(&self) -> u64 {
        self.inner.upload_waits.load(Relaxed)
    }
}

#[cfg(any(target_arch = "wasm32", feature = "websocket"))]
impl BridgeInfo {
    /// The figures of a new session of `version` (`window`, clamped to
    /// 1..=[`MAX_WINDOW`](crate::wire::MAX_WINDOW),
    /// counts only under version 2).
    pub(crate) fn new(version: WireVersion, window: u32) -> Self {
        Self {
            inner: Arc::new(InfoInner {
                version,
                window: if version == WireVersion::V2 {
                    window.clamp(1, crate::wire::MAX_WINDOW)
                } else {
                    0
                },
                ready: AtomicBool::new(false),
                tls: AtomicU8::new(0),
                received: AtomicU64::new(0),
                granted: AtomicU64::new(0),
                grants: AtomicU64::new(0),
                max_buffered: AtomicU64::new(0),
                upload_granted: AtomicU64::new(0),
                sent: AtomicU64::new(0),
                upload_waits: AtomicU64::new(0),
            }),
        }
    }

    pub(crate) fn note_ready(&self, tls: Option<TlsPlacement>) {
        self.inner.ready.store(true, Relaxed);
        if let Some(tls) = tls {
            let code = TLS_CODES
                .iter()
                .position(|t| *t == tls)
                .map_or(0, |i| i + 1);
            self.inner.tls.store(code as u8, Relaxed);
        }
    }

    /// `len` payload bytes arrived; `buffered` are now held unread.
    pub(crate) fn note_received(&self, len: usize, buffered: u64) {
        self.inner.received.fetch_add(len as u64, Relaxed);
        self.inner.max_buffered.fetch_max(buffered, Relaxed);
    }

    pub(crate) fn note_granted(&self, n: u32) {
        self.inner.granted.fetch_add(u64::from(n), Relaxed);
        self.inner.grants.fetch_add(1, Relaxed);
    }

    /// `len` payload bytes were sent.
    pub(crate) fn note_sent(&self, len: usize) {
        self.inner.sent.fetch_add(len as u64, Relaxed);
    }

    /// The bridge granted `n` bytes of upload credit.
    pub(crate) fn note_upload_granted(&self, n: u32) {
        self.inner.upload_granted.fetch_add(u64::from(n), Relaxed);
    }

    /// A write waits for upload credit.
    pub(crate) fn note_upload_wait(&self) {
        self.inner.upload_waits.fetch_add(1, Relaxed);
    }
}

impl fmt::Debug for BridgeInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BridgeInfo")
            .field("wire_version", &self.wire_version())
            .field("window", &self.window())
            .field("ready", &self.ready())
            .field("tls", &self.tls())
            .field("bytes_received", &self.bytes_received())
            .field("credit_granted", &self.credit_granted())
            .field("grants_sent", &self.grants_sent())
            .field("max_buffered", &self.max_buffered())
            .field("upload_credit_received", &self.upload_credit_received())
            .field("bytes_sent", &self.bytes_sent())
            .field("upload_waits", &self.upload_waits())
            .finish()
    }
}

#[cfg(any(target_arch = "wasm32", feature = "websocket"))]
pub(crate) use flow::Flow;

#[cfg(any(target_arch = "wasm32", feature = "websocket"))]
mod flow {
    use std::io;

    use super::BridgeInfo;
    use crate::wire::{Control, CreditExceeded, MAX_WINDOW, ReceiveWindow, SendCredit};

    /// The version-2 state of a transport: the download credit granted and consumed, the
    /// grant due and not yet sent (at most one, amounts merged), the upload credit the
    /// bridge granted, and the figures it reports.
    #[derive(Debug)]
    pub(crate) struct Flow {
        window: ReceiveWindow,
        /// What the transport may still send (the bridge's grants, less what was sent).
        upload: SendCredit,
        /// Credit due to the bridge and not yet handed to the socket (0: none).
        due: u32,
        /// Credit handed to the socket and not yet spent by the bridge. Stricter than the
        /// window's own count, which counts a grant as soon as it is due: a bridge may only
        /// spend what was sent to it.
        credit: u64,
        info: BridgeInfo,
    }

    impl Flow {
        /// A version-2 session whose first grant, the whole window, is due at once.
        pub(crate) fn new(info: BridgeInfo) -> Self {
            let mut window = ReceiveWindow::new(info.window().unwrap_or(0));
            let due = match window.initial() {
                Control::Credit(n) => n,
                _ => 0,
            };
            Self {
                window,
                upload: SendCredit::new(),
                due,
                credit: 0,
                info,
            }
        }

        /// A binary frame of `len` bytes arrived: an `InvalidData` error when the bridge
        /// sent more than it was granted (a broken or hostile bridge; the connection ends).
        pub(crate) fn received(&mut self, len: usize) -> io::Result<()> {
            let exceeded = |e: CreditExceeded| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("bridge exceeded its credit: {e}"),
                )
            };
            let bytes = len as u64;
            if bytes > self.credit {
                return Err(exceeded(CreditExceeded {
                    received: bytes,
                    granted: self.credit,
                }));
            }
            self.credit -= bytes;
            self.window.received(len).map_err(exceeded)?;
            self.info.note_received(len, self.window.buffered());
            Ok(())
        }

        /// The reader took `len` bytes: a grant becomes due once a quarter of the window
        /// was consumed.
        pub(crate) fn consumed(&mut self, len: usize) {
            if let Some(Control::Credit(n)) = self.window.consumed(len) {
                // The window bounds what can be due (granted, in flight, buffered and due
                // add up to it); `min` only keeps a broken count from sending a grant the
                // bridge must refuse.
                self.due = self.due.saturating_add(n).min(MAX_WINDOW);
            }
        }

        /// Whether a grant waits to be sent (the browser sends each at once).
        #[cfg(any(not(target_arch = "wasm32"), test))]
        pub(crate) fn has_due(&self) -> bool {
            self.due > 0
        }

        /// The grant to send now (`credit <n>`), if one is due; counted as sent.
        pub(crate) fn take_due(&mut self) -> Option<String> {
            if self.due == 0 {
                return None;
            }
            let n = std::mem::take(&mut self.due);
            self.credit += u64::from(n);
            self.info.note_granted(n);
            Some(Control::Credit(n).to_string())
        }

        /// A text frame arrived: a control message. `ready` is recorded, `credit` adds to
        /// the upload credit (then the result is `true`: a waiting writer may go on),
        /// messages this version does not know are ignored; a malformed one, and a grant
        /// that would raise the credit above [`MAX_WINDOW`], are `InvalidData` errors.
        pub(crate) fn control(&mut self, payload: &[u8]) -> io::Result<bool> {
            let invalid = |what: String| io::Error::new(io::ErrorKind::InvalidData, what);
            match Control::parse(payload) {
                Ok(Control::Ready { tls }) => self.info.note_ready(tls),
                Ok(Control::Credit(n)) => {
                    self.upload
                        .grant(n)
                        .map_err(|e| invalid(format!("bridge: {e}")))?;
                    self.info.note_upload_granted(n);
                    return Ok(true);
                }
                // Later versions' messages are ignored.
                Ok(_) => {}
                Err(e) => return Err(invalid(format!("bridge: {e}"))),
            }
            Ok(false)
        }

        /// The payload bytes that may be sent now (the upload credit held).
        pub(crate) fn upload_available(&self) -> u64 {
            self.upload.available()
        }

        /// `len` payload bytes were sent (at most [`Flow::upload_available`]).
        pub(crate) fn sent(&mut self, len: usize) {
            self.upload.spend(len);
            self.info.note_sent(len);
        }

        /// A write found no upload credit and waits for a grant.
        pub(crate) fn note_upload_wait(&self) {
            self.info.note_upload_wait();
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::transport::bridge::WireVersion;
        use crate::wire::TlsPlacement;

        #[test]
        fn the_whole_window_is_due_first_then_merged_quarters() {
            let info = BridgeInfo::new(WireVersion::V2, 1000);
            let mut flow = Flow::new(info.clone());
            assert!(flow.has_due());
            assert_eq!(flow.take_due().as_deref(), Some("credit 1000"));
            assert_eq!(flow.take_due(), None);
            flow.received(600).expect("within credit");
            flow.received(400).expect("within credit");
            assert_eq!(info.max_buffered(), 1000);
            let error = flow.received(1).expect_err("over the credit");
            assert_eq!(error.kind(), io::ErrorKind::InvalidData);
            assert!(error.to_string().contains("exceeded its credit"), "{error}");
            flow.consumed(249);
            assert!(!flow.has_due());
            flow.consumed(1);
            // Due is not sent: the bridge may not spend it yet.
            assert!(flow.received(1).is_err());
            flow.consumed(250);
            // Two grants due and not yet sent are merged into one.
            assert_eq!(flow.take_due().as_deref(), Some("credit 500"));
            assert_eq!(
                (
                    info.credit_granted(),
                    info.grants_sent(),
                    info.bytes_received()
                ),
                (1500, 2, 1000)
            );
        }

        #[test]
        fn control_messages_are_recorded_ignored_or_refused() {
            let info = BridgeInfo::new(WireVersion::V2, 1000);
            let mut flow = Flow::new(info.clone());
            assert!(!info.ready());
            flow.control(b"ready tls=bridge").expect("ready");
            assert!(info.ready());
            assert_eq!(info.tls(), Some(TlsPlacement::Bridge));
            assert!(!flow.control(b"pause for=10").expect("unknown: ignored"));
            assert!(!flow.control(b"ready").expect("ready again"));
            // The first `ready` said where TLS is done; a later one without `tls=` keeps it.
            assert_eq!(info.tls(), Some(TlsPlacement::Bridge));
            for bad in [
                &b"ready tls=maybe"[..],
                b"",
                b"\xff",
                b"credit 0",
                b"credit",
            ] {
                let e = flow.control(bad).expect_err("malformed");
                assert_eq!(e.kind(), io::ErrorKind::InvalidData);
            }
            assert_eq!(info.upload_credit_received(), 0);
        }

        #[test]
        fn the_bridges_grants_are_the_upload_credit_capped_at_the_maximum_window() {
            let info = BridgeInfo::new(WireVersion::V2, 1000);
            let mut flow = Flow::new(info.clone());
            assert_eq!(flow.upload_available(), 0);
            assert!(flow.control(b"credit 5").expect("a grant"));
            assert_eq!(flow.upload_available(), 5);
            flow.sent(3);
            assert_eq!(flow.upload_available(), 2);
            flow.sent(2);
            assert_eq!(flow.upload_available(), 0);
            flow.note_upload_wait();
            let max = format!("credit {}", MAX_WINDOW - 1);
            assert!(flow.control(max.as_bytes()).expect("up to the maximum"));
            assert!(flow.control(b"credit 1").expect("exactly the maximum"));
            assert_eq!(flow.upload_available(), u64::from(MAX_WINDOW));
            let e = flow.control(b"credit 1").expect_err("above the maximum");
            assert_eq!(e.kind(), io::ErrorKind::InvalidData);
            assert!(e.to_string().contains("maximum window"), "{e}");
            // The refused grant changed nothing.
            assert_eq!(flow.upload_available(), u64::from(MAX_WINDOW));
            assert_eq!(
                (
                    info.upload_credit_received(),
                    info.bytes_sent(),
                    info.upload_waits()
                ),
                (5 + u64::from(MAX_WINDOW), 5, 1)
            );
            // The download side is untouched by upload grants.
            assert_eq!((info.credit_granted(), info.bytes_received()), (0, 0));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_map_to_their_subprotocols_and_offers() {
        for version in [WireVersion::V1, WireVersion::V2] {
            assert_eq!(
                WireVersion::from_subprotocol(version.subprotocol()),
                Some(version)
            );
            assert_eq!(version.offer()[0], version.subprotocol());
            assert_eq!(version.to_string(), version.subprotocol());
        }
        assert_eq!(WireVersion::from_subprotocol("daaki-imap.v3"), None);
        assert_eq!(WireVersion::LATEST, WireVersion::V2);
    }

    #[test]
    #[cfg(any(target_arch = "wasm32", feature = "websocket"))]
    fn version_1_has_no_window_and_every_placement_round_trips() {
        let v1 = BridgeInfo::new(WireVersion::V1, 4096);
        assert_eq!(v1.window(), None);
        assert_eq!(v1.tls(), None);
        for placement in TLS_CODES {
            let info = BridgeInfo::new(WireVersion::V2, 4096);
            info.note_ready(Some(placement));
            assert_eq!(info.tls(), Some(placement));
            assert_eq!(info.window(), Some(4096));
        }
        let info = BridgeInfo::new(WireVersion::V2, 1);
        info.note_ready(None);
        assert!(info.ready());
        assert_eq!(info.tls(), None);
        info.note_received(10, 10);
        info.note_received(5, 3);
        assert_eq!((info.bytes_received(), info.max_buffered()), (15, 10));
        info.note_sent(7);
        info.note_sent(2);
        info.note_upload_granted(20);
        info.note_upload_wait();
        assert_eq!(
            (
                info.bytes_sent(),
                info.upload_credit_received(),
                info.upload_waits()
            ),
            (9, 20, 1)
        );
        let debug = format!("{info:?}");
        assert!(debug.contains("wire_version: V2"), "{debug}");
        assert!(
            debug.contains("upload_credit_received: 20, bytes_sent: 9, upload_waits: 1"),
            "{debug}"
        );
    }
}
