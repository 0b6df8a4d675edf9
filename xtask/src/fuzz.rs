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

pub(crate) fn run(args: &FuzzArgs) -> Result {
    let fuzz_dir = workspace_root().join("client/fuzz");
    let mut targets: Vec<String> = std::fs::read_dir(fuzz_dir.join("fuzz_targets"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let path = e.path();
            (path.extension()? == "rs").then(|| path.file_stem()?.to_str().map(str::to_owned))?
        })
        .collect();
    targets.sort();
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
        run_in(
            &client_dir,
            "cargo",
            &[
                "+nightly", "fuzz", "run", target, "--", &max_time, &rss, "-timeout=10",
                "-print_final_stats=1",
            ],
        )
        .map_err(|e| {
            format!("{e}\nhint: `cargo xtask setup` installs cargo-fuzz and checks the nightly toolchain")
        })?;
    }
    Ok(())
}
