//! Fuzz the response parser: any bytes, whole or split into frames by the framer, must parse to
//! a value or a typed error — never a panic, a hang, a stack overflow or an out-of-bounds
//! "consumed" count.
#![no_main]

use daaki_imap::proto::{Frame, Framer, Limits, parse_response};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // 1. The raw input as one (maybe partial, maybe garbage) response.
    if let Ok((_response, used)) = parse_response(data) {
        assert!(used > 0 && used <= data.len(), "consumed {used} of {}", data.len());
    }
    // 2. Frame it the way the driver does and parse each complete frame.
    let mut framer = Framer::new(Limits {
        max_line: 64 * 1024,
        max_literal: 1024 * 1024,
        max_response: 2 * 1024 * 1024,
    });
    let mut rest = data;
    loop {
        match framer.decode(rest) {
            Frame::Complete { len } => {
                let frame = &rest[..len];
                if let Ok((_response, used)) = parse_response(frame) {
                    assert!(used <= frame.len());
                }
                rest = &rest[len..];
            }
            Frame::Discard { len, .. } => rest = &rest[len..],
            Frame::Incomplete => break,
        }
    }
});
