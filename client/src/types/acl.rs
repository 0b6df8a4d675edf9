//! ACL (RFC 4314): rights for SETACL.

use crate::types::InvalidInput;

/// A set of ACL rights: letters and digits (`lrswipkxtecda`, and obsolete or
/// server-specific digits). May be empty (`SETACL … ""` removes every right).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "String", into = "String")
)]
pub struct AclRights(String);

impl AclRights {
    /// Validates `rights` (ASCII letters and digits only).
    pub fn new(rights: &str) -> Result<Self, InvalidInput> {
        if rights.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(Self(rights.to_owned()))
        } else {
            Err(InvalidInput::new(format!("invalid ACL rights: {rights:?}")))
        }
    }

    /// The rights as letters.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for AclRights {
    type Error = InvalidInput;

    fn try_from(s: String) -> Result<Self, InvalidInput> {
        Self::new(&s)
    }
}

impl From<AclRights> for String {
    fn from(r: AclRights) -> Self {
        r.0
    }
}

/// How SETACL applies rights: replace, `+` add, `-` remove.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum AclModification {
    /// Replace the identifier's rights with these.
    Replace(AclRights),
    /// `+rights`: add these.
    Add(AclRights),
    /// `-rights`: remove these.
    Remove(AclRights),
}

impl std::fmt::Display for AclModification {
    /// The wire text before string encoding: `lrs`, `+lrs`, `-lrs`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AclModification::Replace(r) => f.write_str(r.as_str()),
            AclModification::Add(r) => write!(f, "+{}", r.as_str()),
            AclModification::Remove(r) => write!(f, "-{}", r.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rights_are_letters_and_digits() {
        assert_eq!(
            AclRights::new("lrswipkxtecda").unwrap().as_str(),
            "lrswipkxtecda"
        );
        assert!(AclRights::new("").is_ok());
        for bad in ["l r", "+l", "l\r\n", "ä", "\"l\""] {
            assert!(AclRights::new(bad).is_err(), "{bad:?}");
        }
        let r = AclRights::new("lr").unwrap();
        assert_eq!(AclModification::Add(r.clone()).to_string(), "+lr");
        assert_eq!(AclModification::Remove(r.clone()).to_string(), "-lr");
        assert_eq!(AclModification::Replace(r).to_string(), "lr");
        assert_eq!(
            AclRights::try_from("lrs".to_owned()).unwrap().as_str(),
            "lrs"
        );
        assert!(AclRights::try_from("l s".to_owned()).is_err());
        assert_eq!(String::from(AclRights::new("xte").unwrap()), "xte");
    }
}
