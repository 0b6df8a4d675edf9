//! What the parse and allocation benches share: the corpora, checked byte for byte, and
//! daaki-imap's two walks over them (the internal parse alone, and parse plus the owned
//! public model).

use std::hint::black_box;
use std::io::Read;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

/// The corpora and the sha256 of their decompressed bytes (from benches/corpora/README.md).
pub(crate) const CORPORA: &[(&str, &str, &str)] = &[
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
pub(crate) fn load(file: &str, sha256: &str) -> Vec<u8> {
    let path = corpora_dir().join(file);
    // A benchmark without its input cannot measure anything: stopping with the path and the
    // way to point at the corpora is the useful outcome (never server input).
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

pub(crate) fn daaki(mut input: &[u8]) -> usize {
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
pub(crate) fn daaki_owned(mut input: &[u8]) -> usize {
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
