//! The server's capabilities and the extensions this session has ENABLEd.
//!
//! Capabilities arrive in the greeting's `[CAPABILITY ...]` code, in `* CAPABILITY` data and in
//! the tagged OK of LOGIN/AUTHENTICATE; each new list replaces the old one completely
//! (RFC 3501 §7.2.1: the list "MUST" be the full set). Names compare ASCII case-insensitively
//! and are stored upper-cased.

use std::collections::BTreeSet;

/// A set of capability names (upper-cased), e.g. `IMAP4REV1`, `IDLE`, `AUTH=PLAIN`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Capabilities {
    names: BTreeSet<String>,
}

impl Capabilities {
    /// Builds a set from capability atoms as the server sent them.
    pub fn from_atoms<'a>(atoms: impl IntoIterator<Item = &'a [u8]>) -> Self {
        Self {
            names: atoms
                .into_iter()
                .map(|a| String::from_utf8_lossy(a).to_ascii_uppercase())
                .collect(),
        }
    }

    /// Whether the server advertises `name` (case-insensitive).
    pub fn has(&self, name: &str) -> bool {
        if name.bytes().any(|b| b.is_ascii_lowercase()) {
            self.names.contains(&name.to_ascii_uppercase())
        } else {
            self.names.contains(name)
        }
    }

    /// Whether the set is empty (nothing advertised yet).
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Every name, upper-cased, in sorted order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    /// SASL mechanisms from `AUTH=` entries (upper-cased).
    pub fn auth_mechanisms(&self) -> impl Iterator<Item = &str> {
        self.names.iter().filter_map(|n| n.strip_prefix("AUTH="))
    }

    /// Whether `AUTH=<mechanism>` is advertised.
    pub fn has_auth(&self, mechanism: &str) -> bool {
        self.auth_mechanisms()
            .any(|m| m.eq_ignore_ascii_case(mechanism))
    }

    /// Whether the server speaks IMAP4rev2 (RFC 9051).
    pub fn imap4rev2(&self) -> bool {
        self.has("IMAP4REV2")
    }

    /// The `APPENDLIMIT=n` value, if advertised with a number (RFC 7889).
    pub fn append_limit(&self) -> Option<u64> {
        self.names
            .iter()
            .find_map(|n| n.strip_prefix("APPENDLIMIT=")?.parse().ok())
    }

    /// The rights letters of `RIGHTS=` (RFC 4314 §2.1), as advertised (upper-cased, as every
    /// name here; ACL rights are lower-case letters, so compare case-insensitively). `None`
    /// when the server advertises no `RIGHTS=`: an RFC 2086 server.
    pub fn acl_rights(&self) -> Option<&str> {
        self.names.iter().find_map(|n| n.strip_prefix("RIGHTS="))
    }

    /// Whether the server would understand every letter of `rights` in SETACL: the RFC 4314
    /// rights `lrswipa` and the obsolete `c`/`d` everywhere, the letters of `RIGHTS=` where
    /// advertised (`texk` on an RFC 4314 server), and digits (server-defined rights).
    pub fn acl_rights_supported(&self, rights: &str) -> bool {
        let extra = self.acl_rights().unwrap_or("");
        rights.chars().all(|c| {
            c.is_ascii_digit()
                || "lrswipacd".contains(c)
                || extra.chars().any(|e| e.eq_ignore_ascii_case(&c))
        })
    }

    /// `LOGINDISABLED`: the LOGIN command must not be sent (RFC 3501 §6.2.3).
    pub fn login_disabled(&self) -> bool {
        self.has("LOGINDISABLED")
    }

    /// Whether the server advertises `UTF8=ONLY` (RFC 6855 §6): it refuses to select or name
    /// mailboxes until the client enabled `UTF8=ACCEPT`, which
    /// [`ImapConnection`](crate::ImapConnection) does after login whenever this is set.
    pub fn utf8_only(&self) -> bool {
        self.has("UTF8=ONLY")
    }

    /// Whether non-synchronising literals may be used for `len` bytes: LITERAL+ allows any
    /// length, LITERAL- (and IMAP4rev2, which includes it) only up to 4096 bytes (RFC 7888).
    pub fn non_sync_literal_allowed(&self, len: u64) -> bool {
        self.has("LITERAL+") || (len <= 4096 && (self.has("LITERAL-") || self.imap4rev2()))
    }
}

/// The protocol version a session speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Dialect {
    /// IMAP4rev1 (RFC 3501): every session until `IMAP4rev2` is enabled.
    Imap4rev1,
    /// IMAP4rev2 (RFC 9051), after the server confirmed `ENABLE IMAP4rev2`.
    Imap4rev2,
}

impl std::fmt::Display for Dialect {
    /// `IMAP4rev1` or `IMAP4rev2`, as the capability is spelt.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Dialect::Imap4rev1 => "IMAP4rev1",
            Dialect::Imap4rev2 => "IMAP4rev2",
        })
    }
}

/// Extensions the server confirmed in `* ENABLED` (RFC 5161), upper-cased.
///
/// ```
/// use daaki_imap::{Dialect, Enabled};
/// let mut enabled = Enabled::default();
/// assert_eq!(enabled.dialect(), Dialect::Imap4rev1);
/// enabled.extend([&b"IMAP4rev2"[..], b"utf8=accept"]);
/// assert_eq!(enabled.dialect(), Dialect::Imap4rev2);
/// assert_eq!(enabled.iter().collect::<Vec<_>>(), ["IMAP4REV2", "UTF8=ACCEPT"]);
/// assert!(enabled.utf8());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Enabled {
    names: BTreeSet<String>,
    /// [`Enabled::utf8`], kept up to date by `extend` and `clear`: the session asks for it
    /// once per response, so it must cost no lookup.
    utf8: bool,
}

impl Enabled {
    /// Records names from an `* ENABLED` response.
    pub fn extend<'a>(&mut self, atoms: impl IntoIterator<Item = &'a [u8]>) {
        self.names.extend(
            atoms
                .into_iter()
                .map(|a| String::from_utf8_lossy(a).to_ascii_uppercase()),
        );
        self.utf8 = self.has("IMAP4REV2") || self.has("UTF8=ACCEPT") || self.has("UTF8=ONLY");
    }

    /// Whether `name` was enabled (case-insensitive; no allocation for an upper-case name).
    pub fn has(&self, name: &str) -> bool {
        if name.bytes().any(|b| b.is_ascii_lowercase()) {
            self.names.contains(&name.to_ascii_uppercase())
        } else {
            self.names.contains(name)
        }
    }

    /// Whether UTF-8 mailbox names and strings are in force (IMAP4rev2 or UTF8=ACCEPT enabled).
    pub fn utf8(&self) -> bool {
        self.utf8
    }

    /// The enabled extensions' names, upper-cased, in sorted order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    /// The protocol version in force: IMAP4rev2 once the server confirmed enabling it.
    pub fn dialect(&self) -> Dialect {
        if self.has("IMAP4REV2") {
            Dialect::Imap4rev2
        } else {
            Dialect::Imap4rev1
        }
    }

    /// Forgets everything (after UNAUTHENTICATE the session starts over).
    pub fn clear(&mut self) {
        self.names.clear();
        self.utf8 = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(text: &str) -> Capabilities {
        Capabilities::from_atoms(text.split(' ').map(str::as_bytes))
    }

    #[test]
    fn names_compare_case_insensitively() {
        let c = caps("IMAP4rev1 idle AUTH=plain LITERAL+");
        assert!(c.has("IDLE") && c.has("idle") && c.has("Imap4Rev1"));
        assert!(c.has_auth("PLAIN") && !c.has_auth("LOGIN"));
        assert!(!c.imap4rev2());
        assert_eq!(
            c.iter().collect::<Vec<_>>(),
            vec!["AUTH=PLAIN", "IDLE", "IMAP4REV1", "LITERAL+"],
            "upper-cased, sorted"
        );
    }

    #[test]
    fn the_dialect_follows_what_was_enabled() {
        let mut e = Enabled::default();
        assert_eq!((e.dialect(), e.utf8()), (Dialect::Imap4rev1, false));
        e.extend([&b"CONDSTORE"[..]]);
        assert_eq!(e.dialect(), Dialect::Imap4rev1);
        e.extend([&b"imap4rev2"[..]]);
        assert_eq!((e.dialect(), e.utf8()), (Dialect::Imap4rev2, true));
        assert_eq!(e.iter().collect::<Vec<_>>(), ["CONDSTORE", "IMAP4REV2"]);
        assert_eq!(Dialect::Imap4rev2.to_string(), "IMAP4rev2");
        assert_eq!(Dialect::Imap4rev1.to_string(), "IMAP4rev1");
        e.clear();
        assert_eq!((e.dialect(), e.iter().count()), (Dialect::Imap4rev1, 0));
    }

    #[test]
    fn literal_rules_follow_rfc_7888() {
        assert!(caps("LITERAL+").non_sync_literal_allowed(1 << 30));
        assert!(caps("LITERAL-").non_sync_literal_allowed(4096));
        assert!(!caps("LITERAL-").non_sync_literal_allowed(4097));
        assert!(caps("IMAP4rev2").non_sync_literal_allowed(4096));
        assert!(!caps("IMAP4rev1").non_sync_literal_allowed(1));
    }

    #[test]
    fn append_limit_and_logindisabled_are_read() {
        let c = caps("APPENDLIMIT=4294967295 LOGINDISABLED");
        assert_eq!(c.append_limit(), Some(4_294_967_295));
        assert!(c.login_disabled());
        assert_eq!(caps("APPENDLIMIT").append_limit(), None);
    }

    #[test]
    fn acl_rights_follow_the_rights_capability() {
        let rfc4314 = caps("ACL RIGHTS=texk");
        assert_eq!(rfc4314.acl_rights(), Some("TEXK"));
        assert!(rfc4314.acl_rights_supported("lrswipkxtea"));
        assert!(rfc4314.acl_rights_supported("cd01"));
        assert!(!rfc4314.acl_rights_supported("lrz"));
        let rfc2086 = caps("ACL");
        assert_eq!(rfc2086.acl_rights(), None);
        assert!(rfc2086.acl_rights_supported("lrswipcda"));
        assert!(!rfc2086.acl_rights_supported("k"));
        assert!(!rfc2086.acl_rights_supported("x"));
    }

    #[test]
    fn enabled_tracks_utf8() {
        let mut e = Enabled::default();
        assert!(!e.utf8());
        e.extend([b"utf8=accept".as_slice()]);
        assert!(e.utf8() && e.has("UTF8=ACCEPT") && e.has("utf8=Accept"));
        assert!(!e.has("UTF8=ONLY"));
        e.clear();
        assert!(!e.utf8() && !e.has("UTF8=ACCEPT"));
        for (names, utf8) in [
            (&["CONDSTORE"][..], false),
            (&["IMAP4rev2"], true),
            (&["UTF8=ONLY"], true),
            (&["CONDSTORE", "UTF8=ACCEPT"], true),
        ] {
            let mut e = Enabled::default();
            e.extend([b"QRESYNC".as_slice()]);
            assert!(!e.utf8());
            e.extend(names.iter().map(|n| n.as_bytes()));
            assert_eq!(e.utf8(), utf8, "{names:?}");
            assert!(e.has("QRESYNC"), "earlier names are kept");
        }
    }
}
