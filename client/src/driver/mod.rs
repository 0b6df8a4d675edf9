//! The driver: one task that owns the transport and the [`Session`].
//!
//! Callers ([`crate::ImapConnection`]) send [`Request`]s over a channel and wait on a oneshot
//! for the result. The driver loop does four things, whichever is ready first:
//! - takes requests and submits them to the session (several at once leave in one write);
//! - writes what the session has to send (cancel-safe partial writes, then a flush);
//! - reads from the transport, feeds the session and acts on its events;
//! - for streaming FETCH, waits for room in the caller's channel — and reads nothing from the
//!   socket meanwhile, so TCP itself slows the server down.
//!
//! After COMPRESS=DEFLATE (RFC 4978) both directions go through [`compress`]: what the session
//! transmits is compressed (and sync-flushed) before it is written, and what is read is
//! decompressed in chunks of at most 64 KiB, each handed to the session before the next one
//! is made — so a highly compressed reply never expands in memory all at once.
//!
//! A caller that stops waiting (timeout, dropped future) changes nothing here: the command
//! still completes and its result is dropped. An abandoned IDLE still sends DONE. When the
//! transport fails, every pending request gets an error and later calls get
//! [`Error::Closed`]. The driver also closes the connection itself when the server said `BYE`
//! outside a LOGOUT (it should hang up; if it does not, nothing could be sent anyway), and when
//! a response broke a size limit ([`Error::Frame`]): that response belonged to some command,
//! whose result would otherwise be silently incomplete, and skipping it may mean waiting for
//! gigabytes (`{4294967295}`).
//!
//! Nothing here names a runtime: timers come from [`crate::runtime`], channels from
//! `tokio::sync` (which runs on any executor, including the browser's).

mod compress;
mod idle;
mod queue;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{Notify, mpsc, oneshot};

use crate::proto::ProtoError;
use crate::proto::command::CommandBody;
use crate::proto::sasl::{SaslClient, SaslStep};
use crate::proto::session::{
    Capabilities, CommandId, CommandOutcome, ConnectionState, DataMode, Enabled, Session,
    SessionEvent,
};
use crate::runtime::{self, Instant};
use crate::transport::BoxStream;
use crate::types::response::{FetchResponse, ResponseCode};
use crate::types::{IdleEvent, QuirkCounts, TypedEvent};
use crate::{Error, Result};

use compress::Compression;
pub(crate) use idle::IdleRequest;
use idle::IdleState;
use queue::{BoundedQueue, Popped};

/// Size of one socket read.
const READ_CHUNK: usize = 64 * 1024;

/// State shared between the driver and every connection handle.
#[derive(Debug)]
pub(crate) struct Shared {
    events: Mutex<BoundedQueue<TypedEvent>>,
    event_added: Notify,
    capabilities: Mutex<Capabilities>,
    enabled: Mutex<Enabled>,
    state: Mutex<ConnectionState>,
    quirks: Mutex<QuirkCounts>,
    closed: AtomicBool,
}

impl Shared {
    pub(crate) fn new(event_capacity: usize, session: &Session) -> Self {
        Self {
            events: Mutex::new(BoundedQueue::new(event_capacity)),
            event_added: Notify::new(),
            capabilities: Mutex::new(session.capabilities().clone()),
            enabled: Mutex::new(session.enabled().clone()),
            state: Mutex::new(session.state().clone()),
            quirks: Mutex::new(*session.quirks()),
            closed: AtomicBool::new(false),
        }
    }

    pub(crate) fn push_event(&self, event: TypedEvent) {
        lock(&self.events).push(event);
        self.event_added.notify_waiters();
    }

    /// Takes the next queued event (an overflow marker first, if events were dropped).
    pub(crate) fn pop_event(&self) -> Option<TypedEvent> {
        lock(&self.events).pop().map(|p| match p {
            Popped::Item(event) => event,
            Popped::Overflow { dropped } => TypedEvent::Overflow { dropped },
        })
    }

    /// Resolves when an event may have been added (or the connection closed).
    pub(crate) fn event_added(&self) -> tokio::sync::futures::Notified<'_> {
        self.event_added.notified()
    }

    pub(crate) fn capabilities(&self) -> Capabilities {
        lock(&self.capabilities).clone()
    }

    pub(crate) fn quirks(&self) -> QuirkCounts {
        *lock(&self.quirks)
    }

    pub(crate) fn enabled(&self) -> Enabled {
        lock(&self.enabled).clone()
    }

    pub(crate) fn state(&self) -> ConnectionState {
        lock(&self.state).clone()
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }
}

/// A mutex poisoned by a panic elsewhere still holds consistent data here (every critical
/// section is a single push/pop/clone), so poisoning is ignored rather than propagated.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What a caller asks the driver for.
pub(crate) enum Request {
    /// Commands submitted together (a pipeline leaves in one write).
    Commands(Vec<CommandRequest>),
    /// IDLE until the first event, a timeout or cancellation.
    Idle(IdleRequest),
    /// AUTHENTICATE, with the SASL client that answers the server's challenges.
    Authenticate(AuthRequest),
}

/// An AUTHENTICATE exchange: the driver answers challenges with `client` and, on completion,
/// replies with [`SaslClient::finish`]'s result (so an OAuth failure is typed).
pub(crate) struct AuthRequest {
    pub(crate) client: SaslClient,
    pub(crate) reply: oneshot::Sender<Result<CommandOutcome>>,
}

/// One command and where its result goes.
pub(crate) struct CommandRequest {
    pub(crate) body: CommandBody,
    pub(crate) reply: oneshot::Sender<Result<CommandOutcome>>,
    /// For streaming FETCH: each response goes here instead of into the outcome.
    pub(crate) stream: Option<mpsc::Sender<Result<FetchResponse>>>,
}

/// Where a completion goes.
enum Pending {
    Command {
        reply: oneshot::Sender<Result<CommandOutcome>>,
        stream: Option<mpsc::Sender<Result<FetchResponse>>>,
    },
    Idle,
}

/// Settings the driver needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DriverConfig {
    /// IDLE is re-issued after this long (RFC 2177: servers may drop clients idle for 30
    /// minutes).
    pub(crate) idle_refresh: Duration,
}

/// A FETCH response waiting for room in its stream channel.
struct Held {
    tx: mpsc::Sender<Result<FetchResponse>>,
    fetch: FetchResponse,
}

/// The driver task's state.
pub(crate) struct Driver {
    session: Session,
    shared: Arc<Shared>,
    config: DriverConfig,
    pending: HashMap<CommandId, Pending>,
    idle: Option<IdleState>,
    held: Option<Held>,
    /// The server's BYE, if it sent one (reported to requests that fail afterwards).
    bye: Option<(Option<ResponseCode>, String)>,
    /// LOGOUT commands submitted (a BYE while one is pending is the normal logout sequence).
    logouts: Vec<CommandId>,
    /// COMPRESS=DEFLATE, once the server accepted it.
    compression: Option<Compression>,
    /// SASL clients of AUTHENTICATE commands in flight.
    sasl: HashMap<CommandId, SaslClient>,
}

/// What one turn of the loop produced.
enum Step {
    Request(Option<Request>),
    Read(std::io::Result<usize>),
    Wrote(std::io::Result<Option<usize>>),
    Released(std::result::Result<mpsc::OwnedPermit<Result<FetchResponse>>, ()>),
    IdleTick,
}

impl Driver {
    pub(crate) fn new(session: Session, shared: Arc<Shared>, config: DriverConfig) -> Self {
        Self {
            session,
            shared,
            config,
            pending: HashMap::new(),
            idle: None,
            held: None,
            bye: None,
            logouts: Vec::new(),
            compression: None,
            sasl: HashMap::new(),
        }
    }

    /// Runs until the transport closes or every handle is gone and nothing is pending.
    pub(crate) async fn run(mut self, io: BoxStream, mut requests: mpsc::Receiver<Request>) {
        let (mut rd, mut wr) = tokio::io::split(io);
        let mut rbuf = vec![0u8; READ_CHUNK];
        let mut wbuf: Vec<u8> = Vec::new();
        let mut wpos = 0usize;
        let mut need_flush = false;
        let mut requests_open = true;
        // Anything the pre-driver handshake left (e.g. data after the greeting).
        if let Err(error) = self.pump() {
            self.close(error);
            return;
        }
        loop {
            if wpos == wbuf.len() {
                wbuf.clear();
                wpos = 0;
                let transmitted = match self.compression.as_mut() {
                    Some(c) => c.transmit(&mut wbuf, |out| self.session.transmit_into(out)),
                    None => {
                        self.session.transmit_into(&mut wbuf);
                        Ok(())
                    }
                };
                if let Err(error) = transmitted {
                    self.close(error);
                    return;
                }
            }
            if !requests_open
                && self.pending.is_empty()
                && self.idle.is_none()
                && wbuf.is_empty()
                && !need_flush
            {
                break;
            }
            let held_tx = self.held.as_ref().map(|h| h.tx.clone());
            let reserve = held_tx.is_some();
            let idle_wait = self
                .idle
                .as_ref()
                .and_then(|i| i.next_wakeup(Instant::now()));
            let idle_cancel = self.idle.as_ref().map(|i| i.cancel.clone());
            let idle_watch_reply = self.idle.as_ref().is_some_and(|i| i.wants_event());
            let writing = wpos < wbuf.len() || need_flush;
            // Nothing is read while a streamed FETCH waits for room or compressed bytes already
            // read still wait to be decompressed: both keep the buffers at one read.
            let reading =
                self.held.is_none() && !self.compression.as_ref().is_some_and(|c| c.has_backlog());
            let step = tokio::select! {
                r = requests.recv(), if requests_open => Step::Request(r),
                r = async {
                    if wpos < wbuf.len() {
                        wr.write(&wbuf[wpos..]).await.map(Some)
                    } else {
                        wr.flush().await.map(|()| None)
                    }
                }, if writing => Step::Wrote(r),
                r = rd.read(&mut rbuf), if reading => Step::Read(r),
                r = async {
                    match held_tx {
                        Some(tx) => tx.reserve_owned().await.map_err(|_| ()),
                        None => std::future::pending().await,
                    }
                }, if reserve => Step::Released(r),
                () = async {
                    match (idle_wait, &idle_cancel) {
                        (Some(wait), Some(cancel)) => tokio::select! {
                            () = runtime::sleep(wait) => {},
                            () = cancel.cancelled() => {},
                        },
                        _ => std::future::pending().await,
                    }
                }, if idle_wait.is_some() => Step::IdleTick,
                () = async {
                    match self.idle.as_mut() {
                        Some(idle) => idle.reply_closed().await,
                        None => std::future::pending().await,
                    }
                }, if idle_watch_reply => Step::IdleTick,
            };
            let result = match step {
                Step::Request(Some(request)) => {
                    self.submit(request);
                    Ok(())
                }
                Step::Request(None) => {
                    requests_open = false;
                    Ok(())
                }
                Step::Wrote(Ok(Some(0))) => Err(Error::Io(std::io::Error::new(
                    std::io::ErrorKind::WriteZero,
                    "the transport accepted no bytes",
                ))),
                Step::Wrote(Ok(Some(n))) => {
                    wpos += n;
                    need_flush = true;
                    Ok(())
                }
                Step::Wrote(Ok(None)) => {
                    need_flush = false;
                    Ok(())
                }
                Step::Wrote(Err(e)) | Step::Read(Err(e)) => Err(crate::Error::from_io(e)),
                Step::Read(Ok(0)) => Err(self.eof_error()),
                Step::Read(Ok(n)) => {
                    match self.compression.as_mut() {
                        Some(c) => c.push_read(&rbuf[..n]),
                        None => self.session.handle_input(&rbuf[..n]),
                    }
                    self.pump()
                }
                Step::Released(Ok(permit)) => self.release_held(permit),
                Step::Released(Err(())) => {
                    // The consumer is gone: keep reading and discard (the command completes).
                    self.held = None;
                    self.pump()
                }
                Step::IdleTick => {
                    self.idle_tick();
                    Ok(())
                }
            };
            if let Err(error) = result {
                self.close(error);
                return;
            }
        }
        self.close(Error::Closed);
    }

    /// Submits a request's commands to the session.
    fn submit(&mut self, request: Request) {
        match request {
            Request::Commands(commands) => {
                for c in commands {
                    let mode = if c.stream.is_some() {
                        DataMode::Stream
                    } else {
                        DataMode::Collect
                    };
                    let logout = matches!(c.body, CommandBody::Logout);
                    match self.session.submit(c.body, mode) {
                        Ok(id) => {
                            if logout {
                                self.logouts.push(id);
                            }
                            self.pending.insert(
                                id,
                                Pending::Command {
                                    reply: c.reply,
                                    stream: c.stream,
                                },
                            );
                        }
                        Err(e) => {
                            let _ = c.reply.send(Err(e.into()));
                        }
                    }
                }
            }
            Request::Authenticate(AuthRequest { client, reply }) => {
                let body = CommandBody::Authenticate {
                    mechanism: client.mechanism(),
                    initial_response: client.initial_response(),
                };
                match self.session.submit(body, DataMode::Collect) {
                    Ok(id) => {
                        self.sasl.insert(id, client);
                        self.pending.insert(
                            id,
                            Pending::Command {
                                reply,
                                stream: None,
                            },
                        );
                    }
                    Err(e) => {
                        let _ = reply.send(Err(e.into()));
                    }
                }
            }
            Request::Idle(request) => {
                if let Some(idle) = self.idle.as_mut() {
                    // An IDLE that is ending, or whose caller is gone, hands over to this one
                    // once the server confirmed its end (replacing one queued before whose
                    // caller gave up too); a second IDLE while the first caller still waits
                    // is an error.
                    if idle.ending_or_abandoned() && idle.free_next() {
                        if idle.wants_event() {
                            idle.finish_with(IdleEvent::Cancelled);
                            self.session.idle_done(idle.id);
                        }
                        idle.next = Some(request);
                    } else {
                        let _ = request
                            .reply
                            .send(Err(Error::InvalidInput("IDLE is already running".into())));
                    }
                    return;
                }
                match self.session.submit(CommandBody::Idle, DataMode::Collect) {
                    Ok(id) => {
                        self.pending.insert(id, Pending::Idle);
                        self.idle = Some(IdleState::new(id, request, self.config.idle_refresh));
                    }
                    Err(e) => {
                        let _ = request.reply.send(Err(e.into()));
                    }
                }
            }
        }
    }

    /// Acts on session events and, with COMPRESS, feeds the session the next chunk of
    /// decompressed input, until everything read is handled or a streamed FETCH waits for
    /// room (the rest of the compressed input then waits too).
    fn pump(&mut self) -> Result<()> {
        loop {
            self.process_events()?;
            if self.held.is_some() {
                return Ok(());
            }
            let Some(compression) = self.compression.as_mut() else {
                return Ok(());
            };
            let plain = compression.next_plain()?;
            if plain.is_empty() {
                return Ok(());
            }
            self.session.handle_input(plain);
        }
    }

    /// Acts on session events until none is left or a streamed FETCH waits for room.
    fn process_events(&mut self) -> Result<()> {
        while self.held.is_none() {
            let Some(event) = self.session.poll_event() else {
                // Everything received is handled. After a BYE that is not part of LOGOUT the
                // server should hang up; do not wait for it to.
                self.logouts.retain(|id| self.pending.contains_key(id));
                if self.bye.is_some() && self.logouts.is_empty() {
                    return Err(self.eof_error());
                }
                break;
            };
            match event {
                SessionEvent::Greeting { .. } => self.sync_shared(),
                SessionEvent::Completed { id, outcome } => {
                    self.sync_shared();
                    let result = match self.sasl.remove(&id) {
                        Some(client) => client.finish(outcome).map_err(Error::from),
                        None => Ok(outcome),
                    };
                    self.complete(id, result);
                }
                SessionEvent::Failed { id, error } => {
                    self.sasl.remove(&id);
                    self.complete(id, Err(error.into()));
                }
                SessionEvent::Fetch { id, fetch } => self.stream(id, fetch),
                SessionEvent::Unsolicited(event) => self.unsolicited(event),
                SessionEvent::IdleAccepted { id } => {
                    if let Some(idle) = self.idle.as_mut().filter(|i| i.id == id) {
                        idle.accepted(Instant::now());
                    }
                }
                SessionEvent::AuthChallenge { id, challenge } => {
                    // The command's SASL client answers; without one (or when it gives up) the
                    // exchange is cancelled and the server answers BAD.
                    match self.sasl.get_mut(&id).map(|c| c.respond(&challenge)) {
                        Some(SaslStep::Respond(response)) => {
                            let _ = self
                                .session
                                .authenticate_respond(id, response.expose_secret());
                        }
                        _ => {
                            let _ = self.session.authenticate_cancel(id);
                        }
                    }
                }
                SessionEvent::StartTls { .. } => {
                    return Err(Error::InvalidInput(
                        "STARTTLS is only possible while connecting".into(),
                    ));
                }
                SessionEvent::Compress { leftover, .. } => {
                    if self.compression.is_some() {
                        // The session only reports an accepted COMPRESS; a second one means
                        // the server agreed to compress twice, which RFC 4978 §3 forbids.
                        return Err(Error::Compression(
                            "the server accepted COMPRESS twice".into(),
                        ));
                    }
                    // Everything already in the session's input was handled up to the OK;
                    // `leftover` and every later read are compressed. `pump` feeds them.
                    self.compression = Some(Compression::new(leftover));
                    self.session.transport_changed();
                }
                // A response over a size limit was part of some command's answer: close rather
                // than complete that command with data silently missing (see the module docs).
                SessionEvent::Malformed {
                    error: ProtoError::Frame(error),
                } => return Err(Error::Frame(error)),
                SessionEvent::Malformed { error } => {
                    tracing::warn!(%error, "skipped a malformed server response");
                }
                SessionEvent::Fatal { error } => return Err(error.into()),
            }
        }
        Ok(())
    }

    fn sync_shared(&self) {
        *lock(&self.shared.capabilities) = self.session.capabilities().clone();
        *lock(&self.shared.enabled) = self.session.enabled().clone();
        *lock(&self.shared.quirks) = *self.session.quirks();
        let state = self.session.state().clone();
        let logged_out = state == ConnectionState::Logout;
        *lock(&self.shared.state) = state;
        if logged_out {
            // After LOGOUT / BYE nothing more can be sent: report closed at once rather than
            // when the server hangs up.
            self.shared.closed.store(true, Ordering::Release);
            self.shared.event_added.notify_waiters();
        }
    }

    fn complete(&mut self, id: CommandId, result: Result<CommandOutcome>) {
        match self.pending.remove(&id) {
            Some(Pending::Command { reply, .. }) => {
                let _ = reply.send(result);
            }
            Some(Pending::Idle) => self.idle_completed(id, result),
            None => {}
        }
    }

    fn stream(&mut self, id: CommandId, fetch: FetchResponse) {
        let Some(Pending::Command {
            stream: Some(tx), ..
        }) = self.pending.get(&id)
        else {
            return;
        };
        match tx.try_send(Ok(fetch)) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(Ok(fetch))) => {
                self.held = Some(Held {
                    tx: tx.clone(),
                    fetch,
                })
            }
            // Receiver dropped: discard; the command still runs to completion.
            Err(_) => {}
        }
    }

    fn release_held(&mut self, permit: mpsc::OwnedPermit<Result<FetchResponse>>) -> Result<()> {
        if let Some(held) = self.held.take() {
            permit.send(Ok(held.fetch));
        }
        self.pump()
    }

    fn unsolicited(&mut self, event: TypedEvent) {
        match &event {
            TypedEvent::Bye { code, text } => self.bye = Some((code.clone(), text.clone())),
            TypedEvent::Unparsed(unparsed) => tracing::warn!(%unparsed, "kept as an event"),
            _ => {}
        }
        if let Some(idle) = self.idle.as_mut()
            && idle.wants_event()
            && let Some(result) = idle::idle_result(
                &event,
                self.session.state().selected(),
                self.session.notify_active(),
            )
        {
            idle.finish_with(result);
            self.session.idle_done(idle.id);
            return;
        }
        self.shared.push_event(event);
    }

    fn idle_tick(&mut self) {
        let Some(idle) = self.idle.as_mut() else {
            return;
        };
        let now = Instant::now();
        if let Some(result) = idle.check(now) {
            idle.finish_with(result);
            self.session.idle_done(idle.id);
        } else if idle.refresh_due(now) {
            idle.refreshing = true;
            self.session.idle_done(idle.id);
        }
    }

    fn idle_completed(&mut self, id: CommandId, result: Result<CommandOutcome>) {
        let Some(mut idle) = self.idle.take() else {
            return;
        };
        if idle.id != id {
            self.idle = Some(idle);
            return;
        }
        let outcome = result.and_then(|o| Ok(o.into_result()?));
        let next = idle.next.take();
        match outcome {
            Err(e) => idle.reply(Err(e)),
            Ok(_) if idle.refreshing && idle.result.is_none() && next.is_none() => {
                // Keep-alive: start a fresh IDLE transparently.
                match self.session.submit(CommandBody::Idle, DataMode::Collect) {
                    Ok(new_id) => {
                        self.pending.insert(new_id, Pending::Idle);
                        idle.restart(new_id);
                        self.idle = Some(idle);
                    }
                    Err(e) => idle.reply(Err(e.into())),
                }
            }
            Ok(_) => {
                let result = idle.result.take().unwrap_or(IdleEvent::Cancelled);
                idle.reply(Ok(result));
            }
        }
        if let Some(next) = next {
            self.submit(Request::Idle(next));
        }
    }

    fn eof_error(&self) -> Error {
        match &self.bye {
            Some((code, text)) => Error::Bye {
                code: code.clone(),
                text: text.clone(),
            },
            None => Error::Io(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the server closed the connection",
            )),
        }
    }

    /// Fails everything still pending and marks the connection closed.
    fn close(&mut self, error: Error) {
        let mut ids = self.session.fail_all();
        ids.extend(self.pending.keys().copied());
        ids.sort();
        ids.dedup();
        for id in ids {
            match self.pending.remove(&id) {
                Some(Pending::Command { reply, .. }) => {
                    let _ = reply.send(Err(replicate(&error)));
                }
                Some(Pending::Idle) => self.fail_idle(&error),
                None => {}
            }
        }
        self.fail_idle(&error);
        *lock(&self.shared.state) = ConnectionState::Logout;
        self.shared.closed.store(true, Ordering::Release);
        self.shared.event_added.notify_waiters();
    }
}

impl Driver {
    /// Fails the running IDLE and one queued behind it, if any.
    fn fail_idle(&mut self, error: &Error) {
        if let Some(mut idle) = self.idle.take() {
            if let Some(next) = idle.next.take() {
                let _ = next.reply.send(Err(replicate(error)));
            }
            idle.reply(Err(replicate(error)));
        }
    }
}

/// An equivalent error for each of several waiters (`Error` is not `Clone`: it may hold an
/// `io::Error`).
fn replicate(error: &Error) -> Error {
    match error {
        Error::Closed => Error::Closed,
        Error::Timeout => Error::Timeout,
        Error::Bye { code, text } => Error::Bye {
            code: code.clone(),
            text: text.clone(),
        },
        Error::Io(e) => Error::Io(std::io::Error::new(e.kind(), e.to_string())),
        Error::Frame(e) => Error::Frame(*e),
        Error::Bridge { code, reason } => Error::Bridge {
            code: *code,
            reason: reason.clone(),
        },
        other => Error::Io(std::io::Error::other(other.to_string())),
    }
}
