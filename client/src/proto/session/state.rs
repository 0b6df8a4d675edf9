//! Connection states of RFC 3501 §3 / RFC 9051 §3.

use crate::types::MailboxName;

/// Where the session is in the IMAP state diagram.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum ConnectionState {
    /// Connected, the server's greeting has not arrived yet.
    Greeting,
    /// Greeted with `OK`: LOGIN / AUTHENTICATE / STARTTLS are next.
    NotAuthenticated,
    /// Logged in (or greeted with `PREAUTH`); no mailbox selected.
    Authenticated,
    /// A mailbox is selected.
    Selected {
        /// The selected mailbox.
        mailbox: MailboxName,
        /// `true` after EXAMINE or a `[READ-ONLY]` SELECT.
        read_only: bool,
    },
    /// The server said BYE, or LOGOUT completed: nothing more can be sent.
    Logout,
}

impl ConnectionState {
    /// Whether commands that need a logged-in user may be sent.
    pub fn is_authenticated(&self) -> bool {
        matches!(self, Self::Authenticated | Self::Selected { .. })
    }

    /// The selected mailbox, if any.
    pub fn selected(&self) -> Option<&MailboxName> {
        match self {
            Self::Selected { mailbox, .. } => Some(mailbox),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_authenticated_and_selected_are_authenticated() {
        let selected = ConnectionState::Selected {
            mailbox: MailboxName::new("INBOX").unwrap(),
            read_only: false,
        };
        assert!(selected.is_authenticated());
        assert!(ConnectionState::Authenticated.is_authenticated());
        for not in [
            ConnectionState::Greeting,
            ConnectionState::NotAuthenticated,
            ConnectionState::Logout,
        ] {
            assert!(!not.is_authenticated(), "{not:?}");
            assert_eq!(not.selected(), None);
        }
        assert_eq!(selected.selected().map(MailboxName::as_str), Some("INBOX"));
    }
}
