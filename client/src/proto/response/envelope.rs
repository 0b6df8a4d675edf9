//! `ENVELOPE` structure (RFC 3501 §7.4.2).

use super::IString;

/// A message envelope. Header values are kept as sent (RFC 2047 encoded words are not
/// decoded here).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Envelope<'a> {
    /// `Date:`
    pub date: Option<IString<'a>>,
    /// `Subject:`
    pub subject: Option<IString<'a>>,
    /// `From:`
    pub from: Vec<Address<'a>>,
    /// `Sender:`
    pub sender: Vec<Address<'a>>,
    /// `Reply-To:`
    pub reply_to: Vec<Address<'a>>,
    /// `To:`
    pub to: Vec<Address<'a>>,
    /// `Cc:`
    pub cc: Vec<Address<'a>>,
    /// `Bcc:`
    pub bcc: Vec<Address<'a>>,
    /// `In-Reply-To:`
    pub in_reply_to: Option<IString<'a>>,
    /// `Message-ID:`
    pub message_id: Option<IString<'a>>,
}

/// One address of an envelope address list. A group start has `host == None` and the group
/// name in `mailbox`; a group end has `mailbox == None` and `host == None` (RFC 3501 §7.4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Address<'a> {
    /// Display name.
    pub name: Option<IString<'a>>,
    /// Source route (obsolete).
    pub adl: Option<IString<'a>>,
    /// Local part (or group name).
    pub mailbox: Option<IString<'a>>,
    /// Domain.
    pub host: Option<IString<'a>>,
}
