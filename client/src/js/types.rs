//! What JavaScript gets back: plain objects with camelCase keys, `Uint8Array` for bytes and
//! `Date` for dates, converted from the crate's owned response types.
//!
//! Every type derives `Tsify`, so its TypeScript declaration is generated. Numbers the server
//! sends as 64-bit (MODSEQ, sizes) become JS numbers, exact up to 2^53.

use serde::{Serialize, Serializer};
use tsify::Tsify;

use super::errors::response_code_name;
use crate::types::response::{
    self as r, BodyStructure, FetchResponse, MailboxAttribute, SeqRange, SinglePartKind,
};
use crate::types::{self as t, Flag, ServerDateTime, StatusKind, TypedEvent};

/// Bytes that reach JS as a `Uint8Array`.
#[derive(Debug, Clone)]
pub struct Bytes(Vec<u8>);

impl From<Vec<u8>> for Bytes {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

/// A date that reaches JS as a `Date`.
#[derive(Debug, Clone)]
pub struct JsDate(js_sys::Date);

impl Serialize for JsDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serde_wasm_bindgen::preserve::serialize(&self.0, s)
    }
}

fn js_date(value: &ServerDateTime) -> Option<JsDate> {
    let seconds = value.unix_timestamp()?;
    // Seconds to milliseconds; i64 seconds of a valid IMAP date fit in f64 exactly.
    Some(JsDate(js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
        seconds as f64 * 1000.0,
    ))))
}

fn unparsed(value: &ServerDateTime) -> Option<String> {
    match value {
        ServerDateTime::Unparsed(text) => Some(text.clone()),
        ServerDateTime::Valid(_) => None,
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A 64-bit count as a JS number.
fn num(n: u64) -> f64 {
    n as f64
}

fn flag_names(flags: &[Flag]) -> Vec<String> {
    flags.iter().map(ToString::to_string).collect()
}

/// An inclusive range of numbers (UIDs in COPYUID/APPENDUID/VANISHED).
#[derive(Debug, Clone, Copy, Serialize, Tsify)]
pub struct NumberRange {
    /// First number.
    pub start: u32,
    /// Last number (inclusive).
    pub end: u32,
}

pub(super) fn ranges(r: &[SeqRange]) -> Vec<NumberRange> {
    r.iter()
        .map(|r| NumberRange {
            start: r.start,
            end: r.end,
        })
        .collect()
}

/// One FETCH response.
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct FetchedMessage {
    /// Sequence number.
    pub seq: u32,
    /// UID (always present for UID FETCH).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
    /// Flags, e.g. `["\\Seen"]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags: Option<Vec<String>>,
    /// INTERNALDATE.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(type = "Date")]
    pub internal_date: Option<JsDate>,
    /// INTERNALDATE as sent, when it was not a valid date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal_date_text: Option<String>,
    /// RFC822.SIZE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u32>,
    /// ENVELOPE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub envelope: Option<Envelope>,
    /// BODYSTRUCTURE (or BODY).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_structure: Option<BodyPart>,
    /// `BODY[section]` data, one entry per section asked for.
    pub body_sections: Vec<SectionData>,
    /// `BINARY[part]` data.
    pub binary_sections: Vec<SectionData>,
    /// `BINARY.SIZE[part]` values.
    pub binary_sizes: Vec<SectionSize>,
    /// RFC822.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(type = "Uint8Array")]
    pub rfc822: Option<Bytes>,
    /// RFC822.HEADER.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(type = "Uint8Array")]
    pub rfc822_header: Option<Bytes>,
    /// RFC822.TEXT.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(type = "Uint8Array")]
    pub rfc822_text: Option<Bytes>,
    /// MODSEQ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mod_seq: Option<f64>,
    /// EMAILID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_id: Option<String>,
    /// THREADID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
    /// SAVEDATE.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(type = "Date")]
    pub save_date: Option<JsDate>,
    /// PREVIEW.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preview: Option<String>,
    /// Items this version does not model, raw.
    pub other: Vec<OtherData>,
}

/// The data of one section.
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct SectionData {
    /// The section as the server named it (`""`, `"HEADER"`, `"1.2"`, …).
    pub section: String,
    /// `<origin>` of a partial fetch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<u32>,
    /// The bytes (absent when the server sent NIL).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(type = "Uint8Array")]
    pub data: Option<Bytes>,
}

/// `BINARY.SIZE[part]`.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct SectionSize {
    /// The part.
    pub section: String,
    /// Decoded size in bytes.
    pub size: f64,
}

/// A FETCH item this version does not model.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct OtherData {
    /// The item name.
    pub name: String,
    /// Its value as sent.
    #[tsify(type = "Uint8Array")]
    pub raw: Bytes,
}

impl From<&FetchResponse> for FetchedMessage {
    fn from(f: &FetchResponse) -> Self {
        let section = |s: &crate::types::response::BodySection| SectionData {
            section: s.section.clone(),
            origin: s.origin,
            data: s.data.clone().map(Bytes),
        };
        Self {
            seq: f.seq,
            uid: f.uid,
            flags: f.flags.as_deref().map(flag_names),
            internal_date: f.internal_date.as_ref().and_then(js_date),
            internal_date_text: f.internal_date.as_ref().and_then(unparsed),
            size: f.rfc822_size,
            envelope: f.envelope.as_deref().map(Envelope::from),
            body_structure: f.body_structure.as_deref().map(BodyPart::from),
            body_sections: f.body_sections.iter().map(section).collect(),
            binary_sections: f.binary_sections.iter().map(section).collect(),
            binary_sizes: f
                .binary_sizes
                .iter()
                .map(|s| SectionSize {
                    section: s.section.clone(),
                    size: num(s.size),
                })
                .collect(),
            rfc822: f.rfc822.clone().map(Bytes),
            rfc822_header: f.rfc822_header.clone().map(Bytes),
            rfc822_text: f.rfc822_text.clone().map(Bytes),
            mod_seq: f.modseq.map(num),
            email_id: f.email_id.as_deref().map(lossy),
            thread_id: f.thread_id.as_deref().map(lossy),
            save_date: f.save_date.as_ref().and_then(js_date),
            preview: f.preview.clone(),
            other: f
                .other
                .iter()
                .map(|o| OtherData {
                    name: o.name.clone(),
                    raw: Bytes(o.raw.clone()),
                })
                .collect(),
        }
    }
}

/// An ENVELOPE. Header values are as sent (RFC 2047 words not decoded).
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// Date header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Subject header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// From.
    pub from: Vec<Address>,
    /// Sender.
    pub sender: Vec<Address>,
    /// Reply-To.
    pub reply_to: Vec<Address>,
    /// To.
    pub to: Vec<Address>,
    /// Cc.
    pub cc: Vec<Address>,
    /// Bcc.
    pub bcc: Vec<Address>,
    /// In-Reply-To.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<String>,
    /// Message-ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
}

/// One address of an envelope.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct Address {
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Local part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mailbox: Option<String>,
    /// Domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// `mailbox@host`, when both are present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

impl From<&r::Address> for Address {
    fn from(a: &r::Address) -> Self {
        Self {
            name: a.name.clone(),
            mailbox: a.mailbox.clone(),
            host: a.host.clone(),
            address: match (&a.mailbox, &a.host) {
                (Some(m), Some(h)) => Some(format!("{m}@{h}")),
                _ => None,
            },
        }
    }
}

impl From<&r::Envelope> for Envelope {
    fn from(e: &r::Envelope) -> Self {
        let list = |v: &[r::Address]| v.iter().map(Address::from).collect();
        Self {
            date: e.date.clone(),
            subject: e.subject.clone(),
            from: list(&e.from),
            sender: list(&e.sender),
            reply_to: list(&e.reply_to),
            to: list(&e.to),
            cc: list(&e.cc),
            bcc: list(&e.bcc),
            in_reply_to: e.in_reply_to.clone(),
            message_id: e.message_id.clone(),
        }
    }
}

/// One part of a body structure; a multipart has `parts`, a `message/rfc822` part has
/// `envelope` and `body`.
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct BodyPart {
    /// `"text"`, `"image"`, `"multipart"`, …
    pub media_type: String,
    /// `"plain"`, `"mixed"`, …
    pub subtype: String,
    /// Content-Type parameters, `[name, value]`.
    pub params: Vec<(String, String)>,
    /// Content-ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Content-Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Content-Transfer-Encoding (empty for multiparts).
    pub encoding: String,
    /// Size in bytes (0 for multiparts).
    pub size: u32,
    /// Lines of a text or message part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<u32>,
    /// Content-Disposition (`"attachment"`, `"inline"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disposition: Option<String>,
    /// Content-Disposition parameters (e.g. `filename`).
    pub disposition_params: Vec<(String, String)>,
    /// Sub-parts of a multipart.
    pub parts: Vec<BodyPart>,
    /// The envelope of a `message/rfc822` part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub envelope: Option<Envelope>,
    /// The body of a `message/rfc822` part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Box<BodyPart>>,
}

impl From<&BodyStructure> for BodyPart {
    /// Recursion follows the structure, whose depth the parser bounds.
    fn from(b: &BodyStructure) -> Self {
        match b {
            BodyStructure::Multi(m) => Self {
                media_type: "multipart".into(),
                subtype: m.subtype.to_ascii_lowercase(),
                params: m.params.clone(),
                id: None,
                description: None,
                encoding: String::new(),
                size: 0,
                lines: None,
                disposition: m.extension.disposition.as_ref().map(|d| d.kind.clone()),
                disposition_params: m
                    .extension
                    .disposition
                    .as_ref()
                    .map(|d| d.params.clone())
                    .unwrap_or_default(),
                parts: m.parts.iter().map(BodyPart::from).collect(),
                envelope: None,
                body: None,
            },
            BodyStructure::Single(s) => {
                let (media_type, subtype, lines, envelope, body) = match &s.kind {
                    SinglePartKind::Basic {
                        media_type,
                        subtype,
                    } => (media_type.clone(), subtype.clone(), None, None, None),
                    SinglePartKind::Text { subtype, lines } => {
                        ("text".into(), subtype.clone(), Some(*lines), None, None)
                    }
                    SinglePartKind::Message {
                        subtype,
                        envelope,
                        body,
                        lines,
                    } => (
                        "message".into(),
                        subtype.clone(),
                        Some(*lines),
                        Some(Envelope::from(&**envelope)),
                        Some(Box::new(BodyPart::from(&**body))),
                    ),
                };
                Self {
                    media_type: media_type.to_ascii_lowercase(),
                    subtype: subtype.to_ascii_lowercase(),
                    params: s.fields.params.clone(),
                    id: s.fields.id.clone(),
                    description: s.fields.description.clone(),
                    encoding: s.fields.encoding.clone(),
                    size: s.fields.octets,
                    lines,
                    disposition: s.extension.disposition.as_ref().map(|d| d.kind.clone()),
                    disposition_params: s
                        .extension
                        .disposition
                        .as_ref()
                        .map(|d| d.params.clone())
                        .unwrap_or_default(),
                    parts: Vec::new(),
                    envelope,
                    body,
                }
            }
        }
    }
}

/// The result of SELECT / EXAMINE.
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct SelectedMailbox {
    /// Number of messages.
    pub exists: u32,
    /// RECENT (IMAP4rev1 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recent: Option<u32>,
    /// Flags defined in the mailbox.
    pub flags: Vec<String>,
    /// Flags the client can change permanently (`"\\*"`: new keywords allowed).
    pub permanent_flags: Vec<String>,
    /// UIDVALIDITY.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid_validity: Option<u32>,
    /// UIDNEXT.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid_next: Option<u32>,
    /// First unseen message (IMAP4rev1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unseen: Option<u32>,
    /// HIGHESTMODSEQ (CONDSTORE).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub highest_mod_seq: Option<f64>,
    /// MAILBOXID (OBJECTID).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mailbox_id: Option<String>,
    /// Opened read-only.
    pub read_only: bool,
}

impl From<&r::SelectedMailbox> for SelectedMailbox {
    fn from(s: &r::SelectedMailbox) -> Self {
        Self {
            exists: s.exists,
            recent: s.recent,
            flags: flag_names(&s.flags),
            permanent_flags: flag_names(&s.permanent_flags),
            uid_validity: s.uid_validity,
            uid_next: s.uid_next,
            unseen: s.unseen,
            highest_mod_seq: s.highest_modseq.map(num),
            mailbox_id: s.mailbox_id.as_deref().map(lossy),
            read_only: s.read_only,
        }
    }
}

/// One LIST entry.
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct MailboxInfo {
    /// The mailbox name (decoded from modified UTF-7 where needed).
    pub name: String,
    /// Attributes, e.g. `["\\HasNoChildren", "\\Sent"]`.
    pub attributes: Vec<String>,
    /// Hierarchy delimiter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// CHILDINFO extended data.
    pub child_info: Vec<String>,
    /// OLDNAME (after a rename).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_name: Option<String>,
}

fn attribute_name(a: &MailboxAttribute) -> String {
    use MailboxAttribute as A;
    match a {
        A::NoInferiors => "\\Noinferiors",
        A::NoSelect => "\\Noselect",
        A::Marked => "\\Marked",
        A::Unmarked => "\\Unmarked",
        A::HasChildren => "\\HasChildren",
        A::HasNoChildren => "\\HasNoChildren",
        A::NonExistent => "\\NonExistent",
        A::Subscribed => "\\Subscribed",
        A::Remote => "\\Remote",
        A::All => "\\All",
        A::Archive => "\\Archive",
        A::Drafts => "\\Drafts",
        A::Flagged => "\\Flagged",
        A::Junk => "\\Junk",
        A::Sent => "\\Sent",
        A::Trash => "\\Trash",
        A::Important => "\\Important",
        A::Other(name) => return name.clone(),
    }
    .to_owned()
}

impl From<&r::MailboxInfo> for MailboxInfo {
    fn from(m: &r::MailboxInfo) -> Self {
        Self {
            name: m.name.to_string(),
            attributes: m.attributes.iter().map(attribute_name).collect(),
            delimiter: m.delimiter.map(String::from),
            child_info: m.child_info.clone(),
            old_name: m.old_name.as_ref().map(ToString::to_string),
        }
    }
}

/// The result of STATUS: only the items asked for (and sent) are present.
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct MailboxStatus {
    /// The mailbox.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mailbox: Option<String>,
    /// MESSAGES.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages: Option<u32>,
    /// RECENT.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recent: Option<u32>,
    /// UIDNEXT.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid_next: Option<u32>,
    /// UIDVALIDITY.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid_validity: Option<u32>,
    /// UNSEEN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unseen: Option<u32>,
    /// DELETED.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted: Option<u32>,
    /// SIZE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<f64>,
    /// HIGHESTMODSEQ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub highest_mod_seq: Option<f64>,
    /// APPENDLIMIT (`null`: no limit).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(type = "number | null")]
    pub append_limit: Option<Option<f64>>,
    /// MAILBOXID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mailbox_id: Option<String>,
}

impl From<&r::MailboxStatus> for MailboxStatus {
    fn from(s: &r::MailboxStatus) -> Self {
        Self {
            mailbox: s.mailbox.as_ref().map(ToString::to_string),
            messages: s.messages,
            recent: s.recent,
            uid_next: s.uid_next,
            uid_validity: s.uid_validity,
            unseen: s.unseen,
            deleted: s.deleted,
            size: s.size.map(num),
            highest_mod_seq: s.highest_modseq.map(num),
            append_limit: s.append_limit.map(|l| l.map(num)),
            mailbox_id: s.mailbox_id.as_deref().map(lossy),
        }
    }
}

/// The result of COPY (UIDs with UIDPLUS).
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct CopyResult {
    /// UIDVALIDITY of the destination.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid_validity: Option<u32>,
    /// Source UIDs.
    pub source_uids: Vec<NumberRange>,
    /// Their new UIDs, in the same order.
    pub destination_uids: Vec<NumberRange>,
}

impl From<&t::CopyResult> for CopyResult {
    fn from(c: &t::CopyResult) -> Self {
        Self {
            uid_validity: c.uid_validity,
            source_uids: ranges(&c.source_uids),
            destination_uids: ranges(&c.destination_uids),
        }
    }
}

/// The result of MOVE.
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct MoveResult {
    /// UIDVALIDITY of the destination.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid_validity: Option<u32>,
    /// Source UIDs.
    pub source_uids: Vec<NumberRange>,
    /// Their new UIDs.
    pub destination_uids: Vec<NumberRange>,
    /// Expunged sequence numbers (in the order reported).
    pub expunged: Vec<u32>,
    /// Vanished UIDs (QRESYNC).
    pub vanished: Vec<NumberRange>,
}

impl From<&t::MoveResult> for MoveResult {
    fn from(m: &t::MoveResult) -> Self {
        Self {
            uid_validity: m.copy.uid_validity,
            source_uids: ranges(&m.copy.source_uids),
            destination_uids: ranges(&m.copy.destination_uids),
            expunged: m.expunged.clone(),
            vanished: ranges(&m.vanished),
        }
    }
}

/// The result of STORE.
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct StoreResult {
    /// The new flags of each message.
    pub messages: Vec<FetchedMessage>,
    /// Messages not changed because of UNCHANGEDSINCE (CONDSTORE).
    pub modified: Vec<NumberRange>,
}

impl From<&t::StoreResult> for StoreResult {
    fn from(s: &t::StoreResult) -> Self {
        Self {
            messages: s.fetches.iter().map(FetchedMessage::from).collect(),
            modified: ranges(&s.modified),
        }
    }
}

/// The result of EXPUNGE.
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ExpungeResult {
    /// Expunged sequence numbers, in the order reported.
    pub expunged: Vec<u32>,
    /// Vanished UIDs (QRESYNC).
    pub vanished: Vec<NumberRange>,
}

impl From<&t::ExpungeResult> for ExpungeResult {
    fn from(e: &t::ExpungeResult) -> Self {
        Self {
            expunged: e.expunged.clone(),
            vanished: ranges(&e.vanished),
        }
    }
}

/// The result of APPEND (UIDs with UIDPLUS).
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct AppendResult {
    /// UIDVALIDITY of the mailbox.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid_validity: Option<u32>,
    /// The new message's UID(s).
    pub uids: Vec<NumberRange>,
}

impl From<&t::AppendResult> for AppendResult {
    fn from(a: &t::AppendResult) -> Self {
        Self {
            uid_validity: a.uid_validity,
            uids: ranges(&a.uids),
        }
    }
}

/// Server data that no command asked for (new mail, expunges, flag changes, alerts, NOTIFY).
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ImapEvent {
    /// `* OK [ALERT]`: show the text to the user.
    #[serde(rename_all = "camelCase")]
    Alert {
        /// The text.
        text: String,
    },
    /// The mailbox now has `count` messages.
    Exists {
        /// Message count.
        count: u32,
    },
    /// Message `seq` was expunged (later numbers shift down).
    Expunge {
        /// Sequence number.
        seq: u32,
    },
    /// RECENT count (IMAP4rev1).
    Recent {
        /// Count.
        count: u32,
    },
    /// UIDs gone (QRESYNC).
    Vanished {
        /// `VANISHED (EARLIER)`.
        earlier: bool,
        /// The UIDs.
        uids: Vec<NumberRange>,
    },
    /// Unsolicited FETCH (e.g. flag changes).
    Fetch {
        /// The data.
        message: Box<FetchedMessage>,
    },
    /// The mailbox's defined flags changed.
    Flags {
        /// The flags.
        flags: Vec<String>,
    },
    /// The server is closing the connection.
    #[serde(rename_all = "camelCase")]
    Bye {
        /// Response code, if any.
        #[serde(skip_serializing_if = "Option::is_none")]
        response_code: Option<String>,
        /// Text.
        text: String,
    },
    /// New capabilities.
    Capabilities {
        /// The names.
        capabilities: Vec<String>,
    },
    /// An untagged OK/NO/BAD.
    #[serde(rename_all = "camelCase")]
    Status {
        /// `"ok"`, `"no"` or `"bad"`.
        status: String,
        /// Response code, if any.
        #[serde(skip_serializing_if = "Option::is_none")]
        response_code: Option<String>,
        /// Text.
        text: String,
    },
    /// STATUS of a mailbox (NOTIFY).
    MailboxStatus {
        /// The mailbox.
        mailbox: String,
        /// Its status.
        status: MailboxStatus,
    },
    /// A mailbox was created, deleted, renamed or (un)subscribed (NOTIFY).
    MailboxEvent {
        /// The LIST entry.
        mailbox: MailboxInfo,
    },
    /// Metadata changed (NOTIFY; empty mailbox: server metadata).
    MetadataChange {
        /// The mailbox.
        mailbox: String,
        /// The changed entries.
        entries: Vec<String>,
    },
    /// The event queue was full; this many older events were dropped.
    Overflow {
        /// How many.
        dropped: f64,
    },
    /// Other server data (its full form is in the Rust API; the JS facade names it only).
    Other {
        /// The untagged response's name, e.g. `"QUOTA"`, `"METADATA"`, `"ESEARCH"`.
        response: String,
    },
}

/// The untagged response's name. Not `Debug`: that would pull the `Debug` code of every
/// response type into the package.
fn data_name(data: &r::ServerData) -> &'static str {
    use r::ServerData as D;
    match data {
        D::Capability(_) => "CAPABILITY",
        D::Enabled(_) => "ENABLED",
        D::List(_) => "LIST",
        D::Lsub(_) => "LSUB",
        D::Status(_) => "STATUS",
        D::Search { .. } => "SEARCH",
        D::Sort { .. } => "SORT",
        D::ESearch(_) => "ESEARCH",
        D::Thread(_) => "THREAD",
        D::Flags(_) => "FLAGS",
        D::Exists(_) => "EXISTS",
        D::Recent(_) => "RECENT",
        D::Expunge(_) => "EXPUNGE",
        D::Fetch(_) => "FETCH",
        D::Vanished { .. } => "VANISHED",
        D::Code { .. } => "OK",
        D::Namespace(_) => "NAMESPACE",
        D::Quota(_) => "QUOTA",
        D::QuotaRoot(_) => "QUOTAROOT",
        D::Acl(_) => "ACL",
        D::ListRights(_) => "LISTRIGHTS",
        D::MyRights(_) => "MYRIGHTS",
        D::Metadata(_) => "METADATA",
        D::Id(_) => "ID",
        _ => "OTHER",
    }
}

impl From<&TypedEvent> for ImapEvent {
    fn from(e: &TypedEvent) -> Self {
        let code =
            |c: &Option<crate::types::response::ResponseCode>| c.as_ref().map(response_code_name);
        match e {
            TypedEvent::Alert(text) => Self::Alert { text: text.clone() },
            TypedEvent::Exists(n) => Self::Exists { count: *n },
            TypedEvent::Expunge(n) => Self::Expunge { seq: *n },
            TypedEvent::Recent(n) => Self::Recent { count: *n },
            TypedEvent::Vanished { earlier, uids } => Self::Vanished {
                earlier: *earlier,
                uids: ranges(uids),
            },
            TypedEvent::Fetch(f) => Self::Fetch {
                message: Box::new(f.into()),
            },
            TypedEvent::Flags(f) => Self::Flags {
                flags: flag_names(f),
            },
            TypedEvent::Bye { code: c, text } => Self::Bye {
                response_code: code(c),
                text: text.clone(),
            },
            TypedEvent::Capabilities(c) => Self::Capabilities {
                capabilities: c.clone(),
            },
            TypedEvent::Status {
                kind,
                code: c,
                text,
            } => Self::Status {
                status: match kind {
                    StatusKind::Ok => "ok",
                    StatusKind::No => "no",
                    StatusKind::Bad => "bad",
                }
                .into(),
                response_code: code(c),
                text: text.clone(),
            },
            TypedEvent::MailboxStatus { mailbox, items } => Self::MailboxStatus {
                mailbox: mailbox.to_string(),
                status: items.into(),
            },
            TypedEvent::MailboxEvent(info) => Self::MailboxEvent {
                mailbox: info.into(),
            },
            TypedEvent::MetadataChange { mailbox, entries } => Self::MetadataChange {
                mailbox: mailbox.clone(),
                entries: entries.clone(),
            },
            TypedEvent::Overflow { dropped } => Self::Overflow {
                dropped: num(*dropped),
            },
            TypedEvent::Data(data) => Self::Other {
                response: data_name(data).into(),
            },
        }
    }
}

/// What ended an IDLE (an abort rejects the promise with code `"ABORTED"` instead).
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum IdleEvent {
    /// The mailbox now has `count` messages.
    Exists {
        /// Message count.
        count: u32,
    },
    /// Message `seq` was expunged.
    Expunge {
        /// Sequence number.
        seq: u32,
    },
    /// UIDs gone (QRESYNC).
    Vanished {
        /// The UIDs.
        uids: Vec<NumberRange>,
    },
    /// A message changed (e.g. flags).
    Fetch {
        /// The data.
        message: Box<FetchedMessage>,
    },
    /// The time ran out with no change.
    Timeout,
    /// STATUS of a mailbox (NOTIFY).
    MailboxStatus {
        /// The mailbox.
        mailbox: String,
        /// Its status.
        status: MailboxStatus,
    },
    /// A mailbox event (NOTIFY).
    MailboxEvent {
        /// The LIST entry.
        mailbox: MailboxInfo,
    },
    /// Metadata changed (NOTIFY).
    MetadataChange {
        /// The mailbox.
        mailbox: String,
        /// The entries.
        entries: Vec<String>,
    },
    /// The server dropped notifications; re-sync and re-issue NOTIFY.
    NotificationOverflow {
        /// Text.
        text: String,
    },
}

/// The IDLE result as JS sees it: `None` for [`t::IdleEvent::Cancelled`].
pub(crate) fn idle_event(e: &t::IdleEvent) -> Option<IdleEvent> {
    Some(match e {
        t::IdleEvent::Exists(n) => IdleEvent::Exists { count: *n },
        t::IdleEvent::Expunge(n) => IdleEvent::Expunge { seq: *n },
        t::IdleEvent::Vanished(uids) => IdleEvent::Vanished { uids: ranges(uids) },
        t::IdleEvent::Fetch(f) => IdleEvent::Fetch {
            message: Box::new(f.into()),
        },
        t::IdleEvent::Timeout => IdleEvent::Timeout,
        t::IdleEvent::Cancelled => return None,
        t::IdleEvent::MailboxStatus { mailbox, items } => IdleEvent::MailboxStatus {
            mailbox: mailbox.to_string(),
            status: items.into(),
        },
        t::IdleEvent::MailboxEvent(info) => IdleEvent::MailboxEvent {
            mailbox: info.into(),
        },
        t::IdleEvent::MetadataChange { mailbox, entries } => IdleEvent::MetadataChange {
            mailbox: mailbox.clone(),
            entries: entries.clone(),
        },
        t::IdleEvent::NotificationOverflow { text } => {
            IdleEvent::NotificationOverflow { text: text.clone() }
        }
    })
}
