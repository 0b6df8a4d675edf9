//! Why a response could not be parsed: [`ParseError`] and its [`ParseErrorKind`].

/// Why a response could not be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The input ends before the response does: read more bytes and parse again.
    Incomplete,
    /// The bytes do not form a valid response.
    Invalid,
    /// Parentheses are nested deeper than [`MAX_DEPTH`](super::MAX_DEPTH).
    TooDeep,
}

/// A response that could not be parsed: what went wrong, where, and what was being parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{} at byte {position} ({context})", match kind {
    ParseErrorKind::Incomplete => "incomplete response",
    ParseErrorKind::Invalid => "invalid response",
    ParseErrorKind::TooDeep => "response nested too deeply",
})]
pub struct ParseError {
    /// What went wrong.
    pub kind: ParseErrorKind,
    /// Byte offset into the input where it went wrong.
    pub position: usize,
    /// What the parser was looking for.
    pub context: &'static str,
}

impl ParseError {
    /// `true` when more input is needed.
    pub fn is_incomplete(&self) -> bool {
        self.kind == ParseErrorKind::Incomplete
    }
}
