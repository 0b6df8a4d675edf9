//! Server changes as they happen: NOTIFY (RFC 5465), IDLE (with an `AbortSignal`), and the
//! event queue (`drainEvents`, `nextEvent`, the `events()` async iterator). Events are the
//! crate's `TypedEvent`; IDLE resolves with its `IdleEvent`.

use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

use super::args::{self, CallOptions, JsResult, js_err};
use super::args::{FetchItem, fetch_attrs};
use super::client::ImapClient;
use super::client::promise;
use super::errors::{self, invalid};
use super::read::{FromJs, Read, data, field, js_object, object, unknown, variant};
use super::ser::to_js;
use super::stream::EventStream;
use crate::Result;
use crate::types::{IdleEvent, MailboxName};
use crate::types::{MailboxFilter, NotifyEvent, NotifyEventGroup, NotifySetParams};

/// The default wait of `idle()` without `timeoutMs`: under servers' 30-minute IDLE limit.
const DEFAULT_IDLE: Duration = Duration::from_secs(29 * 60);

/// Options of `ImapClient.idle`. The `signal` ends IDLE early: the promise then rejects with
/// code `"ABORTED"` (after DONE was sent, so the connection stays usable).
#[derive(Debug, Default, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct IdleOptions {
    /// How long to wait for a change (milliseconds, default 29 minutes); resolves with
    /// `{ kind: "timeout" }` when the time is up.
    #[tsify(optional)]
    pub timeout_ms: Option<f64>,
    /// Aborts the IDLE.
    #[tsify(optional, type = "AbortSignal")]
    pub signal: Option<web_sys::AbortSignal>,
}

/// What NOTIFY SET asks for.
#[derive(Debug, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct NotifyParams {
    /// Report the status of every matching mailbox first (`NOTIFY SET STATUS`).
    #[serde(default)]
    #[tsify(optional)]
    pub status: bool,
    /// Which events for which mailboxes; empty sends `NOTIFY NONE`.
    pub groups: Vec<NotifyGroup>,
}

/// One `(filter (events))` group of NOTIFY SET.
#[derive(Debug, Tsify)]
pub struct NotifyGroup {
    /// Which mailboxes.
    pub filter: NotifyFilter,
    /// Which events.
    pub events: Vec<NotifyEventName>,
}

/// NOTIFY mailbox filters.
#[derive(Debug, Tsify)]
#[serde(rename_all = "camelCase")]
pub enum NotifyFilter {
    /// `SELECTED`
    Selected,
    /// `SELECTED-DELAYED`
    SelectedDelayed,
    /// `INBOXES`
    Inboxes,
    /// `PERSONAL`
    Personal,
    /// `SUBSCRIBED`
    Subscribed,
    /// `SUBTREE (names)`
    Subtree(Vec<String>),
    /// `MAILBOXES (names)`
    Mailboxes(Vec<String>),
}

/// NOTIFY events.
#[derive(Debug, Tsify)]
#[serde(rename_all = "camelCase")]
pub enum NotifyEventName {
    /// `MessageNew`
    MessageNew,
    /// `MessageNew (fetch items)`
    MessageNewFetch(Vec<FetchItem>),
    /// `MessageExpunge`
    MessageExpunge,
    /// `FlagChange`
    FlagChange,
    /// `AnnotationChange`
    AnnotationChange,
    /// `MailboxName`
    MailboxName,
    /// `SubscriptionChange`
    SubscriptionChange,
    /// `MailboxMetadataChange`
    MailboxMetadataChange,
    /// `ServerMetadataChange`
    ServerMetadataChange,
}

impl NotifyParams {
    pub(crate) fn to_params(&self) -> Result<NotifySetParams> {
        let names = |ns: &[String]| {
            ns.iter()
                .map(|n| MailboxName::new(n))
                .collect::<std::result::Result<Vec<_>, _>>()
        };
        let groups = self
            .groups
            .iter()
            .map(|g| {
                let filter = match &g.filter {
                    NotifyFilter::Selected => MailboxFilter::Selected,
                    NotifyFilter::SelectedDelayed => MailboxFilter::SelectedDelayed,
                    NotifyFilter::Inboxes => MailboxFilter::Inboxes,
                    NotifyFilter::Personal => MailboxFilter::Personal,
                    NotifyFilter::Subscribed => MailboxFilter::Subscribed,
                    NotifyFilter::Subtree(ns) => MailboxFilter::Subtree(names(ns)?),
                    NotifyFilter::Mailboxes(ns) => MailboxFilter::Mailboxes(names(ns)?),
                };
                let events = g
                    .events
                    .iter()
                    .map(|e| {
                        Ok(match e {
                            NotifyEventName::MessageNew => NotifyEvent::MessageNew {
                                fetch_attrs: Vec::new(),
                            },
                            NotifyEventName::MessageNewFetch(items) => NotifyEvent::MessageNew {
                                fetch_attrs: fetch_attrs(items)?,
                            },
                            NotifyEventName::MessageExpunge => NotifyEvent::MessageExpunge,
                            NotifyEventName::FlagChange => NotifyEvent::FlagChange,
                            NotifyEventName::AnnotationChange => NotifyEvent::AnnotationChange,
                            NotifyEventName::MailboxName => NotifyEvent::MailboxName,
                            NotifyEventName::SubscriptionChange => NotifyEvent::SubscriptionChange,
                            NotifyEventName::MailboxMetadataChange => {
                                NotifyEvent::MailboxMetadataChange
                            }
                            NotifyEventName::ServerMetadataChange => {
                                NotifyEvent::ServerMetadataChange
                            }
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok(NotifyEventGroup::new(filter, events))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(NotifySetParams::new(groups, self.status))
    }
}

#[wasm_bindgen]
impl ImapClient {
    /// `NOTIFY SET`: which changes the server reports, for which mailboxes; they arrive as
    /// events (and end `idle`). An empty `groups` sends `NOTIFY NONE`.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn notify(
        &self,
        params: Ts<NotifyParams>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let params = args::read(&params)?.to_params().map_err(js_err)?;
            c.notify_set(params, t).await.map_err(js_err)
        })
    }

    /// `NOTIFY NONE`.
    #[wasm_bindgen(js_name = notifyNone, unchecked_return_type = "Promise<void>")]
    pub fn notify_none(&self, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        self.call(options, |c, t| async move {
            c.notify_none(t).await.map_err(js_err)
        })
    }

    /// `IDLE`: waits for the server to report a change and resolves with it (or with
    /// `{ kind: "timeout" }`). Aborting `options.signal` ends IDLE (DONE is sent) and rejects
    /// with `code: "ABORTED"`; the connection stays usable.
    #[wasm_bindgen(unchecked_return_type = "Promise<IdleEvent>")]
    pub fn idle(&self, options: Option<Ts<IdleOptions>>) -> js_sys::Promise {
        let conn = self.conn.clone();
        promise(async move {
            let o = args::read_opt(options.as_ref())?;
            let timeout = args::duration(o.timeout_ms, DEFAULT_IDLE).map_err(js_err)?;
            let cancel = CancellationToken::new();
            let _listener = match &o.signal {
                Some(signal) => Some(AbortListener::attach(signal, cancel.clone())?),
                None => None,
            };
            let event = conn.idle(timeout, cancel).await.map_err(js_err)?;
            match event {
                IdleEvent::Cancelled => Err(errors::aborted("IDLE")),
                event => to_js(&event),
            }
        })
    }

    /// Every event queued so far, oldest first (never waits).
    #[wasm_bindgen(js_name = drainEvents, unchecked_return_type = "Promise<TypedEvent[]>")]
    pub fn drain_events(&self) -> js_sys::Promise {
        let conn = self.conn.clone();
        promise(async move { to_js(&conn.drain_events().await) })
    }

    /// The next event, waiting at most `timeoutMs`; `undefined` when the time is up.
    #[wasm_bindgen(js_name = nextEvent, unchecked_return_type = "Promise<TypedEvent | undefined>")]
    pub fn next_event(&self, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        self.call(options, |c, t| async move {
            match c.next_event(t).await.map_err(js_err)? {
                Some(event) => to_js(&event),
                None => Ok(JsValue::UNDEFINED),
            }
        })
    }

    /// Events as they arrive: `for await (const event of client.events()) { … }`. Ends when
    /// the connection closes, or on `break`.
    #[wasm_bindgen(unchecked_return_type = "AsyncIterableIterator<TypedEvent, undefined>")]
    pub fn events(&self) -> JsValue {
        EventStream::start(self.conn.clone())
    }
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

impl FromJs for IdleOptions {
    fn from_js(v: &JsValue) -> Read<Self> {
        let o = object(v)?;
        let signal: Option<JsValue> = field(o, "signal")?;
        Ok(Self {
            timeout_ms: field(o, "timeoutMs")?,
            signal: match signal {
                None => None,
                Some(s) => Some(
                    s.dyn_into()
                        .map_err(|_| invalid("`signal` is not an AbortSignal"))?,
                ),
            },
        })
    }
}

js_object!(NotifyParams {
    status: "status" = default,
    groups: "groups"
});

js_object!(NotifyGroup {
    filter: "filter",
    events: "events"
});

impl FromJs for NotifyFilter {
    fn from_js(v: &JsValue) -> Read<Self> {
        let (name, value) = variant(v)?;
        Ok(match name.as_str() {
            "selected" => Self::Selected,
            "selectedDelayed" => Self::SelectedDelayed,
            "inboxes" => Self::Inboxes,
            "personal" => Self::Personal,
            "subscribed" => Self::Subscribed,
            "subtree" => Self::Subtree(data(value, &name)?),
            "mailboxes" => Self::Mailboxes(data(value, &name)?),
            _ => return Err(unknown("NOTIFY filter", &name)),
        })
    }
}

impl FromJs for NotifyEventName {
    fn from_js(v: &JsValue) -> Read<Self> {
        let (name, value) = variant(v)?;
        Ok(match name.as_str() {
            "messageNew" => Self::MessageNew,
            "messageNewFetch" => Self::MessageNewFetch(data(value, &name)?),
            "messageExpunge" => Self::MessageExpunge,
            "flagChange" => Self::FlagChange,
            "annotationChange" => Self::AnnotationChange,
            "mailboxName" => Self::MailboxName,
            "subscriptionChange" => Self::SubscriptionChange,
            "mailboxMetadataChange" => Self::MailboxMetadataChange,
            "serverMetadataChange" => Self::ServerMetadataChange,
            _ => return Err(unknown("NOTIFY event", &name)),
        })
    }
}
