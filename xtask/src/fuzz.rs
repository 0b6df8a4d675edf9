//! `cargo xtask fuzz`: run the cargo-fuzz targets in `client/fuzz/` for a bounded time.

use crate::Result;
use crate::stages::{run_in, workspace_root};

/// Arguments of `cargo xtask fuzz`.
#[derive(clap::Args)]
pub(crate) struct FuzzArgs {
    /// Seconds per target.
    #[arg(long, default_value_t = 60)]
    pub(crate) seconds: u64,
    /// Targets to run (default: every target in client/fuzz/fuzz_targets).
    pub(crate) targets: Vec<String>,
}

/// Memory cap per fuzz process; an input that needs more is a bug (unbounded allocation).
const RSS_LIMIT_MB: u32 = 512;

/// The `fuzz` stage of `cargo xtask test`: every target for `seconds`.
pub(crate) fn run_stage(seconds: u64) -> Result {
    run(&FuzzArgs {
        seconds,
        targets: Vec::new(),
    })
}

pub(crate) fn run(args: &FuzzArgs) -> Result {
    let mut targets = crate::stages::files_in("client/fuzz/fuzz_targets", "rs");
    if targets.is_empty() {
        println!("no fuzz targets exist yet (client/fuzz/fuzz_targets/ is empty)");
        return Ok(());
    }
    if !args.targets.is_empty() {
        for wanted in &args.targets {
            if !targets.contains(wanted) {
                return Err(format!("no fuzz target {wanted:?} (have: {targets:?})"));
            }
        }
        targets.retain(|t| args.targets.contains(t));
    }
    let client_dir = workspace_root().join("client");
    for target in &targets {
        let max_time = format!("-max_total_time={}", args.seconds);
        let rss = format!("-rss_limit_mb={RSS_LIMIT_MB}");
        // Corpus dirs: cargo-fuzz's default (writable, gitignored) first — libFuzzer adds new
        // inputs to the first dir only — then the committed seeds, read-only, if the target has any.
        let corpus = client_dir.join("fuzz/corpus").join(target);
        std::fs::create_dir_all(&corpus)
            .map_err(|e| format!("could not create {}: {e}", corpus.display()))?;
        let corpus = corpus.display().to_string();
        let seeds = client_dir.join("fuzz/seeds").join(target);
        let seeds = seeds.is_dir().then(|| seeds.display().to_string());
        let mut cmd_args = vec!["+nightly", "fuzz", "run", target, &corpus];
        cmd_args.extend(seeds.as_deref());
        cmd_args.extend(["--", &max_time, &rss, "-timeout=10", "-print_final_stats=1"]);
        run_in(&client_dir, "cargo", &cmd_args)
        .map_err(|e| {
            format!("{e}\nhint: `cargo xtask setup` installs cargo-fuzz and checks the nightly toolchain")
        })?;
    }
    Ok(())
}
