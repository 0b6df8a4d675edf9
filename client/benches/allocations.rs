//! Heap allocations per response on the exact bytes of `client/benches/corpora/`: the internal
//! parse alone, and parse plus the owned public model (`types::response`) that applications
//! receive. dhat's allocator counts every allocation (`total_blocks`); each corpus is walked
//! once, since the counts do not depend on timing. Run with
//! `cargo bench -p daaki-imap --bench allocations`. Figures are reported, never asserted.

mod support;
use support::{CORPORA, daaki, daaki_owned, load};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// Allocations and bytes allocated while `walk` runs over `bytes`, and its response count.
fn measure(bytes: &[u8], walk: fn(&[u8]) -> usize) -> (u64, u64, usize) {
    let before = dhat::HeapStats::get();
    let responses = walk(bytes);
    let after = dhat::HeapStats::get();
    (
        after.total_blocks - before.total_blocks,
        after.total_bytes - before.total_bytes,
        responses,
    )
}

fn main() {
    // Heap statistics only: no backtrace file is written.
    let _profiler = dhat::Profiler::builder().testing().build();
    println!(
        "{:<30} {:<22} {:>12} {:>12}",
        "corpus", "walk", "allocs/resp", "bytes/resp"
    );
    for (name, file, sha256) in CORPORA {
        let bytes = load(file, sha256);
        for (walk_name, walk) in [
            ("parse (internal)", daaki as fn(&[u8]) -> usize),
            ("parse + owned model", daaki_owned),
        ] {
            let (allocations, allocated, responses) = measure(&bytes, walk);
            assert!(responses > 0, "{name}: no responses");
            println!(
                "{:<30} {:<22} {:>12.1} {:>12.0}",
                name,
                walk_name,
                allocations as f64 / responses as f64,
                allocated as f64 / responses as f64
            );
        }
    }
}
