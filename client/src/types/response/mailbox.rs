//! Owned mailbox data: LIST/LSUB entries, STATUS, and the state of a selected mailbox.

use crate::types::{Flag, MailboxName};

/// A mailbox name attribute (RFC 3501, RFC 5258, RFC 6154 SPECIAL-USE, RFC 8457), matched
/// case-insensitively (Cyrus sends `\drafts`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum MailboxAttribute {
    /// `\Noinferiors`
    NoInferiors,
    /// `\Noselect`
    NoSelect,
    /// `\Marked`
    Marked,
    /// `\Unmarked`
    Unmarked,
    /// `\HasChildren`
    HasChildren,
    /// `\HasNoChildren`
    HasNoChildren,
    /// `\NonExistent`
    NonExistent,
    /// `\Subscribed`
    Subscribed,
    /// `\Remote`
    Remote,
    /// `\All` (SPECIAL-USE)
    All,
    /// `\Archive` (SPECIAL-USE)
    Archive,
    /// `\Drafts` (SPECIAL-USE)
    Drafts,
    /// `\Flagged` (SPECIAL-USE)
    Flagged,
    /// `\Junk` (SPECIAL-USE)
    Junk,
    /// `\Sent` (SPECIAL-USE)
    Sent,
    /// `\Trash` (SPECIAL-USE)
    Trash,
    /// `\Important` (RFC 8457)
    Important,
    /// Any other attribute, as sent (with its backslash).
    Other(String),
}

impl MailboxAttribute {
    /// Maps an attribute as sent, case-insensitively.
    pub fn from_wire(raw: &[u8]) -> Self {
        const KNOWN: &[(&[u8], MailboxAttribute)] = &[
            (b"\\Noinferiors", MailboxAttribute::NoInferiors),
            (b"\\Noselect", MailboxAttribute::NoSelect),
            (b"\\Marked", MailboxAttribute::Marked),
            (b"\\Unmarked", MailboxAttribute::Unmarked),
            (b"\\HasChildren", MailboxAttribute::HasChildren),
            (b"\\HasNoChildren", MailboxAttribute::HasNoChildren),
            (b"\\NonExistent", MailboxAttribute::NonExistent),
            (b"\\Subscribed", MailboxAttribute::Subscribed),
            (b"\\Remote", MailboxAttribute::Remote),
            (b"\\All", MailboxAttribute::All),
            (b"\\Archive", MailboxAttribute::Archive),
            (b"\\Drafts", MailboxAttribute::Drafts),
            (b"\\Flagged", MailboxAttribute::Flagged),
            (b"\\Junk", MailboxAttribute::Junk),
            (b"\\Sent", MailboxAttribute::Sent),
            (b"\\Trash", MailboxAttribute::Trash),
            (b"\\Important", MailboxAttribute::Important),
        ];
        KNOWN
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(raw))
            .map(|(_, a)| a.clone())
            .unwrap_or_else(|| MailboxAttribute::Other(String::from_utf8_lossy(raw).into_owned()))
    }
}

impl MailboxAttribute {
    /// Maps an XLIST attribute to its SPECIAL-USE (RFC 6154) equivalent: `\AllMail` is
    /// [`All`](Self::All), `\Spam` [`Junk`](Self::Junk), `\Starred`
    /// [`Flagged`](Self::Flagged); XLIST's `\Inbox` (no SPECIAL-USE equivalent) and every
    /// other attribute stay as they are.
    ///
    /// ```
    /// use daaki_imap::types::response::MailboxAttribute;
    ///
    /// let spam = MailboxAttribute::from_wire(b"\\Spam");
    /// assert_eq!(MailboxAttribute::from_xlist(spam), MailboxAttribute::Junk);
    /// ```
    pub fn from_xlist(attribute: MailboxAttribute) -> Self {
        match &attribute {
            MailboxAttribute::Other(name) if name.eq_ignore_ascii_case("\\AllMail") => {
                MailboxAttribute::All
            }
            MailboxAttribute::Other(name) if name.eq_ignore_ascii_case("\\Spam") => {
                MailboxAttribute::Junk
            }
            MailboxAttribute::Other(name) if name.eq_ignore_ascii_case("\\Starred") => {
                MailboxAttribute::Flagged
            }
            _ => attribute,
        }
    }
}

/// One LIST/LSUB entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct MailboxInfo {
    /// The mailbox name (decoded from modified UTF-7 or UTF-8).
    pub name: MailboxName,
    /// Name attributes, including SPECIAL-USE ones.
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::attributes"),
        tsify(type = "string[]")
    )]
    pub attributes: Vec<MailboxAttribute>,
    /// Hierarchy delimiter; `None` for a flat namespace.
    pub delimiter: Option<char>,
    /// LIST-EXTENDED `CHILDINFO` values (e.g. `SUBSCRIBED`).
    pub child_info: Vec<String>,
    /// `OLDNAME` after a rename (RFC 5465 / RFC 9051).
    pub old_name: Option<MailboxName>,
}

/// STATUS data of one mailbox. Items not requested (or not sent) are `None`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct MailboxStatus {
    /// The mailbox (`None` only when built without a STATUS response).
    pub mailbox: Option<MailboxName>,
    /// `MESSAGES`
    pub messages: Option<u32>,
    /// `RECENT` (IMAP4rev1)
    pub recent: Option<u32>,
    /// `UIDNEXT`
    pub uid_next: Option<u32>,
    /// `UIDVALIDITY`
    pub uid_validity: Option<u32>,
    /// `UNSEEN`
    pub unseen: Option<u32>,
    /// `DELETED`
    pub deleted: Option<u32>,
    /// `SIZE` (STATUS=SIZE)
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::opt_num"),
        tsify(type = "number | undefined")
    )]
    pub size: Option<u64>,
    /// `HIGHESTMODSEQ` (CONDSTORE)
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::opt_num"),
        tsify(type = "number | undefined")
    )]
    pub highest_modseq: Option<u64>,
    /// `APPENDLIMIT`: `Some(None)` when the server said NIL (no limit).
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::opt_opt_num"),
        tsify(type = "number | null | undefined")
    )]
    pub append_limit: Option<Option<u64>>,
    /// `MAILBOXID` (OBJECTID), opaque bytes.
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::opt_text"),
        tsify(type = "string | undefined")
    )]
    pub mailbox_id: Option<Vec<u8>>,
    /// `DELETED-STORAGE` (QUOTA)
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::opt_num"),
        tsify(type = "number | undefined")
    )]
    pub deleted_storage: Option<u64>,
    /// Unknown items: name and raw value.
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::other_items"),
        tsify(type = "[string, Uint8Array][]")
    )]
    pub other: Vec<(String, Vec<u8>)>,
}

/// What SELECT / EXAMINE reported about the mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct SelectedMailbox {
    /// `* n EXISTS`
    pub exists: u32,
    /// `* n RECENT` (IMAP4rev1)
    pub recent: Option<u32>,
    /// `* FLAGS (...)`
    pub flags: Vec<Flag>,
    /// `[PERMANENTFLAGS (...)]`; includes `Flag::Extension("*")` for `\*`.
    pub permanent_flags: Vec<Flag>,
    /// `[UIDVALIDITY n]`
    pub uid_validity: Option<u32>,
    /// `[UIDNEXT n]`
    pub uid_next: Option<u32>,
    /// `[UNSEEN n]` (IMAP4rev1)
    pub unseen: Option<u32>,
    /// `[HIGHESTMODSEQ n]`; `None` also after `[NOMODSEQ]`.
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::opt_num"),
        tsify(type = "number | undefined")
    )]
    pub highest_modseq: Option<u64>,
    /// `[MAILBOXID (id)]`
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::opt_text"),
        tsify(type = "string | undefined")
    )]
    pub mailbox_id: Option<Vec<u8>>,
    /// `true` after `[READ-ONLY]` (EXAMINE, or SELECT without write access).
    pub read_only: bool,
    /// `true` after `[UIDNOTSTICKY]` (UIDPLUS, RFC 4315 §3): the mailbox does not keep UIDs
    /// across sessions, so cached UIDs are worthless.
    pub uid_not_sticky: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xlist_attributes_map_to_special_use_and_others_stay() {
        let x =
            |name: &str| MailboxAttribute::from_xlist(MailboxAttribute::from_wire(name.as_bytes()));
        assert_eq!(x("\\AllMail"), MailboxAttribute::All);
        assert_eq!(x("\\allmail"), MailboxAttribute::All);
        assert_eq!(x("\\Spam"), MailboxAttribute::Junk);
        assert_eq!(x("\\Starred"), MailboxAttribute::Flagged);
        assert_eq!(x("\\Inbox"), MailboxAttribute::Other("\\Inbox".into()));
        assert_eq!(x("\\Sent"), MailboxAttribute::Sent);
        assert_eq!(x("\\Noselect"), MailboxAttribute::NoSelect);
    }
}
