//! Grammar primitives shared by every parser: spaces, CRLF, numbers, atoms, quoted strings,
//! literals, `nstring`/`astring`, parenthesised lists and a generic value skipper.
//!
//! Every function is a winnow parser (`fn(&mut &'a [u8]) -> Result<T, PErr>`), hand-written for
//! speed: byte tables instead of char predicates, `memchr` for scans, numbers by hand, and no
//! allocation except when a quoted string holds escapes. Running out of input is always
//! reported as [`ParseErrorKind::Incomplete`], never as a syntax error.

use winnow::error::{Needed, ParserError};

use super::error::ParseErrorKind;
use super::noted_quirks::note_quirk;
use crate::proto::response::{IString, SeqRange};
use crate::types::Quirk;

/// Deepest parenthesis nesting accepted anywhere (BODYSTRUCTURE, THREAD, extension data).
/// Real messages stay far below this; deeper input is an error, never a stack overflow.
pub const MAX_DEPTH: usize = 100;

/// The internal parser error: kind, how many bytes were left when it happened, and what was
/// being parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PErr {
    pub(crate) kind: ParseErrorKind,
    pub(crate) remaining: usize,
    pub(crate) context: &'static str,
}

/// Result of every parser function.
pub(crate) type PResult<T> = Result<T, PErr>;

impl<'a> ParserError<&'a [u8]> for PErr {
    type Inner = Self;

    fn from_input(input: &&'a [u8]) -> Self {
        invalid(input, "syntax")
    }

    fn incomplete(input: &&'a [u8], _needed: Needed) -> Self {
        incomplete(input)
    }

    fn is_backtrack(&self) -> bool {
        self.kind == ParseErrorKind::Invalid
    }

    fn into_inner(self) -> Result<Self::Inner, Self> {
        Ok(self)
    }

    fn is_incomplete(&self) -> bool {
        self.kind == ParseErrorKind::Incomplete
    }

    fn needed(&self) -> Option<Needed> {
        self.is_incomplete().then_some(Needed::Unknown)
    }
}

/// An "ran out of input" error at the current position.
#[inline]
pub(crate) fn incomplete(i: &[u8]) -> PErr {
    PErr {
        kind: ParseErrorKind::Incomplete,
        remaining: i.len(),
        context: "more input",
    }
}

/// A syntax error at the current position (incomplete if there is no input left).
#[cold]
pub(crate) fn invalid(i: &[u8], context: &'static str) -> PErr {
    if i.is_empty() {
        return incomplete(i);
    }
    PErr {
        kind: ParseErrorKind::Invalid,
        remaining: i.len(),
        context,
    }
}

/// Nesting deeper than [`MAX_DEPTH`].
#[cold]
pub(crate) fn too_deep(i: &[u8]) -> PErr {
    PErr {
        kind: ParseErrorKind::TooDeep,
        remaining: i.len(),
        context: "nesting depth",
    }
}

/// Checks a nesting depth against [`MAX_DEPTH`].
#[inline]
pub(crate) fn check_depth(i: &[u8], depth: usize) -> PResult<()> {
    if depth > MAX_DEPTH {
        Err(too_deep(i))
    } else {
        Ok(())
    }
}

/// Drops `n` bytes from the front (never panics: callers have checked `n <= len`).
#[inline(always)]
pub(crate) fn advance(i: &mut &[u8], n: usize) {
    debug_assert!(n <= i.len());
    *i = i.get(n..).unwrap_or_default();
}

/// The next byte without consuming it.
#[inline(always)]
pub(crate) fn peek(i: &[u8]) -> Option<u8> {
    i.first().copied()
}

/// Consumes the byte `b` or fails with `context`.
#[inline]
pub(crate) fn byte(i: &mut &[u8], b: u8, context: &'static str) -> PResult<()> {
    match i.first() {
        Some(&c) if c == b => {
            advance(i, 1);
            Ok(())
        }
        _ => Err(invalid(i, context)),
    }
}

/// One or more spaces. Leniency: several spaces where the grammar has one
/// ([`Quirk::ExtraSpaces`]).
#[inline]
pub(crate) fn sp(i: &mut &[u8]) -> PResult<()> {
    byte(i, b' ', "space")?;
    if i.first() == Some(&b' ') {
        note_quirk(Quirk::ExtraSpaces);
        skip_spaces(i);
    }
    Ok(())
}

/// Skips any number of spaces.
#[inline]
pub(crate) fn skip_spaces(i: &mut &[u8]) {
    while i.first() == Some(&b' ') {
        advance(i, 1);
    }
}

/// The end of a response line. Leniency: trailing spaces before CRLF
/// ([`Quirk::TrailingSpace`]) and a bare LF are accepted.
#[inline]
pub(crate) fn crlf(i: &mut &[u8]) -> PResult<()> {
    if i.first() == Some(&b' ') {
        note_quirk(Quirk::TrailingSpace);
        skip_spaces(i);
    }
    match i {
        [b'\r', b'\n', ..] => advance(i, 2),
        [b'\n', ..] => advance(i, 1),
        [b'\r'] | [] => return Err(incomplete(i)),
        _ => return Err(invalid(i, "end of line")),
    }
    Ok(())
}

/// `true` at the end of the line (spaces then CR or LF, or no input).
#[inline]
pub(crate) fn at_eol(i: &[u8]) -> bool {
    let mut j = 0;
    while i.get(j) == Some(&b' ') {
        j += 1;
    }
    matches!(i.get(j), None | Some(b'\r' | b'\n'))
}

/// An unsigned 32-bit `number`.
#[inline]
pub(crate) fn number(i: &mut &[u8]) -> PResult<u32> {
    let n = number64(i)?;
    u32::try_from(n).map_err(|_| invalid(i, "number larger than 32 bits"))
}

/// An unsigned 64-bit `number64` / `mod-sequence-value`.
#[inline]
pub(crate) fn number64(i: &mut &[u8]) -> PResult<u64> {
    let mut n: u64 = 0;
    let mut len = 0;
    for &b in i.iter() {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        n = match n.checked_mul(10).and_then(|n| n.checked_add(u64::from(d))) {
            Some(n) => n,
            None => return Err(invalid(i, "number too large")),
        };
        len += 1;
    }
    if len == 0 {
        return Err(invalid(i, "number"));
    }
    advance(i, len);
    Ok(n)
}

const fn build_atom_table(extra: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0x21;
    while b < 0x7f {
        t[b] = !matches!(
            b as u8,
            b'(' | b')' | b'{' | b'%' | b'*' | b'"' | b'\\' | b']'
        );
        b += 1;
    }
    let mut k = 0;
    while k < extra.len() {
        t[extra[k] as usize] = true;
        k += 1;
    }
    t
}

/// `ATOM-CHAR`.
static ATOM: [bool; 256] = build_atom_table(b"");
/// `ASTRING-CHAR` (atom chars plus `]`).
static ASTRING: [bool; 256] = build_atom_table(b"]");

/// `ATOM-CHAR` per RFC 3501 §9.
#[inline(always)]
pub(crate) fn is_atom_char(b: u8) -> bool {
    ATOM[usize::from(b)]
}

/// Takes bytes while `table` says yes; fails on an empty match.
#[inline(always)]
fn take_table<'a>(
    i: &mut &'a [u8],
    table: &[bool; 256],
    context: &'static str,
) -> PResult<&'a [u8]> {
    let s = *i;
    let n = s
        .iter()
        .position(|&b| !table[usize::from(b)])
        .unwrap_or(s.len());
    if n == 0 {
        return Err(invalid(i, context));
    }
    let (tok, rest) = s.split_at(n);
    *i = rest;
    Ok(tok)
}

/// An `atom`.
#[inline]
pub(crate) fn atom<'a>(i: &mut &'a [u8]) -> PResult<&'a [u8]> {
    take_table(i, &ATOM, "atom")
}

/// A keyword of a FETCH/STATUS item or response code: atom chars except `[` (so
/// `BODY[` stops before the bracket).
#[inline]
pub(crate) fn item_name<'a>(i: &mut &'a [u8]) -> PResult<&'a [u8]> {
    let s = *i;
    let n = s
        .iter()
        .position(|&b| b == b'[' || !ATOM[usize::from(b)])
        .unwrap_or(s.len());
    if n == 0 {
        return Err(invalid(i, "item name"));
    }
    let (tok, rest) = s.split_at(n);
    *i = rest;
    Ok(tok)
}

/// A flag or capability-like token: atom chars, plus a leading `\` (flags).
#[inline]
pub(crate) fn flag_atom<'a>(i: &mut &'a [u8]) -> PResult<&'a [u8]> {
    let s = *i;
    let start = usize::from(s.first() == Some(&b'\\'));
    let n = s
        .get(start..)
        .unwrap_or_default()
        .iter()
        .position(|&b| !ATOM[usize::from(b)])
        .unwrap_or(s.len() - start);
    // `\*` (PERMANENTFLAGS) is the one flag that is not an atom after the backslash.
    let n = if n == 0 && start == 1 && s.get(1) == Some(&b'*') {
        1
    } else {
        n
    };
    if n == 0 && start == 1 && s.len() == 1 {
        return Err(incomplete(&[]));
    }
    if n == 0 {
        return Err(invalid(i, "flag"));
    }
    let (tok, rest) = s.split_at(start + n);
    *i = rest;
    Ok(tok)
}

/// `quoted`: borrowed unless it holds `\` escapes. Leniency: 8-bit bytes inside quotes are
/// kept as they are (Cyrus, Dovecot and Gmail send raw UTF-8 in quoted strings).
#[inline]
pub(crate) fn quoted<'a>(i: &mut &'a [u8]) -> PResult<IString<'a>> {
    byte(i, b'"', "quoted string")?;
    let s = *i;
    // Quoted strings are short (names, addresses, parameters): a table-driven scalar scan
    // beats a SIMD search's setup cost here.
    match find_quoted_stop(s) {
        Some(n) if s.get(n) == Some(&b'"') && closes_quoted(s.get(n + 1)) => {
            let (body, rest) = s.split_at(n);
            *i = rest.get(1..).unwrap_or_default();
            Ok(IString::new(body))
        }
        Some(n) if matches!(s.get(n), Some(b'\\' | b'"')) => quoted_escaped(i, n),
        Some(n) => Err(invalid(
            s.get(n..).unwrap_or_default(),
            "line end inside quoted string",
        )),
        None => Err(incomplete(&[])),
    }
}

/// Position of the first `"`, `\\`, CR or LF: eight bytes at a time (SWAR), then bytewise.
#[inline]
fn find_quoted_stop(s: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    // High bit set in each byte of `x` equal to `b`; the lowest set bit is always exact.
    #[inline(always)]
    fn eq_mask(x: u64, b: u8) -> u64 {
        let y = x ^ (LO * u64::from(b));
        y.wrapping_sub(LO) & !y & HI
    }
    let mut chunks = s.chunks_exact(8);
    let mut pos = 0;
    for c in &mut chunks {
        let Ok(arr) = <[u8; 8]>::try_from(c) else {
            break;
        };
        let x = u64::from_le_bytes(arr);
        let m = eq_mask(x, b'"') | eq_mask(x, b'\\') | eq_mask(x, b'\n') | eq_mask(x, b'\r');
        if m != 0 {
            return Some(pos + (m.trailing_zeros() / 8) as usize);
        }
        pos += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| QUOTED_STOP[usize::from(b)])
        .map(|n| pos + n)
}

/// Bytes that end the fast scan of a quoted string.
static QUOTED_STOP: [bool; 256] = {
    let mut t = [false; 256];
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t[b'\r' as usize] = true;
    t[b'\n' as usize] = true;
    t
};

/// Whether a `"` followed by `next` closes a quoted string: in valid responses a closing
/// quote is followed by a space, `)`, `]` or the line end (or the input ends there). Any
/// other byte means the server did not escape a quote inside the string
/// ([`Quirk::UnescapedQuote`]).
#[inline(always)]
pub(crate) fn closes_quoted(next: Option<&u8>) -> bool {
    matches!(next, None | Some(b' ' | b')' | b']' | b'\r' | b'\n'))
}

/// The rest of a quoted string from its first `\` or unescaped `"` at `first_stop`.
#[cold]
fn quoted_escaped<'a>(i: &mut &'a [u8], first_stop: usize) -> PResult<IString<'a>> {
    let s = *i;
    let mut j = first_stop;
    loop {
        match s.get(j) {
            None => return Err(incomplete(&[])),
            Some(b'"') if closes_quoted(s.get(j + 1)) => {
                let (body, rest) = s.split_at(j);
                *i = rest.get(1..).unwrap_or_default();
                return Ok(IString::escaped(body));
            }
            Some(b'"') => {
                note_quirk(Quirk::UnescapedQuote);
                j += 1;
            }
            Some(b'\\') => match s.get(j + 1) {
                None => return Err(incomplete(&[])),
                Some(b'\r' | b'\n') => {
                    return Err(invalid(
                        s.get(j..).unwrap_or_default(),
                        "line end inside quoted string",
                    ));
                }
                Some(b'"' | b'\\') => j += 2,
                // A `\` that escapes nothing is kept as a backslash.
                Some(_) => {
                    note_quirk(Quirk::LoneBackslash);
                    j += 2;
                }
            },
            Some(b'\r' | b'\n') => {
                return Err(invalid(
                    s.get(j..).unwrap_or_default(),
                    "line end inside quoted string",
                ));
            }
            Some(_) => j += 1,
        }
    }
}

/// `literal` (`{n}\r\n` + n bytes) or, with `allow8`, `literal8` (`~{n}\r\n`). The length is
/// checked against the input present; nothing is allocated.
#[inline]
pub(crate) fn literal<'a>(i: &mut &'a [u8], allow8: bool) -> PResult<&'a [u8]> {
    if allow8 && peek(i) == Some(b'~') {
        advance(i, 1);
    }
    byte(i, b'{', "literal")?;
    let n = number64(i)?;
    // Leniency: a `+` (non-synchronising marker) is tolerated although servers must not send it.
    if peek(i) == Some(b'+') {
        advance(i, 1);
    }
    byte(i, b'}', "literal length")?;
    match i {
        [b'\r', b'\n', ..] => advance(i, 2),
        [b'\n', ..] => advance(i, 1),
        [b'\r'] | [] => return Err(incomplete(i)),
        _ => return Err(invalid(i, "CRLF after literal length")),
    }
    let n = usize::try_from(n).map_err(|_| incomplete(&[]))?;
    if n > i.len() {
        return Err(incomplete(&[]));
    }
    let (body, rest) = i.split_at(n);
    *i = rest;
    Ok(body)
}

/// `string` = quoted / literal.
#[inline]
pub(crate) fn string<'a>(i: &mut &'a [u8]) -> PResult<IString<'a>> {
    match i {
        [b'"', ..] => quoted(i),
        [b'{', ..] | [b'~', b'{', ..] => literal(i, true).map(IString::new),
        [b'~'] => Err(incomplete(i)),
        _ => Err(invalid(i, "string")),
    }
}

/// `true` (and consumed) if the input starts with `NIL` (any case) not followed by an atom
/// char. Input that ends inside (or right after) `NIL` is incomplete.
#[inline]
pub(crate) fn nil(i: &mut &[u8]) -> PResult<bool> {
    match i {
        [a, b, c, rest @ ..]
            if a.eq_ignore_ascii_case(&b'N')
                && b.eq_ignore_ascii_case(&b'I')
                && c.eq_ignore_ascii_case(&b'L') =>
        {
            match rest.first() {
                None => Err(incomplete(&[])),
                Some(&d) if is_atom_char(d) => Ok(false),
                Some(_) => {
                    advance(i, 3);
                    Ok(true)
                }
            }
        }
        _ if i.len() < 3
            && b"NIL"
                .get(..i.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(i)) =>
        {
            Err(incomplete(&[]))
        }
        _ => Ok(false),
    }
}

/// `nstring` = string / NIL. `literal8` is accepted too (BINARY, METADATA).
#[inline]
pub(crate) fn nstring<'a>(i: &mut &'a [u8]) -> PResult<Option<IString<'a>>> {
    match i {
        [b'"', ..] => quoted(i).map(Some),
        [b'{', ..] | [b'~', b'{', ..] => literal(i, true).map(|s| Some(IString::new(s))),
        [b'~'] => Err(incomplete(i)),
        _ => {
            if nil(i)? {
                Ok(None)
            } else {
                Err(invalid(i, "nstring"))
            }
        }
    }
}

/// A string where the grammar wants one but servers send NIL (leniency: Exchange and older
/// Domino send NIL for body-fld-enc and subtype); NIL becomes empty.
#[inline]
pub(crate) fn string_or_nil<'a>(i: &mut &'a [u8]) -> PResult<IString<'a>> {
    Ok(nstring(i)?.unwrap_or_default())
}

/// `astring` = 1*ASTRING-CHAR / string.
#[inline]
pub(crate) fn astring<'a>(i: &mut &'a [u8]) -> PResult<IString<'a>> {
    match i {
        [b'"' | b'{', ..] | [b'~', b'{', ..] | [b'~'] => string(i),
        _ => take_table(i, &ASTRING, "astring").map(IString::new),
    }
}

/// A hierarchy delimiter: a quoted char or NIL.
pub(crate) fn delimiter(i: &mut &[u8]) -> PResult<Option<u8>> {
    match nstring(i)? {
        None => Ok(None),
        // Leniency: an empty delimiter string is treated like NIL.
        Some(s) => Ok(s.to_bytes().first().copied()),
    }
}

/// The text up to (not including) the end of the line; the CRLF is left for [`crlf`].
#[inline]
pub(crate) fn text_to_eol<'a>(i: &mut &'a [u8]) -> PResult<&'a [u8]> {
    let s = *i;
    let Some(n) = memchr::memchr(b'\n', s) else {
        return Err(incomplete(&[]));
    };
    let end = if n > 0 && s.get(n - 1) == Some(&b'\r') {
        n - 1
    } else {
        n
    };
    let (text, rest) = s.split_at(end);
    *i = rest;
    Ok(text)
}

/// The rest of a response up to its final CRLF, skipping over literals (`{n}` at a line end).
/// The CRLF is left for [`crlf`].
pub(crate) fn rest_of_response<'a>(i: &mut &'a [u8]) -> PResult<&'a [u8]> {
    let s = *i;
    let mut pos = 0;
    loop {
        let line = s.get(pos..).unwrap_or_default();
        let Some(n) = memchr::memchr(b'\n', line) else {
            return Err(incomplete(&[]));
        };
        let eol = pos + n;
        let content_end = if n > 0 && s.get(eol - 1) == Some(&b'\r') {
            eol - 1
        } else {
            eol
        };
        match literal_len_at_end(s.get(pos..content_end).unwrap_or_default()) {
            Some(len) => {
                let next = (eol + 1).checked_add(len).filter(|&e| e <= s.len());
                pos = next.ok_or_else(|| incomplete(&[]))?;
            }
            None => {
                let (raw, rest) = s.split_at(content_end);
                *i = rest;
                return Ok(raw);
            }
        }
    }
}

/// If `line` ends with a literal announcement `{n}` / `{n+}`, its length.
fn literal_len_at_end(line: &[u8]) -> Option<usize> {
    let body = line.strip_suffix(b"}")?;
    let body = body.strip_suffix(b"+").unwrap_or(body);
    let open = memchr::memrchr(b'{', body)?;
    let digits = body.get(open + 1..)?;
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    digits.iter().try_fold(0usize, |n, &d| {
        n.checked_mul(10)?.checked_add(usize::from(d - b'0'))
    })
}

/// Skips one value of any shape (atom, number, string, literal, NIL, or a parenthesised list
/// of values) without recursion and returns its raw bytes. Used for unknown items.
pub(crate) fn skip_value<'a>(i: &mut &'a [u8]) -> PResult<&'a [u8]> {
    let start = *i;
    let mut depth = 0usize;
    loop {
        match peek(i) {
            None => return Err(incomplete(i)),
            Some(b'(') => {
                depth += 1;
                check_depth(i, depth)?;
                advance(i, 1);
                continue;
            }
            Some(b')') if depth > 0 => {
                depth -= 1;
                advance(i, 1);
            }
            Some(b' ') if depth > 0 => {
                advance(i, 1);
                continue;
            }
            Some(b'"') => {
                quoted(i)?;
            }
            Some(b'{') => {
                literal(i, false)?;
            }
            Some(b'~') if i.get(1) == Some(&b'{') => {
                literal(i, true)?;
            }
            Some(b' ' | b')' | b'\r' | b'\n') => return Err(invalid(i, "value")),
            Some(_) => {
                let n = i
                    .iter()
                    .position(|&b| matches!(b, b' ' | b'(' | b')' | b'"' | b'\r' | b'\n'))
                    .unwrap_or(i.len());
                advance(i, n);
            }
        }
        if depth == 0 {
            let used = start.len() - i.len();
            return Ok(start.get(..used).unwrap_or_default());
        }
    }
}

/// `(` elem *(SP elem) `)`; an empty list is accepted; spaces are lenient.
#[inline]
pub(crate) fn paren_list<'a, T>(
    i: &mut &'a [u8],
    elem: impl FnMut(&mut &'a [u8]) -> PResult<T>,
) -> PResult<Vec<T>> {
    list_of(i, elem, true)
}

/// `(` 1*elem `)`: elements that follow each other with no separator (NAMESPACE
/// descriptions); leniently, spaces between them and an empty list are accepted.
pub(crate) fn paren_seq<'a, T>(
    i: &mut &'a [u8],
    elem: impl FnMut(&mut &'a [u8]) -> PResult<T>,
) -> PResult<Vec<T>> {
    list_of(i, elem, false)
}

/// A parenthesised list; with `separated`, each element must be followed by a space or `)`.
#[inline]
fn list_of<'a, T>(
    i: &mut &'a [u8],
    mut elem: impl FnMut(&mut &'a [u8]) -> PResult<T>,
    separated: bool,
) -> PResult<Vec<T>> {
    byte(i, b'(', "list")?;
    let mut out = Vec::new();
    loop {
        skip_spaces(i);
        if peek(i) == Some(b')') {
            advance(i, 1);
            return Ok(out);
        }
        out.push(elem(i)?);
        if separated && !matches!(peek(i), Some(b' ' | b')')) {
            return Err(invalid(i, "space or ')' in list"));
        }
    }
}

/// One `seq-range` / number of a sequence set (`*` becomes `u32::MAX`).
fn seq_number(i: &mut &[u8]) -> PResult<u32> {
    if peek(i) == Some(b'*') {
        advance(i, 1);
        return Ok(u32::MAX);
    }
    number(i)
}

/// A `sequence-set` / `uid-set` as ranges (`3:1` is normalised to `1:3`).
pub(crate) fn sequence_set(i: &mut &[u8]) -> PResult<Vec<SeqRange>> {
    let mut out = Vec::new();
    loop {
        let a = seq_number(i)?;
        let b = if peek(i) == Some(b':') {
            advance(i, 1);
            seq_number(i)?
        } else {
            a
        };
        out.push(SeqRange {
            start: a.min(b),
            end: a.max(b),
        });
        if peek(i) == Some(b',') {
            advance(i, 1);
        } else {
            return Ok(out);
        }
    }
}

/// Case-insensitive keyword comparison on bytes.
#[inline(always)]
pub(crate) fn eq_kw(a: &[u8], kw: &[u8]) -> bool {
    a.eq_ignore_ascii_case(kw)
}

/// `"(" objectid ")"` as opaque bytes. Leniency: Cyrus 3.6 can send arbitrary heap bytes as a
/// MAILBOXID — including `)` — so the id runs to the first `)` that is followed by what can
/// follow it (SP, `)`, CR or LF).
pub(crate) fn object_id<'a>(i: &mut &'a [u8]) -> PResult<&'a [u8]> {
    byte(i, b'(', "object id")?;
    let s = *i;
    let mut from = 0;
    loop {
        let rest = s.get(from..).unwrap_or_default();
        match memchr::memchr2(b')', b'\n', rest).map(|n| n + from) {
            Some(n) if s.get(n) == Some(&b')') => {
                match s.get(n + 1) {
                    Some(b' ' | b')' | b'\r' | b'\n') | None => {
                        let (id, rest) = s.split_at(n);
                        *i = rest.get(1..).unwrap_or_default();
                        // objectid = 1*255(ALPHA / DIGIT / "_" / "-") (RFC 8474).
                        if !id
                            .iter()
                            .all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                        {
                            note_quirk(Quirk::ObjectIdJunk);
                        }
                        return Ok(id);
                    }
                    // A `)` inside junk bytes: keep looking.
                    Some(_) => from = n + 1,
                }
            }
            Some(n) => return Err(invalid(s.get(n..).unwrap_or_default(), "')' of object id")),
            None => return Err(incomplete(&[])),
        }
    }
}

#[cfg(test)]
mod tests {
    use winnow::Parser;
    use winnow::combinator::alt;
    use winnow::error::{Needed, ParserError};

    use super::*;

    #[test]
    fn winnow_sees_invalid_as_backtrack_and_incomplete_as_needing_more() {
        let invalid = invalid(b"x", "test");
        assert!(invalid.is_backtrack() && !invalid.is_incomplete());
        assert_eq!(invalid.needed(), None);
        let cut = incomplete(b"");
        assert!(!cut.is_backtrack() && cut.is_incomplete());
        assert_eq!(cut.needed(), Some(Needed::Unknown));
        let deep = too_deep(b"(");
        assert!(!deep.is_backtrack() && !deep.is_incomplete(), "final");
    }

    #[test]
    fn a_line_ends_with_crlf_a_bare_lf_or_trailing_spaces_first() {
        for (line, rest) in [
            (&b"\r\nnext"[..], &b"next"[..]),
            (b"\nnext", b"next"),
            (b"  \r\nnext", b"next"),
        ] {
            let mut i = line;
            assert_eq!(crlf(&mut i), Ok(()), "{line:?}");
            assert_eq!(i, rest);
        }
        assert_eq!(
            crlf(&mut &b"\r"[..]).unwrap_err().kind,
            ParseErrorKind::Incomplete
        );
        assert_eq!(
            crlf(&mut &b"x\r\n"[..]).unwrap_err().kind,
            ParseErrorKind::Invalid
        );
        assert_eq!(
            crate::proto::parse_response(b"* 3 EXISTS\n").map(|(_, used)| used),
            Ok(11)
        );
    }

    #[test]
    fn atom_chars_are_rfc_3501s_and_astring_chars_add_the_bracket() {
        // RFC 3501 §9: ATOM-CHAR is any CHAR (%x01-7F) except atom-specials: "(" ")" "{" SP,
        // CTL (%x00-1F, %x7F), list-wildcards, quoted-specials and resp-specials.
        let special = |b: u8| b"(){ %*\"\\]".contains(&b) || b < 0x20 || b == 0x7f;
        for b in 0..=255u8 {
            let rfc = b <= 0x7f && !special(b);
            assert_eq!(is_atom_char(b), rfc, "ATOM-CHAR {b:#04x}");
            assert_eq!(
                ASTRING[usize::from(b)],
                rfc || b == b']',
                "ASTRING-CHAR {b:#04x}"
            );
        }
    }

    #[test]
    fn flag_atoms_with_and_without_backslash_and_where_they_end() {
        for (input, flag, rest) in [
            (&b"\\Seen)"[..], &b"\\Seen"[..], &b")"[..]),
            (b"\\* x", b"\\*", b" x"),
            (b"$Junk ", b"$Junk", b" "),
            (b"a", b"a", b""),
        ] {
            let mut i = input;
            assert_eq!(flag_atom(&mut i), Ok(flag), "{input:?}");
            assert_eq!(i, rest);
        }
        let kind = |input: &[u8]| flag_atom(&mut &input[..]).unwrap_err().kind;
        assert_eq!(
            kind(b"\\"),
            ParseErrorKind::Incomplete,
            "cut after the backslash"
        );
        assert_eq!(kind(b"\\ "), ParseErrorKind::Invalid);
        assert_eq!(kind(b")"), ParseErrorKind::Invalid);
        assert_eq!(kind(b"\\)"), ParseErrorKind::Invalid);
    }

    #[test]
    fn a_quote_closes_a_string_only_before_what_may_follow_it() {
        use super::super::noted_quirks::take_noted_quirks;
        let unescaped = crate::types::quirk::bit(Quirk::UnescapedQuote);
        let lone = crate::types::quirk::bit(Quirk::LoneBackslash);
        for (input, value, rest, noted) in [
            (&b"\"a\" x"[..], &b"a"[..], &b" x"[..], 0),
            (b"\"a\")", b"a", b")", 0),
            (b"\"a\"]", b"a", b"]", 0),
            (b"\"a\"\r\n", b"a", b"\r\n", 0),
            (b"\"a\"\n", b"a", b"\n", 0),
            (b"\"a\"", b"a", b"", 0),
            (b"\"\" x", b"", b" x", 0),
            (b"\"a\"b\" x", b"a\"b", b" x", unescaped),
            (b"\"a\"(\")", b"a\"(", b")", unescaped),
            (b"\"\"\"\" x", b"\"\"", b" x", unescaped),
            (b"\"a\\\"b\"c\")", b"a\"b\"c", b")", unescaped),
            (b"\"a\\\\b\" x", b"a\\b", b" x", 0),
            (b"\"a\\ b\" x", b"a\\ b", b" x", lone),
        ] {
            take_noted_quirks();
            let mut i = input;
            assert_eq!(
                quoted(&mut i).map(|s| s.to_bytes().into_owned()),
                Ok(value.to_vec()),
                "{input:?}"
            );
            assert_eq!(i, rest, "{input:?}");
            assert_eq!(take_noted_quirks(), noted, "{input:?}");
        }
    }

    #[test]
    fn spaces_and_line_ends_note_their_quirks() {
        use super::super::noted_quirks::take_noted_quirks;
        let bit = crate::types::quirk::bit;
        take_noted_quirks();
        for (input, noted, rest) in [
            (&b" x"[..], 0, &b"x"[..]),
            (b"  x", bit(Quirk::ExtraSpaces), b"x"),
        ] {
            let mut i = input;
            sp(&mut i).unwrap();
            assert_eq!((take_noted_quirks(), i), (noted, rest), "{input:?}");
        }
        for (input, noted) in [
            (&b"\r\nx"[..], 0),
            (b"\nx", 0),
            (b" \r\nx", bit(Quirk::TrailingSpace)),
            (b"   \nx", bit(Quirk::TrailingSpace)),
        ] {
            let mut i = input;
            crlf(&mut i).unwrap();
            assert_eq!((take_noted_quirks(), i), (noted, &b"x"[..]), "{input:?}");
        }
    }

    #[test]
    fn object_ids_outside_the_rfc_alphabet_note_junk() {
        use super::super::noted_quirks::take_noted_quirks;
        take_noted_quirks();
        for (input, id, junk) in [
            (&b"(M6a_b-Z9) "[..], &b"M6a_b-Z9"[..], false),
            (b"(a.b) ", b"a.b", true),
            (b"(a b) ", b"a b", true),
            (b"(a)b) ", b"a)b", true),
        ] {
            let mut i = input;
            assert_eq!(object_id(&mut i), Ok(id), "{input:?}");
            assert_eq!(
                take_noted_quirks(),
                if junk {
                    crate::types::quirk::bit(Quirk::ObjectIdJunk)
                } else {
                    0
                },
                "{input:?}"
            );
        }
    }

    #[test]
    fn nil_is_the_keyword_alone_in_any_case() {
        for (input, is_nil, rest) in [
            (&b"NIL "[..], true, &b" "[..]),
            (b"nil)", true, b")"),
            (b"NILS ", false, b"NILS "),
            (b"NOT ", false, b"NOT "),
            (b"XIL ", false, b"XIL "),
            (b"NXL ", false, b"NXL "),
            (b"NIX ", false, b"NIX "),
            (b"ABL ", false, b"ABL "),
            (b")", false, b")"),
            (b"\"x\"", false, b"\"x\""),
        ] {
            let mut i = input;
            assert_eq!(nil(&mut i), Ok(is_nil), "{input:?}");
            assert_eq!(i, rest, "{input:?}");
        }
        for cut in [&b"N"[..], b"ni", b"NIL"] {
            assert_eq!(
                nil(&mut &cut[..]).unwrap_err().kind,
                ParseErrorKind::Incomplete,
                "{cut:?}"
            );
        }
    }

    #[test]
    fn literals_take_exactly_their_length_after_crlf_or_a_bare_lf() {
        for input in [&b"{3}\r\nabc"[..], b"{3}\nabc", b"{3+}\r\nabc"] {
            let mut i = input;
            assert_eq!(literal(&mut i, false), Ok(&b"abc"[..]), "{input:?}");
            assert!(i.is_empty(), "the body may end the input: {input:?}");
        }
        let mut i = &b"~{2}\r\n\0\x01 rest"[..];
        assert_eq!(literal(&mut i, true), Ok(&b"\0\x01"[..]));
        assert_eq!(i, b" rest");
        let kind = |input: &[u8]| literal(&mut &input[..], false).unwrap_err().kind;
        assert_eq!(kind(b"{3}\r\nab"), ParseErrorKind::Incomplete);
        assert_eq!(kind(b"{3}\r"), ParseErrorKind::Incomplete);
        assert_eq!(kind(b"{3}x"), ParseErrorKind::Invalid);
        // A lone `~` may be the start of a literal8 in string and nstring positions.
        assert_eq!(
            string(&mut &b"~"[..]).unwrap_err().kind,
            ParseErrorKind::Incomplete
        );
        assert_eq!(
            nstring(&mut &b"~"[..]).unwrap_err().kind,
            ParseErrorKind::Incomplete
        );
        assert_eq!(
            string(&mut &b"x"[..]).unwrap_err().kind,
            ParseErrorKind::Invalid
        );
    }

    #[test]
    fn line_ends_inside_long_quoted_strings_are_found_by_the_word_scan() {
        // The scan reads 8 bytes at a time: put each stop byte inside a full word.
        for stop in [b'\n', b'\r'] {
            let mut input = b"\"0123456789".to_vec();
            input.push(stop);
            input.extend_from_slice(b"abcdefghij\" rest");
            let err = quoted(&mut &input[..]).unwrap_err();
            assert_eq!(err.kind, ParseErrorKind::Invalid, "{stop:#x}");
            assert_eq!(err.remaining, input.len() - 11, "at the line end");
        }
        let mut i = &b"\"0123456789abcdef\\\"ghij\" rest"[..];
        assert_eq!(
            quoted(&mut i).map(|s| s.to_vec()),
            Ok(b"0123456789abcdef\"ghij".to_vec())
        );
        assert_eq!(i, b" rest");
    }

    #[test]
    fn a_line_end_after_a_backslash_is_reported_at_the_backslash() {
        let input = b"\"ab\\c\\\r\n";
        let err = quoted(&mut &input[..]).unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::Invalid);
        assert_eq!(err.remaining, 3, "the second backslash, then CR LF");
    }

    #[test]
    fn a_literal_announced_at_the_end_of_a_line_is_recognised_by_its_digits() {
        assert_eq!(literal_len_at_end(b"* 1 FETCH (BODY[] {42}"), Some(42));
        assert_eq!(literal_len_at_end(b"x {7+}"), Some(7));
        assert_eq!(
            literal_len_at_end(b"x {1000000000000000000}"),
            usize::try_from(1_000_000_000_000_000_000_u64).ok(),
            "19 digits: the length, or None where it overflows a 32-bit usize"
        );
        for not_one in [
            &b"x {}"[..],
            b"x {12a}",
            b"x {a12}",
            b"x {00000000000000000001}",
            b"x 42}",
            b"x {42",
        ] {
            assert_eq!(literal_len_at_end(not_one), None, "{not_one:?}");
        }
    }

    #[test]
    fn skip_value_takes_one_value_of_any_shape() {
        for (input, value, rest) in [
            (&b"atom rest"[..], &b"atom"[..], &b" rest"[..]),
            (
                b"(a (b \"c d\") {1}\r\n)) rest",
                b"(a (b \"c d\") {1}\r\n))",
                b" rest",
            ),
            (b"~{3}\r\n\0bc rest", b"~{3}\r\n\0bc", b" rest"),
            (b"~abc rest", b"~abc", b" rest"),
            (b"\"q\" rest", b"\"q\"", b" rest"),
        ] {
            let mut i = input;
            assert_eq!(skip_value(&mut i), Ok(value), "{input:?}");
            assert_eq!(i, rest, "{input:?}");
        }
        for no_value in [&b")"[..], b" x", b"\r\n"] {
            assert_eq!(
                skip_value(&mut &no_value[..]).unwrap_err().kind,
                ParseErrorKind::Invalid,
                "{no_value:?}"
            );
        }
    }

    #[test]
    fn the_parsers_compose_with_winnow_combinators() {
        let a = |i: &mut &[u8]| byte(i, b'a', "a").map(|()| 'a');
        let b = |i: &mut &[u8]| byte(i, b'b', "b").map(|()| 'b');
        // An invalid first branch backtracks into the second.
        assert_eq!(alt((a, b)).parse_next(&mut &b"b"[..]), Ok('b'));
        // Running out of input is not a reason to try another branch.
        let err = alt((a, b)).parse_next(&mut &b""[..]).unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::Incomplete);
    }
}
