//! The byte writer every command encoder uses: chooses atom, quoted string or literal for
//! each string argument and records where the session must wait for a continuation.
//!
//! Rules (RFC 3501 §4.3, RFC 9051 §4.3, RFC 7888 LITERAL±, RFC 3516 literal8):
//! - `astring`: bare when non-empty and every byte is `ASTRING-CHAR`; otherwise a `string`.
//! - `string`: quoted (`\` and `"` escaped) when it has no NUL, CR or LF, is at most
//!   [`MAX_QUOTED_LEN`] bytes, and is 7-bit — or valid UTF-8 when UTF-8 is enabled
//!   (IMAP4rev2 / UTF8=ACCEPT); otherwise a literal. The empty string is `""`.
//! - literal: `{n+}` when LITERAL+ is on, or LITERAL- is on and n ≤ 4096; otherwise a
//!   synchronising `{n}` whose end is recorded as a sync point.
//!
//! A CR or LF can only ever be written inside a literal's data or as the command's final
//! CRLF: every other writer refuses or quotes them away. NUL can only be written inside a
//! `literal8`.

use crate::types::InvalidInput;
use crate::types::MailboxName;

use super::options::EncodeOptions;
use crate::types::ListPattern;
use crate::types::{is_astring_char, is_atom_char};

/// Longest string written as a quoted string; longer text goes in a literal.
pub const MAX_QUOTED_LEN: usize = 1024;

/// Largest literal LITERAL- lets the client send without waiting (RFC 7888 §4).
pub const LITERAL_MINUS_MAX: usize = 4096;

pub(super) struct Writer<'o> {
    out: Vec<u8>,
    sync_points: Vec<usize>,
    options: &'o EncodeOptions,
}

impl<'o> Writer<'o> {
    pub(super) fn new(options: &'o EncodeOptions) -> Self {
        Self {
            out: Vec::with_capacity(64),
            sync_points: Vec::new(),
            options,
        }
    }

    pub(super) fn options(&self) -> &EncodeOptions {
        self.options
    }

    pub(super) fn finish(self) -> (Vec<u8>, Vec<usize>) {
        (self.out, self.sync_points)
    }

    /// Protocol text chosen by the encoder itself (keywords, numbers, validated atoms).
    pub(super) fn raw(&mut self, s: &str) {
        debug_assert!(!s.bytes().any(|b| matches!(b, 0 | b'\r' | b'\n')));
        self.out.extend_from_slice(s.as_bytes());
    }

    pub(super) fn sp(&mut self) {
        self.out.push(b' ');
    }

    pub(super) fn num(&mut self, n: impl Into<u64>) {
        self.raw(&n.into().to_string());
    }

    pub(super) fn crlf(&mut self) {
        self.out.extend_from_slice(b"\r\n");
    }

    /// `(item item …)` with `f` writing each item.
    pub(super) fn paren_list<T>(
        &mut self,
        items: &[T],
        mut f: impl FnMut(&mut Self, &T) -> Result<(), InvalidInput>,
    ) -> Result<(), InvalidInput> {
        self.out.push(b'(');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.sp();
            }
            f(self, item)?;
        }
        self.out.push(b')');
        Ok(())
    }

    /// An `astring`: bare when possible, else a `string`.
    pub(super) fn astring(&mut self, s: &[u8]) -> Result<(), InvalidInput> {
        if !s.is_empty() && s.iter().all(|&b| is_astring_char(b)) {
            self.out.extend_from_slice(s);
            Ok(())
        } else {
            self.string(s)
        }
    }

    /// A `string`: quoted when possible, else a literal. NUL is refused.
    pub(super) fn string(&mut self, s: &[u8]) -> Result<(), InvalidInput> {
        if self.quotable(s) {
            self.quoted(s);
            Ok(())
        } else {
            self.literal(s, false)
        }
    }

    /// `NIL` or a `string`.
    pub(super) fn nstring(&mut self, s: Option<&[u8]>) -> Result<(), InvalidInput> {
        match s {
            None => {
                self.raw("NIL");
                Ok(())
            }
            Some(s) => self.string(s),
        }
    }

    fn quotable(&self, s: &[u8]) -> bool {
        s.len() <= MAX_QUOTED_LEN
            && !s.iter().any(|&b| matches!(b, 0 | b'\r' | b'\n'))
            && (s.is_ascii() || (self.options.utf8 && std::str::from_utf8(s).is_ok()))
    }

    fn quoted(&mut self, s: &[u8]) {
        self.out.reserve(s.len() + 2);
        self.out.push(b'"');
        for &b in s {
            if matches!(b, b'"' | b'\\') {
                self.out.push(b'\\');
            }
            self.out.push(b);
        }
        self.out.push(b'"');
    }

    /// A literal. `literal8` writes `~{n}` (BINARY) and allows NUL; a plain literal with a
    /// NUL byte is refused, as is `literal8` without the BINARY option.
    pub(super) fn literal(&mut self, data: &[u8], literal8: bool) -> Result<(), InvalidInput> {
        if literal8 {
            if !self.options.binary {
                return Err(InvalidInput::new(
                    "binary data (literal8) needs the server's BINARY capability".to_owned(),
                ));
            }
            self.out.push(b'~');
        } else if memchr::memchr(0, data).is_some() {
            return Err(InvalidInput::new(
                "a NUL byte cannot be sent in an IMAP string".to_owned(),
            ));
        }
        let non_sync = self.options.literal_plus
            || (self.options.literal_minus && data.len() <= LITERAL_MINUS_MAX);
        let header = if non_sync {
            format!("{{{}+}}\r\n", data.len())
        } else {
            format!("{{{}}}\r\n", data.len())
        };
        self.out.extend_from_slice(header.as_bytes());
        if !non_sync {
            self.sync_points.push(self.out.len());
        }
        self.out.extend_from_slice(data);
        Ok(())
    }

    /// A mailbox name in the session's encoding (modified UTF-7 or UTF-8), as an astring.
    /// `INBOX` is written as it is.
    pub(super) fn mailbox(&mut self, mailbox: &MailboxName) -> Result<(), InvalidInput> {
        let wire = mailbox.to_wire(self.options.utf8);
        self.astring(wire.as_bytes())
    }

    /// A LIST / LSUB pattern (`list-mailbox`): bare when made of `ATOM-CHAR`, wildcards and
    /// `]`, else a string; mailbox-name encoding as for [`Writer::mailbox`].
    pub(super) fn list_mailbox(&mut self, pattern: &ListPattern) -> Result<(), InvalidInput> {
        self.pattern(pattern, |b| {
            is_atom_char(b) || matches!(b, b'%' | b'*' | b']')
        })
    }

    /// A LIST / LSUB reference name: a `mailbox` (astring) on the wire, so `%` and `*` are
    /// quoted; mailbox-name encoding as for [`Writer::mailbox`].
    pub(super) fn list_reference(&mut self, reference: &ListPattern) -> Result<(), InvalidInput> {
        self.pattern(reference, is_astring_char)
    }

    fn pattern(
        &mut self,
        pattern: &ListPattern,
        bare: impl Fn(u8) -> bool,
    ) -> Result<(), InvalidInput> {
        let text = pattern.as_str();
        if text.is_empty() {
            self.raw("\"\"");
            return Ok(());
        }
        let name = MailboxName::new(text)?;
        let wire = name.to_wire(self.options.utf8);
        let bytes = wire.as_bytes();
        if bytes.iter().all(|&b| bare(b)) {
            self.out.extend_from_slice(bytes);
            Ok(())
        } else {
            self.string(bytes)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(
        options: &EncodeOptions,
        f: impl FnOnce(&mut Writer<'_>) -> Result<(), InvalidInput>,
    ) -> (String, Vec<usize>) {
        let mut w = Writer::new(options);
        f(&mut w).unwrap();
        let (bytes, sync) = w.finish();
        (String::from_utf8(bytes).unwrap(), sync)
    }

    #[test]
    fn astring_prefers_atom_then_quoted_then_literal() {
        let o = EncodeOptions::default();
        let cases: [(&[u8], &str); 7] = [
            (b"alice", "alice"),
            (b"a]b", "a]b"),
            (b"", "\"\""),
            (b"two words", "\"two words\""),
            (b"q\"b\\", "\"q\\\"b\\\\\""),
            (b"a*b%", "\"a*b%\""),
            (b"{5}", "\"{5}\""),
        ];
        for (input, wire) in cases {
            assert_eq!(written(&o, |w| w.astring(input)).0, wire);
        }
        let (text, sync) = written(&o, |w| w.astring("grüß".as_bytes()));
        assert_eq!(text, "{6}\r\ngrüß");
        assert_eq!(sync, [5]);
        let (text, _) = written(&o, |w| w.astring(b"a\r\nb"));
        assert_eq!(text, "{4}\r\na\r\nb");
    }

    #[test]
    fn utf8_option_allows_quoted_utf8() {
        let o = EncodeOptions {
            utf8: true,
            ..EncodeOptions::default()
        };
        assert_eq!(written(&o, |w| w.astring("grüß".as_bytes())).0, "\"grüß\"");
        // Not UTF-8: still a literal.
        let mut w = Writer::new(&o);
        w.string(b"\xff").unwrap();
        assert_eq!(w.finish(), (b"{1}\r\n\xff".to_vec(), vec![5]));
    }

    #[test]
    fn long_strings_become_literals() {
        let o = EncodeOptions::default();
        let max = "x ".repeat(MAX_QUOTED_LEN / 2);
        assert!(written(&o, |w| w.string(max.as_bytes())).0.starts_with('"'));
        let longer = format!("{max}y");
        let (text, sync) = written(&o, |w| w.string(longer.as_bytes()));
        assert!(text.starts_with("{1025}\r\n"));
        assert_eq!(sync, [8]);
    }

    #[test]
    fn literal_plus_and_minus_choose_non_sync() {
        let plus = EncodeOptions {
            literal_plus: true,
            ..EncodeOptions::default()
        };
        let minus = EncodeOptions {
            literal_minus: true,
            ..EncodeOptions::default()
        };
        let at_limit = vec![b'a'; LITERAL_MINUS_MAX];
        let over = vec![b'a'; LITERAL_MINUS_MAX + 1];
        let header = |o: &EncodeOptions, data: &[u8]| {
            let (text, sync) = written(o, |w| w.literal(data, false));
            (text.split("\r\n").next().unwrap_or("").to_owned(), sync)
        };
        assert_eq!(header(&minus, &at_limit), ("{4096+}".to_owned(), vec![]));
        assert_eq!(header(&minus, &over), ("{4097}".to_owned(), vec![8]));
        assert_eq!(header(&plus, &over), ("{4097+}".to_owned(), vec![]));
        assert_eq!(
            header(&EncodeOptions::default(), &at_limit),
            ("{4096}".to_owned(), vec![8])
        );
    }

    #[test]
    fn nul_needs_literal8_and_binary() {
        let o = EncodeOptions::default();
        let mut w = Writer::new(&o);
        assert!(w.string(b"a\0b").is_err());
        assert!(w.literal(b"a\0b", true).is_err());
        let binary = EncodeOptions {
            binary: true,
            ..EncodeOptions::default()
        };
        let mut w = Writer::new(&binary);
        w.literal(b"a\0b", true).unwrap();
        assert_eq!(w.finish(), (b"~{3}\r\na\0b".to_vec(), vec![6]));
    }
}
