//! `cargo xtask bench fetch`: daaki-imap's `uid_fetch_streaming` side by side with async-imap
//! 0.12 and a raw socket reader, in one run (the binaries are in `bench/`, built in release).
//!
//! 1. **Against the harness Dovecot** (implicit TLS, rustls + ring for all three): wall time
//!    of the FETCH, interleaved runs, medians, as a ratio to the raw reader that only counts
//!    the reply's bytes. Dovecot is the bottleneck here.
//! 2. **Against the replay server** (a separate process sending the captured corpora from
//!    memory over plain TCP): the client's CPU per message (whole process, all threads) and
//!    its peak RSS, medians. The client is the bottleneck here.
//!
//! Goals are printed next to the figures, never asserted. `--quick`: 3 runs, 10k cases only.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use crate::process::Result;
use crate::process::{cargo, workspace_root};

/// Goal: daaki's CPU per message at most this share of async-imap's.
const CPU_GOAL_RATIO: f64 = 0.5;
/// Goal: daaki's CPU per message for `UID FLAGS RFC822.SIZE` at most this many µs.
const FLAGS_CPU_GOAL_US: f64 = 0.43;
/// Goal: daaki's peak RSS at most this.
const RSS_GOAL_KIB: u64 = 4 * 1024;
/// Goal: daaki's heap (RssAnon) flat from 10k to 100k messages: grows by at most this.
const ANON_FLAT_SLACK_KIB: f64 = 64.0;

const PASSWORD: &str = "bench";

/// The clients, in the order of the tables.
const RAW: &str = "raw-reader";
const DAAKI: &str = "fetch-daaki";
const ASYNC_IMAP: &str = "fetch-async-imap";

/// One FETCH to measure.
struct Case {
    label: &'static str,
    items: &'static str,
    set: &'static str,
    user: &'static str,
    messages: u64,
}

/// One client run's figures (the `key=value` line the bench binaries print).
#[derive(Debug, Clone, Copy)]
struct Sample {
    wall_ns: f64,
    cpu_ns: f64,
    peak_rss_kib: u64,
    rss_anon_kib: u64,
}

/// A helper process that prints `key=value` facts and `ready`, and stops when its stdin closes.
struct Service {
    child: Child,
    facts: HashMap<String, String>,
}

impl Service {
    fn start(program: PathBuf, args: &[&str]) -> Result<Self> {
        let mut child = Command::new(&program)
            .args(args)
            .current_dir(workspace_root())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not start {}: {e}", program.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut facts = HashMap::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|e| e.to_string())?;
            if line == "ready" {
                return Ok(Self { child, facts });
            }
            if let Some((k, v)) = line.split_once('=') {
                facts.insert(k.to_owned(), v.to_owned());
            }
        }
        let _ = child.wait();
        Err(format!("{} exited before it was ready", program.display()))
    }

    fn fact(&self, key: &str) -> Result<&str> {
        self.facts
            .get(key)
            .map(String::as_str)
            .ok_or_else(|| format!("no {key}= fact"))
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// Where `cargo build --release` put the binaries.
fn release_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    workspace_root().join(target).join("release")
}

/// Runs one client binary and parses its report.
fn run_client(bin: &str, args: &[&str], expected: u64) -> Result<Sample> {
    let output = Command::new(release_dir().join(bin))
        .args(args)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("could not run {bin}: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "{bin} {} failed ({}): {stdout}",
            args.join(" "),
            output.status
        ));
    }
    let fields: HashMap<&str, &str> = stdout
        .split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .collect();
    let num = |key: &str| -> Result<f64> {
        fields
            .get(key)
            .and_then(|v| v.parse::<f64>().ok())
            .ok_or_else(|| format!("{bin}: no {key} in {stdout:?}"))
    };
    let messages = num("messages")? as u64;
    if messages != expected {
        return Err(format!("{bin}: {messages} responses, expected {expected}"));
    }
    Ok(Sample {
        wall_ns: num("wall_ns")?,
        cpu_ns: num("cpu_ns")?,
        peak_rss_kib: num("peak_rss_kib")? as u64,
        rss_anon_kib: num("rss_anon_kib")? as u64,
    })
}

/// Runs `clients` on one case `runs` times, interleaved (the order rotates each round), after
/// one discarded warm-up run each. Returns the samples per client, in `clients` order.
fn measure(
    clients: &[&str],
    args: impl Fn(&str) -> Vec<String>,
    case: &Case,
    runs: usize,
) -> Result<Vec<Vec<Sample>>> {
    let mut samples = vec![Vec::with_capacity(runs); clients.len()];
    for round in 0..=runs {
        for k in 0..clients.len() {
            let i = (k + round) % clients.len();
            let client = clients[i];
            let args = args(client);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let sample = run_client(client, &args, case.messages)?;
            if round > 0 {
                samples[i].push(sample);
            }
        }
    }
    Ok(samples)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

fn median_of(samples: &[Sample], f: impl Fn(&Sample) -> f64) -> f64 {
    median(samples.iter().map(f).collect())
}

fn mib(kib: f64) -> f64 {
    kib / 1024.0
}

pub(crate) fn run(quick: bool) -> Result {
    let runs = if quick { 3 } else { 7 };
    cargo(&[
        "build",
        "--release",
        "-p",
        "daaki-imap-bench",
        "-p",
        "daaki-imap-tests",
        "--bins",
    ])?;
    let mut cases = vec![Case {
        label: "FLAGS 10k",
        items: "flags",
        set: "1:10000",
        user: "bench10k",
        messages: 10_000,
    }];
    if !quick {
        cases.push(Case {
            label: "FLAGS 100k",
            items: "flags",
            set: "1:*",
            user: "bench100k",
            messages: 100_000,
        });
    }
    cases.push(Case {
        label: "ENV+BS 10k",
        items: "envbs",
        set: "1:*",
        user: "bench10k",
        messages: 10_000,
    });

    println!("\n== fetch benchmark: {runs} interleaved runs per client and case, medians ==");
    let replay = replay_phase(&cases, runs)?;
    let dovecot = dovecot_phase(&cases, runs, quick)?;
    print!("{dovecot}");
    print!("{replay}");
    Ok(())
}

/// Setting (2): client CPU per message and peak RSS against the replay server.
fn replay_phase(cases: &[Case], runs: usize) -> Result<String> {
    println!("starting the replay server (plain TCP, corpora a and b from memory)");
    let server = Service::start(release_dir().join("replay-server"), &[])?;
    let port = server.fact("port")?.to_owned();
    let clients = [DAAKI, ASYNC_IMAP, RAW];
    let mut out = String::new();
    out.push_str(&format!(
        "\n(2) replay server (separate process, plain TCP; current-thread tokio in every client), \
         median of {runs}\n\
         CPU = whole client process, all threads, during the FETCH; peak RSS = the client \
         process's VmHWM\n\
         (mostly the binary's file-backed pages); anon = its heap and stacks (RssAnon) at the end\n\
         {:<11} {:<11} {:>11} {:>13} {:>9} {:>9}\n",
        "case", "client", "CPU µs/msg", "peak RSS MiB", "anon MiB", "wall ms"
    ));
    let mut daaki_rss = Vec::new();
    let mut daaki_flags_anon = Vec::new();
    for case in cases {
        println!("replay: {} …", case.label);
        let samples = measure(
            &clients,
            |_| {
                [
                    "--port",
                    &port,
                    "--user",
                    "bench",
                    "--password",
                    PASSWORD,
                    "--items",
                    case.items,
                    "--set",
                    case.set,
                ]
                .map(str::to_owned)
                .to_vec()
            },
            case,
            runs,
        )?;
        let mut cpu = HashMap::new();
        for (client, s) in clients.iter().zip(&samples) {
            let per_msg = median_of(s, |x| x.cpu_ns) / case.messages as f64 / 1000.0;
            let rss = median_of(s, |x| x.peak_rss_kib as f64);
            let anon = median_of(s, |x| x.rss_anon_kib as f64);
            cpu.insert(*client, per_msg);
            if *client == DAAKI {
                daaki_rss.push((case.label, rss));
                if case.items == "flags" {
                    daaki_flags_anon.push((case.label, anon));
                    out.push_str(&format!(
                        "{:<11} daaki-imap CPU per message {per_msg:.3} µs (goal ≤ {FLAGS_CPU_GOAL_US} µs: {})\n",
                        case.label,
                        verdict(per_msg <= FLAGS_CPU_GOAL_US)
                    ));
                }
            }
            out.push_str(&format!(
                "{:<11} {:<11} {:>11.3} {:>13.2} {:>9.2} {:>9.1}\n",
                case.label,
                name(client),
                per_msg,
                mib(rss),
                mib(anon),
                median_of(s, |x| x.wall_ns) / 1e6
            ));
        }
        let ratio = cpu[DAAKI] / cpu[ASYNC_IMAP];
        out.push_str(&format!(
            "{:<11} daaki/async-imap CPU per message: {ratio:.2}× (goal ≤ {CPU_GOAL_RATIO}×: {})\n",
            case.label,
            verdict(ratio <= CPU_GOAL_RATIO)
        ));
    }
    let worst = daaki_rss.iter().map(|(_, r)| *r).fold(0.0, f64::max);
    out.push_str(&format!(
        "daaki-imap peak RSS: {} (goal ≤ {} MiB: {})\n",
        daaki_rss
            .iter()
            .map(|(l, r)| format!("{l} {:.2} MiB", mib(*r)))
            .collect::<Vec<_>>()
            .join(", "),
        RSS_GOAL_KIB / 1024,
        verdict(worst <= RSS_GOAL_KIB as f64)
    ));
    if let [(first_label, first), .., (last_label, last)] = daaki_flags_anon[..] {
        out.push_str(&format!(
            "daaki-imap heap (RssAnon): {first_label} {:.2} MiB → {last_label} {:.2} MiB \
             (goal flat, at most +{ANON_FLAT_SLACK_KIB} KiB: {})\n",
            mib(first),
            mib(last),
            verdict(last <= first + ANON_FLAT_SLACK_KIB)
        ));
    }
    drop(server);
    Ok(out)
}

/// Setting (1): wall time against the harness Dovecot, as a ratio to the raw reader.
fn dovecot_phase(cases: &[Case], runs: usize, quick: bool) -> Result<String> {
    println!("starting the harness Dovecot (seeding the benchmark mailboxes)");
    let bench100k = format!("bench100k:{PASSWORD}:100000");
    let mut args = vec![
        "--user",
        "bench10k",
        "--password",
        PASSWORD,
        "--messages",
        "10000",
    ];
    if !quick {
        args.extend(["--extra-user", &bench100k]);
    }
    let harness = Service::start(release_dir().join("dovecot-harness"), &args)?;
    let host = harness.fact("host")?.to_owned();
    let port = harness.fact("tls_port")?.to_owned();
    let ca = harness.fact("ca_cert")?.to_owned();
    let clients = [RAW, DAAKI, ASYNC_IMAP];
    let mut out = String::new();
    out.push_str(&format!(
        "\n(1) harness Dovecot (implicit TLS, rustls + ring for all), wall time of the FETCH, \
         median of {runs}\n\
         {:<11} {:<11} {:>9} {:>10}\n",
        "case", "client", "wall ms", "× raw"
    ));
    for case in cases {
        println!("dovecot: {} …", case.label);
        // Dovecot builds its index and cache on the first FETCHes: warm it up first.
        for _ in 0..2 {
            run_client(
                RAW,
                &[
                    "--host",
                    &host,
                    "--port",
                    &port,
                    "--ca",
                    &ca,
                    "--user",
                    case.user,
                    "--password",
                    PASSWORD,
                    "--items",
                    case.items,
                ],
                case.messages,
            )?;
        }
        let samples = measure(
            &clients,
            |_| {
                [
                    "--host",
                    &host,
                    "--port",
                    &port,
                    "--ca",
                    &ca,
                    "--user",
                    case.user,
                    "--password",
                    PASSWORD,
                    "--items",
                    case.items,
                ]
                .map(str::to_owned)
                .to_vec()
            },
            case,
            runs,
        )?;
        let raw = median_of(&samples[0], |x| x.wall_ns);
        for (client, s) in clients.iter().zip(&samples) {
            let wall = median_of(s, |x| x.wall_ns);
            out.push_str(&format!(
                "{:<11} {:<11} {:>9.1} {:>9.2}×\n",
                case.label,
                name(client),
                wall / 1e6,
                wall / raw
            ));
        }
    }
    drop(harness);
    Ok(out)
}

fn name(bin: &str) -> &'static str {
    match bin {
        DAAKI => "daaki-imap",
        ASYNC_IMAP => "async-imap",
        _ => "raw reader",
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}
