//! The response framer: where does the next complete server response end?
//!
//! This module owns response *boundaries* and the size [`Limits`]; it never parses, never
//! allocates and never holds the bytes. The driver owns the receive buffer, appends what it reads,
//! asks [`Framer::decode`] and hands complete responses to the parser.
//!
//! # Framing rules
//!
//! A response is one or more lines; a line ending with a literal marker is followed by that many
//! bytes of literal data and then by more line text:
//!
//! ```text
//! * 1 FETCH (BODY[] {5}\r\nhello FLAGS (\Seen))\r\n
//!                  ^^^ marker  ^^^^^ 5 literal bytes, never scanned
//! ```
//!
//! - **Marker**: `{n}` or `~{n}` (RFC 3516 `literal8`) must be the *very last* thing before the line
//!   end: `}` directly before CRLF, 1 to 20 ASCII digits, then `{`. `"ab{5}"` (a quoted string)
//!   ends in `"` and is not a marker; `{}`, `{ 5}` and `{x}` are plain text. A line of plain
//!   text (`resp-text`) that happens to end in `{5}` cannot be told from a literal — every IMAP
//!   implementation treats it as one, and so do we.
//! - **`{n+}` / `{n-}` are strict**: non-synchronising literals (RFC 7888) only go from client to
//!   server, so on a server line they are plain text. Reading them as literals would let a
//!   `resp-text` that ends in those characters swallow the next response.
//! - **More than 20 digits** (`u64::MAX` has 20) or a 20-digit number above `u64::MAX` is
//!   [`FrameError::LiteralLengthOverflow`]; the framer then cannot know where the response ends.
//! - **Bare LF is tolerated**: a line ends at LF, the CR before it is optional (`{5}\n` is a
//!   marker too). The grammar allows neither CR nor LF anywhere else outside a literal, so any LF
//!   outside a literal ends a line; whether a missing CR is acceptable is the parser's business.
//! - Literal data is skipped by counting: it may contain CRLF, `{5}`, NUL, anything.
//!
//! # Cost
//!
//! Each call resumes where the previous one stopped: every byte of line text is searched for LF
//! (with `memchr`) exactly once, literal data is not examined at all, and the marker check runs
//! once per line end over at most 24 bytes. Feeding a response one byte at a time costs the
//! same total work as feeding it at once.
//!
//! # Errors and recovery
//!
//! A response that breaks a limit is reported once and then skipped without buffering it — see
//! [`Frame::Discard`]. Skipping an over-long line or an over-large literal keeps the stream in
//! sync; see [`FrameError::keeps_sync`] for the one case that does not.

use memchr::memchr;

use super::Limits;

/// Tail of an over-long line kept while skipping it, so that a literal marker that ends the line
/// is still recognised when its LF arrives: `{` + 21 digits + `}` + CR fit with room to spare.
const MARKER_WINDOW: usize = 32;

/// Most digits a literal length may have: `u64::MAX` has 20.
const MAX_LENGTH_DIGITS: usize = 20;

/// What [`Framer::decode`] found in the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[must_use]
pub enum Frame {
    /// The first `len` bytes of the buffer are one complete response, from its first byte to its
    /// final LF inclusive. Parse them, then drop exactly `len` bytes from the front of the buffer.
    Complete {
        /// Length of the response in bytes (never 0).
        len: usize,
    },
    /// No complete response yet: read more, append it, call again. Keep the buffer as it is.
    Incomplete,
    /// The first `len` bytes belong to a response that broke a limit: drop them unparsed.
    ///
    /// `error` is `Some` in the first `Discard` of a bad response only; the framer keeps
    /// returning `Discard` (with `None`) while the rest of that response arrives — counted, not
    /// buffered, so the caller's buffer stays within the limits plus one read chunk — and
    /// afterwards frames the next response normally. `len` may be 0 (the error is reported before
    /// any of its bytes can be dropped); the caller should act on `error` (log it, fail the
    /// command, or close the connection if the error does not [keep sync](FrameError::keeps_sync)).
    Discard {
        /// Bytes to drop from the front of the buffer.
        len: usize,
        /// Why the response is being dropped (first `Discard` of the response only).
        error: Option<FrameError>,
    },
}

/// A server response broke one of the framer's [`Limits`] or announced an impossible literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum FrameError {
    /// A line (or the line text after a literal) is longer than [`Limits::max_line`]. The rest of
    /// the line is skipped, and any literal it announces.
    #[error("server line longer than the limit of {limit} bytes")]
    LineTooLong {
        /// The limit in force.
        limit: usize,
    },
    /// A literal announced more bytes than [`Limits::max_literal`]. The announced bytes are
    /// skipped by counting them — for `{4294967295}` that means waiting for 4 GiB, so a driver
    /// will normally close the connection instead.
    #[error("server literal of {announced} bytes exceeds the limit of {limit} bytes")]
    LiteralTooLarge {
        /// The length the server announced.
        announced: u64,
        /// The limit in force.
        limit: u64,
    },
    /// The response as a whole (lines plus literals) would exceed [`Limits::max_response`].
    #[error("server response larger than the limit of {limit} bytes")]
    ResponseTooLarge {
        /// The limit in force.
        limit: u64,
    },
    /// A literal marker whose length does not fit in 64 bits (more than 20 digits, or above
    /// `u64::MAX`). The framer cannot know where the literal ends; it ends the response at this
    /// line, but the stream is most likely out of sync: close the connection.
    #[error("server literal length does not fit in 64 bits")]
    LiteralLengthOverflow,
}

impl FrameError {
    /// `true` if the framer knows exactly where the bad response ends, so the responses after it
    /// frame correctly; `false` for [`FrameError::LiteralLengthOverflow`], after which the
    /// connection should be closed.
    #[must_use]
    pub fn keeps_sync(&self) -> bool {
        !matches!(self, Self::LiteralLengthOverflow)
    }
}

/// Incremental response framer; one per connection. See the [module docs](self) for the rules.
///
/// # Contract
///
/// The caller owns one receive buffer `buf` and passes all of it to every call of
/// [`decode`](Self::decode):
///
/// - `buf` starts at the first byte of a response that has not been returned yet;
/// - between calls the caller only *appends* to `buf`, except that right after
///   [`Frame::Complete`] or [`Frame::Discard`] it drops exactly `len` bytes from the front;
/// - after [`Frame::Incomplete`] it appends at least one byte before calling again (calling
///   again without new bytes is harmless but returns `Incomplete` again).
///
/// If the caller breaks this contract by passing a buffer shorter than the bytes already
/// examined, the framer does not panic: it starts over at the beginning of `buf`. The results
/// are then unspecified, but memory use stays bounded.
///
/// ```
/// use daaki_imap::proto::{Frame, Framer, Limits};
///
/// let mut framer = Framer::new(Limits::default());
/// let mut buf = b"* 1 FETCH (BODY[] {5}\r\nhel".to_vec();
/// assert_eq!(framer.decode(&buf), Frame::Incomplete);
/// buf.extend_from_slice(b"lo)\r\n* OK");
/// assert_eq!(framer.decode(&buf), Frame::Complete { len: 31 });
/// buf.drain(..31);
/// assert_eq!(buf, b"* OK");
/// assert_eq!(framer.decode(&buf), Frame::Incomplete);
/// ```
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Framer {
    limits: Limits,
    /// Bytes of `buf` already examined; scanning resumes here.
    pos: usize,
    /// Where the current line starts: the response start or the end of the preceding literal.
    /// While discarding it is clamped to 0 once the real start has been dropped.
    line_start: usize,
    /// Literal bytes still to skip before searching for LF again.
    literal_remaining: u64,
    /// The current response broke a limit and is being skipped.
    discarding: bool,
    /// Error to hand out with the next `Discard`.
    pending_error: Option<FrameError>,
    /// Bytes searched for LF since creation (for the no-rescan test).
    #[cfg(test)]
    #[cfg_attr(feature = "serde", serde(skip))]
    examined: u64,
}

impl Default for Framer {
    fn default() -> Self {
        Self::new(Limits::default())
    }
}

/// What the end of a line says about a literal.
enum Marker {
    /// No literal follows: the line ends the response.
    None,
    /// `n` bytes of literal data follow.
    Literal(u64),
    /// A marker whose length does not fit in `u64`.
    Overflow,
}

impl Framer {
    /// A framer at the start of a stream, enforcing `limits`.
    #[must_use]
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            pos: 0,
            line_start: 0,
            literal_remaining: 0,
            discarding: false,
            pending_error: None,
            #[cfg(test)]
            examined: 0,
        }
    }

    /// The limits this framer enforces.
    #[must_use]
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Forget any partly framed response, as at the start of a new stream. Call it when the
    /// driver throws its buffer away (for example the bytes read before a STARTTLS handshake).
    pub fn reset(&mut self) {
        self.pos = 0;
        self.line_start = 0;
        self.literal_remaining = 0;
        self.discarding = false;
        self.pending_error = None;
    }

    /// Literal bytes the current response still needs before its line text resumes, if the
    /// framer is inside a literal that passed the limits (0 otherwise, also while discarding).
    /// A driver may use it to reserve buffer space; it never exceeds [`Limits::max_literal`].
    #[must_use]
    pub fn literal_bytes_pending(&self) -> u64 {
        if self.discarding {
            0
        } else {
            self.literal_remaining
        }
    }

    /// Find the end of the response at the front of `buf`. See the type docs for the contract
    /// between calls; never panics, never allocates.
    pub fn decode(&mut self, buf: &[u8]) -> Frame {
        if buf.len() < self.pos {
            // Contract broken (buffer shrank without a Complete/Discard): start over.
            self.reset();
        }
        loop {
            if self.literal_remaining > 0 {
                let available = buf.len() - self.pos;
                if (available as u64) < self.literal_remaining {
                    self.literal_remaining -= available as u64;
                    self.pos = buf.len();
                    return self.need_more(buf.len());
                }
                // Less than `available`, so it fits in usize.
                self.pos += self.literal_remaining as usize;
                self.literal_remaining = 0;
                self.line_start = self.pos;
            }

            let rest = buf.get(self.pos..).unwrap_or_default();
            let Some(lf) = memchr(b'\n', rest) else {
                self.count_examined(rest.len());
                self.pos = buf.len();
                if !self.discarding {
                    let (cap, error) = self.line_cap();
                    // The line needs at least one more byte (its LF): it cannot fit any more.
                    if (buf.len() - self.line_start) as u64 >= cap {
                        self.fail(error);
                    }
                }
                return self.need_more(buf.len());
            };
            self.count_examined(lf + 1);
            let end = self.pos + lf + 1;
            self.pos = end;
            if !self.discarding {
                let (cap, error) = self.line_cap();
                if (end - self.line_start) as u64 > cap {
                    self.fail(error);
                }
            }

            let line = buf.get(self.line_start..end).unwrap_or_default();
            match literal_marker(line) {
                Marker::None => return self.finish(end),
                Marker::Overflow => {
                    if !self.discarding {
                        self.fail(FrameError::LiteralLengthOverflow);
                    }
                    return self.finish(end);
                }
                Marker::Literal(n) => {
                    if !self.discarding {
                        if n > self.limits.max_literal {
                            self.fail(FrameError::LiteralTooLarge {
                                announced: n,
                                limit: self.limits.max_literal,
                            });
                        } else if (end as u64).saturating_add(n) > self.limits.max_response {
                            self.fail(FrameError::ResponseTooLarge {
                                limit: self.limits.max_response,
                            });
                        }
                    }
                    self.literal_remaining = n;
                    // Only matters for `{0}`; otherwise set again when the literal ends.
                    self.line_start = end;
                }
            }
        }
    }

    /// The most bytes the current line may have, and the error if it has more: the line limit,
    /// or what is left of the response limit if that is smaller.
    fn line_cap(&self) -> (u64, FrameError) {
        let max_line = self.limits.max_line as u64;
        let room = self
            .limits
            .max_response
            .saturating_sub(self.line_start as u64);
        if max_line <= room {
            (
                max_line,
                FrameError::LineTooLong {
                    limit: self.limits.max_line,
                },
            )
        } else {
            (
                room,
                FrameError::ResponseTooLarge {
                    limit: self.limits.max_response,
                },
            )
        }
    }

    /// Start skipping the current response; `error` goes out with the next `Discard`.
    fn fail(&mut self, error: FrameError) {
        self.discarding = true;
        self.pending_error = Some(error);
    }

    /// All of `buf` has been examined and the response is not complete.
    fn need_more(&mut self, buf_len: usize) -> Frame {
        if !self.discarding {
            return Frame::Incomplete;
        }
        // Everything of the bad response can go, except the tail of an unfinished line, which
        // may be a literal marker.
        let keep = if self.literal_remaining > 0 {
            0
        } else {
            (buf_len - self.line_start).min(MARKER_WINDOW)
        };
        let len = buf_len - keep;
        let error = self.pending_error.take();
        if len == 0 && error.is_none() {
            return Frame::Incomplete;
        }
        self.pos -= len;
        self.line_start = self.line_start.saturating_sub(len);
        Frame::Discard { len, error }
    }

    /// The response ends at `end` (exclusive).
    fn finish(&mut self, end: usize) -> Frame {
        let frame = if self.discarding {
            Frame::Discard {
                len: end,
                error: self.pending_error.take(),
            }
        } else {
            Frame::Complete { len: end }
        };
        self.reset();
        frame
    }

    #[cfg(test)]
    fn count_examined(&mut self, bytes: usize) {
        self.examined += bytes as u64;
    }

    #[cfg(not(test))]
    #[inline(always)]
    fn count_examined(&mut self, _bytes: usize) {}
}

/// Classify the end of `line`, which ends with LF.
fn literal_marker(line: &[u8]) -> Marker {
    let content = match line {
        [rest @ .., b'\r', b'\n'] | [rest @ .., b'\n'] => rest,
        _ => line,
    };
    let [before_close @ .., b'}'] = content else {
        return Marker::None;
    };
    let digits = before_close
        .iter()
        .rev()
        .take(MAX_LENGTH_DIGITS + 1)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 {
        return Marker::None;
    }
    if digits > MAX_LENGTH_DIGITS {
        return Marker::Overflow;
    }
    let (before_digits, digits) = before_close.split_at(before_close.len() - digits);
    if before_digits.last() != Some(&b'{') {
        return Marker::None;
    }
    let mut n: u64 = 0;
    for &d in digits {
        match n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(d - b'0')))
        {
            Some(next) => n = next,
            None => return Marker::Overflow,
        }
    }
    Marker::Literal(n)
}

#[cfg(test)]
mod tests;
