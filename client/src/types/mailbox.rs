//! `MailboxName`: a mailbox name as humans read it (Unicode), encoded per session, and the
//! modified UTF-7 codec of RFC 3501 §5.1.3.
//!
//! IMAP4rev1 servers name mailboxes in *modified UTF-7*: printable US-ASCII except `&`
//! stands for itself, `&` is written `&-`, and every other run of characters is UTF-16BE in
//! modified base64 (`,` instead of `/`, no padding) between `&` and `-`. When IMAP4rev2 or
//! UTF8=ACCEPT is on, names travel as UTF-8 instead. Callers only ever see the Unicode form;
//! [`MailboxName::to_wire`] picks the encoding.
//!
//! Decoding what a server sends never fails. A name that is not valid modified UTF-7 (8-bit
//! bytes, a stray `&`, bad base64, a lone surrogate) keeps its raw bytes as lossy UTF-8, and
//! a name whose canonical re-encoding would differ from what the server sent (invalid or
//! non-canonical modified UTF-7, such as `AT&T` or `&AGE-` for `a`) remembers the server's
//! exact spelling, so selecting a listed mailbox always sends back the bytes the server
//! listed (only bytes that are not UTF-8 at all are lost to the lossy conversion).

use std::borrow::Cow;

use crate::types::InvalidInput;

/// A mailbox name in its human (Unicode) form. The encoder writes it as modified UTF-7
/// (RFC 3501 §5.1.3) or, when IMAP4rev2 / UTF8=ACCEPT is on, as UTF-8.
/// `INBOX` is case-insensitive and normalised to upper case.
///
/// Two names are equal when their human form and their wire spelling agree (a name built by
/// [`MailboxName::new`] always uses the canonical wire spelling).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "serde_repr::Repr", into = "serde_repr::Repr")
)]
pub struct MailboxName {
    name: String,
    /// The server's exact modified UTF-7 spelling, kept only when it differs from the
    /// canonical encoding of `name`.
    verbatim: Option<Box<str>>,
}

impl MailboxName {
    /// Validates a human mailbox name (rejects empty names, NUL, CR and LF).
    pub fn new(name: &str) -> Result<Self, InvalidInput> {
        if name.is_empty() || name.bytes().any(|b| matches!(b, 0 | b'\r' | b'\n')) {
            return Err(InvalidInput::new(format!("invalid mailbox name: {name:?}")));
        }
        Ok(Self::normalise(name.to_owned()))
    }

    /// `INBOX`.
    pub fn inbox() -> Self {
        Self {
            name: "INBOX".to_owned(),
            verbatim: None,
        }
    }

    /// Decodes a name as the server sent it; never fails.
    ///
    /// With `utf8` (IMAP4rev2 / UTF8=ACCEPT) the bytes are UTF-8 (lossy). Otherwise valid
    /// modified UTF-7 is decoded to Unicode; invalid modified UTF-7 falls back to the raw
    /// bytes as lossy UTF-8. Either way, if re-encoding would not reproduce the bytes, the
    /// server's spelling is kept for [`MailboxName::to_wire`].
    #[allow(dead_code)]
    pub(crate) fn from_wire(bytes: &[u8], utf8: bool) -> Self {
        if utf8 {
            return Self::normalise(String::from_utf8_lossy(bytes).into_owned());
        }
        // Fast path, by far the most common name: printable ASCII without `&` is itself.
        if bytes.iter().all(|&b| matches!(b, 0x20..=0x7e) && b != b'&') {
            return Self::normalise(String::from_utf8_lossy(bytes).into_owned());
        }
        let raw = String::from_utf8_lossy(bytes);
        let decoded = decode_modified_utf7(bytes).unwrap_or_else(|| raw.clone().into_owned());
        let mut name = Self::normalise(decoded);
        if name.verbatim_needed(&raw) {
            name.verbatim = Some(raw.into());
        }
        name
    }

    /// Decodes a modified UTF-7 name (for example one stored from an earlier session).
    /// Unlike the lenient decoding of server data, this rejects invalid modified UTF-7 and
    /// the names [`MailboxName::new`] rejects.
    pub fn from_modified_utf7(wire: &str) -> Result<Self, InvalidInput> {
        let decoded = decode_modified_utf7(wire.as_bytes())
            .ok_or_else(|| InvalidInput::new(format!("invalid modified UTF-7: {wire:?}")))?;
        Self::new(&decoded)?;
        Ok(Self::from_wire(wire.as_bytes(), false))
    }

    fn verbatim_needed(&self, wire: &str) -> bool {
        // INBOX is case-insensitive on the wire: any spelling of it is canonical.
        !(self.is_inbox() && wire.eq_ignore_ascii_case("INBOX"))
            && encode_modified_utf7(&self.name) != wire
    }

    fn normalise(name: String) -> Self {
        if name.eq_ignore_ascii_case("INBOX") {
            Self::inbox()
        } else {
            Self {
                name,
                verbatim: None,
            }
        }
    }

    /// The human (Unicode) form.
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// True for `INBOX` (in any case).
    pub fn is_inbox(&self) -> bool {
        self.name == "INBOX"
    }

    /// The modified UTF-7 form (RFC 3501 §5.1.3). For a name the server sent in a
    /// non-canonical spelling, that spelling.
    pub fn to_modified_utf7(&self) -> String {
        self.to_wire(false).into_owned()
    }

    /// The name as it goes on the wire: UTF-8 when `utf8` (IMAP4rev2 / UTF8=ACCEPT) is on,
    /// modified UTF-7 otherwise. Borrows when no encoding is needed.
    ///
    /// This is text, not yet an IMAP string: the encoder still quotes it or sends a literal.
    pub fn to_wire(&self, utf8: bool) -> Cow<'_, str> {
        if utf8 {
            return Cow::Borrowed(&self.name);
        }
        if let Some(verbatim) = &self.verbatim {
            return Cow::Borrowed(verbatim);
        }
        if self
            .name
            .bytes()
            .all(|b| matches!(b, 0x20..=0x7e) && b != b'&')
        {
            Cow::Borrowed(&self.name)
        } else {
            Cow::Owned(encode_modified_utf7(&self.name))
        }
    }
}

/// Encodes Unicode text as modified UTF-7 (RFC 3501 §5.1.3).
pub(crate) fn encode_modified_utf7(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 2);
    let mut run: Vec<u16> = Vec::new();
    for ch in s.chars() {
        if matches!(ch, '\x20'..='\x7e') {
            flush_base64(&mut run, &mut out);
            if ch == '&' {
                out.push_str("&-");
            } else {
                out.push(ch);
            }
        } else {
            let mut units = [0u16; 2];
            run.extend_from_slice(ch.encode_utf16(&mut units));
        }
    }
    flush_base64(&mut run, &mut out);
    out
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

fn flush_base64(run: &mut Vec<u16>, out: &mut String) {
    if run.is_empty() {
        return;
    }
    out.push('&');
    let (mut acc, mut bits) = (0u32, 0u32);
    for unit in run.drain(..) {
        acc = (acc << 16) | u32::from(unit);
        bits += 16;
        while bits >= 6 {
            bits -= 6;
            out.push(char::from(ALPHABET[((acc >> bits) & 0x3f) as usize]));
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((acc << (6 - bits)) & 0x3f) as usize]));
    }
    out.push('-');
}

fn base64_value(b: u8) -> Option<u32> {
    let v = match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'+' => 62,
        b',' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// Decodes modified UTF-7 strictly; `None` if `bytes` are not valid modified UTF-7.
///
/// Accepts non-canonical spellings that still decode unambiguously (for example a shifted
/// run holding printable ASCII); [`MailboxName::from_wire`] notices those by re-encoding.
pub(crate) fn decode_modified_utf7(bytes: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b != b'&' {
            if !matches!(b, 0x20..=0x7e) {
                return None;
            }
            out.push(char::from(b));
            i += 1;
            continue;
        }
        let rest = bytes.get(i + 1..)?;
        let len = memchr::memchr(b'-', rest)?;
        let encoded = rest.get(..len)?;
        if encoded.is_empty() {
            out.push('&');
        } else {
            decode_base64_run(encoded, &mut out)?;
        }
        i += len + 2;
    }
    Some(out)
}

fn decode_base64_run(encoded: &[u8], out: &mut String) -> Option<()> {
    let mut units = Vec::with_capacity(encoded.len() * 3 / 8 + 1);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in encoded {
        acc = (acc << 6) | base64_value(c)?;
        bits += 6;
        if bits >= 16 {
            bits -= 16;
            units.push(((acc >> bits) & 0xffff) as u16);
            acc &= (1 << bits) - 1;
        }
    }
    // Leftover bits are padding: fewer than six, all zero.
    if bits >= 6 || acc != 0 {
        return None;
    }
    for ch in char::decode_utf16(units) {
        out.push(ch.ok()?);
    }
    Some(())
}

impl std::fmt::Display for MailboxName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

impl AsRef<str> for MailboxName {
    fn as_ref(&self) -> &str {
        &self.name
    }
}

impl std::str::FromStr for MailboxName {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, InvalidInput> {
        Self::new(s)
    }
}

impl TryFrom<&str> for MailboxName {
    type Error = InvalidInput;

    fn try_from(s: &str) -> Result<Self, InvalidInput> {
        Self::new(s)
    }
}

impl TryFrom<String> for MailboxName {
    type Error = InvalidInput;

    fn try_from(s: String) -> Result<Self, InvalidInput> {
        Self::new(&s)
    }
}

#[cfg(feature = "serde")]
mod serde_repr {
    //! Serde form: a plain string, or `{ name, wire }` when the server's spelling is kept.

    use super::MailboxName;
    use crate::types::InvalidInput;

    #[derive(serde::Serialize, serde::Deserialize)]
    #[serde(untagged)]
    pub(super) enum Repr {
        Name(String),
        Verbatim { name: String, wire: String },
    }

    fn check(s: &str) -> Result<(), InvalidInput> {
        if s.bytes().any(|b| matches!(b, 0 | b'\r' | b'\n')) {
            return Err(InvalidInput::new(format!("invalid mailbox name: {s:?}")));
        }
        Ok(())
    }

    impl TryFrom<Repr> for MailboxName {
        type Error = InvalidInput;

        // Empty names are allowed here: servers send them (`LIST "" ""`).
        fn try_from(repr: Repr) -> Result<Self, InvalidInput> {
            match repr {
                Repr::Name(name) => {
                    check(&name)?;
                    Ok(Self::normalise(name))
                }
                Repr::Verbatim { name, wire } => {
                    check(&name)?;
                    check(&wire)?;
                    let mut mailbox = Self::normalise(name);
                    if mailbox.verbatim_needed(&wire) {
                        mailbox.verbatim = Some(wire.into());
                    }
                    Ok(mailbox)
                }
            }
        }
    }

    impl From<MailboxName> for Repr {
        fn from(mailbox: MailboxName) -> Self {
            match mailbox.verbatim {
                None => Repr::Name(mailbox.name),
                Some(wire) => Repr::Verbatim {
                    name: mailbox.name,
                    wire: wire.into(),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf7(s: &str) -> String {
        MailboxName::new(s).unwrap().to_modified_utf7()
    }

    #[test]
    fn rfc_3501_example_encodes_and_decodes() {
        let wire = "~peter/mail/&U,BTFw-/&ZeVnLIqe-";
        assert_eq!(utf7("~peter/mail/台北/日本語"), wire);
        let name = MailboxName::from_wire(wire.as_bytes(), false);
        assert_eq!(name.as_str(), "~peter/mail/台北/日本語");
        assert_eq!(name.to_wire(false), wire);
    }

    #[test]
    fn ampersand_is_escaped_both_ways() {
        assert_eq!(utf7("&"), "&-");
        assert_eq!(utf7("AT&T"), "AT&-T");
        assert_eq!(MailboxName::from_wire(b"&-", false).as_str(), "&");
        assert_eq!(MailboxName::from_wire(b"a&-b&-", false).as_str(), "a&b&");
    }

    #[test]
    fn known_answers() {
        let cases = [
            ("Entwürfe", "Entw&APw-rfe"),
            ("😀", "&2D3eAA-"),
            ("☺!", "&Jjo-!"),
            ("café-bar", "caf&AOk--bar"),
            ("tab\there", "tab&AAk-here"),
            ("Gesendete Objekte", "Gesendete Objekte"),
            ("日本語&", "&ZeVnLIqe-&-"),
        ];
        for (human, wire) in cases {
            assert_eq!(utf7(human), wire, "encoding {human:?}");
            assert_eq!(
                decode_modified_utf7(wire.as_bytes()).as_deref(),
                Some(human),
                "decoding {wire:?}"
            );
        }
    }

    #[test]
    fn to_wire_borrows_ascii_and_passes_utf8_through() {
        let plain = MailboxName::new("Archive/2024").unwrap();
        assert!(matches!(
            plain.to_wire(false),
            Cow::Borrowed("Archive/2024")
        ));
        let unicode = MailboxName::new("台北").unwrap();
        assert_eq!(unicode.to_wire(true), "台北");
        assert_eq!(unicode.to_wire(false), "&U,BTFw-");
        assert_eq!(
            MailboxName::from_wire("台北".as_bytes(), true).as_str(),
            "台北"
        );
    }

    #[test]
    fn from_modified_utf7_is_strict() {
        let name = MailboxName::from_modified_utf7("~peter/mail/&U,BTFw-/&ZeVnLIqe-").unwrap();
        assert_eq!(name.as_str(), "~peter/mail/台北/日本語");
        assert_eq!(
            MailboxName::from_modified_utf7("&AGE-")
                .unwrap()
                .to_modified_utf7(),
            "&AGE-"
        );
        for bad in ["", "AT&T", "&U,BTFw", "ä", "&AA0-", "&AAA-"] {
            assert!(MailboxName::from_modified_utf7(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn inbox_is_normalised_in_any_case() {
        for s in ["inbox", "INBOX", "InBoX"] {
            let name = MailboxName::new(s).unwrap();
            assert!(name.is_inbox());
            assert_eq!(name, MailboxName::inbox());
            let from_server = MailboxName::from_wire(s.as_bytes(), false);
            assert_eq!(from_server, MailboxName::inbox());
        }
        assert_eq!(MailboxName::new("INBOX/Sub").unwrap().as_str(), "INBOX/Sub");
        assert!(!MailboxName::new("INBOXES").unwrap().is_inbox());
    }

    #[test]
    fn new_rejects_empty_nul_cr_lf() {
        for s in ["", "a\0b", "a\rb", "a\nb", "\r\n"] {
            assert!(MailboxName::new(s).is_err(), "{s:?}");
        }
    }

    #[test]
    fn invalid_modified_utf7_falls_back_to_raw_and_keeps_the_wire_spelling() {
        let cases: [&[u8]; 8] = [
            b"AT&T",        // stray '&'
            b"&U,BTFw",     // unterminated
            b"&A-",         // six bits cannot make a UTF-16 unit
            b"&2D0-",       // lone high surrogate (zero padding)
            b"&2D3-",       // lone high surrogate, non-zero padding
            b"&AOk=-",      // '=' is not in the alphabet
            "ä".as_bytes(), // raw 8-bit UTF-8
            b"a\tb",        // control byte
        ];
        for wire in cases {
            assert_eq!(decode_modified_utf7(wire), None, "{wire:?}");
            let name = MailboxName::from_wire(wire, false);
            assert_eq!(name.as_str().as_bytes(), wire);
            assert_eq!(
                name.to_wire(false).as_bytes(),
                wire,
                "selecting it sends the listed bytes"
            );
            assert_eq!(name.to_wire(true).as_bytes(), wire);
        }
        let lossy = MailboxName::from_wire(b"\xff&", false);
        assert_eq!(lossy.as_str(), "\u{fffd}&");
    }

    #[test]
    fn non_canonical_modified_utf7_decodes_but_keeps_the_wire_spelling() {
        let name = MailboxName::from_wire(b"&AGE-", false);
        assert_eq!(name.as_str(), "a");
        assert_eq!(name.to_wire(false), "&AGE-");
        assert_ne!(name, MailboxName::new("a").unwrap());
        let split = MailboxName::from_wire(b"&AOk-&AOk-", false);
        assert_eq!(split.as_str(), "éé");
        assert_eq!(split.to_modified_utf7(), "&AOk-&AOk-");
    }

    #[test]
    fn canonical_names_from_the_server_equal_user_names() {
        let wire = utf7("Entwürfe");
        assert_eq!(
            MailboxName::from_wire(wire.as_bytes(), false),
            MailboxName::new("Entwürfe").unwrap()
        );
    }

    #[test]
    fn round_trips_many_generated_names() {
        const POOL: &[char] = &[
            'a',
            'Z',
            '0',
            ' ',
            '&',
            '-',
            '+',
            ',',
            '/',
            '.',
            '~',
            '"',
            '\\',
            '\t',
            '\u{7f}',
            'é',
            'ü',
            'ß',
            '€',
            '台',
            '北',
            '日',
            '本',
            '\u{ffff}',
            '\u{d7ff}',
            '\u{e000}',
            '😀',
            '\u{10ffff}',
            '\u{1f}',
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize
        };
        for _ in 0..5000 {
            let len = 1 + next() % 12;
            let s: String = (0..len).map(|_| POOL[next() % POOL.len()]).collect();
            let name = MailboxName::new(&s).unwrap();
            let wire = name.to_modified_utf7();
            assert!(
                wire.bytes().all(|b| matches!(b, 0x20..=0x7e)),
                "{wire:?} is printable ASCII"
            );
            let back = MailboxName::from_wire(wire.as_bytes(), false);
            assert_eq!(back, name, "{s:?} via {wire:?}");
            assert_eq!(back.to_wire(false), wire);
        }
    }

    #[cfg(feature = "serde")]
    #[test]
    fn serde_keeps_the_wire_spelling() {
        // Exercised through the repr conversions to avoid a JSON dev-dependency.
        let plain = MailboxName::new("Sent").unwrap();
        assert!(
            matches!(serde_repr::Repr::from(plain.clone()), serde_repr::Repr::Name(ref n) if n == "Sent")
        );
        let odd = MailboxName::from_wire(b"AT&T", false);
        let back = MailboxName::try_from(serde_repr::Repr::from(odd.clone())).unwrap();
        assert_eq!(back, odd);
        assert!(MailboxName::try_from(serde_repr::Repr::Name("a\r\n".into())).is_err());
    }
}
