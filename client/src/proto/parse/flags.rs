//! Flag lists (`FLAGS`, `PERMANENTFLAGS`, FETCH `FLAGS`): validated in one table-driven scan
//! and kept as the raw slice between the parentheses.

use super::core::{PResult, byte, incomplete, invalid};
use super::noted_quirks::note_quirk;
use crate::proto::response::FlagList;
use crate::types::Quirk;

/// What a byte is inside a flag list.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FlagByte {
    /// Part of a flag, or the space between flags.
    Plain,
    /// `]` (Gmail's keywords hold it: [`Quirk::BracketInFlag`]) or `"` (InterMail quotes
    /// flags: [`Quirk::QuotedFlag`]): kept, and noted.
    Quirk,
    /// Ends the list (`)`), or is not allowed in it.
    Stop,
}

const fn build_flag_table() -> [FlagByte; 256] {
    let mut t = [FlagByte::Stop; 256];
    let mut b = 0x20;
    while b < 256 {
        // Leniency: 8-bit bytes in keywords are kept (Gmail labels, some Exchange keywords).
        if b >= 0x80 || (b < 0x7f && !matches!(b as u8, b'(' | b')' | b'{')) {
            t[b] = FlagByte::Plain;
        }
        b += 1;
    }
    t[b']' as usize] = FlagByte::Quirk;
    t[b'"' as usize] = FlagByte::Quirk;
    t
}

static FLAG_LIST_CHAR: [FlagByte; 256] = build_flag_table();

/// `"(" [flag *(SP flag)] ")"`, kept as the raw slice between the parentheses (`Flag::from_server`
/// unquotes a quoted flag). Leniency: lower-case flags and any case of system flags are
/// accepted (Cyrus).
pub(crate) fn flag_list<'a>(i: &mut &'a [u8]) -> PResult<FlagList<'a>> {
    byte(i, b'(', "'(' of flag list")?;
    let s = *i;
    let mut n = 0;
    loop {
        match s.get(n).map(|&b| FLAG_LIST_CHAR[usize::from(b)]) {
            Some(FlagByte::Plain) => n += 1,
            Some(FlagByte::Quirk) => {
                note_quirk(if s.get(n) == Some(&b']') {
                    Quirk::BracketInFlag
                } else {
                    Quirk::QuotedFlag
                });
                n += 1;
            }
            Some(FlagByte::Stop) | None => break,
        }
    }
    match s.get(n) {
        Some(b')') => {
            let (flags, rest) = s.split_at(n);
            *i = rest.get(1..).unwrap_or_default();
            Ok(FlagList(flags))
        }
        Some(_) => Err(invalid(s.get(n..).unwrap_or_default(), "flag")),
        None => Err(incomplete(&[])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_lists_note_brackets_and_quotes_separately() {
        use crate::proto::parse::noted_quirks::take_noted_quirks;
        let bit = crate::types::quirk::bit;
        take_noted_quirks();
        for (input, noted) in [
            (&b"(\\Seen $x)"[..], 0),
            (b"(a]b)", bit(Quirk::BracketInFlag)),
            (b"(\"a\")", bit(Quirk::QuotedFlag)),
            (
                b"(\"a]\")",
                bit(Quirk::BracketInFlag) | bit(Quirk::QuotedFlag),
            ),
        ] {
            flag_list(&mut &input[..]).unwrap();
            assert_eq!(take_noted_quirks(), noted, "{input:?}");
        }
    }
}
