//! CONDSTORE / QRESYNC (RFC 7162) and partial FETCH: ENABLE, SELECT/EXAMINE with QRESYNC,
//! FETCH CHANGEDSINCE, STORE UNCHANGEDSINCE, and `BODY.PEEK[section]<offset.count>`. Results
//! are the crate's `ResyncedMailbox`, `ChangedSince`, `FetchResponse`, `StoreResult`.

use std::num::NonZeroU32;

use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

use super::args::{self, CallOptions, JsResult, js_err};
use super::args::{FetchItem, SequenceSetArg, StoreMode};
use super::client::{ImapClient, twins};
use super::errors;
use super::read::js_object;
use super::ser::to_js;
use crate::types::QResyncParams;
use crate::types::{ModSeq, Section};

/// A JS number as a MODSEQ (a non-negative integer up to 2^53).
pub(crate) fn mod_seq(n: f64) -> JsResult<ModSeq> {
    if !(0.0..=9_007_199_254_740_992.0).contains(&n) || n.fract() != 0.0 {
        return Err(errors::invalid("a mod-sequence must be a whole number ≥ 0"));
    }
    ModSeq::new(n as u64).map_err(js_err)
}

/// What the client knows of a mailbox, for `selectQresync` (RFC 7162).
#[derive(Debug, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct QresyncParams {
    /// The UIDVALIDITY the client saw.
    pub uid_validity: u32,
    /// The HIGHESTMODSEQ the client saw.
    pub mod_seq: f64,
    /// The UIDs the client knows (default: all).
    #[tsify(optional)]
    pub known_uids: Option<SequenceSetArg>,
}

impl ImapClient {
    fn qresync_impl(
        &self,
        read_only: bool,
        mailbox: String,
        params: Ts<QresyncParams>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let p = args::read(&params)?;
            let params = QResyncParams {
                uid_validity: NonZeroU32::new(p.uid_validity)
                    .ok_or_else(|| errors::invalid("uidValidity must not be 0"))?,
                mod_seq: mod_seq(p.mod_seq)?,
                known_uids: match p.known_uids {
                    Some(set) => Some(set.to_set().map_err(js_err)?),
                    None => None,
                },
                seq_match: None,
            };
            let r = if read_only {
                c.examine_qresync(mailbox, &params, t).await
            } else {
                c.select_qresync(mailbox, &params, t).await
            }
            .map_err(js_err)?;
            to_js(&r)
        })
    }
}

#[wasm_bindgen]
impl ImapClient {
    /// `ENABLE CONDSTORE` (RFC 7162): MODSEQ in FETCH and SELECT from now on.
    #[wasm_bindgen(js_name = enableCondstore, unchecked_return_type = "Promise<void>")]
    pub fn enable_condstore(&self, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            c.enable_condstore(t).await.map_err(js_err)
        })
    }

    /// `ENABLE QRESYNC` (RFC 7162): needed before `selectQresync`.
    #[wasm_bindgen(js_name = enableQresync, unchecked_return_type = "Promise<void>")]
    pub fn enable_qresync(&self, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            c.enable_qresync(t).await.map_err(js_err)
        })
    }

    /// `FETCH set (items) (CHANGEDSINCE modSeq)` (CONDSTORE).
    #[wasm_bindgen(js_name = fetchChangedSince, unchecked_return_type = "Promise<FetchResponse[]>")]
    pub fn fetch_changed_since(
        &self,
        set: Ts<SequenceSetArg>,
        items: Vec<Ts<FetchItem>>,
        changed_since: f64,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let (set, attrs, m) = (
                args::seq_set(&set)?,
                args::attrs(&items)?,
                mod_seq(changed_since)?,
            );
            let found = c
                .fetch_changed_since(&set, &attrs, m, t)
                .await
                .map_err(js_err)?;
            to_js(&found)
        })
    }

    /// `UID FETCH uids (items) (CHANGEDSINCE modSeq [VANISHED])`; `vanished` (QRESYNC) also
    /// reports the UIDs expunged since.
    #[wasm_bindgen(js_name = uidFetchChangedSince, unchecked_return_type = "Promise<ChangedSince>")]
    pub fn uid_fetch_changed_since(
        &self,
        uids: Ts<SequenceSetArg>,
        items: Vec<Ts<FetchItem>>,
        changed_since: f64,
        vanished: bool,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let (set, attrs, m) = (
                args::seq_set(&uids)?,
                args::attrs(&items)?,
                mod_seq(changed_since)?,
            );
            let r = c
                .uid_fetch_changed_since(&set, &attrs, m, vanished, t)
                .await
                .map_err(js_err)?;
            to_js(&r)
        })
    }

    /// `STORE set (UNCHANGEDSINCE modSeq) ±FLAGS (flags)` (CONDSTORE); messages changed since
    /// are left alone and listed in `modified`.
    #[wasm_bindgen(js_name = storeUnchangedSince, unchecked_return_type = "Promise<StoreResult>")]
    pub fn store_unchanged_since(
        &self,
        set: Ts<SequenceSetArg>,
        mode: Ts<StoreMode>,
        flags: Vec<String>,
        unchanged_since: f64,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let (set, kind) = (args::seq_set(&set)?, args::read(&mode)?.kind());
            let flags = args::flags(&flags).map_err(js_err)?;
            let r = c
                .store_unchanged_since(&set, kind, &flags, mod_seq(unchanged_since)?, t)
                .await
                .map_err(js_err)?;
            to_js(&r)
        })
    }

    /// `UID FETCH uid (BODY.PEEK[section]<offset.count>)`: `count` bytes of one section from
    /// `offset` (e.g. section `""` for the whole message, `"1"`, `"TEXT"`); `undefined` when
    /// the message is gone.
    #[wasm_bindgen(
        js_name = uidFetchPartial,
        unchecked_return_type = "Promise<Uint8Array | undefined>"
    )]
    pub fn uid_fetch_partial(
        &self,
        uid: u32,
        section: String,
        offset: u32,
        count: u32,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let section = Section::parse(&section).map_err(js_err)?;
            let count =
                NonZeroU32::new(count).ok_or_else(|| errors::invalid("count must not be 0"))?;
            let data = c
                .uid_fetch_partial(uid, &section, offset, count, t)
                .await
                .map_err(js_err)?;
            Ok(data.map_or(JsValue::UNDEFINED, |d| {
                js_sys::Uint8Array::from(&d[..]).into()
            }))
        })
    }
}

twins! {
    qresync_impl(String, Ts<QresyncParams>);
    #[doc = " `SELECT mailbox (QRESYNC (…))`: opens the mailbox and reports what changed since"]
    #[doc = " `params.modSeq` (vanished UIDs and changed flags) in one round trip."]
    #[wasm_bindgen(js_name = selectQresync, unchecked_return_type = "Promise<ResyncedMailbox>")]
    fn select_qresync(mailbox, params);
    #[doc = " `EXAMINE mailbox (QRESYNC (…))`: like `selectQresync`, read-only."]
    #[wasm_bindgen(js_name = examineQresync, unchecked_return_type = "Promise<ResyncedMailbox>")]
    fn examine_qresync(mailbox, params);
}

js_object!(QresyncParams {
    uid_validity: "uidValidity",
    mod_seq: "modSeq",
    known_uids: "knownUids",
});
