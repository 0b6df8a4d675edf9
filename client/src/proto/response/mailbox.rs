//! Mailbox data: `LIST` / `LSUB` (RFC 3501, RFC 5258 LIST-EXTENDED, RFC 6154 SPECIAL-USE,
//! RFC 5819 LIST-STATUS) and `STATUS` (RFC 3501 §7.2.4 and the extensions adding items).

use super::IString;

/// One `LIST` or `LSUB` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ListItem<'a> {
    /// Name attributes as sent (`\HasNoChildren`, `\Drafts`, Cyrus's `\drafts`, …).
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::proto::response::ser::vec_bytes")
    )]
    pub attributes: Vec<&'a [u8]>,
    /// Hierarchy delimiter; `None` for NIL (flat namespace).
    pub delimiter: Option<u8>,
    /// The mailbox name as sent (modified UTF-7 or UTF-8; decode with
    /// [`MailboxName::from_wire`](crate::types::MailboxName)).
    pub name: IString<'a>,
    /// LIST-EXTENDED data items (`CHILDINFO`, `OLDNAME`, …).
    pub extended: Vec<ListExtendedItem<'a>>,
}

/// One LIST-EXTENDED `mbox-list-extended-item` (RFC 5258 §9).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum ListExtendedItem<'a> {
    /// `"CHILDINFO" ("SUBSCRIBED")`: why a non-matching parent is listed.
    ChildInfo(Vec<IString<'a>>),
    /// `"OLDNAME" ("name")` (RFC 5465 / RFC 9051): the mailbox's previous name.
    OldName(IString<'a>),
    /// Any other item: its tag and raw value.
    Other {
        /// The item's tag.
        tag: IString<'a>,
        /// The raw value.
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::proto::response::ser::bytes")
        )]
        raw: &'a [u8],
    },
}

/// `* STATUS mailbox (item value ...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct StatusResponseData<'a> {
    /// The mailbox name as sent.
    pub mailbox: IString<'a>,
    /// The items, in server order.
    pub items: Vec<StatusItem<'a>>,
}

/// One STATUS item.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum StatusItem<'a> {
    /// `MESSAGES n`
    Messages(u32),
    /// `RECENT n` (IMAP4rev1)
    Recent(u32),
    /// `UIDNEXT n`
    UidNext(u32),
    /// `UIDVALIDITY n`
    UidValidity(u32),
    /// `UNSEEN n`
    Unseen(u32),
    /// `DELETED n` (RFC 9051)
    Deleted(u32),
    /// `SIZE n` (RFC 8438 STATUS=SIZE)
    Size(u64),
    /// `HIGHESTMODSEQ n` (RFC 7162)
    HighestModSeq(u64),
    /// `APPENDLIMIT n` or `APPENDLIMIT NIL` (RFC 7889)
    AppendLimit(Option<u64>),
    /// `MAILBOXID (id)` (RFC 8474); opaque bytes (Cyrus may send junk).
    MailboxId(
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::proto::response::ser::bytes")
        )]
        &'a [u8],
    ),
    /// `DELETED-STORAGE n` (RFC 9208)
    DeletedStorage(u64),
    /// An item this parser does not know: its name and raw value.
    Other {
        /// The item name as sent.
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::proto::response::ser::bytes")
        )]
        name: &'a [u8],
        /// The raw value.
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::proto::response::ser::bytes")
        )]
        raw: &'a [u8],
    },
}
