//! Body sections of FETCH requests (RFC 3501 §6.4.5 `section`, RFC 9051 §6.4.5) and the
//! header field names they list.
//!
//! Everything here has a single, exact wire spelling, so these types write it themselves
//! ([`Section::write_wire`]): no free text that would need a literal can occur.

use std::num::NonZeroU32;

use super::atom::is_astring_char;
use crate::types::InvalidInput;

/// A header field name (RFC 5322 `field-name = 1*ftext`: printable ASCII except `:`).
///
/// Used in `BODY[HEADER.FIELDS (…)]` and the `HEADER` search key. On the wire it is an
/// `astring`: written bare when it is made of `ASTRING-CHAR`s (every header name in real
/// use), quoted otherwise ([`HeaderName::write_wire`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "String", into = "String")
)]
pub struct HeaderName(String);

impl HeaderName {
    /// Validates `name` as a header field name.
    pub fn new(name: &str) -> Result<Self, InvalidInput> {
        if !name.is_empty() && name.bytes().all(|b| matches!(b, 33..=57 | 59..=126)) {
            Ok(Self(name.to_owned()))
        } else {
            Err(InvalidInput::new(format!(
                "not a header field name: {name:?}"
            )))
        }
    }

    /// The name as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Writes the name as an IMAP `astring` (bare, or quoted with `\` escapes).
    pub fn write_wire(&self, out: &mut String) {
        if self.0.bytes().all(is_astring_char) {
            out.push_str(&self.0);
        } else {
            out.push('"');
            for ch in self.0.chars() {
                if matches!(ch, '"' | '\\') {
                    out.push('\\');
                }
                out.push(ch);
            }
            out.push('"');
        }
    }
}

impl std::fmt::Display for HeaderName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for HeaderName {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, InvalidInput> {
        Self::new(s)
    }
}

impl TryFrom<&str> for HeaderName {
    type Error = InvalidInput;

    fn try_from(s: &str) -> Result<Self, InvalidInput> {
        Self::new(s)
    }
}

impl TryFrom<String> for HeaderName {
    type Error = InvalidInput;

    fn try_from(s: String) -> Result<Self, InvalidInput> {
        Self::new(&s)
    }
}

impl From<HeaderName> for String {
    fn from(name: HeaderName) -> Self {
        name.0
    }
}

/// What part of a (sub)message a section addresses, after the part path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum SectionText {
    /// `HEADER`: the whole header.
    Header,
    /// `HEADER.FIELDS (…)`: only these header fields (never an empty list).
    HeaderFields(Vec<HeaderName>),
    /// `HEADER.FIELDS.NOT (…)`: all header fields but these (never an empty list).
    HeaderFieldsNot(Vec<HeaderName>),
    /// `TEXT`: the body without the header.
    Text,
    /// `MIME`: the MIME header of a body part (only after a part path).
    Mime,
}

/// A body section: a MIME part path (`1.2`, empty for the whole message) and an optional
/// [`SectionText`]. The empty section (`BODY[]`) is the whole message.
///
/// ```
/// # use daaki_imap::types::Section;
/// let s = Section::parse("1.2.HEADER.FIELDS (From To)")?;
/// assert_eq!(s.to_string(), "1.2.HEADER.FIELDS (From To)");
/// assert!(Section::parse("MIME").is_err()); // MIME needs a part
/// # Ok::<(), daaki_imap::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "String", into = "String")
)]
pub struct Section {
    part: Vec<NonZeroU32>,
    text: Option<SectionText>,
}

impl Section {
    /// Validates a section: `MIME` needs a non-empty part path, header field lists must not
    /// be empty.
    pub fn new(part: Vec<NonZeroU32>, text: Option<SectionText>) -> Result<Self, InvalidInput> {
        match &text {
            Some(SectionText::Mime) if part.is_empty() => Err(InvalidInput::new(
                "MIME section needs a part number".to_owned(),
            )),
            Some(SectionText::HeaderFields(names) | SectionText::HeaderFieldsNot(names))
                if names.is_empty() =>
            {
                Err(InvalidInput::new("empty header field list".to_owned()))
            }
            _ => Ok(Self { part, text }),
        }
    }

    /// `[]`: the whole message.
    pub fn full() -> Self {
        Self::default()
    }

    /// `[1.2]`: the body part at this path (empty path: the whole message).
    pub fn part(path: Vec<NonZeroU32>) -> Self {
        Self {
            part: path,
            text: None,
        }
    }

    /// `[HEADER]`: the message header.
    pub fn header() -> Self {
        Self {
            part: Vec::new(),
            text: Some(SectionText::Header),
        }
    }

    /// `[TEXT]`: the message body without its header.
    pub fn text() -> Self {
        Self {
            part: Vec::new(),
            text: Some(SectionText::Text),
        }
    }

    /// `[HEADER.FIELDS (…)]` of the message, validating each name.
    pub fn header_fields<'a>(
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, InvalidInput> {
        Self::new(
            Vec::new(),
            Some(SectionText::HeaderFields(header_names(names)?)),
        )
    }

    /// `[HEADER.FIELDS.NOT (…)]` of the message, validating each name.
    pub fn header_fields_not<'a>(
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, InvalidInput> {
        Self::new(
            Vec::new(),
            Some(SectionText::HeaderFieldsNot(header_names(names)?)),
        )
    }

    /// The same section text, of the body part at `path` instead of the whole message.
    pub fn in_part(self, path: Vec<NonZeroU32>) -> Self {
        Self {
            part: path,
            text: self.text,
        }
    }

    /// Parses the text between the brackets of `BODY[…]`, e.g. `1.2.MIME`, `HEADER.FIELDS
    /// (From To)` (keywords case-insensitive, header names bare and separated by one space).
    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        let invalid = || InvalidInput::new(format!("invalid section: {s:?}"));
        let mut part = Vec::new();
        let mut rest = s;
        while !rest.is_empty() {
            let (segment, tail) = match rest.split_once('.') {
                Some((segment, tail)) => (segment, Some(tail)),
                None => (rest, None),
            };
            if !segment.bytes().all(|b| b.is_ascii_digit()) {
                break;
            }
            if segment.starts_with('0') {
                return Err(invalid());
            }
            part.push(segment.parse::<NonZeroU32>().map_err(|_| invalid())?);
            match tail {
                Some("") => return Err(invalid()),
                Some(tail) => rest = tail,
                None => rest = "",
            }
        }
        let text = if rest.is_empty() {
            None
        } else {
            Some(parse_section_text(rest).ok_or_else(invalid)?)
        };
        Self::new(part, text)
    }

    /// The part path (empty for the whole message).
    pub fn part_path(&self) -> &[NonZeroU32] {
        &self.part
    }

    /// The section text after the part path, if any.
    pub fn section_text(&self) -> Option<&SectionText> {
        self.text.as_ref()
    }

    /// Appends the wire form of what goes between `[` and `]`.
    pub fn write_wire(&self, out: &mut String) {
        write_part(&self.part, out);
        let Some(text) = &self.text else { return };
        if !self.part.is_empty() {
            out.push('.');
        }
        let names = match text {
            SectionText::Header => return out.push_str("HEADER"),
            SectionText::Text => return out.push_str("TEXT"),
            SectionText::Mime => return out.push_str("MIME"),
            SectionText::HeaderFields(names) => {
                out.push_str("HEADER.FIELDS (");
                names
            }
            SectionText::HeaderFieldsNot(names) => {
                out.push_str("HEADER.FIELDS.NOT (");
                names
            }
        };
        for (i, name) in names.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            name.write_wire(out);
        }
        out.push(')');
    }
}

fn header_names<'a>(
    names: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<HeaderName>, InvalidInput> {
    names.into_iter().map(HeaderName::new).collect()
}

fn parse_section_text(s: &str) -> Option<SectionText> {
    let upper = s
        .get(..s.find(' ').unwrap_or(s.len()))?
        .to_ascii_uppercase();
    let list = |prefix_len: usize| -> Option<Vec<HeaderName>> {
        let inner = s.get(prefix_len..)?.strip_prefix(" (")?.strip_suffix(')')?;
        inner.split(' ').map(|n| HeaderName::new(n).ok()).collect()
    };
    match upper.as_str() {
        "HEADER" if s.len() == 6 => Some(SectionText::Header),
        "TEXT" if s.len() == 4 => Some(SectionText::Text),
        "MIME" if s.len() == 4 => Some(SectionText::Mime),
        "HEADER.FIELDS" => list(13).map(SectionText::HeaderFields),
        "HEADER.FIELDS.NOT" => list(17).map(SectionText::HeaderFieldsNot),
        _ => None,
    }
}

/// Writes a part path as `1.2.3`.
pub(crate) fn write_part(part: &[NonZeroU32], out: &mut String) {
    use std::fmt::Write as _;
    for (i, n) in part.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        let _ = write!(out, "{n}");
    }
}

impl std::fmt::Display for Section {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = String::new();
        self.write_wire(&mut out);
        f.write_str(&out)
    }
}

impl std::str::FromStr for Section {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, InvalidInput> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Section {
    type Error = InvalidInput;

    fn try_from(s: String) -> Result<Self, InvalidInput> {
        Self::parse(&s)
    }
}

impl From<Section> for String {
    fn from(section: Section) -> Self {
        section.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nz(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).unwrap()
    }

    #[test]
    fn header_names_follow_rfc_5322_ftext() {
        for ok in ["From", "X-Spam-Score", "Message-ID", "a(b)", "x\"y"] {
            assert!(HeaderName::new(ok).is_ok(), "{ok:?}");
        }
        for bad in ["", "From:", "Fr om", "From\r\n", "Fröm", "\0", "\u{7f}"] {
            assert!(HeaderName::new(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn header_names_are_quoted_only_when_needed() {
        let mut out = String::new();
        HeaderName::new("Message-ID").unwrap().write_wire(&mut out);
        out.push(' ');
        HeaderName::new("a(\"b\\)").unwrap().write_wire(&mut out);
        assert_eq!(out, r#"Message-ID "a(\"b\\)""#);
    }

    #[test]
    fn sections_write_exact_wire_syntax() {
        let cases = [
            (Section::full(), ""),
            (Section::part(vec![nz(1), nz(2)]), "1.2"),
            (Section::header(), "HEADER"),
            (Section::text(), "TEXT"),
            (Section::text().in_part(vec![nz(3)]), "3.TEXT"),
            (
                Section::new(vec![nz(1), nz(2)], Some(SectionText::Mime)).unwrap(),
                "1.2.MIME",
            ),
            (
                Section::header_fields(["From", "To"]).unwrap(),
                "HEADER.FIELDS (From To)",
            ),
            (
                Section::header_fields_not(["Received"])
                    .unwrap()
                    .in_part(vec![nz(4)]),
                "4.HEADER.FIELDS.NOT (Received)",
            ),
        ];
        for (section, wire) in cases {
            assert_eq!(section.to_string(), wire);
            assert_eq!(Section::parse(wire).unwrap(), section, "parsing {wire:?}");
        }
    }

    #[test]
    fn parse_is_case_insensitive_for_keywords() {
        assert_eq!(Section::parse("1.mime").unwrap().to_string(), "1.MIME");
        assert_eq!(
            Section::parse("header.fields (from)").unwrap().to_string(),
            "HEADER.FIELDS (from)"
        );
    }

    #[test]
    fn invalid_sections_are_rejected() {
        assert!(Section::new(vec![], Some(SectionText::Mime)).is_err());
        assert!(Section::new(vec![], Some(SectionText::HeaderFields(vec![]))).is_err());
        assert!(Section::header_fields([]).is_err());
        assert!(Section::header_fields(["From:"]).is_err());
        for s in [
            "MIME",
            "0",
            "1.",
            ".1",
            "01",
            "1..2",
            "1.2.",
            "HEADERX",
            "HEADER.FIELDS",
            "HEADER.FIELDS ()",
            "HEADER.FIELDS (From  To)",
            "HEADER.FIELDS (From",
            "TEXT]",
            "1.TEXT.2",
            "4294967296",
            "HEADER.FIELDS (From)\r\n",
            "]",
        ] {
            assert!(Section::parse(s).is_err(), "{s:?} must be rejected");
        }
    }
}
