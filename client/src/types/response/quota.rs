//! Owned `QUOTA` and `QUOTAROOT` data (RFC 9208, formerly RFC 2087).

use crate::types::MailboxName;

/// `* QUOTA root (resource usage limit ...)`: a quota root's resources.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
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
pub struct QuotaResource {
    /// Resource name as sent: `STORAGE` (units of 1024 octets), `MESSAGE`, `MAILBOX`,
    /// `ANNOTATION-STORAGE`, …
    pub name: String,
    /// Current usage.
    pub usage: u64,
    /// Limit.
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
