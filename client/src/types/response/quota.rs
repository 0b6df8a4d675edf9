//! Owned `QUOTA` and `QUOTAROOT` data (RFC 9208, formerly RFC 2087).

use crate::types::{InvalidInput, MailboxName};

/// `* QUOTA root (resource usage limit ...)`: a quota root's resources.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct Quota {
    /// The quota root name (often `""` or `User quota`); not a mailbox name.
    pub root: String,
    /// Usage and limit of each resource.
    pub resources: Vec<QuotaResource>,
}

impl Quota {
    /// The resource named `name` (ASCII case-insensitive, e.g. `"STORAGE"`).
    pub fn resource(&self, name: &str) -> Option<&QuotaResource> {
        self.resources
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(name))
    }
}

/// One quota resource.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct QuotaResource {
    /// Resource name as sent: `STORAGE` (units of 1024 octets), `MESSAGE`, `MAILBOX`,
    /// `ANNOTATION-STORAGE`, …
    pub name: String,
    /// Current usage.
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::num"),
        tsify(type = "number")
    )]
    pub usage: u64,
    /// Limit.
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::num"),
        tsify(type = "number")
    )]
    pub limit: u64,
}

/// `* QUOTAROOT mailbox root...`: the quota roots a mailbox is subject to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct QuotaRoot {
    /// The mailbox.
    pub mailbox: MailboxName,
    /// Its quota roots (none if it has no quota).
    pub roots: Vec<String>,
}

/// The reply to GETQUOTAROOT: the mailbox's quota roots and, for each root the server
/// reported, its resources.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct QuotaRootInfo {
    /// The quota root names (none if the mailbox has no quota).
    pub roots: Vec<String>,
    /// The `QUOTA` data that came with it, one per root the server reported.
    pub quotas: Vec<Quota>,
}

impl QuotaRootInfo {
    /// The quota of root `name`, if reported.
    pub fn quota(&self, name: &str) -> Option<&Quota> {
        self.quotas.iter().find(|q| q.root == name)
    }
}

/// A quota resource name for SETQUOTA (RFC 9208 §5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum QuotaResourceName {
    /// `STORAGE`: the physical space, in units of 1024 octets.
    Storage,
    /// `MESSAGE`: the number of messages.
    Message,
    /// `MAILBOX`: the number of mailboxes.
    Mailbox,
    /// `ANNOTATION-STORAGE`: the size of annotations / metadata, in units of 1024 octets.
    AnnotationStorage,
    /// Another resource (an atom, validated by [`QuotaResourceName::new`]).
    Other(crate::types::ImapAtom),
}

impl QuotaResourceName {
    /// A resource by name (ASCII case-insensitive); names that are not the four RFC 9208
    /// resources become [`QuotaResourceName::Other`]. The name must be an IMAP atom.
    ///
    /// ```
    /// # use daaki_imap::types::response::QuotaResourceName;
    /// assert_eq!(QuotaResourceName::new("storage").unwrap(), QuotaResourceName::Storage);
    /// assert_eq!(QuotaResourceName::new("X-FOO").unwrap().as_str(), "X-FOO");
    /// assert!(QuotaResourceName::new("a b").is_err());
    /// ```
    pub fn new(name: &str) -> Result<Self, InvalidInput> {
        Ok(Self::from_atom(crate::types::ImapAtom::new(name)?))
    }

    fn from_atom(atom: crate::types::ImapAtom) -> Self {
        match atom.as_str().to_ascii_uppercase().as_str() {
            "STORAGE" => Self::Storage,
            "MESSAGE" => Self::Message,
            "MAILBOX" => Self::Mailbox,
            "ANNOTATION-STORAGE" => Self::AnnotationStorage,
            _ => Self::Other(atom),
        }
    }

    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Storage => "STORAGE",
            Self::Message => "MESSAGE",
            Self::Mailbox => "MAILBOX",
            Self::AnnotationStorage => "ANNOTATION-STORAGE",
            Self::Other(atom) => atom.as_str(),
        }
    }
}

impl QuotaResource {
    /// The resource's typed name (`None` if the server sent a name that is not an atom).
    pub fn kind(&self) -> Option<QuotaResourceName> {
        QuotaResourceName::new(&self.name).ok()
    }
}
