//! The `npm` stage: the npm package `daaki-imap` (the `js` facade of the client), built,
//! type-checked and run in headless Chromium against a real Dovecot through the bridge.
//!
//! 0. clippy of the `js` facade (wasm32, feature `js`: no other stage compiles it);
//! 1. `npm ci` in `tests/npm` (typescript, playwright-core and binaryen, pinned by its
//!    package-lock.json), and npm's `wasm-opt` first on `PATH` — never Debian's binaryen, whose
//!    `wasm-opt` 108 silently corrupts wasm-bindgen output;
//! 2. `wasm-pack build client --release --target web` and `--target bundler` with
//!    `--features js` and `-m no-install` (nothing downloaded), into `tests/npm/pkg` and
//!    `tests/npm/pkg-bundler`, then `wasm-opt -Oz --converge --reorder-functions-by-name` on
//!    each `.wasm`; the package README is `client/js/README.md`;
//! 3. prints the size of the release `.wasm` after wasm-opt, raw and gzipped (`gzip -9`);
//! 4. `tsc` (strict) compiles the TypeScript consumer `tests/npm/src/consumer.ts` against the
//!    generated `.d.ts` of both targets;
//! 5. starts `dovecot-harness` and a bridge that allows the test page's origin, and runs
//!    `tests/npm/run.mjs`: Playwright (`playwright-core`, `/usr/bin/chromium`) loads the page,
//!    which imports the `--target web` package and runs the consumer (login, streaming fetch
//!    with `for await`, IDLE aborted by an `AbortController`, a wrong password as a typed
//!    error, and the extension methods: MULTIAPPEND, LIST-EXTENDED, ESEARCH, SORT, THREAD,
//!    CONDSTORE/QRESYNC, PARTIAL, METADATA, QUOTA, ACL, SPECIAL-USE, NAMESPACE, ID), then
//!    Gmail's X-GM-EXT-1 against `gmail-fake` (the scripted Gmail session of
//!    `daaki_imap_tests::gmail`, a plaintext loopback target `gmail` of the same bridge).
//!    Everything started is stopped when the stage ends, passing or not.

use std::ffi::OsString;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::browser::{Harness, bridge_config, free_port, start_bridge, target_dir};
use crate::process::Result;
use crate::process::workspace_root;

/// The package's wasm file inside a wasm-pack output directory.
const WASM_FILE: &str = "daaki_imap_bg.wasm";
/// The size goal of the package's wasm, gzipped (issue: "≤ 200 KB").
const GOAL_GZIP_BYTES: u64 = 200_000;

fn npm_dir() -> PathBuf {
    workspace_root().join("tests").join("npm")
}

/// `PATH` with `tests/npm/node_modules/.bin` first, so wasm-pack finds npm's `wasm-opt`.
fn npm_path() -> Result<OsString> {
    let bin = npm_dir().join("node_modules").join(".bin");
    let mut dirs = vec![bin];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(dirs).map_err(|e| e.to_string())
}

/// Runs `program args` in `dir` with npm's tools first on `PATH`.
fn run(dir: &Path, program: &str, args: &[&str], env: &[(&str, &str)]) -> Result {
    println!("$ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("PATH", npm_path()?)
        .envs(env.iter().copied())
        .status()
        .map_err(|e| format!("could not run {program} (run `cargo xtask setup`): {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}

/// `npm ci` in `tests/npm` (also used by `cargo xtask setup`).
pub(crate) fn install() -> Result {
    run(&npm_dir(), "npm", &["ci", "--no-audit", "--no-fund"], &[])
}

/// Builds the package for one wasm-pack target into `tests/npm/<out>`.
pub(crate) fn build(target: &str, out: &str) -> Result<PathBuf> {
    let out_dir = npm_dir().join(out);
    let out_arg = out_dir.to_string_lossy().into_owned();
    run(
        &workspace_root(),
        "wasm-pack",
        &[
            "build",
            "client",
            "--release",
            "--target",
            target,
            "--out-dir",
            &out_arg,
            "--no-opt",
            "-m",
            "no-install",
            "--",
            "--locked",
            "--features",
            "js",
        ],
        // Size over speed for the package: one codegen unit, fat LTO, opt-level z.
        &[
            ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "z"),
            ("CARGO_PROFILE_RELEASE_LTO", "fat"),
            ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1"),
        ],
    )?;
    optimize(&out_dir.join(WASM_FILE))?;
    // wasm-pack copies the crate's (Rust) README; JS users get their own.
    let readme = workspace_root().join("client").join("js").join("README.md");
    std::fs::copy(&readme, out_dir.join("README.md"))
        .map_err(|e| format!("{}: {e}", readme.display()))?;
    Ok(out_dir)
}

/// `wasm-opt -Oz --converge --reorder-functions-by-name` (npm's binaryen) on `file`, in place.
/// Run here rather than by wasm-pack, which was seen to leave a build unoptimised without
/// failing; this fails loudly instead. `--converge` repeats `-Oz` while it still shrinks the
/// module; ordering functions by name puts the like-named ones (each method's future, each
/// type's serialiser) side by side, where gzip finds their likeness (measured: 4 KB gzipped).
fn optimize(file: &Path) -> Result {
    let path = file.to_string_lossy().into_owned();
    run(
        &npm_dir(),
        "wasm-opt",
        &[
            "-Oz",
            "--converge",
            "--reorder-functions-by-name",
            // What rustc 1.95 emits for wasm32-unknown-unknown (its target_features section).
            "--enable-bulk-memory",
            "--enable-reference-types",
            "--enable-nontrapping-float-to-int",
            "--enable-sign-ext",
            "--enable-multivalue",
            "--enable-mutable-globals",
            &path,
            "-o",
            &path,
        ],
        &[],
    )
}

/// Size of `file` raw and gzipped (`gzip -9`).
fn sizes(file: &Path) -> Result<(u64, u64)> {
    let raw = std::fs::metadata(file)
        .map_err(|e| format!("{}: {e}", file.display()))?
        .len();
    let out = Command::new("gzip")
        .arg("-9c")
        .arg(file)
        .output()
        .map_err(|e| format!("could not run gzip: {e}"))?;
    if !out.status.success() {
        return Err(format!("gzip {} failed", file.display()));
    }
    Ok((raw, out.stdout.len() as u64))
}

/// Checks that the `wasm-opt` wasm-pack will find is npm's binaryen.
fn check_wasm_opt() -> Result {
    let out = Command::new("wasm-opt")
        .arg("--version")
        .env("PATH", npm_path()?)
        .output()
        .map_err(|e| format!("no wasm-opt (run `cargo xtask setup`): {e}"))?;
    let version = String::from_utf8_lossy(&out.stdout);
    if version.contains("version 132") {
        Ok(())
    } else {
        Err(format!(
            "wasm-opt on PATH is {version:?}, not npm's binaryen 132 (run `cargo xtask setup`)"
        ))
    }
}

pub(crate) fn run_stage() -> Result {
    let dir = npm_dir();
    // The facade only compiles for wasm32 with `js`; no other stage sees it.
    crate::process::cargo(&[
        "clippy",
        "--locked",
        "--target",
        "wasm32-unknown-unknown",
        "-p",
        "daaki-imap",
        "--features",
        "js",
        "--",
        "-D",
        "warnings",
    ])?;
    install()?;
    check_wasm_opt()?;
    let web = build("web", "pkg")?;
    build("bundler", "pkg-bundler")?;

    let (raw, gz) = sizes(&web.join(WASM_FILE))?;
    println!(
        "size: npm package (features `js`, release, wasm-opt -Oz --converge \
         --reorder-functions-by-name): {raw} bytes, {gz} bytes gzipped \
         ({:.1} KiB; goal {GOAL_GZIP_BYTES} bytes{})",
        gz as f64 / 1024.0,
        if gz <= GOAL_GZIP_BYTES {
            ", met"
        } else {
            ", missed"
        }
    );

    run(&dir, "tsc", &["-p", "tsconfig.json"], &[])?;
    run(&dir, "tsc", &["-p", "tsconfig.bundler.json"], &[])?;

    crate::process::cargo(&["build", "--quiet", "--locked", "-p", "daaki-imap-bridge"])?;
    let binary = target_dir().join("debug").join("daaki-imap-bridge");
    let harness = Harness::start()?;
    let work = target_dir().join("npm-stage");
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let page_port = free_port()?;
    let bridge_port = free_port()?;
    let gmail = GmailFake::start()?;
    let config = bridge_config(
        bridge_port,
        &format!("http://127.0.0.1:{page_port}"),
        &harness,
    )? + &format!(
        "\n[[targets]]\nname = \"gmail\"\nhost = \"127.0.0.1\"\nport = {}\ntls = false\n\
         allow_private = true\n",
        gmail.port
    );
    let _bridge = start_bridge(&binary, &work, "bridge", &config, bridge_port)?;
    let page_port = page_port.to_string();
    let bridge_url = format!("ws://127.0.0.1:{bridge_port}/imap");
    let messages = crate::browser::HARNESS_MESSAGES.to_string();
    run(
        &dir,
        "node",
        &["run.mjs"],
        &[
            ("PAGE_PORT", &page_port),
            ("BRIDGE_URL", &bridge_url),
            ("IMAP_USER", harness.fact("user")?),
            ("IMAP_PASSWORD", harness.fact("password")?),
            ("IMAP_MESSAGES", &messages),
        ],
    )
}

/// The `gmail-fake` binary: the scripted Gmail session on a loopback port; stopped (its
/// standard input closed) when dropped.
struct GmailFake {
    child: Child,
    port: u16,
}

impl GmailFake {
    fn start() -> Result<Self> {
        let mut child = Command::new(crate::browser::cargo())
            .args(["run", "--quiet", "--locked", "-p", "daaki-imap-tests"])
            .args(["--bin", "gmail-fake"])
            .current_dir(crate::process::workspace_root())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not start gmail-fake: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut port = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|e| e.to_string())?;
            if line == "ready" {
                let port = port.ok_or("gmail-fake printed no port")?;
                return Ok(Self { child, port });
            }
            if let Some(p) = line.strip_prefix("port=") {
                port = p.parse().ok();
            }
        }
        let _ = child.wait();
        Err("gmail-fake exited before it was ready".into())
    }
}

impl Drop for GmailFake {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}
