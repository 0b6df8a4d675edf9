//! Message methods: FETCH (all at once, or streamed), STORE, COPY, MOVE, EXPUNGE, APPEND
//! (MULTIAPPEND, APPENDLIMIT). Results are the crate's `FetchResponse`, `StoreResult`,
//! `CopyResult`, `MoveResult`, `ExpungeResult`, `AppendResult`.

use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

use super::args::{self, CallOptions, JsResult, js_err};
use super::args::{FetchItem, SequenceSetArg, StoreMode};
use super::client::Timed;
use super::client::{ImapClient, twins};
use super::read::js_object;
use super::ser::to_js;
use super::stream::FetchStream;
use crate::AppendMessage;

/// Messages a `fetchStream` buffers for a slow consumer by default.
const DEFAULT_STREAM_BUFFER: u32 = 64;

/// Options of `ImapClient.append`.
#[derive(Debug, Default, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct AppendOptions {
    /// Flags to set on the new message, e.g. `["\\Seen"]`.
    #[tsify(optional)]
    pub flags: Option<Vec<String>>,
    /// Time allowed for this call (milliseconds).
    #[tsify(optional)]
    pub timeout_ms: Option<f64>,
}

impl Timed for AppendOptions {
    fn timeout_ms(&self) -> Option<f64> {
        self.timeout_ms
    }
}

/// Options of `ImapClient.fetchStream`.
#[derive(Debug, Default, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct StreamOptions {
    /// Time allowed for the whole FETCH (milliseconds).
    #[tsify(optional)]
    pub timeout_ms: Option<f64>,
    /// How many messages may wait for the consumer before reading from the server pauses
    /// (default 64).
    #[tsify(optional)]
    pub buffer: Option<u32>,
}

/// One message of `appendMany`.
#[derive(Debug, Tsify)]
pub struct AppendItem {
    /// The message (`Uint8Array`, or a string sent as UTF-8).
    #[tsify(type = "Uint8Array | string")]
    pub message: JsValue,
    /// Flags to set on it.
    #[serde(default)]
    #[tsify(optional)]
    pub flags: Vec<String>,
}

impl ImapClient {
    fn fetch_impl(
        &self,
        uid: bool,
        set: Ts<SequenceSetArg>,
        items: Vec<Ts<FetchItem>>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let (set, attrs) = (args::seq_set(&set)?, args::attrs(&items)?);
            let found = if uid {
                c.uid_fetch(&set, &attrs, t).await
            } else {
                c.fetch(&set, &attrs, t).await
            };
            to_js(&found.map_err(js_err)?)
        })
    }

    fn store_impl(
        &self,
        uid: bool,
        set: Ts<SequenceSetArg>,
        mode: Ts<StoreMode>,
        flags: Vec<String>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let (set, kind) = (args::seq_set(&set)?, args::read(&mode)?.kind());
            let flags = args::flags(&flags).map_err(js_err)?;
            let r = if uid {
                c.uid_store(&set, kind, &flags, t).await
            } else {
                c.store(&set, kind, &flags, t).await
            };
            to_js(&r.map_err(js_err)?)
        })
    }

    fn store_gmail_labels_impl(
        &self,
        uid: bool,
        set: Ts<SequenceSetArg>,
        mode: Ts<StoreMode>,
        labels: Vec<String>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let (set, kind) = (args::seq_set(&set)?, args::read(&mode)?.kind());
            let labels = labels
                .iter()
                .map(|l| crate::types::GmailLabel::new(l))
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(js_err)?;
            let r = if uid {
                c.uid_store_gmail_labels(&set, kind, &labels, t).await
            } else {
                c.store_gmail_labels(&set, kind, &labels, t).await
            };
            to_js(&r.map_err(js_err)?)
        })
    }

    fn copy_impl(
        &self,
        uid: bool,
        set: Ts<SequenceSetArg>,
        mailbox: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let set = args::seq_set(&set)?;
            let r = if uid {
                c.uid_copy(&set, mailbox, t).await
            } else {
                c.copy(&set, mailbox, t).await
            };
            to_js(&r.map_err(js_err)?)
        })
    }

    fn move_impl(
        &self,
        uid: bool,
        set: Ts<SequenceSetArg>,
        mailbox: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let set = args::seq_set(&set)?;
            let r = if uid {
                c.uid_move(&set, mailbox, t).await
            } else {
                c.move_messages(&set, mailbox, t).await
            };
            to_js(&r.map_err(js_err)?)
        })
    }
}

#[wasm_bindgen]
impl ImapClient {
    /// Streaming `UID FETCH`: an async iterator of messages as they arrive, for
    /// `for await (const msg of client.fetchStream("1:*", ["uid", "flags"]))`. Memory stays
    /// flat however large the mailbox; `timeoutMs` covers the whole FETCH.
    #[wasm_bindgen(
        js_name = fetchStream,
        unchecked_return_type = "AsyncIterableIterator<FetchResponse, undefined>"
    )]
    pub fn fetch_stream(
        &self,
        uids: Ts<SequenceSetArg>,
        items: Vec<Ts<FetchItem>>,
        options: Option<Ts<StreamOptions>>,
    ) -> JsResult<JsValue> {
        let o = args::read_opt(options.as_ref())?;
        let timeout = args::duration(o.timeout_ms, self.conn.default_timeout()).map_err(js_err)?;
        let (set, attrs) = (args::seq_set(&uids)?, args::attrs(&items)?);
        let buffer = o.buffer.unwrap_or(DEFAULT_STREAM_BUFFER).clamp(1, 65_536);
        Ok(FetchStream::start(
            self.conn.clone(),
            set,
            attrs,
            buffer as usize,
            timeout,
        ))
    }

    /// `APPEND mailbox (flags) message`; a string message is sent as UTF-8.
    #[wasm_bindgen(unchecked_return_type = "Promise<AppendResult>")]
    pub fn append(
        &self,
        mailbox: String,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | string")] message: JsValue,
        options: Option<Ts<AppendOptions>>,
    ) -> js_sys::Promise {
        self.call_with(options, move |c, o: AppendOptions, t| async move {
            let flags = args::flags(o.flags.as_deref().unwrap_or_default()).map_err(js_err)?;
            let bytes = args::message_bytes(&message)?;
            let r = c.append(mailbox, &flags, &bytes, t).await.map_err(js_err)?;
            to_js(&r)
        })
    }

    /// `APPEND` of several messages in one command (MULTIAPPEND, RFC 3502; one by one
    /// otherwise). All or none are added; the result lists every new UID.
    #[wasm_bindgen(js_name = appendMany, unchecked_return_type = "Promise<AppendResult>")]
    pub fn append_many(
        &self,
        mailbox: String,
        messages: Vec<Ts<AppendItem>>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let messages = messages
                .iter()
                .map(|m| {
                    let m = args::read(m)?;
                    let mut message = AppendMessage::new(args::message_bytes(&m.message)?);
                    message.flags = args::flags(&m.flags).map_err(js_err)?;
                    Ok(message)
                })
                .collect::<JsResult<Vec<_>>>()?;
            let r = c.append_many(mailbox, messages, t).await.map_err(js_err)?;
            to_js(&r)
        })
    }

    /// The largest message `mailbox` accepts (APPENDLIMIT, RFC 7889); `undefined` when the
    /// server sets no limit.
    #[wasm_bindgen(js_name = appendLimit, unchecked_return_type = "Promise<number | undefined>")]
    pub fn append_limit(
        &self,
        mailbox: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let limit = c.append_limit(mailbox, t).await.map_err(js_err)?;
            Ok(limit.map_or(JsValue::UNDEFINED, |l| JsValue::from_f64(l as f64)))
        })
    }

    /// `EXPUNGE`.
    #[wasm_bindgen(unchecked_return_type = "Promise<ExpungeResult>")]
    pub fn expunge(&self, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        self.call(options, |c, t| async move {
            to_js(&c.expunge(t).await.map_err(js_err)?)
        })
    }

    /// `UID EXPUNGE uids` (UIDPLUS).
    #[wasm_bindgen(js_name = uidExpunge, unchecked_return_type = "Promise<ExpungeResult>")]
    pub fn uid_expunge(
        &self,
        uids: Ts<SequenceSetArg>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let set = args::seq_set(&uids)?;
            let e = c.uid_expunge(&set, t).await.map_err(js_err)?;
            to_js(&e)
        })
    }
}

twins! {
    fetch_impl(Ts<SequenceSetArg>, Vec<Ts<FetchItem>>);
    #[doc = " `FETCH set (items)`, all responses at once."]
    #[wasm_bindgen(unchecked_return_type = "Promise<FetchResponse[]>")]
    fn fetch(set, items);
    #[doc = " `UID FETCH uids (items)`, all responses at once."]
    #[wasm_bindgen(js_name = uidFetch, unchecked_return_type = "Promise<FetchResponse[]>")]
    fn uid_fetch(uids, items);
}

twins! {
    store_impl(Ts<SequenceSetArg>, Ts<StoreMode>, Vec<String>);
    #[doc = " `STORE set ±FLAGS (flags)`: returns the new flags of each message."]
    #[wasm_bindgen(unchecked_return_type = "Promise<StoreResult>")]
    fn store(set, mode, flags);
    #[doc = " `UID STORE uids ±FLAGS (flags)`."]
    #[wasm_bindgen(js_name = uidStore, unchecked_return_type = "Promise<StoreResult>")]
    fn uid_store(uids, mode, flags);
}

twins! {
    store_gmail_labels_impl(Ts<SequenceSetArg>, Ts<StoreMode>, Vec<String>);
    #[doc = " `STORE set ±X-GM-LABELS (labels)` (Gmail): adds, removes or replaces labels"]
    #[doc = " (`\"\\\\Inbox\"` for a system label); returns each message's labels afterwards."]
    #[wasm_bindgen(js_name = storeGmailLabels, unchecked_return_type = "Promise<StoreResult>")]
    fn store_gmail_labels(set, mode, labels);
    #[doc = " `UID STORE uids ±X-GM-LABELS (labels)` (Gmail)."]
    #[wasm_bindgen(js_name = uidStoreGmailLabels, unchecked_return_type = "Promise<StoreResult>")]
    fn uid_store_gmail_labels(uids, mode, labels);
}

twins! {
    copy_impl(Ts<SequenceSetArg>, String);
    #[doc = " `COPY set mailbox`."]
    #[wasm_bindgen(unchecked_return_type = "Promise<CopyResult>")]
    fn copy(set, mailbox);
    #[doc = " `UID COPY uids mailbox`."]
    #[wasm_bindgen(js_name = uidCopy, unchecked_return_type = "Promise<CopyResult>")]
    fn uid_copy(uids, mailbox);
}

twins! {
    move_impl(Ts<SequenceSetArg>, String);
    #[doc = " `MOVE set mailbox` (RFC 6851; COPY + EXPUNGE fallback is the Rust API's)."]
    #[wasm_bindgen(js_name = "move", unchecked_return_type = "Promise<MoveResult>")]
    fn move_messages(set, mailbox);
    #[doc = " `UID MOVE uids mailbox`."]
    #[wasm_bindgen(js_name = uidMove, unchecked_return_type = "Promise<MoveResult>")]
    fn uid_move(uids, mailbox);
}

js_object!(AppendOptions {
    flags: "flags",
    timeout_ms: "timeoutMs"
});

js_object!(StreamOptions {
    timeout_ms: "timeoutMs",
    buffer: "buffer"
});

js_object!(AppendItem {
    message: "message",
    flags: "flags" = default
});
