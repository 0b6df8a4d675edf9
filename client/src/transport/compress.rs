//! COMPRESS=DEFLATE (RFC 4978): the byte transform both directions go through once the server
//! has accepted `COMPRESS DEFLATE`.
//!
//! This module owns the codec only — raw DEFLATE (RFC 1951: no zlib or gzip header) on
//! [`miniz_oxide`], which is pure Rust and builds for `wasm32` like everything else. It does
//! no I/O: the driver hands it the bytes it would have written or just read.
//!
//! - **Sending**: [`Deflate::compress`] ends every call with a *sync flush* (an empty stored
//!   block, `00 00 FF FF`), so everything handed to it is decodable by the server as soon as it
//!   arrives. RFC 4978 §4 requires that: a command the server cannot decompress yet would
//!   never be answered.
//! - **Receiving**: [`Deflate::decompress`] takes compressed bytes split anywhere and never
//!   appends more than [`MAX_OUTPUT_PER_CALL`] bytes per call. Compressed data can expand
//!   more than a thousandfold (1 GiB of zeros is about 1 MiB of DEFLATE), so "decompress this
//!   read" is not a bounded operation; "decompress at most 64 KiB of it" is. The caller
//!   passes the output on (to the session, which bounds its own buffer), then calls again
//!   with the input that was not consumed. The rule for when to stop is on
//!   [`Deflate::decompress`].
//!
//! Errors: corrupt input, or data after the end of the stream (a server never ends it: RFC
//! 4978 §4), is [`Error::Compression`] — the connection cannot go on after it.

use miniz_oxide::deflate::CompressionLevel;
use miniz_oxide::deflate::core::CompressorOxide;
use miniz_oxide::deflate::stream::deflate;
use miniz_oxide::inflate::stream::{InflateState, inflate};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

use crate::{Error, Result};

/// The most bytes one [`Deflate::decompress`] call appends (64 KiB, one socket read).
pub const MAX_OUTPUT_PER_CALL: usize = 64 * 1024;

/// Both directions of one COMPRESS=DEFLATE connection: a compressor for what is sent and a
/// decompressor for what is received (each keeps its 32 KiB window across calls).
pub struct Deflate {
    compressor: Box<CompressorOxide>,
    inflater: Box<InflateState>,
    /// The received stream contained a final block: any further byte is an error.
    ended: bool,
    /// The last `decompress` call filled its output cap: more output may be pending for the
    /// input already consumed.
    output_pending: bool,
}

impl std::fmt::Debug for Deflate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deflate")
            .field("ended", &self.ended)
            .field("output_pending", &self.output_pending)
            .finish_non_exhaustive()
    }
}

impl Default for Deflate {
    fn default() -> Self {
        Self::new()
    }
}

impl Deflate {
    /// A fresh codec (default compression level) for a connection that just switched.
    pub fn new() -> Self {
        Self {
            compressor: Box::new(CompressorOxide::with_format_and_level(
                DataFormat::Raw,
                CompressionLevel::DefaultLevel,
            )),
            inflater: InflateState::new_boxed(DataFormat::Raw),
            ended: false,
            output_pending: false,
        }
    }

    /// Compresses `input` and appends the result to `out`, ending with a sync flush so the
    /// peer can decode all of `input` from what was appended. An empty `input` appends
    /// nothing.
    pub fn compress(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<()> {
        if input.is_empty() {
            return Ok(());
        }
        let mut rest = input;
        loop {
            // Raw DEFLATE never grows data by more than ~5 bytes per 16 KiB stored block; the
            // margin covers that and the flush marker, so one round is the normal case.
            let space = rest.len() + rest.len() / 8 + 64;
            let start = out.len();
            out.resize(start + space, 0);
            let result = deflate(&mut self.compressor, rest, &mut out[start..], MZFlush::Sync);
            out.truncate(start + result.bytes_written);
            rest = rest.get(result.bytes_consumed..).unwrap_or_default();
            if let Err(e) = result.status {
                return Err(Error::Compression(format!("compressor failed: {e:?}")));
            }
            // Output space left over means the flush completed; otherwise the compressor
            // still holds flushed bytes and needs more room.
            if rest.is_empty() && result.bytes_written < space {
                return Ok(());
            }
        }
    }

    /// Decompresses a prefix of `input`, appending at most [`MAX_OUTPUT_PER_CALL`] bytes to
    /// `out`, and returns how many bytes of `input` were consumed.
    ///
    /// Call it in a loop — pass the output on before the next call, so memory stays at one
    /// chunk however much the data expands — with the unconsumed rest of the input, until
    /// all input is consumed and [`Deflate::output_pending`] is `false`. An input that ends
    /// in the middle of a block is fine: the decompressor keeps the partial state and the
    /// next bytes continue it.
    pub fn decompress(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<usize> {
        self.output_pending = false;
        if self.ended {
            if input.is_empty() {
                return Ok(0);
            }
            return Err(Error::Compression(
                "data after the end of the compressed stream".into(),
            ));
        }
        let start = out.len();
        out.resize(start + MAX_OUTPUT_PER_CALL, 0);
        let result = inflate(&mut self.inflater, input, &mut out[start..], MZFlush::None);
        out.truncate(start + result.bytes_written);
        match result.status {
            Ok(MZStatus::StreamEnd) => self.ended = true,
            Ok(_) => {}
            // No input and nothing buffered: no progress possible, which is not an error.
            Err(MZError::Buf) => {}
            Err(e) => {
                return Err(Error::Compression(format!(
                    "corrupt compressed data from the server ({e:?})"
                )));
            }
        }
        self.output_pending = result.bytes_written == MAX_OUTPUT_PER_CALL;
        Ok(result.bytes_consumed)
    }

    /// Whether the last [`Deflate::decompress`] call stopped at its output cap, so more output
    /// may follow even without more input.
    pub fn output_pending(&self) -> bool {
        self.output_pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift), so failures reproduce.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// IMAP-looking text mixed with incompressible bytes.
    fn sample(rng: &mut Rng, len: usize) -> Vec<u8> {
        let mut v = Vec::with_capacity(len);
        while v.len() < len {
            if rng.below(3) == 0 {
                let n = rng.below(300);
                v.extend((0..n).map(|_| rng.next() as u8));
            } else {
                let line = format!(
                    "* {} FETCH (UID {} FLAGS (\\Seen) RFC822.SIZE {})\r\n",
                    rng.below(100_000),
                    rng.below(100_000),
                    rng.below(1 << 20)
                );
                v.extend_from_slice(line.as_bytes());
            }
        }
        v.truncate(len);
        v
    }

    /// Decompresses all of `input` through the public loop, checking the per-call cap.
    fn decompress_all(d: &mut Deflate, input: &[u8], out: &mut Vec<u8>) -> Result<()> {
        let mut pos = 0;
        loop {
            let before = out.len();
            pos += d.decompress(&input[pos..], out)?;
            assert!(out.len() - before <= MAX_OUTPUT_PER_CALL);
            if pos == input.len() && !d.output_pending() {
                return Ok(());
            }
        }
    }

    #[test]
    fn round_trip_over_random_chunkings() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for round in 0..20 {
            let len = 1 + rng.below(300_000);
            let data = sample(&mut rng, len);
            let mut tx = Deflate::new();
            let mut wire = Vec::new();
            // The sender writes in random pieces (each flushed) ...
            let mut pos = 0;
            while pos < data.len() {
                let n = (1 + rng.below(20_000)).min(data.len() - pos);
                tx.compress(&data[pos..pos + n], &mut wire).unwrap();
                pos += n;
            }
            // ... and the receiver reads in different random pieces.
            let mut rx = Deflate::new();
            let mut plain = Vec::new();
            let mut pos = 0;
            while pos < wire.len() {
                let n = (1 + rng.below(5_000)).min(wire.len() - pos);
                decompress_all(&mut rx, &wire[pos..pos + n], &mut plain).unwrap();
                pos += n;
            }
            assert_eq!(plain.len(), data.len(), "round {round}");
            assert!(plain == data, "round {round}: bytes differ");
        }
    }

    #[test]
    fn every_compress_call_ends_with_a_sync_flush_and_decodes_alone() {
        let mut tx = Deflate::new();
        let mut rx = Deflate::new();
        for command in [
            &b"A1 NOOP\r\n"[..],
            b"A2 SELECT INBOX\r\n",
            b"A3 UID FETCH 1:* (FLAGS)\r\n",
        ] {
            let mut wire = Vec::new();
            tx.compress(command, &mut wire).unwrap();
            assert!(
                wire.ends_with(&[0x00, 0x00, 0xff, 0xff]),
                "sync flush marker missing: {wire:02x?}"
            );
            // Everything sent so far decodes at once: nothing waits in the compressor.
            let mut plain = Vec::new();
            decompress_all(&mut rx, &wire, &mut plain).unwrap();
            assert_eq!(plain, command);
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn interoperates_with_flate2_raw_deflate() {
        use std::io::Write;
        // What a zlib-based server sends (raw deflate, sync flush) ...
        let text = b"* OK [COMPRESSIONACTIVE] hello\r\n".repeat(100);
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&text).unwrap();
        enc.flush().unwrap();
        let wire = enc.get_ref().clone();
        let mut rx = Deflate::new();
        let mut plain = Vec::new();
        decompress_all(&mut rx, &wire, &mut plain).unwrap();
        assert_eq!(plain, text);
        // ... and what we send is read by zlib.
        let mut tx = Deflate::new();
        let mut ours = Vec::new();
        tx.compress(&text, &mut ours).unwrap();
        let mut dec = flate2::write::DeflateDecoder::new(Vec::new());
        dec.write_all(&ours).unwrap();
        dec.flush().unwrap();
        assert_eq!(dec.get_ref(), &text);
    }

    #[test]
    fn corrupt_input_is_a_compression_error() {
        let mut rx = Deflate::new();
        // BTYPE = 11 is reserved: invalid in any DEFLATE stream.
        let err = rx.decompress(&[0x07, 0x00, 0x00], &mut Vec::new());
        assert!(matches!(err, Err(Error::Compression(_))), "{err:?}");
        // A stored block whose LEN/NLEN do not match.
        let mut rx = Deflate::new();
        let err = rx.decompress(&[0x00, 0x05, 0x00, 0x00, 0x00, b'x'], &mut Vec::new());
        assert!(matches!(err, Err(Error::Compression(_))), "{err:?}");
    }

    #[test]
    fn data_after_the_final_block_is_an_error() {
        let mut rx = Deflate::new();
        // A final stored block with "ok", then one more byte.
        let wire = [0x01, 0x02, 0x00, 0xfd, 0xff, b'o', b'k', 0x00];
        let mut plain = Vec::new();
        let used = rx.decompress(&wire, &mut plain).unwrap();
        assert_eq!(plain, b"ok");
        assert_eq!(used, 7);
        let err = rx.decompress(&wire[used..], &mut plain);
        assert!(matches!(err, Err(Error::Compression(_))), "{err:?}");
    }

    #[test]
    fn empty_input_appends_nothing() {
        let mut tx = Deflate::new();
        let mut wire = Vec::new();
        tx.compress(b"", &mut wire).unwrap();
        assert!(wire.is_empty());
        let mut rx = Deflate::new();
        assert_eq!(rx.decompress(b"", &mut wire).unwrap(), 0);
        assert!(wire.is_empty() && !rx.output_pending());
    }

    /// Writes DEFLATE bits (LSB first; Huffman codes MSB first, as RFC 1951 §3.1.1 says).
    #[derive(Default)]
    struct Bits {
        out: Vec<u8>,
        acc: u32,
        n: u32,
    }

    impl Bits {
        fn put(&mut self, value: u32, bits: u32) {
            self.acc |= value << self.n;
            self.n += bits;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
        }

        fn huffman(&mut self, code: u32, bits: u32) {
            let reversed = code.reverse_bits() >> (32 - bits);
            self.put(reversed, bits);
        }

        /// An empty non-final stored block: aligns to a byte (the sync flush marker).
        fn sync(mut self) -> Vec<u8> {
            self.put(0, 3);
            if self.n > 0 {
                self.out.push(self.acc as u8);
            }
            self.out.extend_from_slice(&[0x00, 0x00, 0xff, 0xff]);
            self.out
        }
    }

    /// A fixed-Huffman block of `literal_zero` then `matches` copies of 258 bytes at
    /// distance 1, then a sync flush. Each match is 13 bits for 258 zero bytes.
    fn zeros_segment(literal_zero: bool, matches: usize) -> Vec<u8> {
        let mut b = Bits::default();
        b.put(0, 1); // BFINAL = 0
        b.put(1, 2); // BTYPE = 01, fixed Huffman
        if literal_zero {
            b.huffman(0x30, 8); // literal 0
        }
        for _ in 0..matches {
            b.huffman(0xc0 + (285 - 280), 8); // length 258
            b.huffman(0, 5); // distance 1
        }
        b.huffman(0, 7); // end of block
        b.sync()
    }

    #[test]
    fn a_one_gib_bomb_decompresses_in_bounded_steps() {
        // 1 GiB of zeros arrives as ~7 MiB of DEFLATE: one zero, then the same segment of
        // matches over and over (the test never holds more than one segment).
        const MATCHES: usize = 4096;
        let first = zeros_segment(true, 0);
        let segment = zeros_segment(false, MATCHES);
        let per_segment = (MATCHES * 258) as u64;
        let total: u64 = 1 << 30;
        let segments = total.div_ceil(per_segment);
        let mut rx = Deflate::new();
        let mut out = Vec::with_capacity(MAX_OUTPUT_PER_CALL);
        let mut produced = 0u64;
        let mut max_len = 0;
        let mut calls = 0u64;
        let mut feed = |input: &[u8], rx: &mut Deflate| {
            let mut pos = 0;
            loop {
                out.clear();
                pos += rx.decompress(&input[pos..], &mut out).unwrap();
                calls += 1;
                max_len = max_len.max(out.len());
                assert!(out.iter().all(|&b| b == 0));
                produced += out.len() as u64;
                if pos == input.len() && !rx.output_pending() {
                    break;
                }
            }
        };
        feed(&first, &mut rx);
        for _ in 0..segments {
            feed(&segment, &mut rx);
        }
        assert_eq!(produced, 1 + segments * per_segment);
        assert!(produced > total);
        // No call produced more than its cap, and the one buffer never had to grow.
        assert!(max_len <= MAX_OUTPUT_PER_CALL);
        assert_eq!(out.capacity(), MAX_OUTPUT_PER_CALL);
        assert!(calls >= total / MAX_OUTPUT_PER_CALL as u64);
    }
}
