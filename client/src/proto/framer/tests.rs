//! Unit tests of the framer: known answers, splits, bad input, no rescanning.

use super::*;

/// What a simulated driver saw.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    Complete(Vec<u8>),
    /// Consecutive `Discard`s of one bad response, merged: its error and the bytes dropped.
    Discarded(Option<FrameError>, usize),
}

/// Simulated driver: append each chunk, take every frame, drop what the framer says.
struct Driver {
    framer: Framer,
    buf: Vec<u8>,
    events: Vec<Event>,
    max_buf: usize,
}

impl Driver {
    fn new(limits: Limits) -> Self {
        Self {
            framer: Framer::new(limits),
            buf: Vec::new(),
            events: Vec::new(),
            max_buf: 0,
        }
    }

    fn feed(&mut self, chunk: &[u8]) {
        self.buf.extend_from_slice(chunk);
        self.max_buf = self.max_buf.max(self.buf.len());
        loop {
            match self.framer.decode(&self.buf) {
                Frame::Incomplete => break,
                Frame::Complete { len } => {
                    assert!(len > 0 && len <= self.buf.len());
                    self.events.push(Event::Complete(self.buf[..len].to_vec()));
                    self.buf.drain(..len);
                }
                Frame::Discard { len, error } => {
                    assert!(len <= self.buf.len());
                    match (error, self.events.last_mut()) {
                        (None, Some(Event::Discarded(_, total))) => *total += len,
                        (None, _) => panic!("Discard without error starts no bad response"),
                        (Some(e), _) => self.events.push(Event::Discarded(Some(e), len)),
                    }
                    self.buf.drain(..len);
                }
            }
        }
    }
}

fn frame_in_chunks(limits: Limits, input: &[u8], chunk: usize) -> (Vec<Event>, Vec<u8>) {
    let mut driver = Driver::new(limits);
    for piece in input.chunks(chunk.max(1)) {
        driver.feed(piece);
    }
    (driver.events, driver.buf)
}

fn frame_all(input: &[u8]) -> (Vec<Event>, Vec<u8>) {
    frame_in_chunks(Limits::default(), input, input.len())
}

fn complete(parts: &[&[u8]]) -> Vec<Event> {
    parts.iter().map(|p| Event::Complete(p.to_vec())).collect()
}

fn small_limits() -> Limits {
    Limits {
        max_line: 64,
        max_literal: 100,
        max_response: 300,
    }
}

const GOOD: &[u8] = b"* OK still in sync\r\n";

#[test]
fn simple_lines_are_one_response_each() {
    let (events, rest) = frame_all(b"* OK ready\r\na1 OK done\r\n+ go on\r\n");
    assert_eq!(
        events,
        complete(&[b"* OK ready\r\n", b"a1 OK done\r\n", b"+ go on\r\n"])
    );
    assert!(rest.is_empty());
}

#[test]
fn incomplete_line_waits_and_keeps_its_bytes() {
    let mut framer = Framer::default();
    assert_eq!(framer.decode(b""), Frame::Incomplete);
    assert_eq!(framer.decode(b"* OK rea"), Frame::Incomplete);
    assert_eq!(framer.decode(b"* OK rea"), Frame::Incomplete);
    assert_eq!(framer.decode(b"* OK ready\r"), Frame::Incomplete);
    assert_eq!(
        framer.decode(b"* OK ready\r\n"),
        Frame::Complete { len: 12 }
    );
}

#[test]
fn response_with_one_literal_spans_the_literal() {
    let resp: &[u8] = b"* 1 FETCH (BODY[] {5}\r\nhello FLAGS (\\Seen))\r\n";
    let (events, _) = frame_all(&[resp, GOOD].concat());
    assert_eq!(events, complete(&[resp, GOOD]));
}

#[test]
fn response_with_several_literals_including_empty_ones() {
    let resp: &[u8] = b"* 7 FETCH (BODY[1] {3}\r\nabc BODY[2] {0}\r\n BODY[3] {2}\r\nxy)\r\n";
    let only_empty: &[u8] = b"* LIST () \"/\" {0}\r\n\r\n";
    let (events, rest) = frame_all(&[resp, only_empty, GOOD].concat());
    assert_eq!(events, complete(&[resp, only_empty, GOOD]));
    assert!(rest.is_empty());
}

#[test]
fn literal8_is_framed_like_a_literal() {
    let resp: &[u8] = b"* 2 FETCH (BINARY[1] ~{4}\r\n\0\r\n\xff)\r\n";
    let (events, _) = frame_all(&[resp, GOOD].concat());
    assert_eq!(events, complete(&[resp, GOOD]));
}

#[test]
fn literal_body_with_crlf_and_marker_text_is_not_scanned() {
    let resp: &[u8] = b"* 3 FETCH (BODY[] {14}\r\n{5}\r\nab\r\n\r\n\n)\r\n";
    let (events, _) = frame_all(&[resp, GOOD].concat());
    assert_eq!(events, complete(&[resp, GOOD]));
}

#[test]
fn marker_inside_quoted_string_is_plain_text() {
    // `"x{5}"` ends in a quote: not a marker, the response ends at this line.
    let quoted: &[u8] = b"* LIST () \"/\" \"x{5}\"\r\n";
    // The same name as a real literal: the marker is the last thing before CRLF.
    let literal: &[u8] = b"* LIST () \"/\" {5}\r\nx{5}\"\r\n";
    let (events, _) = frame_all(&[quoted, literal, GOOD].concat());
    assert_eq!(events, complete(&[quoted, literal, GOOD]));
}

#[test]
fn text_that_only_looks_like_a_marker_is_plain_text() {
    let lines: &[&[u8]] = &[
        b"* OK {}\r\n",
        b"* OK {x}\r\n",
        b"* OK { 5}\r\n",
        b"* OK {5 }\r\n",
        b"* OK {5} \r\n",
        b"* OK 5}\r\n",
        b"}\r\n",
        b"* OK {5}\r\r\n",
        // Non-synchronising literals never come from a server: strict, plain text.
        b"* OK {5+}\r\n",
        b"* OK {5-}\r\n",
    ];
    let (events, rest) = frame_all(&lines.concat());
    assert_eq!(events, complete(lines));
    assert!(rest.is_empty());
}

#[test]
fn bare_lf_ends_a_line_and_a_marker() {
    let resp: &[u8] = b"* 1 FETCH (BODY[] {3}\nabc)\n";
    let line: &[u8] = b"* OK bare\n";
    let (events, _) = frame_all(&[resp, line, GOOD].concat());
    assert_eq!(events, complete(&[resp, line, GOOD]));
}

#[test]
fn leading_zeros_and_twenty_digit_lengths_are_accepted() {
    let resp: &[u8] = b"* 1 FETCH (BODY[] {0003}\r\nabc)\r\n";
    let (events, _) = frame_all(&[resp, GOOD].concat());
    assert_eq!(events, complete(&[resp, GOOD]));

    let mut framer = Framer::new(Limits {
        max_literal: u64::MAX,
        max_response: u64::MAX,
        ..Limits::default()
    });
    assert_eq!(
        framer.decode(b"* 1 FETCH (BODY[] {18446744073709551615}\r\n"),
        Frame::Incomplete
    );
    assert_eq!(framer.literal_bytes_pending(), u64::MAX);
}

/// A set of responses covering every construct, used for split tests.
fn mixed_corpus() -> Vec<u8> {
    [
        &b"* OK [CAPABILITY IMAP4rev1] ready\r\n"[..],
        b"* 1 FETCH (UID 5 BODY[] {14}\r\nab\r\n{3}\r\nxyz\r\n FLAGS ())\r\n",
        b"* 2 FETCH (BINARY[1] ~{2}\r\n\0\n BODY[2] {0}\r\n)\r\n",
        b"* LIST () \"/\" \"q{2}\"\r\n",
        b"* OK bare lf\n",
        b"a1 OK done\r\n",
    ]
    .concat()
}

#[test]
fn feeding_one_byte_at_a_time_gives_the_same_frames() {
    let input = mixed_corpus();
    let (all_at_once, rest) = frame_all(&input);
    assert_eq!(all_at_once.len(), 6);
    assert!(rest.is_empty());
    assert_eq!(
        frame_in_chunks(Limits::default(), &input, 1),
        (all_at_once, rest)
    );
}

#[test]
fn splitting_at_every_byte_boundary_gives_the_same_frames() {
    let input = mixed_corpus();
    let expected = frame_all(&input);
    for split in 0..=input.len() {
        let mut driver = Driver::new(Limits::default());
        driver.feed(&input[..split]);
        driver.feed(&input[split..]);
        assert_eq!((driver.events, driver.buf), expected, "split at {split}");
    }
}

#[test]
fn bad_input_splits_like_good_input() {
    // Over-long line ending in a literal, too-large literal, overflow, good lines between.
    let long_line = [&[b'x'; 100][..], b" {3}\r\nabc)\r\n"].concat();
    let input = [
        &long_line[..],
        GOOD,
        b"* 1 FETCH (BODY[] {101}\r\n",
        &[b'z'; 101],
        b")\r\n",
        GOOD,
        b"* 1 FETCH (BODY[] {123456789012345678901}\r\n",
        GOOD,
    ]
    .concat();
    let expected = frame_in_chunks(small_limits(), &input, input.len());
    assert_eq!(
        expected.0,
        vec![
            Event::Discarded(Some(FrameError::LineTooLong { limit: 64 }), long_line.len()),
            Event::Complete(GOOD.to_vec()),
            Event::Discarded(
                Some(FrameError::LiteralTooLarge {
                    announced: 101,
                    limit: 100
                }),
                25 + 101 + 3
            ),
            Event::Complete(GOOD.to_vec()),
            Event::Discarded(Some(FrameError::LiteralLengthOverflow), 43),
            Event::Complete(GOOD.to_vec()),
        ]
    );
    for chunk in [1, 2, 3, 7, 31, 32, 33, 64] {
        assert_eq!(
            frame_in_chunks(small_limits(), &input, chunk),
            expected,
            "chunk {chunk}"
        );
    }
    for split in 0..=input.len() {
        let mut driver = Driver::new(small_limits());
        driver.feed(&input[..split]);
        driver.feed(&input[split..]);
        assert_eq!((driver.events, driver.buf), expected, "split at {split}");
    }
}

#[test]
fn huge_literal_is_a_typed_error_and_is_skipped_without_buffering() {
    let header: &[u8] = b"* 1 FETCH (BODY[] {4294967295}\r\n";
    let mut framer = Framer::default();
    assert_eq!(
        framer.decode(header),
        Frame::Discard {
            len: header.len(),
            error: Some(FrameError::LiteralTooLarge {
                announced: 4_294_967_295,
                limit: Limits::DEFAULT_MAX_LITERAL,
            }),
        }
    );
    assert_eq!(
        framer.literal_bytes_pending(),
        0,
        "nothing to reserve for a bad literal"
    );
    // Skip all 4 GiB by counting: the driver drops each chunk as it arrives, so one 64 KiB
    // chunk is all the memory it ever holds.
    let chunk = vec![0u8; 64 * 1024];
    let mut left: u64 = 4_294_967_295;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        assert_eq!(
            framer.decode(&chunk[..n]),
            Frame::Discard {
                len: n,
                error: None
            }
        );
        left -= n as u64;
    }
    let tail = [&b" FLAGS ())\r\n"[..], GOOD].concat();
    assert_eq!(
        framer.decode(&tail),
        Frame::Discard {
            len: 12,
            error: None
        }
    );
    assert_eq!(
        framer.decode(&tail[12..]),
        Frame::Complete { len: GOOD.len() }
    );
}

#[test]
fn literal_length_beyond_u64_is_a_typed_error_that_loses_sync() {
    let line: &[u8] = b"* 1 FETCH (BODY[] {99999999999999999999999}\r\n";
    let twenty_digits: &[u8] = b"* 1 FETCH (BODY[] {99999999999999999999}\r\n";
    for bad in [line, twenty_digits] {
        let (events, _) = frame_all(&[bad, GOOD].concat());
        assert_eq!(
            events,
            vec![
                Event::Discarded(Some(FrameError::LiteralLengthOverflow), bad.len()),
                Event::Complete(GOOD.to_vec()),
            ]
        );
    }
    assert!(!FrameError::LiteralLengthOverflow.keeps_sync());
    assert!(FrameError::LineTooLong { limit: 1 }.keeps_sync());
}

#[test]
fn hundred_megabytes_without_crlf_stay_bounded_and_sync_is_kept() {
    const CHUNK: usize = 64 * 1024;
    let limits = Limits::default();
    let mut driver = Driver::new(limits);
    let chunk = vec![b'a'; CHUNK];
    for _ in 0..(100 * 1024 * 1024 / CHUNK) {
        driver.feed(&chunk);
        assert!(driver.buf.len() <= limits.max_line + CHUNK);
    }
    assert!(
        driver.max_buf <= limits.max_line + CHUNK,
        "max {}",
        driver.max_buf
    );
    driver.feed(b"\r\n");
    driver.feed(GOOD);
    assert_eq!(
        driver.events,
        vec![
            Event::Discarded(
                Some(FrameError::LineTooLong {
                    limit: limits.max_line
                }),
                100 * 1024 * 1024 + 2
            ),
            Event::Complete(GOOD.to_vec()),
        ]
    );
    assert!(driver.buf.is_empty());
}

#[test]
fn over_long_line_is_reported_before_its_end_arrives() {
    let mut framer = Framer::new(small_limits());
    assert_eq!(framer.decode(&[b'a'; 63]), Frame::Incomplete);
    assert_eq!(
        framer.decode(&[b'a'; 64]),
        Frame::Discard {
            len: 64 - MARKER_WINDOW,
            error: Some(FrameError::LineTooLong { limit: 64 }),
        }
    );
}

#[test]
fn limits_are_inclusive() {
    let limits = small_limits();
    let line_at_limit = [&[b'a'; 62][..], b"\r\n"].concat();
    let literal_at_limit = [&b"{100}\r\n"[..], &[b'b'; 100], b"\r\n"].concat();
    let (events, _) = frame_in_chunks(
        limits,
        &[&line_at_limit[..], &literal_at_limit].concat(),
        1000,
    );
    assert_eq!(events, complete(&[&line_at_limit, &literal_at_limit]));

    let line_over = [&[b'a'; 63][..], b"\r\n"].concat();
    let (events, _) = frame_in_chunks(limits, &[&line_over[..], GOOD].concat(), 1000);
    assert_eq!(
        events,
        vec![
            Event::Discarded(Some(FrameError::LineTooLong { limit: 64 }), 65),
            Event::Complete(GOOD.to_vec()),
        ]
    );
}

#[test]
fn response_over_its_limit_is_skipped_with_its_literals() {
    // Each literal is fine (100), the third pushes the response past 300.
    let part = [&b"{100}\r\n"[..], &[b'c'; 100]].concat();
    let bad = [&part[..], &part, &part, b")\r\n"].concat();
    let (events, rest) = frame_in_chunks(small_limits(), &[&bad[..], GOOD].concat(), 50);
    assert_eq!(
        events,
        vec![
            Event::Discarded(Some(FrameError::ResponseTooLarge { limit: 300 }), bad.len()),
            Event::Complete(GOOD.to_vec()),
        ]
    );
    assert!(rest.is_empty());

    // Line text after literals counts against the response limit too: 214 bytes of
    // literals leave 86 for a line that the line limit alone would allow (100).
    let limits = Limits {
        max_line: 100,
        ..small_limits()
    };
    let text_heavy = [&part[..], &part, &[b't'; 90], b"\r\n"].concat();
    let (events, _) = frame_in_chunks(limits, &[&text_heavy[..], GOOD].concat(), 7);
    assert_eq!(
        events,
        vec![
            Event::Discarded(
                Some(FrameError::ResponseTooLarge { limit: 300 }),
                text_heavy.len()
            ),
            Event::Complete(GOOD.to_vec()),
        ]
    );
}

#[test]
fn megabyte_literal_fed_byte_by_byte_is_never_rescanned() {
    let header: &[u8] = b"* 1 FETCH (BODY[] {1048576}\r\n";
    let trailer: &[u8] = b")\r\n";
    let mut framer = Framer::default();
    let mut buf = Vec::with_capacity(header.len() + (1 << 20) + trailer.len());
    let literal = vec![b'\n'; 1 << 20]; // all LF: any rescan would show
    let input = [header, &literal, trailer].concat();
    let mut result = Frame::Incomplete;
    for &b in &input {
        assert_eq!(result, Frame::Incomplete);
        buf.push(b);
        result = framer.decode(&buf);
    }
    assert_eq!(result, Frame::Complete { len: input.len() });
    // Only the line text was searched, each byte once; the literal not at all.
    assert_eq!(framer.examined, (header.len() + trailer.len()) as u64);
}

#[test]
fn long_line_fed_byte_by_byte_is_searched_once() {
    let mut line = vec![b'a'; 1 << 20];
    line.extend_from_slice(b"\r\n");
    let mut framer = Framer::new(Limits {
        max_line: 2 << 20,
        ..Limits::default()
    });
    for end in 1..line.len() {
        assert_eq!(framer.decode(&line[..end]), Frame::Incomplete);
    }
    assert_eq!(framer.decode(&line), Frame::Complete { len: line.len() });
    assert_eq!(framer.examined, line.len() as u64);
}

#[test]
fn pending_literal_bytes_are_reported_for_reservation() {
    let mut framer = Framer::default();
    assert_eq!(
        framer.decode(b"* 1 FETCH (BODY[] {10}\r\nabc"),
        Frame::Incomplete
    );
    assert_eq!(framer.literal_bytes_pending(), 7);
}

#[test]
fn shrunken_buffer_restarts_instead_of_panicking() {
    let mut framer = Framer::default();
    assert_eq!(framer.decode(b"* OK partial line"), Frame::Incomplete);
    assert_eq!(framer.decode(b"* OK\r\n"), Frame::Complete { len: 6 });
}

#[test]
fn reset_forgets_a_partial_response() {
    let mut framer = Framer::default();
    assert_eq!(
        framer.decode(b"* 1 FETCH (BODY[] {10}\r\nabc"),
        Frame::Incomplete
    );
    framer.reset();
    assert_eq!(framer.decode(GOOD), Frame::Complete { len: GOOD.len() });
}

#[test]
fn frame_error_converts_to_crate_error() {
    let error: crate::Error = FrameError::LineTooLong { limit: 64 }.into();
    assert!(matches!(
        error,
        crate::Error::Frame(FrameError::LineTooLong { limit: 64 })
    ));
    assert_eq!(
        error.to_string(),
        "server response rejected: server line longer than the limit of 64 bytes"
    );
}

#[test]
fn the_framer_reports_the_limits_it_was_built_with() {
    assert_eq!(Framer::new(small_limits()).limits(), small_limits());
    assert_ne!(small_limits(), Limits::default(), "a test that can fail");
}
