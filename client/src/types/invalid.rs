//! The one error of the ground floor: a value that breaks its type's rules.

/// A value given by the caller breaks its type's rules (a mailbox name with a NUL byte, an
/// empty sequence set, a date that does not exist, …), so it cannot become a request.
///
/// Every validating constructor in [`crate::types`] returns it; the protocol core reports a
/// command it cannot encode with it too
/// ([`ProtoError::InvalidCommand`](crate::proto::ProtoError::InvalidCommand)). It converts
/// into [`crate::Error::InvalidInput`], so `?` works in functions returning
/// [`crate::Result`]:
///
/// ```
/// use daaki_imap::types::{InvalidInput, MailboxName};
///
/// let err: InvalidInput = MailboxName::new("a\0b").unwrap_err();
/// assert!(err.message().contains("mailbox name"));
/// let err: daaki_imap::Error = err.into();
/// assert!(matches!(err, daaki_imap::Error::InvalidInput(_)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InvalidInput {
    message: String,
}

impl InvalidInput {
    /// A new error saying what is wrong.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// What is wrong, as text.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The message, owned.
    pub fn into_message(self) -> String {
        self.message
    }
}

#[cfg(test)]
mod tests {
    use super::InvalidInput;

    #[test]
    fn message_is_kept_and_displayed_as_is() {
        let e = InvalidInput::new("empty sequence set");
        assert_eq!(e.message(), "empty sequence set");
        assert_eq!(e.to_string(), "empty sequence set");
        assert_eq!(e.into_message(), "empty sequence set");
    }
}
