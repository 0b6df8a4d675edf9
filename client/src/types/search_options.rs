//! SEARCH, SORT and THREAD arguments besides the keys themselves ([`crate::types::SearchKey`]):
//! ESEARCH / SEARCHRES return options (RFC 4731, RFC 5182), sort criteria (RFC 5256,
//! SORT=DISPLAY RFC 5957) and threading algorithms (RFC 5256).

use crate::types::ImapAtom;

/// An ESEARCH / ESORT return option.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum SearchReturnOption {
    /// `MIN`
    Min,
    /// `MAX`
    Max,
    /// `ALL`
    All,
    /// `COUNT`
    Count,
    /// `SAVE` (SEARCHRES): keep the result as `$`.
    Save,
    /// Another option (an atom, no arguments).
    Other(ImapAtom),
}

impl SearchReturnOption {
    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            SearchReturnOption::Min => "MIN",
            SearchReturnOption::Max => "MAX",
            SearchReturnOption::All => "ALL",
            SearchReturnOption::Count => "COUNT",
            SearchReturnOption::Save => "SAVE",
            SearchReturnOption::Other(atom) => atom.as_str(),
        }
    }
}

/// A sort key (RFC 5256 §3, SORT=DISPLAY RFC 5957).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum SortKey {
    /// `ARRIVAL`: internal date.
    Arrival,
    /// `CC`
    Cc,
    /// `DATE`: the Date: header.
    Date,
    /// `FROM`
    From,
    /// `SIZE`
    Size,
    /// `SUBJECT` (base subject).
    Subject,
    /// `TO`
    To,
    /// `DISPLAYFROM` (SORT=DISPLAY)
    DisplayFrom,
    /// `DISPLAYTO` (SORT=DISPLAY)
    DisplayTo,
}

impl SortKey {
    /// Every key, in RFC order (RFC 5256 §3, then SORT=DISPLAY).
    pub const ALL: [SortKey; 9] = [
        SortKey::Arrival,
        SortKey::Cc,
        SortKey::Date,
        SortKey::From,
        SortKey::Size,
        SortKey::Subject,
        SortKey::To,
        SortKey::DisplayFrom,
        SortKey::DisplayTo,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Arrival => "ARRIVAL",
            SortKey::Cc => "CC",
            SortKey::Date => "DATE",
            SortKey::From => "FROM",
            SortKey::Size => "SIZE",
            SortKey::Subject => "SUBJECT",
            SortKey::To => "TO",
            SortKey::DisplayFrom => "DISPLAYFROM",
            SortKey::DisplayTo => "DISPLAYTO",
        }
    }

    /// The key with this wire name, ASCII case-insensitive (`"displayFrom"` is
    /// `DISPLAYFROM`); `None` for any other name.
    ///
    /// ```
    /// use daaki_imap::types::SortKey;
    /// assert_eq!(SortKey::from_name("arrival"), Some(SortKey::Arrival));
    /// assert_eq!(SortKey::from_name("REVERSE"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(name))
    }
}

/// One sort criterion: a key, optionally `REVERSE`d.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SortCriterion {
    /// `REVERSE`
    pub reverse: bool,
    /// The key.
    pub key: SortKey,
}

impl SortCriterion {
    /// Ascending by `key`.
    pub fn asc(key: SortKey) -> Self {
        Self {
            reverse: false,
            key,
        }
    }

    /// Descending by `key` (`REVERSE key`).
    pub fn desc(key: SortKey) -> Self {
        Self { reverse: true, key }
    }
}

/// A THREAD algorithm (RFC 5256 §3; REFS from RFC 5256bis / Dovecot).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum ThreadAlgorithm {
    /// `ORDEREDSUBJECT`
    OrderedSubject,
    /// `REFERENCES`
    References,
    /// `REFS`
    Refs,
    /// Another algorithm (an atom).
    Other(ImapAtom),
}

impl ThreadAlgorithm {
    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            ThreadAlgorithm::OrderedSubject => "ORDEREDSUBJECT",
            ThreadAlgorithm::References => "REFERENCES",
            ThreadAlgorithm::Refs => "REFS",
            ThreadAlgorithm::Other(atom) => atom.as_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sort_key_is_found_by_its_wire_name_in_any_case() {
        let mut names: Vec<&str> = SortKey::ALL.iter().map(|k| k.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), SortKey::ALL.len(), "no key listed twice");
        for key in SortKey::ALL {
            assert_eq!(SortKey::from_name(key.as_str()), Some(key));
            assert_eq!(
                SortKey::from_name(&key.as_str().to_ascii_lowercase()),
                Some(key)
            );
        }
        assert_eq!(
            SortKey::from_name("displayFrom"),
            Some(SortKey::DisplayFrom)
        );
        for unknown in ["", "REVERSE", "ARRIVALS", "DISPLAY"] {
            assert_eq!(SortKey::from_name(unknown), None, "{unknown:?}");
        }
    }
}
