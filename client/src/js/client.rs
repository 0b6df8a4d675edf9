//! `ImapClient`: the JS class. One camelCase async method per [`ImapConnection`] method; each
//! converts its arguments (`args`), awaits the Rust call and converts the result (`types`).
//! Every method takes an optional last `options` argument with `timeoutMs`; without it the
//! connection's default (the `timeoutMs` given to `connect`, else 30 s) applies.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

use super::args::{
    self, AppendOptions, CallOptions, ConnectOptions, FetchItem, IdleOptions, NotifyParams,
    SearchKey, SequenceSetArg, StatusItem, StoreMode, StreamOptions,
};
use super::errors;
use super::stream::{EventStream, FetchStream};
use super::types::{
    AppendResult, CopyResult, ExpungeResult, FetchedMessage, ImapEvent, MailboxInfo, MailboxStatus,
    MoveResult, SelectedMailbox, StoreResult, idle_event,
};
use crate::wire::BridgeTarget;
use crate::{Error, ImapConnection};

/// The default time allowed per call when `connect` gets no `timeoutMs`.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default wait of `idle()` without `timeoutMs`: under servers' 30-minute IDLE limit.
const DEFAULT_IDLE: Duration = Duration::from_secs(29 * 60);
/// Messages a `fetchStream` buffers for a slow consumer by default.
const DEFAULT_STREAM_BUFFER: u32 = 64;

pub(super) type JsResult<T> = std::result::Result<T, JsValue>;

pub(super) fn js_err(e: Error) -> JsValue {
    errors::to_js(&e)
}

/// Runs `future` as a JS promise. Every async method goes through this one (boxed, type-erased)
/// `future_to_promise`, instead of wasm-bindgen generating the promise glue once per `async`
/// method (measured: 26 KB smaller after wasm-opt, 10 KB gzipped).
pub(super) fn promise<T: IntoJs>(
    future: impl Future<Output = JsResult<T>> + 'static,
) -> js_sys::Promise {
    let future: Pin<Box<dyn Future<Output = JsResult<JsValue>>>> =
        Box::pin(async move { future.await.map(IntoJs::into_js) });
    wasm_bindgen_futures::future_to_promise(future)
}

/// What a method's promise resolves with.
pub(super) trait IntoJs {
    fn into_js(self) -> JsValue;
}

impl IntoJs for () {
    fn into_js(self) -> JsValue {
        JsValue::UNDEFINED
    }
}

impl IntoJs for JsValue {
    fn into_js(self) -> JsValue {
        self
    }
}

impl IntoJs for js_sys::Array {
    fn into_js(self) -> JsValue {
        self.into()
    }
}

impl IntoJs for js_sys::Uint32Array {
    fn into_js(self) -> JsValue {
        self.into()
    }
}

impl<T: Tsify> IntoJs for Ts<T> {
    fn into_js(self) -> JsValue {
        self.into()
    }
}

pub(super) fn strings(values: Vec<String>) -> js_sys::Array {
    values.into_iter().map(JsValue::from).collect()
}

pub(super) fn ts<T: Tsify + serde::Serialize>(value: &T) -> JsResult<Ts<T>> {
    Ts::from_rust(value).map_err(errors::invalid)
}

pub(super) fn list<T: serde::Serialize>(values: &[T]) -> JsResult<JsValue> {
    super::stream::to_js(&values)
}

/// An IMAP connection through `daaki-imap-bridge`.
///
/// ```js
/// import init, { ImapClient } from "daaki-imap";
/// await init();
/// const client = await ImapClient.connect({ bridgeUrl: "wss://bridge.example.com/imap",
///                                            host: "imap.example.com", port: 993 });
/// await client.login("user@example.com", "password");
/// const inbox = await client.select("INBOX");
/// ```
#[wasm_bindgen]
pub struct ImapClient {
    pub(super) conn: ImapConnection,
}

#[wasm_bindgen]
impl ImapClient {
    /// Connects through the bridge and reads the server's greeting.
    pub async fn connect(options: Ts<ConnectOptions>) -> JsResult<ImapClient> {
        let o = args::read(&options)?;
        let timeout = args::duration(o.timeout_ms, DEFAULT_TIMEOUT).map_err(js_err)?;
        let target = match (&o.target, &o.host) {
            (Some(name), None) => BridgeTarget::named(name.as_str()),
            (None, Some(host)) => BridgeTarget::host(host.as_str(), o.port.unwrap_or(993)),
            _ => Err(Error::InvalidInput(
                "give either `host` (and `port`) or `target`".into(),
            )),
        }
        .map_err(js_err)?;
        let mut builder = ImapConnection::builder().default_timeout(timeout);
        if let Some(ticket) = o.ticket {
            builder = builder.bridge_ticket(ticket);
        }
        let conn = builder
            .connect_via_bridge(&o.bridge_url, target, timeout)
            .await
            .map_err(js_err)?;
        Ok(ImapClient { conn })
    }

    /// A second handle on the same connection, for a method's future to own.
    pub(super) fn handle(&self) -> ImapClient {
        ImapClient {
            conn: self.conn.clone(),
        }
    }

    pub(super) fn timeout(&self, options: Option<Ts<CallOptions>>) -> JsResult<Duration> {
        let o = args::read_opt(options.as_ref())?;
        args::duration(o.timeout_ms, self.conn.default_timeout()).map_err(js_err)
    }

    /// The server's capabilities as last reported (upper-case names).
    pub fn capabilities(&self) -> Vec<String> {
        self.conn.capabilities().iter().map(str::to_owned).collect()
    }

    /// Whether the connection is closed (after `logout`, BYE or a transport failure).
    #[wasm_bindgen(js_name = isClosed)]
    pub fn is_closed(&self) -> bool {
        self.conn.is_closed()
    }

    /// `CAPABILITY`: asks the server again.
    #[wasm_bindgen(unchecked_return_type = "Promise<string[]>")]
    pub fn capability(&self, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            this.conn.capability(t).await.map_err(js_err).map(strings)
        })
    }

    /// `NOOP`: lets the server send pending updates (they arrive as events).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn noop(&self, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            this.conn.noop(t).await.map_err(js_err)
        })
    }

    /// `ENABLE`: returns what the server enabled.
    #[wasm_bindgen(unchecked_return_type = "Promise<string[]>")]
    pub fn enable(
        &self,
        extensions: Vec<String>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            let names: Vec<&str> = extensions.iter().map(String::as_str).collect();
            this.conn
                .enable(&names, t)
                .await
                .map_err(js_err)
                .map(strings)
        })
    }

    /// `LOGIN`. A wrong password rejects with `code: "NO"` and (usually)
    /// `responseCode: "AUTHENTICATIONFAILED"`.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn login(
        &self,
        user: String,
        password: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            this.conn.login(&user, &password, t).await.map_err(js_err)
        })
    }

    /// `AUTHENTICATE PLAIN`.
    #[wasm_bindgen(js_name = authenticatePlain, unchecked_return_type = "Promise<void>")]
    pub fn authenticate_plain(
        &self,
        user: String,
        password: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            this.conn
                .authenticate_plain(&user, &password, t)
                .await
                .map_err(js_err)
        })
    }

    /// `LOGOUT`; the connection is closed afterwards.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn logout(&self) -> js_sys::Promise {
        let this = self.handle();
        promise(async move { this.conn.logout().await.map_err(js_err) })
    }

    /// `SELECT`: opens a mailbox read-write.
    #[wasm_bindgen(unchecked_return_type = "Promise<SelectedMailbox>")]
    pub fn select(&self, mailbox: String, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            let s = this.conn.select(mailbox, t).await.map_err(js_err)?;
            ts(&SelectedMailbox::from(&s))
        })
    }

    /// `EXAMINE`: opens a mailbox read-only.
    #[wasm_bindgen(unchecked_return_type = "Promise<SelectedMailbox>")]
    pub fn examine(&self, mailbox: String, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            let s = this.conn.examine(mailbox, t).await.map_err(js_err)?;
            ts(&SelectedMailbox::from(&s))
        })
    }

    /// `LIST reference pattern` (`*` matches across levels, `%` within one).
    #[wasm_bindgen(unchecked_return_type = "Promise<MailboxInfo[]>")]
    pub fn list(
        &self,
        reference: String,
        pattern: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            let found = this
                .conn
                .list(&reference, &pattern, t)
                .await
                .map_err(js_err)?;
            list(&found.iter().map(MailboxInfo::from).collect::<Vec<_>>())
        })
    }

    /// `LSUB reference pattern` (IMAP4rev1).
    #[wasm_bindgen(unchecked_return_type = "Promise<MailboxInfo[]>")]
    pub fn lsub(
        &self,
        reference: String,
        pattern: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            let found = this
                .conn
                .lsub(&reference, &pattern, t)
                .await
                .map_err(js_err)?;
            list(&found.iter().map(MailboxInfo::from).collect::<Vec<_>>())
        })
    }

    /// `STATUS mailbox (items)`.
    #[wasm_bindgen(unchecked_return_type = "Promise<MailboxStatus>")]
    pub fn status(
        &self,
        mailbox: String,
        items: Vec<Ts<StatusItem>>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            let attrs = items
                .iter()
                .map(|i| args::read(i).map(StatusItem::to_attr))
                .collect::<JsResult<Vec<_>>>()?;
            let s = this.conn.status(mailbox, &attrs, t).await.map_err(js_err)?;
            ts(&MailboxStatus::from(&s))
        })
    }

    /// `CREATE mailbox`.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn create(&self, mailbox: String, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            this.conn.create(mailbox, t).await.map_err(js_err)
        })
    }

    /// `DELETE mailbox`.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn delete(&self, mailbox: String, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            this.conn.delete(mailbox, t).await.map_err(js_err)
        })
    }

    /// `RENAME from to`.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn rename(
        &self,
        from: String,
        to: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            this.conn.rename(from, to, t).await.map_err(js_err)
        })
    }

    /// `SUBSCRIBE mailbox`.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn subscribe(&self, mailbox: String, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            this.conn.subscribe(mailbox, t).await.map_err(js_err)
        })
    }

    /// `UNSUBSCRIBE mailbox`.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn unsubscribe(
        &self,
        mailbox: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            this.conn.unsubscribe(mailbox, t).await.map_err(js_err)
        })
    }

    /// `UNSELECT`: leaves the mailbox without expunging.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn unselect(&self, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            this.conn.unselect(t).await.map_err(js_err)
        })
    }

    /// `CLOSE`: expunges `\Deleted` messages silently and leaves the mailbox.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn close(&self, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            this.conn.close(t).await.map_err(js_err)
        })
    }

    /// `EXPUNGE`.
    #[wasm_bindgen(unchecked_return_type = "Promise<ExpungeResult>")]
    pub fn expunge(&self, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            let e = this.conn.expunge(t).await.map_err(js_err)?;
            ts(&ExpungeResult::from(&e))
        })
    }

    /// `UID EXPUNGE uids` (UIDPLUS).
    #[wasm_bindgen(js_name = uidExpunge, unchecked_return_type = "Promise<ExpungeResult>")]
    pub fn uid_expunge(
        &self,
        uids: Ts<SequenceSetArg>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            let set = seq_set(&uids)?;
            let e = this.conn.uid_expunge(&set, t).await.map_err(js_err)?;
            ts(&ExpungeResult::from(&e))
        })
    }

    /// `FETCH set (items)`, all responses at once.
    #[wasm_bindgen(unchecked_return_type = "Promise<FetchedMessage[]>")]
    pub fn fetch(
        &self,
        set: Ts<SequenceSetArg>,
        items: Vec<Ts<FetchItem>>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            let (set, attrs) = (seq_set(&set)?, attrs(&items)?);
            let found = this.conn.fetch(&set, &attrs, t).await.map_err(js_err)?;
            list(&found.iter().map(FetchedMessage::from).collect::<Vec<_>>())
        })
    }

    /// `UID FETCH uids (items)`, all responses at once.
    #[wasm_bindgen(js_name = uidFetch, unchecked_return_type = "Promise<FetchedMessage[]>")]
    pub fn uid_fetch(
        &self,
        uids: Ts<SequenceSetArg>,
        items: Vec<Ts<FetchItem>>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            let (set, attrs) = (seq_set(&uids)?, attrs(&items)?);
            let found = this.conn.uid_fetch(&set, &attrs, t).await.map_err(js_err)?;
            list(&found.iter().map(FetchedMessage::from).collect::<Vec<_>>())
        })
    }

    /// Streaming `UID FETCH`: an async iterator of messages as they arrive, for
    /// `for await (const msg of client.fetchStream("1:*", ["uid", "flags"]))`. Memory stays
    /// flat however large the mailbox; `timeoutMs` covers the whole FETCH.
    #[wasm_bindgen(
        js_name = fetchStream,
        unchecked_return_type = "AsyncIterableIterator<FetchedMessage, undefined>"
    )]
    pub fn fetch_stream(
        &self,
        uids: Ts<SequenceSetArg>,
        items: Vec<Ts<FetchItem>>,
        options: Option<Ts<StreamOptions>>,
    ) -> JsResult<JsValue> {
        let o = args::read_opt(options.as_ref())?;
        let timeout = args::duration(o.timeout_ms, self.conn.default_timeout()).map_err(js_err)?;
        let (set, attrs) = (seq_set(&uids)?, attrs(&items)?);
        let buffer = o.buffer.unwrap_or(DEFAULT_STREAM_BUFFER).clamp(1, 65_536);
        Ok(FetchStream::start(
            self.conn.clone(),
            set,
            attrs,
            buffer as usize,
            timeout,
        ))
    }

    /// `SEARCH key`: matching sequence numbers.
    #[wasm_bindgen(unchecked_return_type = "Promise<Uint32Array>")]
    pub fn search(&self, key: Ts<SearchKey>, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            let key = args::search_key(&key)?;
            this.conn
                .search(&key, t)
                .await
                .map_err(js_err)
                .map(|v| js_sys::Uint32Array::from(&v[..]))
        })
    }

    /// `UID SEARCH key`: matching UIDs.
    #[wasm_bindgen(js_name = uidSearch, unchecked_return_type = "Promise<Uint32Array>")]
    pub fn uid_search(
        &self,
        key: Ts<SearchKey>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            let key = args::search_key(&key)?;
            this.conn
                .uid_search(&key, t)
                .await
                .map_err(js_err)
                .map(|v| js_sys::Uint32Array::from(&v[..]))
        })
    }

    /// `STORE set ±FLAGS (flags)`: returns the new flags of each message.
    #[wasm_bindgen(unchecked_return_type = "Promise<StoreResult>")]
    pub fn store(
        &self,
        set: Ts<SequenceSetArg>,
        mode: Ts<StoreMode>,
        flags: Vec<String>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            let (set, kind) = (seq_set(&set)?, args::read(&mode)?.kind());
            let flags = args::flags(&flags).map_err(js_err)?;
            let r = this
                .conn
                .store(&set, kind, &flags, t)
                .await
                .map_err(js_err)?;
            ts(&StoreResult::from(&r))
        })
    }

    /// `UID STORE uids ±FLAGS (flags)`.
    #[wasm_bindgen(js_name = uidStore, unchecked_return_type = "Promise<StoreResult>")]
    pub fn uid_store(
        &self,
        uids: Ts<SequenceSetArg>,
        mode: Ts<StoreMode>,
        flags: Vec<String>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            let (set, kind) = (seq_set(&uids)?, args::read(&mode)?.kind());
            let flags = args::flags(&flags).map_err(js_err)?;
            let r = this
                .conn
                .uid_store(&set, kind, &flags, t)
                .await
                .map_err(js_err)?;
            ts(&StoreResult::from(&r))
        })
    }

    /// `COPY set mailbox`.
    #[wasm_bindgen(unchecked_return_type = "Promise<CopyResult>")]
    pub fn copy(
        &self,
        set: Ts<SequenceSetArg>,
        mailbox: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            let r = this
                .conn
                .copy(&seq_set(&set)?, mailbox, t)
                .await
                .map_err(js_err)?;
            ts(&CopyResult::from(&r))
        })
    }

    /// `UID COPY uids mailbox`.
    #[wasm_bindgen(js_name = uidCopy, unchecked_return_type = "Promise<CopyResult>")]
    pub fn uid_copy(
        &self,
        uids: Ts<SequenceSetArg>,
        mailbox: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            let r = this
                .conn
                .uid_copy(&seq_set(&uids)?, mailbox, t)
                .await
                .map_err(js_err)?;
            ts(&CopyResult::from(&r))
        })
    }

    /// `MOVE set mailbox` (RFC 6851; COPY + EXPUNGE fallback is the Rust API's).
    #[wasm_bindgen(js_name = "move", unchecked_return_type = "Promise<MoveResult>")]
    pub fn move_messages(
        &self,
        set: Ts<SequenceSetArg>,
        mailbox: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            let r = this
                .conn
                .move_messages(&seq_set(&set)?, mailbox, t)
                .await
                .map_err(js_err)?;
            ts(&MoveResult::from(&r))
        })
    }

    /// `UID MOVE uids mailbox`.
    #[wasm_bindgen(js_name = uidMove, unchecked_return_type = "Promise<MoveResult>")]
    pub fn uid_move(
        &self,
        uids: Ts<SequenceSetArg>,
        mailbox: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            let r = this
                .conn
                .uid_move(&seq_set(&uids)?, mailbox, t)
                .await
                .map_err(js_err)?;
            ts(&MoveResult::from(&r))
        })
    }

    /// `APPEND mailbox (flags) message`; a string message is sent as UTF-8.
    #[wasm_bindgen(unchecked_return_type = "Promise<AppendResult>")]
    pub fn append(
        &self,
        mailbox: String,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | string")] message: JsValue,
        options: Option<Ts<AppendOptions>>,
    ) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let o = args::read_opt(options.as_ref())?;
            let t = args::duration(o.timeout_ms, this.conn.default_timeout()).map_err(js_err)?;
            let flags = args::flags(o.flags.as_deref().unwrap_or_default()).map_err(js_err)?;
            let bytes = super::ext::message_bytes(&message)?;
            let r = this
                .conn
                .append(mailbox, &flags, &bytes, t)
                .await
                .map_err(js_err)?;
            ts(&AppendResult::from(&r))
        })
    }

    /// `IDLE`: waits for the server to report a change and resolves with it (or with
    /// `{ kind: "timeout" }`). Aborting `options.signal` ends IDLE (DONE is sent) and rejects
    /// with `code: "ABORTED"`; the connection stays usable.
    #[wasm_bindgen(unchecked_return_type = "Promise<IdleEvent>")]
    pub fn idle(&self, options: Option<Ts<IdleOptions>>) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let o = args::read_opt(options.as_ref())?;
            let timeout = args::duration(o.timeout_ms, DEFAULT_IDLE).map_err(js_err)?;
            let cancel = CancellationToken::new();
            let _listener = match &o.signal {
                Some(signal) => Some(AbortListener::attach(signal, cancel.clone())?),
                None => None,
            };
            let event = this.conn.idle(timeout, cancel).await.map_err(js_err)?;
            match idle_event(&event) {
                Some(event) => ts(&event),
                None => Err(errors::aborted("IDLE")),
            }
        })
    }

    /// `NOTIFY SET`: which changes the server reports, for which mailboxes; they arrive as
    /// events (and end `idle`). An empty `groups` sends `NOTIFY NONE`.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn notify(
        &self,
        params: Ts<NotifyParams>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            let params = args::read(&params)?.to_params().map_err(js_err)?;
            this.conn.notify_set(params, t).await.map_err(js_err)
        })
    }

    /// `NOTIFY NONE`.
    #[wasm_bindgen(js_name = notifyNone, unchecked_return_type = "Promise<void>")]
    pub fn notify_none(&self, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            this.conn.notify_none(t).await.map_err(js_err)
        })
    }

    /// `COMPRESS DEFLATE`: compresses the rest of the session.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn compress(&self, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            this.conn.compress(t).await.map_err(js_err)
        })
    }

    /// Every event queued so far, oldest first (never waits).
    #[wasm_bindgen(js_name = drainEvents, unchecked_return_type = "Promise<ImapEvent[]>")]
    pub fn drain_events(&self) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let events = this.conn.drain_events().await;
            list(&events.iter().map(ImapEvent::from).collect::<Vec<_>>())
        })
    }

    /// The next event, waiting at most `timeoutMs`; `undefined` when the time is up.
    #[wasm_bindgen(js_name = nextEvent, unchecked_return_type = "Promise<ImapEvent | undefined>")]
    pub fn next_event(&self, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        let this = self.handle();
        promise(async move {
            let t = this.timeout(options)?;
            match this.conn.next_event(t).await.map_err(js_err)? {
                Some(event) => super::stream::to_js(&ImapEvent::from(&event)),
                None => Ok(JsValue::UNDEFINED),
            }
        })
    }

    /// Events as they arrive: `for await (const event of client.events()) { … }`. Ends when
    /// the connection closes, or on `break`.
    #[wasm_bindgen(unchecked_return_type = "AsyncIterableIterator<ImapEvent, undefined>")]
    pub fn events(&self) -> JsValue {
        EventStream::start(self.conn.clone())
    }
}

pub(super) fn seq_set(value: &Ts<SequenceSetArg>) -> JsResult<crate::types::SequenceSet> {
    args::read(value)?.to_set().map_err(js_err)
}

pub(super) fn attrs(items: &[Ts<FetchItem>]) -> JsResult<Vec<crate::types::FetchAttr>> {
    let items = items.iter().map(args::read).collect::<JsResult<Vec<_>>>()?;
    args::fetch_attrs(&items).map_err(js_err)
}

/// Cancels a token when an `AbortSignal` fires; removes its listener when dropped.
struct AbortListener {
    signal: web_sys::AbortSignal,
    callback: Closure<dyn FnMut()>,
}

impl AbortListener {
    fn attach(signal: &web_sys::AbortSignal, cancel: CancellationToken) -> JsResult<Self> {
        if signal.aborted() {
            cancel.cancel();
        }
        let callback = Closure::<dyn FnMut()>::new(move || cancel.cancel());
        signal.add_event_listener_with_callback("abort", callback.as_ref().unchecked_ref())?;
        Ok(Self {
            signal: signal.clone(),
            callback,
        })
    }
}

impl Drop for AbortListener {
    fn drop(&mut self) {
        let _ = self
            .signal
            .remove_event_listener_with_callback("abort", self.callback.as_ref().unchecked_ref());
    }
}
