//! The codec against tungstenite as an independent oracle: frames its client side writes
//! decode to the same events for every way of cutting the input into reads, and its client
//! side reads our frames back as the messages we meant. Then a test per protocol error, the
//! header edge cases, text, and the bounded memory. Frames with broken headers are written
//! out by hand ([`raw`]), not by the code under test.

use std::io::{self, Cursor, Read, Write};
use std::iter;

use daaki_imap::wire::MAX_FRAME_LEN;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::{Frame, FrameHeader};
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocket, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Bytes, Message};

use super::*;

/// The payload lengths where the header changes shape, and the bridge's limit.
const LENGTHS: [usize; 8] = [0, 1, 125, 126, 127, 65_535, 65_536, MAX_FRAME_LEN];

/// The mask key of the frames built here (tungstenite's own client picks random ones).
const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// An [`Event`], owned.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ev {
    Data(Vec<u8>),
    Ping(Vec<u8>),
    Pong,
    Close(Option<(u16, String)>),
    Text,
    /// A text payload piece and whether it ends the message.
    TextData(Vec<u8>, bool),
}

fn own(event: Event<'_>) -> Ev {
    match event {
        Event::Data(bytes) => Ev::Data(bytes.to_vec()),
        Event::Ping(payload) => Ev::Ping(payload.to_vec()),
        Event::Pong => Ev::Pong,
        Event::Close(body) => Ev::Close(body.map(|(code, reason)| (code, reason.to_owned()))),
        Event::Text => Ev::Text,
        Event::TextData { bytes, last } => Ev::TextData(bytes.to_vec(), last),
    }
}

fn data(bytes: &[u8]) -> Ev {
    Ev::Data(bytes.to_vec())
}

fn close_ev(code: u16, reason: &str) -> Ev {
    Ev::Close(Some((code, reason.to_owned())))
}

/// The events of a decoding, adjacent `Data` joined (how a payload is cut into `Data`
/// events depends on the reads), and the error that ended it, if any.
#[derive(Debug, Default, PartialEq, Eq)]
struct Outcome {
    events: Vec<Ev>,
    error: Option<FrameError>,
}

impl Outcome {
    fn ok(events: Vec<Ev>) -> Self {
        Self {
            events,
            error: None,
        }
    }

    fn failed(events: Vec<Ev>, error: FrameError) -> Self {
        Self {
            events,
            error: Some(error),
        }
    }

    fn push(&mut self, event: Ev) {
        match (&event, self.events.last_mut()) {
            (Ev::Data(new), Some(Ev::Data(last))) => last.extend_from_slice(new),
            // The pieces of one text message, joined (how they are cut depends on reads).
            (Ev::TextData(new, ends), Some(Ev::TextData(open, ended @ false))) => {
                open.extend_from_slice(new);
                *ended = *ends;
            }
            _ => self.events.push(event),
        }
    }

    /// The control events in order, and all the data.
    fn split(&self) -> (Vec<Ev>, Vec<u8>) {
        let mut controls = Vec::new();
        let mut bytes = Vec::new();
        for event in &self.events {
            match event {
                Ev::Data(data) => bytes.extend_from_slice(data),
                other => controls.push(other.clone()),
            }
        }
        (controls, bytes)
    }
}

/// Feeds `stream` to `decoder` in reads of `sizes` bytes (then the rest in one), each read
/// in a buffer of its own, until the end or the first error, checking the contract of
/// [`Decoder::decode`] on every call.
fn feed(decoder: &mut Decoder, stream: &[u8], sizes: impl IntoIterator<Item = usize>) -> Outcome {
    let mut outcome = Outcome::default();
    let mut sizes = sizes.into_iter();
    let mut rest = stream;
    loop {
        let size = sizes.next().unwrap_or(rest.len()).min(rest.len());
        let (read, tail) = rest.split_at(size);
        rest = tail;
        if let Err(error) = decode_read(decoder, read, &mut outcome) {
            outcome.error = Some(error);
            return outcome;
        }
        if rest.is_empty() {
            return outcome;
        }
    }
}

/// Decodes one read to its end, as the pipe will.
fn decode_read(
    decoder: &mut Decoder,
    read: &[u8],
    outcome: &mut Outcome,
) -> Result<(), FrameError> {
    let mut buf = read.to_vec();
    let mut pos = 0;
    loop {
        let input = &mut buf[pos..];
        let (len, start) = (input.len(), input.as_ptr() as usize);
        let (used, event) = decoder.decode(input)?;
        assert!(used <= len, "consumed {used} of {len} bytes");
        let Some(event) = event else {
            assert_eq!(used, len, "no event, yet bytes left");
            return Ok(());
        };
        assert!(used > 0, "an event without consuming anything");
        if let Event::TextData { bytes, last } = event {
            assert!(
                last || !bytes.is_empty(),
                "an empty TextData before the last"
            );
            let end = bytes.as_ptr() as usize + bytes.len();
            assert_eq!(
                end,
                start + used,
                "TextData does not end where consumption does"
            );
        }
        if let Event::Data(bytes) = event {
            assert!(!bytes.is_empty(), "an empty Data");
            let end = bytes.as_ptr() as usize + bytes.len();
            assert_eq!(
                end,
                start + used,
                "Data does not end where consumption does"
            );
        }
        outcome.push(own(event));
        pos += used;
    }
}

fn decode_max(max: usize, stream: &[u8]) -> Outcome {
    feed(&mut Decoder::new(max), stream, [])
}

fn decode_whole(stream: &[u8]) -> Outcome {
    decode_max(MAX_FRAME_LEN, stream)
}

fn decode_in(stream: &[u8], sizes: impl IntoIterator<Item = usize>) -> Outcome {
    feed(&mut Decoder::new(MAX_FRAME_LEN), stream, sizes)
}

/// Every way of cutting `stream` in two, and one byte per read: each must decode as
/// `expected`.
fn assert_every_cut(stream: &[u8], expected: &Outcome) {
    for cut in 0..=stream.len() {
        assert_eq!(&decode_in(stream, [cut]), expected, "cut at {cut}");
    }
    assert_eq!(
        &decode_in(stream, iter::repeat(1)),
        expected,
        "byte by byte"
    );
}

/// A deterministic xorshift64* generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }

    fn mask(&mut self) -> [u8; 4] {
        (self.next() as u32).to_ne_bytes()
    }

    /// Read sizes of 1 to `max` bytes, forever.
    fn sizes(&mut self, max: usize) -> impl Iterator<Item = usize> + '_ {
        iter::repeat_with(move || 1 + self.below(max))
    }
}

/// A masked frame, as tungstenite formats it.
fn frame(opcode: u8, fin: bool, payload: &[u8], mask: [u8; 4]) -> Vec<u8> {
    let header = FrameHeader {
        is_final: fin,
        rsv1: false,
        rsv2: false,
        rsv3: false,
        opcode: OpCode::from(opcode),
        mask: Some(mask),
    };
    let mut out = Vec::new();
    Frame::from_payload(header, Bytes::copy_from_slice(payload))
        .format(&mut out)
        .expect("format");
    out
}

/// A final binary frame.
fn binary(payload: &[u8]) -> Vec<u8> {
    frame(OP_BINARY, true, payload, MASK)
}

/// A frame written out by hand: `first` byte, the `length` field (the 7-bit length, then
/// any extended length) with the mask bit set, [`MASK`], then `payload`, masked.
fn raw(first: u8, length: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut out = vec![first, 0x80 | length[0]];
    out.extend_from_slice(&length[1..]);
    out.extend_from_slice(&MASK);
    out.extend(payload.iter().enumerate().map(|(i, b)| b ^ MASK[i % 4]));
    out
}

/// Like [`raw`], without a mask.
fn raw_unmasked(first: u8, length: &[u8], payload: &[u8]) -> Vec<u8> {
    [&[first], length, payload].concat()
}

/// A byte stream for tungstenite: reads `input`, writes into `output`.
struct Duplex {
    input: Cursor<Vec<u8>>,
    output: Vec<u8>,
}

impl Duplex {
    fn new(input: &[u8]) -> Self {
        Self {
            input: Cursor::new(input.to_vec()),
            output: Vec::new(),
        }
    }
}

impl Read for Duplex {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.input.read(buf)
    }
}

impl Write for Duplex {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.output.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The bytes tungstenite's client side writes for `messages` (masked, random keys).
fn tungstenite_writes(messages: impl IntoIterator<Item = Message>) -> Vec<u8> {
    let mut ws = WebSocket::from_raw_socket(Duplex::new(&[]), Role::Client, None);
    for message in messages {
        ws.send(message).expect("send");
    }
    ws.into_inner().output
}

/// What tungstenite's server side, with the bridge's limits, reads from `stream` (until
/// its end or an error).
fn tungstenite_server_reads(stream: &[u8]) -> Outcome {
    let config = WebSocketConfig::default()
        .max_frame_size(Some(MAX_FRAME_LEN))
        .max_message_size(Some(MAX_FRAME_LEN));
    let mut ws = WebSocket::from_raw_socket(Duplex::new(stream), Role::Server, Some(config));
    let mut outcome = Outcome::default();
    while let Ok(message) = ws.read() {
        match message {
            Message::Binary(bytes) if bytes.is_empty() => {}
            Message::Binary(bytes) => outcome.push(data(&bytes)),
            Message::Ping(payload) => outcome.push(Ev::Ping(payload.to_vec())),
            Message::Pong(_) => outcome.push(Ev::Pong),
            Message::Close(body) => {
                outcome.push(Ev::Close(body.map(|close| {
                    (u16::from(close.code), close.reason.as_str().to_owned())
                })))
            }
            Message::Text(_) => outcome.push(Ev::Text),
            Message::Frame(_) => {}
        }
    }
    outcome
}

/// The messages tungstenite's client side reads from `stream` (until its end or an error).
fn tungstenite_client_reads(stream: &[u8]) -> Vec<Message> {
    let mut ws = WebSocket::from_raw_socket(Duplex::new(stream), Role::Client, None);
    iter::from_fn(|| ws.read().ok()).collect()
}

// --- decoding what tungstenite writes -------------------------------------------------------

#[test]
fn frames_of_every_boundary_length_decode_at_every_cut() {
    let mut rng = Rng(1);
    for len in LENGTHS {
        let payload = rng.bytes(len);
        let stream = tungstenite_writes([Message::Binary(payload.clone().into())]);
        let expected = if len == 0 {
            Outcome::ok(vec![])
        } else {
            Outcome::ok(vec![Ev::Data(payload)])
        };
        if len <= 127 {
            assert_every_cut(&stream, &expected);
        } else {
            // Every cut in and around the header and near the end; random reads; the
            // reads of the pipe.
            let cuts = (0..=20).chain(stream.len() - 5..=stream.len());
            for cut in cuts {
                assert_eq!(decode_in(&stream, [cut]), expected, "{len} cut at {cut}");
            }
            for max in [7, 1000, 16 * 1024] {
                assert_eq!(decode_in(&stream, rng.sizes(max)), expected, "{len}");
            }
            assert_eq!(decode_in(&stream, iter::repeat(16 * 1024)), expected);
        }
        assert_eq!(tungstenite_server_reads(&stream), expected, "oracle, {len}");
    }
}

#[test]
fn a_conversation_written_by_tungstenite_decodes_at_every_cut() {
    let messages = [
        Message::Binary(Bytes::from_static(b"a1 LOGIN")),
        Message::Ping(Bytes::from_static(b"are you there")),
        Message::Binary(Bytes::new()),
        Message::Pong(Bytes::from_static(b"yes")),
        Message::Ping(Bytes::new()),
        Message::Binary(Bytes::from_static(b"a2 LOGOUT")),
        Message::Close(Some(CloseFrame {
            code: CloseCode::Normal,
            reason: "bye".into(),
        })),
    ];
    let stream = tungstenite_writes(messages);
    let expected = Outcome::ok(vec![
        data(b"a1 LOGIN"),
        Ev::Ping(b"are you there".to_vec()),
        Ev::Pong,
        Ev::Ping(vec![]),
        data(b"a2 LOGOUT"),
        close_ev(1000, "bye"),
    ]);
    assert_every_cut(&stream, &expected);
    assert_eq!(tungstenite_server_reads(&stream), expected);
}

#[test]
fn controls_interleave_with_fragments() {
    let stream = [
        frame(OP_BINARY, false, b"ab", MASK),
        frame(OP_PING, true, b"p", [1, 2, 3, 4]),
        frame(OP_PONG, true, b"q", [5, 6, 7, 8]),
        frame(OP_CONTINUATION, false, b"cde", [9, 10, 11, 12]),
        frame(OP_PING, true, b"r", MASK),
        frame(OP_CONTINUATION, true, b"f", [13, 14, 15, 16]),
        binary(b"g"),
    ]
    .concat();
    let expected = Outcome::ok(vec![
        data(b"ab"),
        Ev::Ping(b"p".to_vec()),
        Ev::Pong,
        data(b"cde"),
        Ev::Ping(b"r".to_vec()),
        data(b"fg"),
    ]);
    assert_every_cut(&stream, &expected);
    // tungstenite hands the pings out before the message they interrupt: the same
    // controls, the same bytes.
    assert_eq!(tungstenite_server_reads(&stream).split(), expected.split());
}

/// A random valid stream, and the events it decodes to: binary messages of 1–3 fragments
/// with pings and pongs between and inside them, sometimes a close at the end.
fn random_stream(rng: &mut Rng) -> (Vec<u8>, Outcome) {
    const SIZES: [usize; 10] = [0, 1, 2, 3, 4, 5, 125, 126, 127, 65_536];
    let mut stream = Vec::new();
    let mut expected = Outcome::default();
    for _ in 0..1 + rng.below(6) {
        let fragments = 1 + rng.below(3);
        for i in 0..fragments {
            let len = match rng.below(3) {
                0 => SIZES[rng.below(SIZES.len())],
                _ => rng.below(300),
            };
            let payload = rng.bytes(len);
            let opcode = if i == 0 { OP_BINARY } else { OP_CONTINUATION };
            stream.extend(frame(opcode, i + 1 == fragments, &payload, rng.mask()));
            if len > 0 {
                expected.push(Ev::Data(payload));
            }
            if rng.below(3) == 0 {
                let len = rng.below(MAX_CONTROL_PAYLOAD + 1);
                let payload = rng.bytes(len);
                if rng.below(2) == 0 {
                    stream.extend(frame(OP_PING, true, &payload, rng.mask()));
                    expected.push(Ev::Ping(payload));
                } else {
                    stream.extend(frame(OP_PONG, true, &payload, rng.mask()));
                    expected.push(Ev::Pong);
                }
            }
        }
    }
    if rng.below(2) == 0 {
        let code = [1000, 1001, 1003, 3000, 4999][rng.below(5)];
        let reason = "ä".repeat(rng.below(62));
        let body = [&u16::to_be_bytes(code)[..], reason.as_bytes()].concat();
        stream.extend(frame(OP_CLOSE, true, &body, rng.mask()));
        expected.push(close_ev(code, &reason));
    }
    (stream, expected)
}

#[test]
fn random_streams_decode_at_random_cuts() {
    for seed in 1..=40 {
        let mut rng = Rng(seed);
        let (stream, expected) = random_stream(&mut rng);
        assert_eq!(
            tungstenite_server_reads(&stream).split(),
            expected.split(),
            "oracle, seed {seed}"
        );
        assert_eq!(decode_whole(&stream), expected, "seed {seed}");
        for max in [3, 20, 200, 16 * 1024] {
            assert_eq!(
                decode_in(&stream, rng.sizes(max)),
                expected,
                "seed {seed}, reads up to {max}"
            );
        }
    }
}

// --- the contract of `decode` ----------------------------------------------------------------

#[test]
fn decode_consumes_up_to_each_event_and_keeps_partial_headers() {
    let mut input = [binary(b"ab"), binary(b"cd"), binary(b"ef")].concat();
    let mut decoder = Decoder::new(MAX_FRAME_LEN);
    assert_eq!(decoder.decode(&mut []), Ok((0, None)));
    assert_eq!(
        decoder.decode(&mut input[..11]),
        Ok((8, Some(Event::Data(&b"ab"[..]))))
    );
    // Three bytes of the next header: consumed, kept inside.
    assert_eq!(decoder.decode(&mut input[8..11]), Ok((3, None)));
    assert_eq!(
        decoder.decode(&mut input[11..]),
        Ok((5, Some(Event::Data(&b"cd"[..]))))
    );
    assert_eq!(
        decoder.decode(&mut input[16..]),
        Ok((8, Some(Event::Data(&b"ef"[..]))))
    );
    assert_eq!(decoder.decode(&mut input[24..]), Ok((0, None)));
}

#[test]
fn data_is_unmasked_in_place() {
    // The example of `Decoder`'s documentation.
    let mut read = [0x82, 0x82, 1, 2, 3, 4, b'h' ^ 1, b'i' ^ 2];
    let mut decoder = Decoder::new(MAX_FRAME_LEN);
    assert_eq!(
        decoder.decode(&mut read),
        Ok((8, Some(Event::Data(&b"hi"[..]))))
    );
    assert_eq!(read, [0x82, 0x82, 1, 2, 3, 4, b'h', b'i']);
}

#[test]
fn the_mask_key_may_arrive_across_reads() {
    let payload = Rng(2).bytes(300);
    // 2 bytes, a 16-bit length, then the key at 4..8: cut it everywhere, in one to four
    // reads, and the payload at every offset of the key.
    let stream = frame(OP_BINARY, true, &payload, [0xde, 0xad, 0xbe, 0xef]);
    let expected = Outcome::ok(vec![Ev::Data(payload)]);
    for sizes in [
        vec![5, 1, 1, 1],
        vec![4, 1, 3],
        vec![6, 2],
        vec![7, 1, 1, 1, 1],
        vec![8, 1, 2, 3, 5, 7],
        vec![3, 3, 3, 3, 3],
    ] {
        assert_eq!(decode_in(&stream, sizes.clone()), expected, "{sizes:?}");
    }
}

#[test]
fn empty_frames_consume_their_header_and_hand_out_nothing() {
    let stream = [
        binary(b""),
        frame(OP_BINARY, false, b"", MASK),
        frame(OP_CONTINUATION, false, b"", MASK),
        frame(OP_CONTINUATION, true, b"x", MASK),
        frame(OP_PING, true, b"", MASK),
        binary(b""),
        frame(OP_PONG, true, b"", MASK),
        frame(OP_CLOSE, true, b"", MASK),
    ]
    .concat();
    let expected = Outcome::ok(vec![
        data(b"x"),
        Ev::Ping(vec![]),
        Ev::Pong,
        Ev::Close(None),
    ]);
    assert_every_cut(&stream, &expected);
    assert_eq!(tungstenite_server_reads(&stream), expected);
}

#[test]
fn control_payloads_are_whole_and_their_own() {
    // Two pings in a row, cut everywhere: each carries its own payload, whole.
    let first = Rng(3).bytes(MAX_CONTROL_PAYLOAD);
    let stream = [
        frame(OP_PING, true, &first, MASK),
        frame(OP_PING, true, b"second", [4, 3, 2, 1]),
        frame(OP_PING, true, b"", MASK),
    ]
    .concat();
    let expected = Outcome::ok(vec![
        Ev::Ping(first),
        Ev::Ping(b"second".to_vec()),
        Ev::Ping(vec![]),
    ]);
    assert_every_cut(&stream, &expected);
}

// --- header edge cases ------------------------------------------------------------------------

#[test]
fn lengths_need_not_be_minimal() {
    let stream = [
        raw(0x82, &[126, 0, 5], b"short"),
        raw(0x82, &[127, 0, 0, 0, 0, 0, 0, 0, 4], b"long"),
        raw(0x82, &[126, 0, 0], b""),
        raw(0x89, &[126, 0, 125], &[7; 125]),
        raw(0x8A, &[127, 0, 0, 0, 0, 0, 0, 0, 1], b"!"),
        raw(0x88, &[126, 0, 2], &[0x03, 0xE8]),
    ]
    .concat();
    let expected = Outcome::ok(vec![
        data(b"shortlong"),
        Ev::Ping(vec![7; 125]),
        Ev::Pong,
        close_ev(1000, ""),
    ]);
    assert_every_cut(&stream, &expected);
    assert_eq!(tungstenite_server_reads(&stream), expected, "oracle");
}

#[test]
fn a_64_bit_length_is_read_whole() {
    let payload = Rng(4).bytes(65_536 + 3);
    let stream = raw(0x82, &[127, 0, 0, 0, 0, 0, 1, 0, 3], &payload);
    assert_eq!(stream.len(), 14 + payload.len());
    let expected = Outcome::ok(vec![Ev::Data(payload)]);
    for cut in 0..=15 {
        assert_eq!(decode_in(&stream, [cut]), expected, "cut at {cut}");
    }
}

// --- errors ---------------------------------------------------------------------------------

#[test]
fn a_frame_over_the_limit_fails_on_its_header() {
    let payload = Rng(5).bytes(10);
    assert_eq!(
        decode_max(10, &binary(&payload)),
        Outcome::ok(vec![Ev::Data(payload)])
    );
    let over = binary(&[1; 11]);
    let error = FrameError::FrameTooLarge { len: 11, max: 10 };
    // The header alone is enough; with payload bytes after it, none is handed out.
    assert_eq!(decode_max(10, &over[..6]), Outcome::failed(vec![], error));
    assert_eq!(decode_max(10, &over), Outcome::failed(vec![], error));
    // Control frames too.
    assert_eq!(
        decode_max(2, &frame(OP_PING, true, b"abc", MASK)),
        Outcome::failed(vec![], FrameError::FrameTooLarge { len: 3, max: 2 })
    );
}

#[test]
fn a_frame_over_the_bridge_limit_fails_before_any_data() {
    let at_limit = Rng(6).bytes(MAX_FRAME_LEN);
    let reads = || iter::repeat(16 * 1024);
    assert_eq!(
        decode_in(&binary(&at_limit), reads()),
        Outcome::ok(vec![Ev::Data(at_limit)])
    );
    let over = tungstenite_writes([Message::Binary(vec![0; MAX_FRAME_LEN + 1].into())]);
    let error = FrameError::FrameTooLarge {
        len: MAX_FRAME_LEN as u64 + 1,
        max: MAX_FRAME_LEN,
    };
    assert_eq!(decode_in(&over, reads()), Outcome::failed(vec![], error));
    assert!(error.is_too_large());
}

#[test]
fn a_message_over_the_limit_fails_on_the_header_of_its_last_fragment() {
    let fragment = |opcode, fin, len| frame(opcode, fin, &vec![b'x'; len], MASK);
    // Fragments up to the limit pass, and each message starts from zero; a ping inside
    // does not count.
    let stream = [
        fragment(OP_BINARY, false, 4),
        fragment(OP_PING, true, 5),
        fragment(OP_CONTINUATION, true, 6),
        fragment(OP_BINARY, false, 3),
        fragment(OP_CONTINUATION, false, 3),
        fragment(OP_CONTINUATION, true, 4),
        fragment(OP_BINARY, true, 10),
    ]
    .concat();
    let expected = Outcome::ok(vec![
        data(b"xxxx"),
        Ev::Ping(b"xxxxx".to_vec()),
        data(&[b'x'; 26]),
    ]);
    assert_eq!(decode_max(10, &stream), expected);
    // One byte more: the fragments before were handed out, none of the last one.
    let stream = [
        fragment(OP_BINARY, false, 3),
        fragment(OP_CONTINUATION, false, 4),
        fragment(OP_CONTINUATION, true, 4),
    ]
    .concat();
    let error = FrameError::MessageTooLarge { len: 11, max: 10 };
    assert_eq!(
        decode_max(10, &stream),
        Outcome::failed(vec![data(b"xxxxxxx")], error)
    );
    assert!(error.is_too_large());
}

#[test]
fn a_message_over_the_bridge_limit_fails() {
    let half = MAX_FRAME_LEN / 2;
    let first = frame(OP_BINARY, false, &vec![1; half], MASK);
    let at_limit = [
        &first[..],
        &frame(OP_CONTINUATION, true, &vec![2; half], MASK),
    ]
    .concat();
    let over = [
        &first[..],
        &frame(OP_CONTINUATION, true, &vec![2; half + 1], MASK),
    ]
    .concat();
    let message = [vec![1; half], vec![2; half]].concat();
    assert_eq!(
        decode_whole(&at_limit),
        Outcome::ok(vec![Ev::Data(message)])
    );
    let error = FrameError::MessageTooLarge {
        len: MAX_FRAME_LEN as u64 + 1,
        max: MAX_FRAME_LEN,
    };
    assert_eq!(
        decode_whole(&over),
        Outcome::failed(vec![Ev::Data(vec![1; half])], error)
    );
}

#[test]
fn unmasked_frames_fail() {
    for stream in [
        raw_unmasked(0x82, &[2], b"hi"),
        raw_unmasked(0x89, &[0], b""),
        raw_unmasked(0x82, &[126, 0, 200], b""),
    ] {
        assert_eq!(
            decode_whole(&stream),
            Outcome::failed(vec![], FrameError::Unmasked),
            "{stream:x?}"
        );
    }
}

#[test]
fn reserved_bits_fail() {
    for bit in [0x40, 0x20, 0x10] {
        assert_eq!(
            decode_whole(&raw(0x82 | bit, &[1], b"x")),
            Outcome::failed(vec![], FrameError::ReservedBits),
            "{bit:#x}"
        );
    }
}

#[test]
fn reserved_opcodes_fail() {
    let reserved: Vec<u8> = (0x3..=0x7).chain(0xB..=0xF).collect();
    let outcomes: Vec<Outcome> = reserved
        .iter()
        .map(|&opcode| decode_whole(&raw(0x80 | opcode, &[1], b"x")))
        .collect();
    let expected: Vec<Outcome> = reserved
        .iter()
        .map(|&opcode| Outcome::failed(vec![], FrameError::ReservedOpcode(opcode)))
        .collect();
    assert_eq!(outcomes, expected);
}

#[test]
fn fragmented_control_frames_fail() {
    for opcode in [OP_CLOSE, OP_PING, OP_PONG] {
        assert_eq!(
            decode_whole(&frame(opcode, false, b"", MASK)),
            Outcome::failed(vec![], FrameError::FragmentedControl),
            "{opcode:#x}"
        );
    }
}

#[test]
fn control_frames_over_125_bytes_fail() {
    assert_eq!(
        decode_whole(&raw(0x89, &[126, 0, 126], &[0; 126])),
        Outcome::failed(vec![], FrameError::ControlTooLong(126))
    );
    assert_eq!(
        decode_whole(&raw(0x88, &[127, 0, 0, 0, 0, 0, 1, 0, 0], b"")),
        Outcome::failed(vec![], FrameError::ControlTooLong(65_536))
    );
}

#[test]
fn a_continuation_outside_a_message_fails() {
    let error = FrameError::UnexpectedContinuation;
    // At the start, after a whole message, after a fragmented message ended.
    let streams = [
        frame(OP_CONTINUATION, true, b"a", MASK),
        [binary(b"a"), frame(OP_CONTINUATION, true, b"b", MASK)].concat(),
        [
            frame(OP_BINARY, false, b"a", MASK),
            frame(OP_CONTINUATION, true, b"b", MASK),
            frame(OP_CONTINUATION, false, b"c", MASK),
        ]
        .concat(),
    ];
    let outcomes: Vec<Outcome> = streams.iter().map(|s| decode_whole(s)).collect();
    assert_eq!(
        outcomes,
        [
            Outcome::failed(vec![], error),
            Outcome::failed(vec![data(b"a")], error),
            Outcome::failed(vec![data(b"ab")], error),
        ]
    );
}

#[test]
fn a_new_message_inside_a_fragmented_one_fails() {
    let error = FrameError::ExpectedContinuation;
    let open_binary = frame(OP_BINARY, false, b"a", MASK);
    let open_text = frame(OP_TEXT, false, b"a", MASK);
    let streams = [
        [&open_binary[..], &binary(b"b")].concat(),
        [&open_binary[..], &frame(OP_TEXT, true, b"b", MASK)].concat(),
        [&open_text[..], &binary(b"b")].concat(),
    ];
    let outcomes: Vec<Outcome> = streams.iter().map(|s| decode_whole(s)).collect();
    assert_eq!(
        outcomes,
        [
            Outcome::failed(vec![data(b"a")], error),
            Outcome::failed(vec![data(b"a")], error),
            Outcome::failed(vec![Ev::Text], error),
        ]
    );
}

#[test]
fn a_64_bit_length_with_its_top_bit_set_fails() {
    let top = raw(0x82, &[127, 0x80, 0, 0, 0, 0, 0, 0, 0], b"");
    assert_eq!(
        decode_whole(&top),
        Outcome::failed(vec![], FrameError::LengthOverflow)
    );
    // The largest length without it is only too large.
    let largest = raw(
        0x82,
        &[127, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
        b"",
    );
    let error = FrameError::FrameTooLarge {
        len: u64::MAX >> 1,
        max: MAX_FRAME_LEN,
    };
    assert_eq!(decode_whole(&largest), Outcome::failed(vec![], error));
}

/// `(code, whether a peer may send it)`: each edge of the ranges of RFC 6455 §7.4.
const CLOSE_CODES: [(u16, bool); 24] = [
    (0, false),
    (999, false),
    (1000, true),
    (1001, true),
    (1002, true),
    (1003, true),
    (1004, false),
    (1005, false),
    (1006, false),
    (1007, true),
    (1011, true),
    (1012, true),
    (1013, true),
    (1014, true),
    (1015, false),
    (1016, false),
    (2999, false),
    (3000, true),
    (3999, true),
    (4000, true),
    (4001, true),
    (4999, true),
    (5000, false),
    (u16::MAX, false),
];

#[test]
fn close_codes_are_checked() {
    let outcomes: Vec<(u16, Outcome)> = CLOSE_CODES
        .iter()
        .map(|&(code, _)| {
            let body = [&code.to_be_bytes()[..], b"bye"].concat();
            (code, decode_whole(&frame(OP_CLOSE, true, &body, MASK)))
        })
        .collect();
    let expected: Vec<(u16, Outcome)> = CLOSE_CODES
        .iter()
        .map(|&(code, allowed)| {
            let outcome = if allowed {
                Outcome::ok(vec![close_ev(code, "bye")])
            } else {
                Outcome::failed(vec![], FrameError::InvalidCloseCode(code))
            };
            (code, outcome)
        })
        .collect();
    assert_eq!(outcomes, expected);
}

#[test]
fn close_codes_agree_with_tungstenite_but_1014() {
    // 1014 (bad gateway) was registered with IANA after tungstenite's list was written.
    let disagree: Vec<u16> = (0..=u16::MAX)
        .filter(|&code| close_code_allowed(code) != CloseCode::from(code).is_allowed())
        .collect();
    assert_eq!(disagree, [1014]);
}

#[test]
fn close_bodies_are_checked() {
    let decode_close = |body: &[u8]| decode_whole(&frame(OP_CLOSE, true, body, MASK));
    let reason = "é".repeat(61) + "x";
    let longest = [&[0x0F, 0xA1][..], reason.as_bytes()].concat();
    assert_eq!(longest.len(), MAX_CONTROL_PAYLOAD);
    let outcomes = [
        decode_close(b""),
        decode_close(&[0x03]),
        decode_close(&[0x03, 0xE8]),
        decode_close(&[0x03, 0xE9, b'o', b'k']),
        decode_close(&longest),
        decode_close(&[0x03, 0xE8, b'o', 0xFF]),
        decode_close(&[0x03, 0xE8, 0xC3]),
    ];
    assert_eq!(
        outcomes,
        [
            Outcome::ok(vec![Ev::Close(None)]),
            Outcome::failed(vec![], FrameError::CloseTooShort),
            Outcome::ok(vec![close_ev(1000, "")]),
            Outcome::ok(vec![close_ev(1001, "ok")]),
            Outcome::ok(vec![close_ev(4001, &reason)]),
            Outcome::failed(vec![], FrameError::InvalidCloseReason),
            Outcome::failed(vec![], FrameError::InvalidCloseReason),
        ]
    );
    // A close cut anywhere is checked whole.
    assert_every_cut(
        &frame(OP_CLOSE, true, &longest, [9, 8, 7, 6]),
        &Outcome::ok(vec![close_ev(4001, &reason)]),
    );
}

#[test]
fn errors_are_final() {
    let mut decoder = Decoder::new(MAX_FRAME_LEN);
    let unmasked = raw_unmasked(0x82, &[2], b"hi");
    let error = FrameError::Unmasked;
    assert_eq!(
        feed(&mut decoder, &unmasked, []),
        Outcome::failed(vec![], error)
    );
    // A valid frame after it does not decode: the stream is out of step.
    assert_eq!(
        feed(&mut decoder, &binary(b"ok"), []),
        Outcome::failed(vec![], error)
    );
    assert_eq!(decoder.decode(&mut []), Err(error));
}

#[test]
fn only_size_errors_are_too_large() {
    let errors = [
        FrameError::FrameTooLarge { len: 2, max: 1 },
        FrameError::MessageTooLarge { len: 2, max: 1 },
        FrameError::Unmasked,
        FrameError::ReservedBits,
        FrameError::ReservedOpcode(3),
        FrameError::FragmentedControl,
        FrameError::ControlTooLong(126),
        FrameError::UnexpectedContinuation,
        FrameError::ExpectedContinuation,
        FrameError::LengthOverflow,
        FrameError::CloseTooShort,
        FrameError::InvalidCloseCode(1005),
        FrameError::InvalidCloseReason,
    ];
    let mut expected = [false; 13];
    expected[..2].fill(true);
    assert_eq!(errors.map(FrameError::is_too_large), expected);
    assert_eq!(
        errors[0].to_string(),
        "frame of 2 bytes over the limit of 1"
    );
}

// --- text -----------------------------------------------------------------------------------

#[test]
fn text_is_reported_on_its_header_and_skipped() {
    let text = frame(OP_TEXT, true, b"hello", MASK);
    assert_eq!(decode_whole(&text[..6]), Outcome::ok(vec![Ev::Text]));
    // A fragmented text message with a ping inside, then binary: no byte of the text
    // shows, nor is it checked as UTF-8.
    let stream = [
        frame(OP_TEXT, false, b"\xFFh", MASK),
        frame(OP_PING, true, b"p", MASK),
        frame(OP_CONTINUATION, false, b"ll", [1, 2, 3, 4]),
        frame(OP_CONTINUATION, true, b"o", MASK),
        frame(OP_TEXT, true, b"", MASK),
        binary(b"x"),
    ]
    .concat();
    let expected = Outcome::ok(vec![
        Ev::Text,
        Ev::Ping(b"p".to_vec()),
        Ev::Text,
        data(b"x"),
    ]);
    assert_every_cut(&stream, &expected);
}

#[test]
fn a_text_message_counts_against_the_limits() {
    let stream = [
        frame(OP_TEXT, false, b"abcd", MASK),
        frame(OP_CONTINUATION, true, b"efghijk", MASK),
    ]
    .concat();
    assert_eq!(
        decode_max(10, &stream),
        Outcome::failed(
            vec![Ev::Text],
            FrameError::MessageTooLarge { len: 11, max: 10 }
        )
    );
}

/// A decoding by a decoder [`with_text_payloads`](Decoder::with_text_payloads), in reads of
/// `sizes` bytes.
fn decode_text_in(stream: &[u8], sizes: impl IntoIterator<Item = usize>) -> Outcome {
    feed(
        &mut Decoder::new(MAX_FRAME_LEN).with_text_payloads(),
        stream,
        sizes,
    )
}

fn text_ev(bytes: &[u8]) -> Ev {
    Ev::TextData(bytes.to_vec(), true)
}

#[test]
fn text_payloads_are_handed_out_when_asked_for_at_every_cut() {
    // A fragmented text message with a ping inside, an empty final frame, a message ending
    // with an empty continuation, then binary: every text byte shows, in order, and only
    // the final frame's last bytes end a message. Not checked as UTF-8.
    let stream = [
        frame(OP_TEXT, false, b"cre", MASK),
        frame(OP_PING, true, b"p", MASK),
        frame(OP_CONTINUATION, false, b"dit", [1, 2, 3, 4]),
        frame(OP_CONTINUATION, true, b" 5", MASK),
        frame(OP_TEXT, true, b"", MASK),
        frame(OP_TEXT, false, b"\xFFx", MASK),
        frame(OP_CONTINUATION, false, b"", MASK),
        frame(OP_CONTINUATION, true, b"", MASK),
        frame(OP_TEXT, true, b"ready", MASK),
        binary(b"x"),
    ]
    .concat();
    let expected = Outcome::ok(vec![
        Ev::TextData(b"cre".to_vec(), false),
        Ev::Ping(b"p".to_vec()),
        text_ev(b"dit 5"),
        text_ev(b""),
        text_ev(b"\xFFx"),
        text_ev(b"ready"),
        data(b"x"),
    ]);
    for cut in 0..=stream.len() {
        assert_eq!(decode_text_in(&stream, [cut]), expected, "cut at {cut}");
    }
    assert_eq!(
        decode_text_in(&stream, iter::repeat(1)),
        expected,
        "1-byte reads"
    );
}

#[test]
fn a_text_frame_read_in_pieces_ends_only_with_its_last_byte() {
    let stream = frame(OP_TEXT, true, b"credit 12", MASK);
    let mut decoder = Decoder::new(MAX_FRAME_LEN).with_text_payloads();
    let mut first = stream[..8].to_vec();
    let (used, event) = decoder.decode(&mut first).expect("valid");
    assert_eq!(used, 8);
    assert_eq!(
        event,
        Some(Event::TextData {
            bytes: b"cr",
            last: false
        })
    );
    let mut rest = stream[8..].to_vec();
    let len = rest.len();
    let (used, event) = decoder.decode(&mut rest).expect("valid");
    assert_eq!(used, len);
    assert_eq!(
        event,
        Some(Event::TextData {
            bytes: b"edit 12",
            last: true
        })
    );
    // An empty final frame ends its message at its header.
    let mut empty = frame(OP_TEXT, true, b"", MASK);
    let len = empty.len();
    assert_eq!(
        decoder.decode(&mut empty).expect("valid"),
        (
            len,
            Some(Event::TextData {
                bytes: b"",
                last: true
            })
        )
    );
    // An empty frame that does not end the message hands out nothing.
    let mut open = frame(OP_TEXT, false, b"", MASK);
    let len = open.len();
    assert_eq!(decoder.decode(&mut open).expect("valid"), (len, None));
}

#[test]
fn handed_out_text_counts_against_the_limits() {
    let stream = [
        frame(OP_TEXT, false, b"abcd", MASK),
        frame(OP_CONTINUATION, true, b"efghijk", MASK),
    ]
    .concat();
    assert_eq!(
        feed(&mut Decoder::new(10).with_text_payloads(), &stream, []),
        Outcome::failed(
            vec![Ev::TextData(b"abcd".to_vec(), false)],
            FrameError::MessageTooLarge { len: 11, max: 10 }
        )
    );
    // The binary rules still hold: a new message inside a fragmented text one fails.
    let stream = [frame(OP_TEXT, false, b"a", MASK), binary(b"b")].concat();
    assert_eq!(
        decode_text_in(&stream, []),
        Outcome::failed(
            vec![Ev::TextData(b"a".to_vec(), false)],
            FrameError::ExpectedContinuation
        )
    );
}

#[test]
fn text_frames_are_unmasked_final_and_minimal() {
    assert_eq!(text("ready tls=bridge"), b"\x81\x10ready tls=bridge");
    assert_eq!(text(""), [0x81, 0]);
    let x = |n: usize| "x".repeat(n);
    assert_eq!(text(&x(125))[..2], [0x81, 125]);
    assert_eq!(text(&x(125)).len(), 127);
    assert_eq!(text(&x(126))[..4], [0x81, 126, 0, 126]);
    assert_eq!(text(&x(256))[..4], [0x81, 126, 1, 0]);
    assert_eq!(text(&x(256)).len(), 260);
    assert_eq!(
        text_header(65_536).as_bytes(),
        [0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0]
    );
    // Binary and text headers differ in the opcode only.
    for len in LENGTHS {
        let (b, t) = (binary_header(len), text_header(len));
        assert_eq!(b.as_bytes()[0], 0x82);
        assert_eq!(t.as_bytes()[0], 0x81);
        assert_eq!(b.as_bytes()[1..], t.as_bytes()[1..], "{len}");
    }
    let stream = [text("ready tls=none"), text(&x(256))].concat();
    assert_eq!(
        tungstenite_client_reads(&stream),
        [
            Message::Text("ready tls=none".into()),
            Message::Text(x(256).into())
        ]
    );
}

// --- bounded memory -------------------------------------------------------------------------

#[test]
fn a_256_kib_frame_in_16_kib_reads_is_handed_out_read_by_read() {
    const READ: usize = 16 * 1024;
    let payload = Rng(7).bytes(MAX_FRAME_LEN);
    let stream = binary(&payload);
    let mut decoder = Decoder::new(MAX_FRAME_LEN);
    let mut received = Vec::new();
    // How many payload bytes each read hands out, before the next read: all it holds.
    let mut per_read = Vec::new();
    for read in stream.chunks(READ) {
        let mut buf = read.to_vec();
        let mut pos = 0;
        let before = received.len();
        while pos < buf.len() {
            let (used, event) = decoder.decode(&mut buf[pos..]).expect("valid");
            assert_ne!(used, 0, "nothing consumed");
            if let Some(Event::Data(bytes)) = event {
                received.extend_from_slice(bytes);
            }
            pos += used;
        }
        per_read.push(received.len() - before);
    }
    // The 14-byte header takes the start of the first read, the last read is the rest.
    let mut expected = vec![READ; MAX_FRAME_LEN / READ];
    expected[0] -= 14;
    expected.push(14);
    assert_eq!(per_read, expected);
    assert!(received == payload, "payload differs");
}

#[test]
fn the_decoder_is_small_and_fixed() {
    // Its whole state: no heap, whatever the frames.
    let size = std::mem::size_of::<Decoder>();
    assert!(size <= 256, "Decoder is {size} bytes");
}

// --- encoding ---------------------------------------------------------------------------------

#[test]
fn binary_headers_are_minimal() {
    let cases: [(usize, &[u8]); 8] = [
        (0, &[0x82, 0]),
        (1, &[0x82, 1]),
        (125, &[0x82, 125]),
        (126, &[0x82, 126, 0, 126]),
        (127, &[0x82, 126, 0, 127]),
        (65_535, &[0x82, 126, 0xFF, 0xFF]),
        (65_536, &[0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]),
        (MAX_FRAME_LEN, &[0x82, 127, 0, 0, 0, 0, 0, 4, 0, 0]),
    ];
    let headers: Vec<(usize, Vec<u8>)> = cases
        .iter()
        .map(|&(len, _)| (len, binary_header(len).as_bytes().to_vec()))
        .collect();
    let expected: Vec<(usize, Vec<u8>)> = cases
        .iter()
        .map(|&(len, bytes)| (len, bytes.to_vec()))
        .collect();
    assert_eq!(headers, expected);
    // As tungstenite writes them.
    for len in LENGTHS {
        let mut theirs = Vec::new();
        FrameHeader {
            opcode: OpCode::from(OP_BINARY),
            ..FrameHeader::default()
        }
        .format(len as u64, &mut theirs)
        .expect("format");
        assert_eq!(binary_header(len).as_bytes(), theirs, "{len}");
    }
}

#[test]
fn tungstenite_reads_our_binary_frames() {
    let mut rng = Rng(8);
    let mut stream = Vec::new();
    let mut expected = Vec::new();
    for len in LENGTHS {
        let payload = rng.bytes(len);
        let mut buf = [&[0xAA; MAX_HEADER_LEN][..], &payload].concat();
        let framed = frame_binary(&mut buf, MAX_HEADER_LEN).expect("headroom");
        assert_eq!(framed, [binary_header(len).as_bytes(), &payload].concat());
        stream.extend_from_slice(framed);
        expected.push(Message::Binary(payload.into()));
    }
    assert_eq!(tungstenite_client_reads(&stream), expected);
}

#[test]
fn frame_binary_needs_its_headroom() {
    let mut buf = *b"\0\0hi";
    assert_eq!(frame_binary(&mut buf, 2), Some(&[0x82, 2, b'h', b'i'][..]));
    let mut buf = *b"\0\0\0hi";
    assert_eq!(frame_binary(&mut buf, 3), Some(&[0x82, 2, b'h', b'i'][..]));
    assert_eq!(
        frame_binary(&mut [0; MAX_HEADER_LEN], MAX_HEADER_LEN),
        Some(&[0x82, 0][..])
    );
    assert_eq!(frame_binary(&mut [0, b'h', b'i'], 1), None);
    assert_eq!(frame_binary(&mut [0; 4], 5), None);
    let mut buf = [0; 4 + 126];
    assert_eq!(frame_binary(&mut buf, 4).map(<[u8]>::len), Some(130));
    assert_eq!(frame_binary(&mut buf[1..], 3), None);
    let mut buf = vec![0; MAX_HEADER_LEN + 65_536];
    assert_eq!(
        frame_binary(&mut buf, MAX_HEADER_LEN).map(<[u8]>::len),
        Some(buf.len())
    );
    assert_eq!(frame_binary(&mut buf[1..], MAX_HEADER_LEN - 1), None);
}

#[test]
fn control_frames_are_unmasked_and_exact() {
    let frames = [
        ping(b"").as_bytes().to_vec(),
        ping(b"hi").as_bytes().to_vec(),
        pong(b"abc").as_bytes().to_vec(),
        close(1000, "bye").as_bytes().to_vec(),
        close(4001, "").as_bytes().to_vec(),
        close_empty().as_bytes().to_vec(),
    ];
    let expected: [&[u8]; 6] = [
        &[0x89, 0],
        &[0x89, 2, b'h', b'i'],
        &[0x8A, 3, b'a', b'b', b'c'],
        &[0x88, 5, 0x03, 0xE8, b'b', b'y', b'e'],
        &[0x88, 2, 0x0F, 0xA1],
        &[0x88, 0],
    ];
    assert_eq!(frames, expected);
}

#[test]
fn tungstenite_reads_our_control_frames() {
    let long = Rng(9).bytes(MAX_CONTROL_PAYLOAD);
    let reason = "upstream closed";
    let stream = [
        ping(b"").as_bytes(),
        ping(&long).as_bytes(),
        pong(b"hi").as_bytes(),
        close(4006, reason).as_bytes(),
    ]
    .concat();
    assert_eq!(
        tungstenite_client_reads(&stream),
        [
            Message::Ping(Bytes::new()),
            Message::Ping(long.into()),
            Message::Pong(Bytes::from_static(b"hi")),
            Message::Close(Some(CloseFrame {
                code: CloseCode::from(4006),
                reason: reason.into(),
            })),
        ]
    );
    assert_eq!(
        tungstenite_client_reads(close_empty().as_bytes()),
        [Message::Close(None)]
    );
}

#[test]
fn long_payloads_and_reasons_are_cut() {
    let long = Rng(10).bytes(200);
    assert_eq!(
        ping(&long).as_bytes(),
        [&[0x89, 125][..], &long[..125]].concat()
    );
    assert_eq!(
        pong(&long).as_bytes(),
        [&[0x8A, 125][..], &long[..125]].concat()
    );
    let close_of = |reason: &str| close(1000, reason).as_bytes().to_vec();
    let with_body = |reason: &str| {
        let len = 2 + reason.len() as u8;
        [&[0x88, len, 0x03, 0xE8][..], reason.as_bytes()].concat()
    };
    let x = |n: usize| "x".repeat(n);
    let cases = [
        // Up to 123 bytes pass whole; beyond, cut at 123 or at the character boundary
        // before.
        (x(123), x(123)),
        (x(200), x(123)),
        (x(121) + "é", x(121) + "é"),
        (x(122) + "é", x(122)),
        (x(121) + "€", x(121)),
        (x(120) + "€", x(120) + "€"),
        (x(122) + "😀", x(122)),
        (x(119) + "😀", x(119) + "😀"),
    ];
    for (reason, kept) in cases {
        assert_eq!(close_of(&reason), with_body(&kept), "{reason}");
    }
}
