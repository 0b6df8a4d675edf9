//! The arguments several areas share, and their conversion to the crate's validated types:
//! connect and call options, sequence sets, FETCH items, STORE modes, flags, message bytes.
//! Arguments of one area live in that area's file.
//!
//! Every type here derives `Tsify`, so its TypeScript declaration is generated (its shape
//! follows the `serde` attributes); the values are read by hand (`FromJs`, module `read`),
//! not by serde, which costs the package ~25 KB gzipped. Conversions only reshape:
//! validation is done by the crate's constructors (`SequenceSet::new`, `Flag::parse`,
//! `Section::parse`, …), whose errors reach JS as `INVALID_INPUT`.

use std::num::NonZeroU32;
use std::time::Duration;

use tsify::{Ts, Tsify};
use wasm_bindgen::{JsCast, JsValue};

use super::errors::{self, invalid};
use super::read::{FromJs, Read, data, js_object, unit_enum, unknown, variant};
use crate::types::{FetchAttr, Flag, Section, SequenceSet};
use crate::{Error, Result, StoreKind};

/// The result of a JS-facing call: a rejection is a JS value (an `ImapError`).
pub(crate) type JsResult<T> = std::result::Result<T, JsValue>;

/// A Rust error as the `ImapError` a promise rejects with.
pub(crate) fn js_err(e: impl Into<Error>) -> JsValue {
    let e: Error = e.into();
    errors::to_js(&e)
}

/// The options of `ImapClient.connect`.
#[derive(Debug, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ConnectOptions {
    /// The bridge's WebSocket URL, e.g. `wss://bridge.example.com/imap`.
    pub bridge_url: String,
    /// The IMAP server's host name (one of the bridge's host patterns must allow it).
    /// Give either `host` (and `port`) or `target`.
    #[tsify(optional)]
    pub host: Option<String>,
    /// The IMAP server's port (default 993).
    #[tsify(optional)]
    pub port: Option<u16>,
    /// A target the bridge's configuration names, instead of `host`.
    #[tsify(optional)]
    pub target: Option<String>,
    /// A ticket minted by your backend for the bridge (base64url, no padding).
    #[tsify(optional)]
    pub ticket: Option<String>,
    /// Time allowed for connecting, and the default of every call (milliseconds, default 30000).
    #[tsify(optional)]
    pub timeout_ms: Option<f64>,
    /// What to send with `ID` (RFC 2971) right after login when the server offers ID, e.g.
    /// `{ name: "my-mail-app", version: "2.1" }`; `false` sends no ID. Default: `name`
    /// `daaki-imap` and the package's version (Yahoo and 163.com refuse SELECT until a client
    /// identified itself).
    #[tsify(optional, type = "Record<string, string> | boolean")]
    pub client_id: Option<ClientIdOption>,
}

/// `clientId`: the ID fields, or whether to send the default ones.
#[derive(Debug)]
pub enum ClientIdOption {
    /// `true`: the default fields; `false`: no ID.
    Send(bool),
    /// These fields (the object's own string-valued properties, in their order) instead of
    /// the default ones.
    Fields(Vec<(String, String)>),
}

impl FromJs for ClientIdOption {
    fn from_js(v: &JsValue) -> Read<Self> {
        if let Some(send) = v.as_bool() {
            return Ok(ClientIdOption::Send(send));
        }
        let object = super::read::object(v)
            .map_err(|_| invalid("clientId must be an object of strings or a boolean"))?;
        js_sys::Object::entries(object)
            .iter()
            .map(|entry| <(String, String)>::from_js(&entry))
            .collect::<Read<Vec<_>>>()
            .map(ClientIdOption::Fields)
            .map_err(|_| invalid("clientId's values must be strings"))
    }
}

/// Per-call options.
#[derive(Debug, Default, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct CallOptions {
    /// Time allowed for this call (milliseconds); default: the connection's.
    #[tsify(optional)]
    pub timeout_ms: Option<f64>,
}

/// A sequence set: `"1:*"`, `"2,4:7"`, a number, or a list of numbers.
#[derive(Debug, Tsify)]
#[serde(untagged)]
pub enum SequenceSetArg {
    /// IMAP syntax, e.g. `"1:*"`.
    Text(String),
    /// One number.
    Number(u32),
    /// Several numbers.
    Numbers(Vec<u32>),
}

/// One FETCH data item: a name, or an object for sections.
#[derive(Debug, Tsify)]
#[serde(rename_all = "camelCase")]
pub enum FetchItem {
    /// `ALL` macro (alone only).
    All,
    /// `FAST` macro (alone only).
    Fast,
    /// `FULL` macro (alone only).
    Full,
    /// `UID`
    Uid,
    /// `FLAGS`
    Flags,
    /// `INTERNALDATE`
    InternalDate,
    /// `RFC822.SIZE`
    Size,
    /// `RFC822` (sets `\Seen`).
    Rfc822,
    /// `RFC822.HEADER`
    Rfc822Header,
    /// `RFC822.TEXT`
    Rfc822Text,
    /// `ENVELOPE`
    Envelope,
    /// `BODY` (non-extensible structure).
    Body,
    /// `BODYSTRUCTURE`
    BodyStructure,
    /// `MODSEQ` (CONDSTORE)
    ModSeq,
    /// `EMAILID` (OBJECTID)
    EmailId,
    /// `THREADID` (OBJECTID)
    ThreadId,
    /// `SAVEDATE`
    SaveDate,
    /// `PREVIEW`
    Preview,
    /// `X-GM-MSGID` (Gmail)
    GmailMessageId,
    /// `X-GM-THRID` (Gmail)
    GmailThreadId,
    /// `X-GM-LABELS` (Gmail)
    GmailLabels,
    /// `BODY[section]<origin.count>`, or `BODY.PEEK[…]` with `peek: true`.
    BodySection(SectionItem),
    /// `BINARY[part]<origin.count>` (decoded), or `BINARY.PEEK[…]`.
    Binary(BinaryItem),
    /// `BINARY.SIZE[part]`
    BinarySize(Vec<u32>),
}

/// `{ bodySection: { section: "HEADER.FIELDS (Subject)", peek: true } }`.
#[derive(Debug, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct SectionItem {
    /// The section in IMAP syntax (`""` for the whole message, `"1.2"`, `"HEADER"`, `"TEXT"`, …).
    #[serde(default)]
    #[tsify(optional)]
    pub section: String,
    /// Don't set `\Seen`.
    #[serde(default)]
    #[tsify(optional)]
    pub peek: bool,
    /// A byte range: `[origin, count]`.
    #[tsify(optional)]
    pub partial: Option<(u32, u32)>,
}

/// `{ binary: { part: [1], peek: true } }`.
#[derive(Debug, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct BinaryItem {
    /// The part path (empty for the whole message).
    #[serde(default)]
    #[tsify(optional)]
    pub part: Vec<u32>,
    /// Don't set `\Seen`.
    #[serde(default)]
    #[tsify(optional)]
    pub peek: bool,
    /// A byte range: `[origin, count]`.
    #[tsify(optional)]
    pub partial: Option<(u32, u32)>,
}

/// How STORE applies flags.
#[derive(Debug, Clone, Copy, Tsify)]
#[serde(rename_all = "camelCase")]
pub enum StoreMode {
    /// `+FLAGS`
    Add,
    /// `-FLAGS`
    Remove,
    /// `FLAGS`
    Replace,
}

/// Reads a `Ts<T>` argument; a value that does not fit `T` is `INVALID_INPUT`.
pub(crate) fn read<T: Tsify + FromJs>(value: &Ts<T>) -> std::result::Result<T, JsValue> {
    <T as FromJs>::from_js(&value.js_value())
}

/// Reads an optional `Ts<T>` argument (`undefined` → `T::default()`).
pub(crate) fn read_opt<T: Tsify + FromJs + Default>(
    value: Option<&Ts<T>>,
) -> std::result::Result<T, JsValue> {
    value.map_or_else(|| Ok(T::default()), read)
}

/// A timeout in milliseconds, or `default`. Negative, NaN or absurd values are refused.
pub(crate) fn duration(ms: Option<f64>, default: Duration) -> Result<Duration> {
    match ms {
        None => Ok(default),
        // The messages leave the value out: formatting an f64 would pull ~15 KB of float
        // printing code into the package.
        Some(ms) if ms.is_finite() && ms >= 0.0 => Duration::try_from_secs_f64(ms / 1000.0)
            .map_err(|_| crate::Error::InvalidInput("timeoutMs out of range".into())),
        Some(_) => Err(crate::Error::InvalidInput(
            "timeoutMs must be a finite number >= 0".into(),
        )),
    }
}

/// Refuses a JS value nested deeper than `depth` levels (cyclic objects included) before serde
/// walks it recursively.
pub(crate) fn check_depth(value: &JsValue, depth: usize) -> std::result::Result<(), JsValue> {
    if !value.is_object() {
        return Ok(());
    }
    if depth == 0 {
        return Err(invalid("search key nests too deeply"));
    }
    let children = if js_sys::Array::is_array(value) {
        js_sys::Array::from(value)
    } else {
        js_sys::Object::values(value.unchecked_ref())
    };
    children
        .iter()
        .try_for_each(|child| check_depth(&child, depth - 1))
}

impl SequenceSetArg {
    pub(crate) fn to_set(&self) -> Result<SequenceSet> {
        match self {
            Self::Text(text) => Ok(SequenceSet::new(text)?),
            Self::Number(n) => Ok(SequenceSet::from_numbers([*n])?),
            Self::Numbers(ns) => Ok(SequenceSet::from_numbers(ns.iter().copied())?),
        }
    }
}

pub(crate) fn non_zero(n: u32, what: &str) -> Result<NonZeroU32> {
    NonZeroU32::new(n).ok_or_else(|| crate::Error::InvalidInput(format!("{what} must not be 0")))
}

fn partial(p: Option<(u32, u32)>) -> Result<Option<(u32, NonZeroU32)>> {
    p.map(|(origin, count)| Ok((origin, non_zero(count, "partial count")?)))
        .transpose()
}

fn part(path: &[u32]) -> Result<Vec<NonZeroU32>> {
    path.iter().map(|&n| non_zero(n, "part number")).collect()
}

impl FetchItem {
    pub(crate) fn to_attr(&self) -> Result<FetchAttr> {
        Ok(match self {
            Self::All => FetchAttr::All,
            Self::Fast => FetchAttr::Fast,
            Self::Full => FetchAttr::Full,
            Self::Uid => FetchAttr::Uid,
            Self::Flags => FetchAttr::Flags,
            Self::InternalDate => FetchAttr::InternalDate,
            Self::Size => FetchAttr::Rfc822Size,
            Self::Rfc822 => FetchAttr::Rfc822,
            Self::Rfc822Header => FetchAttr::Rfc822Header,
            Self::Rfc822Text => FetchAttr::Rfc822Text,
            Self::Envelope => FetchAttr::Envelope,
            Self::Body => FetchAttr::Body,
            Self::BodyStructure => FetchAttr::BodyStructure,
            Self::ModSeq => FetchAttr::ModSeq,
            Self::EmailId => FetchAttr::EmailId,
            Self::ThreadId => FetchAttr::ThreadId,
            Self::SaveDate => FetchAttr::SaveDate,
            Self::Preview => FetchAttr::Preview { lazy: false },
            Self::GmailMessageId => FetchAttr::GmailMessageId,
            Self::GmailThreadId => FetchAttr::GmailThreadId,
            Self::GmailLabels => FetchAttr::GmailLabels,
            Self::BodySection(s) => FetchAttr::BodySection {
                section: Section::parse(&s.section)?,
                partial: partial(s.partial)?,
                peek: s.peek,
            },
            Self::Binary(b) => FetchAttr::Binary {
                part: part(&b.part)?,
                partial: partial(b.partial)?,
                peek: b.peek,
            },
            Self::BinarySize(p) => FetchAttr::BinarySize { part: part(p)? },
        })
    }
}

/// Converts a list of fetch items.
pub(crate) fn fetch_attrs(items: &[FetchItem]) -> Result<Vec<FetchAttr>> {
    items.iter().map(FetchItem::to_attr).collect()
}

/// Parses flags such as `"\\Seen"` or `"$Forwarded"`.
pub(crate) fn flags(names: &[String]) -> Result<Vec<Flag>> {
    Ok(names
        .iter()
        .map(|f| Flag::parse(f))
        .collect::<std::result::Result<_, _>>()?)
}

impl StoreMode {
    pub(crate) fn kind(self) -> StoreKind {
        match self {
            Self::Add => StoreKind::Add,
            Self::Remove => StoreKind::Remove,
            Self::Replace => StoreKind::Replace,
        }
    }
}

/// Reads a sequence set argument.
pub(crate) fn seq_set(value: &Ts<SequenceSetArg>) -> JsResult<SequenceSet> {
    read(value)?.to_set().map_err(js_err)
}

/// Reads a list of FETCH items.
pub(crate) fn attrs(items: &[Ts<FetchItem>]) -> JsResult<Vec<FetchAttr>> {
    let items = items.iter().map(read).collect::<JsResult<Vec<_>>>()?;
    fetch_attrs(&items).map_err(js_err)
}

/// A message given as a `Uint8Array` or a string (sent as UTF-8).
pub(crate) fn message_bytes(message: &JsValue) -> JsResult<Vec<u8>> {
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

js_object!(ConnectOptions {
    bridge_url: "bridgeUrl",
    host: "host",
    port: "port",
    target: "target",
    ticket: "ticket",
    timeout_ms: "timeoutMs",
    client_id: "clientId",
});

js_object!(CallOptions {
    timeout_ms: "timeoutMs"
});

impl FromJs for SequenceSetArg {
    fn from_js(v: &JsValue) -> Read<Self> {
        if let Some(text) = v.as_string() {
            Ok(Self::Text(text))
        } else if v.as_f64().is_some() {
            u32::from_js(v).map(Self::Number)
        } else {
            Vec::from_js(v)
                .map(Self::Numbers)
                .map_err(|_| invalid("a sequence set must be a string, a number or numbers"))
        }
    }
}

impl FromJs for FetchItem {
    fn from_js(v: &JsValue) -> Read<Self> {
        let (name, value) = variant(v)?;
        Ok(match name.as_str() {
            "all" => Self::All,
            "fast" => Self::Fast,
            "full" => Self::Full,
            "uid" => Self::Uid,
            "flags" => Self::Flags,
            "internalDate" => Self::InternalDate,
            "size" => Self::Size,
            "rfc822" => Self::Rfc822,
            "rfc822Header" => Self::Rfc822Header,
            "rfc822Text" => Self::Rfc822Text,
            "envelope" => Self::Envelope,
            "body" => Self::Body,
            "bodyStructure" => Self::BodyStructure,
            "modSeq" => Self::ModSeq,
            "emailId" => Self::EmailId,
            "threadId" => Self::ThreadId,
            "saveDate" => Self::SaveDate,
            "preview" => Self::Preview,
            "gmailMessageId" => Self::GmailMessageId,
            "gmailThreadId" => Self::GmailThreadId,
            "gmailLabels" => Self::GmailLabels,
            "bodySection" => Self::BodySection(data(value, &name)?),
            "binary" => Self::Binary(data(value, &name)?),
            "binarySize" => Self::BinarySize(data(value, &name)?),
            _ => return Err(unknown("fetch item", &name)),
        })
    }
}

js_object!(SectionItem {
    section: "section" = default,
    peek: "peek" = default,
    partial: "partial",
});

js_object!(BinaryItem {
    part: "part" = default,
    peek: "peek" = default,
    partial: "partial"
});

unit_enum!(StoreMode, "store mode", {
    "add" => Add,
    "remove" => Remove,
    "replace" => Replace,
});
