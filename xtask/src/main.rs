//! `cargo xtask`: the one entry point for the project's scripts.
//!
//! | command | what it does |
//! | --- | --- |
//! | `setup` | installs what building and testing need (idempotent) |
//! | `test` | every check there is, in timed stages (the README's test command; CI runs it) |
//! | `demo` | the browser mail app against the seeded Dovecot through the bridge (`--check`: its walk-through) |
//! | `fuzz` | runs the cargo-fuzz targets from the committed corpus (`--seconds`/`--runs`), merges new coverage, `--minimize` |
//! | `layers` | the architecture: no import cycle, the client's layers, no file over 800 lines (`xtask/src/layers.rs`) |
//! | `mutants` | mutation testing of the protocol core, driver, wire contract and bridge policy (`xtask/src/mutants.rs`) |
//! | `browser` | the wasm32 client's tests in headless Chromium via the bridge (`xtask/src/browser.rs`) |
//! | `bench` | runs the benchmarks (`--quick` for CI); `bench fetch` is the client-level fetch benchmark |
#![deny(unsafe_code)]

mod bench_fetch;
mod browser;
mod demo;
mod examples;
mod fuzz;
mod layers;
mod mutants;
mod npm;
mod process;
mod setup;
mod stages;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use process::Result;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "daaki-imap project automation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Install everything the build and the tests need (apt packages, rustup target, cargo tools).
    Setup,
    /// Run every check in stages, printing each stage's time.
    Test(stages::TestArgs),
    /// Start the demo and print how to use it.
    Demo(demo::DemoArgs),
    /// Run the fuzz targets for a bounded time each.
    Fuzz(fuzz::FuzzArgs),
    /// Run the benchmarks.
    Bench(BenchArgs),
    /// Run the wasm32 client's tests in headless Chromium, through the bridge, against Dovecot.
    Browser,
    /// Mutation testing (cargo-mutants) over the core, the driver, the wire contract and the
    /// bridge policy; fails on a missed mutant that `mutants/accepted.txt` does not accept.
    Mutants(mutants::MutantsArgs),
    /// Check the architecture: no import cycle between files, each client layer uses only
    /// layers below it, no source file over 800 lines (known findings: xtask/layers-known.txt).
    Layers(layers::LayersArgs),
}

#[derive(clap::Args)]
struct BenchArgs {
    /// Short runs with fewer samples (what CI uses).
    #[arg(long)]
    quick: bool,
    /// Which benchmark to run: a criterion bench of `client/benches/` (e.g. `parse`) or
    /// `fetch` (daaki-imap vs async-imap vs a raw reader; see `xtask/src/bench_fetch.rs`) or
    /// `bridge` (through the bridge vs direct TLS). Default: the criterion benches and `fetch`.
    name: Option<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Setup => setup::run(),
        Command::Test(args) => stages::run(args),
        Command::Demo(args) => demo::run(&args),
        Command::Fuzz(args) => fuzz::run(&args),
        Command::Bench(args) => bench(&args),
        Command::Browser => browser::run(),
        Command::Mutants(args) => mutants::run(&args),
        Command::Layers(args) => layers::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `cargo xtask bench bridge`: throughput and added latency through the bridge (plain ws and
/// wss) against a direct TLS connection to the same loopback upstream, in one run. It is an
/// ignored test of the bridge crate, run in release.
fn bench_bridge() -> Result {
    process::cargo(&[
        "test",
        "--release",
        "--locked",
        "-p",
        "daaki-imap-bridge",
        "--test",
        "load",
        "--",
        "--ignored",
        "--nocapture",
        "--test-threads",
        "1",
        "bench_bridge_vs_direct_tls",
    ])
}

fn bench(args: &BenchArgs) -> Result {
    if args.name.as_deref() == Some("fetch") {
        return bench_fetch::run(args.quick);
    }
    if args.name.as_deref() == Some("bridge") {
        return bench_bridge();
    }
    let benches = process::existing_benches();
    if let Some(name) = args.name.as_deref()
        && !benches.iter().any(|b| b == name)
    {
        return Err(format!(
            "no benchmark {name:?} (have: fetch, bridge, {})",
            benches.join(", ")
        ));
    }
    for bench in benches
        .iter()
        .filter(|b| args.name.as_deref().is_none_or(|n| n == b.as_str()))
    {
        let mut cmd = vec!["bench", "-p", "daaki-imap", "--bench", bench.as_str()];
        if args.quick {
            cmd.extend(["--", "--quick", "--noplot"]);
        }
        process::cargo(&cmd)?;
    }
    if args.name.is_none() {
        bench_fetch::run(args.quick)?;
    }
    Ok(())
}
