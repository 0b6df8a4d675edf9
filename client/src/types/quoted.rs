//! The value of a quoted string's content: its `\"` and `\\` escapes removed (RFC 3501 §4.3).
//! The one unescaper, used by the response model's strings and by flags a server quotes.

/// `raw` (a quoted string's content, without the quotes) with `\"` and `\\` unescaped; any
/// other backslash is kept as it is.
pub(crate) fn unescape_quoted(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut it = raw.iter();
    while let Some(&b) = it.next() {
        match (b, it.as_slice().first()) {
            (b'\\', Some(&c @ (b'\\' | b'"'))) => {
                out.push(c);
                it.next();
            }
            _ => out.push(b),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::unescape_quoted;

    #[test]
    fn escapes_are_removed_other_backslashes_kept() {
        assert_eq!(unescape_quoted(br#"a\"b\\c\d\"#), br#"a"b\c\d\"#);
        assert_eq!(unescape_quoted(b""), b"");
    }
}
