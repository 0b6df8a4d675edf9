//! Owned `ENVELOPE`.

use super::decode_rfc2047;

/// A message envelope (RFC 3501 §7.4.2). Header values as sent, lossy UTF-8.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
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
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
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

impl Envelope {
    /// The subject with RFC 2047 encoded words decoded, for display
    /// (`=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=` → `Grüße`); see [`decode_rfc2047`].
    pub fn subject_decoded(&self) -> Option<String> {
        self.subject.as_deref().map(decode_rfc2047)
    }
}

impl Address {
    /// The display name with RFC 2047 encoded words decoded, for display; see
    /// [`decode_rfc2047`].
    pub fn display_name(&self) -> Option<String> {
        self.name.as_deref().map(decode_rfc2047)
    }

    /// `mailbox@host`, if both are present.
    pub fn email(&self) -> Option<String> {
        Some(format!(
            "{}@{}",
            self.mailbox.as_deref()?,
            self.host.as_deref()?
        ))
    }
}

#[cfg(test)]
mod tests {
    use crate::proto::parse::test_util::data;
    use crate::proto::response::Data;

    #[test]
    fn subject_and_display_name_decode_encoded_words() {
        let Data::Fetch(f) = data(
            b"* 1 FETCH (ENVELOPE (NIL \"=?UTF-8?Q?Gr=C3=BC=C3=9Fe?= aus =?ISO-8859-1?Q?K=F6ln?=\" ((\"=?utf-8?B?SsO8cmdlbg==?=\" NIL \"j\" \"example.org\")) NIL NIL ((NIL NIL \"plain\" \"example.org\")) NIL NIL NIL NIL))\r\n",
        ) else {
            panic!()
        };
        let env = f.into_owned().envelope.unwrap();
        assert_eq!(env.subject_decoded().as_deref(), Some("Grüße aus Köln"));
        assert_eq!(env.from[0].display_name().as_deref(), Some("Jürgen"));
        assert_eq!(env.to[0].display_name(), None);
        // The raw fields stay as sent.
        assert_eq!(
            env.from[0].name.as_deref(),
            Some("=?utf-8?B?SsO8cmdlbg==?=")
        );
    }
}
