//! Fuzz the response framer: random bytes, split at fuzz-chosen points, fed incrementally
//! through a simulated driver, must frame exactly as when fed all at once, never panic, and
//! keep the driver's buffer within the limits.
//!
//! Input layout: `[ctl, a, b, sizes…, payload…]`.
//! - `ctl & 1`: small limits derived from `a` and `b` (so every limit is hit often), else defaults;
//! - `ctl >> 1 & 15`: how many chunk-size bytes follow (each gives a chunk of 1..=256 bytes,
//!   used in turn); with none the payload is fed in one piece;
//! - the rest is the payload (what the server sends).
#![no_main]

use daaki_imap::proto::{Frame, FrameError, Framer, Limits};
use libfuzzer_sys::fuzz_target;

/// A bad response is reported at most 32 bytes of its line early (the framer keeps that much
/// of an unfinished over-long line so a literal marker at its end is still seen).
const MARKER_WINDOW: usize = 32;

#[derive(Debug, PartialEq, Eq)]
enum Event {
    Complete(usize),
    /// All `Discard`s of one bad response: its error and the bytes dropped in total.
    Discarded(FrameError, usize),
}

struct Driver {
    framer: Framer,
    limits: Limits,
    buf: Vec<u8>,
    events: Vec<Event>,
    consumed: usize,
    fed: usize,
}

impl Driver {
    fn new(limits: Limits) -> Self {
        Self {
            framer: Framer::new(limits),
            limits,
            buf: Vec::new(),
            events: Vec::new(),
            consumed: 0,
            fed: 0,
        }
    }

    fn feed(&mut self, chunk: &[u8]) {
        self.buf.extend_from_slice(chunk);
        self.fed += chunk.len();
        loop {
            match self.framer.decode(&self.buf) {
                Frame::Incomplete => break,
                Frame::Complete { len } => {
                    assert!(
                        len > 0 && len <= self.buf.len(),
                        "Complete {len} of {}",
                        self.buf.len()
                    );
                    assert_eq!(self.buf[len - 1], b'\n', "a response ends with LF");
                    assert!(
                        len as u64 <= self.limits.max_response,
                        "Complete beyond max_response"
                    );
                    self.events.push(Event::Complete(len));
                    self.drop_front(len);
                }
                Frame::Discard { len, error } => {
                    assert!(len <= self.buf.len(), "Discard {len} of {}", self.buf.len());
                    match (error, self.events.last_mut()) {
                        (Some(e), _) => self.events.push(Event::Discarded(e, len)),
                        (None, Some(Event::Discarded(_, total))) => *total += len,
                        (None, _) => panic!("Discard without error outside a bad response"),
                    }
                    self.drop_front(len);
                }
            }
        }
        // Bounded buffer: a response in progress never exceeds max_response; while skipping a
        // bad one at most the marker window of its line is kept.
        let bound = usize::try_from(self.limits.max_response)
            .unwrap_or(usize::MAX)
            .max(MARKER_WINDOW);
        assert!(
            self.buf.len() <= bound,
            "buffer {} above bound {bound}",
            self.buf.len()
        );
    }

    fn drop_front(&mut self, len: usize) {
        self.buf.drain(..len);
        self.consumed += len;
    }
}

fuzz_target!(|data: &[u8]| {
    let [ctl, a, b, rest @ ..] = data else {
        return;
    };
    let limits = if ctl & 1 == 1 {
        Limits {
            max_line: 1 + usize::from(a % 96),
            max_literal: u64::from(*b),
            max_response: 1 + u64::from(a / 2) + 2 * u64::from(*b),
        }
    } else {
        Limits::default()
    };
    let n_sizes = usize::from((ctl >> 1) & 15).min(rest.len());
    let (sizes, payload) = rest.split_at(n_sizes);

    let mut reference = Driver::new(limits);
    reference.feed(payload);

    let mut incremental = Driver::new(limits);
    if sizes.is_empty() {
        incremental.feed(payload);
    } else {
        let mut at = 0;
        for &size in sizes.iter().cycle() {
            if at >= payload.len() {
                break;
            }
            let end = payload.len().min(at + usize::from(size) + 1);
            incremental.feed(&payload[at..end]);
            at = end;
        }
    }

    for driver in [&reference, &incremental] {
        assert_eq!(driver.fed, payload.len());
        assert_eq!(
            driver.consumed + driver.buf.len(),
            driver.fed,
            "bytes lost or invented"
        );
    }
    assert_eq!(
        incremental.events, reference.events,
        "split changed the frames"
    );
    assert_eq!(
        incremental.buf, reference.buf,
        "split changed the unframed tail"
    );
});
