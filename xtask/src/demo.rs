//! `cargo xtask demo`: the browser mail app (`web-demo/`) on the npm package, through the
//! bridge, against the seeded harness Dovecot.
//!
//! 1. installs what is missing: the setup steps the demo needs (apt packages with Chromium,
//!    the wasm32 target, wasm-bindgen and wasm-pack; see `setup.rs`) and web-demo's npm
//!    packages (`npm ci`);
//! 2. builds the npm package `daaki-imap` for `--target web` (the `npm` stage's build, into
//!    `tests/npm/pkg`) and the page (`vite build`, into `<target dir>/web-demo/dist`);
//! 3. starts `dovecot-harness` (user `demo` / `demo`, 1,000 messages), the bridge (named target
//!    `dovecot` = the harness's TLS port; only the page's origin allowed) and `vite preview`
//!    serving the page, with `demo-config.json` beside it (the connect form's defaults);
//! 4. prints the URL and the login and waits until Ctrl-C (or until the page server ends);
//!    everything stops with it.
//!
//! `--check` runs the walk-through (`web-demo/tests/walkthrough.mjs`: playwright-core driving
//! Debian's `/usr/bin/chromium`) instead of waiting, stops everything and fails when it fails.
//! Screenshots go to `<target dir>/web-demo-check/`. A native daaki-imap client
//! (`imap-append`, a bin of the tests crate) delivers the mail the page must see via IDLE.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::browser::{
    Guard, HARNESS_MESSAGES, Harness, bridge_config, free_port, start_bridge, target_dir,
    wait_for_port,
};
use crate::process::Result;
use crate::process::workspace_root;

/// The browser the walk-through drives (Debian's `chromium`).
const CHROMIUM: &str = "/usr/bin/chromium";
/// Preferred ports of the interactive demo (free ones are used when these are taken).
const PAGE_PORT: u16 = 5173;
const BRIDGE_PORT: u16 = 8143;
/// The bridge target naming the harness Dovecot.
const TARGET: &str = "dovecot";

/// Arguments of `cargo xtask demo`.
#[derive(clap::Args)]
pub(crate) struct DemoArgs {
    /// Run the walk-through headless (Playwright + Chromium) and exit; non-zero on failure.
    #[arg(long)]
    check: bool,
}

pub(crate) fn run(args: &DemoArgs) -> Result {
    if args.check { check() } else { serve() }
}

/// `cargo xtask demo --check`, also the `demo` stage of `cargo xtask test`.
pub(crate) fn check() -> Result {
    let demo = Demo::start(false)?;
    let out = target_dir().join("web-demo-check");
    // Screenshots of an earlier run (a failed step's among them) must not pass for this run's.
    if out.exists() {
        std::fs::remove_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    let append = [
        binary("imap-append").display().to_string(),
        "--host".into(),
        demo.harness.fact("host")?.into(),
        "--port".into(),
        demo.harness.fact("tls_port")?.into(),
        "--ca".into(),
        demo.harness.fact("ca_cert")?.into(),
        "--user".into(),
        demo.harness.fact("user")?.into(),
        "--password".into(),
        demo.harness.fact("password")?.into(),
    ];
    let append_json = format!(
        "[{}]",
        append
            .iter()
            .map(|a| json_string(a))
            .collect::<Vec<_>>()
            .join(",")
    );
    println!("$ node tests/walkthrough.mjs   (DEMO_URL={})", demo.url);
    let status = Command::new("node")
        .arg("tests/walkthrough.mjs")
        .current_dir(web_demo())
        .env("DEMO_URL", &demo.url)
        .env("DEMO_OUT", &out)
        .env("DEMO_MESSAGES", HARNESS_MESSAGES.to_string())
        .env("DEMO_PASSWORD", demo.harness.fact("password")?)
        .env("DEMO_APPEND", append_json)
        .env("DEMO_BRIDGE_PID", demo.bridge.0.id().to_string())
        .status()
        .map_err(|e| format!("could not run node: {e}"))?;
    if status.success() {
        println!("demo walk-through passed; screenshots in {}", out.display());
        Ok(())
    } else {
        Err(format!(
            "demo walk-through failed ({status}); screenshots in {}",
            out.display()
        ))
    }
}

/// `cargo xtask demo`: serve until Ctrl-C.
fn serve() -> Result {
    let mut demo = Demo::start(true)?;
    println!(
        "\n  daaki-imap web demo: {url}\n  login: {user} / {password} ({messages} messages in INBOX; \
         the form is filled in)\n  bridge: {bridge} (target {TARGET:?})\n\n  Press Ctrl-C to stop.\n",
        url = demo.url,
        user = demo.harness.fact("user")?,
        password = demo.harness.fact("password")?,
        messages = HARNESS_MESSAGES,
        bridge = demo.bridge_url,
    );
    // Ctrl-C reaches every process of the terminal's foreground group: the page server, the
    // bridge and the harness (whose Dovecot stops when its standard input closes) all end, and
    // whatever is still running when this returns is stopped by `demo`'s drop.
    let status = demo
        .page
        .0
        .wait()
        .map_err(|e| format!("waiting for the page server: {e}"))?;
    match status.code() {
        None | Some(0) => {
            println!("demo stopped");
            Ok(())
        }
        Some(_) => Err(format!("the page server stopped ({status})")),
    }
}

/// Everything the demo runs; dropping it stops it all (page server, bridge, Dovecot).
struct Demo {
    url: String,
    bridge_url: String,
    page: Guard,
    bridge: Guard,
    harness: Harness,
}

impl Demo {
    fn start(interactive: bool) -> Result<Self> {
        prerequisites()?;
        let dist = build_page()?;
        crate::process::cargo(&[
            "build",
            "--quiet",
            "-p",
            "daaki-imap-bridge",
            "-p",
            "daaki-imap-tests",
            "--bin",
            "daaki-imap-bridge",
            "--bin",
            "dovecot-harness",
            "--bin",
            "imap-append",
        ])?;
        let harness = Harness::start()?;
        let port = |preferred: u16| {
            if interactive && std::net::TcpListener::bind(("127.0.0.1", preferred)).is_ok() {
                Ok(preferred)
            } else {
                free_port()
            }
        };
        let (page_port, bridge_port) = (port(PAGE_PORT)?, port(BRIDGE_PORT)?);
        let url = format!("http://127.0.0.1:{page_port}/");
        let bridge_url = format!("ws://127.0.0.1:{bridge_port}/imap");

        // Only the page's origin; a short drain so Ctrl-C does not wait for open sessions.
        let config = bridge_config(
            bridge_port,
            &format!("http://127.0.0.1:{page_port}"),
            &harness,
        )? + "\n[limits]\nshutdown_drain_secs = 1\n";
        let dir = target_dir().join("web-demo");
        let bridge = start_bridge(
            &binary("daaki-imap-bridge"),
            &dir,
            "bridge",
            &config,
            bridge_port,
        )?;

        let defaults = format!(
            "{{\"bridgeUrl\":{},\"target\":{},\"user\":{},\"password\":{}}}\n",
            json_string(&bridge_url),
            json_string(TARGET),
            json_string(harness.fact("user")?),
            json_string(harness.fact("password")?),
        );
        let config_path = dist.join("demo-config.json");
        std::fs::write(&config_path, defaults)
            .map_err(|e| format!("{}: {e}", config_path.display()))?;

        let page = Command::new("node")
            .arg(vite())
            .args(["preview", "--host", "127.0.0.1", "--strictPort", "--port"])
            .arg(page_port.to_string())
            .arg("--outDir")
            .arg(&dist)
            .current_dir(web_demo())
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("could not start vite preview: {e}"))?;
        let page = Guard(page);
        wait_for_port(page_port, Duration::from_secs(30))?;
        Ok(Self {
            url,
            bridge_url,
            page,
            bridge,
            harness,
        })
    }
}

/// What the demo needs installed: Chromium, Dovecot, the wasm tools (the setup steps), Node.js
/// and web-demo's npm packages.
fn prerequisites() -> Result {
    crate::setup::apt()?;
    crate::setup::rust_targets()?;
    crate::setup::wasm_tools()?;
    if !Path::new(CHROMIUM).exists() {
        return Err(format!("{CHROMIUM} is missing (run `cargo xtask setup`)"));
    }
    let node = Command::new("node")
        .arg("--version")
        .output()
        .map_err(|e| format!("Node.js (20.19 or later) is needed for the demo: {e}"))?;
    println!("node {}", String::from_utf8_lossy(&node.stdout).trim());
    let installed = web_demo().join("node_modules/.package-lock.json");
    let stale = match (
        modified(&installed),
        modified(&web_demo().join("package-lock.json")),
    ) {
        (Some(have), Some(want)) => have < want,
        _ => true,
    };
    if stale {
        crate::process::run_in(&web_demo(), "npm", &["ci", "--no-audit", "--no-fund"])?;
    } else {
        println!("npm: web-demo's packages already installed");
    }
    Ok(())
}

/// Builds the npm package (`--target web`, by the `npm` stage's build) and the page; returns
/// the page's directory.
fn build_page() -> Result<PathBuf> {
    if !workspace_root()
        .join("tests/npm/node_modules/.bin/wasm-opt")
        .exists()
    {
        crate::npm::install()?;
    }
    let pkg = crate::npm::build("web", "pkg")?;
    let dist = target_dir().join("web-demo").join("dist");
    println!(
        "$ node {} build --outDir {}",
        vite().display(),
        dist.display()
    );
    let status = Command::new("node")
        .arg(vite())
        .args(["build", "--emptyOutDir", "--logLevel", "warn", "--outDir"])
        .arg(&dist)
        .current_dir(web_demo())
        .env("DAAKI_IMAP_PKG", &pkg)
        .status()
        .map_err(|e| format!("could not run vite: {e}"))?;
    if status.success() {
        Ok(dist)
    } else {
        Err(format!("vite build failed ({status})"))
    }
}

fn web_demo() -> PathBuf {
    workspace_root().join("web-demo")
}

fn vite() -> PathBuf {
    web_demo().join("node_modules/vite/bin/vite.js")
}

fn binary(name: &str) -> PathBuf {
    target_dir().join("debug").join(name)
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// `s` as a JSON string literal.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::json_string;

    #[test]
    fn json_strings_escape_quotes_backslashes_and_controls() {
        assert_eq!(json_string(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(json_string("x\ny"), r#""x\u000ay""#);
        assert_eq!(json_string("Grüße"), "\"Grüße\"");
    }
}
