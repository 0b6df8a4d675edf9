//! `ImapClient`: the JS class, its plumbing, and the session commands (connect, capability,
//! noop, enable, compress, logout). Every other method lives in the file of its area
//! (`mailbox`, `message`, `search`, `condstore`, `access`, `auth`, `notify`), in its own
//! `#[wasm_bindgen] impl ImapClient` block, and goes through [`ImapClient::call`]: it reads the
//! call's `options` (`timeoutMs`, else the connection's default), converts the arguments,
//! awaits the Rust method and serialises its result (module `ser`).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

use super::args::{self, CallOptions, ConnectOptions, JsResult, js_err};
use super::read::FromJs;
use crate::wire::BridgeTarget;
use crate::{Error, ImapConnection};

/// The default time allowed per call when `connect` gets no `timeoutMs`.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs `future` as a JS promise. Every async method goes through this one (boxed, type-erased)
/// `future_to_promise`, instead of wasm-bindgen generating the promise glue once per `async`
/// method (measured: 26 KB smaller after wasm-opt, 10 KB gzipped). The conversion of the
/// result is a plain (non-`async`) future generic over the result type only, so that each
/// method's future is its own state machine and no wrapper state machine around it.
pub(crate) fn promise<T: IntoJs>(
    future: impl Future<Output = JsResult<T>> + 'static,
) -> js_sys::Promise {
    let future: Pin<Box<dyn Future<Output = JsResult<T>>>> = Box::pin(future);
    settle(Box::pin(Resolve(future)))
}

/// The one `future_to_promise` of the package.
#[inline(never)]
fn settle(future: Pin<Box<dyn Future<Output = JsResult<JsValue>>>>) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(future)
}

/// A method's future, its result converted to a JS value.
struct Resolve<T>(Pin<Box<dyn Future<Output = JsResult<T>>>>);

impl<T: IntoJs> Future for Resolve<T> {
    type Output = JsResult<JsValue>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.0.as_mut().poll(cx).map(|r| r.map(IntoJs::into_js))
    }
}

/// What a method's promise resolves with.
pub(crate) trait IntoJs: 'static {
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

pub(crate) fn strings(values: Vec<String>) -> js_sys::Array {
    values.into_iter().map(JsValue::from).collect()
}

/// Message numbers or UIDs as a `Uint32Array`.
pub(crate) fn numbers(values: Vec<u32>) -> js_sys::Uint32Array {
    js_sys::Uint32Array::from(&values[..])
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
    pub(crate) conn: ImapConnection,
}

/// Options that carry a `timeoutMs` for the call they are given to.
pub(crate) trait Timed: Tsify + FromJs + Default + 'static {
    /// The `timeoutMs` given, if any.
    fn timeout_ms(&self) -> Option<f64>;
}

impl Timed for CallOptions {
    fn timeout_ms(&self) -> Option<f64> {
        self.timeout_ms
    }
}

impl ImapClient {
    /// Runs one call as a promise: reads `options` (their `timeoutMs`, else the connection's
    /// default), then `f` with a handle on the connection, the options and the timeout. Every
    /// error — of the options, of `f`'s argument conversion, of the call — rejects the promise.
    /// The options are read before the future is made so that it is `f`'s alone: one state
    /// machine per method, as many as when each method spelled this out.
    pub(crate) fn call_with<O, R, Fut>(
        &self,
        options: Option<Ts<O>>,
        f: impl FnOnce(ImapConnection, O, Duration) -> Fut,
    ) -> js_sys::Promise
    where
        O: Timed,
        R: IntoJs,
        Fut: Future<Output = JsResult<R>> + 'static,
    {
        let read = args::read_opt(options.as_ref()).and_then(|o| {
            let t = args::duration(o.timeout_ms(), self.conn.default_timeout()).map_err(js_err)?;
            Ok((o, t))
        });
        match read {
            Ok((o, t)) => promise(f(self.conn.clone(), o, t)),
            Err(e) => js_sys::Promise::reject(&e),
        }
    }

    /// [`call_with`](Self::call_with) for the plain [`CallOptions`], which most methods take.
    pub(crate) fn call<R, Fut>(
        &self,
        options: Option<Ts<CallOptions>>,
        f: impl FnOnce(ImapConnection, Duration) -> Fut,
    ) -> js_sys::Promise
    where
        R: IntoJs,
        Fut: Future<Output = JsResult<R>> + 'static,
    {
        match self.start(options) {
            Ok((conn, t)) => promise(f(conn, t)),
            Err(rejected) => rejected,
        }
    }

    /// A handle on the connection and the `timeoutMs` of `options` (else the connection's
    /// default), or the promise rejected with why they are invalid. Kept out of the generic
    /// `call` so that it is not copied into each method (package size).
    fn start(
        &self,
        options: Option<Ts<CallOptions>>,
    ) -> Result<(ImapConnection, Duration), js_sys::Promise> {
        args::read_opt(options.as_ref())
            .and_then(|o| args::duration(o.timeout_ms, self.conn.default_timeout()).map_err(js_err))
            .map(|t| (self.conn.clone(), t))
            .map_err(|e| js_sys::Promise::reject(&e))
    }
}

/// One tolerated server quirk (`quirks()`): its stable name (e.g. `"bare-string-disposition"`),
/// the servers known to send it, the public report(s) that show it, and how many of this
/// connection's responses needed it.
#[derive(Debug, serde::Serialize, Tsify)]
pub struct QuirkCount {
    /// The quirk's stable name.
    pub name: String,
    /// The servers known to send it.
    pub servers: String,
    /// The public report(s) that show it.
    pub source: String,
    /// How many responses needed it.
    pub responses: f64,
}

#[wasm_bindgen]
impl ImapClient {
    /// Connects through the bridge and reads the server's greeting.
    pub async fn connect(options: Ts<ConnectOptions>) -> JsResult<ImapClient> {
        let o = args::read(&options)?;
        let timeout = args::duration(o.timeout_ms, DEFAULT_TIMEOUT).map_err(js_err)?;
        let target = match (&o.target, &o.host) {
            (Some(name), None) => BridgeTarget::named(name.as_str()).map_err(Error::from),
            (None, Some(host)) => {
                BridgeTarget::host(host.as_str(), o.port.unwrap_or(993)).map_err(Error::from)
            }
            _ => Err(Error::InvalidInput(
                "give either `host` (and `port`) or `target`".into(),
            )),
        }
        .map_err(js_err)?;
        let mut builder = ImapConnection::builder().default_timeout(timeout);
        if let Some(ticket) = o.ticket {
            builder = builder.bridge_ticket(ticket);
        }
        builder = match o.client_id {
            None => builder,
            Some(args::ClientIdOption::Send(send)) => builder.send_client_id(send),
            Some(args::ClientIdOption::Fields(fields)) => {
                let pairs: Vec<(&str, &str)> = fields
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                builder.client_id(&pairs).map_err(js_err)?
            }
        };
        let conn = builder
            .connect_via_bridge(&o.bridge_url, target, timeout)
            .await
            .map_err(js_err)?;
        Ok(ImapClient { conn })
    }

    /// The server's capabilities as last reported (upper-case names).
    pub fn capabilities(&self) -> Vec<String> {
        self.conn.capabilities().iter().map(str::to_owned).collect()
    }

    /// The extensions the server confirmed with `ENABLE` (upper-case names), e.g.
    /// `["IMAP4REV2", "UTF8=ACCEPT"]` after login on an IMAP4rev2 server.
    pub fn enabled(&self) -> Vec<String> {
        self.conn.enabled().iter().map(str::to_owned).collect()
    }

    /// The protocol version in force: `"IMAP4rev2"` once the server confirmed enabling it,
    /// else `"IMAP4rev1"`.
    #[wasm_bindgen(unchecked_return_type = "\"IMAP4rev1\" | \"IMAP4rev2\"")]
    pub fn dialect(&self) -> String {
        self.conn.enabled().dialect().to_string()
    }

    /// How many of the server's responses needed each tolerated deviation from the IMAP
    /// grammar (only those needed at least once), with the servers known to send it and the
    /// public report — to report a server bug upstream. As of the last completed command.
    #[wasm_bindgen(unchecked_return_type = "QuirkCount[]")]
    pub fn quirks(&self) -> JsResult<JsValue> {
        let counts: Vec<QuirkCount> = self
            .conn
            .quirks()
            .iter()
            .map(|(quirk, responses)| QuirkCount {
                name: quirk.name().to_owned(),
                servers: quirk.servers().to_owned(),
                source: quirk.source().to_owned(),
                responses: responses as f64,
            })
            .collect();
        super::ser::to_js(&counts)
    }

    /// Whether the connection is closed (after `logout`, BYE or a transport failure).
    #[wasm_bindgen(js_name = isClosed)]
    pub fn is_closed(&self) -> bool {
        self.conn.is_closed()
    }

    /// `CAPABILITY`: asks the server again.
    #[wasm_bindgen(unchecked_return_type = "Promise<string[]>")]
    pub fn capability(&self, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        self.call(options, |c, t| async move {
            c.capability(t).await.map_err(js_err).map(strings)
        })
    }

    /// `NOOP`: lets the server send pending updates (they arrive as events).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn noop(&self, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        self.call(
            options,
            |c, t| async move { c.noop(t).await.map_err(js_err) },
        )
    }

    /// `ENABLE`: returns what the server enabled.
    #[wasm_bindgen(unchecked_return_type = "Promise<string[]>")]
    pub fn enable(
        &self,
        extensions: Vec<String>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let names: Vec<&str> = extensions.iter().map(String::as_str).collect();
            c.enable(&names, t).await.map_err(js_err).map(strings)
        })
    }

    /// `COMPRESS DEFLATE`: compresses the rest of the session.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn compress(&self, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        self.call(options, |c, t| async move {
            c.compress(t).await.map_err(js_err)
        })
    }

    /// `LOGOUT`; the connection is closed afterwards.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn logout(&self) -> js_sys::Promise {
        let conn = self.conn.clone();
        promise(async move { conn.logout().await.map_err(js_err) })
    }
}

/// Exports a pair of methods that differ only in the flag they pass to one private
/// `$imp(flag, …)`: a command and its `UID` (or read-only, or LSUB) twin, `false` then `true`.
/// Each keeps its own doc, attributes and parameter names (the `.d.ts` shows them); the
/// parameter types are `$imp`'s, then the call options. Docs are written `#[doc = "…"]`:
/// wasm-bindgen copies a `///` that went through `macro_rules!` (a raw string) into the
/// `.d.ts` with its `r"` prefix.
macro_rules! twins {
    (
        $imp:ident($($ty:ty),*);
        $(#[$($a:tt)*])* fn $name:ident($($arg:ident),*);
        $(#[$($b:tt)*])* fn $twin:ident($($targ:ident),*);
    ) => {
        #[wasm_bindgen]
        impl ImapClient {
            $(#[$($a)*])*
            pub fn $name(
                &self,
                $($arg: $ty,)*
                options: Option<Ts<CallOptions>>,
            ) -> js_sys::Promise {
                self.$imp(false, $($arg,)* options)
            }

            $(#[$($b)*])*
            pub fn $twin(
                &self,
                $($targ: $ty,)*
                options: Option<Ts<CallOptions>>,
            ) -> js_sys::Promise {
                self.$imp(true, $($targ,)* options)
            }
        }
    };
}

pub(crate) use twins;
