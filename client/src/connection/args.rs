//! Argument conversions, so calls read naturally: `conn.select("INBOX", t)` as well as
//! `conn.select(&name, t)`.

use crate::Result;
use crate::types::MailboxName;

/// Anything that names a mailbox: `&str` / `String` (validated by [`MailboxName::new`]) or a
/// [`MailboxName`].
pub trait IntoMailboxName {
    /// Converts, validating text.
    fn into_mailbox_name(self) -> Result<MailboxName>;
}

impl IntoMailboxName for &str {
    fn into_mailbox_name(self) -> Result<MailboxName> {
        Ok(MailboxName::new(self)?)
    }
}

impl IntoMailboxName for String {
    fn into_mailbox_name(self) -> Result<MailboxName> {
        Ok(MailboxName::new(&self)?)
    }
}

impl IntoMailboxName for &String {
    fn into_mailbox_name(self) -> Result<MailboxName> {
        Ok(MailboxName::new(self)?)
    }
}

impl IntoMailboxName for MailboxName {
    fn into_mailbox_name(self) -> Result<MailboxName> {
        Ok(self)
    }
}

impl IntoMailboxName for &MailboxName {
    fn into_mailbox_name(self) -> Result<MailboxName> {
        Ok(self.clone())
    }
}
