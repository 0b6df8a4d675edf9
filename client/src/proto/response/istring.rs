//! [`IString`]: a string exactly as it appeared on the wire, without copying.

use std::borrow::Cow;

/// A string (quoted, literal or atom) borrowed from the input. A quoted string that held
/// `\"` or `\\` escapes keeps them raw (`escaped == true`) and is unescaped on demand by
/// [`IString::to_bytes`]; every other string is used as is. `Copy`, with no destructor: the
/// parser never allocates for strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct IString<'a> {
    raw: &'a [u8],
    escaped: bool,
}

impl<'a> IString<'a> {
    /// A string that needs no unescaping (an atom, a literal, or a quoted string without
    /// backslashes).
    pub const fn new(raw: &'a [u8]) -> Self {
        Self {
            raw,
            escaped: false,
        }
    }

    /// The inner bytes of a quoted string that contains backslash escapes.
    pub(crate) const fn escaped(raw: &'a [u8]) -> Self {
        Self { raw, escaped: true }
    }

    /// The bytes as on the wire (escapes included if [`IString::is_escaped`]).
    pub const fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// `true` if the raw bytes still hold quoted-string escapes.
    pub const fn is_escaped(&self) -> bool {
        self.escaped
    }

    /// The string's value: borrowed unless escapes must be removed.
    pub fn to_bytes(&self) -> Cow<'a, [u8]> {
        if !self.escaped {
            return Cow::Borrowed(self.raw);
        }
        Cow::Owned(crate::types::quoted::unescape_quoted(self.raw))
    }

    /// The value as an owned `Vec<u8>`.
    pub fn to_vec(&self) -> Vec<u8> {
        self.to_bytes().into_owned()
    }

    /// The value as text, invalid UTF-8 replaced by U+FFFD.
    pub fn to_string_lossy(&self) -> String {
        match self.to_bytes() {
            // `str::from_utf8` validates ASCII word by word; `from_utf8_lossy` walks byte by
            // byte even when nothing needs replacing (the fetch benchmark's ENVELOPEs).
            Cow::Borrowed(b) => match std::str::from_utf8(b) {
                Ok(s) => s.to_owned(),
                Err(_) => String::from_utf8_lossy(b).into_owned(),
            },
            Cow::Owned(v) => match String::from_utf8(v) {
                Ok(s) => s,
                Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
            },
        }
    }

    /// Case-insensitive ASCII comparison of the value with `other`.
    pub fn eq_ignore_ascii_case(&self, other: &[u8]) -> bool {
        if self.escaped {
            self.to_bytes().eq_ignore_ascii_case(other)
        } else {
            self.raw.eq_ignore_ascii_case(other)
        }
    }
}

impl<'a> From<&'a [u8]> for IString<'a> {
    fn from(raw: &'a [u8]) -> Self {
        Self::new(raw)
    }
}

impl<'a, const N: usize> From<&'a [u8; N]> for IString<'a> {
    fn from(raw: &'a [u8; N]) -> Self {
        Self::new(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_string_is_unescaped_on_demand() {
        let s = IString::escaped(br#"a\"b\\c\d"#);
        assert_eq!(&*s.to_bytes(), br#"a"b\c\d"#);
        assert!(matches!(IString::new(b"x").to_bytes(), Cow::Borrowed(_)));
    }

    #[test]
    fn lossy_text_replaces_invalid_utf8() {
        assert_eq!(IString::new(b"a\xffb").to_string_lossy(), "a\u{fffd}b");
    }

    #[test]
    fn only_a_quoted_string_with_escapes_is_escaped() {
        assert!(!IString::new(br"a\b").is_escaped());
        assert!(IString::escaped(br"a\b").is_escaped());
    }

    #[test]
    fn case_insensitive_comparison_uses_the_unescaped_value() {
        assert!(IString::new(b"Inbox").eq_ignore_ascii_case(b"INBOX"));
        assert!(!IString::new(b"Inbox").eq_ignore_ascii_case(b"INBOXES"));
        assert!(IString::escaped(br#"a\"b"#).eq_ignore_ascii_case(br#"A"B"#));
        assert!(!IString::escaped(br#"a\"b"#).eq_ignore_ascii_case(br#"A\"B"#));
        assert_eq!(IString::from(&b"x y"[..]).raw(), b"x y");
        assert!(!IString::from(&b"x y"[..]).is_escaped());
        assert_eq!(IString::from(b"xy").raw(), b"xy");
    }
}
