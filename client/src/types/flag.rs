//! Message flags and keywords (RFC 3501 §2.3.2, RFC 9051 §2.3.2).
//!
//! [`Flag`] is shared by requests (STORE, APPEND, SEARCH KEYWORD) and responses (FLAGS,
//! PERMANENTFLAGS, FETCH FLAGS). Requests validate with [`Flag::parse`] / [`Flag::keyword`];
//! server data goes through the lenient `Flag::from_server`, which never fails.

use super::ImapAtom;
use super::atom::RelaxedAtom;
use crate::types::InvalidInput;

/// A message flag: a system flag or a keyword.
///
/// System flags compare case-insensitively on the wire; [`Flag::parse`] and the parser map
/// any spelling to the named variant. Display writes the canonical wire form (`\Seen`).
/// With the `serde` feature a flag (de)serialises as that wire form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "RelaxedAtom", into = "String")
)]
#[non_exhaustive]
pub enum Flag {
    /// `\Seen`
    Seen,
    /// `\Answered`
    Answered,
    /// `\Flagged`
    Flagged,
    /// `\Deleted`
    Deleted,
    /// `\Draft`
    Draft,
    /// `\Recent` (IMAP4rev1 only; read-only: servers refuse it in STORE and APPEND).
    Recent,
    /// A keyword such as `$Forwarded` or `$Important`.
    Keyword(ImapAtom),
    /// Another `\`-prefixed flag; holds the name without the backslash.
    Extension(ImapAtom),
}

impl Flag {
    /// A keyword flag; validates `name` as an atom.
    pub fn keyword(name: &str) -> Result<Self, InvalidInput> {
        ImapAtom::new(name).map(Flag::Keyword)
    }

    /// Parses a flag as a user writes it: `\Seen` (any case) and the other system flags, any
    /// other `\Name` as [`Flag::Extension`], anything else as a [`Flag::Keyword`]. The name
    /// must be an atom; `\*` (a PERMANENTFLAGS marker, not a flag) is rejected.
    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        match s.strip_prefix('\\') {
            Some(name) => {
                let atom = ImapAtom::new(name)
                    .map_err(|_| InvalidInput::new(format!("not an IMAP flag: {s:?}")))?;
                Ok(Self::system(atom))
            }
            None => Self::keyword(s),
        }
    }

    /// Maps a `\`-flag name to its variant (case-insensitive).
    fn system(name: ImapAtom) -> Self {
        let s = name.as_str();
        if s.eq_ignore_ascii_case("seen") {
            Flag::Seen
        } else if s.eq_ignore_ascii_case("answered") {
            Flag::Answered
        } else if s.eq_ignore_ascii_case("flagged") {
            Flag::Flagged
        } else if s.eq_ignore_ascii_case("deleted") {
            Flag::Deleted
        } else if s.eq_ignore_ascii_case("draft") {
            Flag::Draft
        } else if s.eq_ignore_ascii_case("recent") {
            Flag::Recent
        } else {
            Flag::Extension(name)
        }
    }

    /// Lenient conversion of a flag the server sent (system flags match case-insensitively).
    #[allow(dead_code)]
    pub(crate) fn from_server(bytes: &[u8]) -> Self {
        // A flag sent as a quoted string (InterMail's `"\\Deleted"`): its value.
        let unquoted: Vec<u8>;
        let bytes = match bytes {
            [b'"', inner @ .., b'"'] => {
                unquoted = super::quoted::unescape_quoted(inner);
                &unquoted[..]
            }
            _ => bytes,
        };
        let text = String::from_utf8_lossy(bytes);
        match text.strip_prefix('\\') {
            Some(name) => Self::system(ImapAtom::from_server(name.to_owned())),
            None => Flag::Keyword(ImapAtom::from_server(text.into_owned())),
        }
    }

    /// True for the system flags (`\Seen` … `\Recent`) and other `\`-flags.
    pub fn is_system(&self) -> bool {
        !matches!(self, Flag::Keyword(_))
    }
}

impl std::fmt::Display for Flag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Flag::Seen => f.write_str("\\Seen"),
            Flag::Answered => f.write_str("\\Answered"),
            Flag::Flagged => f.write_str("\\Flagged"),
            Flag::Deleted => f.write_str("\\Deleted"),
            Flag::Draft => f.write_str("\\Draft"),
            Flag::Recent => f.write_str("\\Recent"),
            Flag::Keyword(k) => f.write_str(k.as_str()),
            Flag::Extension(e) => write!(f, "\\{e}"),
        }
    }
}

impl std::str::FromStr for Flag {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, InvalidInput> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for Flag {
    type Error = InvalidInput;

    fn try_from(s: &str) -> Result<Self, InvalidInput> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Flag {
    type Error = InvalidInput;

    fn try_from(s: String) -> Result<Self, InvalidInput> {
        Self::parse(&s)
    }
}

impl TryFrom<RelaxedAtom> for Flag {
    type Error = InvalidInput;

    /// The serde path: as lenient as [`ImapAtom`]'s serde input, so server flags such as
    /// `\*` round-trip.
    fn try_from(RelaxedAtom(s): RelaxedAtom) -> Result<Self, InvalidInput> {
        match s.strip_prefix('\\') {
            Some(name) => Ok(Self::system(ImapAtom::try_from(RelaxedAtom(
                name.to_owned(),
            ))?)),
            None => Ok(Flag::Keyword(ImapAtom::try_from(RelaxedAtom(s))?)),
        }
    }
}

impl From<Flag> for String {
    fn from(flag: Flag) -> Self {
        flag.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_maps_system_flags_case_insensitively() {
        assert_eq!(Flag::parse("\\Seen").unwrap(), Flag::Seen);
        assert_eq!(Flag::parse("\\SEEN").unwrap(), Flag::Seen);
        assert_eq!(Flag::parse("\\answered").unwrap(), Flag::Answered);
        assert_eq!(Flag::parse("\\Flagged").unwrap(), Flag::Flagged);
        assert_eq!(Flag::parse("\\Deleted").unwrap(), Flag::Deleted);
        assert_eq!(Flag::parse("\\Draft").unwrap(), Flag::Draft);
        assert_eq!(Flag::parse("\\Recent").unwrap(), Flag::Recent);
    }

    #[test]
    fn parse_keeps_other_backslash_flags_and_keywords() {
        assert_eq!(
            Flag::parse("\\Important").unwrap(),
            Flag::Extension(ImapAtom::new("Important").unwrap())
        );
        assert_eq!(
            Flag::parse("$Forwarded").unwrap(),
            Flag::keyword("$Forwarded").unwrap()
        );
    }

    #[test]
    fn parse_rejects_injection_and_non_flags() {
        for s in [
            "",
            "\\",
            "\\*",
            "a b",
            "$x\r\nA1 LOGOUT",
            "\\Seen)",
            "(\\Seen",
            "ä",
            "\\\\Seen",
        ] {
            assert!(Flag::parse(s).is_err(), "{s:?} must be rejected");
        }
    }

    #[test]
    fn display_writes_wire_form() {
        let flags = [
            Flag::Seen,
            Flag::Answered,
            Flag::Flagged,
            Flag::Deleted,
            Flag::Draft,
            Flag::Recent,
            Flag::keyword("$Junk").unwrap(),
            Flag::parse("\\Important").unwrap(),
        ];
        let wire: Vec<String> = flags.iter().map(ToString::to_string).collect();
        assert_eq!(
            wire,
            [
                "\\Seen",
                "\\Answered",
                "\\Flagged",
                "\\Deleted",
                "\\Draft",
                "\\Recent",
                "$Junk",
                "\\Important"
            ]
        );
        for flag in flags {
            assert_eq!(Flag::parse(&flag.to_string()).unwrap(), flag);
        }
    }

    #[test]
    fn from_server_is_lenient() {
        assert_eq!(Flag::from_server(b"\\seen"), Flag::Seen);
        assert_eq!(
            Flag::from_server(b"\\*"),
            Flag::Extension(ImapAtom::from_server("*".into()))
        );
        assert_eq!(
            Flag::from_server(b"\xff"),
            Flag::Keyword(ImapAtom::from_server("\u{fffd}".into()))
        );
        assert!(!Flag::from_server(b"x").is_system());
        assert_eq!(Flag::from_server(b"\"\\\\Deleted\""), Flag::Deleted);
        assert_eq!(Flag::from_server(b"\"$Junk\""), Flag::from_server(b"$Junk"));
        assert_eq!(
            Flag::from_server(b"\""),
            Flag::Keyword(ImapAtom::from_server("\"".into()))
        );
        assert!(Flag::from_server(b"\\x").is_system());
    }

    #[test]
    fn string_conversion_accepts_server_markers() {
        assert_eq!(String::from(Flag::from_server(b"\\*")), "\\*");
        assert!(Flag::try_from(RelaxedAtom("\\*".to_owned())).is_ok());
        assert!(
            Flag::try_from("\\*".to_owned()).is_err(),
            "TryFrom<String> is strict"
        );
        assert!(Flag::try_from(RelaxedAtom("a b".to_owned())).is_err());
    }
}
