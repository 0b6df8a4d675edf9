//! Version 2's credit inside a session: what the backward direction may send ([`Flow`]: the
//! client's download credit and the stall metrics), the client's payload on its way to the
//! upstream ([`Upload`]: held within the upload window, granted again as the upstream takes
//! it), and control messages reassembled from their pieces ([`ControlReader`]).

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

use daaki_imap::wire::{
    Control, ControlError, CreditExceeded, CreditOverflow, MAX_CONTROL_LEN, MAX_WINDOW,
    ReceiveWindow, SendCredit,
};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::Notify;

use crate::metrics::Metrics;

/// What the backward direction may send: everything (version 1) or the credit (version 2),
/// shared with the forward direction, which adds the client's grants; and the session's
/// part of the stall metrics.
pub(super) struct Flow<'m> {
    state: Mutex<FlowState>,
    /// Woken by every grant (the backward direction waits on it with no credit left).
    pub(super) granted: Notify,
    metrics: &'m Metrics,
}

struct FlowState {
    /// `None`: version 1, no credit needed.
    credit: Option<SendCredit>,
    /// Counted in `sessions_stalled` now: the credit was spent to zero, no grant since.
    stalled: bool,
}

impl<'m> Flow<'m> {
    /// The flow of a session: with `credit` (version 2) it starts with none (and not
    /// stalled); without (version 1) everything may be sent.
    pub(super) fn new(credit: bool, metrics: &'m Metrics) -> Self {
        let credit = credit.then(SendCredit::new);
        Self {
            state: Mutex::new(FlowState {
                credit,
                stalled: false,
            }),
            granted: Notify::new(),
            metrics,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, FlowState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many bytes the next upstream read may take: `max`, or less when the credit is
    /// lower (0: none may be read).
    pub(super) fn allowance(&self, max: usize) -> usize {
        match &self.state().credit {
            None => max,
            Some(credit) => usize::try_from(credit.available()).map_or(max, |n| n.min(max)),
        }
    }

    /// Adds the client's grant of `n` bytes (version 1: nothing to add), ends a stall and
    /// wakes the backward direction; an error if the credit would exceed the maximum window.
    pub(super) fn grant(&self, n: u32) -> Result<(), CreditOverflow> {
        let mut state = self.state();
        let Some(credit) = state.credit.as_mut() else {
            return Ok(());
        };
        credit.grant(n)?;
        if state.stalled {
            state.stalled = false;
            self.metrics.sessions_stalled.fetch_sub(1, Relaxed);
        }
        drop(state);
        self.granted.notify_one();
        Ok(())
    }

    /// `n` payload bytes were sent: spends them (version 2); spending the last byte of
    /// credit starts a stall.
    pub(super) fn spent(&self, n: usize) {
        let mut state = self.state();
        let Some(credit) = state.credit.as_mut() else {
            return;
        };
        credit.spend(n);
        if credit.available() == 0 && !state.stalled {
            state.stalled = true;
            self.metrics.credit_stalls_total.fetch_add(1, Relaxed);
            self.metrics.sessions_stalled.fetch_add(1, Relaxed);
        }
    }
}

impl Drop for Flow<'_> {
    /// A session that ends stalled leaves the gauge.
    fn drop(&mut self) {
        if self.state().stalled {
            self.metrics.sessions_stalled.fetch_sub(1, Relaxed);
        }
    }
}

/// Version 2: the client's payload on its way to the upstream. The forward direction adds
/// what it reads from the client ([`Upload::received`]: within the credit granted, else an
/// error), the upload writer drains it into the upstream ([`Upload::poll_write`]: every byte
/// written is consumed, and a quarter window consumed makes a grant due), and the backward
/// direction sends the grants ([`Upload::take_grant`]). The buffer never holds more than the
/// upload window, its capacity never exceeds it, and it is freed whenever it is empty.
pub(super) struct Upload<'m> {
    state: Mutex<UploadState>,
    /// Woken when a grant becomes due (the backward direction sends it).
    pub(super) grant_due: Notify,
    metrics: &'m Metrics,
}

struct UploadState {
    /// The credit: granted, received, consumed.
    window: ReceiveWindow,
    /// Received and not yet written to the upstream (`window.buffered()` bytes).
    buf: VecDeque<u8>,
    /// The upload writer, waiting for bytes.
    writer: Option<Waker>,
    /// Grants due and not yet sent to the client (their sum).
    grant: u64,
}

impl<'m> Upload<'m> {
    /// An empty upload with a `window` of credit (clamped to 1..=[`MAX_WINDOW`]), all of it
    /// granted already: the message to send the client is returned with it.
    pub(super) fn new(window: u32, metrics: &'m Metrics) -> (Self, Control) {
        let mut window = ReceiveWindow::new(window);
        let first = window.initial();
        let upload = Self {
            state: Mutex::new(UploadState {
                window,
                buf: VecDeque::new(),
                writer: None,
                grant: 0,
            }),
            grant_due: Notify::new(),
            metrics,
        };
        (upload, first)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, UploadState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Payload `bytes` arrived from the client: buffered (and the writer woken), or an error
    /// when they exceed the credit granted (then nothing of them is buffered).
    pub(super) fn received(&self, bytes: &[u8]) -> Result<(), CreditExceeded> {
        let mut state = self.state();
        state.window.received(bytes.len())?;
        let needed = state.buf.len() + bytes.len();
        if needed > state.buf.capacity() {
            // Doubling, but never past the window (the credit keeps `needed` within it).
            let window = usize::try_from(state.window.window()).unwrap_or(usize::MAX);
            let capacity = state
                .buf
                .capacity()
                .saturating_mul(2)
                .min(window)
                .max(needed);
            let additional = capacity - state.buf.len();
            state.buf.reserve_exact(additional);
        }
        state.buf.extend(bytes);
        let n = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        self.metrics.upload_buffered_bytes.fetch_add(n, Relaxed);
        if let Some(writer) = state.writer.take() {
            writer.wake();
        }
        Ok(())
    }

    /// Whether nothing is buffered.
    pub(super) fn is_empty(&self) -> bool {
        self.state().buf.is_empty()
    }

    /// One write of buffered bytes (the first contiguous piece) to `up`: how many it took,
    /// or pending while nothing is buffered. The bytes written leave the buffer (freed once
    /// empty) and are consumed: a grant may become due. Cancel-safe (nothing is held across
    /// polls), and the lock is never held across an await.
    pub(super) fn poll_write<W: AsyncWrite + Unpin>(
        &self,
        cx: &mut Context<'_>,
        up: &mut W,
    ) -> Poll<std::io::Result<usize>> {
        let mut state = self.state();
        let state = &mut *state;
        let (front, _) = state.buf.as_slices();
        if front.is_empty() {
            state.writer = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let n = match Pin::new(up).poll_write(cx, front) {
            Poll::Ready(Ok(0)) => return Poll::Ready(Err(std::io::ErrorKind::WriteZero.into())),
            Poll::Ready(Ok(n)) => n.min(front.len()),
            other => return other,
        };
        state.buf.drain(..n);
        if state.buf.is_empty() {
            state.buf = VecDeque::new();
        }
        let written = u64::try_from(n).unwrap_or(u64::MAX);
        self.metrics
            .upload_buffered_bytes
            .fetch_sub(written, Relaxed);
        self.metrics
            .bytes_client_to_upstream
            .fetch_add(written, Relaxed);
        if let Some(Control::Credit(grant)) = state.window.consumed(n) {
            state.grant += u64::from(grant);
            self.grant_due.notify_one();
        }
        Poll::Ready(Ok(n))
    }

    /// The grant to send the client now, if one is due (all those due, as one).
    pub(super) fn take_grant(&self) -> Option<Control> {
        let grant = std::mem::take(&mut self.state().grant);
        // Never more than the window: what was granted and is not yet received.
        (grant > 0).then(|| Control::Credit(u32::try_from(grant).unwrap_or(MAX_WINDOW)))
    }

    /// Writes everything buffered to `up` and flushes it (when the session ends).
    pub(super) async fn write_all<W: AsyncWrite + Unpin>(&self, up: &mut W) -> std::io::Result<()> {
        while !self.is_empty() {
            std::future::poll_fn(|cx| self.poll_write(cx, up)).await?;
        }
        up.flush().await
    }
}

impl Drop for Upload<'_> {
    /// What a session leaves buffered leaves the gauge.
    fn drop(&mut self) {
        let left = u64::try_from(self.state().buf.len()).unwrap_or(u64::MAX);
        self.metrics.upload_buffered_bytes.fetch_sub(left, Relaxed);
    }
}

/// Reassembles a version-2 control message from its [`Event::TextData`] pieces in a fixed
/// buffer of [`MAX_CONTROL_LEN`] bytes (a session never holds more of a text message).
pub(super) struct ControlReader {
    buf: [u8; MAX_CONTROL_LEN],
    len: usize,
}

impl ControlReader {
    pub(super) fn new() -> Self {
        Self {
            buf: [0; MAX_CONTROL_LEN],
            len: 0,
        }
    }

    /// Adds the next piece of the message; once it is the `last`, the parsed message.
    /// An error as soon as the message grows past [`MAX_CONTROL_LEN`] bytes (the session
    /// ends: the reader is not reused after an error), or when the whole message does not
    /// parse.
    pub(super) fn push(
        &mut self,
        bytes: &[u8],
        last: bool,
    ) -> Result<Option<Control>, ControlError> {
        let end = self.len + bytes.len();
        let Some(slot) = self.buf.get_mut(self.len..end) else {
            return Err(ControlError::Shape);
        };
        slot.copy_from_slice(bytes);
        self.len = end;
        if !last {
            return Ok(None);
        }
        let message = Control::parse(self.buf.get(..end).unwrap_or_default());
        self.len = 0;
        message.map(Some)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::AtomicU64;

    use daaki_imap::wire::{MAX_WINDOW, TlsPlacement};
    use futures_util::FutureExt;

    use super::*;

    /// The pipe's largest upstream read (`pipe::UPSTREAM_CHUNK`).
    const UPSTREAM_CHUNK: usize = 16 * 1024;

    #[test]
    fn a_control_message_is_parsed_whole_or_from_its_pieces() {
        let mut reader = ControlReader::new();
        assert_eq!(reader.push(b"credit 5", true), Ok(Some(Control::Credit(5))));
        assert_eq!(reader.push(b"cre", false), Ok(None));
        assert_eq!(reader.push(b"dit 5", true), Ok(Some(Control::Credit(5))));
        // A message may end with an empty piece (an empty final frame).
        assert_eq!(reader.push(b"credit 7", false), Ok(None));
        assert_eq!(reader.push(b"", true), Ok(Some(Control::Credit(7))));
        // Each message starts empty: nothing of the previous one is left.
        assert_eq!(reader.push(b"credit 1", true), Ok(Some(Control::Credit(1))));
        assert_eq!(reader.push(b"credit 2", true), Ok(Some(Control::Credit(2))));
        assert_eq!(
            reader.push(b"pause x=1", true),
            Ok(Some(Control::Unknown("pause".into())))
        );
        assert_eq!(
            reader.push(b"ready tls=client", true),
            Ok(Some(Control::Ready {
                tls: Some(TlsPlacement::Client)
            }))
        );
        assert_eq!(
            reader.push(b"credit 0", true),
            Err(ControlError::Malformed("credit"))
        );
        assert_eq!(
            ControlReader::new().push(b"", true),
            Err(ControlError::Shape)
        );
        assert_eq!(
            ControlReader::new().push(b"\xff", true),
            Err(ControlError::Shape)
        );
    }

    #[test]
    fn a_control_message_may_be_max_control_len_bytes_and_not_one_more() {
        // "x" and spaces: an unknown message of exactly the limit.
        let longest = format!("x{}", " ".repeat(MAX_CONTROL_LEN - 1));
        let longest = longest.as_bytes();
        assert_eq!(
            ControlReader::new().push(longest, true),
            Ok(Some(Control::Unknown("x".into())))
        );
        let mut reader = ControlReader::new();
        assert_eq!(reader.push(&longest[..200], false), Ok(None));
        assert_eq!(
            reader.push(&longest[200..], true),
            Ok(Some(Control::Unknown("x".into())))
        );
        // One byte more fails as soon as it arrives, before the message ends.
        let mut reader = ControlReader::new();
        assert_eq!(reader.push(longest, false), Ok(None));
        assert_eq!(reader.push(b" ", false), Err(ControlError::Shape));
        let mut reader = ControlReader::new();
        assert_eq!(reader.push(&longest[..200], false), Ok(None));
        let over = [&longest[200..], b" "].concat();
        assert_eq!(reader.push(&over, true), Err(ControlError::Shape));
        assert_eq!(
            ControlReader::new().push(&[b'x'; MAX_CONTROL_LEN + 1], true),
            Err(ControlError::Shape)
        );
    }

    #[test]
    fn version_1_needs_no_credit_and_never_stalls() {
        let metrics = Metrics::default();
        let flow = Flow::new(false, &metrics);
        assert_eq!(flow.allowance(UPSTREAM_CHUNK), UPSTREAM_CHUNK);
        flow.spent(UPSTREAM_CHUNK);
        assert_eq!(flow.allowance(UPSTREAM_CHUNK), UPSTREAM_CHUNK);
        assert_eq!(flow.grant(MAX_WINDOW), Ok(()));
        assert_eq!(flow.grant(MAX_WINDOW), Ok(()), "nothing is added up");
        assert_eq!(metrics.credit_stalls_total.load(Relaxed), 0);
        assert_eq!(metrics.sessions_stalled.load(Relaxed), 0);
    }

    #[test]
    fn version_2_reads_what_the_credit_allows_and_stalls_when_it_is_spent() {
        let metrics = Metrics::default();
        let stalls = || {
            (
                metrics.credit_stalls_total.load(Relaxed),
                metrics.sessions_stalled.load(Relaxed),
            )
        };
        let flow = Flow::new(true, &metrics);
        // No credit at the start, and that is no stall.
        assert_eq!(flow.allowance(UPSTREAM_CHUNK), 0);
        assert_eq!(stalls(), (0, 0));
        assert!(flow.granted.notified().now_or_never().is_none());
        flow.grant(100).expect("grant");
        assert!(
            flow.granted.notified().now_or_never().is_some(),
            "a grant wakes the backward direction"
        );
        assert_eq!(flow.allowance(UPSTREAM_CHUNK), 100);
        flow.spent(99);
        assert_eq!(flow.allowance(UPSTREAM_CHUNK), 1);
        assert_eq!(stalls(), (0, 0), "one byte left: no stall");
        flow.spent(1);
        assert_eq!(flow.allowance(UPSTREAM_CHUNK), 0);
        assert_eq!(stalls(), (1, 1), "the last byte spent: a stall");
        // A grant ends the stall; the count stays.
        flow.grant(1).expect("grant");
        assert_eq!(stalls(), (1, 0));
        assert_eq!(flow.allowance(UPSTREAM_CHUNK), 1);
        // At most one chunk per read, however large the credit.
        let chunk = u32::try_from(UPSTREAM_CHUNK).expect("chunk");
        flow.grant(chunk).expect("grant");
        assert_eq!(flow.allowance(UPSTREAM_CHUNK), UPSTREAM_CHUNK);
        flow.spent(UPSTREAM_CHUNK);
        assert_eq!(flow.allowance(UPSTREAM_CHUNK), 1);
        flow.spent(1);
        assert_eq!(stalls(), (2, 1), "a second stall");
        drop(flow);
        assert_eq!(
            stalls(),
            (2, 0),
            "a session ending stalled leaves the gauge"
        );
    }

    /// An upstream taking at most `step` bytes per write (0: none, `Ok(0)`), into `taken`.
    struct Taker {
        step: usize,
        taken: Vec<u8>,
        flushed: usize,
    }

    impl AsyncWrite for Taker {
        fn poll_write(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<std::io::Result<usize>> {
            let n = buf.len().min(self.step);
            self.taken.extend_from_slice(&buf[..n]);
            Poll::Ready(Ok(n))
        }

        fn poll_flush(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            self.flushed = self.taken.len();
            Poll::Ready(Ok(()))
        }

        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    fn taker(step: usize) -> Taker {
        Taker {
            step,
            taken: Vec::new(),
            flushed: 0,
        }
    }

    /// One [`Upload::poll_write`], which must not be pending.
    fn write_once(upload: &Upload<'_>, up: &mut Taker) -> std::io::Result<usize> {
        std::future::poll_fn(|cx| upload.poll_write(cx, up))
            .now_or_never()
            .expect("not pending")
    }

    /// Counts its wake-ups.
    #[derive(Default)]
    struct Wakes(AtomicU64);

    impl std::task::Wake for Wakes {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Relaxed);
        }
    }

    fn bytes(range: std::ops::Range<u32>) -> Vec<u8> {
        range.map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn an_upload_holds_exactly_its_window_and_its_capacity_never_exceeds_it() {
        let metrics = Metrics::default();
        let (upload, first) = Upload::new(1000, &metrics);
        assert_eq!(
            first,
            Control::Credit(1000),
            "the whole window, granted at once"
        );
        let data = bytes(0..1000);
        // Pieces of odd sizes: the buffer grows by doubling, but never past the window.
        let mut at = 0;
        for len in (1..).cycle() {
            let end = (at + len).min(1000);
            upload.received(&data[at..end]).expect("within the credit");
            at = end;
            let state = upload.state();
            assert_eq!(state.buf.len(), at);
            assert!(state.buf.capacity() <= 1000, "{}", state.buf.capacity());
            drop(state);
            assert_eq!(metrics.upload_buffered_bytes.load(Relaxed), at as u64);
            if at == 1000 {
                break;
            }
        }
        // One byte more: refused, and nothing of it is held.
        assert_eq!(
            upload.received(&[0]),
            Err(CreditExceeded {
                received: 1,
                granted: 0
            })
        );
        assert_eq!(upload.state().buf.len(), 1000);
        assert_eq!(metrics.upload_buffered_bytes.load(Relaxed), 1000);
        assert!(upload.state().buf.iter().eq(data.iter()));
        assert_eq!(
            upload.take_grant(),
            None,
            "nothing consumed, nothing granted"
        );
        drop(upload);
        assert_eq!(
            metrics.upload_buffered_bytes.load(Relaxed),
            0,
            "a session ending with bytes held leaves the gauge"
        );
    }

    #[test]
    fn the_buffer_doubles_only_when_full_and_stops_at_the_window() {
        let metrics = Metrics::default();
        let (upload, _) = Upload::new(1000, &metrics);
        let capacity = |u: &Upload<'_>| u.state().buf.capacity();
        let held = |u: &Upload<'_>| u.state().buf.len();
        upload.received(&[1; 100]).expect("within the credit");
        assert_eq!(capacity(&upload), 100, "the first piece, exactly");
        let mut steps = Vec::new();
        while capacity(&upload) < 1000 {
            let before = capacity(&upload);
            // Filled exactly: not grown.
            upload
                .received(&vec![1; before - held(&upload)])
                .expect("within the credit");
            assert_eq!(capacity(&upload), before, "full, not grown");
            // One byte more: doubled, but never past the window.
            upload.received(&[1]).expect("within the credit");
            steps.push(capacity(&upload));
        }
        assert_eq!(steps, [200, 400, 800, 1000]);
    }

    #[test]
    fn bytes_written_upstream_are_granted_again_each_quarter_window() {
        let metrics = Metrics::default();
        let (upload, _) = Upload::new(1000, &metrics);
        let data = bytes(0..1000);
        upload.received(&data).expect("the window");
        let mut up = taker(100);
        assert_eq!(write_once(&upload, &mut up).ok(), Some(100));
        assert_eq!(write_once(&upload, &mut up).ok(), Some(100));
        assert_eq!(upload.take_grant(), None, "200 < a quarter of 1000");
        assert!(upload.grant_due.notified().now_or_never().is_none());
        assert_eq!(metrics.upload_buffered_bytes.load(Relaxed), 800);
        assert_eq!(metrics.bytes_client_to_upstream.load(Relaxed), 200);
        up.step = 50;
        assert_eq!(write_once(&upload, &mut up).ok(), Some(50));
        assert_eq!(upload.take_grant(), Some(Control::Credit(250)), "a quarter");
        assert!(
            upload.grant_due.notified().now_or_never().is_some(),
            "the backward direction is woken"
        );
        assert_eq!(upload.take_grant(), None, "taken once");
        // Two grants due before the backward direction sends them go out as one.
        up.step = 300;
        assert_eq!(write_once(&upload, &mut up).ok(), Some(300));
        assert_eq!(write_once(&upload, &mut up).ok(), Some(300));
        assert_eq!(upload.take_grant(), Some(Control::Credit(600)));
        // The grants are outstanding credit again: 850 more bytes may come, not 851.
        upload.received(&bytes(1000..1850)).expect("granted");
        assert!(upload.received(&[0]).is_err());
        assert_eq!(upload.state().buf.len(), 1000);
        // Written in order, across the ring buffer's wrap.
        up.step = usize::MAX;
        while !upload.is_empty() {
            write_once(&upload, &mut up).expect("write");
        }
        assert!(up.taken == bytes(0..1850), "the upstream got other bytes");
        assert_eq!(metrics.upload_buffered_bytes.load(Relaxed), 0);
        assert_eq!(metrics.bytes_client_to_upstream.load(Relaxed), 1850);
        assert_eq!(upload.state().buf.capacity(), 0, "an empty buffer is freed");
    }

    #[test]
    fn the_upload_writer_waits_for_bytes_and_is_woken_by_them() {
        let metrics = Metrics::default();
        let (upload, _) = Upload::new(1000, &metrics);
        let wakes = Arc::new(Wakes::default());
        let waker = Waker::from(wakes.clone());
        let mut cx = Context::from_waker(&waker);
        let mut up = taker(usize::MAX);
        assert!(upload.poll_write(&mut cx, &mut up).is_pending());
        assert_eq!(wakes.0.load(Relaxed), 0);
        upload.received(b"a1 noop\r\n").expect("received");
        assert_eq!(wakes.0.load(Relaxed), 1, "the bytes wake the writer");
        upload.received(b"x").expect("received");
        assert_eq!(wakes.0.load(Relaxed), 1, "only a waiting writer is woken");
        assert!(matches!(
            upload.poll_write(&mut cx, &mut up),
            Poll::Ready(Ok(10))
        ));
        assert_eq!(up.taken, b"a1 noop\r\nx");
        // An upstream that takes nothing is an error, and the bytes stay.
        upload.received(b"yz").expect("received");
        let error = write_once(&upload, &mut taker(0)).expect_err("write zero");
        assert_eq!(error.kind(), std::io::ErrorKind::WriteZero);
        assert_eq!(upload.state().buf.len(), 2);
    }

    #[test]
    fn write_all_writes_everything_held_and_flushes() {
        let metrics = Metrics::default();
        let (upload, _) = Upload::new(100, &metrics);
        let mut up = taker(7);
        // Nothing held: only a flush.
        upload
            .write_all(&mut up)
            .now_or_never()
            .expect("ready")
            .expect("ok");
        assert!(up.taken.is_empty());
        upload.received(&bytes(0..100)).expect("received");
        upload
            .write_all(&mut up)
            .now_or_never()
            .expect("ready")
            .expect("ok");
        assert_eq!(up.taken, bytes(0..100));
        assert_eq!(up.flushed, 100, "flushed after the last byte");
        assert!(upload.is_empty());
    }

    #[test]
    fn version_2_credit_may_reach_max_window_and_not_one_byte_more() {
        let metrics = Metrics::default();
        let flow = Flow::new(true, &metrics);
        flow.grant(MAX_WINDOW - 1).expect("below the maximum");
        flow.grant(1).expect("exactly the maximum");
        assert_eq!(flow.grant(1), Err(CreditOverflow));
        // A refused grant adds nothing.
        flow.spent(UPSTREAM_CHUNK);
        assert_eq!(
            flow.state().credit.as_ref().map(SendCredit::available),
            Some(u64::from(MAX_WINDOW) - UPSTREAM_CHUNK as u64)
        );
        let spent_out = Flow::new(true, &metrics);
        spent_out.grant(MAX_WINDOW).expect("the maximum at once");
        assert_eq!(spent_out.grant(1), Err(CreditOverflow));
        drop(spent_out);
        assert_eq!(metrics.sessions_stalled.load(Relaxed), 0, "never stalled");
        drop(flow);
        assert_eq!(metrics.sessions_stalled.load(Relaxed), 0);
    }
}
