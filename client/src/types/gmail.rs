//! `GmailLabel`: a label of Gmail's `X-GM-EXT-1` extension (Google's "IMAP Extensions"
//! page): the `X-GM-LABELS` FETCH item, `STORE [+|-]X-GM-LABELS` and `SEARCH X-GM-LABELS`.
//!
//! A label is either a system label, sent as a flag-like atom (`\Inbox`, `\Important`,
//! `\Sent`, `\Starred`, `\Draft`, `\Trash`, `\Spam`), or a user label, sent as an astring in
//! modified UTF-7 like a mailbox name (`"Muy Importante"`, `&AMk-t&AOk-` for `Été`). Callers
//! see the human form: system labels keep their leading backslash, user labels are decoded.

use super::InvalidInput;
use super::mailbox::{decode_modified_utf7, encode_modified_utf7};

/// One Gmail label, in its human form.
///
/// ```
/// use daaki_imap::types::GmailLabel;
/// let user = GmailLabel::new("Muy Importante")?;
/// assert!(!user.is_system());
/// assert_eq!(user.encoded(), "Muy Importante");
/// let inbox = GmailLabel::new("\\Inbox")?;
/// assert!(inbox.is_system());
/// assert_eq!(inbox.encoded(), "\\Inbox");
/// assert_eq!(GmailLabel::new("Été")?.encoded(), "&AMk-t&AOk-");
/// # Ok::<(), daaki_imap::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(transparent)
)]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    tsify(type = "string")
)]
pub struct GmailLabel(String);

impl GmailLabel {
    /// A label by its human name: `\Name` (a backslash, then letters, digits or `-`) is a
    /// system label, anything else a user label. Empty names and NUL, CR or LF are
    /// [`InvalidInput`].
    pub fn new(name: &str) -> Result<Self, InvalidInput> {
        let bad_system = name.strip_prefix('\\').is_some_and(|rest| {
            rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
        if name.is_empty() || name.bytes().any(|b| matches!(b, 0 | b'\r' | b'\n')) || bad_system {
            return Err(InvalidInput::new(format!("invalid Gmail label: {name:?}")));
        }
        Ok(GmailLabel(name.to_owned()))
    }

    /// A label as Gmail sent it (the bytes of an atom, quoted string or literal, unescaped):
    /// a system label as it is, a user label decoded from modified UTF-7 (kept as lossy
    /// UTF-8 when it is not valid modified UTF-7). Never fails.
    pub(crate) fn from_wire(bytes: &[u8]) -> Self {
        if bytes.first() == Some(&b'\\') {
            return GmailLabel(String::from_utf8_lossy(bytes).into_owned());
        }
        GmailLabel(
            decode_modified_utf7(bytes)
                .unwrap_or_else(|| String::from_utf8_lossy(bytes).into_owned()),
        )
    }

    /// The human name (`\Inbox`, `Muy Importante`, `Été`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is a system label (`\Inbox`, `\Important`, …).
    pub fn is_system(&self) -> bool {
        self.0.starts_with('\\')
    }

    /// The text sent for the label: a system label as its atom, a user label in modified
    /// UTF-7 (the encoder writes it as a string, quoted or literal).
    pub fn encoded(&self) -> String {
        if self.is_system() {
            self.0.clone()
        } else {
            encode_modified_utf7(&self.0)
        }
    }
}

impl std::fmt::Display for GmailLabel {
    /// The human name.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_validated_and_system_labels_told_apart() {
        for bad in ["", "a\rb", "a\nb", "a\0b", "\\", "\\In box", "\\In\"box"] {
            assert!(GmailLabel::new(bad).is_err(), "{bad:?}");
        }
        let label = |s: &str| GmailLabel::new(s).unwrap();
        assert!(label("\\Important").is_system());
        assert!(label("\\X-1").is_system());
        assert!(!label("Important").is_system());
        assert_eq!(label("a \"b\" \\c").encoded(), "a \"b\" \\c");
        assert_eq!(label("Été").to_string(), "Été");
    }

    #[test]
    fn wire_labels_are_decoded() {
        assert_eq!(GmailLabel::from_wire(b"\\Inbox").as_str(), "\\Inbox");
        assert_eq!(GmailLabel::from_wire(b"&AMk-t&AOk-").as_str(), "Été");
        assert_eq!(
            GmailLabel::from_wire(b"Muy Importante").as_str(),
            "Muy Importante"
        );
        // Not modified UTF-7: kept as sent.
        assert_eq!(GmailLabel::from_wire(b"AT&T").as_str(), "AT&T");
        assert_eq!(GmailLabel::from_wire("Ünï".as_bytes()).as_str(), "Ünï");
        // What is sent is what was read.
        for name in ["Été", "Muy Importante", "\\Starred"] {
            let label = GmailLabel::new(name).unwrap();
            assert_eq!(GmailLabel::from_wire(label.encoded().as_bytes()), label);
        }
    }
}
