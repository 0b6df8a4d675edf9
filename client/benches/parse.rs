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
use std::io::Read;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use imap_codec::ResponseCodec;
use imap_codec::decode::Decoder;
use sha2::{Digest, Sha256};

/// The corpora and the sha256 of their decompressed bytes (from benches/corpora/README.md).
const CORPORA: &[(&str, &str, &str)] = &[
    (
        "a-flags-100k",
        "a-flags-100k.bin.gz",
        "314fb998b1f582d566d55cf9be581b23e504331afc37051c3cf5274ad946ebfc",
    ),
    (
        "b-envelope-bodystructure-10k",
        "b-envelope-bodystructure-10k.bin.gz",
        "5d958bb511128bbf524c76374ccafdaee9a73d1ea726d4d5f3e0e634a0474ad7",
    ),
    (
        "c-body-2000",
        "c-body-2000.bin.gz",
        "dcda91865d56e54a81aaefbdb9c4c876b5629899d2841ce939a85d1a2e8431ff",
    ),
];

fn corpora_dir() -> PathBuf {
    std::env::var_os("DAAKI_BENCH_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/corpora"))
}

/// Decompresses one corpus and checks it is byte for byte the one the baselines used.
fn load(file: &str, sha256: &str) -> Vec<u8> {
    let path = corpora_dir().join(file);
    let gz = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}); set DAAKI_BENCH_CORPORA to the bench-corpora directory",
            path.display()
        )
    });
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut bytes)
        .expect("corpus is valid gzip");
    let digest: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(digest, sha256, "{file}: not the exact corpus bytes");
    bytes
}

fn daaki(mut input: &[u8]) -> usize {
    let mut n = 0;
    while !input.is_empty() {
        let (response, used) =
            daaki_imap::proto::parse_response(input).expect("daaki-imap parses the corpus");
        black_box(&response);
        input = &input[used..];
        n += 1;
    }
    n
}

/// Parse plus conversion to the owned public model (`types::response::FetchResponse`): what
/// an application receives. Reported separately from the protocol-level parse.
fn daaki_owned(mut input: &[u8]) -> usize {
    use daaki_imap::proto::response::{Data, Response};
    let mut n = 0;
    while !input.is_empty() {
        let (response, used) =
            daaki_imap::proto::parse_response(input).expect("daaki-imap parses the corpus");
        if let Response::Data(Data::Fetch(fetch)) = response {
            black_box(fetch.into_owned());
        }
        input = &input[used..];
        n += 1;
    }
    n
}

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
