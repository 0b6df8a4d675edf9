//! `* n FETCH (...)` data (RFC 3501 §7.4.2, RFC 9051 §7.5.2 and extensions).

use super::IString;
use crate::types::response::{BodyStructure, Envelope};

/// `* n FETCH (...)`: the message sequence number and the items in server order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FetchResponse<'a> {
    /// Message sequence number.
    pub seq: u32,
    /// The items, in the order the server sent them.
    pub items: Vec<FetchItem<'a>>,
}

/// The raw text inside a parenthesised flag list (`\Seen $Junk`), validated at parse time and
/// split lazily — no allocation per response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FlagList<'a>(pub(crate) &'a [u8]);

impl<'a> FlagList<'a> {
    /// The flags as sent (`\Seen`, `$Forwarded`, `\*`, …). Extra spaces are skipped.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.0.split(|&b| b == b' ').filter(|f| !f.is_empty())
    }

    /// The raw bytes between the parentheses.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// `true` when the list holds no flag.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }
}

/// A section specification as sent, the text between `[` and `]` (e.g. `1.2.HEADER.FIELDS
/// (SUBJECT)`, or empty for `BODY[]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Section<'a>(
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::proto::response::ser::bytes")
    )]
    pub &'a [u8],
);

/// One FETCH item.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum FetchItem<'a> {
    /// `FLAGS (...)`
    Flags(FlagList<'a>),
    /// `UID n`
    Uid(u32),
    /// `INTERNALDATE "dd-Mon-yyyy hh:mm:ss +zzzz"` (kept as sent).
    InternalDate(
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::proto::response::ser::bytes")
        )]
        &'a [u8],
    ),
    /// `RFC822.SIZE n`
    Rfc822Size(u64),
    /// `RFC822 nstring`
    Rfc822(Option<IString<'a>>),
    /// `RFC822.HEADER nstring`
    Rfc822Header(Option<IString<'a>>),
    /// `RFC822.TEXT nstring`
    Rfc822Text(Option<IString<'a>>),
    /// `ENVELOPE (...)`
    Envelope(Box<Envelope>),
    /// `BODY (...)`: the non-extensible body structure.
    Body(Box<BodyStructure>),
    /// `BODYSTRUCTURE (...)`: the extensible body structure.
    BodyStructure(Box<BodyStructure>),
    /// `BODY[section]<origin> nstring`
    BodySection {
        /// The section as sent.
        section: Section<'a>,
        /// The partial origin (`<n>`), if any.
        origin: Option<u32>,
        /// The data; `None` for NIL.
        data: Option<IString<'a>>,
    },
    /// `BINARY[section]<origin> nstring/literal8` (RFC 3516 / RFC 9051). Servers send the
    /// partial form `BINARY[2]<0>` although RFC 9051 has no origin here; it is accepted.
    Binary {
        /// The section part as sent.
        section: Section<'a>,
        /// The partial origin, if the server sent one.
        origin: Option<u32>,
        /// The decoded data; `None` for NIL.
        data: Option<IString<'a>>,
    },
    /// `BINARY.SIZE[section] n`
    BinarySize {
        /// The section part as sent.
        section: Section<'a>,
        /// Decoded size in bytes.
        size: u64,
    },
    /// `MODSEQ (n)` (RFC 7162)
    ModSeq(u64),
    /// `EMAILID (id)` (RFC 8474); opaque bytes.
    EmailId(
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::proto::response::ser::bytes")
        )]
        &'a [u8],
    ),
    /// `THREADID (id)` or `THREADID NIL` (RFC 8474); opaque bytes.
    ThreadId(
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::proto::response::ser::opt_bytes")
        )]
        Option<&'a [u8]>,
    ),
    /// `SAVEDATE "date-time"` or `SAVEDATE NIL` (RFC 8514), kept as sent.
    SaveDate(
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::proto::response::ser::opt_bytes")
        )]
        Option<&'a [u8]>,
    ),
    /// `PREVIEW nstring` (RFC 8970; also the draft form `PREVIEW (FUZZY "...")`).
    Preview(Option<IString<'a>>),
    /// `X-GM-MSGID n` (Gmail).
    GmailMessageId(u64),
    /// `X-GM-THRID n` (Gmail).
    GmailThreadId(u64),
    /// `X-GM-LABELS (label …)` (Gmail): each an atom (system labels such as `\Inbox`), a
    /// quoted string or a literal, unescaped but not yet decoded.
    GmailLabels(Vec<IString<'a>>),
    /// An item this parser does not know: its name and the raw bytes of its value.
    Other {
        /// The item name as sent.
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::proto::response::ser::bytes")
        )]
        name: &'a [u8],
        /// The raw value (one atom, string, literal or parenthesised list).
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::proto::response::ser::bytes")
        )]
        raw: &'a [u8],
    },
}
