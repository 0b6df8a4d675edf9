//! A server response this crate could not type.

/// A response the parser could not type, kept whole instead of being dropped: the exact bytes
/// the server sent and why they did not parse.
///
/// Where it goes: an untyped `* n FETCH` that answers a FETCH in flight is part of that
/// command's result, as a [`FetchResponse`](super::FetchResponse) with only `seq` and
/// [`unparsed`](super::FetchResponse::unparsed) set (a buffered call returns it among the
/// others; a stream yields it in order and goes on). Any other untyped response that answers
/// a command in flight (by its keyword: a `* LIST` during LIST, a `* STATUS` for the mailbox
/// a STATUS asked about, …) makes that call fail with
/// [`Error::Incomplete`](crate::Error::Incomplete), which carries it with every typed
/// response of the reply ([`IncompleteReply`](super::IncompleteReply)). The rest arrives as a
/// [`TypedEvent::Unparsed`](crate::TypedEvent::Unparsed). The connection stays usable
/// either way: only framing errors (a literal over the size limits, a line that cannot end)
/// close it.
///
/// ```
/// use daaki_imap::types::response::Unparsed;
///
/// let u = Unparsed::new(b"* 7 FETCH (FLAGS (\\Seen) UID )\r\n".to_vec(), "expected a number");
/// assert_eq!(u.keyword(), Some("FETCH"));
/// assert_eq!(u.number(), Some(7));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct Unparsed {
    /// The whole response as received, CRLF and literals included (bounded by the
    /// connection's frame limits).
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::bytes"),
        tsify(type = "Uint8Array")
    )]
    pub raw: Vec<u8>,
    /// Why it did not parse (the parser's message, with the offset it stopped at).
    pub error: String,
}

impl Unparsed {
    /// An unparsed response: its bytes and the parser's reason.
    pub fn new(raw: Vec<u8>, error: impl Into<String>) -> Self {
        Unparsed {
            raw,
            error: error.into(),
        }
    }

    /// The response's keyword, upper-cased as IMAP spells it: `FETCH` in `* 7 FETCH (…)`,
    /// `LIST` in `* LIST (…)`; `None` when the bytes do not start like an untagged response.
    pub fn keyword(&self) -> Option<&str> {
        self.head().map(|(_, keyword)| keyword)
    }

    /// The message number of a numbered response (`7` in `* 7 FETCH (…)`), if it has one
    /// that fits a `u32`.
    pub fn number(&self) -> Option<u32> {
        self.head()?.0
    }

    /// `(number, keyword)` of `* [number SP] keyword`: the keyword is the next run of ASCII
    /// letters, digits, `-`, `_` or `.`, and must be non-empty.
    fn head(&self) -> Option<(Option<u32>, &str)> {
        let rest = self.raw.strip_prefix(b"* ")?;
        let word = |s: &[u8]| {
            s.iter()
                .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')))
                .unwrap_or(s.len())
        };
        let first_len = word(rest);
        let first = &rest[..first_len];
        let (number, keyword) = if !first.is_empty() && first.iter().all(u8::is_ascii_digit) {
            let number = std::str::from_utf8(first).ok()?.parse::<u32>().ok();
            let after = rest.get(first_len..)?.strip_prefix(b" ")?;
            (number, &after[..word(after)])
        } else {
            (None, first)
        };
        if keyword.is_empty() {
            return None;
        }
        // Only ASCII bytes were accepted above, so this cannot fail.
        std::str::from_utf8(keyword).ok().map(|k| (number, k))
    }
}

impl std::fmt::Display for Unparsed {
    /// The reason and the first 80 bytes of the response, escaped.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = &self.raw[..self.raw.len().min(80)];
        write!(
            f,
            "unparsed response ({}): {}{}",
            self.error,
            shown.escape_ascii(),
            if self.raw.len() > 80 { "…" } else { "" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(raw: &[u8]) -> (Option<String>, Option<u32>) {
        let u = Unparsed::new(raw.to_vec(), "x");
        (u.keyword().map(str::to_owned), u.number())
    }

    fn some(k: &str) -> Option<String> {
        Some(k.to_owned())
    }

    #[test]
    fn keyword_and_number_of_untagged_responses() {
        assert_eq!(head(b"* 7 FETCH (UID )\r\n"), (some("FETCH"), Some(7)));
        assert_eq!(head(b"* LIST (\\X) \"/\" \"a\r\n"), (some("LIST"), None));
        assert_eq!(head(b"* 12 EXPUNGE x\r\n"), (some("EXPUNGE"), Some(12)));
        assert_eq!(head(b"* X-GM-EXT.1\r\n"), (some("X-GM-EXT.1"), None));
        // A number too big for u32 still names the keyword.
        assert_eq!(head(b"* 99999999999 FETCH (\r\n"), (some("FETCH"), None));
    }

    #[test]
    fn no_keyword_where_the_bytes_do_not_start_untagged() {
        assert_eq!(head(b"A1 OK [\r\n"), (None, None));
        assert_eq!(head(b"*FETCH\r\n"), (None, None));
        assert_eq!(head(b"* (x)\r\n"), (None, None));
        assert_eq!(head(b"* 7\r\n"), (None, None));
        assert_eq!(head(b"* 7 (\r\n"), (None, None));
        assert_eq!(head(b""), (None, None));
    }

    #[test]
    fn display_shows_the_reason_and_a_bounded_escaped_prefix() {
        let u = Unparsed::new(b"* 1 FETCH (\xff)\r\n".to_vec(), "bad byte");
        assert_eq!(
            u.to_string(),
            "unparsed response (bad byte): * 1 FETCH (\\xff)\\r\\n"
        );
        let long = Unparsed::new(vec![b'a'; 81], "long");
        let shown = long.to_string();
        let (_, prefix) = shown.split_once("): ").expect("reason, then the bytes");
        assert_eq!(prefix, format!("{}…", "a".repeat(80)));
    }
}
