//! APPEND and MULTIAPPEND (RFC 3501 §6.3.11, RFC 3502, BINARY RFC 3516).

use crate::types::{Flag, ImapDateTime};

/// One message to append.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AppendMessage {
    /// Flags to set (empty: none, no flag list is written).
    pub flags: Vec<Flag>,
    /// The internal date (`None`: the server uses the time of the APPEND).
    pub internal_date: Option<ImapDateTime>,
    /// The message (RFC 5322 bytes). Always sent as a literal.
    pub data: Vec<u8>,
    /// Send as `literal8` (`~{n}`, BINARY) when the data holds a NUL byte. Needs the
    /// session's BINARY option; data with NUL and `binary: false` is refused.
    pub binary: bool,
}

impl AppendMessage {
    /// A message with no flags and no date.
    pub fn new(data: Vec<u8>) -> Self {
        Self {
            flags: Vec::new(),
            internal_date: None,
            data,
            binary: false,
        }
    }
}

impl std::fmt::Debug for AppendMessage {
    /// Shows the size, not the content (messages can be large and private).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppendMessage")
            .field("flags", &self.flags)
            .field("internal_date", &self.internal_date)
            .field("data_len", &self.data.len())
            .field("binary", &self.binary)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_the_size_not_the_content() {
        let text = format!(
            "{:?}",
            AppendMessage::new(b"Subject: secret plans".to_vec())
        );
        assert!(
            text.contains("data_len: 21") && !text.contains("secret"),
            "{text}"
        );
    }
}
