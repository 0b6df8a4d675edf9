//! What JavaScript passes in, and its conversion to the crate's validated types.
//!
//! Every type here derives `Tsify`, so its TypeScript declaration is generated (its shape
//! follows the `serde` attributes); the values are read by hand (`FromJs`, module `read`),
//! not by serde, which costs the package ~25 KB gzipped. Conversions
//! only reshape: validation is done by the crate's constructors (`SequenceSet::new`,
//! `Flag::parse`, `Section::parse`, …), whose errors reach JS as `INVALID_INPUT`.

use std::num::NonZeroU32;
use std::time::Duration;

use tsify::{Ts, Tsify};
use wasm_bindgen::{JsCast, JsValue};

use super::errors::invalid;
use super::read::{
    FromJs, Read, data, field, js_object, named, object, unit_enum, unknown, variant,
};
use crate::types::{
    FetchAttr, Flag, HeaderName, ImapAtom, ImapDate, ImapString, MailboxName, ModSeq, ObjectId,
    Section, SequenceSet, StatusAttr,
};
use crate::types::{MailboxFilter, NotifyEvent, NotifyEventGroup, NotifySetParams};
use crate::{Result, StoreKind};

/// How deeply a search key may nest (`not`, `or`, `and`) before it is refused.
const MAX_SEARCH_DEPTH: usize = 64;

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
}

/// Per-call options.
#[derive(Debug, Default, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct CallOptions {
    /// Time allowed for this call (milliseconds); default: the connection's.
    #[tsify(optional)]
    pub timeout_ms: Option<f64>,
}

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

/// A STATUS item.
#[derive(Debug, Clone, Copy, Tsify)]
pub struct StatusItem(
    #[tsify(
        type = "\"messages\" | \"recent\" | \"uidNext\" | \"uidValidity\" | \"unseen\" | \"deleted\" | \"size\" | \"highestModSeq\" | \"appendLimit\" | \"mailboxId\""
    )]
    pub StatusAttr,
);

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

/// A search key. Dates are `"YYYY-MM-DD"`; texts must not contain CR, LF or NUL.
#[derive(Debug, Tsify)]
#[serde(rename_all = "camelCase")]
pub enum SearchKey {
    /// Every message.
    All,
    /// `ANSWERED`
    Answered,
    /// `DELETED`
    Deleted,
    /// `DRAFT`
    Draft,
    /// `FLAGGED`
    Flagged,
    /// `NEW` (IMAP4rev1)
    New,
    /// `OLD` (IMAP4rev1)
    Old,
    /// `RECENT` (IMAP4rev1)
    Recent,
    /// `SEEN`
    Seen,
    /// `UNANSWERED`
    Unanswered,
    /// `UNDELETED`
    Undeleted,
    /// `UNDRAFT`
    Undraft,
    /// `UNFLAGGED`
    Unflagged,
    /// `UNSEEN`
    Unseen,
    /// `SAVEDATESUPPORTED`
    SaveDateSupported,
    /// `BCC text`
    Bcc(String),
    /// `BODY text`
    Body(String),
    /// `CC text`
    Cc(String),
    /// `FROM text`
    From(String),
    /// `SUBJECT text`
    Subject(String),
    /// `TEXT text`
    Text(String),
    /// `TO text`
    To(String),
    /// `HEADER name value`
    Header(HeaderKey),
    /// `KEYWORD flag`
    Keyword(String),
    /// `UNKEYWORD flag`
    Unkeyword(String),
    /// `LARGER n`
    Larger(u32),
    /// `SMALLER n`
    Smaller(u32),
    /// `BEFORE date` (internal date)
    Before(String),
    /// `ON date`
    On(String),
    /// `SINCE date`
    Since(String),
    /// `SENTBEFORE date`
    SentBefore(String),
    /// `SENTON date`
    SentOn(String),
    /// `SENTSINCE date`
    SentSince(String),
    /// `SAVEDBEFORE date`
    SavedBefore(String),
    /// `SAVEDON date`
    SavedOn(String),
    /// `SAVEDSINCE date`
    SavedSince(String),
    /// `OLDER seconds`
    Older(u32),
    /// `YOUNGER seconds`
    Younger(u32),
    /// `MODSEQ n`
    ModSeq(f64),
    /// `EMAILID id`
    EmailId(String),
    /// `THREADID id`
    ThreadId(String),
    /// `UID set`
    Uid(String),
    /// A sequence set.
    Seq(String),
    /// `NOT key`
    Not(Box<SearchKey>),
    /// `OR key key`
    Or(Box<SearchKey>, Box<SearchKey>),
    /// All keys match.
    And(Vec<SearchKey>),
}

/// `{ header: { name: "List-Id", value: "dev" } }`.
#[derive(Debug, Tsify)]
pub struct HeaderKey {
    /// The header field name.
    pub name: String,
    /// The text to find (empty: any message with the field).
    #[serde(default)]
    #[tsify(optional)]
    pub value: String,
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

fn non_zero(n: u32, what: &str) -> Result<NonZeroU32> {
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

/// `"YYYY-MM-DD"` → [`ImapDate`].
fn date(text: &str) -> Result<ImapDate> {
    let bad = || crate::Error::InvalidInput(format!("invalid date {text:?} (want YYYY-MM-DD)"));
    let mut it = text.splitn(3, '-');
    let mut next = || it.next().ok_or_else(bad);
    let (y, m, d) = (next()?, next()?, next()?);
    Ok(ImapDate::new(
        y.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        d.parse().map_err(|_| bad())?,
    )?)
}

/// Reads a search key argument: depth-checked, then converted.
pub(crate) fn search_key(
    value: &Ts<SearchKey>,
) -> std::result::Result<crate::types::SearchKey, JsValue> {
    check_depth(&value.js_value(), MAX_SEARCH_DEPTH)?;
    read(value)?.to_key().map_err(|e| super::errors::to_js(&e))
}

impl SearchKey {
    /// Converts; recursion is bounded by [`check_depth`] having run on the JS value.
    fn to_key(&self) -> Result<crate::types::SearchKey> {
        use crate::types::SearchKey as K;
        let s = |t: &String| ImapString::new(t);
        Ok(match self {
            Self::All => K::All,
            Self::Answered => K::Answered,
            Self::Deleted => K::Deleted,
            Self::Draft => K::Draft,
            Self::Flagged => K::Flagged,
            Self::New => K::New,
            Self::Old => K::Old,
            Self::Recent => K::Recent,
            Self::Seen => K::Seen,
            Self::Unanswered => K::Unanswered,
            Self::Undeleted => K::Undeleted,
            Self::Undraft => K::Undraft,
            Self::Unflagged => K::Unflagged,
            Self::Unseen => K::Unseen,
            Self::SaveDateSupported => K::SaveDateSupported,
            Self::Bcc(t) => K::Bcc(s(t)?),
            Self::Body(t) => K::Body(s(t)?),
            Self::Cc(t) => K::Cc(s(t)?),
            Self::From(t) => K::From(s(t)?),
            Self::Subject(t) => K::Subject(s(t)?),
            Self::Text(t) => K::Text(s(t)?),
            Self::To(t) => K::To(s(t)?),
            Self::Header(h) => K::Header(HeaderName::new(&h.name)?, s(&h.value)?),
            Self::Keyword(k) => K::Keyword(ImapAtom::new(k)?),
            Self::Unkeyword(k) => K::Unkeyword(ImapAtom::new(k)?),
            Self::Larger(n) => K::Larger(*n),
            Self::Smaller(n) => K::Smaller(*n),
            Self::Before(d) => K::Before(date(d)?),
            Self::On(d) => K::On(date(d)?),
            Self::Since(d) => K::Since(date(d)?),
            Self::SentBefore(d) => K::SentBefore(date(d)?),
            Self::SentOn(d) => K::SentOn(date(d)?),
            Self::SentSince(d) => K::SentSince(date(d)?),
            Self::SavedBefore(d) => K::SavedBefore(date(d)?),
            Self::SavedOn(d) => K::SavedOn(date(d)?),
            Self::SavedSince(d) => K::SavedSince(date(d)?),
            Self::Older(n) => K::Older(non_zero(*n, "older")?),
            Self::Younger(n) => K::Younger(non_zero(*n, "younger")?),
            Self::ModSeq(n) => {
                if !(n.is_finite() && *n >= 0.0 && n.fract() == 0.0) {
                    return Err(crate::Error::InvalidInput(
                        "modSeq must be a whole number >= 0".into(),
                    ));
                }
                // `as` saturates; ModSeq::new validates the range.
                K::ModSeq {
                    entry: None,
                    modseq: ModSeq::new(*n as u64)?,
                }
            }
            Self::EmailId(id) => K::EmailId(ObjectId::new(id)?),
            Self::ThreadId(id) => K::ThreadId(ObjectId::new(id)?),
            Self::Uid(set) => K::Uid(SequenceSet::new(set)?),
            Self::Seq(set) => K::SequenceSet(SequenceSet::new(set)?),
            Self::Not(k) => K::Not(Box::new(k.to_key()?)),
            Self::Or(a, b) => K::Or(Box::new(a.to_key()?), Box::new(b.to_key()?)),
            Self::And(keys) => K::And(keys.iter().map(Self::to_key).collect::<Result<_>>()?),
        })
    }
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

js_object!(ConnectOptions {
    bridge_url: "bridgeUrl",
    host: "host",
    port: "port",
    target: "target",
    ticket: "ticket",
    timeout_ms: "timeoutMs",
});

js_object!(CallOptions {
    timeout_ms: "timeoutMs"
});

js_object!(AppendOptions {
    flags: "flags",
    timeout_ms: "timeoutMs"
});

js_object!(StreamOptions {
    timeout_ms: "timeoutMs",
    buffer: "buffer"
});

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

unit_enum!(StoreMode, "store mode", {
    "add" => Add,
    "remove" => Remove,
    "replace" => Replace,
});

impl FromJs for SearchKey {
    /// Recursion (`not`, `or`, `and`) is bounded by [`check_depth`] having run first.
    fn from_js(v: &JsValue) -> Read<Self> {
        let (name, value) = variant(v)?;
        Ok(match name.as_str() {
            "all" => Self::All,
            "answered" => Self::Answered,
            "deleted" => Self::Deleted,
            "draft" => Self::Draft,
            "flagged" => Self::Flagged,
            "new" => Self::New,
            "old" => Self::Old,
            "recent" => Self::Recent,
            "seen" => Self::Seen,
            "unanswered" => Self::Unanswered,
            "undeleted" => Self::Undeleted,
            "undraft" => Self::Undraft,
            "unflagged" => Self::Unflagged,
            "unseen" => Self::Unseen,
            "saveDateSupported" => Self::SaveDateSupported,
            "bcc" => Self::Bcc(data(value, &name)?),
            "body" => Self::Body(data(value, &name)?),
            "cc" => Self::Cc(data(value, &name)?),
            "from" => Self::From(data(value, &name)?),
            "subject" => Self::Subject(data(value, &name)?),
            "text" => Self::Text(data(value, &name)?),
            "to" => Self::To(data(value, &name)?),
            "header" => Self::Header(data(value, &name)?),
            "keyword" => Self::Keyword(data(value, &name)?),
            "unkeyword" => Self::Unkeyword(data(value, &name)?),
            "larger" => Self::Larger(data(value, &name)?),
            "smaller" => Self::Smaller(data(value, &name)?),
            "before" => Self::Before(data(value, &name)?),
            "on" => Self::On(data(value, &name)?),
            "since" => Self::Since(data(value, &name)?),
            "sentBefore" => Self::SentBefore(data(value, &name)?),
            "sentOn" => Self::SentOn(data(value, &name)?),
            "sentSince" => Self::SentSince(data(value, &name)?),
            "savedBefore" => Self::SavedBefore(data(value, &name)?),
            "savedOn" => Self::SavedOn(data(value, &name)?),
            "savedSince" => Self::SavedSince(data(value, &name)?),
            "older" => Self::Older(data(value, &name)?),
            "younger" => Self::Younger(data(value, &name)?),
            "modSeq" => Self::ModSeq(data(value, &name)?),
            "emailId" => Self::EmailId(data(value, &name)?),
            "threadId" => Self::ThreadId(data(value, &name)?),
            "uid" => Self::Uid(data(value, &name)?),
            "seq" => Self::Seq(data(value, &name)?),
            "not" => Self::Not(data(value, &name)?),
            "or" => {
                let (a, b) = data(value, &name)?;
                Self::Or(a, b)
            }
            "and" => Self::And(data(value, &name)?),
            _ => return Err(unknown("search key", &name)),
        })
    }
}

js_object!(HeaderKey {
    name: "name",
    value: "value" = default
});

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
