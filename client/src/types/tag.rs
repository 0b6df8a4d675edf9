//! `Tag`: the command tag that pairs a command with its completion (RFC 3501 §2.2.1).

use super::atom::is_astring_char;
use crate::types::InvalidInput;

/// A command tag: `1*<any ASTRING-CHAR except "+">` (RFC 3501 §9, RFC 9051 §9).
///
/// The session allocates tags itself; this type exists so a tag can never carry a space,
/// CR, LF or a `+` (which would be confused with a continuation request).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "String", into = "String")
)]
pub struct Tag(String);

impl Tag {
    /// Validates `s` as a tag.
    pub fn new(s: &str) -> Result<Self, InvalidInput> {
        if is_valid_tag(s.as_bytes()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidInput::new(format!("not an IMAP tag: {s:?}")))
        }
    }

    /// A tag made of a valid prefix and a counter, e.g. `A17`; `prefix` is validated like
    /// a tag but may be empty.
    pub fn with_counter(prefix: &str, counter: u64) -> Result<Self, InvalidInput> {
        Self::new(&format!("{prefix}{counter}"))
    }

    /// Wraps a tag the parser matched (no validation).
    #[allow(dead_code)]
    pub(crate) fn from_server(s: String) -> Self {
        Self(s)
    }

    /// The tag's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_valid_tag(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&b| is_astring_char(b) && b != b'+')
}

impl std::fmt::Display for Tag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Tag {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for Tag {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, InvalidInput> {
        Self::new(s)
    }
}

impl TryFrom<&str> for Tag {
    type Error = InvalidInput;

    fn try_from(s: &str) -> Result<Self, InvalidInput> {
        Self::new(s)
    }
}

impl TryFrom<String> for Tag {
    type Error = InvalidInput;

    fn try_from(s: String) -> Result<Self, InvalidInput> {
        if is_valid_tag(s.as_bytes()) {
            Ok(Self(s))
        } else {
            Self::new(&s)
        }
    }
}

impl From<Tag> for String {
    fn from(tag: Tag) -> Self {
        tag.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_astring_chars() {
        for s in ["A1", "a001", "tag]", "x.y-z_9", "x"] {
            assert_eq!(Tag::new(s).unwrap().as_str(), s);
        }
        assert_eq!(Tag::with_counter("A", 17).unwrap().to_string(), "A17");
        assert_eq!(Tag::with_counter("", 3).unwrap().as_str(), "3");
    }

    #[test]
    fn rejects_plus_space_specials_and_controls() {
        for s in [
            "", "+", "A+1", "A 1", "A\r\n", "A\0", "*", "A(", "A{1}", "A\"", "A%", "A\\", "é",
        ] {
            assert!(Tag::new(s).is_err(), "{s:?}");
        }
        assert!(Tag::with_counter("A B", 1).is_err());
        assert!(Tag::try_from("+".to_owned()).is_err());
    }
}
