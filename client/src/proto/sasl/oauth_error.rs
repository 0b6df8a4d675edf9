//! The failure report of an OAuth SASL exchange (RFC 7628 §3.2.2), decoded from the
//! server's JSON challenge by a small bounded reader (no recursion, no JSON crate).

/// The failure report of an OAuth SASL exchange (RFC 7628 §3.2.2; XOAUTH2 sends the same
/// members): the server's JSON, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct OAuthError {
    /// `status`: the HTTP-style error (`"invalid_token"`, `"401"`, `"400"`, …).
    pub status: Option<String>,
    /// `scope`: the scopes a token needs.
    pub scope: Option<String>,
    /// `openid-configuration`: where to discover the authorisation server.
    pub openid_configuration: Option<String>,
    /// `schemes` (XOAUTH2): the accepted token schemes.
    pub schemes: Option<String>,
    /// The JSON text as sent (lossy UTF-8, at most 4096 characters).
    pub raw: String,
}

impl OAuthError {
    /// Decodes the JSON object of a failure challenge. Members that are not strings, and
    /// text that is not a flat JSON object, leave the typed fields empty; `raw` always holds
    /// the text.
    ///
    /// ```
    /// # use daaki_imap::proto::sasl::OAuthError;
    /// let e = OAuthError::parse(br#"{"status":"invalid_token","scope":"mail"}"#);
    /// assert_eq!(e.status.as_deref(), Some("invalid_token"));
    /// assert_eq!(e.scope.as_deref(), Some("mail"));
    /// ```
    pub fn parse(json: &[u8]) -> Self {
        let raw: String = String::from_utf8_lossy(json).chars().take(4096).collect();
        let mut error = OAuthError {
            raw,
            ..OAuthError::default()
        };
        for (key, value) in flat_json_strings(json) {
            let slot = match key.as_str() {
                "status" => &mut error.status,
                "scope" => &mut error.scope,
                "openid-configuration" => &mut error.openid_configuration,
                "schemes" => &mut error.schemes,
                _ => continue,
            };
            *slot = Some(value);
        }
        error
    }
}

/// The string members of a flat JSON object, in order. Stops (keeping what it has) at
/// anything it does not follow — nested values included — so it never recurses.
fn flat_json_strings(json: &[u8]) -> Vec<(String, String)> {
    let mut p = JsonCursor { s: json, i: 0 };
    let mut out = Vec::new();
    p.ws();
    if !p.eat(b'{') {
        return out;
    }
    loop {
        p.ws();
        if p.eat(b'}') {
            return out;
        }
        let Some(key) = p.string() else { return out };
        p.ws();
        if !p.eat(b':') {
            return out;
        }
        p.ws();
        if p.peek() == Some(b'"') {
            let Some(value) = p.string() else { return out };
            out.push((key, value));
        } else {
            // A number, true/false/null: skip it. Objects and arrays end the parse.
            while let Some(b) = p.peek() {
                if matches!(b, b',' | b'}') || b.is_ascii_whitespace() {
                    break;
                }
                if matches!(b, b'{' | b'[') {
                    return out;
                }
                p.i += 1;
            }
        }
        p.ws();
        if !p.eat(b',') {
            p.ws();
            return out;
        }
    }
}

struct JsonCursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl JsonCursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.s.get(self.i..self.i + 4)?;
        let text = std::str::from_utf8(digits).ok()?;
        let n = u32::from_str_radix(text, 16).ok()?;
        self.i += 4;
        Some(n)
    }

    /// A JSON string (the cursor is on its opening quote).
    fn string(&mut self) -> Option<String> {
        if !self.eat(b'"') {
            return None;
        }
        let mut bytes = Vec::new();
        loop {
            let b = self.peek()?;
            self.i += 1;
            match b {
                b'"' => return Some(String::from_utf8_lossy(&bytes).into_owned()),
                b'\\' => {
                    let e = self.peek()?;
                    self.i += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xd800..0xdc00).contains(&hi)
                                && self.s.get(self.i..self.i + 2) == Some(b"\\u")
                            {
                                self.i += 2;
                                let lo = self.hex4()?;
                                0x10000 + ((hi - 0xd800) << 10) + (lo.wrapping_sub(0xdc00) & 0x3ff)
                            } else {
                                hi
                            };
                            char::from_u32(code).unwrap_or('\u{fffd}')
                        }
                        _ => return None,
                    };
                    let mut buf = [0u8; 4];
                    bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                _ => bytes.push(b),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{OAuthError, flat_json_strings};

    #[test]
    fn json_decoding_is_lenient_and_bounded() {
        let e = OAuthError::parse(br#" { "status" : "401", "n": 5, "schemes":"Bearer", "x":true, "esc":"a\"\u00e9\ud83d\ude00" } "#);
        assert_eq!(e.status.as_deref(), Some("401"));
        assert_eq!(e.schemes.as_deref(), Some("Bearer"));
        let strings = flat_json_strings(br#"{"esc":"a\"\u00e9\ud83d\ude00\n"}"#);
        assert_eq!(strings, vec![("esc".to_owned(), "a\"é😀\n".to_owned())]);
        // Every escape of RFC 8259 §7.
        let strings = flat_json_strings(br#"{"all":"\"\\\/\b\f\n\r\t"}"#);
        assert_eq!(
            strings,
            vec![("all".to_owned(), "\"\\/\u{8}\u{c}\n\r\t".to_owned())]
        );
        for junk in [
            &b""[..],
            b"not json",
            b"{",
            b"{\"a\"",
            b"{\"a\":",
            b"{\"a\":\"\\u12",
            b"{\"a\":{\"status\":\"x\"}}",
            b"[[[[[[",
            b"{\"a\":\"\\q\"}",
        ] {
            let e = OAuthError::parse(junk);
            assert_eq!(e.status, None, "{junk:?}");
        }
        let deep = vec![b'{'; 100_000];
        assert_eq!(OAuthError::parse(&deep).status, None);
        let long = vec![b'x'; 10_000];
        assert_eq!(OAuthError::parse(&long).raw.len(), 4096);
    }
}
