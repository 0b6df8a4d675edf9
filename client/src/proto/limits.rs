//! Size limits on what the server may send, enforced by the [framer](super::framer) before
//! anything is buffered.
//!
//! This module owns only the numbers and their defaults; the framer applies them. A limit is an
//! upper bound on memory the driver may hold for *one* response: with the defaults a single
//! connection never buffers more than [`Limits::DEFAULT_MAX_RESPONSE`] bytes plus one read chunk,
//! whatever the server sends.

/// Upper bounds on the size of server responses.
///
/// All sizes are in bytes. The framer checks them as soon as the size is known — a literal's
/// announced length is checked when its `{n}` marker arrives, before the caller reads (let alone
/// allocates) the literal; a line is checked while it is still incomplete — so exceeding a limit
/// never costs more memory than the limit plus one read chunk.
///
/// Build your own with struct update syntax:
///
/// ```
/// use daaki_imap::proto::Limits;
///
/// let limits = Limits { max_literal: 16 * 1024 * 1024, ..Limits::default() };
/// assert_eq!(limits.max_line, Limits::DEFAULT_MAX_LINE);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Limits {
    /// Longest line, counted from the start of the line (or from the end of the preceding
    /// literal) up to and including its LF, literal marker included. Default
    /// [`Limits::DEFAULT_MAX_LINE`].
    pub max_line: usize,
    /// Largest literal (`{n}` or `~{n}`) the server may announce. Default
    /// [`Limits::DEFAULT_MAX_LITERAL`].
    pub max_literal: u64,
    /// Largest whole response: every line and literal from its first byte to its final LF.
    /// Default [`Limits::DEFAULT_MAX_RESPONSE`].
    pub max_response: u64,
}

impl Limits {
    /// Default for [`Limits::max_line`]: 8 MiB.
    ///
    /// Lines are short except for result lists: a rev1 `* SEARCH` (or `SORT`, `THREAD`,
    /// `VANISHED`) over a mailbox of a million messages is about 7 MB on one line, so a smaller
    /// default would break real mailboxes. ESEARCH keeps such lines short where the server has it.
    pub const DEFAULT_MAX_LINE: usize = 8 * 1024 * 1024;

    /// Default for [`Limits::max_literal`]: 128 MiB.
    ///
    /// Literals carry whole messages. Common providers cap messages at 25–70 MB (before
    /// base64 growth, ~35 % on top); 128 MiB fits all of them with room to spare.
    pub const DEFAULT_MAX_LITERAL: u64 = 128 * 1024 * 1024;

    /// Default for [`Limits::max_response`]: 256 MiB — room for one maximal literal plus the
    /// other items of the same FETCH (headers, sections, structure).
    pub const DEFAULT_MAX_RESPONSE: u64 = 256 * 1024 * 1024;
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_line: Self::DEFAULT_MAX_LINE,
            max_literal: Self::DEFAULT_MAX_LITERAL,
            max_response: Self::DEFAULT_MAX_RESPONSE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_limits_are_the_documented_sizes() {
        let limits = Limits::default();
        assert_eq!(limits.max_line, 8_388_608, "8 MiB");
        assert_eq!(limits.max_literal, 134_217_728, "128 MiB");
        assert_eq!(limits.max_response, 268_435_456, "256 MiB");
    }

    #[test]
    fn default_limits_are_ordered_so_one_maximal_literal_fits_a_response() {
        let limits = Limits::default();
        assert!(limits.max_literal < limits.max_response);
        assert!((limits.max_line as u64) < limits.max_response);
    }
}
