//! METADATA (RFC 5464): entry names and GETMETADATA options.

use crate::types::InvalidInput;

/// A metadata entry name such as `/private/comment` or `/shared/vendor/x/y`.
///
/// Validated to RFC 5464 §3.2 rules that matter on the wire: starts with `/`, printable
/// ASCII, no `*` or `%`, no empty component (`//`) and no trailing `/`. The first
/// component must be `private` or `shared` (case-insensitive).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "String", into = "String")
)]
pub struct MetadataEntry(String);

impl MetadataEntry {
    /// Validates an entry name.
    pub fn new(name: &str) -> Result<Self, InvalidInput> {
        let invalid = || InvalidInput::new(format!("invalid metadata entry: {name:?}"));
        let rest = name.strip_prefix('/').ok_or_else(invalid)?;
        let printable = name
            .bytes()
            .all(|b| matches!(b, 0x21..=0x7e) && !matches!(b, b'*' | b'%'));
        let mut parts = rest.split('/');
        let scope_ok = parts.next().is_some_and(|scope| {
            scope.eq_ignore_ascii_case("private") || scope.eq_ignore_ascii_case("shared")
        });
        if !printable || !scope_ok || rest.split('/').any(str::is_empty) {
            return Err(invalid());
        }
        Ok(Self(name.to_owned()))
    }

    /// The entry name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for MetadataEntry {
    type Error = InvalidInput;

    fn try_from(s: String) -> Result<Self, InvalidInput> {
        Self::new(&s)
    }
}

impl TryFrom<&str> for MetadataEntry {
    type Error = InvalidInput;

    fn try_from(s: &str) -> Result<Self, InvalidInput> {
        Self::new(s)
    }
}

impl From<MetadataEntry> for String {
    fn from(e: MetadataEntry) -> Self {
        e.0
    }
}

/// GETMETADATA `DEPTH` (RFC 5464 §4.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum MetadataDepth {
    /// `0`: the entry only (the default).
    Zero,
    /// `1`: the entry and its children.
    One,
    /// `infinity`: the whole subtree.
    Infinity,
}

impl MetadataDepth {
    /// The wire form.
    pub fn as_str(self) -> &'static str {
        match self {
            MetadataDepth::Zero => "0",
            MetadataDepth::One => "1",
            MetadataDepth::Infinity => "infinity",
        }
    }
}

/// GETMETADATA options (RFC 5464 §4.2). The default is none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct GetMetadataOptions {
    /// `MAXSIZE n`: only values up to n octets.
    pub max_size: Option<u32>,
    /// `DEPTH`
    pub depth: Option<MetadataDepth>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_names_follow_rfc_5464() {
        for ok in [
            "/private/comment",
            "/shared/vendor/x-y/z",
            "/PRIVATE/Comment",
            "/shared",
        ] {
            assert_eq!(MetadataEntry::new(ok).unwrap().as_str(), ok);
            assert_eq!(String::from(MetadataEntry::try_from(ok).unwrap()), ok);
            assert_eq!(MetadataEntry::try_from(ok.to_owned()).unwrap().as_str(), ok);
        }
        assert!(MetadataEntry::try_from("/other/x").is_err());
        assert!(MetadataEntry::try_from("/private/".to_owned()).is_err());
        for bad in [
            "",
            "/",
            "private/comment",
            "/other/x",
            "/private//x",
            "/private/x/",
            "/private/*",
            "/private/%",
            "/private/a b",
            "/private/x\r\n",
            "/private/ä",
        ] {
            assert!(MetadataEntry::new(bad).is_err(), "{bad:?}");
        }
        assert_eq!(MetadataDepth::Infinity.as_str(), "infinity");
    }
}
