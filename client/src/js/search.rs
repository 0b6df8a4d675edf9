//! Search methods: SEARCH, ESEARCH (RFC 4731), SORT and ESORT (RFC 5256, RFC 5267), THREAD,
//! with the search key, return options and sort criteria JS passes. Results are numbers
//! (`Uint32Array`), the crate's `ESearchResult` and `Thread`.

use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

use super::args::{self, CallOptions, JsResult, js_err};
use super::args::{check_depth, read};
use super::client::numbers;
use super::client::{ImapClient, twins};
use super::read::{FromJs, Read, data, js_object, named, unit_enum, unknown, variant};
use super::ser::to_js;
use crate::Result;
use crate::types::{HeaderName, ImapAtom, ImapDate, ImapString, ModSeq, ObjectId, SequenceSet};

/// How deeply a search key may nest (`not`, `or`, `and`) before it is refused.
const MAX_SEARCH_DEPTH: usize = 64;

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
    /// `X-GM-RAW text` (Gmail's search syntax, e.g. `"has:attachment in:unread"`)
    GmailRaw(String),
    /// `X-GM-MSGID id` (Gmail; the id as a decimal string, as `gmailMessageId` is fetched)
    GmailMessageId(String),
    /// `X-GM-THRID id` (Gmail; a decimal string)
    GmailThreadId(String),
    /// `X-GM-LABELS label` (Gmail; `"\\Inbox"` for a system label)
    GmailLabel(String),
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

/// A Gmail message or thread id given as a decimal string → `u64`.
fn gmail_id(text: &str) -> Result<u64> {
    text.parse().map_err(|_| {
        crate::Error::InvalidInput(format!("invalid Gmail id {text:?} (want a decimal string)"))
    })
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
            Self::Older(n) => K::Older(args::non_zero(*n, "older")?),
            Self::Younger(n) => K::Younger(args::non_zero(*n, "younger")?),
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
            Self::GmailRaw(text) => K::GmailRaw(ImapString::new(text)?),
            Self::GmailMessageId(id) => K::GmailMessageId(gmail_id(id)?),
            Self::GmailThreadId(id) => K::GmailThreadId(gmail_id(id)?),
            Self::GmailLabel(label) => K::GmailLabel(crate::types::GmailLabel::new(label)?),
            Self::Uid(set) => K::Uid(SequenceSet::new(set)?),
            Self::Seq(set) => K::SequenceSet(SequenceSet::new(set)?),
            Self::Not(k) => K::Not(Box::new(k.to_key()?)),
            Self::Or(a, b) => K::Or(Box::new(a.to_key()?), Box::new(b.to_key()?)),
            Self::And(keys) => K::And(keys.iter().map(Self::to_key).collect::<Result<_>>()?),
        })
    }
}

impl ImapClient {
    fn search_impl(
        &self,
        uid: bool,
        key: Ts<SearchKey>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let key = search_key(&key)?;
            let found = if uid {
                c.uid_search(&key, t).await
            } else {
                c.search(&key, t).await
            };
            found.map_err(js_err).map(numbers)
        })
    }

    fn esearch_impl(
        &self,
        uid: bool,
        key: Ts<SearchKey>,
        returns_: Vec<Ts<SearchReturn>>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let (key, ret) = (search_key(&key)?, returns(&returns_)?);
            let r = if uid {
                c.uid_esearch(&key, &ret, t).await
            } else {
                c.esearch(&key, &ret, t).await
            };
            to_js(&r.map_err(js_err)?)
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
            let (by, key) = (criteria(&by)?, search_key(&key)?);
            let r = if uid {
                c.uid_sort(&by, &key, t).await
            } else {
                c.sort(&by, &key, t).await
            };
            r.map_err(js_err).map(numbers)
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
            let key = search_key(&key)?;
            let r = if uid {
                c.uid_thread(&algorithm, &key, t).await
            } else {
                c.thread(&algorithm, &key, t).await
            };
            to_js(&r.map_err(js_err)?)
        })
    }
}

#[wasm_bindgen]
impl ImapClient {
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
                search_key(&key)?,
                self::returns(&returns)?,
            );
            let r = c.uid_esort(&by, &key, &ret, t).await;
            to_js(&r.map_err(js_err)?)
        })
    }
}

twins! {
    search_impl(Ts<SearchKey>);
    #[doc = " `SEARCH key`: matching sequence numbers."]
    #[wasm_bindgen(unchecked_return_type = "Promise<Uint32Array>")]
    fn search(key);
    #[doc = " `UID SEARCH key`: matching UIDs."]
    #[wasm_bindgen(js_name = uidSearch, unchecked_return_type = "Promise<Uint32Array>")]
    fn uid_search(key);
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
            "gmailRaw" => Self::GmailRaw(data(value, &name)?),
            "gmailMessageId" => Self::GmailMessageId(data(value, &name)?),
            "gmailThreadId" => Self::GmailThreadId(data(value, &name)?),
            "gmailLabel" => Self::GmailLabel(data(value, &name)?),
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

js_object!(SortBy {
    key: "key",
    reverse: "reverse" = default
});
