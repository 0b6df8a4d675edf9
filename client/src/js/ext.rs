//! `ImapClient` methods for the IMAP extensions: ESEARCH, SORT/ESORT, THREAD, LIST-EXTENDED,
//! SPECIAL-USE, NAMESPACE, CONDSTORE/QRESYNC, MULTIAPPEND, APPENDLIMIT, PARTIAL, ACL, QUOTA,
//! METADATA, the SASL mechanisms, UNAUTHENTICATE and ID. Same shape as `client`: arguments
//! from JS (the types below), the Rust call, the result as a plain JS object.
//!
//! Kept small on purpose (package size): no protocol logic, and results reuse the types of
//! `types` where the Rust API returns the same data.

use std::num::NonZeroU32;

use serde::Serialize;
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

use super::args::{self, CallOptions, FetchItem, SearchKey, SequenceSetArg, StatusItem, StoreMode};
use super::client::{
    ImapClient, JsResult, attrs, js_err, list, list_of, numbers, seq_set, ts, twins,
};
use super::errors;
use super::read::{FromJs, Read, js_object, named, unit_enum};
use super::types::{
    AppendResult, FetchedMessage, MailboxInfo, MailboxStatus, NumberRange, SelectedMailbox,
    StoreResult, ranges,
};
use crate::AppendMessage;
use crate::types::response as r;
use crate::types::{self as t, ModSeq, Section};
use crate::types::{AclModification, AclRights, GetMetadataOptions, MetadataDepth, QResyncParams};

/// A JS number as a MODSEQ (a non-negative integer up to 2^53).
fn mod_seq(n: f64) -> JsResult<ModSeq> {
    if !(0.0..=9_007_199_254_740_992.0).contains(&n) || n.fract() != 0.0 {
        return Err(errors::invalid("a mod-sequence must be a whole number ≥ 0"));
    }
    ModSeq::new(n as u64).map_err(js_err)
}

/// A message given as a `Uint8Array` or a string (sent as UTF-8).
pub(super) fn message_bytes(message: &JsValue) -> JsResult<Vec<u8>> {
    if let Some(text) = message.as_string() {
        Ok(text.into_bytes())
    } else if let Some(bytes) = message.dyn_ref::<js_sys::Uint8Array>() {
        Ok(bytes.to_vec())
    } else {
        Err(errors::invalid(
            "a message must be a Uint8Array or a string",
        ))
    }
}

fn js_bytes(bytes: &[u8]) -> JsValue {
    js_sys::Uint8Array::from(bytes).into()
}

/// What ESEARCH / ESORT return (`RETURN (…)`).
#[derive(Debug, Clone, Copy, Tsify)]
#[serde(rename_all = "camelCase")]
pub enum SearchReturn {
    /// `MIN`: the lowest match.
    Min,
    /// `MAX`: the highest match.
    Max,
    /// `ALL`: every match, as ranges.
    All,
    /// `COUNT`: the number of matches.
    Count,
    /// `SAVE` (SEARCHRES): keep the result on the server for `"$"`.
    Save,
}

fn returns(items: &[Ts<SearchReturn>]) -> JsResult<Vec<crate::types::SearchReturnOption>> {
    use crate::types::SearchReturnOption as O;
    items
        .iter()
        .map(|i| {
            Ok(match args::read(i)? {
                SearchReturn::Min => O::Min,
                SearchReturn::Max => O::Max,
                SearchReturn::All => O::All,
                SearchReturn::Count => O::Count,
                SearchReturn::Save => O::Save,
            })
        })
        .collect()
}

/// The result of ESEARCH / ESORT: only what was asked for (and found) is present.
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ESearchResult {
    /// The numbers are UIDs.
    pub uid: bool,
    /// `MIN`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<u32>,
    /// `MAX`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
    /// `COUNT`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// `ALL`, as ranges (in the server's order for ESORT).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all: Option<Vec<NumberRange>>,
    /// `MODSEQ` (CONDSTORE).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mod_seq: Option<f64>,
}

fn esearch_result(e: &t::ESearchResult) -> JsResult<JsValue> {
    super::stream::to_js(&ESearchResult {
        uid: e.uid,
        min: e.min,
        max: e.max,
        count: e.count,
        all: e.all.as_deref().map(ranges),
        mod_seq: e.modseq.map(|m| m as f64),
    })
}

/// A SORT key.
#[derive(Debug, Clone, Copy, Tsify)]
pub struct SortKeyName(
    #[tsify(
        type = "\"arrival\" | \"cc\" | \"date\" | \"from\" | \"size\" | \"subject\" | \"to\" | \"displayFrom\" | \"displayTo\""
    )]
    pub crate::types::SortKey,
);

/// One SORT criterion: `{ key: "date", reverse: true }`.
#[derive(Debug, Tsify)]
pub struct SortBy {
    /// What to sort by.
    pub key: SortKeyName,
    /// Descending.
    #[serde(default)]
    #[tsify(optional)]
    pub reverse: bool,
}

fn criteria(items: &[Ts<SortBy>]) -> JsResult<Vec<crate::types::SortCriterion>> {
    items
        .iter()
        .map(|i| {
            let s = args::read(i)?;
            Ok(crate::types::SortCriterion {
                reverse: s.reverse,
                key: s.key.0,
            })
        })
        .collect()
}

/// A THREAD algorithm.
#[derive(Debug, Clone, Copy, Tsify)]
#[serde(rename_all = "camelCase")]
pub enum ThreadAlgorithmName {
    /// `ORDEREDSUBJECT`
    OrderedSubject,
    /// `REFERENCES`
    References,
    /// `REFS`
    Refs,
}

/// One thread: `members` is a chain (each the parent of the next), `children` the
/// sub-threads of the last member.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct Thread {
    /// Message numbers (or UIDs), parent first.
    pub members: Vec<u32>,
    /// Replies to the last member.
    pub children: Vec<Thread>,
}

fn thread(t: &r::Thread) -> Thread {
    Thread {
        members: t.members.clone(),
        children: t.children.iter().map(thread).collect(),
    }
}

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

/// One `listExtended` entry: the mailbox, and its STATUS when asked for.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct ListEntry {
    /// The LIST data.
    pub info: MailboxInfo,
    /// The STATUS data (`returnStatus`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<MailboxStatus>,
}

/// A special use (RFC 6154), for `createSpecialUse`.
#[derive(Debug, Clone, Copy, Tsify)]
#[serde(rename_all = "camelCase")]
pub enum SpecialUseName {
    /// `\All`
    All,
    /// `\Archive`
    Archive,
    /// `\Drafts`
    Drafts,
    /// `\Flagged`
    Flagged,
    /// `\Junk`
    Junk,
    /// `\Sent`
    Sent,
    /// `\Trash`
    Trash,
    /// `\Important` (RFC 8457)
    Important,
}

/// One NAMESPACE entry.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct NamespaceEntry {
    /// The prefix, e.g. `""` or `"Other Users/"`.
    pub prefix: String,
    /// The hierarchy delimiter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
}

/// The result of NAMESPACE.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct Namespaces {
    /// The user's own mailboxes.
    pub personal: Vec<NamespaceEntry>,
    /// Other users' mailboxes.
    pub other: Vec<NamespaceEntry>,
    /// Shared mailboxes.
    pub shared: Vec<NamespaceEntry>,
}

fn namespaces(d: &[r::NamespaceDescr]) -> Vec<NamespaceEntry> {
    d.iter()
        .map(|d| NamespaceEntry {
            prefix: d.prefix.clone(),
            delimiter: d.delimiter.map(String::from),
        })
        .collect()
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

/// The result of `selectQresync`: the mailbox and what changed since `modSeq`.
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ResyncedMailbox {
    /// The mailbox (as from `select`).
    pub mailbox: SelectedMailbox,
    /// UIDs expunged since (VANISHED (EARLIER)).
    pub vanished: Vec<NumberRange>,
    /// Messages changed since: UID, FLAGS, MODSEQ.
    pub changed: Vec<FetchedMessage>,
    /// The previously selected mailbox was closed (`[CLOSED]`).
    pub closed_previous: bool,
}

/// The result of `uidFetchChangedSince`.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct ChangedSince {
    /// Messages changed since the mod-sequence.
    pub messages: Vec<FetchedMessage>,
    /// UIDs expunged since (with `vanished: true`, QRESYNC).
    pub vanished: Vec<NumberRange>,
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

/// One ACL entry.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct AclEntry {
    /// Who (a user or group).
    pub identifier: String,
    /// Their rights, e.g. `"lrswipkxtecda"`.
    pub rights: String,
}

/// The result of `listRights`.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct ListRights {
    /// Rights always granted.
    pub required: String,
    /// Rights that can be granted, in groups.
    pub optional: Vec<String>,
}

/// One QUOTA resource.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct QuotaResource {
    /// `STORAGE` (KiB), `MESSAGE`, …
    pub name: String,
    /// Current usage.
    pub usage: f64,
    /// Limit.
    pub limit: f64,
}

/// A quota root and its resources.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct Quota {
    /// The quota root.
    pub root: String,
    /// Its resources.
    pub resources: Vec<QuotaResource>,
}

fn quota(q: &r::Quota) -> Quota {
    Quota {
        root: q.root.clone(),
        resources: q
            .resources
            .iter()
            .map(|r| QuotaResource {
                name: r.name.clone(),
                usage: r.usage as f64,
                limit: r.limit as f64,
            })
            .collect(),
    }
}

/// The result of `getQuotaRoot`.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct QuotaRoots {
    /// The mailbox's quota roots.
    pub roots: Vec<String>,
    /// Their quotas.
    pub quotas: Vec<Quota>,
}

/// A limit for `setQuota`.
#[derive(Debug, Tsify)]
pub struct QuotaLimit {
    /// The resource, e.g. `"STORAGE"`.
    pub resource: String,
    /// Its new limit.
    pub limit: f64,
}

/// Options of `getMetadata`.
#[derive(Debug, Default, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct MetadataOptions {
    /// `MAXSIZE`: only values up to this many bytes.
    #[tsify(optional)]
    pub max_size: Option<u32>,
    /// `DEPTH`: `"0"` (default), `"1"` or `"infinity"`.
    #[tsify(optional, type = "\"0\" | \"1\" | \"infinity\"")]
    pub depth: Option<String>,
    /// Time allowed for this call (milliseconds).
    #[tsify(optional)]
    pub timeout_ms: Option<f64>,
}

/// One METADATA entry.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct MetadataValue {
    /// The entry, e.g. `"/private/comment"`.
    pub name: String,
    /// Its value (`undefined`: NIL, the entry is not set).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(type = "Uint8Array")]
    pub value: Option<super::types::Bytes>,
}

/// The result of `getMetadata`.
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct MetadataValues {
    /// The entries found.
    pub entries: Vec<MetadataValue>,
    /// `[METADATA LONGENTRIES n]`: the largest value left out by `maxSize`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub long_entries: Option<f64>,
}

/// One entry for `setMetadata`; `value: null` removes it.
#[derive(Debug, Tsify)]
pub struct MetadataSet {
    /// The entry, e.g. `"/private/comment"`.
    pub name: String,
    /// The new value (`Uint8Array`, or a string stored as UTF-8); `null` removes the entry.
    #[tsify(type = "Uint8Array | string | null")]
    pub value: JsValue,
}

/// `ID` parameters: `[name, value]` pairs (RFC 2971).
#[derive(Debug, Default, Serialize, Tsify)]
pub struct IdFields(pub Vec<(String, Option<String>)>);

unit_enum!(SearchReturn, "search return option", {
    "min" => Min,
    "max" => Max,
    "all" => All,
    "count" => Count,
    "save" => Save,
});

impl FromJs for SortKeyName {
    /// The core's names, case-insensitive: `"displayFrom"` is `DISPLAYFROM`.
    fn from_js(v: &JsValue) -> Read<Self> {
        named(v, "sort key", crate::types::SortKey::from_name).map(Self)
    }
}

unit_enum!(ThreadAlgorithmName, "thread algorithm", {
    "orderedSubject" => OrderedSubject,
    "references" => References,
    "refs" => Refs,
});

unit_enum!(SpecialUseName, "special use", {
    "all" => All,
    "archive" => Archive,
    "drafts" => Drafts,
    "flagged" => Flagged,
    "junk" => Junk,
    "sent" => Sent,
    "trash" => Trash,
    "important" => Important,
});

js_object!(SortBy {
    key: "key",
    reverse: "reverse" = default
});

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

js_object!(QresyncParams {
    uid_validity: "uidValidity",
    mod_seq: "modSeq",
    known_uids: "knownUids",
});

js_object!(AppendItem {
    message: "message",
    flags: "flags" = default
});

js_object!(QuotaLimit {
    resource: "resource",
    limit: "limit"
});

js_object!(MetadataOptions {
    max_size: "maxSize",
    depth: "depth",
    timeout_ms: "timeoutMs"
});

js_object!(MetadataSet {
    name: "name",
    value: "value"
});

impl FromJs for IdFields {
    fn from_js(v: &JsValue) -> Read<Self> {
        Vec::from_js(v).map(Self)
    }
}

#[wasm_bindgen]
impl ImapClient {
    fn esearch_impl(
        &self,
        uid: bool,
        key: Ts<SearchKey>,
        returns_: Vec<Ts<SearchReturn>>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let (key, ret) = (args::search_key(&key)?, returns(&returns_)?);
            let r = if uid {
                c.uid_esearch(&key, &ret, t).await
            } else {
                c.esearch(&key, &ret, t).await
            };
            esearch_result(&r.map_err(js_err)?)
        })
    }

    fn sort_impl(
        &self,
        uid: bool,
        by: Vec<Ts<SortBy>>,
        key: Ts<SearchKey>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let (by, key) = (criteria(&by)?, args::search_key(&key)?);
            let r = if uid {
                c.uid_sort(&by, &key, t).await
            } else {
                c.sort(&by, &key, t).await
            };
            r.map_err(js_err).map(numbers)
        })
    }

    /// `ESORT` (RFC 5267): `UID SORT RETURN (…)` — e.g. `["count", "all"]`; `all` keeps the
    /// sort order.
    #[wasm_bindgen(unchecked_return_type = "Promise<ESearchResult>")]
    pub fn esort(
        &self,
        criteria: Vec<Ts<SortBy>>,
        key: Ts<SearchKey>,
        returns: Vec<Ts<SearchReturn>>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let (by, key, ret) = (
                self::criteria(&criteria)?,
                args::search_key(&key)?,
                self::returns(&returns)?,
            );
            let r = c.uid_esort(&by, &key, &ret, t).await;
            esearch_result(&r.map_err(js_err)?)
        })
    }

    fn thread_impl(
        &self,
        uid: bool,
        algorithm: Ts<ThreadAlgorithmName>,
        key: Ts<SearchKey>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            use crate::types::ThreadAlgorithm as A;
            let algorithm = match args::read(&algorithm)? {
                ThreadAlgorithmName::OrderedSubject => A::OrderedSubject,
                ThreadAlgorithmName::References => A::References,
                ThreadAlgorithmName::Refs => A::Refs,
            };
            let key = args::search_key(&key)?;
            let r = if uid {
                c.uid_thread(&algorithm, &key, t).await
            } else {
                c.thread(&algorithm, &key, t).await
            };
            list(&r.map_err(js_err)?.iter().map(thread).collect::<Vec<_>>())
        })
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
            list(
                &found
                    .iter()
                    .map(|e| ListEntry {
                        info: MailboxInfo::from(&e.info),
                        status: e.status.as_ref().map(MailboxStatus::from),
                    })
                    .collect::<Vec<_>>(),
            )
        })
    }

    /// The mailboxes with a special use (`\Sent`, `\Trash`, …; RFC 6154).
    #[wasm_bindgen(js_name = listSpecialUse, unchecked_return_type = "Promise<MailboxInfo[]>")]
    pub fn list_special_use(&self, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let found = c.list_special_use(t).await.map_err(js_err)?;
            list_of::<_, MailboxInfo>(&found)
        })
    }

    /// `CREATE mailbox (USE (…))` (CREATE-SPECIAL-USE).
    #[wasm_bindgen(js_name = createSpecialUse, unchecked_return_type = "Promise<void>")]
    pub fn create_special_use(
        &self,
        mailbox: String,
        uses: Vec<Ts<SpecialUseName>>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            use crate::types::SpecialUse as U;
            let uses = uses
                .iter()
                .map(|u| {
                    Ok(match args::read(u)? {
                        SpecialUseName::All => U::All,
                        SpecialUseName::Archive => U::Archive,
                        SpecialUseName::Drafts => U::Drafts,
                        SpecialUseName::Flagged => U::Flagged,
                        SpecialUseName::Junk => U::Junk,
                        SpecialUseName::Sent => U::Sent,
                        SpecialUseName::Trash => U::Trash,
                        SpecialUseName::Important => U::Important,
                    })
                })
                .collect::<JsResult<Vec<_>>>()?;
            c.create_special_use(mailbox, &uses, t)
                .await
                .map_err(js_err)
        })
    }

    /// `NAMESPACE` (RFC 2342).
    #[wasm_bindgen(unchecked_return_type = "Promise<Namespaces>")]
    pub fn namespace(&self, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let n = c.namespace(t).await.map_err(js_err)?;
            ts(&Namespaces {
                personal: namespaces(&n.personal),
                other: namespaces(&n.other),
                shared: namespaces(&n.shared),
            })
        })
    }

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
            ts(&ResyncedMailbox {
                mailbox: SelectedMailbox::from(&r.mailbox),
                vanished: ranges(&r.vanished),
                changed: r.changed.iter().map(FetchedMessage::from).collect(),
                closed_previous: r.closed_previous,
            })
        })
    }

    /// `FETCH set (items) (CHANGEDSINCE modSeq)` (CONDSTORE).
    #[wasm_bindgen(js_name = fetchChangedSince, unchecked_return_type = "Promise<FetchedMessage[]>")]
    pub fn fetch_changed_since(
        &self,
        set: Ts<SequenceSetArg>,
        items: Vec<Ts<FetchItem>>,
        changed_since: f64,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let (set, attrs, m) = (seq_set(&set)?, attrs(&items)?, mod_seq(changed_since)?);
            let found = c
                .fetch_changed_since(&set, &attrs, m, t)
                .await
                .map_err(js_err)?;
            list_of::<_, FetchedMessage>(&found)
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
            let (set, attrs, m) = (seq_set(&uids)?, attrs(&items)?, mod_seq(changed_since)?);
            let r = c
                .uid_fetch_changed_since(&set, &attrs, m, vanished, t)
                .await
                .map_err(js_err)?;
            ts(&ChangedSince {
                messages: r.fetches.iter().map(FetchedMessage::from).collect(),
                vanished: ranges(&r.vanished),
            })
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
            let (set, kind) = (seq_set(&set)?, args::read(&mode)?.kind());
            let flags = args::flags(&flags).map_err(js_err)?;
            let r = c
                .store_unchanged_since(&set, kind, &flags, mod_seq(unchanged_since)?, t)
                .await
                .map_err(js_err)?;
            ts(&StoreResult::from(&r))
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
                    let mut message = AppendMessage::new(message_bytes(&m.message)?);
                    message.flags = args::flags(&m.flags).map_err(js_err)?;
                    Ok(message)
                })
                .collect::<JsResult<Vec<_>>>()?;
            let r = c.append_many(mailbox, messages, t).await.map_err(js_err)?;
            ts(&AppendResult::from(&r))
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
            Ok(data.map_or(JsValue::UNDEFINED, |d| js_bytes(&d)))
        })
    }

    /// `GETACL mailbox` (RFC 4314).
    #[wasm_bindgen(js_name = getAcl, unchecked_return_type = "Promise<AclEntry[]>")]
    pub fn get_acl(&self, mailbox: String, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let acl = c.get_acl(mailbox, t).await.map_err(js_err)?;
            let entries: Vec<_> = acl
                .entries
                .iter()
                .map(|e| AclEntry {
                    identifier: e.identifier.clone(),
                    rights: e.rights.clone(),
                })
                .collect();
            list(&entries)
        })
    }

    /// `SETACL mailbox identifier rights`: `"lr"` replaces, `"+w"` adds, `"-w"` removes.
    #[wasm_bindgen(js_name = setAcl, unchecked_return_type = "Promise<void>")]
    pub fn set_acl(
        &self,
        mailbox: String,
        identifier: String,
        rights: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let m = if let Some(r) = rights.strip_prefix('+') {
                AclModification::Add(AclRights::new(r).map_err(js_err)?)
            } else if let Some(r) = rights.strip_prefix('-') {
                AclModification::Remove(AclRights::new(r).map_err(js_err)?)
            } else {
                AclModification::Replace(AclRights::new(&rights).map_err(js_err)?)
            };
            c.set_acl(mailbox, &identifier, m, t).await.map_err(js_err)
        })
    }

    /// `DELETEACL mailbox identifier`.
    #[wasm_bindgen(js_name = deleteAcl, unchecked_return_type = "Promise<void>")]
    pub fn delete_acl(
        &self,
        mailbox: String,
        identifier: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            c.delete_acl(mailbox, &identifier, t).await.map_err(js_err)
        })
    }

    /// `LISTRIGHTS mailbox identifier`.
    #[wasm_bindgen(js_name = listRights, unchecked_return_type = "Promise<ListRights>")]
    pub fn list_rights(
        &self,
        mailbox: String,
        identifier: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let r = c
                .list_rights(mailbox, &identifier, t)
                .await
                .map_err(js_err)?;
            ts(&ListRights {
                required: r.required,
                optional: r.optional,
            })
        })
    }

    /// `MYRIGHTS mailbox`: the user's rights, e.g. `"lrswipkxtecda"`.
    #[wasm_bindgen(js_name = myRights, unchecked_return_type = "Promise<string>")]
    pub fn my_rights(&self, mailbox: String, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let r = c.my_rights(mailbox, t).await.map_err(js_err)?;
            Ok(JsValue::from(r.rights))
        })
    }

    /// `GETQUOTA root` (RFC 9208).
    #[wasm_bindgen(js_name = getQuota, unchecked_return_type = "Promise<Quota>")]
    pub fn get_quota(&self, root: String, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let q = c.get_quota(&root, t).await.map_err(js_err)?;
            ts(&quota(&q))
        })
    }

    /// `GETQUOTAROOT mailbox`: the mailbox's quota roots and their quotas.
    #[wasm_bindgen(js_name = getQuotaRoot, unchecked_return_type = "Promise<QuotaRoots>")]
    pub fn get_quota_root(
        &self,
        mailbox: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let q = c.get_quota_root(mailbox, t).await.map_err(js_err)?;
            ts(&QuotaRoots {
                roots: q.roots.clone(),
                quotas: q.quotas.iter().map(quota).collect(),
            })
        })
    }

    /// `SETQUOTA root (resource limit …)` (usually administrators only).
    #[wasm_bindgen(js_name = setQuota, unchecked_return_type = "Promise<void>")]
    pub fn set_quota(
        &self,
        root: String,
        limits: Vec<Ts<QuotaLimit>>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let limits = limits
                .iter()
                .map(|l| {
                    let l = args::read(l)?;
                    if !(0.0..=9_007_199_254_740_992.0).contains(&l.limit) || l.limit.fract() != 0.0
                    {
                        return Err(errors::invalid("a quota limit must be a whole number ≥ 0"));
                    }
                    let name = crate::types::response::QuotaResourceName::new(&l.resource)
                        .map_err(js_err)?;
                    Ok((name, l.limit as u64))
                })
                .collect::<JsResult<Vec<_>>>()?;
            c.set_quota(&root, &limits, t).await.map_err(js_err)
        })
    }

    /// `GETMETADATA` (RFC 5464) of `mailbox`, or of the server when `mailbox` is `""`.
    #[wasm_bindgen(js_name = getMetadata, unchecked_return_type = "Promise<MetadataValues>")]
    pub fn get_metadata(
        &self,
        mailbox: String,
        entries: Vec<String>,
        options: Option<Ts<MetadataOptions>>,
    ) -> js_sys::Promise {
        self.call_with(options, move |c, o, t| async move {
            let depth = match o.depth.as_deref() {
                None | Some("0") => None,
                Some("1") => Some(MetadataDepth::One),
                Some("infinity") => Some(MetadataDepth::Infinity),
                Some(_) => {
                    return Err(errors::invalid(
                        "depth must be \"0\", \"1\" or \"infinity\"",
                    ));
                }
            };
            let opts = GetMetadataOptions {
                max_size: o.max_size,
                depth,
            };
            let entries: Vec<&str> = entries.iter().map(String::as_str).collect();
            let v = if mailbox.is_empty() {
                c.get_server_metadata(&entries, opts, t).await
            } else {
                c.get_metadata(mailbox, &entries, opts, t).await
            }
            .map_err(js_err)?;
            ts(&MetadataValues {
                entries: v
                    .entries
                    .iter()
                    .map(|e| MetadataValue {
                        name: e.name.clone(),
                        value: e.value.clone().map(super::types::Bytes::from),
                    })
                    .collect(),
                long_entries: v.long_entries.map(|n| n as f64),
            })
        })
    }

    /// `SETMETADATA` of `mailbox`, or of the server when `mailbox` is `""`; `value: null`
    /// removes an entry.
    #[wasm_bindgen(js_name = setMetadata, unchecked_return_type = "Promise<void>")]
    pub fn set_metadata(
        &self,
        mailbox: String,
        entries: Vec<Ts<MetadataSet>>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let owned = entries
                .iter()
                .map(|e| {
                    let e = args::read(e)?;
                    let value = if e.value.is_null() || e.value.is_undefined() {
                        None
                    } else {
                        Some(message_bytes(&e.value)?)
                    };
                    Ok((e.name, value))
                })
                .collect::<JsResult<Vec<_>>>()?;
            let entries: Vec<(&str, Option<&[u8]>)> = owned
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_deref()))
                .collect();
            if mailbox.is_empty() {
                c.set_server_metadata(&entries, t).await
            } else {
                c.set_metadata(mailbox, &entries, t).await
            }
            .map_err(js_err)
        })
    }

    /// `AUTHENTICATE LOGIN`.
    #[wasm_bindgen(js_name = authenticateLogin, unchecked_return_type = "Promise<void>")]
    pub fn authenticate_login(
        &self,
        user: String,
        password: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.sasl(
            crate::proto::sasl::SaslClient::login(&user, &password).map_err(crate::Error::from),
            options,
        )
    }

    /// `AUTHENTICATE XOAUTH2` with an OAuth 2.0 access token.
    #[wasm_bindgen(js_name = authenticateXoauth2, unchecked_return_type = "Promise<void>")]
    pub fn authenticate_xoauth2(
        &self,
        user: String,
        token: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.sasl(
            crate::proto::sasl::SaslClient::xoauth2(&user, &token).map_err(crate::Error::from),
            options,
        )
    }

    /// `AUTHENTICATE OAUTHBEARER` (RFC 7628); `host` and `port` are the IMAP server's.
    #[wasm_bindgen(js_name = authenticateOauthbearer, unchecked_return_type = "Promise<void>")]
    pub fn authenticate_oauthbearer(
        &self,
        user: String,
        host: String,
        port: u16,
        token: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.sasl(
            crate::proto::sasl::SaslClient::oauthbearer(&user, &host, port, &token)
                .map_err(crate::Error::from),
            options,
        )
    }

    fn sasl(
        &self,
        client: crate::Result<crate::proto::sasl::SaslClient>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            c.authenticate(client.map_err(js_err)?, t)
                .await
                .map_err(js_err)
        })
    }

    /// `UNAUTHENTICATE` (RFC 8437): back to the not-authenticated state, to log in again.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn unauthenticate(&self, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            c.unauthenticate(t).await.map_err(js_err)
        })
    }

    /// `ID` (RFC 2971): sends the client's `[name, value]` pairs (or `null`) and resolves
    /// with the server's (a value is `undefined` where the server sent NIL), or `undefined`
    /// when it sends NIL for the whole list.
    #[wasm_bindgen(unchecked_return_type = "Promise<IdFields | undefined>")]
    pub fn id(
        &self,
        fields: Option<Ts<IdFields>>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let mine = args::read_opt(fields.as_ref())?;
            // The Rust API sends values as strings: a missing value is refused, not invented.
            let pairs = match &fields {
                None => None,
                Some(_) => Some(
                    mine.0
                        .iter()
                        .map(|(k, v)| match v {
                            Some(v) => Ok((k.as_str(), v.as_str())),
                            None => Err(errors::invalid("an ID value must be a string")),
                        })
                        .collect::<JsResult<Vec<_>>>()?,
                ),
            };
            match c.id(pairs.as_deref(), t).await.map_err(js_err)? {
                Some(theirs) => ts(&IdFields(theirs)).map(JsValue::from),
                None => Ok(JsValue::UNDEFINED),
            }
        })
    }
}

twins! {
    esearch_impl(Ts<SearchKey>, Vec<Ts<SearchReturn>>);
    #[doc = " `ESEARCH` (RFC 4731): `SEARCH RETURN (…) key`, e.g. `[\"count\", \"min\"]`."]
    #[wasm_bindgen(unchecked_return_type = "Promise<ESearchResult>")]
    fn esearch(key, returns);
    #[doc = " `UID SEARCH RETURN (…) key`."]
    #[wasm_bindgen(js_name = uidEsearch, unchecked_return_type = "Promise<ESearchResult>")]
    fn uid_esearch(key, returns);
}

twins! {
    sort_impl(Vec<Ts<SortBy>>, Ts<SearchKey>);
    #[doc = " `SORT (criteria) UTF-8 key` (RFC 5256): matching sequence numbers, sorted."]
    #[wasm_bindgen(unchecked_return_type = "Promise<Uint32Array>")]
    fn sort(criteria, key);
    #[doc = " `UID SORT`: matching UIDs, sorted."]
    #[wasm_bindgen(js_name = uidSort, unchecked_return_type = "Promise<Uint32Array>")]
    fn uid_sort(criteria, key);
}

twins! {
    thread_impl(Ts<ThreadAlgorithmName>, Ts<SearchKey>);
    #[doc = " `THREAD algorithm UTF-8 key` (RFC 5256): the thread forest, by sequence number."]
    #[wasm_bindgen(unchecked_return_type = "Promise<Thread[]>")]
    fn thread(algorithm, key);
    #[doc = " `UID THREAD`: the thread forest, by UID."]
    #[wasm_bindgen(js_name = uidThread, unchecked_return_type = "Promise<Thread[]>")]
    fn uid_thread(algorithm, key);
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
