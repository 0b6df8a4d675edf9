//! Parser benchmark on the exact bytes of `client/benches/corpora/` (captured from Dovecot; a
//! copy of the project's shared benchmark corpora, checked by sha256 below).
//!
//! For each corpus, every parser walks the whole buffer response by response (parse one, skip
//! the bytes it consumed, repeat), so the figures are per response and include the same work
//! for all three:
//! - `daaki-imap`: `proto::parse_response` to the protocol-level (borrowed) value;
//! - `daaki-imap+owned`: the same plus `into_owned()` to the public owned model (a separate
//!   figure: the conversion is not part of the parse);
//! - `imap-proto` 0.17: `Response::parse` (borrowed);
//! - `imap-codec` 2.0.0-alpha.10: `ResponseCodec::decode` (borrowed).
//!
//! Criterion reports throughput in responses per second (`Melem/s`); ns per response is
//! 1000 / Melem/s. Run with `cargo xtask bench parse` (or `-- --quick` for a short run).
//! Speed is reported, never asserted.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use imap_codec::ResponseCodec;
use imap_codec::decode::Decoder;

mod support;
use support::{CORPORA, daaki, daaki_owned, load};

fn imap_proto(mut input: &[u8]) -> usize {
    let mut n = 0;
    while !input.is_empty() {
        let (rest, response) =
            imap_proto::Response::parse(input).expect("imap-proto parses the corpus");
        black_box(&response);
        input = rest;
        n += 1;
    }
    n
}

fn imap_codec(mut input: &[u8]) -> usize {
    let codec = ResponseCodec::default();
    let mut n = 0;
    while !input.is_empty() {
        let (rest, response) = codec.decode(input).expect("imap-codec parses the corpus");
        black_box(&response);
        input = rest;
        n += 1;
    }
    n
}

fn bench_parse(c: &mut Criterion) {
    for (name, file, sha256) in CORPORA {
        let bytes = load(file, sha256);
        let responses = daaki(&bytes);
        assert_eq!(
            responses,
            imap_proto(&bytes),
            "{name}: response counts differ (imap-proto)"
        );
        assert_eq!(
            responses,
            imap_codec(&bytes),
            "{name}: response counts differ (imap-codec)"
        );
        let mut group = c.benchmark_group(format!("parse/{name}"));
        group.throughput(Throughput::Elements(responses as u64));
        group.sample_size(10);
        group.bench_function("daaki-imap", |b| b.iter(|| daaki(black_box(&bytes))));
        group.bench_function("daaki-imap+owned", |b| {
            b.iter(|| daaki_owned(black_box(&bytes)))
        });
        group.bench_function("imap-proto", |b| b.iter(|| imap_proto(black_box(&bytes))));
        group.bench_function("imap-codec", |b| b.iter(|| imap_codec(black_box(&bytes))));
        group.finish();
    }
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
