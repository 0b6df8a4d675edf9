//! ACL responses (RFC 4314 §3.6–3.8).

use crate::proto::response::IString;

/// `* ACL mailbox identifier rights ...`
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Acl<'a> {
    /// The mailbox name as sent.
    pub mailbox: IString<'a>,
    /// The identifier/rights pairs.
    pub entries: Vec<AclEntry<'a>>,
}

/// One identifier and its rights.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AclEntry<'a> {
    /// The identifier (user or group, e.g. `anyone`).
    pub identifier: IString<'a>,
    /// The rights letters, e.g. `lrswipkxtecda`.
    pub rights: IString<'a>,
}

/// `* LISTRIGHTS mailbox identifier required optional...`
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ListRights<'a> {
    /// The mailbox name as sent.
    pub mailbox: IString<'a>,
    /// The identifier.
    pub identifier: IString<'a>,
    /// Rights always granted.
    pub required: IString<'a>,
    /// Groups of rights that may be granted.
    pub optional: Vec<IString<'a>>,
}

/// `* MYRIGHTS mailbox rights`
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MyRights<'a> {
    /// The mailbox name as sent.
    pub mailbox: IString<'a>,
    /// The rights of the logged-in user.
    pub rights: IString<'a>,
}
