//! LIST-EXTENDED options as a typed builder ([`ListOptions`], RFC 5258, LIST-STATUS RFC 5819,
//! SPECIAL-USE RFC 6154) and what an extended LIST returns ([`ListEntry`]: a mailbox and,
//! with `RETURN (STATUS …)`, its status).

use super::StatusAttr;
use super::response::{MailboxAttribute, MailboxInfo, MailboxStatus};
use crate::proto::command::{ListReturnOption, ListSelectOption, SpecialUse};
use crate::proto::session::Capabilities;
use crate::{Error, Result};

/// Selection and return options of an extended LIST.
///
/// Selection options decide *which* mailboxes are listed; return options decide *what* is
/// said about each. The builder methods add one option each (adding one twice is harmless);
/// [`ImapConnection::list_extended`](crate::ImapConnection::list_extended) checks the
/// combination (RFC 5258 §3: `RECURSIVEMATCH` needs another selection option) and the
/// server's capabilities before anything is sent.
///
/// ```
/// use daaki_imap::types::{ListOptions, StatusAttr};
/// let options = ListOptions::new()
///     .subscribed()
///     .recursive_match()
///     .return_children()
///     .return_status(&[StatusAttr::Messages, StatusAttr::Unseen]);
/// assert_eq!(options.selection().len(), 2);
/// assert_eq!(options.return_options().len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ListOptions {
    selection: Vec<ListSelectOption>,
    return_options: Vec<ListReturnOption>,
}

impl ListOptions {
    /// No options: a plain `LIST`.
    pub fn new() -> Self {
        Self::default()
    }

    fn select(mut self, option: ListSelectOption) -> Self {
        if !self.selection.contains(&option) {
            self.selection.push(option);
        }
        self
    }

    fn ret(mut self, option: ListReturnOption) -> Self {
        if !self.return_options.contains(&option) {
            self.return_options.push(option);
        }
        self
    }

    /// Selection `SUBSCRIBED`: only subscribed mailboxes (also ones that no longer exist,
    /// marked `\NonExistent`); implies the `SUBSCRIBED` return option.
    pub fn subscribed(self) -> Self {
        self.select(ListSelectOption::Subscribed)
    }

    /// Selection `REMOTE`: include mailboxes on other servers (`\Remote`).
    pub fn remote(self) -> Self {
        self.select(ListSelectOption::Remote)
    }

    /// Selection `RECURSIVEMATCH`: also list a parent whose children match the other
    /// selection options, with `CHILDINFO` saying which (needs another selection option).
    pub fn recursive_match(self) -> Self {
        self.select(ListSelectOption::RecursiveMatch)
    }

    /// Selection `SPECIAL-USE` (RFC 6154): only mailboxes with a special use; implies the
    /// `SPECIAL-USE` return option.
    pub fn special_use(self) -> Self {
        self.select(ListSelectOption::SpecialUse)
    }

    /// Return `SUBSCRIBED`: mark subscribed mailboxes `\Subscribed`.
    pub fn return_subscribed(self) -> Self {
        self.ret(ListReturnOption::Subscribed)
    }

    /// Return `CHILDREN`: `\HasChildren` / `\HasNoChildren` on every mailbox (CHILDREN,
    /// RFC 3348).
    pub fn return_children(self) -> Self {
        self.ret(ListReturnOption::Children)
    }

    /// Return `SPECIAL-USE`: the special-use attributes (`\Drafts`, `\Sent`, …).
    pub fn return_special_use(self) -> Self {
        self.ret(ListReturnOption::SpecialUse)
    }

    /// Return `STATUS (items)` (LIST-STATUS, RFC 5819): each selectable mailbox's status
    /// comes with it ([`ListEntry::status`]). An empty `items` is refused when used.
    pub fn return_status(self, items: &[StatusAttr]) -> Self {
        self.ret(ListReturnOption::Status(items.to_vec()))
    }

    /// The selection options, in the order added.
    pub fn selection(&self) -> &[ListSelectOption] {
        &self.selection
    }

    /// The return options, in the order added.
    pub fn return_options(&self) -> &[ListReturnOption] {
        &self.return_options
    }

    /// True when no option is set.
    pub fn is_empty(&self) -> bool {
        self.selection.is_empty() && self.return_options.is_empty()
    }

    /// Checks the combination and that `caps` allow it: [`Error::InvalidInput`] for
    /// `RECURSIVEMATCH` alone or an empty `STATUS ()`, [`Error::Unsupported`] when a needed
    /// capability (LIST-EXTENDED, LIST-STATUS, SPECIAL-USE; IMAP4rev2 includes all three) is
    /// not advertised. `patterns` is the number of patterns (several need LIST-EXTENDED).
    pub(crate) fn check(&self, caps: &Capabilities, patterns: usize) -> Result<()> {
        use ListReturnOption as R;
        use ListSelectOption as S;
        if self.selection.contains(&S::RecursiveMatch)
            && !self.selection.iter().any(|s| *s != S::RecursiveMatch)
        {
            return Err(Error::InvalidInput(
                "LIST RECURSIVEMATCH needs another selection option (RFC 5258 §3)".into(),
            ));
        }
        if self
            .return_options
            .iter()
            .any(|r| matches!(r, R::Status(items) if items.is_empty()))
        {
            return Err(Error::InvalidInput(
                "LIST RETURN (STATUS ()) needs at least one status item".into(),
            ));
        }
        let need = |cap: &str| -> Result<()> {
            if caps.has(cap) || caps.imap4rev2() {
                Ok(())
            } else {
                Err(Error::Unsupported(format!("{cap} is not advertised")))
            }
        };
        if !self.is_empty() || patterns > 1 {
            need("LIST-EXTENDED")?;
        }
        if self
            .return_options
            .iter()
            .any(|r| matches!(r, R::Status(_)))
        {
            need("LIST-STATUS")?;
        }
        if self.selection.contains(&S::SpecialUse) || self.return_options.contains(&R::SpecialUse) {
            need("SPECIAL-USE")?;
        }
        Ok(())
    }
}

/// One mailbox of an extended LIST: its LIST data and, when `RETURN (STATUS …)` was asked
/// for, its STATUS (`None` for mailboxes the server sends no status for, e.g. `\Noselect`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct ListEntry {
    /// Name, attributes, delimiter, `CHILDINFO`.
    pub info: MailboxInfo,
    /// LIST-STATUS data for this mailbox.
    pub status: Option<MailboxStatus>,
}

impl ListEntry {
    /// An entry without status.
    pub fn new(info: MailboxInfo) -> Self {
        Self { info, status: None }
    }
}

impl MailboxAttribute {
    /// The special use this attribute names (RFC 6154, `\Important` RFC 8457), if any.
    pub fn special_use(&self) -> Option<SpecialUse> {
        Some(match self {
            MailboxAttribute::All => SpecialUse::All,
            MailboxAttribute::Archive => SpecialUse::Archive,
            MailboxAttribute::Drafts => SpecialUse::Drafts,
            MailboxAttribute::Flagged => SpecialUse::Flagged,
            MailboxAttribute::Junk => SpecialUse::Junk,
            MailboxAttribute::Sent => SpecialUse::Sent,
            MailboxAttribute::Trash => SpecialUse::Trash,
            MailboxAttribute::Important => SpecialUse::Important,
            _ => return None,
        })
    }
}

impl MailboxInfo {
    /// The special uses among the mailbox's attributes (usually none or one).
    pub fn special_uses(&self) -> Vec<SpecialUse> {
        self.attributes
            .iter()
            .filter_map(MailboxAttribute::special_use)
            .collect()
    }

    /// Whether the mailbox has `attribute`.
    pub fn has_attribute(&self, attribute: &MailboxAttribute) -> bool {
        self.attributes.contains(attribute)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(names: &[&str]) -> Capabilities {
        Capabilities::from_atoms(names.iter().map(|n| n.as_bytes()))
    }

    #[test]
    fn builder_deduplicates_and_keeps_order() {
        let o = ListOptions::new()
            .special_use()
            .subscribed()
            .special_use()
            .return_children()
            .return_children();
        assert_eq!(
            o.selection(),
            [ListSelectOption::SpecialUse, ListSelectOption::Subscribed]
        );
        assert_eq!(o.return_options(), [ListReturnOption::Children]);
        assert!(ListOptions::new().is_empty());
    }

    #[test]
    fn check_refuses_bad_combinations_before_sending() {
        let all = caps(&["IMAP4REV1", "LIST-EXTENDED", "LIST-STATUS", "SPECIAL-USE"]);
        let lone = ListOptions::new().recursive_match();
        assert!(matches!(lone.check(&all, 1), Err(Error::InvalidInput(_))));
        assert!(
            ListOptions::new()
                .subscribed()
                .recursive_match()
                .check(&all, 1)
                .is_ok()
        );
        let empty_status = ListOptions::new().return_status(&[]);
        assert!(matches!(
            empty_status.check(&all, 1),
            Err(Error::InvalidInput(_))
        ));
    }

    #[test]
    fn check_names_the_missing_capability() {
        let rev1 = caps(&["IMAP4REV1"]);
        assert!(ListOptions::new().check(&rev1, 1).is_ok());
        let err = ListOptions::new().check(&rev1, 2).unwrap_err();
        assert!(err.to_string().contains("LIST-EXTENDED"), "{err}");
        let ext = caps(&["IMAP4REV1", "LIST-EXTENDED"]);
        let err = ListOptions::new()
            .return_status(&[StatusAttr::Messages])
            .check(&ext, 1)
            .unwrap_err();
        assert!(err.to_string().contains("LIST-STATUS"), "{err}");
        let err = ListOptions::new()
            .return_special_use()
            .check(&ext, 1)
            .unwrap_err();
        assert!(err.to_string().contains("SPECIAL-USE"), "{err}");
        let rev2 = caps(&["IMAP4REV2"]);
        assert!(
            ListOptions::new()
                .special_use()
                .return_status(&[StatusAttr::Size])
                .check(&rev2, 3)
                .is_ok()
        );
    }

    #[test]
    fn attributes_map_to_special_uses() {
        assert_eq!(
            MailboxAttribute::from_wire(b"\\drafts").special_use(),
            Some(SpecialUse::Drafts)
        );
        assert_eq!(
            MailboxAttribute::Important.special_use(),
            Some(SpecialUse::Important)
        );
        assert_eq!(MailboxAttribute::HasChildren.special_use(), None);
    }
}
