//! SPECIAL-USE mailboxes (RFC 6154, `\Important` RFC 8457): the attribute a caller asks
//! for (CREATE-SPECIAL-USE, LIST selection) and how a listed mailbox's attributes name it.

use super::ImapAtom;
use super::response::{MailboxAttribute, MailboxInfo};

/// A special-use mailbox attribute (RFC 6154, `$Important` RFC 8457 `\Important`). In the npm
/// package it is `"all"`, `"archive"`, … `"important"`, or `{ other: "Name" }`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
#[non_exhaustive]
pub enum SpecialUse {
    /// `\All`
    All,
    /// `\Archive`
    Archive,
    /// `\Drafts`
    Drafts,
    /// `\Flagged`
    Flagged,
    /// `\Junk`
    Junk,
    /// `\Sent`
    Sent,
    /// `\Trash`
    Trash,
    /// `\Important` (RFC 8457)
    Important,
    /// Another `\`-attribute; holds the name without the backslash.
    Other(
        #[cfg_attr(all(target_arch = "wasm32", feature = "js"), tsify(type = "string"))] ImapAtom,
    ),
}

impl SpecialUse {
    /// Every special use RFC 6154 and RFC 8457 name.
    pub const KNOWN: [SpecialUse; 8] = [
        SpecialUse::All,
        SpecialUse::Archive,
        SpecialUse::Drafts,
        SpecialUse::Flagged,
        SpecialUse::Junk,
        SpecialUse::Sent,
        SpecialUse::Trash,
        SpecialUse::Important,
    ];

    /// The special use named `name`, with or without its backslash, in any case: a known
    /// one ([`SpecialUse::KNOWN`]) or [`SpecialUse::Other`]; `None` if the name is not an atom.
    ///
    /// ```
    /// use daaki_imap::types::SpecialUse;
    ///
    /// assert_eq!(SpecialUse::from_name("\\Drafts"), Some(SpecialUse::Drafts));
    /// assert_eq!(SpecialUse::from_name("junk"), Some(SpecialUse::Junk));
    /// assert_eq!(SpecialUse::from_name("Receipts").unwrap().to_string(), "\\Receipts");
    /// assert_eq!(SpecialUse::from_name("no spaces"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<SpecialUse> {
        let name = name.strip_prefix('\\').unwrap_or(name);
        Self::KNOWN
            .into_iter()
            .find(|u| u.name().eq_ignore_ascii_case(name))
            .or_else(|| ImapAtom::new(name).ok().map(SpecialUse::Other))
    }

    /// The attribute name without the backslash (`Drafts`).
    pub fn name(&self) -> &str {
        match self {
            SpecialUse::All => "All",
            SpecialUse::Archive => "Archive",
            SpecialUse::Drafts => "Drafts",
            SpecialUse::Flagged => "Flagged",
            SpecialUse::Junk => "Junk",
            SpecialUse::Sent => "Sent",
            SpecialUse::Trash => "Trash",
            SpecialUse::Important => "Important",
            SpecialUse::Other(atom) => atom.as_str(),
        }
    }
}

impl std::fmt::Display for SpecialUse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "\\{}", self.name())
    }
}

impl MailboxAttribute {
    /// The special use this attribute names (RFC 6154, `\Important` RFC 8457), if any.
    pub fn special_use(&self) -> Option<SpecialUse> {
        Some(match self {
            MailboxAttribute::All => SpecialUse::All,
            MailboxAttribute::Archive => SpecialUse::Archive,
            MailboxAttribute::Drafts => SpecialUse::Drafts,
            MailboxAttribute::Flagged => SpecialUse::Flagged,
            MailboxAttribute::Junk => SpecialUse::Junk,
            MailboxAttribute::Sent => SpecialUse::Sent,
            MailboxAttribute::Trash => SpecialUse::Trash,
            MailboxAttribute::Important => SpecialUse::Important,
            _ => return None,
        })
    }
}

impl MailboxInfo {
    /// The special uses among the mailbox's attributes (usually none or one).
    pub fn special_uses(&self) -> Vec<SpecialUse> {
        self.attributes
            .iter()
            .filter_map(MailboxAttribute::special_use)
            .collect()
    }

    /// Whether the mailbox has `attribute`.
    pub fn has_attribute(&self, attribute: &MailboxAttribute) -> bool {
        self.attributes.contains(attribute)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_name_reads_known_names_in_any_case_and_others_as_other() {
        for u in SpecialUse::KNOWN {
            assert_eq!(SpecialUse::from_name(u.name()), Some(u.clone()));
            assert_eq!(SpecialUse::from_name(&u.to_string()), Some(u.clone()));
            assert_eq!(
                SpecialUse::from_name(&u.name().to_ascii_lowercase()),
                Some(u.clone())
            );
        }
        assert_eq!(
            SpecialUse::from_name("\\Receipts"),
            Some(SpecialUse::Other(ImapAtom::new("Receipts").unwrap()))
        );
        assert_eq!(SpecialUse::from_name("two words"), None);
        assert_eq!(SpecialUse::from_name(""), None);
    }

    #[test]
    fn special_use_displays_with_backslash() {
        assert_eq!(SpecialUse::Drafts.to_string(), "\\Drafts");
        assert_eq!(
            SpecialUse::Other(ImapAtom::new("Receipts").unwrap()).to_string(),
            "\\Receipts"
        );
    }

    #[test]
    fn attributes_map_to_special_uses() {
        assert_eq!(
            MailboxAttribute::from_wire(b"\\drafts").special_use(),
            Some(SpecialUse::Drafts)
        );
        assert_eq!(
            MailboxAttribute::Important.special_use(),
            Some(SpecialUse::Important)
        );
        assert_eq!(MailboxAttribute::HasChildren.special_use(), None);
    }

    #[test]
    fn every_special_use_attribute_maps_to_its_own_use() {
        use MailboxAttribute as A;
        for (attribute, special) in [
            (A::All, SpecialUse::All),
            (A::Archive, SpecialUse::Archive),
            (A::Drafts, SpecialUse::Drafts),
            (A::Flagged, SpecialUse::Flagged),
            (A::Junk, SpecialUse::Junk),
            (A::Sent, SpecialUse::Sent),
            (A::Trash, SpecialUse::Trash),
            (A::Important, SpecialUse::Important),
        ] {
            assert_eq!(attribute.special_use(), Some(special), "{attribute:?}");
        }
        for other in [A::NoSelect, A::Subscribed, A::Other("\\X".into())] {
            assert_eq!(other.special_use(), None, "{other:?}");
        }
    }

    #[test]
    fn a_mailbox_lists_its_special_uses_and_answers_for_its_attributes() {
        let info = MailboxInfo {
            name: crate::types::MailboxName::new("Sent Items").unwrap(),
            attributes: vec![
                MailboxAttribute::HasNoChildren,
                MailboxAttribute::Sent,
                MailboxAttribute::Archive,
            ],
            delimiter: Some('/'),
            child_info: Vec::new(),
            old_name: None,
        };
        assert_eq!(info.special_uses(), [SpecialUse::Sent, SpecialUse::Archive]);
        assert!(info.has_attribute(&MailboxAttribute::Sent));
        assert!(!info.has_attribute(&MailboxAttribute::Trash));
    }
}
