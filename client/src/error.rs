//! The crate's one error type.
//!
//! Every fallible call in the crate returns [`Result`]. The enum keeps what the server said
//! (response code and text) as data, never as a pre-formatted string, and never holds
//! credentials. It is `Send + Sync + 'static` on every target.

/// Shorthand for `std::result::Result<T, daaki_imap::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in daaki-imap.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value given by the caller cannot be sent to the server as it is (for example a
    /// mailbox name with a NUL byte, or an empty sequence set). Nothing was sent.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A server response broke a size limit (or announced an impossible literal) and was
    /// skipped unparsed. See [`FrameError::keeps_sync`](crate::proto::FrameError::keeps_sync)
    /// for whether the connection can go on.
    #[error("server response rejected: {0}")]
    Frame(#[from] crate::proto::FrameError),
    /// A server response could not be parsed (position and context inside).
    #[error("unparsable server response: {0}")]
    Parse(#[from] crate::proto::ParseError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_send_sync_static() {
        fn assert_bounds<T: Send + Sync + 'static>() {}
        assert_bounds::<Error>();
    }
}
