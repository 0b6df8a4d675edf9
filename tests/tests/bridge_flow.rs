//! Flow control through the bridge (wire contract version 2, issue 25), measured on the real
//! `daaki-imap-bridge` process (built as `bridge-under-test`) between the harness Dovecot and
//! `ImapConnection` over the native WebSocket transport.
//!
//! **A slow consumer of a large streamed FETCH.** A user's INBOX holds [`MESSAGES`] messages
//! of [`MESSAGE_SIZE`] bytes (over 100 MB in all, written as Maildir files). One
//! `uid_fetch_streaming` of `BODY.PEEK[]` streams them all into a small channel whose consumer
//! is deliberately slow (it pauses [`PAUSE`] after every message), so the whole transfer
//! takes about 20 s and the driver spends most of it not reading. Every message is checked
//! byte for byte (each carries its index; its bytes are regenerated from it). Measured and
//! asserted, with the figures printed (`--nocapture`):
//!
//! - the session ran version 2 (both ends say so);
//! - the client's transport never held more than the window received and unread
//!   ([`BridgeInfo::max_buffered`](daaki_imap::BridgeInfo::max_buffered)), never received
//!   more than it granted, and the bridge never had more than one window outstanding;
//! - the bridge spent its credit and waited for grants (`daaki_bridge_credit_stalls_total`
//!   rose): the slow consumer, not a buffer, set the pace;
//! - the bridge process's resident memory (`VmRSS`, sampled every 100 ms) grew by far less
//!   than the data that went through it ([`MAX_BRIDGE_RSS_GROWTH`]).
//!
//! **An upload while the download waits for credit.** A streamed FETCH of 26 MB whose
//! consumer is slow at first, and meanwhile a 40 MB APPEND on the same connection (LITERAL+:
//! the literal follows the command at once), under both wire versions; both must complete.
//! Under version 2 this is the case the upload window exists for: credit travels in-band,
//! so if the bridge read the client only as fast as Dovecot takes the upload — and Dovecot
//! takes nothing while its FETCH output waits for the client's credit — the client's grants
//! would wait behind its own upload data forever. With the upload window the client sends
//! only what the bridge granted, the bridge reads it at all times (so it sees the grants),
//! and the client's transport reads the bridge's frames while its write waits for upload
//! credit (so it sees the bridge's grants though the driver is not reading). Asserted: the
//! upload waited for credit and never exceeded it; the figures (times, upload credit, waits)
//! are printed.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use daaki_imap::types::response::FetchResponse;
use daaki_imap::types::{FetchAttr, Section, SequenceSet};
use daaki_imap::wire::{BridgeTarget, DEFAULT_WINDOW};
use daaki_imap::{ImapConnection, WireVersion};
use daaki_imap_tests::bridge_process::{BridgeProcess, Scratch};
use daaki_imap_tests::harness::{TestUser, shared_dovecot};

const BIN: &str = env!("CARGO_BIN_EXE_bridge-under-test");
const ORIGIN: &str = "https://app.localhost";
/// Generous bound for single steps (start-up, connect, login).
const T: Duration = Duration::from_secs(30);
/// Messages in the INBOX, each of [`MESSAGE_SIZE`] bytes: 104,857,600 bytes in all.
const MESSAGES: u32 = 800;
const MESSAGE_SIZE: usize = 128 * 1024;
/// The consumer's pause after each message: 800 × 25 ms = 20 s at the least.
const PAUSE: Duration = Duration::from_millis(25);
/// The streamed FETCH's channel: the driver stops reading once it is full.
const CHANNEL: usize = 4;
/// How much the bridge's resident memory may grow while 100 MB go through it. Its buffers
/// for one session are a window's worth at most (1 MiB of credit, a 16 KiB frame, TLS
/// records); the rest is allocator slack. Without flow control or TCP backpressure, the whole
/// mailbox would pile up in it.
const MAX_BRIDGE_RSS_GROWTH: u64 = 16 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Mail
// ---------------------------------------------------------------------------------------------

/// Message `i` (1-based): headers naming its index, then a body of deterministic text, CRLF
/// line ends, exactly [`MESSAGE_SIZE`] bytes.
fn big_message(i: u32) -> Vec<u8> {
    let mut out = format!(
        "From: Flow <flow@daaki.test>\r\n\
         To: Test User <user@example.org>\r\n\
         Subject: Large message {i}\r\n\
         Message-ID: <flow{i}@daaki.test>\r\n\
         X-Index: {i}\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=us-ascii\r\n\r\n"
    )
    .into_bytes();
    // xorshift64, seeded by the index: every message differs.
    let mut state = 0x9e37_79b9_7f4a_7c15_u64 ^ u64::from(i);
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    while out.len() < MESSAGE_SIZE {
        let line = 76.min(MESSAGE_SIZE - out.len()).saturating_sub(2);
        for _ in 0..line {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            out.push(ALPHABET[(state % 64) as usize]);
        }
        out.extend_from_slice(b"\r\n");
    }
    out.truncate(MESSAGE_SIZE);
    out
}

/// The index a message names in its `X-Index:` header.
fn index_of(message: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(&message[..message.len().min(400)]).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("X-Index: "))
        .and_then(|n| n.trim().parse().ok())
}

/// Writes messages `1..=count` into the user's Maildir (owned like the Maildir itself, so Dovecot
/// can read them); Dovecot picks them up on the first SELECT.
fn seed_big_mailbox(user: &TestUser, count: u32) {
    let meta = fs::metadata(&user.maildir).expect("the user's Maildir");
    let cur = user.maildir.join("cur");
    for i in 1..=count {
        let bytes = big_message(i);
        let path = cur.join(format!(
            "{}.M{i}P1.flow,S={len},W={len}:2,",
            1_700_000_000 + u64::from(i) * 60,
            len = bytes.len()
        ));
        fs::write(&path, &bytes).expect("write a message");
        std::os::unix::fs::chown(&path, Some(meta.uid()), Some(meta.gid())).expect("chown");
    }
}

// ---------------------------------------------------------------------------------------------
// The bridge process
// ---------------------------------------------------------------------------------------------

/// A `bridge-under-test` process whose one target, `dovecot`, is the harness Dovecot's TLS port.
async fn start_bridge(scratch: &Path) -> BridgeProcess {
    let dovecot = shared_dovecot();
    let body = format!(
        "origins = [\"{ORIGIN}\"]\n\n\
         [[targets]]\n\
         name = \"dovecot\"\n\
         host = \"{host}\"\n\
         port = {port}\n\
         tls = true\n\
         allow_private = true\n\
         extra_roots = \"{ca}\"\n",
        host = dovecot.host(),
        port = dovecot.tls_port(),
        ca = dovecot.ca_cert_path().display(),
    );
    BridgeProcess::start(Path::new(BIN), scratch, "flow", &body).await
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

// ---------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_consumer_of_100_mb_is_paced_by_credit_and_nothing_piles_up() {
    let dovecot = shared_dovecot();
    let scratch = Scratch::new("daaki-bridge-flow", "slow-consumer");
    let user = dovecot.new_user(0);
    let seeding = Instant::now();
    seed_big_mailbox(&user, MESSAGES);
    let seeded = seeding.elapsed();
    let bridge = start_bridge(&scratch.0).await;

    let conn = ImapConnection::builder()
        .bridge_origin(ORIGIN)
        .connect_via_bridge(
            &bridge.url(),
            BridgeTarget::named("dovecot").expect("name"),
            T,
        )
        .await
        .expect("connect via the bridge");
    let info = conn.bridge_info().expect("a bridge connection").clone();
    assert_eq!(info.wire_version(), WireVersion::V2, "{info:?}");
    assert_eq!(info.window(), Some(DEFAULT_WINDOW));
    conn.login(&user.name, &user.password, T)
        .await
        .expect("login");
    let inbox = conn.examine("INBOX", T).await.expect("examine");
    assert_eq!(inbox.exists, MESSAGES);
    assert_eq!(
        bridge
            .metric("daaki_bridge_wire_sessions_total{wire=\"v2\"}")
            .await,
        1
    );
    let stalls_before = bridge.metric("daaki_bridge_credit_stalls_total").await;

    // The bridge's memory, sampled while the transfer runs.
    let rss_before = bridge.rss();
    let rss_peak = Arc::new(AtomicU64::new(rss_before));
    let done = Arc::new(AtomicBool::new(false));
    let pid_status = format!("/proc/{}/status", bridge.child.id());
    let sampler = tokio::spawn({
        let (rss_peak, done) = (rss_peak.clone(), done.clone());
        async move {
            let mut samples = 0u32;
            while !done.load(Relaxed) {
                let status = fs::read_to_string(&pid_status).unwrap_or_default();
                let rss = status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmRSS:"))
                    .and_then(|rest| rest.split_whitespace().next())
                    .and_then(|kib| kib.parse::<u64>().ok())
                    .map_or(0, |kib| kib * 1024);
                rss_peak.fetch_max(rss, Relaxed);
                samples += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            samples
        }
    });

    let (tx, mut rx) = tokio::sync::mpsc::channel::<daaki_imap::Result<FetchResponse>>(CHANNEL);
    let consumer = tokio::spawn(async move {
        let mut seen = vec![false; MESSAGES as usize + 1];
        let mut bytes = 0u64;
        while let Some(result) = rx.recv().await {
            let message = result.expect("a streamed message");
            let body = message
                .body()
                .unwrap_or_else(|| panic!("no BODY[] in {:?}", message.uid));
            let i = index_of(body).expect("an X-Index header");
            assert!((1..=MESSAGES).contains(&i), "index {i}");
            assert!(!seen[i as usize], "message {i} twice");
            assert!(body == big_message(i).as_slice(), "message {i} differs");
            seen[i as usize] = true;
            bytes += body.len() as u64;
            // The slow consumer.
            tokio::time::sleep(PAUSE).await;
        }
        (seen.iter().filter(|s| **s).count(), bytes)
    });
    let started = Instant::now();
    conn.uid_fetch_streaming(
        &SequenceSet::new("1:*").expect("set"),
        &[
            FetchAttr::Uid,
            FetchAttr::BodySection {
                section: Section::full(),
                partial: None,
                peek: true,
            },
        ],
        tx,
        Duration::from_secs(300),
    )
    .await
    .expect("the streamed FETCH");
    let (messages, bytes) = consumer.await.expect("consumer");
    let elapsed = started.elapsed();
    done.store(true, Relaxed);
    let samples = sampler.await.expect("sampler");
    let rss_peak = rss_peak.load(Relaxed);
    let stalls = bridge.metric("daaki_bridge_credit_stalls_total").await - stalls_before;
    conn.logout().await.expect("logout");

    println!(
        "slow consumer through the bridge (wire {}): {messages} messages, {bytes} bytes \
         ({:.1} MiB) in {:.1} s (seeded in {:.1} s)\n\
         client: window {} bytes, max buffered {} bytes, received {} bytes, granted {} bytes \
         in {} grants\n\
         bridge: {stalls} credit stalls; VmRSS {:.1} MiB before, {:.1} MiB peak \
         (+{:.1} MiB; {samples} samples)",
        info.wire_version(),
        mib(bytes),
        elapsed.as_secs_f64(),
        seeded.as_secs_f64(),
        DEFAULT_WINDOW,
        info.max_buffered(),
        info.bytes_received(),
        info.credit_granted(),
        info.grants_sent(),
        mib(rss_before),
        mib(rss_peak),
        mib(rss_peak.saturating_sub(rss_before)),
    );

    // Everything arrived, intact.
    assert_eq!(messages, MESSAGES as usize);
    assert_eq!(bytes, u64::from(MESSAGES) * MESSAGE_SIZE as u64);
    assert!(bytes >= 100_000_000);
    assert!(elapsed >= PAUSE * MESSAGES, "{elapsed:?}");
    // The client: never more than the window held, never more received than granted, and
    // the bridge never more than one window ahead.
    let window = u64::from(DEFAULT_WINDOW);
    assert!(info.max_buffered() <= window, "{info:?}");
    assert!(info.bytes_received() >= bytes, "{info:?}");
    assert!(info.credit_granted() >= info.bytes_received(), "{info:?}");
    assert!(
        info.credit_granted() - info.bytes_received() <= window,
        "{info:?}"
    );
    // Grants of at least a quarter window each: ~4 per window received, never one per frame.
    assert!(
        info.grants_sent() <= 1 + info.bytes_received() / (window / 4),
        "{info:?}"
    );
    // The bridge ran out of credit and waited: the consumer set the pace.
    assert!(stalls > 0, "the bridge never waited for credit");
    // And nothing piled up in it.
    assert!(rss_before > 0 && samples > 10, "no RSS figures");
    assert!(
        rss_peak.saturating_sub(rss_before) < MAX_BRIDGE_RSS_GROWTH,
        "the bridge grew from {rss_before} to {rss_peak} bytes"
    );
}

/// Streams 200 large messages (26 MB: more than every buffer between Dovecot and the client
/// holds, so Dovecot is still writing the FETCH when the upload comes) into a channel of one
/// whose consumer pauses for the first 20 messages (so the download stalls), and APPENDs a
/// 40 MB message on the same connection meanwhile. Both must complete.
async fn append_while_the_download_waits(version: WireVersion) {
    const COUNT: u32 = 200;
    let dovecot = shared_dovecot();
    let scratch = Scratch::new("daaki-bridge-flow", "append-while-stalled");
    let user = dovecot.new_user(0);
    seed_big_mailbox(&user, COUNT);
    let bridge = start_bridge(&scratch.0).await;
    let conn = ImapConnection::builder()
        .bridge_origin(ORIGIN)
        .bridge_wire_version(version)
        .connect_via_bridge(
            &bridge.url(),
            BridgeTarget::named("dovecot").expect("name"),
            T,
        )
        .await
        .expect("connect via the bridge");
    let info = conn.bridge_info().expect("a bridge connection").clone();
    assert_eq!(info.wire_version(), version);
    conn.login(&user.name, &user.password, T)
        .await
        .expect("login");
    assert_eq!(conn.select("INBOX", T).await.expect("select").exists, COUNT);
    let (tx, mut rx) = tokio::sync::mpsc::channel::<daaki_imap::Result<FetchResponse>>(1);
    let consumer = tokio::spawn(async move {
        let mut messages = 0u32;
        while let Some(result) = rx.recv().await {
            result.expect("a streamed message");
            messages += 1;
            if messages <= 20 {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        messages
    });
    let fetch = tokio::spawn({
        let conn = conn.clone();
        async move {
            conn.uid_fetch_streaming(
                &SequenceSet::new("1:*").expect("set"),
                &[
                    FetchAttr::Uid,
                    FetchAttr::BodySection {
                        section: Section::full(),
                        partial: None,
                        peek: true,
                    },
                ],
                tx,
                Duration::from_secs(120),
            )
            .await
        }
    });
    // The download is under way (and stalling) before the upload starts.
    tokio::time::timeout(T, async {
        while info.bytes_received() < 64 * 1024 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the download started");
    let mut big = b"Subject: big\r\n\r\n".to_vec();
    let line = b"0123456789012345678901234567890123456789012345678901234567890123456789012345\r\n";
    while big.len() < 40 << 20 {
        big.extend_from_slice(line);
    }
    let started = Instant::now();
    let sent_before = info.bytes_sent();
    let appended = tokio::time::timeout(
        Duration::from_secs(60),
        conn.append("INBOX", &[], &big, Duration::from_secs(60)),
    )
    .await;
    let append_time = started.elapsed();
    println!(
        "{version}: APPEND of {} bytes during a stalled download: {:?} after {:.1} s; {info:?}",
        big.len(),
        appended.as_ref().map(Result::is_ok),
        append_time.as_secs_f64()
    );
    appended
        .expect("the APPEND completed within 60 s")
        .expect("APPEND");
    tokio::time::timeout(Duration::from_secs(90), fetch)
        .await
        .expect("the FETCH completed")
        .expect("fetch task")
        .expect("FETCH");
    assert_eq!(consumer.await.expect("consumer"), COUNT);
    println!(
        "{version}: APPEND {:.1} s, APPEND and FETCH {:.1} s; upload: {} bytes sent, {} bytes \
         of credit received, {} waits for credit",
        append_time.as_secs_f64(),
        started.elapsed().as_secs_f64(),
        info.bytes_sent(),
        info.upload_credit_received(),
        info.upload_waits(),
    );
    // The whole literal went out (with its command line).
    assert!(
        info.bytes_sent() - sent_before > big.len() as u64,
        "{info:?}"
    );
    match version {
        WireVersion::V1 => {
            assert_eq!((info.upload_credit_received(), info.upload_waits()), (0, 0));
        }
        _ => {
            // Never more sent than granted, and the upload did wait for the bridge's credit
            // while Dovecot was not reading (its FETCH output blocked).
            assert!(
                info.upload_credit_received() >= info.bytes_sent(),
                "{info:?}"
            );
            assert!(info.upload_waits() > 0, "{info:?}");
        }
    }
    conn.logout().await.expect("logout");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn version_1_an_upload_while_the_download_waits_completes() {
    append_while_the_download_waits(WireVersion::V1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn version_2_an_upload_while_the_download_waits_completes() {
    append_while_the_download_waits(WireVersion::V2).await;
}
