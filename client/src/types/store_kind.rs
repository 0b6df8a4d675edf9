//! STORE (RFC 3501 §6.4.6): how the flag list is applied.

/// `FLAGS`, `+FLAGS` or `-FLAGS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum StoreKind {
    /// `FLAGS`: replace the flags.
    Replace,
    /// `+FLAGS`: add the flags.
    Add,
    /// `-FLAGS`: remove the flags.
    Remove,
}

impl StoreKind {
    /// The wire keyword without `.SILENT`.
    pub fn as_str(self) -> &'static str {
        match self {
            StoreKind::Replace => "FLAGS",
            StoreKind::Add => "+FLAGS",
            StoreKind::Remove => "-FLAGS",
        }
    }
}
