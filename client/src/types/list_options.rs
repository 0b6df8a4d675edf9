//! LIST arguments: patterns ([`ListPattern`]), LIST-EXTENDED options as a typed builder
//! ([`ListOptions`], RFC 5258, LIST-STATUS RFC 5819, SPECIAL-USE RFC 6154) and what an
//! extended LIST returns ([`ListEntry`]: a mailbox and, with `RETURN (STATUS …)`, its status).

use super::response::{MailboxInfo, MailboxStatus};
use super::{ImapAtom, InvalidInput, MailboxName, StatusAttr};

/// A LIST / LSUB reference or mailbox pattern in human (Unicode) form; `%` and `*` are
/// wildcards. May be empty (`""`). The encoder applies the session's mailbox-name encoding
/// (modified UTF-7 or UTF-8), like for [`MailboxName`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "String", into = "String")
)]
pub struct ListPattern(String);

impl ListPattern {
    /// Validates a pattern (rejects NUL, CR and LF).
    pub fn new(pattern: &str) -> Result<Self, InvalidInput> {
        if pattern.bytes().any(|b| matches!(b, 0 | b'\r' | b'\n')) {
            return Err(InvalidInput::new(format!(
                "invalid LIST pattern: {pattern:?}"
            )));
        }
        Ok(Self(pattern.to_owned()))
    }

    /// The empty pattern `""` (the usual reference; as a pattern it asks for the hierarchy
    /// delimiter).
    pub fn empty() -> Self {
        Self(String::new())
    }

    /// `*`: every mailbox.
    pub fn all() -> Self {
        Self("*".to_owned())
    }

    /// The pattern text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<MailboxName> for ListPattern {
    fn from(name: MailboxName) -> Self {
        Self(name.as_str().to_owned())
    }
}

impl TryFrom<String> for ListPattern {
    type Error = InvalidInput;

    fn try_from(s: String) -> Result<Self, InvalidInput> {
        Self::new(&s)
    }
}

impl TryFrom<&str> for ListPattern {
    type Error = InvalidInput;

    fn try_from(s: &str) -> Result<Self, InvalidInput> {
        Self::new(s)
    }
}

impl From<ListPattern> for String {
    fn from(p: ListPattern) -> Self {
        p.0
    }
}

/// A LIST selection option (RFC 5258 §3.1, RFC 6154 §5.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum ListSelectOption {
    /// `SUBSCRIBED`
    Subscribed,
    /// `REMOTE`
    Remote,
    /// `RECURSIVEMATCH` (needs another selection option).
    RecursiveMatch,
    /// `SPECIAL-USE`
    SpecialUse,
    /// Another option (an atom).
    Other(ImapAtom),
}

impl ListSelectOption {
    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            ListSelectOption::Subscribed => "SUBSCRIBED",
            ListSelectOption::Remote => "REMOTE",
            ListSelectOption::RecursiveMatch => "RECURSIVEMATCH",
            ListSelectOption::SpecialUse => "SPECIAL-USE",
            ListSelectOption::Other(atom) => atom.as_str(),
        }
    }
}

/// A LIST return option (RFC 5258 §3.2, LIST-STATUS RFC 5819, RFC 6154 §5.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum ListReturnOption {
    /// `SUBSCRIBED`
    Subscribed,
    /// `CHILDREN`
    Children,
    /// `SPECIAL-USE`
    SpecialUse,
    /// `STATUS (items)` (LIST-STATUS); never an empty list.
    Status(Vec<StatusAttr>),
    /// Another option (an atom, no arguments).
    Other(ImapAtom),
}

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

    /// Checks the combination: `RECURSIVEMATCH` needs another selection option (RFC 5258
    /// §3) and `RETURN (STATUS ())` at least one item.
    pub fn validate(&self) -> Result<(), InvalidInput> {
        if self.selection.contains(&ListSelectOption::RecursiveMatch)
            && !self
                .selection
                .iter()
                .any(|s| *s != ListSelectOption::RecursiveMatch)
        {
            return Err(InvalidInput::new(
                "LIST RECURSIVEMATCH needs another selection option (RFC 5258 §3)",
            ));
        }
        if self
            .return_options
            .iter()
            .any(|r| matches!(r, ListReturnOption::Status(items) if items.is_empty()))
        {
            return Err(InvalidInput::new(
                "LIST RETURN (STATUS ()) needs at least one status item",
            ));
        }
        Ok(())
    }

    /// The capabilities a LIST with these options and `patterns` patterns needs, in the order
    /// checked: `LIST-EXTENDED` (any option, or several patterns), `LIST-STATUS`,
    /// `SPECIAL-USE`. IMAP4rev2 includes all three.
    ///
    /// ```
    /// use daaki_imap::types::{ListOptions, StatusAttr};
    /// assert!(ListOptions::new().required_capabilities(1).is_empty());
    /// let o = ListOptions::new().return_status(&[StatusAttr::Messages]);
    /// assert_eq!(o.required_capabilities(1), ["LIST-EXTENDED", "LIST-STATUS"]);
    /// ```
    pub fn required_capabilities(&self, patterns: usize) -> Vec<&'static str> {
        let mut need = Vec::new();
        if !self.is_empty() || patterns > 1 {
            need.push("LIST-EXTENDED");
        }
        if self
            .return_options
            .iter()
            .any(|r| matches!(r, ListReturnOption::Status(_)))
        {
            need.push("LIST-STATUS");
        }
        if self.selection.contains(&ListSelectOption::SpecialUse)
            || self.return_options.contains(&ListReturnOption::SpecialUse)
        {
            need.push("SPECIAL-USE");
        }
        need
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let o = ListOptions::new().remote().return_subscribed();
        assert_eq!(o.selection(), [ListSelectOption::Remote]);
        assert_eq!(o.return_options(), [ListReturnOption::Subscribed]);
    }

    #[test]
    fn validate_refuses_bad_combinations_before_sending() {
        let lone = ListOptions::new().recursive_match();
        assert_eq!(
            lone.validate().unwrap_err().message(),
            "LIST RECURSIVEMATCH needs another selection option (RFC 5258 §3)"
        );
        let paired = ListOptions::new().subscribed().recursive_match();
        assert_eq!(paired.validate(), Ok(()));
        let empty_status = ListOptions::new().return_status(&[]);
        assert_eq!(
            empty_status.validate().unwrap_err().message(),
            "LIST RETURN (STATUS ()) needs at least one status item"
        );
        assert_eq!(
            ListOptions::new()
                .return_status(&[StatusAttr::Messages])
                .validate(),
            Ok(())
        );
    }

    #[test]
    fn required_capabilities_name_each_extension_used() {
        assert!(ListOptions::new().required_capabilities(1).is_empty());
        assert_eq!(
            ListOptions::new().required_capabilities(2),
            ["LIST-EXTENDED"]
        );
        assert_eq!(
            ListOptions::new().subscribed().required_capabilities(1),
            ["LIST-EXTENDED"]
        );
        assert_eq!(
            ListOptions::new()
                .return_status(&[StatusAttr::Messages])
                .required_capabilities(1),
            ["LIST-EXTENDED", "LIST-STATUS"]
        );
        assert_eq!(
            ListOptions::new().special_use().required_capabilities(1),
            ["LIST-EXTENDED", "SPECIAL-USE"]
        );
        assert_eq!(
            ListOptions::new()
                .return_special_use()
                .required_capabilities(1),
            ["LIST-EXTENDED", "SPECIAL-USE"]
        );
    }

    #[test]
    fn list_patterns_allow_empty_and_wildcards_but_not_line_breaks() {
        assert_eq!(ListPattern::new("").unwrap(), ListPattern::empty());
        assert_eq!(ListPattern::new("*").unwrap(), ListPattern::all());
        assert_eq!(ListPattern::new("Archiv/%").unwrap().as_str(), "Archiv/%");
        for bad in ["a\r\n", "\0", "x\ny"] {
            assert!(ListPattern::new(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            ListPattern::from(MailboxName::new("inbox").unwrap()).as_str(),
            "INBOX"
        );
        assert_eq!(ListPattern::try_from("a/%").unwrap().as_str(), "a/%");
        assert_eq!(
            ListPattern::try_from("b/*".to_owned()).unwrap().as_str(),
            "b/*"
        );
        assert!(ListPattern::try_from("a\r\n").is_err());
        assert!(ListPattern::try_from("a\0".to_owned()).is_err());
        assert_eq!(String::from(ListPattern::all()), "*");
    }
}
