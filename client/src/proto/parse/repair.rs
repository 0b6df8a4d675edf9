//! Recovery at the response boundary for quoted strings that break the grammar: an unescaped
//! `"` inside a string (`"say "hi" now"`) or a `\` right before the closing quote (`"C:\"`).
//!
//! The parser itself stays strict about quoted strings, since a `"` or `\"` is ambiguous on
//! its own. Only when a whole response fails to parse does [`repair_quotes`] look at where it
//! failed, escape the one quote (or backslash) that most likely caused it, and parse again —
//! greedily, a bounded number of times, keeping a repair only if the parse then gets further
//! (a `\"` before a closing position is tried before the last closing quote).
//! The repaired bytes are a copy: the response's own bytes (and any literal in it) are never
//! reinterpreted.

use super::core::{closes_quoted, literal};
use super::{noted_quirks::take_noted_quirks, parse_response};
use crate::types::{Quirk, quirk};

/// How many quotes or backslashes one response may need repaired before it is given up.
const MAX_REPAIRS: usize = 8;

/// A response made parseable by escaping quotes or backslashes in its quoted strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Repaired {
    /// The response's bytes with the repairs made; [`parse_response`] accepts them.
    pub(crate) bytes: Vec<u8>,
    /// The quirks the repairs were (a mask of `quirk::bit`s).
    pub(crate) quirks: u64,
}

/// Repairs `frame`, a whole response that [`parse_response`] rejected at byte `position`, or
/// `None` when no repair of its quoted strings makes it parse. The notes of the attempts are
/// cleared: parse the result again to note the quirks of its content.
pub(crate) fn repair_quotes(frame: &[u8], position: usize) -> Option<Repaired> {
    let mut bytes = frame.to_vec();
    let mut failed_at = position;
    let mut quirks = 0;
    for _ in 0..MAX_REPAIRS {
        let marks = scan(&bytes, failed_at);
        let candidates = [
            marks
                .backslash_before_close
                .map(|at| (at, Quirk::LoneBackslash)),
            marks.closer.map(|at| (at, Quirk::UnescapedQuote)),
        ];
        // The first candidate that parses, or failing that gets further, is kept.
        let mut progress = None;
        for (at, kind) in candidates.into_iter().flatten() {
            let mut attempt = bytes.clone();
            attempt.insert(at, b'\\');
            let outcome = parse_response(&attempt).map(|_| ());
            take_noted_quirks();
            match outcome {
                Ok(()) => {
                    return Some(Repaired {
                        bytes: attempt,
                        quirks: quirks | quirk::bit(kind),
                    });
                }
                // One byte was inserted before the old failure: the same failure is now at
                // `failed_at + 1`, so only a later one is progress.
                Err(e) if e.position > failed_at + 1 => {
                    progress = Some((e.position, attempt, kind));
                    break;
                }
                Err(_) => {}
            }
        }
        let (position, attempt, kind) = progress?;
        bytes = attempt;
        failed_at = position;
        quirks |= quirk::bit(kind);
    }
    None
}

/// Where the quoted strings before a failure end.
#[derive(Debug, Default, PartialEq, Eq)]
struct QuoteMarks {
    /// The last `"` before the failure that closed a quoted string.
    closer: Option<usize>,
    /// The last `\` before the failure that escaped a `"` followed by what may follow a
    /// closing quote (a space, `)`, `]` or the line end): the backslash that was most
    /// likely meant as the string's last character.
    backslash_before_close: Option<usize>,
}

/// Reads `bytes` up to `until` as the parser would see its quoted strings, skipping the
/// contents of literals (`{n}` + CRLF + n bytes).
fn scan(bytes: &[u8], until: usize) -> QuoteMarks {
    let mut marks = QuoteMarks::default();
    let mut in_quote = false;
    let mut j = 0;
    while j < until.min(bytes.len()) {
        let b = bytes[j];
        if in_quote {
            match b {
                b'\\' => {
                    if bytes.get(j + 1) == Some(&b'"') && closes_quoted(bytes.get(j + 2)) {
                        marks.backslash_before_close = Some(j);
                    }
                    j += 2;
                    continue;
                }
                // As the parser reads it: a quote that is not followed by what may follow a
                // closing quote is content.
                b'"' if closes_quoted(bytes.get(j + 1)) => {
                    marks.closer = Some(j);
                    in_quote = false;
                }
                // A line end inside a string is where the parse fails (`until`): the scan
                // never goes past one.
                _ => {}
            }
        } else if b == b'"' {
            in_quote = true;
        } else if b == b'{' {
            j = skip_literal(bytes, j);
            continue;
        }
        j += 1;
    }
    marks
}

/// The index after the literal whose `{` is at `at` (read by the parser's own
/// [`literal`]), or after the `{` alone if no whole literal starts there.
fn skip_literal(bytes: &[u8], at: usize) -> usize {
    let mut rest = bytes.get(at..).unwrap_or_default();
    match literal(&mut rest, false) {
        Ok(_) => bytes.len() - rest.len(),
        Err(_) => at + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repaired(input: &[u8]) -> Option<(String, u64)> {
        let err = parse_response(input).expect_err("the input is broken");
        take_noted_quirks();
        repair_quotes(input, err.position).map(|r| (String::from_utf8(r.bytes).unwrap(), r.quirks))
    }

    const QUOTE: u64 = quirk::bit(Quirk::UnescapedQuote);
    const BACKSLASH: u64 = quirk::bit(Quirk::LoneBackslash);

    #[test]
    fn quotes_followed_by_a_space_are_escaped_one_at_a_time() {
        // The parser reads the first inner quote (followed by `h`) as content itself; the one
        // after `hi` is followed by a space and ends the string too early.
        assert_eq!(
            repaired(b"* LIST () \"/\" \"say \"hi\" now\"\r\n"),
            Some(("* LIST () \"/\" \"say \"hi\\\" now\"\r\n".into(), QUOTE))
        );
        assert_eq!(
            repaired(b"* LIST () \"/\" \"a\" b\" c\"\r\n"),
            Some(("* LIST () \"/\" \"a\\\" b\\\" c\"\r\n".into(), QUOTE))
        );
    }

    #[test]
    fn a_backslash_before_the_closing_quote_is_escaped() {
        let input = b"* 1 FETCH (ENVELOPE (NIL \"s\" ((\"C:\\\" NIL \"x\" \"y\")) NIL NIL NIL NIL NIL NIL NIL))\r\n";
        let (bytes, quirks) = repaired(input).unwrap();
        assert_eq!(quirks, BACKSLASH);
        assert!(bytes.contains("((\"C:\\\\\" NIL \"x\" \"y\"))"), "{bytes}");
    }

    #[test]
    fn repairs_of_both_kinds_are_all_reported() {
        // First the name's backslash before its closing quote, then the message id's inner
        // quote before a space.
        let input = b"* 1 FETCH (ENVELOPE (NIL \"s\" ((\"C:\\\" NIL \"x\" \"y\")) NIL NIL NIL NIL NIL NIL \"a\" b\"))\r\n";
        let (bytes, quirks) = repaired(input).unwrap();
        assert_eq!(quirks, QUOTE | BACKSLASH);
        assert!(bytes.contains("((\"C:\\\\\" NIL \"x\" \"y\"))"), "{bytes}");
        assert!(bytes.ends_with("NIL \"a\\\" b\"))\r\n"), "{bytes}");
    }

    #[test]
    fn a_response_broken_by_something_else_is_not_repaired() {
        assert_eq!(repaired(b"* 1 FETCH (UID x)\r\n"), None);
        assert_eq!(repaired(b"* LIST () \"/\" \"INBOX\" junk\r\n"), None);
    }

    #[test]
    fn repairs_stop_after_the_bound() {
        let list = |quotes: usize| {
            let mut input = b"* LIST () \"/\" \"a".to_vec();
            for _ in 0..quotes {
                input.extend_from_slice(b"\" b");
            }
            input.extend_from_slice(b"\"\r\n");
            input
        };
        // Each `" b` needs one repair: MAX_REPAIRS of them are repaired, one more is not.
        assert!(repaired(&list(MAX_REPAIRS)).is_some());
        assert_eq!(repaired(&list(MAX_REPAIRS + 1)), None);
    }

    #[test]
    fn scan_skips_literal_contents_and_finds_the_last_marks() {
        let bytes = b"* 1 FETCH (BODY[] {5}\r\n\"a\"b\" X \"q\" \"r\\\" s";
        let marks = scan(bytes, bytes.len());
        // The quotes inside the literal (23..28) are not seen; `"q"` closes at 33, `\"` is at 37.
        assert_eq!(bytes[33], b'"');
        assert_eq!(bytes[37], b'\\');
        assert_eq!(
            marks,
            QuoteMarks {
                closer: Some(33),
                backslash_before_close: Some(37)
            }
        );
        assert_eq!(scan(bytes, 33), QuoteMarks::default());
        // A backslash that escapes anything but a quote is not a candidate.
        let bytes = b"\"x\\a y\"";
        assert_eq!(scan(bytes, bytes.len()).backslash_before_close, None);
    }

    #[test]
    fn skip_literal_reads_the_length_or_steps_over_a_lone_brace() {
        assert_eq!(skip_literal(b"{3}\r\nabcX", 0), 8);
        assert_eq!(skip_literal(b"{3+}\r\nabcX", 0), 9);
        assert_eq!(skip_literal(b"{3}\nabcX", 0), 7);
        assert_eq!(skip_literal(b"{}\r\nabc", 0), 1);
        assert_eq!(skip_literal(b"{3} abc", 0), 1);
        assert_eq!(skip_literal(b"x{2}\r\nabX", 1), 8);
        assert_eq!(skip_literal(b"x{12}\r\nab", 1), 2, "a literal cut short");
    }
}
