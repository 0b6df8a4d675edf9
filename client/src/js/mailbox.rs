//! Mailbox methods: SELECT/EXAMINE, LIST/LSUB, LIST-EXTENDED (LIST-STATUS, SPECIAL-USE),
//! STATUS, CREATE (CREATE-SPECIAL-USE), DELETE, RENAME, SUBSCRIBE/UNSUBSCRIBE, UNSELECT, CLOSE.
//! Results are the crate's `SelectedMailbox`, `MailboxInfo`, `MailboxStatus`, `ListEntry`.

use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

use super::args::{self, CallOptions, JsResult, js_err};
use super::client::Timed;
use super::client::{ImapClient, twins};
use super::read::{FromJs, Read, js_object, named};
use super::ser::to_js;
use crate::types::{self as t, StatusAttr};

/// A STATUS item.
#[derive(Debug, Clone, Copy, Tsify)]
pub struct StatusItem(
    #[tsify(
        type = "\"messages\" | \"recent\" | \"uidNext\" | \"uidValidity\" | \"unseen\" | \"deleted\" | \"size\" | \"highestModSeq\" | \"appendLimit\" | \"mailboxId\""
    )]
    pub StatusAttr,
);

/// Options of `listExtended` (LIST-EXTENDED selection and RETURN options).
#[derive(Debug, Default, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ListExtendedOptions {
    /// Selection `SUBSCRIBED`.
    #[serde(default)]
    #[tsify(optional)]
    pub subscribed: bool,
    /// Selection `REMOTE`.
    #[serde(default)]
    #[tsify(optional)]
    pub remote: bool,
    /// Selection `RECURSIVEMATCH`.
    #[serde(default)]
    #[tsify(optional)]
    pub recursive_match: bool,
    /// Selection `SPECIAL-USE`.
    #[serde(default)]
    #[tsify(optional)]
    pub special_use: bool,
    /// `RETURN (SUBSCRIBED)`.
    #[serde(default)]
    #[tsify(optional)]
    pub return_subscribed: bool,
    /// `RETURN (CHILDREN)`.
    #[serde(default)]
    #[tsify(optional)]
    pub return_children: bool,
    /// `RETURN (SPECIAL-USE)`.
    #[serde(default)]
    #[tsify(optional)]
    pub return_special_use: bool,
    /// `RETURN (STATUS (…))` (LIST-STATUS).
    #[serde(default)]
    #[tsify(optional)]
    pub return_status: Vec<StatusItem>,
    /// Time allowed for this call (milliseconds).
    #[tsify(optional)]
    pub timeout_ms: Option<f64>,
}

impl Timed for ListExtendedOptions {
    fn timeout_ms(&self) -> Option<f64> {
        self.timeout_ms
    }
}

impl ImapClient {
    fn select_impl(
        &self,
        read_only: bool,
        mailbox: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let s = if read_only {
                c.examine(mailbox, t).await
            } else {
                c.select(mailbox, t).await
            };
            to_js(&s.map_err(js_err)?)
        })
    }

    fn list_impl(
        &self,
        lsub: bool,
        reference: String,
        pattern: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let found = if lsub {
                c.lsub(&reference, &pattern, t).await
            } else {
                c.list(&reference, &pattern, t).await
            };
            to_js(&found.map_err(js_err)?)
        })
    }
}

#[wasm_bindgen]
impl ImapClient {
    /// `STATUS mailbox (items)`.
    #[wasm_bindgen(unchecked_return_type = "Promise<MailboxStatus>")]
    pub fn status(
        &self,
        mailbox: String,
        items: Vec<Ts<StatusItem>>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let attrs = items
                .iter()
                .map(|i| args::read(i).map(|i| i.0))
                .collect::<JsResult<Vec<_>>>()?;
            let s = c.status(mailbox, &attrs, t).await.map_err(js_err)?;
            to_js(&s)
        })
    }

    /// `CREATE mailbox`.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn create(&self, mailbox: String, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            c.create(mailbox, t).await.map_err(js_err)
        })
    }

    /// `DELETE mailbox`.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn delete(&self, mailbox: String, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            c.delete(mailbox, t).await.map_err(js_err)
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
        self.call(options, move |c, t| async move {
            c.rename(from, to, t).await.map_err(js_err)
        })
    }

    /// `SUBSCRIBE mailbox`.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn subscribe(&self, mailbox: String, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            c.subscribe(mailbox, t).await.map_err(js_err)
        })
    }

    /// `UNSUBSCRIBE mailbox`.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn unsubscribe(
        &self,
        mailbox: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            c.unsubscribe(mailbox, t).await.map_err(js_err)
        })
    }

    /// `UNSELECT`: leaves the mailbox without expunging.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn unselect(&self, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        self.call(options, |c, t| async move {
            c.unselect(t).await.map_err(js_err)
        })
    }

    /// `CLOSE`: expunges `\Deleted` messages silently and leaves the mailbox.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn close(&self, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        self.call(
            options,
            |c, t| async move { c.close(t).await.map_err(js_err) },
        )
    }

    /// `LIST (selection) reference (patterns) RETURN (…)` (RFC 5258, LIST-STATUS RFC 5819).
    #[wasm_bindgen(js_name = listExtended, unchecked_return_type = "Promise<ListEntry[]>")]
    pub fn list_extended(
        &self,
        reference: String,
        patterns: Vec<String>,
        options: Option<Ts<ListExtendedOptions>>,
    ) -> js_sys::Promise {
        self.call_with(options, move |c, o, t| async move {
            let mut l = crate::types::ListOptions::new();
            for (on, f) in [
                (o.subscribed, t::ListOptions::subscribed as fn(_) -> _),
                (o.remote, t::ListOptions::remote),
                (o.recursive_match, t::ListOptions::recursive_match),
                (o.special_use, t::ListOptions::special_use),
                (o.return_subscribed, t::ListOptions::return_subscribed),
                (o.return_children, t::ListOptions::return_children),
                (o.return_special_use, t::ListOptions::return_special_use),
            ] {
                if on {
                    l = f(l);
                }
            }
            if !o.return_status.is_empty() {
                let attrs: Vec<_> = o.return_status.iter().map(|s| s.0).collect();
                l = l.return_status(&attrs);
            }
            let patterns: Vec<&str> = patterns.iter().map(String::as_str).collect();
            let found = c
                .list_extended(&reference, &patterns, &l, t)
                .await
                .map_err(js_err)?;
            to_js(&found)
        })
    }

    /// The mailboxes with a special use (`\Sent`, `\Trash`, …; RFC 6154).
    #[wasm_bindgen(js_name = listSpecialUse, unchecked_return_type = "Promise<MailboxInfo[]>")]
    pub fn list_special_use(&self, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let found = c.list_special_use(t).await.map_err(js_err)?;
            to_js(&found)
        })
    }

    /// `CREATE mailbox (USE (…))` (CREATE-SPECIAL-USE).
    #[wasm_bindgen(js_name = createSpecialUse, unchecked_return_type = "Promise<void>")]
    pub fn create_special_use(
        &self,
        mailbox: String,
        uses: Vec<Ts<crate::types::SpecialUse>>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let uses = uses.iter().map(args::read).collect::<JsResult<Vec<_>>>()?;
            c.create_special_use(mailbox, &uses, t)
                .await
                .map_err(js_err)
        })
    }
}

twins! {
    select_impl(String);
    #[doc = " `SELECT`: opens a mailbox read-write."]
    #[wasm_bindgen(unchecked_return_type = "Promise<SelectedMailbox>")]
    fn select(mailbox);
    #[doc = " `EXAMINE`: opens a mailbox read-only."]
    #[wasm_bindgen(unchecked_return_type = "Promise<SelectedMailbox>")]
    fn examine(mailbox);
}

twins! {
    list_impl(String, String);
    #[doc = " `LIST reference pattern` (`*` matches across levels, `%` within one)."]
    #[wasm_bindgen(unchecked_return_type = "Promise<MailboxInfo[]>")]
    fn list(reference, pattern);
    #[doc = " `LSUB reference pattern` (IMAP4rev1)."]
    #[wasm_bindgen(unchecked_return_type = "Promise<MailboxInfo[]>")]
    fn lsub(reference, pattern);
}

impl FromJs for StatusItem {
    /// The core's names, case-insensitive: `"uidNext"` is `UIDNEXT`.
    fn from_js(v: &JsValue) -> Read<Self> {
        named(v, "status item", |n| {
            StatusAttr::ALL
                .into_iter()
                .find(|a| a.as_str().eq_ignore_ascii_case(n))
        })
        .map(Self)
    }
}

impl FromJs for crate::types::SpecialUse {
    fn from_js(v: &JsValue) -> Read<Self> {
        named(v, "special use", Self::from_name)
    }
}

js_object!(ListExtendedOptions {
    subscribed: "subscribed" = default,
    remote: "remote" = default,
    recursive_match: "recursiveMatch" = default,
    special_use: "specialUse" = default,
    return_subscribed: "returnSubscribed" = default,
    return_children: "returnChildren" = default,
    return_special_use: "returnSpecialUse" = default,
    return_status: "returnStatus" = default,
    timeout_ms: "timeoutMs",
});
