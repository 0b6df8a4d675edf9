//! `ImapAtom`: an IMAP atom (RFC 3501 §9 `atom`), and the character classes other newtypes share.
//!
//! This module owns the byte-level character classes of the IMAP grammar that request newtypes
//! validate against (`ATOM-CHAR`, `ASTRING-CHAR`). It never parses server responses.

use crate::types::InvalidInput;

/// An IMAP atom: one or more printable ASCII characters except `(`, `)`, `{`, SP, CTL, `%`,
/// `*`, `"`, `\` and `]`.
///
/// Atoms are written to the wire verbatim (flags, keywords, capability names), so
/// [`ImapAtom::new`] accepts nothing that could change the meaning of a command.
///
/// With the `serde` feature, deserialisation validates too, slightly more leniently than
/// [`ImapAtom::new`]: it also accepts `%`, `*` and `]`, because atoms the server sent (for
/// example the `*` of the `\*` permanent flag) must survive a serde round trip. None of
/// those characters can end a command or start a literal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "RelaxedAtom", into = "String")
)]
pub struct ImapAtom(String);

impl ImapAtom {
    /// Validates `s` as an atom.
    pub fn new(s: &str) -> Result<Self, InvalidInput> {
        if !s.is_empty() && s.bytes().all(is_atom_char) {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidInput::new(format!("not an IMAP atom: {s:?}")))
        }
    }

    /// Wraps text the parser already matched as an atom (no validation).
    #[allow(dead_code)]
    pub(crate) fn from_server(s: String) -> Self {
        Self(s)
    }

    /// The atom's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `ATOM-CHAR` of RFC 3501 §9.
pub(crate) fn is_atom_char(b: u8) -> bool {
    matches!(b, 0x21..=0x7e) && !matches!(b, b'(' | b')' | b'{' | b'%' | b'*' | b'"' | b'\\' | b']')
}

/// `ASTRING-CHAR` of RFC 3501 §9: `ATOM-CHAR` or `]`.
pub(crate) fn is_astring_char(b: u8) -> bool {
    is_atom_char(b) || b == b']'
}

/// What serde accepts in an atom: `ASTRING-CHAR` plus the list wildcards `%` and `*`.
fn is_relaxed_atom_char(b: u8) -> bool {
    is_astring_char(b) || matches!(b, b'%' | b'*')
}

impl std::fmt::Display for ImapAtom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for ImapAtom {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for ImapAtom {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, InvalidInput> {
        Self::new(s)
    }
}

impl TryFrom<&str> for ImapAtom {
    type Error = InvalidInput;

    fn try_from(s: &str) -> Result<Self, InvalidInput> {
        Self::new(s)
    }
}

impl TryFrom<String> for ImapAtom {
    type Error = InvalidInput;

    fn try_from(s: String) -> Result<Self, InvalidInput> {
        if !s.is_empty() && s.bytes().all(is_atom_char) {
            Ok(Self(s))
        } else {
            Self::new(&s)
        }
    }
}

/// The serde input of [`ImapAtom`]: checked leniently (see the type's docs).
#[derive(Debug)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize), serde(transparent))]
pub(crate) struct RelaxedAtom(pub(crate) String);

impl TryFrom<RelaxedAtom> for ImapAtom {
    type Error = InvalidInput;

    fn try_from(RelaxedAtom(s): RelaxedAtom) -> Result<Self, InvalidInput> {
        if !s.is_empty() && s.bytes().all(is_relaxed_atom_char) {
            Ok(Self(s))
        } else {
            Err(InvalidInput::new(format!("not an IMAP atom: {s:?}")))
        }
    }
}

impl From<ImapAtom> for String {
    fn from(atom: ImapAtom) -> Self {
        atom.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_typical_atoms() {
        for s in [
            "$Forwarded",
            "NonJunk",
            "a",
            "X-GM-LABELS",
            "1",
            "$MDNSent",
            "~x!#&'+,-./:;<=>?@[^_`|}",
        ] {
            assert_eq!(ImapAtom::new(s).unwrap().as_str(), s);
        }
    }

    #[test]
    fn rejects_specials_controls_space_and_non_ascii() {
        for s in [
            "", " ", "a b", "a(b", "a)b", "a{b", "a%b", "a*b", "a\"b", "a\\b", "a]b", "a\rb",
            "a\nb", "a\0b", "a\tb", "\u{7f}", "ä",
        ] {
            assert!(ImapAtom::new(s).is_err(), "{s:?} must be rejected");
        }
    }

    #[test]
    fn atom_char_classes_match_rfc_3501() {
        let atom: Vec<u8> = (0u8..=255).filter(|&b| is_atom_char(b)).collect();
        assert_eq!(atom.len(), 94 - 8);
        assert!(is_astring_char(b']'));
        assert!(!is_astring_char(b'*'));
        assert!(is_relaxed_atom_char(b'*'));
        assert!(!is_relaxed_atom_char(b'('));
    }

    #[test]
    fn lenient_serde_input_still_rejects_framing_bytes() {
        assert!(ImapAtom::try_from(RelaxedAtom("*".to_owned())).is_ok());
        assert!(
            ImapAtom::try_from("*".to_owned()).is_err(),
            "TryFrom<String> is strict"
        );
        for s in ["", "a b", "a\r\n", "(", "{5}", "\"", "\\"] {
            assert!(
                ImapAtom::try_from(RelaxedAtom(s.to_owned())).is_err(),
                "{s:?}"
            );
        }
    }

    #[test]
    fn display_and_from_str_round_trip() {
        let atom: ImapAtom = "$Junk".parse().unwrap();
        assert_eq!(atom.to_string(), "$Junk");
        assert_eq!(String::from(atom), "$Junk");
    }
}
