//! Cancellation torture against the real harness servers (Dovecot and Cyrus; Cyrus runs a
//! third of the iterations: its APPENDs are slower).
//!
//! Well over 1,000 iterations drop command futures at random points: mid-write (large APPENDs
//! whose literal is being written, with `LITERAL+` and with synchronising literals that wait
//! for the server's `+`), mid-FETCH stream (the consumer stops after k responses, or the call is
//! dropped while its channel is full), mid-IDLE, mid-pipeline, and plain FETCH / SEARCH / STORE
//! / STATUS dropped after a random number of polls or a random timeout between a microsecond
//! and a few milliseconds, alone, in runs of the same call, or several at once on clones of
//! the connection. After every iteration NOOP plus a FETCH on the same connection must
//! return exactly the right data: the requested UIDs, once each, with the seeded RFC822.SIZE,
//! flags and (sometimes) body — so a response of a dropped command delivered to the next call,
//! an IDLE not ended or a half-sent command is caught. Commands that complete before their
//! drop point are checked the same way.
//!
//! The random choices come from a small deterministic PRNG seeded from `TORTURE_SEED` (decimal
//! or `0x` hex) or the clock. The seed is printed at the start and is part of every failure
//! message: `TORTURE_SEED=<seed> cargo test -p daaki-imap-tests --test cancellation -- --nocapture`
//! replays the same operations and drop points (the timing, and so where exactly the driver
//! is when a future is dropped, still varies). `TORTURE_ITERATIONS` replaces the iterations per
//! connection.
//!
//! Drops must really land mid-operation, not merely somewhere: each run asserts that, over
//! all its connections, at least one dropped future fell in each of these phases (measured,
//! not assumed — see [`Landed`]):
//! - mid-write: an APPEND dropped after the first byte of its command was written and before
//!   the last one was (with synchronising literals this includes the wait for `+`);
//! - mid-literal: an APPEND dropped after some but not all of its literal was written;
//! - mid-FETCH stream: a streaming FETCH dropped with responses in its channel and at least
//!   one more delivered after the drop;
//! - mid-IDLE: an IDLE dropped after the server's `+` was read and before `DONE` was written;
//! - mid-pipeline: a pipeline dropped after the first byte of its first command was written
//!   and before the reply to its last one was read.
//!
//! The wire positions come from [`Tap`]: the tapped connections run over
//! [`from_stream`](daaki_imap::ImapConnectionBuilder::from_stream) on a TCP stream whose
//! reads and writes are logged line by line (literals skipped, their first bytes kept), with
//! one clock for both directions; every drop is taken between two snapshots of that log, so
//! "before the drop" and "after the drop" are exact. The stream phase needs no tap (the
//! channel's fill level is observable), so it counts on every connection; also every run
//! must have completed fewer APPENDs than it sent, and every APPEND dropped mid-write must
//! still have been appended (the command completed without its caller).
//!
//! Two runtimes: a multi-threaded one (the driver runs in parallel with the caller, so timeouts
//! drop futures at arbitrary points of the driver's work) and a current-thread one (the driver
//! only runs when the caller yields, so "dropped after k polls" means after k driver turns).

use std::collections::{BTreeMap, BTreeSet};
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use daaki_imap::types::response::FetchResponse;
use daaki_imap::types::{
    FetchAttr, Flag, MailboxName, SearchKey, Section, SequenceSet, StatusAttr,
};
use daaki_imap::{IdleEvent, ImapConnection, StoreKind, TlsMode, TrustRoots, TypedEvent};
use daaki_imap_tests::harness::{ServerKind, TestServer, TestUser, seed};
use daaki_imap_tests::proxy::Recorder;
use daaki_imap_tests::server_tests;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_util::compat::TokioAsyncReadCompatExt;
use tokio_util::sync::CancellationToken;

/// Messages seeded into each user's INBOX.
const MESSAGES: u32 = 40;
/// The time every verifying call gets: generous, so a slow CI machine is not a failure.
const V: Duration = Duration::from_secs(20);
/// Where APPENDs go (INBOX stays exactly as seeded).
const SCRATCH: &str = "Torture";

// ---------------------------------------------------------------------------------------------
// Seeded randomness
// ---------------------------------------------------------------------------------------------

/// SplitMix64: tiny, deterministic, good enough to pick operations and drop points.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    /// The sequence of connection `name` in the run with `seed` (FNV-1a of the name mixed in).
    fn for_connection(seed: u64, name: &str) -> Rng {
        let hash = name.bytes().fold(0xCBF2_9CE4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
        });
        Rng(seed ^ hash)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.next() % u64::from(hi - lo + 1)) as u32
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.range(1, 100) <= percent
    }

    /// A random non-empty subset of `1..=MESSAGES`, sorted.
    fn uids(&mut self) -> Vec<u32> {
        if self.chance(30) {
            let a = self.range(1, MESSAGES);
            let b = self.range(a, MESSAGES);
            return (a..=b).collect();
        }
        let n = self.range(1, 8);
        let set: BTreeSet<u32> = (0..n).map(|_| self.range(1, MESSAGES)).collect();
        set.into_iter().collect()
    }
}

/// The seed: `TORTURE_SEED` or the clock.
fn torture_seed() -> u64 {
    match std::env::var("TORTURE_SEED") {
        Ok(s) => {
            let s = s.trim();
            let parsed = match s.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => s.parse(),
            };
            parsed.unwrap_or_else(|e| panic!("TORTURE_SEED={s:?} is not a number: {e}"))
        }
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x5EED),
    }
}

fn iterations(default: u32) -> u32 {
    std::env::var("TORTURE_ITERATIONS")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(default)
}

// ---------------------------------------------------------------------------------------------
// Dropping futures
// ---------------------------------------------------------------------------------------------

/// When a future is dropped.
#[derive(Debug, Clone, Copy)]
enum DropAt {
    /// After this many polls, with a `yield_now` between them (0: never polled at all).
    Polls(u32),
    /// After this long (`tokio::time::timeout`).
    After(Duration),
    /// As soon as this many responses wait in a streaming FETCH's channel (see
    /// [`Torture::stream_orphan`], which sets the number to the channel's capacity: full).
    Queued(usize),
    /// This many polls after the server's next `+` was read (tapped connections only): an
    /// IDLE just accepted, a synchronising literal being written.
    Continuation(u32),
}

impl DropAt {
    fn random(rng: &mut Rng) -> Self {
        if rng.chance(50) {
            DropAt::Polls(rng.range(0, 30))
        } else {
            // Log-uniform between 1 µs and ~8 ms.
            let exp = rng.range(0, 13);
            DropAt::After(Duration::from_micros(u64::from(
                rng.range(1 << exp, 2 << exp),
            )))
        }
    }

    /// Whether the future is polled at least once (so its request reached the driver).
    fn polls_once(self) -> bool {
        !matches!(self, DropAt::Polls(0))
    }
}

/// What the wire and the caller looked like at one moment.
#[derive(Debug, Clone, Copy, Default)]
struct Snap {
    /// [`Wire::clock`] (0 without a tap).
    clock: u64,
    /// Client bytes written so far (0 without a tap).
    written: u64,
    /// Items waiting in a streaming FETCH's channel (where that is what matters).
    queued: usize,
    /// Continuation requests (`+`) read so far (0 without a tap).
    continuations: u64,
}

/// A future that was dropped: snapshots taken just before and just after the drop.
#[derive(Debug, Clone, Copy)]
struct Dropped {
    before: Snap,
    after: Snap,
}

/// Runs `fut` until `at`, then drops it between two snapshots; its output if it finished
/// first.
async fn drive<F: Future>(
    fut: F,
    at: DropAt,
    snap: &(dyn Fn() -> Snap + Sync),
) -> Result<F::Output, Dropped> {
    let mut fut = Box::pin(fut);
    match at {
        DropAt::Polls(k) => {
            for _ in 0..k {
                if let Poll::Ready(out) = poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx))).await {
                    return Ok(out);
                }
                tokio::task::yield_now().await;
            }
        }
        DropAt::After(d) => {
            if let Ok(out) = tokio::time::timeout(d, &mut fut).await {
                return Ok(out);
            }
        }
        DropAt::Queued(_) | DropAt::Continuation(_) => {
            let start = snap();
            let give_up = Instant::now() + V;
            let mut after_due = None;
            loop {
                if let Poll::Ready(out) = poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx))).await {
                    return Ok(out);
                }
                let now = snap();
                if after_due.is_none() {
                    after_due = match at {
                        DropAt::Queued(n) if now.queued >= n => Some(0),
                        DropAt::Continuation(k) if now.continuations > start.continuations => {
                            Some(k)
                        }
                        _ => None,
                    };
                }
                match after_due.as_mut() {
                    Some(0) => break,
                    Some(k) => *k -= 1,
                    None if Instant::now() >= give_up => break,
                    None => {}
                }
                tokio::task::yield_now().await;
            }
        }
    }
    let before = snap();
    drop(fut);
    let after = snap();
    Err(Dropped { before, after })
}

// ---------------------------------------------------------------------------------------------
// The wire tap
// ---------------------------------------------------------------------------------------------

/// Literal bytes kept from the start of each literal (enough for an APPEND's Subject).
const LITERAL_PREFIX: usize = 128;

/// One line, or the text between two literals, that crossed a tapped connection.
#[derive(Debug, Clone)]
struct Line {
    text: String,
    /// Stream offsets of its first byte and one past its LF.
    start: u64,
    end: u64,
    /// [`Wire::clock`] when it was complete.
    clock: u64,
}

/// One literal that crossed a tapped connection.
#[derive(Debug, Clone)]
struct Literal {
    /// Stream offsets of its first byte and one past its last.
    start: u64,
    end: u64,
    /// Its first [`LITERAL_PREFIX`] bytes.
    prefix: Vec<u8>,
}

/// One direction of a tapped connection, cut into lines and literals as IMAP frames them.
#[derive(Debug, Default)]
struct Direction {
    /// Bytes so far.
    offset: u64,
    lines: Vec<Line>,
    /// Lines starting with `+` (continuation requests, from the server).
    continuations: u64,
    literals: Vec<Literal>,
    /// The line being received, and where it started.
    text: Vec<u8>,
    text_start: u64,
    /// The literal being received: bytes still due, where it started, its first bytes.
    literal_left: u64,
    literal_start: u64,
    prefix: Vec<u8>,
}

impl Direction {
    fn feed(&mut self, mut bytes: &[u8], clock: &mut u64) {
        while !bytes.is_empty() {
            if self.literal_left > 0 {
                let n = bytes
                    .len()
                    .min(usize::try_from(self.literal_left).unwrap_or(usize::MAX));
                let (literal, rest) = bytes.split_at(n);
                let room = LITERAL_PREFIX.saturating_sub(self.prefix.len()).min(n);
                self.prefix.extend_from_slice(&literal[..room]);
                self.offset += n as u64;
                self.literal_left -= n as u64;
                bytes = rest;
                if self.literal_left == 0 {
                    self.end_literal();
                }
                continue;
            }
            if self.text.is_empty() {
                self.text_start = self.offset;
            }
            let Some(lf) = bytes.iter().position(|&b| b == b'\n') else {
                self.text.extend_from_slice(bytes);
                self.offset += bytes.len() as u64;
                return;
            };
            let (line, rest) = bytes.split_at(lf + 1);
            self.text.extend_from_slice(line);
            self.offset += line.len() as u64;
            bytes = rest;
            *clock += 1;
            let text = String::from_utf8_lossy(&std::mem::take(&mut self.text)).into_owned();
            let announced = literal_announced(&text);
            self.continuations += u64::from(text.starts_with('+'));
            self.lines.push(Line {
                text,
                start: self.text_start,
                end: self.offset,
                clock: *clock,
            });
            if let Some(n) = announced {
                self.literal_left = n;
                self.literal_start = self.offset;
                if n == 0 {
                    self.end_literal();
                }
            }
        }
    }

    fn end_literal(&mut self) {
        self.literals.push(Literal {
            start: self.literal_start,
            end: self.offset,
            prefix: std::mem::take(&mut self.prefix),
        });
    }
}

/// The length a line announces for the literal after it (`{n}`, `{n+}`, `~{n}`).
fn literal_announced(line: &str) -> Option<u64> {
    let body = line.strip_suffix("\r\n")?.strip_suffix('}')?;
    let (_, n) = body.rsplit_once('{')?;
    n.strip_suffix('+').unwrap_or(n).parse().ok()
}

/// Both directions of a tapped connection, with one clock: it ticks at every complete line
/// of either direction, so lines can be ordered across directions.
#[derive(Debug, Default)]
struct Wire {
    clock: u64,
    /// What the client wrote.
    client: Direction,
    /// What the client read.
    server: Direction,
}

/// A handle on a tapped connection's [`Wire`].
#[derive(Debug, Clone, Default)]
struct Tap(Arc<Mutex<Wire>>);

impl Tap {
    fn wire(&self) -> std::sync::MutexGuard<'_, Wire> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn snap(&self) -> Snap {
        let wire = self.wire();
        Snap {
            clock: wire.clock,
            written: wire.client.offset,
            queued: 0,
            continuations: wire.server.continuations,
        }
    }
}

/// Bytes a [`Tapped`] stream takes per write.
const WRITE_CHUNK: usize = 16 * 1024;

/// A TCP stream that logs what the client writes and reads into a [`Tap`]. Bytes are logged
/// when the socket took them (writes) or handed them over (reads).
///
/// Writes are taken at most [`WRITE_CHUNK`] bytes at a time, and a write that leaves more to
/// write makes the next one wait [`WRITE_PAUSE`], as a congested link would: loopback accepts
/// a whole MiB literal in one write, which no drop could ever land inside; this way a large
/// literal takes many writes and some milliseconds, on either runtime.
struct Tapped {
    inner: TcpStream,
    tap: Tap,
    /// What the next write waits for first.
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
}

/// See [`Tapped`].
const WRITE_PAUSE: Duration = Duration::from_millis(1);

impl AsyncRead for Tapped {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            let mut wire = self.tap.wire();
            let Wire { clock, server, .. } = &mut *wire;
            server.feed(&buf.filled()[before..], clock);
        }
        polled
    }
}

impl AsyncWrite for Tapped {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if let Some(pause) = self.pause.as_mut() {
            std::task::ready!(pause.as_mut().poll(cx));
            self.pause = None;
        }
        let more = buf.len() > WRITE_CHUNK;
        let buf = &buf[..buf.len().min(WRITE_CHUNK)];
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = polled {
            if more {
                self.pause = Some(Box::pin(tokio::time::sleep(WRITE_PAUSE)));
            }
            let mut wire = self.tap.wire();
            let Wire { clock, client, .. } = &mut *wire;
            client.feed(&buf[..n], clock);
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A dropped operation whose phase is decided from the wire once it is over.
#[derive(Debug, Clone, Copy)]
enum Probe {
    /// APPEND of the message with `Subject: Torture {n}`.
    Append { n: u32 },
    /// An IDLE (polled at least once, so it reached the driver and will be written unless a
    /// later IDLE replaces it) started when `from` client bytes were written. Judged only if
    /// it is the one IDLE written after `from` in its iteration: another operation's IDLE
    /// is never taken for it.
    Idle { from: u64 },
    /// A pipeline (polled, so it will be written) started at `from`; judged only if it is the
    /// one pipeline written after `from` in its iteration.
    Pipeline { from: u64 },
}

/// Drops that landed in each phase (see the module docs for the definitions).
#[derive(Debug, Clone, Copy, Default)]
struct Landed {
    mid_write: u32,
    mid_literal: u32,
    mid_stream: u32,
    mid_idle: u32,
    mid_pipeline: u32,
}

impl Landed {
    fn add(&mut self, other: Landed) {
        self.mid_write += other.mid_write;
        self.mid_literal += other.mid_literal;
        self.mid_stream += other.mid_stream;
        self.mid_idle += other.mid_idle;
        self.mid_pipeline += other.mid_pipeline;
    }

    /// The phases no drop landed in.
    fn missing(&self) -> Vec<&'static str> {
        [
            ("mid-write", self.mid_write),
            ("mid-literal", self.mid_literal),
            ("mid-FETCH stream", self.mid_stream),
            ("mid-IDLE", self.mid_idle),
            ("mid-pipeline", self.mid_pipeline),
        ]
        .into_iter()
        .filter(|(_, n)| *n == 0)
        .map(|(name, _)| name)
        .collect()
    }
}

/// Decides where `dropped` landed for `probe`, from a wire on which the operation is over.
/// Returns the phases it landed in (mid-write, mid-literal, mid-IDLE, mid-pipeline).
fn classify(wire: &Wire, probe: Probe, dropped: Dropped) -> Landed {
    let (before, after) = (dropped.before, dropped.after);
    let client = &wire.client.lines;
    let server = &wire.server.lines;
    let mut landed = Landed::default();
    match probe {
        Probe::Append { n } => {
            let subject = format!("Subject: Torture {n}\r\n");
            let Some(literal) = wire.client.literals.iter().find(|l| {
                l.prefix
                    .windows(subject.len())
                    .any(|w| w == subject.as_bytes())
            }) else {
                return landed;
            };
            let command = client.iter().find(|l| l.end == literal.start);
            let tail = client.iter().find(|l| l.start == literal.end);
            if let (Some(command), Some(tail)) = (command, tail)
                && command.start < before.written
                && after.written < tail.end
            {
                landed.mid_write += 1;
            }
            if literal.start < before.written && after.written < literal.end {
                landed.mid_literal += 1;
            }
        }
        Probe::Idle { from } => {
            let idles: Vec<_> = client
                .iter()
                .filter(|l| l.start >= from && l.text.ends_with(" IDLE\r\n"))
                .collect();
            let [idle] = idles[..] else {
                return landed;
            };
            let accepted = server
                .iter()
                .find(|l| l.clock > idle.clock && l.text.starts_with('+'));
            let done = client
                .iter()
                .find(|l| l.start > idle.start && l.text == "DONE\r\n");
            if let (Some(accepted), Some(done)) = (accepted, done)
                && accepted.clock <= before.clock
                && done.start >= after.written
            {
                landed.mid_idle += 1;
            }
        }
        Probe::Pipeline { from } => {
            let firsts: Vec<_> = client
                .iter()
                .filter(|l| l.start >= from && l.text.ends_with(" STATUS INBOX (MESSAGES)\r\n"))
                .collect();
            let [first] = firsts[..] else {
                return landed;
            };
            let Some(last) = client
                .iter()
                .find(|l| l.start > first.start && l.text.ends_with(" NOOP\r\n"))
            else {
                return landed;
            };
            let tag = last.text.split(' ').next().unwrap_or_default();
            let reply = server
                .iter()
                .find(|l| l.clock > last.clock && l.text.split(' ').next() == Some(tag));
            if let Some(reply) = reply
                && first.start < before.written
                && reply.clock > after.clock
            {
                landed.mid_pipeline += 1;
            }
        }
    }
    landed
}

// ---------------------------------------------------------------------------------------------
// What the data must be
// ---------------------------------------------------------------------------------------------

/// What a message must look like: RFC822.SIZE and flags (without `\Recent`).
type Expectation = dyn Fn(u32) -> (u32, BTreeSet<String>) + Sync;

/// The truth: the harness's seeded messages and flags (STOREs here never change them).
fn seeded(uid: u32) -> (u32, BTreeSet<String>) {
    let mut flags = BTreeSet::new();
    if uid.is_multiple_of(3) {
        flags.insert("\\Seen".to_owned());
    }
    if uid.is_multiple_of(5) {
        flags.insert("\\Flagged".to_owned());
    }
    if uid.is_multiple_of(11) {
        flags.insert("\\Answered".to_owned());
    }
    (seed::message(uid).len() as u32, flags)
}

fn flag_names(fetch: &FetchResponse) -> Option<BTreeSet<String>> {
    fetch.flags.as_ref().map(|flags| {
        flags
            .iter()
            .filter(|f| **f != Flag::Recent)
            .map(ToString::to_string)
            .collect()
    })
}

/// Checks one FETCH response: a UID, the expected size and flags, and the body if fetched.
fn check_one(m: &FetchResponse, expect: &Expectation, body: bool) -> Result<u32, String> {
    let uid = m
        .uid
        .ok_or_else(|| format!("a response without UID: {m:?}"))?;
    let (size, flags) = expect(uid);
    if m.rfc822_size != Some(u64::from(size)) {
        return Err(format!(
            "UID {uid}: RFC822.SIZE {:?}, expected {size}",
            m.rfc822_size
        ));
    }
    if flag_names(m).as_ref() != Some(&flags) {
        return Err(format!(
            "UID {uid}: flags {:?}, expected {flags:?}",
            m.flags
        ));
    }
    if body && m.body() != Some(seed::message(uid).as_slice()) {
        return Err(format!("UID {uid}: BODY[] differs from the seeded message"));
    }
    Ok(uid)
}

/// Checks a FETCH result: exactly the `requested` UIDs, once each, each as expected.
fn check_fetch(
    fetched: &[FetchResponse],
    requested: &[u32],
    expect: &Expectation,
    body: bool,
) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    for m in fetched {
        let uid = check_one(m, expect, body)?;
        if !requested.contains(&uid) {
            return Err(format!("UID {uid} was not requested ({requested:?})"));
        }
        if !seen.insert(uid) {
            return Err(format!("UID {uid} came twice"));
        }
    }
    if seen.len() != requested.len() {
        let missing: Vec<_> = requested.iter().filter(|u| !seen.contains(u)).collect();
        return Err(format!("missing UIDs {missing:?} of {requested:?}"));
    }
    Ok(())
}

fn uid_set(uids: &[u32]) -> SequenceSet {
    SequenceSet::from_numbers(uids.iter().copied()).expect("non-empty UIDs")
}

fn expected_search(key: &SearchKey) -> Vec<u32> {
    let divisor = match key {
        SearchKey::Seen => 3,
        SearchKey::Flagged => 5,
        SearchKey::Answered => 11,
        _ => 1,
    };
    (1..=MESSAGES)
        .filter(|i| i.is_multiple_of(divisor))
        .collect()
}

fn items(body: bool) -> Vec<FetchAttr> {
    let mut items = vec![FetchAttr::Uid, FetchAttr::Flags, FetchAttr::Rfc822Size];
    if body {
        items.push(FetchAttr::BodySection {
            section: Section::full(),
            partial: None,
            peek: true,
        });
    }
    items
}

// ---------------------------------------------------------------------------------------------
// Connections
// ---------------------------------------------------------------------------------------------

/// How one torture connection is set up.
#[derive(Debug, Clone, Copy)]
struct Setup {
    name: &'static str,
    mode: TlsMode,
    /// `LITERAL+` ignored: every APPEND waits for the server's `+` before its literal.
    sync_literals: bool,
    /// COMPRESS=DEFLATE after login.
    compress: bool,
    /// Through a recording relay (plaintext only), to prove what went on the wire.
    recorded: bool,
    /// Over [`from_stream`](daaki_imap::ImapConnectionBuilder::from_stream) on a [`Tapped`]
    /// plaintext TCP stream, so where each drop landed is known (plaintext, no COMPRESS).
    tapped: bool,
}

/// A torture connection and what it has done.
struct Torture {
    setup: Setup,
    conn: ImapConnection,
    rng: Rng,
    /// `TORTURE_SEED` of the run (what replays it).
    run_seed: u64,
    recorder: Option<Recorder>,
    /// The wire log of a tapped connection.
    tap: Option<Tap>,
    /// Dropped operations to classify once the iteration is over.
    probes: Vec<(Probe, Dropped)>,
    /// Where drops landed.
    landed: Landed,
    /// APPENDs (by number) dropped mid-write: each must still have been appended.
    dropped_mid_write: Vec<u32>,
    /// Sizes of APPENDs that may have been sent (count per size).
    append_sizes: BTreeMap<u32, u32>,
    appends_sent: u32,
    appends_done: u32,
    /// Recent operations, for failure messages.
    history: Vec<String>,
    /// Operations per kind and whether they finished before being dropped.
    stats: BTreeMap<&'static str, (u32, u32)>,
}

async fn open(server: &dyn TestServer, user: &TestUser, setup: Setup, run_seed: u64) -> Torture {
    let pem = std::fs::read(server.ca_cert_path()).expect("test CA");
    let mut builder = ImapConnection::builder()
        .trust_roots(TrustRoots::None)
        .add_root_pem(&pem)
        .expect("test CA parses");
    if setup.sync_literals {
        builder = builder.ignore_capability("LITERAL+");
    }
    let recorder = if setup.recorded {
        Some(Recorder::start(server.plain_port()).await)
    } else {
        None
    };
    let port = match (setup.mode, &recorder) {
        (_, Some(r)) => r.port(),
        (TlsMode::Implicit, None) => server.tls_port(),
        _ => server.plain_port(),
    };
    let (conn, tap) = if setup.tapped {
        assert!(setup.mode == TlsMode::Plaintext && !setup.compress && !setup.recorded);
        let tap = Tap::default();
        let tcp = TcpStream::connect((server.host(), server.plain_port()))
            .await
            .unwrap_or_else(|e| panic!("{}: TCP connect: {e}", setup.name));
        let stream = Tapped {
            inner: tcp,
            tap: tap.clone(),
            pause: None,
        };
        let (conn, driver) = builder
            .from_stream(stream.compat(), V)
            .await
            .unwrap_or_else(|e| panic!("{}: greeting: {e}", setup.name));
        tokio::spawn(driver);
        (conn, Some(tap))
    } else {
        let conn = builder
            .connect(server.host(), port, setup.mode, V)
            .await
            .unwrap_or_else(|e| panic!("{}: connect: {e}", setup.name));
        (conn, None)
    };
    conn.login(&user.name, &user.password, V)
        .await
        .unwrap_or_else(|e| panic!("{}: login: {e}", setup.name));
    if setup.compress {
        conn.compress(V)
            .await
            .unwrap_or_else(|e| panic!("{}: COMPRESS: {e}", setup.name));
    }
    assert_eq!(
        conn.capabilities().has("LITERAL+"),
        !setup.sync_literals,
        "{}: LITERAL+ is ignored exactly when asked",
        setup.name
    );
    conn.create(SCRATCH, V)
        .await
        .unwrap_or_else(|e| panic!("{}: CREATE: {e}", setup.name));
    let inbox = conn
        .select("INBOX", V)
        .await
        .unwrap_or_else(|e| panic!("{}: SELECT: {e}", setup.name));
    assert_eq!(inbox.exists, MESSAGES, "{}", setup.name);
    // What the server said around SELECT is not stray data from a dropped command (Cyrus sends
    // `* OK [URLMECH INTERNAL]`, an event for the client): start `verify` from an empty queue.
    let _ = conn.drain_events().await;
    Torture {
        setup,
        conn,
        // Each connection its own sequence, all from the run's seed.
        rng: Rng::for_connection(run_seed, setup.name),
        run_seed,
        recorder,
        tap,
        probes: Vec::new(),
        landed: Landed::default(),
        dropped_mid_write: Vec::new(),
        append_sizes: BTreeMap::new(),
        appends_sent: 0,
        appends_done: 0,
        history: Vec::new(),
        stats: BTreeMap::new(),
    }
}

/// The operations whose futures are dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Fetch,
    Search,
    Store,
    Status,
    Append,
    Stream,
    Idle,
    Pipeline,
    /// A streaming FETCH dropped while its channel is full; the receiver is drained after.
    StreamOrphan,
    /// IDLE ended by its token or its time (not dropped).
    IdleEnds,
    /// Two to four of the plain operations at once on clones, dropped together.
    Burst,
}

impl Op {
    fn random(rng: &mut Rng) -> Op {
        const OPS: [(Op, u32); 11] = [
            (Op::Fetch, 12),
            (Op::Search, 7),
            (Op::Store, 9),
            (Op::Status, 7),
            (Op::Append, 11),
            (Op::Stream, 11),
            (Op::Idle, 12),
            (Op::Pipeline, 12),
            (Op::StreamOrphan, 5),
            (Op::IdleEnds, 4),
            (Op::Burst, 10),
        ];
        let total: u32 = OPS.iter().map(|(_, w)| w).sum();
        let mut pick = rng.range(0, total - 1);
        for (op, weight) in OPS {
            if pick < weight {
                return op;
            }
            pick -= weight;
        }
        Op::Fetch
    }

    /// One of the operations that are a single future ([`Torture::checked`]).
    fn random_plain(rng: &mut Rng) -> Op {
        loop {
            let op = Op::random(rng);
            if !matches!(op, Op::StreamOrphan | Op::IdleEnds | Op::Burst) {
                return op;
            }
        }
    }

    fn name(self) -> &'static str {
        match self {
            Op::Fetch => "fetch",
            Op::Search => "search",
            Op::Store => "store",
            Op::Status => "status",
            Op::Append => "append",
            Op::Stream => "stream",
            Op::Idle => "idle",
            Op::Pipeline => "pipeline",
            Op::StreamOrphan => "stream-orphan",
            Op::IdleEnds => "idle-ends",
            Op::Burst => "burst",
        }
    }
}

/// A message of about `size` bytes: seeded headers and a filler body.
fn big_message(n: u32, size: usize) -> Vec<u8> {
    let mut m = format!(
        "From: Torture <t@example.org>\r\nTo: Test User <user@example.org>\r\n\
         Subject: Torture {n}\r\nMessage-ID: <torture{n}@daaki.test>\r\n\r\n"
    )
    .into_bytes();
    let line = b"0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\r\n";
    while m.len() < size {
        m.extend_from_slice(line);
    }
    m
}

/// A call that checks its own result when it finishes; the output counts completed APPENDs.
type Checked = Pin<Box<dyn Future<Output = Result<u32, String>> + Send>>;

/// Polls every future until all are done (the futures crate's `join_all`, in small).
async fn join_all<T>(futs: Vec<Pin<Box<dyn Future<Output = T> + Send>>>) -> Vec<T> {
    let mut futs: Vec<_> = futs.into_iter().map(Some).collect();
    let mut out: Vec<Option<T>> = futs.iter().map(|_| None).collect();
    poll_fn(|cx| {
        for (slot, done) in futs.iter_mut().zip(out.iter_mut()) {
            if let Some(fut) = slot
                && let Poll::Ready(v) = fut.as_mut().poll(cx)
            {
                *done = Some(v);
                *slot = None;
            }
        }
        if futs.iter().all(Option::is_none) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    out.into_iter().flatten().collect()
}

impl Torture {
    /// One operation, dropped at a random point; checks its result if it finished first.
    /// Returns whether it finished.
    async fn op(&mut self, op: Op, at: DropAt) -> Result<bool, String> {
        let tap = self.tap.clone();
        let snap = move || tap.as_ref().map(Tap::snap).unwrap_or_default();
        let from = snap().written;
        let finished = match op {
            Op::StreamOrphan => return self.stream_orphan(at).await,
            Op::IdleEnds => return self.idle_ends().await,
            Op::Burst => {
                let mut futs = Vec::new();
                let mut idle = false;
                for _ in 0..self.rng.range(2, 4) {
                    let mut op = Op::random_plain(&mut self.rng);
                    // Two IDLEs at once are refused ("IDLE is already running"), rightly.
                    if op == Op::Idle && std::mem::replace(&mut idle, true) {
                        op = Op::Status;
                    }
                    futs.push(self.checked(op, at.polls_once(), true));
                }
                drive(join_all(futs), at, &snap).await.ok()
            }
            op => {
                let append = self.appends_sent;
                match drive(self.checked(op, at.polls_once(), false), at, &snap).await {
                    Ok(r) => Some(vec![r]),
                    Err(dropped) => {
                        let probe = match op {
                            Op::Append if at.polls_once() => Some(Probe::Append { n: append }),
                            Op::Idle if at.polls_once() => Some(Probe::Idle { from }),
                            Op::Pipeline if at.polls_once() => Some(Probe::Pipeline { from }),
                            _ => None,
                        };
                        if let Some(probe) = probe
                            && self.tap.is_some()
                        {
                            self.probes.push((probe, dropped));
                        }
                        None
                    }
                }
            }
        };
        let Some(results) = finished else {
            return Ok(false);
        };
        for r in results {
            self.appends_done += r?;
        }
        Ok(true)
    }

    /// The future of a plain operation with random arguments. `sent`: it will be polled (for
    /// the APPEND bookkeeping); `short`: IDLE ends within milliseconds (in a burst, where
    /// other commands wait behind it).
    fn checked(&mut self, op: Op, sent: bool, short: bool) -> Checked {
        let conn = self.conn.clone();
        match op {
            Op::Fetch => {
                let uids = self.rng.uids();
                let body = uids.len() <= 3 && self.rng.chance(50);
                Box::pin(async move {
                    let fetched = conn
                        .uid_fetch(&uid_set(&uids), &items(body), V)
                        .await
                        .map_err(|e| format!("FETCH failed: {e}"))?;
                    check_fetch(&fetched, &uids, &seeded, body)?;
                    Ok(0)
                })
            }
            Op::Search => {
                let key = match self.rng.range(0, 3) {
                    0 => SearchKey::All,
                    1 => SearchKey::Seen,
                    2 => SearchKey::Flagged,
                    _ => SearchKey::Answered,
                };
                let uid = self.rng.chance(50);
                Box::pin(async move {
                    let found = if uid {
                        conn.uid_search(&key, V).await
                    } else {
                        conn.search(&key, V).await
                    };
                    let mut found = found.map_err(|e| format!("SEARCH failed: {e}"))?;
                    found.sort_unstable();
                    let want = expected_search(&key);
                    if found != want {
                        return Err(format!("SEARCH {key:?}: {found:?}, expected {want:?}"));
                    }
                    Ok(0)
                })
            }
            Op::Store => {
                // Idempotent: add a flag messages already have, or remove one they lack, so
                // the seeded flags stay the truth whether or not the STORE ran.
                let (flag, kind, divisor) = match self.rng.range(0, 3) {
                    0 => (Flag::Seen, StoreKind::Add, 3),
                    1 => (Flag::Seen, StoreKind::Remove, 3),
                    2 => (Flag::Flagged, StoreKind::Add, 5),
                    _ => (Flag::Answered, StoreKind::Remove, 11),
                };
                let has = matches!(kind, StoreKind::Add);
                let mut uids: Vec<u32> = self
                    .rng
                    .uids()
                    .into_iter()
                    .filter(|u| u.is_multiple_of(divisor) == has)
                    .collect();
                if uids.is_empty() {
                    uids.push(if has { divisor } else { 1 });
                }
                Box::pin(async move {
                    let stored = conn
                        .uid_store(&uid_set(&uids), kind, &[flag], V)
                        .await
                        .map_err(|e| format!("STORE failed: {e}"))?;
                    for m in &stored.fetches {
                        let uid = m.uid.ok_or("STORE response without UID")?;
                        if !uids.contains(&uid) {
                            return Err(format!("STORE reported UID {uid} of {uids:?}"));
                        }
                        if flag_names(m) != Some(seeded(uid).1) {
                            return Err(format!("STORE: UID {uid} flags {:?}", m.flags));
                        }
                    }
                    Ok(0)
                })
            }
            Op::Status => Box::pin(async move {
                let attrs = [
                    StatusAttr::Messages,
                    StatusAttr::Unseen,
                    StatusAttr::UidNext,
                ];
                let s = conn
                    .status("INBOX", &attrs, V)
                    .await
                    .map_err(|e| format!("STATUS failed: {e}"))?;
                let want = (
                    Some(MESSAGES),
                    Some(MESSAGES - MESSAGES / 3),
                    Some(MESSAGES + 1),
                );
                if (s.messages, s.unseen, s.uid_next) != want {
                    return Err(format!("STATUS INBOX: {s:?}, expected {want:?}"));
                }
                Ok(0)
            }),
            Op::Append => {
                let size = if self.rng.chance(60) {
                    self.rng.range(64 * 1024, 1024 * 1024)
                } else {
                    self.rng.range(200, 8 * 1024)
                };
                let message = big_message(self.appends_sent, size as usize);
                if sent {
                    *self.append_sizes.entry(message.len() as u32).or_default() += 1;
                    self.appends_sent += 1;
                }
                Box::pin(async move {
                    let appended = conn
                        .append(SCRATCH, &[], &message, V)
                        .await
                        .map_err(|e| format!("APPEND failed: {e}"))?;
                    if appended.uids.is_empty() {
                        return Err(format!("APPEND without APPENDUID: {appended:?}"));
                    }
                    Ok(1)
                })
            }
            Op::Stream => {
                // The consumer takes `take` responses and drops the receiver; the rest are
                // read and discarded by the driver.
                let uids = self.rng.uids();
                let take = self.rng.range(0, uids.len() as u32) as usize;
                let (tx, mut rx) = mpsc::channel(self.rng.range(1, 8) as usize);
                Box::pin(async move {
                    let consumer = async move {
                        let mut got = Vec::new();
                        while got.len() < take {
                            match rx.recv().await {
                                Some(r) => got.push(r),
                                None => break,
                            }
                        }
                        got
                    };
                    let (set, items) = (uid_set(&uids), items(false));
                    let (r, got) =
                        tokio::join!(conn.uid_fetch_streaming(&set, &items, tx, V), consumer);
                    r.map_err(|e| format!("streaming FETCH failed: {e}"))?;
                    if got.len() != take {
                        return Err(format!("stream gave {} of {take}", got.len()));
                    }
                    let mut seen = BTreeSet::new();
                    for m in got {
                        let m = m.map_err(|e| format!("stream item failed: {e}"))?;
                        let uid = check_one(&m, &seeded, false)?;
                        if !uids.contains(&uid) || !seen.insert(uid) {
                            return Err(format!("stream: UID {uid} unrequested or twice"));
                        }
                    }
                    Ok(0)
                })
            }
            Op::Idle => {
                let ms = if short {
                    self.rng.range(1, 20)
                } else {
                    self.rng.range(1, 3000)
                };
                Box::pin(async move {
                    let idle_for = Duration::from_millis(u64::from(ms));
                    match conn.idle(idle_for, CancellationToken::new()).await {
                        Ok(IdleEvent::Timeout) => Ok(0),
                        other => Err(format!("IDLE ended with {other:?}, expected Timeout")),
                    }
                })
            }
            Op::Pipeline => {
                let uids = self.rng.uids();
                Box::pin(async move {
                    let inbox = MailboxName::new("INBOX").expect("INBOX");
                    let seen: Vec<u32> = (1..=MESSAGES).filter(|u| u.is_multiple_of(3)).collect();
                    let (seen, set, items) = (uid_set(&seen), uid_set(&uids), items(false));
                    let (status, stored, fetched, found, noop) = conn
                        .pipeline()
                        .timeout(V)
                        .status_attrs(inbox, &[StatusAttr::Messages])
                        .uid_store(&seen, StoreKind::Add, &[Flag::Seen])
                        .uid_fetch(&set, &items)
                        .uid_search(&SearchKey::Flagged)
                        .noop()
                        .execute()
                        .await
                        .map_err(|e| format!("pipeline failed: {e}"))?;
                    let status = status.map_err(|e| format!("pipelined STATUS: {e}"))?;
                    if status.messages != Some(MESSAGES) {
                        return Err(format!("pipelined STATUS: {status:?}"));
                    }
                    stored.map_err(|e| format!("pipelined STORE: {e}"))?;
                    let fetched = fetched.map_err(|e| format!("pipelined FETCH: {e}"))?;
                    check_fetch(&fetched, &uids, &seeded, false)
                        .map_err(|e| format!("pipelined FETCH: {e}"))?;
                    let mut found = found.map_err(|e| format!("pipelined SEARCH: {e}"))?;
                    found.sort_unstable();
                    if found != expected_search(&SearchKey::Flagged) {
                        return Err(format!("pipelined SEARCH FLAGGED: {found:?}"));
                    }
                    noop.map_err(|e| format!("pipelined NOOP: {e}"))?;
                    Ok(0)
                })
            }
            Op::StreamOrphan | Op::IdleEnds | Op::Burst => {
                Box::pin(async move { Err(format!("{op:?} is not a plain operation")) })
            }
        }
    }

    /// A streaming FETCH dropped at a random point or as soon as its (small) channel is full:
    /// the command still completes, so the receiver gets every response — or none if it was
    /// never sent.
    async fn stream_orphan(&mut self, at: DropAt) -> Result<bool, String> {
        let uids = self.rng.uids();
        let capacity = self.rng.range(1, 3) as usize;
        let (tx, mut rx) = mpsc::channel(capacity);
        let (set, items) = (uid_set(&uids), items(false));
        let at = match at {
            DropAt::Queued(_) => DropAt::Queued(capacity),
            at => at,
        };
        let fut = self.conn.uid_fetch_streaming(&set, &items, tx, V);
        let queued = || Snap {
            queued: rx.len(),
            ..Snap::default()
        };
        let dropped = match drive(fut, at, &queued).await {
            Err(dropped) => Some(dropped),
            Ok(r) => {
                r.map_err(|e| format!("streaming FETCH failed: {e}"))?;
                None
            }
        };
        let mut got = Vec::new();
        loop {
            match tokio::time::timeout(V, rx.recv()).await {
                Ok(Some(m)) => got.push(m.map_err(|e| format!("stream item: {e}"))?),
                Ok(None) => break,
                Err(_) => return Err("orphaned stream never ended".into()),
            }
        }
        if at.polls_once() || !got.is_empty() {
            check_fetch(&got, &uids, &seeded, false)
                .map_err(|e| format!("orphaned stream: {e}"))?;
        }
        // Nothing took from the channel until now: what was in it at the drop came before,
        // the rest after.
        if let Some(d) = dropped
            && d.before.queued >= 1
            && got.len() > d.after.queued
        {
            self.landed.mid_stream += 1;
        }
        Ok(dropped.is_none())
    }

    /// IDLE ends by its token (at a random moment, maybe before it starts) or by its time,
    /// and must say which.
    async fn idle_ends(&mut self) -> Result<bool, String> {
        let token = CancellationToken::new();
        let cancel_after = Duration::from_micros(u64::from(self.rng.range(0, 20_000)));
        let idle_for = Duration::from_millis(u64::from(self.rng.range(5, 60)));
        let canceller = {
            let token = token.clone();
            tokio::spawn(async move {
                tokio::time::sleep(cancel_after).await;
                token.cancel();
            })
        };
        let r = self.conn.idle(idle_for, token).await;
        let _ = canceller.await;
        match r {
            Ok(IdleEvent::Cancelled | IdleEvent::Timeout) => Ok(true),
            other => Err(format!("IDLE ended with {other:?}")),
        }
    }

    /// NOOP plus a FETCH that must return exactly the seeded data.
    async fn verify(&mut self) -> Result<(), String> {
        self.conn
            .noop(V)
            .await
            .map_err(|e| format!("NOOP after the drop failed: {e}"))?;
        let uids = self.rng.uids();
        let body = uids.len() <= 3 && self.rng.chance(30);
        let fetched = self
            .conn
            .uid_fetch(&uid_set(&uids), &items(body), V)
            .await
            .map_err(|e| format!("FETCH after the drop failed: {e}"))?;
        check_fetch(&fetched, &uids, &seeded, body)
            .map_err(|e| format!("FETCH after the drop: {e}"))?;
        // Nothing changes INBOX, so data left over from a dropped command would show here.
        for event in self.conn.drain_events().await {
            match event {
                TypedEvent::Fetch(_)
                | TypedEvent::Expunge(_)
                | TypedEvent::Vanished { .. }
                | TypedEvent::Status { .. } => {
                    return Err(format!("stray data after the drop: {event:?}"));
                }
                TypedEvent::Exists(n) if n != MESSAGES => {
                    return Err(format!("stray EXISTS {n}"));
                }
                _ => {}
            }
        }
        // Every command of the dropped operations was written before this NOOP and answered
        // before its reply: their wire positions are all known now.
        if let Some(tap) = &self.tap {
            let wire = tap.wire();
            for (probe, dropped) in self.probes.drain(..) {
                let landed = classify(&wire, probe, dropped);
                if let Probe::Append { n } = probe
                    && landed.mid_write > 0
                {
                    self.dropped_mid_write.push(n);
                }
                self.landed.add(landed);
            }
        }
        Ok(())
    }

    /// `iterations` rounds of one to four dropped operations, each followed by [`verify`].
    async fn run(mut self, iterations: u32) -> Result<Torture, String> {
        for i in 0..iterations {
            let ops = self.rng.range(1, 4);
            let mut previous = None;
            for _ in 0..ops {
                // Runs of the same operation (IDLE after dropped IDLE, …) are likelier than
                // chance would make them: the next call often meets the last one still ending.
                let op = match previous {
                    Some(op) if self.rng.chance(40) => op,
                    _ => Op::random(&mut self.rng),
                };
                previous = Some(op);
                let mut at = DropAt::random(&mut self.rng);
                // Some drops aim at a phase rather than a time: a full stream channel, an
                // IDLE just accepted, a literal just allowed.
                if op == Op::StreamOrphan && self.rng.chance(50) {
                    at = DropAt::Queued(0);
                }
                if self.tap.is_some() && matches!(op, Op::Idle | Op::Append) && self.rng.chance(50)
                {
                    at = DropAt::Continuation(self.rng.range(0, 8));
                }
                if self.history.len() >= 8 {
                    self.history.remove(0);
                }
                self.history.push(format!("#{i} {op:?} {at:?}"));
                let finished = self.op(op, at).await.map_err(|e| self.failure(i, &e))?;
                let entry = self.stats.entry(op.name()).or_default();
                entry.0 += 1;
                entry.1 += u32::from(finished);
            }
            self.verify().await.map_err(|e| self.failure(i, &e))?;
        }
        self.finish()
            .await
            .map_err(|e| self.failure(iterations, &e))?;
        Ok(self)
    }

    fn failure(&self, iteration: u32, error: &str) -> String {
        format!(
            "TORTURE_SEED={:#x} connection {} iteration {iteration}: {error}\n  recent operations: {:?}",
            self.run_seed, self.setup.name, self.history
        )
    }

    /// Every APPEND arrived whole (none half-sent), and sync literals were really used.
    async fn finish(&mut self) -> Result<(), String> {
        self.conn.noop(V).await.map_err(|e| format!("NOOP: {e}"))?;
        let scratch = self
            .conn
            .examine(SCRATCH, V)
            .await
            .map_err(|e| format!("EXAMINE: {e}"))?;
        let must_have = self.appends_done + self.dropped_mid_write.len() as u32;
        if scratch.exists < must_have || scratch.exists > self.appends_sent {
            return Err(format!(
                "{} messages appended; {} completed, {} dropped mid-write, {} sent",
                scratch.exists,
                self.appends_done,
                self.dropped_mid_write.len(),
                self.appends_sent
            ));
        }
        if scratch.exists > 0 {
            let all = SequenceSet::new("1:*").expect("1:*");
            let fetched = self
                .conn
                .fetch(&all, &[FetchAttr::Rfc822Size], V)
                .await
                .map_err(|e| format!("FETCH sizes: {e}"))?;
            let mut left = self.append_sizes.clone();
            for m in &fetched {
                let size = m.rfc822_size.ok_or("no RFC822.SIZE")?;
                let size = u32::try_from(size).map_err(|_| "RFC822.SIZE over 4 GiB")?;
                match left.get_mut(&size) {
                    Some(n) if *n > 0 => *n -= 1,
                    _ => {
                        return Err(format!(
                            "an appended message of {size} bytes was never sent"
                        ));
                    }
                }
            }
            if fetched.len() as u32 != scratch.exists {
                return Err(format!(
                    "{} sizes for {} messages",
                    fetched.len(),
                    scratch.exists
                ));
            }
        }
        let sent = match (&self.recorder, &self.tap) {
            (Some(recorder), _) => Some(recorder.client_text()),
            (None, Some(tap)) => Some(
                tap.wire()
                    .client
                    .lines
                    .iter()
                    .map(|l| l.text.as_str())
                    .collect(),
            ),
            (None, None) => None,
        };
        if let Some(sent) = sent {
            let sync = sent.matches(" APPEND ").count();
            if self.setup.sync_literals && (sent.contains("+}\r\n") || sync == 0) {
                return Err(format!(
                    "expected synchronising literals only ({sync} APPENDs on the wire)"
                ));
            }
        }
        self.conn
            .logout()
            .await
            .map_err(|e| format!("LOGOUT: {e}"))?;
        Ok(())
    }
}

/// Runs the torture on one connection per setup, concurrently; panics with the seed on failure.
async fn torture(
    server: &'static dyn TestServer,
    setups: &[Setup],
    per_connection: u32,
    label: &str,
) {
    let per_connection = match server.kind() {
        ServerKind::Dovecot => per_connection,
        ServerKind::Cyrus => per_connection.div_ceil(3),
    };
    let label = format!("{label} ({})", server.kind());
    let label = label.as_str();
    let seed = torture_seed();
    println!("{label}: TORTURE_SEED={seed:#x}, {per_connection} iterations per connection");
    let started = Instant::now();
    let mut tasks = Vec::new();
    for setup in setups.iter().copied() {
        let user = server.new_user(MESSAGES);
        tasks.push(tokio::spawn(async move {
            let t = open(server, &user, setup, seed).await;
            t.run(per_connection).await
        }));
    }
    let mut failures = Vec::new();
    let mut total = 0;
    let mut landed = Landed::default();
    let (mut appends_done, mut appends_sent) = (0, 0);
    for task in tasks {
        match task.await {
            Ok(Ok(t)) => {
                total += per_connection;
                landed.add(t.landed);
                appends_done += t.appends_done;
                appends_sent += t.appends_sent;
                println!(
                    "{label}: {} ok — appends {}/{} completed; drops landed {:?}; per op (run, finished before drop): {:?}",
                    t.setup.name, t.appends_done, t.appends_sent, t.landed, t.stats
                );
            }
            Ok(Err(e)) => failures.push(e),
            Err(e) => failures.push(format!("TORTURE_SEED={seed:#x}: task panicked: {e}")),
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{label}: {total} iterations in {secs:.1} s ({:.0} iterations/s), seed {seed:#x}",
        f64::from(total) / secs
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    println!("{label}: drops landed {landed:?}");
    assert!(
        appends_done < appends_sent,
        "TORTURE_SEED={seed:#x}: every APPEND sent also completed ({appends_done}): none was dropped in flight"
    );
    let missing = landed.missing();
    assert!(
        missing.is_empty(),
        "TORTURE_SEED={seed:#x}: no drop landed {missing:?} ({landed:?}): the torture did not test those phases (with a small TORTURE_ITERATIONS, raise it)"
    );
}

async fn dropped_futures_never_corrupt_the_connection_multi_thread(
    server: &'static dyn TestServer,
) {
    let setups = [
        Setup {
            name: "tls",
            mode: TlsMode::Implicit,
            sync_literals: false,
            compress: false,
            recorded: false,
            tapped: false,
        },
        Setup {
            name: "tls-sync-literals",
            mode: TlsMode::Implicit,
            sync_literals: true,
            compress: false,
            recorded: false,
            tapped: false,
        },
        Setup {
            name: "plain-sync-literals-recorded",
            mode: TlsMode::Plaintext,
            sync_literals: true,
            compress: false,
            recorded: true,
            tapped: false,
        },
        Setup {
            name: "plain-compress",
            mode: TlsMode::Plaintext,
            sync_literals: false,
            compress: true,
            recorded: false,
            tapped: false,
        },
        Setup {
            name: "tapped",
            mode: TlsMode::Plaintext,
            sync_literals: false,
            compress: false,
            recorded: false,
            tapped: true,
        },
        Setup {
            name: "tapped-sync-literals",
            mode: TlsMode::Plaintext,
            sync_literals: true,
            compress: false,
            recorded: false,
            tapped: true,
        },
    ];
    torture(server, &setups, iterations(250), "multi-thread").await;
}

async fn dropped_futures_never_corrupt_the_connection_current_thread(
    server: &'static dyn TestServer,
) {
    let setups = [
        Setup {
            name: "ct-tls-sync-literals",
            mode: TlsMode::Implicit,
            sync_literals: true,
            compress: false,
            recorded: false,
            tapped: false,
        },
        Setup {
            name: "ct-starttls-compress",
            mode: TlsMode::StartTls,
            sync_literals: false,
            compress: true,
            recorded: false,
            tapped: false,
        },
        Setup {
            name: "ct-tapped",
            mode: TlsMode::Plaintext,
            sync_literals: false,
            compress: false,
            recorded: false,
            tapped: true,
        },
        Setup {
            name: "ct-tapped-sync-literals",
            mode: TlsMode::Plaintext,
            sync_literals: true,
            compress: false,
            recorded: false,
            tapped: true,
        },
    ];
    torture(server, &setups, iterations(150), "current-thread").await;
}

/// The checks compare real values: wrong data or a wrong expectation is caught.
async fn the_verifying_fetch_catches_wrong_data(server: &'static dyn TestServer) {
    let user = server.new_user(MESSAGES);
    let setup = Setup {
        name: "sanity",
        mode: TlsMode::Plaintext,
        sync_literals: false,
        compress: false,
        recorded: false,
        tapped: false,
    };
    let t = open(server, &user, setup, 1).await;
    let uids: Vec<u32> = (1..=MESSAGES).collect();
    let fetched = t
        .conn
        .uid_fetch(&uid_set(&uids), &items(false), V)
        .await
        .expect("fetch");
    check_fetch(&fetched, &uids, &seeded, false).expect("the real data matches");

    // A wrong expectation: \Seen on even UIDs instead of every third.
    let wrong = |uid: u32| {
        let (size, mut flags) = seeded(uid);
        flags.remove("\\Seen");
        if uid.is_multiple_of(2) {
            flags.insert("\\Seen".to_owned());
        }
        (size, flags)
    };
    assert!(check_fetch(&fetched, &uids, &wrong, false).is_err());
    let off_by_one = |uid: u32| (seeded(uid).0 + 1, seeded(uid).1);
    assert!(check_fetch(&fetched, &uids, &off_by_one, false).is_err());
    // Another command's response delivered here, a duplicate, a missing one.
    assert!(check_fetch(&fetched, &uids[1..], &seeded, false).is_err());
    let mut twice = fetched.clone();
    twice.push(fetched[0].clone());
    assert!(check_fetch(&twice, &uids, &seeded, false).is_err());
    assert!(check_fetch(&fetched[1..], &uids, &seeded, false).is_err());
    // A body that is not the message.
    let one = t
        .conn
        .uid_fetch(&uid_set(&[7]), &items(true), V)
        .await
        .expect("fetch body");
    check_fetch(&one, &[7], &seeded, true).expect("body matches");
    let mut other = one.clone();
    other[0].uid = Some(8);
    let same_size = |uid: u32| (seeded(7).0, seeded(uid).1);
    let err = check_fetch(&other, &[8], &same_size, true).expect_err("body of 7 is not 8's");
    assert!(err.contains("BODY[]"), "{err}");
}

/// Regression: IDLEs dropped one after another, each before the previous one ended, must not
/// make the next IDLE fail with "IDLE is already running".
async fn idles_dropped_back_to_back_leave_room_for_the_next(server: &'static dyn TestServer) {
    let user = server.new_user(MESSAGES);
    let setup = Setup {
        name: "idle-chain",
        mode: TlsMode::Plaintext,
        sync_literals: false,
        compress: false,
        recorded: false,
        tapped: false,
    };
    let t = open(server, &user, setup, 2).await;
    for round in 0..20 {
        for polls in [1, 2] {
            let dropped = t.conn.idle(V, CancellationToken::new());
            assert!(
                drive(dropped, DropAt::Polls(polls), &Snap::default)
                    .await
                    .is_err()
            );
        }
        let r = t
            .conn
            .idle(Duration::from_millis(20), CancellationToken::new())
            .await;
        assert!(matches!(r, Ok(IdleEvent::Timeout)), "round {round}: {r:?}");
        t.conn.noop(V).await.expect("noop");
    }
}

server_tests!(the_verifying_fetch_catches_wrong_data);
server_tests!([flavor = "current_thread"] idles_dropped_back_to_back_leave_room_for_the_next);
server_tests!([flavor = "multi_thread", worker_threads = 2] dropped_futures_never_corrupt_the_connection_multi_thread);
server_tests!([flavor = "current_thread"] dropped_futures_never_corrupt_the_connection_current_thread);
