//! Owned `ACL`, `LISTRIGHTS` and `MYRIGHTS` data (RFC 4314 §3.6–3.8).
//!
//! Rights are kept as the letters sent (`lrswipkxtecda`, plus RFC 2086's obsolete `c`/`d`
//! where servers still send them).

use crate::types::MailboxName;

/// `* ACL mailbox identifier rights ...`: a mailbox's access control list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Acl {
    /// The mailbox.
    pub mailbox: MailboxName,
    /// Identifier/rights pairs, in server order.
    pub entries: Vec<AclEntry>,
}

/// One ACL entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct AclEntry {
    /// User or group (e.g. `anyone`, `-fred` for a negative right).
    pub identifier: String,
    /// The rights letters.
    pub rights: String,
}

/// `* LISTRIGHTS mailbox identifier required optional...`
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct ListRights {
    /// The mailbox.
    pub mailbox: MailboxName,
    /// The identifier asked about.
    pub identifier: String,
    /// Rights always granted to it.
    pub required: String,
    /// Groups of rights that may be granted (each group together).
    pub optional: Vec<String>,
}

/// `* MYRIGHTS mailbox rights`
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct MyRights {
    /// The mailbox.
    pub mailbox: MailboxName,
    /// The logged-in user's rights.
    pub rights: String,
}
