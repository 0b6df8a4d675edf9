//! METADATA responses (RFC 5464 §4.4).

use crate::proto::response::IString;

/// `* METADATA mailbox (entry value ...)` or the unsolicited `* METADATA mailbox entry ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Metadata<'a> {
    /// The mailbox name as sent (empty for server metadata).
    pub mailbox: IString<'a>,
    /// Values, or just the names of changed entries.
    pub entries: MetadataEntries<'a>,
}

/// The two forms of METADATA data.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum MetadataEntries<'a> {
    /// `(entry value ...)`: entry names with values (`None` for NIL).
    Values(Vec<(IString<'a>, Option<IString<'a>>)>),
    /// `entry entry ...`: unsolicited notice that these entries changed.
    Changed(Vec<IString<'a>>),
}
