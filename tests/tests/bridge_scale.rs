//! The bridge at scale: two `daaki-imap-bridge` processes (the real binary, built as
//! `bridge-under-test`) behind the harness nginx, which runs the configuration shipped in
//! `bridge/examples/nginx/` and terminates TLS for `wss://`; the IMAP server behind them is
//! the harness Dovecot. Everything stays on loopback.
//!
//! - **Spread and SIGTERM** (once per nginx front end): eight sessions spread over both
//!   instances (round robin, four each, read from each instance's `/metrics`), all fetching
//!   whole messages in rounds (`UID FETCH … BODY.PEEK[]`, streamed) with a pause after each;
//!   instance A is SIGTERMed while they run. Two of A's sessions end during the drain (a
//!   clean LOGOUT); the others cannot (they need longer than the drain whatever the
//!   machine's speed) and end with a typed error when A closes them — a raw WebSocket
//!   watcher on A sees that close: 1001 Going Away, passed on by nginx. The sessions on B
//!   finish; every message fetched by any session is byte-for-byte the seeded one, and every
//!   complete round has all its messages. New sessions then all go to B (nginx's log shows
//!   it tried A, was refused and moved on), and A exits with status 0.
//! - **Per-IP limits see the real client**: with `max_connections_per_ip = 1`, raw
//!   WebSocket sessions through nginx from several loopback source addresses (127.0.0.2, …)
//!   and with forwarded IPv6 addresses (`X-Forwarded-For`, the test's own 127.0.0.1 being a
//!   trusted proxy, as loopback has only `::1`): connections are counted per client and per
//!   IPv6 /64 on each instance, and an untrusted client cannot choose its key with
//!   `X-Forwarded-For`.
//! - **Per-subject limits**: with tickets required and `max_sessions_per_subject = 1`,
//!   version-2 tickets for the same subject are counted per instance (a third session of
//!   one subject over two instances is refused with 4006), other subjects and version-1
//!   tickets are not capped, and the refusal counters agree.
//!
//! Each front end is tested twice: **http** (`X-Forwarded-For`) and **stream** (nginx sends
//! the PROXY protocol; bridges with `proxy_protocol = true`). Figures are printed (run with
//! `--nocapture` to see them).

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::time::{Duration, Instant};

use daaki_imap::types::response::FetchResponse;
use daaki_imap::types::{FetchAttr, Section, SequenceSet};
use daaki_imap::wire::{BridgeTarget, CloseCode, SUBPROTOCOL};
use daaki_imap::{Error, ImapConnection, TrustRoots};
use daaki_imap_tests::bridge_process::{BridgeProcess, Scratch};
use daaki_imap_tests::harness::nginx::NGINX_HINT;
use daaki_imap_tests::harness::{Dovecot, Nginx, NginxOptions, TestUser, seed, shared_dovecot};
use futures_util::StreamExt;
use tokio::net::{TcpSocket, TcpStream};
use tokio_rustls::client::TlsStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

const BIN: &str = env!("CARGO_BIN_EXE_bridge-under-test");
const ORIGIN: &str = "https://app.localhost";
/// Generous bound for every single step (connect, login, one round of FETCH).
const T: Duration = Duration::from_secs(30);
/// Messages in the user's INBOX; a session that runs to the end fetches all of them.
const MESSAGES: u32 = 3000;
/// Messages per FETCH round.
const ROUND: u32 = 100;
/// The pause after each round: a full session lasts at least `ROUNDS * PAUSE` (4.5 s),
/// well past the bridges' 2 s drain, whatever the machine's speed.
const PAUSE: Duration = Duration::from_millis(150);
const ROUNDS: u32 = MESSAGES / ROUND;
/// Rounds every session completes before A gets SIGTERM.
const ROUNDS_BEFORE_SIGTERM: u32 = 2;
/// Rounds a drain-finisher still runs after the SIGTERM before it logs out.
const ROUNDS_AFTER_SIGTERM: u32 = 2;
/// `shutdown_drain_secs` of the bridges.
const DRAIN_SECS: u64 = 2;
const SESSIONS: usize = 8;
const NEW_SESSIONS: usize = 4;

// ---------------------------------------------------------------------------------------------
// Bridge processes
// ---------------------------------------------------------------------------------------------

/// Which nginx front end a test goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Front {
    /// `http {}`: the WebSocket upgrade proxied, the client in `X-Forwarded-For`.
    Http,
    /// `stream {}`: bytes passed on after a PROXY protocol header.
    Stream,
}

impl Front {
    fn label(self) -> &'static str {
        match self {
            Front::Http => "http",
            Front::Stream => "stream",
        }
    }

    fn nginx_options(self, instances: [SocketAddr; 2]) -> NginxOptions {
        match self {
            Front::Http => NginxOptions {
                http_instances: Some(instances),
                ..NginxOptions::default()
            },
            Front::Stream => NginxOptions {
                stream_instances: Some(instances),
                ..NginxOptions::default()
            },
        }
    }

    fn port(self, nginx: &Nginx) -> u16 {
        match self {
            Front::Http => nginx.http_port(),
            Front::Stream => nginx.stream_port(),
        }
        .expect("the front end was started")
    }

    fn url(self, nginx: &Nginx) -> String {
        format!("wss://localhost:{}/imap", self.port(nginx))
    }
}

/// Starts instance `name`, whose one target, `dovecot`, is the harness Dovecot's TLS port,
/// trusting 127.0.0.1 (nginx, and the test itself) as a proxy; with PROXY headers for the
/// stream front end, and tickets (one session per subject) when `tickets` names a secret.
async fn start_instance(
    scratch: &Scratch,
    name: &'static str,
    front: Front,
    dovecot: &Dovecot,
    max_connections_per_ip: usize,
    tickets: Option<&std::path::Path>,
) -> BridgeProcess {
    let proxy_protocol = match front {
        Front::Http => "",
        Front::Stream => "proxy_protocol = true\n",
    };
    // With tickets: required, and one session per ticket subject per instance.
    let (tickets, per_subject) = match tickets {
        Some(secret) => (
            format!("ticket_secret_file = \"{}\"\n", secret.display()),
            "max_sessions_per_subject = 1\n",
        ),
        None => (String::new(), ""),
    };
    let body = format!(
        "origins = [\"{ORIGIN}\"]\n\
             trusted_proxies = [\"127.0.0.1/32\"]\n\
             {proxy_protocol}{tickets}\n\
             [[targets]]\n\
             name = \"dovecot\"\n\
             host = \"{host}\"\n\
             port = {port}\n\
             tls = true\n\
             allow_private = true\n\
             extra_roots = \"{ca}\"\n\n\
             [limits]\n\
             shutdown_drain_secs = {DRAIN_SECS}\n\
             max_connections_per_ip = {max_connections_per_ip}\n\
             {per_subject}",
        host = dovecot.host(),
        port = dovecot.tls_port(),
        ca = dovecot.ca_cert_path().display(),
    );
    BridgeProcess::start(std::path::Path::new(BIN), &scratch.0, name, &body).await
}

/// The counters the scale tests read.
trait Totals {
    /// `daaki_bridge_sessions_total`.
    async fn sessions_total(&self) -> u64;
    /// `daaki_bridge_connections_total`.
    async fn connections_total(&self) -> u64;
}

impl Totals for BridgeProcess {
    async fn sessions_total(&self) -> u64 {
        self.metric("daaki_bridge_sessions_total").await
    }

    async fn connections_total(&self) -> u64 {
        self.metric("daaki_bridge_connections_total").await
    }
}

/// Two bridges and nginx in front of them.
struct Stack {
    // Dropped first: nginx, then the bridges, then the scratch directory.
    nginx: Nginx,
    a: BridgeProcess,
    b: BridgeProcess,
    front: Front,
    _scratch: Scratch,
}

impl Stack {
    async fn start(front: Front, test: &str, max_connections_per_ip: usize) -> Stack {
        Self::start_with(front, test, max_connections_per_ip, None).await
    }

    /// As [`Stack::start`]; with a ticket secret, both instances require tickets and allow
    /// one session per ticket subject.
    async fn start_with(
        front: Front,
        test: &str,
        max_connections_per_ip: usize,
        ticket_secret: Option<&[u8]>,
    ) -> Stack {
        let dovecot = shared_dovecot();
        let scratch = Scratch::new("daaki-bridge-scale", &format!("{test}-{}", front.label()));
        let secret_file = ticket_secret.map(|secret| {
            let path = scratch.0.join("ticket.secret");
            fs::write(&path, secret).expect("write the ticket secret");
            path
        });
        let tickets = secret_file.as_deref();
        let a = start_instance(
            &scratch,
            "A",
            front,
            dovecot,
            max_connections_per_ip,
            tickets,
        )
        .await;
        let b = start_instance(
            &scratch,
            "B",
            front,
            dovecot,
            max_connections_per_ip,
            tickets,
        )
        .await;
        let nginx = Nginx::start(&front.nginx_options([a.listen, b.listen])).unwrap_or_else(|e| {
            panic!("could not start nginx: {e}\nhint: {NGINX_HINT}");
        });
        Stack {
            nginx,
            a,
            b,
            front,
            _scratch: scratch,
        }
    }

    fn url(&self) -> String {
        self.front.url(&self.nginx)
    }

    /// Everything that helps when a test fails: nginx's and both bridges' logs.
    fn describe(&self) -> String {
        format!(
            "{}\nbridge A log:\n{}\nbridge B log:\n{}",
            self.nginx.describe(),
            self.a.logs(),
            self.b.logs()
        )
    }

    /// A daaki-imap session through nginx, trusting only nginx's test CA.
    async fn connect(&self) -> daaki_imap::Result<ImapConnection> {
        let pem = fs::read(&self.nginx.ca().ca_cert).map_err(Error::Io)?;
        ImapConnection::builder()
            .trust_roots(TrustRoots::None)
            .add_root_pem(&pem)?
            .bridge_origin(ORIGIN)
            .connect_via_bridge(&self.url(), BridgeTarget::named("dovecot")?, T)
            .await
    }

    /// Sessions, connections total of (A, B).
    async fn totals(&self, connections: bool) -> (u64, u64) {
        if connections {
            (
                self.a.connections_total().await,
                self.b.connections_total().await,
            )
        } else {
            (self.a.sessions_total().await, self.b.sessions_total().await)
        }
    }

    /// Which instance the counters say took the one new connection or session.
    fn landed(&self, before: (u64, u64), after: (u64, u64), what: &str) -> Instance {
        match (after.0 - before.0, after.1 - before.1) {
            (1, 0) => Instance::A,
            (0, 1) => Instance::B,
            other => panic!(
                "one new {what} should add 1 to exactly one instance's count, got {other:?}\n{}",
                self.describe()
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Instance {
    A,
    B,
}

// ---------------------------------------------------------------------------------------------
// Sessions that fetch and verify
// ---------------------------------------------------------------------------------------------

/// The big user, shared by the tests of this binary (seeded once).
fn big_user() -> &'static TestUser {
    static USER: std::sync::OnceLock<TestUser> = std::sync::OnceLock::new();
    USER.get_or_init(|| shared_dovecot().new_user(MESSAGES))
}

/// The number `i` of a seeded message, from its `Message-ID: <msg{i}@daaki.test>`.
fn message_number(body: &[u8]) -> Option<u32> {
    let start = memchr_find(body, b"Message-ID: <msg")? + "Message-ID: <msg".len();
    let rest = body.get(start..)?;
    let end = memchr_find(rest, b"@daaki.test>")?;
    std::str::from_utf8(rest.get(..end)?).ok()?.parse().ok()
}

fn memchr_find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Checks one fetched message against the seed: its UID is its number, its `BODY[]` the
/// seeded bytes. Returns (number, bytes).
fn verify(response: &FetchResponse) -> Result<(u32, usize), String> {
    let body = response
        .body_sections
        .iter()
        .find(|s| s.section.is_empty() && s.origin.is_none())
        .and_then(|s| s.data.as_deref())
        .ok_or_else(|| format!("seq {}: no BODY[]", response.seq))?;
    let i = message_number(body)
        .ok_or_else(|| format!("seq {}: no seeded Message-ID in {body:?}", response.seq))?;
    if response.uid != Some(i) {
        return Err(format!("message {i} came with UID {:?}", response.uid));
    }
    if body != seed::message(i) {
        return Err(format!(
            "message {i}: {} bytes fetched differ from the {} seeded",
            body.len(),
            seed::message(i).len()
        ));
    }
    Ok((i, body.len()))
}

/// How a session runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// Every round, then LOGOUT.
    Full,
    /// Stops `ROUNDS_AFTER_SIGTERM` rounds after the SIGTERM, then LOGOUT: a session that
    /// ends during the drain.
    FinishDuringDrain,
}

/// What one session did.
#[derive(Debug)]
struct Report {
    instance: Instance,
    plan: Plan,
    rounds: u32,
    messages: u32,
    bytes: u64,
    /// Messages that were not the seeded ones, duplicates, rounds with messages missing.
    wrong: Vec<String>,
    /// How the session ended, if not with a clean LOGOUT.
    error: Option<Error>,
}

/// One round: `UID FETCH a:b (UID BODY.PEEK[])` streamed, every message verified as it
/// arrives. On success, every message of the range must have come, once.
async fn fetch_round(conn: &ImapConnection, round: u32, report: &mut Report) -> Result<(), Error> {
    let (first, last) = (round * ROUND + 1, (round + 1) * ROUND);
    let set = SequenceSet::new(&format!("{first}:{last}")).expect("set");
    let attrs = [FetchAttr::Uid, FetchAttr::body_peek(Section::full())];
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let mut seen = BTreeSet::new();
    let consume = async {
        while let Some(item) = rx.recv().await {
            match item {
                Ok(response) => match verify(&response) {
                    Ok((i, len)) if (first..=last).contains(&i) && seen.insert(i) => {
                        report.messages += 1;
                        report.bytes += len as u64;
                    }
                    Ok((i, _)) => report
                        .wrong
                        .push(format!("round {round}: message {i} again or out of range")),
                    Err(wrong) => report.wrong.push(format!("round {round}: {wrong}")),
                },
                Err(e) => report.wrong.push(format!("round {round}: item error {e}")),
            }
        }
    };
    let (result, ()) = tokio::join!(conn.uid_fetch_streaming(&set, &attrs, tx, T), consume);
    result?;
    if seen.len() != (last - first + 1) as usize {
        report.wrong.push(format!(
            "round {round} completed with {} of {} messages",
            seen.len(),
            last - first + 1
        ));
    }
    Ok(())
}

/// Runs `plan` on a logged-in, examining session: rounds with a pause after each, then
/// LOGOUT. `rounds_done` is published for the test to see progress; `sigterm` turns true
/// once A got its SIGTERM.
async fn run_session(
    conn: ImapConnection,
    instance: Instance,
    plan: Plan,
    rounds_done: Arc<AtomicU32>,
    mut sigterm: tokio::sync::watch::Receiver<bool>,
) -> Report {
    let mut report = Report {
        instance,
        plan,
        rounds: 0,
        messages: 0,
        bytes: 0,
        wrong: Vec::new(),
        error: None,
    };
    let mut rounds_at_sigterm = None;
    for round in 0..ROUNDS {
        if *sigterm.borrow_and_update() && rounds_at_sigterm.is_none() {
            rounds_at_sigterm = Some(round);
        }
        if plan == Plan::FinishDuringDrain
            && rounds_at_sigterm.is_some_and(|at| round >= at + ROUNDS_AFTER_SIGTERM)
        {
            break;
        }
        if let Err(e) = fetch_round(&conn, round, &mut report).await {
            report.error = Some(e);
            return report;
        }
        report.rounds += 1;
        rounds_done.store(report.rounds, Relaxed);
        tokio::time::sleep(PAUSE).await;
    }
    if let Err(e) = conn.logout().await {
        report.error = Some(e);
    }
    report
}

/// A session ended by its bridge going away: the connection ended under it. Never a wrong
/// byte, a parse error or a timeout.
fn ended_by_the_bridge(error: &Error) -> bool {
    match error {
        Error::Closed => true,
        Error::Io(e) => matches!(
            e.kind(),
            std::io::ErrorKind::UnexpectedEof
                | std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::ConnectionAborted
                | std::io::ErrorKind::BrokenPipe
        ),
        Error::Bridge { code, .. } => *code == CloseCode::GoingAway,
        _ => false,
    }
}

async fn login_examine(conn: &ImapConnection, user: &TestUser) {
    conn.login(&user.name, &user.password, T)
        .await
        .expect("login through nginx and a bridge");
    let inbox = conn.examine("INBOX", T).await.expect("examine");
    assert_eq!(inbox.exists, MESSAGES);
}

/// The spread-and-SIGTERM scenario through `front` (see the module docs).
async fn spread_and_sigterm(front: Front) {
    let started = Instant::now();
    let user = big_user();
    let mut stack = Stack::start(front, "spread", 64).await;
    let label = front.label();

    // Eight sessions, opened one by one so the counters say where each landed.
    let mut sessions = Vec::new();
    for _ in 0..SESSIONS {
        let before = stack.totals(false).await;
        let conn = stack
            .connect()
            .await
            .unwrap_or_else(|e| panic!("session through nginx: {e}\n{}", stack.describe()));
        let on = stack.landed(before, stack.totals(false).await, "session");
        login_examine(&conn, user).await;
        sessions.push((conn, on));
    }
    let on_a = sessions.iter().filter(|(_, on)| *on == Instance::A).count();
    assert_eq!(
        (on_a, SESSIONS - on_a),
        (SESSIONS / 2, SESSIONS / 2),
        "nginx's round robin spreads the sessions evenly"
    );

    // A raw session on A that only listens: it sees how A ends the sessions still open at
    // its drain deadline (through nginx, which passes the close frame on).
    let mut raw_on_b = 0;
    let watcher = loop {
        let before = stack.totals(true).await;
        let (ws, outcome) = open_raw(&stack, &WATCHER).await;
        assert_eq!(outcome, None, "the watcher was admitted");
        match stack.landed(before, stack.totals(true).await, "connection") {
            Instance::A => break ws,
            Instance::B => {
                raw_on_b += 1;
                assert!(raw_on_b < 3, "round robin never sent the watcher to A");
            }
        }
    };
    let watcher = tokio::spawn(close_code(watcher));
    let a_total = stack.a.sessions_total().await;

    // Two of A's sessions finish during the drain; the others run every round.
    let (sigterm_tx, sigterm_rx) = tokio::sync::watch::channel(false);
    let mut tasks = Vec::new();
    let mut progress = Vec::new();
    let mut finishers = 0;
    for (conn, on) in sessions {
        let plan = if on == Instance::A && finishers < 2 {
            finishers += 1;
            Plan::FinishDuringDrain
        } else {
            Plan::Full
        };
        let rounds = Arc::new(AtomicU32::new(0));
        progress.push(rounds.clone());
        tasks.push(tokio::spawn(run_session(
            conn,
            on,
            plan,
            rounds,
            sigterm_rx.clone(),
        )));
    }

    // SIGTERM to A once every session is well into its transfer.
    let deadline = Instant::now() + Duration::from_secs(90);
    while progress
        .iter()
        .any(|r| r.load(Relaxed) < ROUNDS_BEFORE_SIGTERM)
    {
        assert!(
            Instant::now() < deadline,
            "sessions did not complete {ROUNDS_BEFORE_SIGTERM} rounds within 90 s\n{}",
            stack.describe()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stack.a.sigterm();
    sigterm_tx.send_replace(true);
    let sigterm_at = Instant::now();

    // Once A no longer accepts, every new session goes to B (nginx tries A, is refused,
    // and passes the connection on).
    stack.a.wait_listener_closed().await;
    let b_before = stack.b.sessions_total().await;
    let mut new_bytes = 0u64;
    let mut new_messages = 0u32;
    for _ in 0..NEW_SESSIONS {
        let conn = stack.connect().await.unwrap_or_else(|e| {
            panic!("a new session after A's SIGTERM: {e}\n{}", stack.describe())
        });
        login_examine(&conn, user).await;
        let mut report = Report {
            instance: Instance::B,
            plan: Plan::Full,
            rounds: 0,
            messages: 0,
            bytes: 0,
            wrong: Vec::new(),
            error: None,
        };
        fetch_round(&conn, 0, &mut report)
            .await
            .expect("a round on a new session");
        assert!(report.wrong.is_empty(), "{:?}", report.wrong);
        assert_eq!(report.messages, ROUND);
        new_bytes += report.bytes;
        new_messages += report.messages;
        conn.logout().await.expect("logout");
    }
    let b_new = stack.b.sessions_total().await - b_before;
    assert_eq!(
        b_new, NEW_SESSIONS as u64,
        "every new session after A's SIGTERM went to B"
    );

    // nginx did try A for one of them (round robin) and passed the session on to B.
    let refused_connects = stack
        .nginx
        .error_log()
        // http: "… while connecting to upstream"; stream: "… while proxying connection".
        .matches("connect() failed (111: Connection refused)")
        .count();
    assert!(
        refused_connects >= 1,
        "nginx never tried the stopped instance, so the retry went untested\n{}",
        stack.describe()
    );

    let status = stack.a.exited().await;
    let a_exit_after = sigterm_at.elapsed();
    assert!(
        status.success(),
        "A exits cleanly after its drain: {status}\n{}",
        stack.a.logs()
    );
    let watcher_close = watcher.await.expect("watcher task");
    assert_eq!(
        watcher_close,
        Ok(1001),
        "a session still open at A's drain deadline is closed with 1001 Going Away"
    );

    let mut reports = Vec::new();
    for task in tasks {
        reports.push(task.await.expect("session task"));
    }
    let mut failures = Vec::new();
    for (n, r) in reports.iter().enumerate() {
        if !r.wrong.is_empty() {
            failures.push(format!(
                "session {n} on {:?}: wrong data {:?}",
                r.instance, r.wrong
            ));
        }
        match (&r.error, r.instance, r.plan) {
            (None, Instance::B, _) if r.rounds == ROUNDS => {}
            (None, Instance::A, _) => {}
            (Some(e), Instance::A, _) if ended_by_the_bridge(e) => {}
            (error, instance, plan) => failures.push(format!(
                "session {n} on {instance:?} ({plan:?}) ended after {} rounds with {error:?}",
                r.rounds
            )),
        }
        // Every complete round brought all its messages; a round cut short only verified
        // ones, fewer than a round.
        let complete = r.rounds * ROUND;
        let consistent = match r.error {
            None => r.messages == complete,
            Some(_) => (complete..complete + ROUND).contains(&r.messages),
        };
        if !consistent {
            failures.push(format!(
                "session {n}: {} messages for {} complete rounds",
                r.messages, r.rounds
            ));
        }
    }
    // A full session on A cannot end within the drain (it needs ≥ ROUNDS × PAUSE): A closes
    // it, so the client sees the connection end.
    for (n, r) in reports.iter().enumerate() {
        if r.instance == Instance::A && r.plan == Plan::Full && r.error.is_none() {
            failures.push(format!(
                "session {n}: a full session on A finished although A shut down mid-way"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n{}",
        failures.join("\n"),
        stack.describe()
    );

    // Figures.
    let survived = reports.iter().filter(|r| r.error.is_none()).count();
    let drained = reports
        .iter()
        .filter(|r| r.instance == Instance::A && r.error.is_none())
        .count();
    let cut: Vec<String> = reports
        .iter()
        .filter_map(|r| r.error.as_ref())
        .map(|e| format!("{e:?}"))
        .collect();
    let bytes: u64 = reports.iter().map(|r| r.bytes).sum::<u64>() + new_bytes;
    let messages: u32 = reports.iter().map(|r| r.messages).sum::<u32>() + new_messages;
    let b_total = stack.b.sessions_total().await;
    println!(
        "bridge_scale[{label}]: sessions per instance: A {a_total} ({on_a} fetching + 1 raw \
         watcher), B {b_total} ({} fetching + {raw_on_b} raw + {b_new} opened after A's \
         SIGTERM)",
        SESSIONS - on_a
    );
    println!(
        "bridge_scale[{label}]: A SIGTERMed after every session had {ROUNDS_BEFORE_SIGTERM} \
         rounds; exited 0 after {a_exit_after:.1?} (drain {DRAIN_SECS} s); the watcher got \
         1001; nginx had {refused_connects} connect(s) refused by A and retried on B"
    );
    println!(
        "bridge_scale[{label}]: survived the SIGTERM: {survived} of {SESSIONS} sessions \
         ({} on B, {drained} of A's drained to a clean LOGOUT); {} cut by A's shutdown: {cut:?}",
        SESSIONS - on_a,
        cut.len()
    );
    println!(
        "bridge_scale[{label}]: bytes verified: {bytes} ({messages} messages, each equal to \
         the seeded one); {NEW_SESSIONS} new sessions after the SIGTERM, all on B; \
         run time {:.1?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_front_end_spreads_sessions_and_a_sigterm_loses_no_byte() {
    spread_and_sigterm(Front::Http).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_front_end_spreads_sessions_and_a_sigterm_loses_no_byte() {
    spread_and_sigterm(Front::Stream).await;
}

// ---------------------------------------------------------------------------------------------
// Per-IP limits behind nginx
// ---------------------------------------------------------------------------------------------

/// One raw session to open: from `source` (a loopback address), with an optional
/// `X-Forwarded-For` of its own; `key` is the client key the bridges must count it under.
struct Probe {
    source: Ipv4Addr,
    x_forwarded_for: Option<&'static str>,
    key: &'static str,
    /// The key it would have had if its `X-Forwarded-For` had been believed (a client that is
    /// not a trusted proxy naming someone else).
    spoofed_key: Option<&'static str>,
}

type Wss = WebSocketStream<TlsStream<TcpStream>>;

/// The spread test's watcher: from the test itself, no forwarded address.
const WATCHER: Probe = Probe {
    source: Ipv4Addr::LOCALHOST,
    x_forwarded_for: None,
    key: "127.0.0.1",
    spoofed_key: None,
};

/// Reads (answering pings) until the bridge closes the session: its close code.
async fn close_code(mut ws: Wss) -> Result<u16, String> {
    loop {
        match tokio::time::timeout(Duration::from_secs(60), ws.next()).await {
            Err(_) => return Err("no close within 60 s".to_owned()),
            Ok(Some(Ok(Message::Close(frame)))) => {
                return Ok(frame.map_or(0, |f| u16::from(f.code)));
            }
            Ok(Some(Ok(_))) => {}
            Ok(other) => return Err(format!("ended without a close frame: {other:?}")),
        }
    }
}

/// A raw WebSocket session through nginx (TLS, Origin, subprotocol, target) from `source`:
/// the stream and how the bridge answered (`None`: admitted, the IMAP greeting came; `Some`:
/// closed with that code).
async fn open_raw(stack: &Stack, probe: &Probe) -> (Wss, Option<u16>) {
    open_raw_with_ticket(stack, probe, None).await
}

/// As [`open_raw`], offering `ticket` as the second subprotocol entry.
async fn open_raw_with_ticket(
    stack: &Stack,
    probe: &Probe,
    ticket: Option<&str>,
) -> (Wss, Option<u16>) {
    let port = stack.front.port(&stack.nginx);
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind(SocketAddr::from((probe.source, 0)))
        .expect("bind a loopback source address");
    let tcp = socket
        .connect(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        .await
        .expect("connect to nginx");
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls::pki_types::CertificateDer::from(
            stack.nginx.ca().ca_der.clone(),
        ))
        .expect("CA");
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .expect("TLS to nginx");
    let mut request = format!("wss://localhost:{port}/imap?target=dovecot")
        .into_client_request()
        .expect("request");
    let headers = request.headers_mut();
    headers.insert("Origin", HeaderValue::from_static(ORIGIN));
    let protocols = match ticket {
        Some(ticket) => format!("{SUBPROTOCOL}, {ticket}"),
        None => SUBPROTOCOL.to_owned(),
    };
    headers.insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_str(&protocols).expect("protocols"),
    );
    if let Some(xff) = probe.x_forwarded_for {
        headers.insert("X-Forwarded-For", HeaderValue::from_static(xff));
    }
    let (mut ws, _) = tokio::time::timeout(T, tokio_tungstenite::client_async(request, tls))
        .await
        .expect("upgrade within the timeout")
        .unwrap_or_else(|e| panic!("upgrade: {e}\n{}", stack.describe()));
    let outcome = loop {
        match tokio::time::timeout(T, ws.next()).await.expect("an answer") {
            Some(Ok(Message::Binary(greeting))) => {
                assert!(greeting.starts_with(b"* OK"), "{greeting:?}");
                break None;
            }
            Some(Ok(Message::Close(frame))) => break Some(frame.map_or(0, |f| u16::from(f.code))),
            Some(Ok(_)) => {}
            other => panic!("unexpected {other:?}\n{}", stack.describe()),
        }
    };
    (ws, outcome)
}

/// Opens `probes` one by one through `front` to bridges capped at one connection per client
/// key, holding the admitted ones open, and checks each answer against a model of the
/// bridges' per-instance counting: admitted iff its instance holds no admitted session under
/// its key yet. Returns (admitted, refused, spoofs that mattered).
async fn per_ip(front: Front, probes: &[Probe]) -> (usize, usize, usize) {
    let stack = Stack::start(front, "per-ip", 1).await;
    let mut held: HashMap<(Instance, &str), usize> = HashMap::new();
    let mut open = Vec::new();
    let (mut admitted, mut refused, mut spoofs_mattered) = (0, 0, 0);
    let mut refused_on = HashMap::new();
    for (n, probe) in probes.iter().enumerate() {
        let before = stack.totals(true).await;
        let (ws, outcome) = open_raw(&stack, probe).await;
        let on = stack.landed(before, stack.totals(true).await, "connection");
        let holds = held.get(&(on, probe.key)).copied().unwrap_or(0);
        let expected = if holds >= 1 {
            Some(CloseCode::LimitReached.as_u16())
        } else {
            None
        };
        assert_eq!(
            outcome,
            expected,
            "probe {n} (from {}, X-Forwarded-For {:?}, key {}) on {on:?}\n{}",
            probe.source,
            probe.x_forwarded_for,
            probe.key,
            stack.describe()
        );
        match outcome {
            None => {
                admitted += 1;
                *held.entry((on, probe.key)).or_default() += 1;
                if probe
                    .spoofed_key
                    .is_some_and(|spoofed| held.get(&(on, spoofed)).is_some_and(|h| *h >= 1))
                {
                    spoofs_mattered += 1;
                }
                open.push(ws);
            }
            Some(_) => {
                refused += 1;
                *refused_on.entry(on).or_insert(0u64) += 1;
            }
        }
    }
    // The refusal counters agree, instance by instance.
    let series = "daaki_bridge_refusals_total{reason=\"limit_per_ip\"}";
    for (instance, bridge) in [(Instance::A, &stack.a), (Instance::B, &stack.b)] {
        assert_eq!(
            bridge.metric(series).await,
            refused_on.get(&instance).copied().unwrap_or(0),
            "{series} of {instance:?}"
        );
    }
    drop(open);
    (admitted, refused, spoofs_mattered)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_front_end_per_ip_limits_count_the_forwarded_client_per_ipv6_64() {
    const LOCAL: Ipv4Addr = Ipv4Addr::LOCALHOST;
    let probe = |source, xff, key, spoofed_key| Probe {
        source,
        x_forwarded_for: Some(xff),
        key,
        spoofed_key,
    };
    let probes = [
        // The test (127.0.0.1) is a trusted proxy: its X-Forwarded-For names the client.
        // Three addresses of one /64: two instances hold at most two of them.
        probe(LOCAL, "2001:db8:1:2::1", "2001:db8:1:2::/64", None),
        probe(LOCAL, "2001:db8:1:2::2", "2001:db8:1:2::/64", None),
        probe(LOCAL, "2001:db8:1:2:ffff::3", "2001:db8:1:2::/64", None),
        // Another /64 is another client.
        probe(LOCAL, "2001:db8:1:3::1", "2001:db8:1:3::/64", None),
        // A chain of trusted hops is walked from the right to the first untrusted entry.
        probe(
            LOCAL,
            "2001:db8:1:4::1, 127.0.0.1",
            "2001:db8:1:4::/64",
            None,
        ),
        // Clients that are not trusted (127.0.0.2, 127.0.0.3) cannot pick their key: nginx
        // appends their address, and the walk stops there.
        probe(
            Ipv4Addr::new(127, 0, 0, 2),
            "2001:db8:1:2::9",
            "127.0.0.2",
            Some("2001:db8:1:2::/64"),
        ),
        probe(
            Ipv4Addr::new(127, 0, 0, 3),
            "2001:db8:1:2::9",
            "127.0.0.3",
            Some("2001:db8:1:2::/64"),
        ),
    ];
    let (admitted, refused, spoofs_mattered) = per_ip(Front::Http, &probes).await;
    // Pigeonhole: three sessions of one /64 over two instances capped at one each.
    assert!(refused >= 1, "the shared /64 was refused past the cap");
    assert!(
        spoofs_mattered >= 1,
        "no spoofed X-Forwarded-For reached an instance holding that /64: the check proved nothing"
    );
    println!(
        "bridge_scale[http]: per-IP (cap 1 per instance, IPv6 per /64): {admitted} admitted, \
         {refused} refused with 4006; {spoofs_mattered} spoofed X-Forwarded-For ignored where \
         believing it would have refused the session"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_front_end_per_ip_limits_count_the_client_of_the_proxy_header() {
    let probe = |last: u8, key, xff| Probe {
        source: Ipv4Addr::new(127, 0, 0, last),
        x_forwarded_for: xff,
        key,
        spoofed_key: xff.map(|_| "127.0.0.2"),
    };
    let probes = [
        probe(2, "127.0.0.2", None),
        probe(3, "127.0.0.3", None),
        probe(4, "127.0.0.4", None),
        probe(5, "127.0.0.5", None),
        probe(2, "127.0.0.2", None),
        probe(2, "127.0.0.2", None),
        // The client named by the header is not a trusted proxy: its own X-Forwarded-For
        // is not believed.
        probe(6, "127.0.0.6", Some("127.0.0.2")),
    ];
    let (admitted, refused, spoofs_mattered) = per_ip(Front::Stream, &probes).await;
    // Counted per peer (nginx, 127.0.0.1) instead, two instances would admit two in all.
    assert!(
        admitted > 2,
        "the bridges counted the clients the PROXY headers named, not nginx"
    );
    assert!(
        refused >= 1,
        "127.0.0.2's third session was refused past the cap"
    );
    println!(
        "bridge_scale[stream]: per-IP (cap 1 per instance) by the PROXY header's client: \
         {admitted} admitted, {refused} refused with 4006; {spoofs_mattered} spoofed \
         X-Forwarded-For ignored where believing it would have refused the session"
    );
}

// ---------------------------------------------------------------------------------------------
// Per-subject limits behind nginx
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_front_end_per_subject_limits_count_each_ticket_subject_per_instance() {
    use daaki_imap::wire::TicketSubject;
    use daaki_imap_bridge::ticket::TicketKey;

    let secret = b"0123456789abcdef0123456789abcdef-scale";
    let stack = Stack::start_with(Front::Http, "per-subject", 64, Some(secret)).await;
    let key = TicketKey::new(secret.to_vec()).expect("key");
    let target = BridgeTarget::named("dovecot").expect("target");
    let expires = daaki_imap_bridge::ticket::unix_now() + 600;
    let v2 = |subject: &str| {
        let subject = TicketSubject::new(subject).expect("subject");
        (
            Some(subject.as_str().to_owned()),
            key.mint_for(&subject, &target, expires),
        )
    };
    // (subject, ticket): version 2 for alice (three times) and bob, version 1 (no subject)
    // twice.
    let tickets = [
        v2("alice"),
        v2("alice"),
        v2("alice"),
        v2("bob"),
        (None, key.mint(&target, expires)),
        (None, key.mint(&target, expires)),
    ];
    let mut held: HashMap<(Instance, String), usize> = HashMap::new();
    let mut refused_on: HashMap<Instance, u64> = HashMap::new();
    let (mut admitted, mut refused) = (0, 0);
    let mut open = Vec::new();
    for (n, (subject, ticket)) in tickets.iter().enumerate() {
        let before = stack.totals(true).await;
        let (ws, outcome) = open_raw_with_ticket(&stack, &WATCHER, Some(ticket)).await;
        let on = stack.landed(before, stack.totals(true).await, "connection");
        let expected = match subject {
            Some(subject) if held.get(&(on, subject.clone())).is_some_and(|h| *h >= 1) => {
                Some(CloseCode::LimitReached.as_u16())
            }
            _ => None,
        };
        assert_eq!(
            outcome,
            expected,
            "ticket {n} (subject {subject:?}) on {on:?}\n{}",
            stack.describe()
        );
        match outcome {
            None => {
                admitted += 1;
                if let Some(subject) = subject {
                    *held.entry((on, subject.clone())).or_default() += 1;
                }
                open.push(ws);
            }
            Some(_) => {
                refused += 1;
                *refused_on.entry(on).or_default() += 1;
            }
        }
    }
    // Pigeonhole: three sessions of alice over two instances capped at one each.
    assert!(refused >= 1, "alice's third session was refused");
    assert!(
        admitted >= 4,
        "bob and both version-1 tickets were admitted"
    );
    let series = "daaki_bridge_refusals_total{reason=\"limit_per_subject\"}";
    for (instance, bridge) in [(Instance::A, &stack.a), (Instance::B, &stack.b)] {
        assert_eq!(
            bridge.metric(series).await,
            refused_on.get(&instance).copied().unwrap_or(0),
            "{series} of {instance:?}"
        );
    }
    drop(open);
    println!(
        "bridge_scale[http]: per-subject (cap 1 per instance): {admitted} admitted, {refused} \
         refused with 4006 (alice x3, bob, 2 version-1 tickets)"
    );
}
