//! QUOTA responses (RFC 9208, formerly RFC 2087).

use crate::proto::response::IString;

/// `* QUOTA root (resource usage limit ...)`
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Quota<'a> {
    /// The quota root name.
    pub root: IString<'a>,
    /// The resources and their usage.
    pub resources: Vec<QuotaResource<'a>>,
}

/// One quota resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct QuotaResource<'a> {
    /// Resource name as sent, e.g. `STORAGE` (KiB), `MESSAGE`, `MAILBOX`.
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::proto::response::ser::bytes")
    )]
    pub name: &'a [u8],
    /// Current usage.
    pub usage: u64,
    /// Limit.
    pub limit: u64,
}

/// `* QUOTAROOT mailbox root...`
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct QuotaRoot<'a> {
    /// The mailbox name as sent.
    pub mailbox: IString<'a>,
    /// The quota roots that apply to it.
    pub roots: Vec<IString<'a>>,
}
