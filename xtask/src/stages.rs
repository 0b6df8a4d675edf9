//! `cargo xtask test`: every check, in stages, each one timed.

use std::time::{Duration, Instant};

use crate::process::{Result, cargo, existing_benches};

/// Arguments of `cargo xtask test`.
#[derive(clap::Args)]
pub(crate) struct TestArgs {
    /// Run only these stages (repeatable): fmt, clippy, wasm, test, serde, examples, browser, npm, demo, fuzz, mutants, bench.
    #[arg(long = "only", value_name = "STAGE")]
    only: Vec<String>,
    /// Skip these stages (repeatable).
    #[arg(long = "skip", value_name = "STAGE")]
    skip: Vec<String>,
    /// Seconds per fuzz target (the same everywhere: CI and local runs fuzz alike).
    #[arg(long, default_value_t = 60)]
    fuzz_seconds: u64,
}

/// One named check.
struct Stage {
    name: &'static str,
    about: &'static str,
    run: Box<dyn Fn() -> Result>,
}

pub(crate) fn run(args: TestArgs) -> Result {
    let fuzz_seconds = args.fuzz_seconds;
    let stages = vec![
        Stage {
            name: "fmt",
            about: "cargo fmt --check",
            run: Box::new(|| cargo(&["fmt", "--all", "--", "--check"])),
        },
        Stage {
            name: "layers",
            about: "the architecture: no import cycle, layers, file sizes (xtask/src/layers.rs)",
            run: Box::new(|| crate::layers::run(&crate::layers::LayersArgs::default())),
        },
        Stage {
            name: "clippy",
            about: "clippy, all targets, and the API docs (broken links too): warnings are errors",
            run: Box::new(|| {
                cargo(&[
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--locked",
                    "--",
                    "-D",
                    "warnings",
                ])?;
                for package in ["daaki-imap", "daaki-imap-bridge"] {
                    cargo(&["rustdoc", "-p", package, "--locked", "--", "-D", "warnings"])?;
                }
                Ok(())
            }),
        },
        Stage {
            name: "wasm",
            about: "the client builds for wasm32-unknown-unknown (default and no default features)",
            run: Box::new(|| {
                let target = ["--target", "wasm32-unknown-unknown", "-p", "daaki-imap"];
                cargo(
                    &[
                        &["clippy", "--locked"],
                        &target[..],
                        &["--", "-D", "warnings"],
                    ]
                    .concat(),
                )?;
                cargo(
                    &[
                        &["build", "--locked"],
                        &target[..],
                        &["--no-default-features"],
                    ]
                    .concat(),
                )?;
                cargo(&[&["build", "--locked"], &target[..]].concat())
            }),
        },
        Stage {
            name: "test",
            about: "unit, integration (real Dovecot) and doc tests",
            run: Box::new(|| cargo(&["test", "--workspace", "--locked"])),
        },
        Stage {
            name: "serde",
            about: "the client with its `serde` feature: clippy, unit tests and the JSON round trips",
            run: Box::new(|| {
                let serde = ["-p", "daaki-imap", "--locked", "--features", "serde"];
                cargo(
                    &[
                        &["clippy", "--all-targets"],
                        &serde[..],
                        &["--", "-D", "warnings"],
                    ]
                    .concat(),
                )?;
                cargo(&[&["test", "--lib", "--test", "serde"], &serde[..]].concat())
            }),
        },
        Stage {
            name: "examples",
            about: "every client example runs unchanged against a fresh harness Dovecot",
            run: Box::new(crate::examples::run),
        },
        Stage {
            name: "browser",
            about: "the wasm32 client in headless Chromium, through the bridge, against Dovecot",
            run: Box::new(crate::browser::run),
        },
        Stage {
            name: "demo",
            about: "the web demo's walk-through in headless Chromium (Playwright), through the bridge",
            run: Box::new(crate::demo::check),
        },
        Stage {
            name: "npm",
            about: "the npm package: wasm-pack (web, bundler), size, tsc --strict, Playwright run",
            run: Box::new(crate::npm::run_stage),
        },
        Stage {
            name: "fuzz",
            about: "every cargo-fuzz target for a bounded time, from the committed corpus",
            run: Box::new(move || crate::fuzz::run_stage(fuzz_seconds)),
        },
        Stage {
            name: "mutants",
            about: "mutation testing of the scope files changed since .cargo/mutants-base (≤ 300 mutants)",
            run: Box::new(crate::mutants::run_stage),
        },
        Stage {
            name: "bench",
            about: "benchmarks in quick mode (figures only, never pass/fail on speed)",
            run: Box::new(|| {
                for bench in existing_benches() {
                    cargo(&[
                        "bench",
                        "-p",
                        "daaki-imap",
                        "--bench",
                        &bench,
                        "--",
                        "--quick",
                        "--noplot",
                    ])?;
                }
                Ok(())
            }),
        },
    ];

    for name in args.only.iter().chain(&args.skip) {
        if !stages.iter().any(|s| s.name == name) {
            return Err(format!("unknown stage {name:?}"));
        }
    }
    let mut report: Vec<(&str, Duration, bool)> = Vec::new();
    let started = Instant::now();
    let mut failed = None;
    for stage in &stages {
        let selected = (args.only.is_empty() || args.only.iter().any(|n| n == stage.name))
            && !args.skip.iter().any(|n| n == stage.name);
        if !selected {
            continue;
        }
        println!("\n==> stage {}: {}", stage.name, stage.about);
        let t = Instant::now();
        let outcome = (stage.run)();
        let took = t.elapsed();
        println!(
            "<== stage {} {} in {:.1}s",
            stage.name,
            if outcome.is_ok() { "passed" } else { "FAILED" },
            took.as_secs_f64()
        );
        report.push((stage.name, took, outcome.is_ok()));
        if let Err(e) = outcome {
            failed = Some(format!("stage {} failed: {e}", stage.name));
            break;
        }
    }
    println!("\nstage times:");
    for (name, took, ok) in &report {
        println!(
            "  {name:<8} {:>8.1}s  {}",
            took.as_secs_f64(),
            if *ok { "ok" } else { "FAILED" }
        );
    }
    println!("  {:<8} {:>8.1}s", "total", started.elapsed().as_secs_f64());
    match failed {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
