//! `ObjectId`: an RFC 8474 object identifier (EMAILID, THREADID, MAILBOXID) for requests.
//!
//! Responses keep object ids as opaque bytes (the response model's concern); this type is
//! what a caller passes to the EMAILID / THREADID search keys.

use crate::types::InvalidInput;

/// An object id: `1*255(ALPHA / DIGIT / "_" / "-")` (RFC 8474 §4).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "String", into = "String")
)]
pub struct ObjectId(String);

impl ObjectId {
    /// Longest object id the grammar allows.
    pub const MAX_LEN: usize = 255;

    /// Validates `s` as an object id.
    pub fn new(s: &str) -> Result<Self, InvalidInput> {
        if is_object_id(s.as_bytes()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidInput::new(format!(
                "not an RFC 8474 object id: {s:?}"
            )))
        }
    }

    /// Converts an id the server sent, if it is a valid object id.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, InvalidInput> {
        match std::str::from_utf8(bytes) {
            Ok(s) => Self::new(s),
            Err(_) => Err(InvalidInput::new("object id is not ASCII".to_owned())),
        }
    }

    /// The id's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_object_id(bytes: &[u8]) -> bool {
    (1..=ObjectId::MAX_LEN).contains(&bytes.len())
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl std::fmt::Display for ObjectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for ObjectId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for ObjectId {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, InvalidInput> {
        Self::new(s)
    }
}

impl TryFrom<&str> for ObjectId {
    type Error = InvalidInput;

    fn try_from(s: &str) -> Result<Self, InvalidInput> {
        Self::new(s)
    }
}

impl TryFrom<String> for ObjectId {
    type Error = InvalidInput;

    fn try_from(s: String) -> Result<Self, InvalidInput> {
        if is_object_id(s.as_bytes()) {
            Ok(Self(s))
        } else {
            Self::new(&s)
        }
    }
}

impl From<ObjectId> for String {
    fn from(id: ObjectId) -> Self {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_rfc_8474_ids() {
        for s in [
            "M6d99ac3275bb4e",
            "T64b478a75b7ea9",
            "F2212ea87-6097-4256-9d51-71338625",
            "a",
            "_-",
        ] {
            assert_eq!(ObjectId::new(s).unwrap().as_str(), s);
        }
        let longest = "x".repeat(255);
        assert!(ObjectId::new(&longest).is_ok());
        assert_eq!(ObjectId::from_bytes(b"Mabc").unwrap().as_str(), "Mabc");
    }

    #[test]
    fn rejects_empty_long_and_other_characters() {
        for s in [
            "", "a b", "a.b", "a+b", "a/b", "a=", "ä", "a\r\n", "(a)", "\"a\"",
        ] {
            assert!(ObjectId::new(s).is_err(), "{s:?}");
        }
        assert!(ObjectId::new(&"x".repeat(256)).is_err());
        assert!(ObjectId::from_bytes(b"\xff").is_err());
    }
}
