//! Owned `ENVELOPE`.

/// A message envelope (RFC 3501 §7.4.2). Header values as sent, lossy UTF-8.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Envelope {
    /// `Date:`
    pub date: Option<String>,
    /// `Subject:`
    pub subject: Option<String>,
    /// `From:`
    pub from: Vec<Address>,
    /// `Sender:`
    pub sender: Vec<Address>,
    /// `Reply-To:`
    pub reply_to: Vec<Address>,
    /// `To:`
    pub to: Vec<Address>,
    /// `Cc:`
    pub cc: Vec<Address>,
    /// `Bcc:`
    pub bcc: Vec<Address>,
    /// `In-Reply-To:`
    pub in_reply_to: Option<String>,
    /// `Message-ID:`
    pub message_id: Option<String>,
}

/// One envelope address. A group start has `host == None` and the group name in `mailbox`;
/// a group end has both `None`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Address {
    /// Display name.
    pub name: Option<String>,
    /// Source route (obsolete).
    pub adl: Option<String>,
    /// Local part (or group name).
    pub mailbox: Option<String>,
    /// Domain.
    pub host: Option<String>,
}

impl Address {
    /// `mailbox@host`, if both are present.
    pub fn email(&self) -> Option<String> {
        Some(format!(
            "{}@{}",
            self.mailbox.as_deref()?,
            self.host.as_deref()?
        ))
    }
}
