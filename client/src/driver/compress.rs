//! The driver's side of COMPRESS=DEFLATE: compressing what the session transmits and
//! decompressing what is read, in bounded steps.
//!
//! Reads go into a backlog of compressed bytes; [`Compression::next_plain`] turns at most
//! [`MAX_OUTPUT_PER_CALL`] of it into plain bytes at a time, which the driver feeds to the
//! session before asking for more. When a streamed FETCH waits for room in its channel the
//! driver stops asking — and stops reading — so the backlog never holds more than one read
//! (plus the bytes that came with the COMPRESS OK), however much the data would expand.

use crate::transport::compress::{Deflate, MAX_OUTPUT_PER_CALL};
use crate::{Error, Result};

/// Compression state of a connection after a successful COMPRESS.
pub(super) struct Compression {
    codec: Deflate,
    /// Compressed bytes read and not yet decompressed.
    backlog: Vec<u8>,
    /// How much of `backlog` is consumed.
    pos: usize,
    /// The last decompressed chunk (reused).
    plain: Vec<u8>,
    /// Scratch for the session's outgoing bytes before compression (reused).
    outgoing: Vec<u8>,
}

impl Compression {
    /// Starts with the compressed bytes that arrived together with the COMPRESS OK.
    pub(super) fn new(leftover: Vec<u8>) -> Self {
        Self {
            codec: Deflate::new(),
            backlog: leftover,
            pos: 0,
            plain: Vec::with_capacity(MAX_OUTPUT_PER_CALL),
            outgoing: Vec::new(),
        }
    }

    /// Queues compressed bytes just read.
    pub(super) fn push_read(&mut self, bytes: &[u8]) {
        if self.pos == self.backlog.len() {
            self.backlog.clear();
            self.pos = 0;
        }
        self.backlog.extend_from_slice(bytes);
    }

    /// Whether read bytes (or their output) are still waiting to be decompressed: the driver
    /// reads nothing more until they are.
    pub(super) fn has_backlog(&self) -> bool {
        self.pos < self.backlog.len() || self.codec.output_pending()
    }

    /// The next chunk of plain bytes (at most [`MAX_OUTPUT_PER_CALL`]); empty when the
    /// backlog is used up.
    pub(super) fn next_plain(&mut self) -> Result<&[u8]> {
        self.plain.clear();
        while self.plain.is_empty() && self.has_backlog() {
            let input = self.backlog.get(self.pos..).unwrap_or_default();
            let used = self.codec.decompress(input, &mut self.plain)?;
            self.pos += used;
            if used == 0 && self.plain.is_empty() && self.pos < self.backlog.len() {
                // The decompressor takes partial blocks into its own state, so input it
                // refuses without producing anything can never be used: stop rather than
                // wait for it forever.
                return Err(Error::Compression(
                    "the decompressor cannot make progress".into(),
                ));
            }
        }
        if self.pos == self.backlog.len() {
            self.backlog.clear();
            self.pos = 0;
        }
        Ok(&self.plain)
    }

    /// Lets `transmit` fill the plain outgoing bytes, and appends them compressed (with a sync
    /// flush) to `wire`.
    pub(super) fn transmit(
        &mut self,
        wire: &mut Vec<u8>,
        transmit: impl FnOnce(&mut Vec<u8>) -> usize,
    ) -> Result<()> {
        self.outgoing.clear();
        if transmit(&mut self.outgoing) > 0 {
            self.codec.compress(&self.outgoing, wire)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backlog_is_handed_out_in_bounded_chunks_and_then_runs_dry() {
        let plain: Vec<u8> = (0..300_000u32).map(|i| (i % 7) as u8).collect();
        let mut wire = Vec::new();
        Deflate::new().compress(&plain, &mut wire).unwrap();
        let (head, tail) = wire.split_at(wire.len() / 2);
        let mut c = Compression::new(head.to_vec());
        c.push_read(tail);
        let mut got = Vec::new();
        loop {
            let chunk = c.next_plain().unwrap();
            if chunk.is_empty() {
                break;
            }
            assert!(chunk.len() <= MAX_OUTPUT_PER_CALL);
            got.extend_from_slice(chunk);
        }
        assert!(!c.has_backlog());
        assert_eq!(got, plain);
    }

    #[test]
    fn output_of_exactly_one_chunk_ends_cleanly_after_the_empty_follow_up_call() {
        // The decompressor stops at its output cap with nothing left over: it reports output
        // pending, and the call after that produces nothing — which is the end, not a
        // decompressor that cannot make progress.
        let plain = vec![b'x'; MAX_OUTPUT_PER_CALL];
        let mut wire = Vec::new();
        Deflate::new().compress(&plain, &mut wire).unwrap();
        let mut c = Compression::new(wire);
        assert_eq!(c.next_plain().unwrap().len(), MAX_OUTPUT_PER_CALL);
        assert!(c.backlog.is_empty(), "all input consumed");
        assert!(c.codec.output_pending(), "stopped at the cap");
        assert!(c.next_plain().unwrap().is_empty());
        assert!(!c.has_backlog());
    }

    #[test]
    fn a_partial_block_waits_for_the_next_read() {
        let mut wire = Vec::new();
        Deflate::new()
            .compress(b"* OK still here\r\n", &mut wire)
            .unwrap();
        let mut c = Compression::new(Vec::new());
        c.push_read(&wire[..3]);
        let mut got = c.next_plain().unwrap().to_vec();
        assert!(!c.has_backlog());
        c.push_read(&wire[3..]);
        got.extend_from_slice(c.next_plain().unwrap());
        assert_eq!(got, b"* OK still here\r\n");
    }
}
