//! What the server allows, as far as the encoding of commands is concerned.

/// What the server allows, as far as the encoding of commands is concerned. The default
/// (all off) is plain IMAP4rev1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct EncodeOptions {
    /// LITERAL+ (RFC 7888): every literal may be non-synchronising (`{n+}`).
    pub literal_plus: bool,
    /// LITERAL- (RFC 7888, implied by IMAP4rev2): literals of at most 4096 bytes may be
    /// non-synchronising.
    pub literal_minus: bool,
    /// IMAP4rev2 or UTF8=ACCEPT enabled: mailbox names travel as UTF-8, quoted strings may
    /// hold UTF-8, and SEARCH needs no `CHARSET`.
    pub utf8: bool,
    /// BINARY (RFC 3516): `literal8` (`~{n}`) may be sent.
    pub binary: bool,
}
