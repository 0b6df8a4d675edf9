//! Server-side WebSocket framing (RFC 6455 §5), sans-I/O and streaming: the [`Decoder`] of
//! client frames and the encoders of the server's frames ([`binary_header`],
//! [`frame_binary`], [`text`], [`ping`], [`pong`], [`close`], [`close_empty`]).
//!
//! # Why it exists
//!
//! A WebSocket library that hands out whole messages must hold a client's frame until its
//! last byte arrives: with frames of up to [`MAX_FRAME_LEN`](daaki_imap::wire::MAX_FRAME_LEN)
//! (256 KiB), a client that sends most of a large frame and then stalls costs the bridge the
//! whole frame, per session. The [`Decoder`] instead hands out the unmasked payload bytes of
//! binary frames as they arrive ([`Event::Data`], borrowed from the caller's input and
//! unmasked in place), so a session needs one read buffer, whatever the frame sizes, the
//! fragmentation or the pace of the client: the decoder itself is a few hundred bytes of
//! fixed state (a partial header, the mask and the payload of at most one control frame).
//!
//! # What it owns
//!
//! - the frame syntax: headers, lengths, masks, opcodes, fragmentation;
//! - the protocol rules a server must enforce on client frames — masking, no reserved bits
//!   or opcodes, control frames short and unfragmented, continuations only inside a message,
//!   valid close bodies — and the bridge's size limit, applied to every frame and to every
//!   message, checked from the header before any payload byte of the frame is handed out;
//! - the server's frames: unmasked, final, binary data and control frames.
//!
//! It does no I/O and allocates nothing: the caller reads into its buffer, feeds it to
//! [`Decoder::decode`] and acts on the events (forwards data, answers pings, ends the session
//! on close or a [`FrameError`]; on text, ends a version-1 session or reads the payload of a
//! version-2 control message, [`Decoder::with_text_payloads`]); the closing handshake,
//! timeouts and the meaning of close codes and control messages belong to the caller.

use std::str;

/// The longest header of a frame the server sends (unmasked, 64-bit length): 10 bytes.
pub const MAX_HEADER_LEN: usize = 10;

/// The longest payload of a control frame (ping, pong, close): 125 bytes (RFC 6455 §5.5).
pub const MAX_CONTROL_PAYLOAD: usize = 125;

/// The longest header of a client frame: 2 bytes, a 64-bit length and the mask key.
const MAX_CLIENT_HEADER_LEN: usize = 14;

/// The FIN bit of the first header byte.
const FIN: u8 = 0x80;
/// RSV1, RSV2 and RSV3 of the first header byte.
const RSV: u8 = 0x70;
/// The MASK bit of the second header byte.
const MASKED: u8 = 0x80;

const OP_CONTINUATION: u8 = 0x0;
const OP_TEXT: u8 = 0x1;
const OP_BINARY: u8 = 0x2;
const OP_CLOSE: u8 = 0x8;
const OP_PING: u8 = 0x9;
const OP_PONG: u8 = 0xA;

// The first header byte of the server's frames: FIN and the opcode (written out, not as
// `FIN | opcode`, which would have an equivalent mutant `FIN ^ opcode`).
const FIRST_BINARY: u8 = 0x82;
const FIRST_TEXT: u8 = 0x81;
const FIRST_CLOSE: u8 = 0x88;
const FIRST_PING: u8 = 0x89;
const FIRST_PONG: u8 = 0x8A;

/// A protocol violation by the client: each one ends the session. [`is_too_large`]
/// tells the size-limit errors (closed with the bridge's "limit reached" code) from the
/// others (a protocol error).
///
/// [`is_too_large`]: FrameError::is_too_large
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// A frame's payload length (from its header) is over the limit; no byte of it was handed
    /// out.
    #[error("frame of {len} bytes over the limit of {max}")]
    FrameTooLarge {
        /// The frame's payload length.
        len: u64,
        /// The limit ([`Decoder::new`]).
        max: usize,
    },
    /// A fragmented binary (or text) message grows over the limit with this frame (from its
    /// header); the earlier fragments have been handed out, no byte of this one.
    #[error("message of at least {len} bytes over the limit of {max}")]
    MessageTooLarge {
        /// The message's length with this frame.
        len: u64,
        /// The limit ([`Decoder::new`]).
        max: usize,
    },
    /// A client frame without a mask (clients must mask every frame, §5.1).
    #[error("unmasked client frame")]
    Unmasked,
    /// RSV1, RSV2 or RSV3 is set (no extension is negotiated, §5.2).
    #[error("reserved bits set")]
    ReservedBits,
    /// A reserved opcode: 0x3–0x7 or 0xB–0xF (§5.2).
    #[error("reserved opcode {0:#x}")]
    ReservedOpcode(u8),
    /// A control frame (close, ping, pong) without FIN (control frames are never fragmented,
    /// §5.5).
    #[error("fragmented control frame")]
    FragmentedControl,
    /// A control frame with a payload over 125 bytes (§5.5).
    #[error("control frame of {0} bytes (at most 125)")]
    ControlTooLong(u64),
    /// A continuation frame while no fragmented message is open (§5.4).
    #[error("continuation frame outside a message")]
    UnexpectedContinuation,
    /// A new text or binary frame while a fragmented message is open: it must be continued
    /// first (§5.4).
    #[error("new data frame inside a fragmented message")]
    ExpectedContinuation,
    /// A 64-bit payload length with its most significant bit set (§5.2).
    #[error("64-bit length with the most significant bit set")]
    LengthOverflow,
    /// A close frame with a 1-byte body: a body has a 2-byte code or nothing (§5.5.1).
    #[error("close frame with a 1-byte body")]
    CloseTooShort,
    /// A close code that must not be sent (§7.4): below 1000, 1004–1006, 1015–2999 or
    /// from 5000 (1012–1014 are registered with IANA and accepted).
    #[error("invalid close code {0}")]
    InvalidCloseCode(u16),
    /// A close reason that is not UTF-8 (§5.5.1).
    #[error("close reason not UTF-8")]
    InvalidCloseReason,
}

impl FrameError {
    /// Whether this is a size-limit error ([`FrameTooLarge`](Self::FrameTooLarge),
    /// [`MessageTooLarge`](Self::MessageTooLarge)) rather than a protocol error.
    pub fn is_too_large(self) -> bool {
        matches!(
            self,
            Self::FrameTooLarge { .. } | Self::MessageTooLarge { .. }
        )
    }
}

/// What the client sent, as far as the input shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<'a> {
    /// Unmasked payload bytes of a binary message (first frame or continuation), in order;
    /// never empty. A frame's payload may come as many `Data` events (as the input comes),
    /// and the payload of an empty frame as none.
    Data(&'a [u8]),
    /// A ping with its whole payload (at most 125 bytes): the caller answers with a [`pong`]
    /// carrying it.
    Ping(&'a [u8]),
    /// A pong (its payload is dropped).
    Pong,
    /// A close frame: its code and UTF-8 reason (possibly empty), or `None` for an empty
    /// body. The code is one a peer may send (§7.4). The decoder does not track the closing
    /// handshake: the caller stops reading (or only drains) after it.
    Close(Option<(u16, &'a str)>),
    /// The header of a text message's first frame (a decoder without
    /// [`with_text_payloads`](Decoder::with_text_payloads)): wire contract version 1 has no
    /// text, so the caller ends the session. Its payload and continuations are skipped (never
    /// checked as UTF-8, never handed out), so the caller may keep decoding while it drains
    /// the connection.
    Text,
    /// Unmasked payload bytes of a text message, in order (a decoder
    /// [`with_text_payloads`](Decoder::with_text_payloads): version 2's control messages).
    /// `last` marks the bytes that end the message (its final frame is complete); `bytes` is
    /// empty only then (a message ending with an empty frame). Like [`Event::Data`], a frame's
    /// payload may come as many events; the message's first bytes follow the end of the
    /// previous one, so the caller collects from one `last` to the next. Never checked as
    /// UTF-8: the caller's parser does that.
    TextData {
        /// The payload bytes.
        bytes: &'a [u8],
        /// Whether they end the message.
        last: bool,
    },
}

/// The kind of a data message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Binary,
    Text,
}

/// The kind of a control frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Control {
    Close,
    Ping,
    Pong,
}

/// What happens to a data frame's payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Payload {
    /// Handed out as [`Event::Data`] (binary).
    Binary,
    /// Handed out as [`Event::TextData`]; `fin`: the frame ends its message.
    Text { fin: bool },
    /// Skipped (text, when the decoder does not hand text out).
    Skip,
}

/// Where the decoder is in the byte stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Collecting a frame header (in `Decoder::head`).
    Header,
    /// Inside a data frame's payload (`remaining > 0`).
    Data(Payload),
    /// Inside a control frame's payload (`remaining > 0`), collected in `Decoder::control`.
    Control(Control),
}

/// What [`Decoder::advance`] found, before it is turned into an [`Event`] borrowing the
/// input or the decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// All of the input was consumed, with no event.
    Nothing,
    /// Payload bytes from this offset of the input to the end of what was consumed.
    Data(usize),
    /// A ping, its payload in `Decoder::control`.
    Ping,
    /// A pong.
    Pong,
    /// A close frame with this code (its reason after it in `Decoder::control`), or none.
    Close(Option<u16>),
    /// A text message starts.
    Text,
    /// Text payload bytes from this offset of the input to the end of what was consumed;
    /// whether they end the message.
    TextData(usize, bool),
}

/// The streaming decoder of the frames a client sends (RFC 6455 §5), one per session.
///
/// Feed it the bytes read from the client, in order, in slices of any size:
///
/// ```
/// use daaki_imap_bridge::websocket::{Decoder, Event};
///
/// let mut decoder = Decoder::new(256 * 1024);
/// // A masked binary frame "hi" (mask key 1, 2, 3, 4), read from the client.
/// let mut read = [0x82, 0x82, 1, 2, 3, 4, b'h' ^ 1, b'i' ^ 2];
/// let mut pos = 0;
/// while pos < read.len() {
///     let (used, event) = decoder.decode(&mut read[pos..]).expect("valid frame");
///     pos += used;
///     if let Some(Event::Data(bytes)) = event {
///         assert_eq!(bytes, b"hi"); // forward them
///     }
/// }
/// ```
///
/// **Partial headers are kept inside the decoder**: [`decode`](Self::decode) consumes every
/// byte it is given, a header's bytes too (at most 14 are kept until the header is
/// complete), so the caller never keeps unconsumed bytes: once a slice is consumed, its
/// buffer is free for the next read. A control frame's payload is collected inside too
/// (at most 125 bytes), so [`Event::Ping`] and [`Event::Close`] carry the whole payload.
/// Data payloads are never copied: they are unmasked in place in the caller's buffer.
///
/// A header is checked once it is complete, in this order: reserved bits, opcode, mask,
/// the 64-bit length's top bit, the control frame rules (FIN, length), the size limit of the
/// frame, the continuation rules, the size limit of the message. Lengths need not be
/// minimally encoded (a 16-bit or 64-bit length field may hold a small length), as with
/// tungstenite: the rule binds the sender, and accepting costs nothing. After an error the
/// stream is out of step: every later call returns the same error.
#[derive(Clone)]
pub struct Decoder {
    /// The largest frame and the largest message.
    max_frame_len: usize,
    phase: Phase,
    /// The header collected so far.
    head: [u8; MAX_CLIENT_HEADER_LEN],
    head_len: usize,
    /// The current frame's mask key, and where in it the next payload byte is.
    mask: [u8; 4],
    mask_offset: usize,
    /// Payload bytes of the current frame not yet consumed.
    remaining: usize,
    /// The fragmented message open (its first frame had no FIN), if any.
    message: Option<Kind>,
    /// The length of the open message's frames so far.
    message_len: usize,
    /// The payload of the current control frame so far.
    control: [u8; MAX_CONTROL_PAYLOAD],
    control_len: usize,
    /// The error that ended the stream.
    failed: Option<FrameError>,
    /// Whether text payloads are handed out ([`Decoder::with_text_payloads`]).
    text_payloads: bool,
}

impl Decoder {
    /// A decoder for a new connection, rejecting frames and messages over `max_frame_len`
    /// bytes (the bridge uses [`MAX_FRAME_LEN`](daaki_imap::wire::MAX_FRAME_LEN)). The limit
    /// applies to control frames too, which are at most 125 bytes anyway.
    pub const fn new(max_frame_len: usize) -> Self {
        Self {
            max_frame_len,
            phase: Phase::Header,
            head: [0; MAX_CLIENT_HEADER_LEN],
            head_len: 0,
            mask: [0; 4],
            mask_offset: 0,
            remaining: 0,
            message: None,
            message_len: 0,
            control: [0; MAX_CONTROL_PAYLOAD],
            control_len: 0,
            failed: None,
            text_payloads: false,
        }
    }

    /// This decoder, handing out the payload of text messages ([`Event::TextData`]) instead
    /// of skipping it after an [`Event::Text`]: wire contract version 2, whose text frames
    /// carry control messages. The size limit applies to text messages as to binary ones.
    pub const fn with_text_payloads(mut self) -> Self {
        self.text_payloads = true;
        self
    }

    /// Decodes from the front of `input`, unmasking payload bytes in place, up to the first
    /// event: returns how many bytes were consumed and that event, if any.
    ///
    /// Consumes at least one byte whenever `input` is not empty, and all of it when it
    /// returns no event (partial headers and control payloads are kept inside): call it
    /// again on `input[consumed..]` until that is empty, then read more. An [`Event::Data`]
    /// is the part of `input` just before `consumed`.
    pub fn decode<'a>(
        &'a mut self,
        input: &'a mut [u8],
    ) -> Result<(usize, Option<Event<'a>>), FrameError> {
        if let Some(error) = self.failed {
            return Err(error);
        }
        let (consumed, step) = match self.advance(input) {
            Ok(found) => found,
            Err(error) => {
                self.failed = Some(error);
                return Err(error);
            }
        };
        let control = &self.control[..self.control_len];
        let event = match step {
            Step::Nothing => None,
            Step::Data(start) => Some(Event::Data(&input[start..consumed])),
            Step::Ping => Some(Event::Ping(control)),
            Step::Pong => Some(Event::Pong),
            Step::Close(None) => Some(Event::Close(None)),
            // The reason was checked as UTF-8 when the frame ended.
            Step::Close(Some(code)) => Some(Event::Close(Some((
                code,
                str::from_utf8(&control[2..]).unwrap_or_default(),
            )))),
            Step::Text => Some(Event::Text),
            Step::TextData(start, last) => Some(Event::TextData {
                bytes: &input[start..consumed],
                last,
            }),
        };
        Ok((consumed, event))
    }

    /// Consumes `input` up to the first event or its end.
    fn advance(&mut self, input: &mut [u8]) -> Result<(usize, Step), FrameError> {
        let mut pos = 0;
        while pos < input.len() {
            match self.phase {
                Phase::Header => {
                    let take = (self.header_needed() - self.head_len).min(input.len() - pos);
                    self.head[self.head_len..self.head_len + take]
                        .copy_from_slice(&input[pos..pos + take]);
                    self.head_len += take;
                    pos += take;
                    if self.head_len == self.header_needed() {
                        self.head_len = 0;
                        let step = match self.start_frame()? {
                            // An empty final frame ends a text message where its header does.
                            Step::TextData(_, last) => Step::TextData(pos, last),
                            step => step,
                        };
                        if step != Step::Nothing {
                            return Ok((pos, step));
                        }
                    }
                }
                Phase::Data(payload) => {
                    let start = pos;
                    let n = self.remaining.min(input.len() - pos);
                    self.unmask(&mut input[start..start + n]);
                    self.remaining -= n;
                    pos += n;
                    let done = self.remaining == 0;
                    if done {
                        self.phase = Phase::Header;
                    }
                    match payload {
                        Payload::Binary => return Ok((pos, Step::Data(start))),
                        Payload::Text { fin } => {
                            return Ok((pos, Step::TextData(start, fin && done)));
                        }
                        Payload::Skip => {}
                    }
                }
                Phase::Control(control) => {
                    let n = self.remaining.min(input.len() - pos);
                    let bytes = &mut input[pos..pos + n];
                    self.unmask(bytes);
                    self.control[self.control_len..self.control_len + n].copy_from_slice(bytes);
                    self.control_len += n;
                    self.remaining -= n;
                    pos += n;
                    if self.remaining == 0 {
                        return Ok((pos, self.end_control(control)?));
                    }
                }
            }
        }
        Ok((pos, Step::Nothing))
    }

    /// How long the header being collected is: 2 bytes until the second byte tells.
    fn header_needed(&self) -> usize {
        if self.head_len < 2 {
            return 2;
        }
        let second = self.head[1];
        let length = match second & 0x7F {
            126 => 2,
            127 => 8,
            _ => 0,
        };
        let mask = if second & MASKED == 0 { 0 } else { 4 };
        2 + length + mask
    }

    /// Checks the complete header in `head` and starts its frame.
    fn start_frame(&mut self) -> Result<Step, FrameError> {
        let [first, second, ..] = self.head;
        if first & RSV != 0 {
            return Err(FrameError::ReservedBits);
        }
        let opcode = first & 0x0F;
        let control = match opcode {
            OP_CONTINUATION | OP_TEXT | OP_BINARY => None,
            OP_CLOSE => Some(Control::Close),
            OP_PING => Some(Control::Ping),
            OP_PONG => Some(Control::Pong),
            reserved => return Err(FrameError::ReservedOpcode(reserved)),
        };
        if second & MASKED == 0 {
            return Err(FrameError::Unmasked);
        }
        let (len, mask_at) = match second & 0x7F {
            126 => (
                u64::from(u16::from_be_bytes([self.head[2], self.head[3]])),
                4,
            ),
            127 => {
                let mut bytes = [0; 8];
                bytes.copy_from_slice(&self.head[2..10]);
                (u64::from_be_bytes(bytes), 10)
            }
            short => (u64::from(short), 2),
        };
        self.mask.copy_from_slice(&self.head[mask_at..mask_at + 4]);
        self.mask_offset = 0;
        if len >> 63 != 0 {
            return Err(FrameError::LengthOverflow);
        }
        let fin = first & FIN != 0;
        if control.is_some() && !fin {
            return Err(FrameError::FragmentedControl);
        }
        if control.is_some() && len > MAX_CONTROL_PAYLOAD as u64 {
            return Err(FrameError::ControlTooLong(len));
        }
        let max = self.max_frame_len;
        let len = match usize::try_from(len) {
            Ok(len) if len <= max => len,
            _ => return Err(FrameError::FrameTooLarge { len, max }),
        };
        self.remaining = len;
        match control {
            Some(control) => self.start_control(control),
            None => self.start_data(opcode, fin),
        }
    }

    /// Starts a data frame of `remaining` bytes.
    fn start_data(&mut self, opcode: u8, fin: bool) -> Result<Step, FrameError> {
        let kind = match (opcode, self.message) {
            (OP_CONTINUATION, Some(kind)) => kind,
            (OP_CONTINUATION, None) => return Err(FrameError::UnexpectedContinuation),
            (_, Some(_)) => return Err(FrameError::ExpectedContinuation),
            (OP_TEXT, None) => Kind::Text,
            (_, None) => Kind::Binary,
        };
        let len = self.message_len.saturating_add(self.remaining);
        if len > self.max_frame_len {
            return Err(FrameError::MessageTooLarge {
                len: u64::try_from(len).unwrap_or(u64::MAX),
                max: self.max_frame_len,
            });
        }
        if fin {
            self.message = None;
            self.message_len = 0;
        } else {
            self.message = Some(kind);
            self.message_len = len;
        }
        let payload = match kind {
            Kind::Binary => Payload::Binary,
            Kind::Text if self.text_payloads => Payload::Text { fin },
            Kind::Text => Payload::Skip,
        };
        if self.remaining > 0 {
            self.phase = Phase::Data(payload);
        } else if payload == (Payload::Text { fin: true }) {
            // An empty final frame: the message ends here (the offset is set by the caller).
            return Ok(Step::TextData(0, true));
        }
        Ok(if opcode == OP_TEXT && !self.text_payloads {
            Step::Text
        } else {
            Step::Nothing
        })
    }

    /// Starts a control frame of `remaining` bytes (ends it at once if it is empty).
    fn start_control(&mut self, control: Control) -> Result<Step, FrameError> {
        self.control_len = 0;
        if self.remaining == 0 {
            return self.end_control(control);
        }
        self.phase = Phase::Control(control);
        Ok(Step::Nothing)
    }

    /// Ends a control frame whose payload is in `control`.
    fn end_control(&mut self, control: Control) -> Result<Step, FrameError> {
        self.phase = Phase::Header;
        Ok(match control {
            Control::Ping => Step::Ping,
            Control::Pong => Step::Pong,
            Control::Close => Step::Close(close_code(&self.control[..self.control_len])?),
        })
    }

    /// Unmasks `bytes`, the next payload bytes of the current frame.
    fn unmask(&mut self, bytes: &mut [u8]) {
        let mut key = self.mask;
        key.rotate_left(self.mask_offset);
        let mut words = bytes.chunks_exact_mut(4);
        for word in &mut words {
            for (byte, k) in word.iter_mut().zip(key) {
                *byte ^= k;
            }
        }
        for (byte, k) in words.into_remainder().iter_mut().zip(key) {
            *byte ^= k;
        }
        self.mask_offset = (self.mask_offset + bytes.len()) % 4;
    }
}

/// The code of a close body (`None` for an empty one), checked with its reason.
fn close_code(body: &[u8]) -> Result<Option<u16>, FrameError> {
    match body {
        [] => Ok(None),
        [_] => Err(FrameError::CloseTooShort),
        [high, low, reason @ ..] => {
            let code = u16::from_be_bytes([*high, *low]);
            if !close_code_allowed(code) {
                Err(FrameError::InvalidCloseCode(code))
            } else if str::from_utf8(reason).is_err() {
                Err(FrameError::InvalidCloseReason)
            } else {
                Ok(Some(code))
            }
        }
    }
}

/// Whether a peer may send `code` in a close frame (RFC 6455 §7.4, the IANA registry):
/// the defined codes but 1004 (reserved), 1005, 1006 and 1015 (never sent), 1012–1014
/// (registered later), and 3000–4999 (libraries, applications).
fn close_code_allowed(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
}

/// The header of a frame the server sends, to write right before its payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    bytes: [u8; MAX_HEADER_LEN],
    len: usize,
}

impl Header {
    /// The header's bytes (2, 4 or 10).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// The header of an unmasked, final binary frame with a payload of `len` bytes: 2 bytes up
/// to 125, 4 up to 65535, 10 beyond (lengths are minimally encoded).
pub fn binary_header(len: usize) -> Header {
    header(FIRST_BINARY, len)
}

/// The header of an unmasked, final text frame with a payload of `len` bytes (lengths
/// minimally encoded, as for [`binary_header`]).
pub fn text_header(len: usize) -> Header {
    header(FIRST_TEXT, len)
}

/// The header of an unmasked data frame whose first byte is `first`.
fn header(first: u8, len: usize) -> Header {
    let mut bytes = [0; MAX_HEADER_LEN];
    bytes[0] = first;
    let header_len = if len < 126 {
        bytes[1] = len as u8;
        2
    } else if let Ok(len) = u16::try_from(len) {
        bytes[1] = 126;
        bytes[2..4].copy_from_slice(&len.to_be_bytes());
        4
    } else {
        bytes[1] = 127;
        bytes[2..10].copy_from_slice(&(len as u64).to_be_bytes());
        10
    };
    Header {
        bytes,
        len: header_len,
    }
}

/// Frames `buf[payload_start..]` as one unmasked, final binary frame by writing its header
/// right before it, into the headroom `buf[..payload_start]`, and returns the frame (a
/// suffix of `buf`), ready for one write. Read the payload at [`MAX_HEADER_LEN`] and the
/// headroom is always enough; `None` if it is not (or `payload_start` is past the end).
pub fn frame_binary(buf: &mut [u8], payload_start: usize) -> Option<&[u8]> {
    let header = binary_header(buf.len().checked_sub(payload_start)?);
    let start = payload_start.checked_sub(header.len)?;
    buf[start..payload_start].copy_from_slice(header.as_bytes());
    Some(&buf[start..])
}

/// One unmasked, final text frame carrying `message` (version 2's control messages, at most
/// [`MAX_CONTROL_LEN`](daaki_imap::wire::MAX_CONTROL_LEN) bytes, so its header is 2 or 4
/// bytes): header and payload, ready for one write.
pub fn text(message: &str) -> Vec<u8> {
    let header = text_header(message.len());
    let mut frame = Vec::with_capacity(header.as_bytes().len() + message.len());
    frame.extend_from_slice(header.as_bytes());
    frame.extend_from_slice(message.as_bytes());
    frame
}

/// A whole control frame the server sends (unmasked): at most 127 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControlFrame {
    bytes: [u8; 2 + MAX_CONTROL_PAYLOAD],
    len: usize,
}

impl ControlFrame {
    /// The frame's bytes, header and payload.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// A control frame starting with the byte `first` (FIN and the opcode), with the first
    /// [`MAX_CONTROL_PAYLOAD`] bytes of `body`.
    fn new(first: u8, body: &[u8]) -> Self {
        let body = &body[..body.len().min(MAX_CONTROL_PAYLOAD)];
        let mut bytes = [0; 2 + MAX_CONTROL_PAYLOAD];
        bytes[0] = first;
        bytes[1] = body.len() as u8;
        bytes[2..2 + body.len()].copy_from_slice(body);
        Self {
            bytes,
            len: 2 + body.len(),
        }
    }
}

/// A ping carrying `payload` (its first 125 bytes).
pub fn ping(payload: &[u8]) -> ControlFrame {
    ControlFrame::new(FIRST_PING, payload)
}

/// A pong carrying `payload` (its first 125 bytes): the answer to an [`Event::Ping`] with
/// the same payload.
pub fn pong(payload: &[u8]) -> ControlFrame {
    ControlFrame::new(FIRST_PONG, payload)
}

/// A close frame with `code` (not checked: the caller sends codes it means) and `reason`,
/// cut at a character boundary to its first 123 bytes at most, so the body fits in 125.
pub fn close(code: u16, reason: &str) -> ControlFrame {
    let mut end = reason.len().min(MAX_CONTROL_PAYLOAD - 2);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    let mut body = [0; MAX_CONTROL_PAYLOAD];
    body[..2].copy_from_slice(&code.to_be_bytes());
    body[2..2 + end].copy_from_slice(&reason.as_bytes()[..end]);
    ControlFrame::new(FIRST_CLOSE, &body[..2 + end])
}

/// A close frame without a body (no code, no reason).
pub fn close_empty() -> ControlFrame {
    ControlFrame::new(FIRST_CLOSE, &[])
}

#[cfg(test)]
mod tests;
