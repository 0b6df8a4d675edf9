//! Mailbox commands' arguments: SELECT/EXAMINE parameters, LIST patterns and options
//! (RFC 3501 §6.3, LIST-EXTENDED RFC 5258, LIST-STATUS RFC 5819, SPECIAL-USE RFC 6154).

use super::QResyncParams;
use crate::types::InvalidInput;
use crate::types::{ImapAtom, MailboxName, StatusAttr};

/// SELECT / EXAMINE parameters (RFC 7162). The default is none.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SelectParams {
    /// `CONDSTORE`: enable mod-sequences for this mailbox.
    pub condstore: bool,
    /// `QRESYNC (…)`: resynchronise from a known state (needs QRESYNC ENABLEd).
    pub qresync: Option<QResyncParams>,
}

impl SelectParams {
    /// True when no parameter is set (nothing is written).
    pub fn is_empty(&self) -> bool {
        !self.condstore && self.qresync.is_none()
    }
}

/// A special-use mailbox attribute (RFC 6154, `$Important` RFC 8457 `\Important`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum SpecialUse {
    /// `\All`
    All,
    /// `\Archive`
    Archive,
    /// `\Drafts`
    Drafts,
    /// `\Flagged`
    Flagged,
    /// `\Junk`
    Junk,
    /// `\Sent`
    Sent,
    /// `\Trash`
    Trash,
    /// `\Important` (RFC 8457)
    Important,
    /// Another `\`-attribute; holds the name without the backslash.
    Other(ImapAtom),
}

impl SpecialUse {
    /// The attribute name without the backslash (`Drafts`).
    pub fn name(&self) -> &str {
        match self {
            SpecialUse::All => "All",
            SpecialUse::Archive => "Archive",
            SpecialUse::Drafts => "Drafts",
            SpecialUse::Flagged => "Flagged",
            SpecialUse::Junk => "Junk",
            SpecialUse::Sent => "Sent",
            SpecialUse::Trash => "Trash",
            SpecialUse::Important => "Important",
            SpecialUse::Other(atom) => atom.as_str(),
        }
    }
}

impl std::fmt::Display for SpecialUse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "\\{}", self.name())
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn special_use_displays_with_backslash() {
        assert_eq!(SpecialUse::Drafts.to_string(), "\\Drafts");
        assert_eq!(
            SpecialUse::Other(ImapAtom::new("Receipts").unwrap()).to_string(),
            "\\Receipts"
        );
        assert!(SelectParams::default().is_empty());
    }
}
