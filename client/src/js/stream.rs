//! Async iterators for JS: `FetchStream` (streaming UID FETCH) and `EventStream` (unsolicited
//! events). Both implement the async-iterator protocol (`next`, `return`,
//! `[Symbol.asyncIterator]`), so `for await (const x of …)` works; breaking out of the loop
//! calls `return`, which stops the stream.

use std::rc::Rc;
use std::time::Duration;

use tokio::sync::{Mutex, mpsc};
use wasm_bindgen::prelude::*;

use super::errors;
use super::ser::to_js;
use crate::types::response::FetchResponse;
use crate::types::{FetchAttr, SequenceSet};
use crate::{Error, ImapConnection, Result};

#[wasm_bindgen(inline_js = "export function asyncIterable(it) { \
    it[Symbol.asyncIterator] = function () { return this; }; return it; }")]
extern "C" {
    /// Adds `[Symbol.asyncIterator]() { return this; }` to an iterator object.
    #[wasm_bindgen(js_name = asyncIterable)]
    fn async_iterable(it: JsValue) -> JsValue;
}

/// `{ done, value }`, the async-iterator protocol's result.
fn step(done: bool, value: JsValue) -> JsValue {
    let object = js_sys::Object::new();
    let target: &JsValue = object.as_ref();
    // Setting properties on a fresh plain object cannot fail.
    let _ = js_sys::Reflect::set(
        target,
        &JsValue::from_str("done"),
        &JsValue::from_bool(done),
    );
    let _ = js_sys::Reflect::set(target, &JsValue::from_str("value"), &value);
    object.into()
}

type Items = Rc<Mutex<mpsc::Receiver<Result<FetchResponse>>>>;

/// The messages of a streaming `UID FETCH`, as they arrive (from `ImapClient.fetchStream`).
///
/// Backpressure: while the consumer does not call `next`, at most the stream's buffer of
/// messages waits; then the client stops reading from the server. A failed FETCH rejects the
/// pending `next` with an `ImapError`.
#[wasm_bindgen]
pub struct FetchStream {
    items: Items,
}

impl FetchStream {
    /// Starts `UID FETCH uids (items)` on `conn` and returns the JS iterator.
    pub(crate) fn start(
        conn: ImapConnection,
        uids: SequenceSet,
        items: Vec<FetchAttr>,
        buffer: usize,
        timeout: Duration,
    ) -> JsValue {
        let (tx, rx) = mpsc::channel(buffer.max(1));
        let keep = tx.clone();
        wasm_bindgen_futures::spawn_local(async move {
            // `keep` holds the channel open until the outcome is known, so the consumer
            // sees the end of the stream only after a failure was queued.
            if let Err(e) = conn.uid_fetch_streaming(&uids, &items, tx, timeout).await {
                let _ = keep.send(Err(e)).await;
            }
        });
        async_iterable(
            Self {
                items: Rc::new(Mutex::new(rx)),
            }
            .into(),
        )
    }
}

#[wasm_bindgen]
impl FetchStream {
    /// The next message, or `{ done: true }` at the end.
    #[wasm_bindgen(unchecked_return_type = "IteratorResult<FetchResponse, undefined>")]
    pub async fn next(&self) -> std::result::Result<JsValue, JsValue> {
        let items = self.items.clone();
        let mut rx = items.lock().await;
        match rx.recv().await {
            Some(Ok(message)) => Ok(step(false, to_js(&message)?)),
            Some(Err(e)) => Err(errors::to_js(&e)),
            None => Ok(step(true, JsValue::UNDEFINED)),
        }
    }

    /// Stops the stream (what `break` in `for await` calls): the rest of the FETCH is read
    /// and discarded by the client.
    #[wasm_bindgen(
        js_name = "return",
        unchecked_return_type = "IteratorResult<FetchResponse, undefined>"
    )]
    pub async fn finish(&self) -> std::result::Result<JsValue, JsValue> {
        let items = self.items.clone();
        items.lock().await.close();
        Ok(step(true, JsValue::UNDEFINED))
    }
}

/// Unsolicited events as they arrive (from `ImapClient.events`); ends when the connection
/// closes.
#[wasm_bindgen]
pub struct EventStream {
    conn: ImapConnection,
    stopped: Rc<std::cell::Cell<bool>>,
}

impl EventStream {
    pub(crate) fn start(conn: ImapConnection) -> JsValue {
        async_iterable(
            Self {
                conn,
                stopped: Rc::default(),
            }
            .into(),
        )
    }
}

#[wasm_bindgen]
impl EventStream {
    /// The next event, waiting as long as it takes; `{ done: true }` once the connection
    /// is closed (or after `return`).
    #[wasm_bindgen(unchecked_return_type = "IteratorResult<TypedEvent, undefined>")]
    pub async fn next(&self) -> std::result::Result<JsValue, JsValue> {
        // Waits in slices so that `return` ends a pending wait within one slice.
        const SLICE: Duration = Duration::from_secs(1);
        loop {
            if self.stopped.get() {
                return Ok(step(true, JsValue::UNDEFINED));
            }
            match self.conn.next_event(SLICE).await {
                Ok(Some(event)) => return Ok(step(false, to_js(&event)?)),
                Ok(None) => continue,
                Err(Error::Closed) => return Ok(step(true, JsValue::UNDEFINED)),
                Err(e) => return Err(errors::to_js(&e)),
            }
        }
    }

    /// Stops the stream (what `break` in `for await` calls).
    #[wasm_bindgen(
        js_name = "return",
        unchecked_return_type = "IteratorResult<TypedEvent, undefined>"
    )]
    pub async fn finish(&self) -> std::result::Result<JsValue, JsValue> {
        self.stopped.set(true);
        Ok(step(true, JsValue::UNDEFINED))
    }
}
