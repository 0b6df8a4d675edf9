//! `cargo xtask setup`: install what the build and the tests need. Idempotent: every step
//! checks first and does nothing when the tool is already there.
//!
//! Only package registries are used (Debian apt, crates.io, rustup targets); nothing is
//! downloaded from anywhere else.

use std::process::{Command, Stdio};

use crate::Result;
use crate::stages::{run_in, workspace_root};

/// Debian packages: the real IMAP server the integration tests run against.
const APT_PACKAGES: &[&str] = &["dovecot-imapd", "openssl"];
/// Rust targets: the client also builds for the browser.
const RUST_TARGETS: &[&str] = &["wasm32-unknown-unknown"];
/// Cargo tools: `(cargo subcommand to probe, crate, version)`.
const CARGO_TOOLS: &[(&str, &str, &str)] = &[("fuzz", "cargo-fuzz", "0.13.2")];

pub(crate) fn run() -> Result {
    apt()?;
    rust_targets()?;
    nightly()?;
    cargo_tools()?;
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
    let mut install = vec!["install", "-y", "-qq", "--no-install-recommends"];
    install.extend(&missing);
    apt_get(&install)
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
