//! Owned `METADATA` data (RFC 5464 §4.4).

use crate::types::MailboxName;

/// `* METADATA mailbox ...`: entry values (reply to GETMETADATA) or the names of changed
/// entries (unsolicited, e.g. under NOTIFY).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Metadata {
    /// The mailbox; `None` for server metadata (sent as the empty name `""`).
    pub mailbox: Option<MailboxName>,
    /// The entries.
    pub entries: MetadataEntries,
}

/// The two forms of METADATA data.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum MetadataEntries {
    /// `(entry value ...)`: entries with their values.
    Values(Vec<MetadataEntry>),
    /// `entry entry ...`: these entries changed; fetch them to see the new values.
    Changed(Vec<String>),
}

/// One entry and its value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct MetadataEntry {
    /// Entry name, e.g. `/private/comment`.
    pub name: String,
    /// The value as sent (any bytes); `None` for `NIL` (no such entry).
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::opt_bytes"),
        tsify(type = "Uint8Array | undefined")
    )]
    pub value: Option<Vec<u8>>,
}

/// The reply to GETMETADATA: the entries' values and, when `MAXSIZE` left some out, the
/// size of the largest one omitted (`[METADATA LONGENTRIES n]`, RFC 5464 §4.2.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct MetadataValues {
    /// Entries in server order. An entry that does not exist is absent, or present with
    /// `value: None` (servers differ).
    pub entries: Vec<MetadataEntry>,
    /// `LONGENTRIES`: the size of the largest value MAXSIZE left out.
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::opt_num"),
        tsify(type = "number | undefined")
    )]
    pub long_entries: Option<u64>,
}

impl MetadataValues {
    /// The value of entry `name` (ASCII case-insensitive), if the server sent one.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.entries
            .iter()
            .find(|e| e.name.eq_ignore_ascii_case(name))
            .and_then(|e| e.value.as_deref())
    }
}
