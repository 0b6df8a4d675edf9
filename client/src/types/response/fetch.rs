//! Owned FETCH data.

use super::{BodyStructure, Envelope, Unparsed};
use crate::types::{Flag, ServerDateTime};

/// One message's FETCH data. Fields the server did not send are `None` / empty.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct FetchResponse {
    /// Message sequence number.
    pub seq: u32,
    /// `UID` (servers even send 0; kept as sent).
    pub uid: Option<u32>,
    /// `FLAGS`; `None` if not fetched (an empty list is `Some(vec![])`).
    pub flags: Option<Vec<Flag>>,
    /// `INTERNALDATE`: parsed, or the text as sent if it is not a valid date-time.
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::date"),
        tsify(type = "Date | string | undefined")
    )]
    pub internal_date: Option<ServerDateTime>,
    /// `RFC822.SIZE` (a 63-bit `number64` in IMAP4rev2; a value beyond `u64` is kept in
    /// [`other`](Self::other) instead).
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::opt_num"),
        tsify(type = "number | undefined")
    )]
    pub rfc822_size: Option<u64>,
    /// `ENVELOPE` (boxed: it is large and most fetches have none, so responses stay small
    /// to move through channels; `if let Some(env) = &msg.envelope` reads it as before).
    pub envelope: Option<Box<Envelope>>,
    /// `BODYSTRUCTURE` or `BODY` (structure); boxed like `envelope`.
    pub body_structure: Option<Box<BodyStructure>>,
    /// `BODY[section]<origin>` items.
    pub body_sections: Vec<BodySection>,
    /// `BINARY[section]<origin>` items.
    pub binary_sections: Vec<BodySection>,
    /// `BINARY.SIZE[section]` items.
    pub binary_sizes: Vec<BinarySize>,
    /// `RFC822`.
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::opt_bytes"),
        tsify(type = "Uint8Array | undefined")
    )]
    pub rfc822: Option<Vec<u8>>,
    /// `RFC822.HEADER`.
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::opt_bytes"),
        tsify(type = "Uint8Array | undefined")
    )]
    pub rfc822_header: Option<Vec<u8>>,
    /// `RFC822.TEXT`.
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::opt_bytes"),
        tsify(type = "Uint8Array | undefined")
    )]
    pub rfc822_text: Option<Vec<u8>>,
    /// `MODSEQ` (CONDSTORE).
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::opt_num"),
        tsify(type = "number | undefined")
    )]
    pub modseq: Option<u64>,
    /// `EMAILID` (OBJECTID); opaque bytes.
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::opt_text"),
        tsify(type = "string | undefined")
    )]
    pub email_id: Option<Vec<u8>>,
    /// `THREADID` (OBJECTID); opaque bytes.
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::opt_text"),
        tsify(type = "string | undefined")
    )]
    pub thread_id: Option<Vec<u8>>,
    /// `SAVEDATE` (`None` also for `SAVEDATE NIL`: the mailbox keeps no save dates);
    /// parsed, or the text as sent if it is not a valid date-time.
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::date"),
        tsify(type = "Date | string | undefined")
    )]
    pub save_date: Option<ServerDateTime>,
    /// `PREVIEW` text.
    pub preview: Option<String>,
    /// Gmail's `X-GM-MSGID`, `X-GM-THRID` and `X-GM-LABELS`, when the server sent any
    /// (boxed: other servers never do). See [`gmail_labels`](Self::gmail_labels) and the
    /// other accessors.
    pub gmail: Option<Box<GmailItems>>,
    /// Items this crate does not know.
    pub other: Vec<OtherItem>,
    /// The response as received and why it could not be typed, when it could not: then
    /// only `seq` is set (from `* seq FETCH`) and every other field is empty. A FETCH result
    /// keeps such a response in its place instead of dropping it ([`Unparsed`]).
    pub unparsed: Option<Box<Unparsed>>,
}

impl FetchResponse {
    /// `X-GM-LABELS` (Gmail): the message's labels, system ones (`\\Inbox`) and the user's.
    pub fn gmail_labels(&self) -> Option<&[crate::types::GmailLabel]> {
        self.gmail.as_ref()?.labels.as_deref()
    }

    /// `X-GM-MSGID` (Gmail): the message's id, the same in every mailbox.
    pub fn gmail_message_id(&self) -> Option<u64> {
        self.gmail.as_ref()?.message_id
    }

    /// `X-GM-THRID` (Gmail): the id of the message's thread (conversation).
    pub fn gmail_thread_id(&self) -> Option<u64> {
        self.gmail.as_ref()?.thread_id
    }

    /// The data of `BODY[]` (the whole message), if fetched.
    pub fn body(&self) -> Option<&[u8]> {
        self.section(b"")
    }

    /// The data of `BODY[section]` whose section text equals `section` (ASCII case-insensitive).
    pub fn section(&self, section: &[u8]) -> Option<&[u8]> {
        self.body_sections
            .iter()
            .find(|s| s.section.as_bytes().eq_ignore_ascii_case(section))
            .and_then(|s| s.data.as_deref())
    }
}

/// Gmail's `X-GM-EXT-1` items of a FETCH response (Google's "IMAP Extensions" page).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
#[non_exhaustive]
pub struct GmailItems {
    /// `X-GM-MSGID`: the message's id, the same in every mailbox. In JS a decimal string
    /// (exact: the ids exceed 2^53).
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::opt_decimal"),
        tsify(type = "string | undefined")
    )]
    pub message_id: Option<u64>,
    /// `X-GM-THRID`: the id of the message's thread (conversation). In JS a decimal string.
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::opt_decimal"),
        tsify(type = "string | undefined")
    )]
    pub thread_id: Option<u64>,
    /// `X-GM-LABELS`: the message's labels.
    pub labels: Option<Vec<crate::types::GmailLabel>>,
}

/// One `BODY[section]<origin>` or `BINARY[section]<origin>` item.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct BodySection {
    /// The section as sent (empty for `BODY[]`).
    pub section: String,
    /// Partial origin, if any.
    pub origin: Option<u32>,
    /// The data; `None` for NIL.
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::opt_bytes"),
        tsify(type = "Uint8Array | undefined")
    )]
    pub data: Option<Vec<u8>>,
}

/// One `BINARY.SIZE[section]` item.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct BinarySize {
    /// The section as sent.
    pub section: String,
    /// Decoded size.
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::num"),
        tsify(type = "number")
    )]
    pub size: u64,
}

/// An unknown FETCH item, kept raw.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct OtherItem {
    /// Item name as sent.
    pub name: String,
    /// Raw value.
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::bytes"),
        tsify(type = "Uint8Array")
    )]
    pub raw: Vec<u8>,
}
