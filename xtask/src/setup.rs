//! `cargo xtask setup`: install what the build and the tests need. Idempotent: every step
//! checks first and does nothing when the tool is already there.
//!
//! Only package registries are used (Debian apt, crates.io, rustup targets); nothing is
//! downloaded from anywhere else.

use std::process::{Command, Stdio};

use crate::process::Result;
use crate::process::{run_in, workspace_root};

/// Debian packages: the real IMAP server the integration tests run against, and the headless
/// browser (with its WebDriver) the wasm tests run in. Never Debian's `binaryen`: its
/// `wasm-opt` (108) silently corrupts wasm-bindgen output.
///
/// Cyrus is the second real server: only the pieces that do not conflict with
/// `dovecot-imapd` are installed (`cyrus-imapd` `Conflicts: imap-server`); its imapd/idled
/// come from the extracted package ([`cyrus_imapd`]).
const APT_PACKAGES: &[&str] = &[
    "dovecot-imapd",
    "openssl",
    "chromium",
    "chromium-driver",
    "cyrus-common",
    "sasl2-bin",
    "libsasl2-modules",
    "eatmydata",
    // The bridge-at-scale test (tests/tests/bridge_scale.rs) runs two bridge instances behind
    // a private nginx (tests/src/harness/nginx.rs): `nginx` for the `wss://` front end,
    // `libnginx-mod-stream` for the TCP front end that sends the PROXY protocol. The harness
    // uses its own prefix, ports and pid file, never the system nginx or its port 80.
    "nginx",
    "libnginx-mod-stream",
];
/// Where the `cyrus-imapd` package is extracted, relative to the workspace root (fixed, so the
/// test harness finds it whatever `CARGO_TARGET_DIR` says; `tests/src/harness/cyrus.rs`).
const CYRUS_IMAPD_DIR: &str = "target/cyrus-imapd";
/// Packages installed with their recommended packages: Chromium was verified headless on this
/// machine kind only with them (fonts and the like).
const WITH_RECOMMENDS: &[&str] = &["chromium", "chromium-driver"];
/// The wasm-pack version the browser stage uses (`cargo install --locked`).
const WASM_PACK_VERSION: &str = "0.15.1";
/// Rust targets: the client also builds for the browser.
const RUST_TARGETS: &[&str] = &["wasm32-unknown-unknown"];
/// Cargo tools: `(cargo subcommand to probe, crate, version)`.
const CARGO_TOOLS: &[(&str, &str, &str)] = &[
    ("fuzz", "cargo-fuzz", "0.13.2"),
    ("mutants", "cargo-mutants", "27.1.0"),
];

pub(crate) fn run() -> Result {
    apt()?;
    cyrus_imapd()?;
    rust_targets()?;
    nightly()?;
    cargo_tools()?;
    wasm_tools()?;
    // Node packages of the npm stage (typescript, playwright-core, binaryen's wasm-opt).
    crate::npm::install()?;
    println!("setup complete");
    Ok(())
}

pub(crate) fn apt() -> Result {
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

/// Downloads the `cyrus-imapd` package with apt and extracts it into
/// `<workspace>/target/cyrus-imapd/root` (imapd and idled run from there). Installing it would
/// remove `dovecot-imapd`. Does nothing when the binaries are already there.
fn cyrus_imapd() -> Result {
    let dir = workspace_root().join(CYRUS_IMAPD_DIR);
    let root = dir.join("root");
    let bin = root.join("usr/lib/cyrus/bin");
    if bin.join("imapd").is_file() && bin.join("idled").is_file() {
        println!("cyrus-imapd: already extracted in {}", root.display());
        return Ok(());
    }
    std::fs::create_dir_all(&dir)
        .map_err(|e| format!("could not create {}: {e}", dir.display()))?;
    run_in(&dir, "apt-get", &["download", "cyrus-imapd"])?;
    let deb = std::fs::read_dir(&dir)
        .map_err(|e| format!("could not read {}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("cyrus-imapd_") && n.ends_with(".deb"))
        })
        .max()
        .ok_or("apt-get download cyrus-imapd produced no .deb")?;
    let deb = deb.display().to_string();
    let root_text = root.display().to_string();
    run_in(&dir, "dpkg-deb", &["-x", &deb, &root_text])?;
    if bin.join("imapd").is_file() {
        Ok(())
    } else {
        Err(format!("{deb} holds no usr/lib/cyrus/bin/imapd"))
    }
}

pub(crate) fn rust_targets() -> Result {
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
pub(crate) fn wasm_tools() -> Result {
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
