//! [`decode_rfc2047`]: display decoding of RFC 2047 encoded words (`=?UTF-8?Q?Caf=C3=A9?=`)
//! in envelope subjects and display names.
//!
//! Decodes the `B` (base64) and `Q` encodings in UTF-8, US-ASCII, ISO-8859-1 and
//! Windows-1252 by hand (no `encoding_rs`: the wasm build stays small). ISO-8859-1 is decoded
//! as Windows-1252, as browsers do (WHATWG Encoding): the C1 range is never text and mail
//! labelled Latin-1 routinely uses Windows-1252's `€`, curly quotes and dashes there.
//!
//! Anything that cannot be decoded — an unknown charset, bad base64, a stray `=` in `Q` text,
//! an unterminated word — is left exactly as written. Decoding never fails, never recurses
//! and allocates at most a small multiple of the input.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Base64 as mailers write it: padding optional, stray trailing bits tolerated.
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// The charsets decoded here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Charset {
    Utf8,
    Ascii,
    /// Windows-1252, also used for ISO-8859-1 (see the module docs).
    Windows1252,
}

impl Charset {
    /// Looks up a charset name (ASCII case-insensitive; an RFC 2231 `*language` suffix is
    /// ignored).
    fn from_name(name: &str) -> Option<Self> {
        let name = name.split_once('*').map_or(name, |(c, _)| c);
        let is = |names: &[&str]| names.iter().any(|n| n.eq_ignore_ascii_case(name));
        if is(&["utf-8", "utf8"]) {
            Some(Self::Utf8)
        } else if is(&["us-ascii", "ascii", "ansi_x3.4-1968"]) {
            Some(Self::Ascii)
        } else if is(&[
            "iso-8859-1",
            "iso8859-1",
            "iso_8859-1",
            "latin1",
            "l1",
            "windows-1252",
            "cp1252",
            "x-cp1252",
        ]) {
            Some(Self::Windows1252)
        } else {
            None
        }
    }

    fn decode_into(self, bytes: &[u8], out: &mut String) {
        match self {
            Self::Utf8 => out.push_str(&String::from_utf8_lossy(bytes)),
            Self::Ascii => out.extend(bytes.iter().map(|&b| {
                if b.is_ascii() {
                    char::from(b)
                } else {
                    char::REPLACEMENT_CHARACTER
                }
            })),
            Self::Windows1252 => out.extend(bytes.iter().map(|&b| windows_1252(b))),
        }
    }
}

/// Windows-1252 byte to character (WHATWG mapping; the five unassigned bytes map to the C1
/// controls of the same value).
fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '\u{20ac}', '\u{81}', '\u{201a}', '\u{192}', '\u{201e}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{2c6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8d}', '\u{17d}',
        '\u{8f}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201c}', '\u{201d}', '\u{2022}', '\u{2013}',
        '\u{2014}', '\u{2dc}', '\u{2122}', '\u{161}', '\u{203a}', '\u{153}', '\u{9d}', '\u{17e}',
        '\u{178}',
    ];
    match b {
        0x80..=0x9f => HIGH
            .get(usize::from(b - 0x80))
            .copied()
            .unwrap_or(char::REPLACEMENT_CHARACTER),
        _ => char::from(b),
    }
}

/// One well-formed encoded word at the start of `s`: its charset, decoded bytes and length.
fn encoded_word(s: &str) -> Option<(Charset, Vec<u8>, usize)> {
    let rest = s.strip_prefix("=?")?;
    let (charset, rest) = rest.split_once('?')?;
    let (encoding, rest) = rest.split_once('?')?;
    let (text, _) = rest.split_once("?=")?;
    let len = 2 + charset.len() + 1 + encoding.len() + 1 + text.len() + 2;
    let bad_token = |t: &str| {
        t.is_empty()
            || t.bytes()
                .any(|b| b.is_ascii_whitespace() || b.is_ascii_control() || b == b'=')
    };
    if bad_token(charset) || text.bytes().any(|b| b.is_ascii_whitespace() || b == b'?') {
        return None;
    }
    let charset = Charset::from_name(charset)?;
    let bytes = match encoding {
        "B" | "b" => LENIENT_BASE64.decode(text).ok()?,
        "Q" | "q" => decode_q(text)?,
        _ => return None,
    };
    Some((charset, bytes, len))
}

/// The `Q` encoding: `_` is a space, `=XX` a hex byte; anything else stands for itself.
fn decode_q(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'_' => out.push(b' '),
            b'=' => {
                let hex = |d: Option<u8>| char::from(d?).to_digit(16);
                let (hi, lo) = (hex(bytes.next())?, hex(bytes.next())?);
                out.push(u8::try_from(hi * 16 + lo).ok()?);
            }
            _ => out.push(b),
        }
    }
    Some(out)
}

/// Decodes RFC 2047 encoded words for display. Text outside encoded words is kept as is;
/// whitespace between two adjacent encoded words is dropped (RFC 2047 §6.2), and adjacent
/// words in the same charset are joined before charset decoding, so a multi-byte character
/// split across two words survives. Words that cannot be decoded are left as written.
///
/// ```
/// # use daaki_imap::types::response::decode_rfc2047;
/// assert_eq!(decode_rfc2047("=?ISO-8859-1?Q?Andr=E9?= Pirard"), "André Pirard");
/// assert_eq!(decode_rfc2047("=?UTF-8?B?w7w=?= =?utf-8?q?ber?="), "über");
/// assert_eq!(decode_rfc2047("=?KOI8-R?Q?x?="), "=?KOI8-R?Q?x?=");
/// ```
pub fn decode_rfc2047(s: &str) -> String {
    if !s.contains("=?") {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    // Decoded bytes of the current run of adjacent words in one charset, not yet decoded
    // to characters.
    let mut pending: Option<(Charset, Vec<u8>)> = None;
    // Start of literal text not yet written.
    let mut literal = 0;
    let mut pos = 0;
    while let Some(found) = s.get(pos..).and_then(|r| r.find("=?")) {
        let start = pos + found;
        let Some((charset, bytes, len)) = s.get(start..).and_then(encoded_word) else {
            pos = start + 2;
            continue;
        };
        let gap = s.get(literal..start).unwrap_or_default();
        let joins = pending.is_some() && gap.bytes().all(|b| b.is_ascii_whitespace());
        match &mut pending {
            Some((c, buf)) if joins && *c == charset => buf.extend_from_slice(&bytes),
            _ => {
                if let Some((c, buf)) = pending.take() {
                    c.decode_into(&buf, &mut out);
                }
                if !joins {
                    out.push_str(gap);
                }
                pending = Some((charset, bytes));
            }
        }
        pos = start + len;
        literal = pos;
    }
    if let Some((c, buf)) = pending {
        c.decode_into(&buf, &mut out);
    }
    out.push_str(s.get(literal..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::decode_rfc2047 as d;

    #[test]
    fn decodes_the_rfc_2047_section_8_examples() {
        assert_eq!(
            d("=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>"),
            "Keith Moore <moore@cs.utk.edu>"
        );
        assert_eq!(
            d("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>"),
            "Keld Jørn Simonsen <keld@dkuug.dk>"
        );
        assert_eq!(
            d("=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>"),
            "André Pirard <PIRARD@vm1.ulg.ac.be>"
        );
        assert_eq!(
            d(
                "=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?="
            ),
            // ISO-8859-2 is not decoded here: left as written, its gap kept.
            "If you can read this yo\r\n =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?="
        );
        assert_eq!(
            d(
                "Nathaniel Borenstein <nsb@thumper.bellcore.com> (=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=)"
            ),
            "Nathaniel Borenstein <nsb@thumper.bellcore.com> (=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=)"
        );
        // The §8 table of adjacent words.
        assert_eq!(d("(=?ISO-8859-1?Q?a?=)"), "(a)");
        assert_eq!(d("(=?ISO-8859-1?Q?a?= b)"), "(a b)");
        assert_eq!(d("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)"), "(ab)");
        assert_eq!(d("(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)"), "(ab)");
        assert_eq!(d("(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)"), "(ab)");
        assert_eq!(d("(=?ISO-8859-1?Q?a_b?=)"), "(a b)");
        assert_eq!(
            d("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)"),
            "(a =?ISO-8859-2?Q?_b?=)"
        );
    }

    #[test]
    fn q_underscores_and_hex_escapes() {
        assert_eq!(d("=?utf-8?q?Caf=C3=A9_au_lait?="), "Café au lait");
        assert_eq!(d("=?UTF-8?Q?a=5Fb_=3D?="), "a_b =");
        assert_eq!(d("=?UTF-8?Q?=e2=82=ac?="), "€");
    }

    #[test]
    fn mixed_charsets_and_plain_text() {
        assert_eq!(
            d("Re: =?UTF-8?B?w5xiZXI=?= =?windows-1252?Q?=80_=96?= und =?us-ascii?Q?mehr?="),
            "Re: Über€ – und mehr"
        );
        // ISO-8859-1 decodes its C1 range as Windows-1252.
        assert_eq!(d("=?iso-8859-1?q?=93hi=94?="), "\u{201c}hi\u{201d}");
        // RFC 2231 language suffix.
        assert_eq!(d("=?UTF-8*de?Q?Gr=C3=BC=C3=9Fe?="), "Grüße");
        assert_eq!(d("=?us-ascii?q?=FF?="), "\u{fffd}");
        assert_eq!(d("no words here = ? ="), "no words here = ? =");
    }

    #[test]
    fn utf8_split_across_adjacent_words_is_joined() {
        // "ü" is C3 BC; split between two B words.
        assert_eq!(d("=?UTF-8?B?dcM=?= =?UTF-8?B?vGJlcg==?="), "uüber");
        assert_eq!(d("=?UTF-8?Q?=C3?==?UTF-8?Q?=BC?="), "ü");
    }

    #[test]
    fn malformed_words_are_left_as_written() {
        for s in [
            "=?UTF-8?B?####?=",
            "=?UTF-8?Q?bad=ZZ?=",
            "=?UTF-8?Q?trunc=4?=",
            "=?UTF-8?X?abc?=",
            "=?UTF-8?Q?no end",
            "=?UTF-8?Q?a b?=",
            "=??Q?abc?=",
            "=?UTF-8?Q?",
            "=?",
            "=?=?=?",
        ] {
            assert_eq!(d(s), s, "{s:?}");
        }
        assert_eq!(
            d("x =?UTF-8?B?####?= =?UTF-8?Q?y?="),
            "x =?UTF-8?B?####?= y"
        );
        assert_eq!(d("=?UTF-8?Q?=?UTF-8?Q?a?="), "=?UTF-8?Q?a");
    }

    #[test]
    fn base64_without_padding_is_accepted() {
        assert_eq!(d("=?UTF-8?B?w7w?="), "ü");
    }
}
