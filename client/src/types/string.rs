//! `ImapString`: free text for command arguments (search text, header values, …).
//!
//! This type only guarantees what no encoding can repair: the text has no NUL, CR or LF.
//! NUL is forbidden in every IMAP string form (even literals, RFC 3501 §4.3), and CR/LF in
//! an argument would be a line break in a quoted string, i.e. the end of the command. Other
//! text, including 8-bit Unicode, is allowed: the encoder (not this type) chooses an atom,
//! a quoted string or a literal for it, and whether a `CHARSET` is needed.

use crate::types::InvalidInput;

/// Single-line Unicode text for a command argument: anything but NUL, CR and LF.
/// The empty string is allowed (it is a valid IMAP string, `""`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "String", into = "String")
)]
pub struct ImapString(String);

impl ImapString {
    /// Validates `s` (rejects NUL, CR and LF).
    pub fn new(s: &str) -> Result<Self, InvalidInput> {
        Self::try_from(s.to_owned())
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when the text is pure ASCII (no `CHARSET`/UTF-8 handling needed).
    pub fn is_ascii(&self) -> bool {
        self.0.is_ascii()
    }
}

impl std::fmt::Display for ImapString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for ImapString {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for ImapString {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, InvalidInput> {
        Self::new(s)
    }
}

impl TryFrom<&str> for ImapString {
    type Error = InvalidInput;

    fn try_from(s: &str) -> Result<Self, InvalidInput> {
        Self::new(s)
    }
}

impl TryFrom<String> for ImapString {
    type Error = InvalidInput;

    fn try_from(s: String) -> Result<Self, InvalidInput> {
        if memchr::memchr3(0, b'\r', b'\n', s.as_bytes()).is_some() {
            return Err(InvalidInput::new(format!(
                "text must not contain NUL, CR or LF: {s:?}"
            )));
        }
        Ok(Self(s))
    }
}

impl From<ImapString> for String {
    fn from(s: ImapString) -> Self {
        s.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_single_line_text_including_unicode_and_specials() {
        for s in [
            "",
            "hello world",
            "\"quoted\" \\ back",
            "{5}",
            "日本語",
            "tab\there",
            "* OK",
        ] {
            assert_eq!(ImapString::new(s).unwrap().as_str(), s);
        }
        assert!(ImapString::new("abc").unwrap().is_ascii());
        assert!(!ImapString::new("é").unwrap().is_ascii());
    }

    #[test]
    fn rejects_nul_cr_lf() {
        for s in ["\0", "a\rb", "a\nb", "x\r\nA1 LOGOUT", "end\n"] {
            assert!(ImapString::new(s).is_err(), "{s:?}");
            assert!(ImapString::try_from(s.to_owned()).is_err(), "{s:?}");
        }
    }
}
