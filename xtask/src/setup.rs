//! `cargo xtask setup`: install what the build and the tests need. Idempotent: every step
//! checks first and does nothing when the tool is already there.
//!
//! Only package registries are used (Debian apt, crates.io, rustup targets); nothing is
//! downloaded from anywhere else.

use std::process::{Command, Stdio};

use crate::Result;
use crate::stages::{run_in, workspace_root};

/// Debian packages: the real IMAP server the integration tests run against, and the headless
/// browser (with its WebDriver) the wasm tests run in. Never Debian's `binaryen`: its
/// `wasm-opt` (108) silently corrupts wasm-bindgen output.
const APT_PACKAGES: &[&str] = &["dovecot-imapd", "openssl", "chromium", "chromium-driver"];
/// Packages installed with their recommended packages: Chromium was verified headless on this
/// machine kind only with them (fonts and the like).
const WITH_RECOMMENDS: &[&str] = &["chromium", "chromium-driver"];
/// The wasm-pack version the browser stage uses (`cargo install --locked`).
const WASM_PACK_VERSION: &str = "0.15.1";
/// Rust targets: the client also builds for the browser.
const RUST_TARGETS: &[&str] = &["wasm32-unknown-unknown"];
/// Cargo tools: `(cargo subcommand to probe, crate, version)`.
const CARGO_TOOLS: &[(&str, &str, &str)] = &[("fuzz", "cargo-fuzz", "0.13.2")];

pub(crate) fn run() -> Result {
    apt()?;
    rust_targets()?;
    nightly()?;
    cargo_tools()?;
    wasm_tools()?;
    println!("setup complete");
    Ok(())
}

fn apt() -> Result {
    let missing: Vec<&str> = APT_PACKAGES
        .iter()
        .copied()
        .filter(|p| !dpkg_installed(p))
        .collect();
    if missing.is_empty() {
        println!("apt: {} already installed", APT_PACKAGES.join(", "));
        return Ok(());
    }
    let root = output("id", &["-u"]).is_some_and(|id| id == "0");
    let sudo: &[&str] = if root { &[] } else { &["sudo"] };
    let dir = workspace_root();
    let apt_get = |args: &[&str]| {
        let mut full: Vec<&str> = sudo.to_vec();
        full.extend(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
        full.extend(args);
        run_in(&dir, full[0], &full[1..])
    };
    apt_get(&["update", "-qq"])?;
    let (full, lean): (Vec<&str>, Vec<&str>) =
        missing.iter().partition(|p| WITH_RECOMMENDS.contains(p));
    if !lean.is_empty() {
        let mut install = vec!["install", "-y", "-qq", "--no-install-recommends"];
        install.extend(&lean);
        apt_get(&install)?;
    }
    if !full.is_empty() {
        let mut install = vec!["install", "-y", "-qq"];
        install.extend(&full);
        apt_get(&install)?;
    }
    Ok(())
}

fn rust_targets() -> Result {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    for target in RUST_TARGETS {
        if installed.lines().any(|l| l.trim() == *target) {
            println!("rustup: target {target} already installed");
        } else {
            run_in(&workspace_root(), "rustup", &["target", "add", target])?;
        }
    }
    Ok(())
}

fn nightly() -> Result {
    let toolchains = output("rustup", &["toolchain", "list"]).unwrap_or_default();
    if toolchains.lines().any(|l| l.starts_with("nightly")) {
        println!("rustup: nightly toolchain present (cargo-fuzz needs it)");
        Ok(())
    } else {
        run_in(
            &workspace_root(),
            "rustup",
            &["toolchain", "install", "nightly", "--profile", "minimal"],
        )
    }
}

fn cargo_tools() -> Result {
    for (subcommand, krate, version) in CARGO_TOOLS {
        let have = Command::new("cargo")
            .args([subcommand, "--version"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if have {
            println!("cargo: {krate} already installed");
        } else {
            run_in(
                &workspace_root(),
                "cargo",
                &["install", "--locked", krate, "--version", version],
            )?;
        }
    }
    Ok(())
}

/// `wasm-bindgen-cli` at exactly Cargo.lock's `wasm-bindgen` version (wasm-pack and the test
/// runner refuse any other), and `wasm-pack`. The CLI is installed without `--locked`: its own
/// lock file names a `webpki-roots` the registry index may not have.
fn wasm_tools() -> Result {
    let version = lockfile_version("wasm-bindgen")?;
    let dir = workspace_root();
    let have = output("wasm-bindgen", &["--version"]).unwrap_or_default();
    if have == format!("wasm-bindgen {version}") {
        println!("cargo: wasm-bindgen-cli {version} already installed");
    } else {
        run_in(
            &dir,
            "cargo",
            &[
                "install",
                "--force",
                "--version",
                &version,
                "wasm-bindgen-cli",
            ],
        )?;
    }
    let have = output("wasm-pack", &["--version"]).unwrap_or_default();
    if have == format!("wasm-pack {WASM_PACK_VERSION}") {
        println!("cargo: wasm-pack {WASM_PACK_VERSION} already installed");
    } else {
        run_in(
            &dir,
            "cargo",
            &[
                "install",
                "--locked",
                "--force",
                "--version",
                WASM_PACK_VERSION,
                "wasm-pack",
            ],
        )?;
    }
    if dpkg_installed("binaryen") {
        println!(
            "warning: Debian's binaryen is installed; its wasm-opt breaks wasm-bindgen output \
             (remove it, or put npm's binaryen first on PATH before `wasm-pack build`)"
        );
    }
    Ok(())
}

/// The version of `package` in the workspace's Cargo.lock.
pub(crate) fn lockfile_version(package: &str) -> Result<String> {
    let lock = std::fs::read_to_string(workspace_root().join("Cargo.lock"))
        .map_err(|e| format!("could not read Cargo.lock: {e}"))?;
    let name = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == name
            && let Some(version) = lines
                .next()
                .and_then(|l| l.strip_prefix("version = \""))
                .and_then(|v| v.strip_suffix('"'))
        {
            return Ok(version.to_owned());
        }
    }
    Err(format!("Cargo.lock has no {package}"))
}

fn dpkg_installed(package: &str) -> bool {
    output("dpkg-query", &["-W", "-f=${Status}", package])
        .is_some_and(|s| s.ends_with("install ok installed"))
}

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}
