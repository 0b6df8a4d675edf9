//! `cargo xtask mutants`: mutation testing with cargo-mutants over the code whose bugs the
//! tests must catch — the sans-I/O protocol core, the driver, the client–bridge wire contract
//! and the bridge's policy, ticket and config code ([`SCOPE`]).
//!
//! How a run works: cargo-mutants (configured by `.cargo/mutants.toml` for the client and
//! `.cargo/mutants-bridge.toml` for the bridge: which tests run,
//! timeouts, exclusions) mutates the chosen files one mutant at a time and runs the mutated
//! package's own fast tests. Its lists of outcomes are then read back and each *missed* mutant
//! is looked up in `mutants/accepted.txt`, the checked-in list of misses that are equivalent
//! (no observable difference) or known gaps, each with its reason. A run fails when a mutant
//! is missed that the list does not accept, so a new miss needs a test — or a reason.
//!
//! - `cargo xtask mutants [PATH…] [--shard k/n] [--save NAME]`: by hand (the whole scope is
//!   ~2,300 mutants, hours on 2 cores: run it in shards across sessions and `--save` each
//!   shard's lists into `mutants/results/NAME/`).
//! - `cargo xtask mutants --changed` (the `mutants` stage of `cargo xtask test`): only the
//!   scope files whose contents differ from the ones recorded in `.cargo/mutants-base` at
//!   their last full by-hand run, and scope files it does not list at all (new code). Blob ids
//!   are compared, not a git diff, so it needs no history or branch — CI clones `main` alone.
//!   Files marked `pending` (their first full run has not been done yet) are listed, not
//!   mutated. Above `--max` mutants it fails and asks for a by-hand run.
//! - `cargo xtask mutants [PATH…] --iterate`: resumes a stopped run or re-checks a finished
//!   one after new tests — only the missed mutants and those not reached yet are tested (a
//!   timeout counts as caught and is not waited for again) — and reports the
//!   last outcome of every mutant (kept across runs in `mutants-out/<package>/merged/`).
//! - `cargo xtask mutants --mark-pending [PATH…]`: marks files (default: every changed one)
//!   `pending` while a refactor that moves code between them awaits its planned full run.
//! - `cargo xtask mutants --record-base [PATH…]`: after a full run of these files (default:
//!   the whole scope), records their current blob ids in `.cargo/mutants-base`; scope files
//!   the file does not list yet are written as `pending`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::process::Result;
use crate::process::workspace_root;

/// What mutation testing covers: `(package, file or directory prefix)`.
pub(crate) const SCOPE: &[(&str, &str)] = &[
    ("daaki-imap", "client/src/proto/"),
    ("daaki-imap", "client/src/driver/"),
    ("daaki-imap", "client/src/wire.rs"),
    // Wire contract v2: control messages and the credit both sides share.
    ("daaki-imap", "client/src/wire/"),
    // Request types and checks that issue 20 moved from `proto/command` and
    // `proto/session/assemble.rs` to `types/`: their mutants were in scope before the move.
    ("daaki-imap", "client/src/types/acl.rs"),
    ("daaki-imap", "client/src/types/append.rs"),
    ("daaki-imap", "client/src/types/auth_mechanism.rs"),
    ("daaki-imap", "client/src/types/condstore.rs"),
    ("daaki-imap", "client/src/types/list_options.rs"),
    ("daaki-imap", "client/src/types/metadata.rs"),
    ("daaki-imap", "client/src/types/notify.rs"),
    ("daaki-imap", "client/src/types/search_options.rs"),
    ("daaki-imap", "client/src/types/special_use.rs"),
    ("daaki-imap", "client/src/types/store_kind.rs"),
    ("daaki-imap", "client/src/types/response/search.rs"),
    // New logic of the real-world output issue that lives in `types/`.
    ("daaki-imap", "client/src/types/quirk.rs"),
    ("daaki-imap", "client/src/types/response/unparsed.rs"),
    ("daaki-imap", "client/src/types/response/incomplete.rs"),
    ("daaki-imap", "client/src/types/gmail.rs"),
    ("daaki-imap", "client/src/types/quoted.rs"),
    ("daaki-imap", "client/src/types/flag.rs"),
    ("daaki-imap", "client/src/types/response/mailbox.rs"),
    ("daaki-imap-bridge", "bridge/src/policy.rs"),
    ("daaki-imap-bridge", "bridge/src/address.rs"),
    ("daaki-imap-bridge", "bridge/src/ticket.rs"),
    ("daaki-imap-bridge", "bridge/src/config.rs"),
    // The bridge-under-attack issue: admission at accept, the streaming framing, the upgrade.
    ("daaki-imap-bridge", "bridge/src/admission.rs"),
    ("daaki-imap-bridge", "bridge/src/websocket.rs"),
    ("daaki-imap-bridge", "bridge/src/upgrade.rs"),
    // The bridge-at-scale issue: who the client is behind trusted proxies.
    ("daaki-imap-bridge", "bridge/src/client_addr.rs"),
    // … the PROXY protocol header (read and written) and the per-subject cap.
    ("daaki-imap-bridge", "bridge/src/proxy_protocol.rs"),
    ("daaki-imap-bridge", "bridge/src/subjects.rs"),
    // Wire v2 inside a session: download credit, the upload window, control reassembly.
    ("daaki-imap-bridge", "bridge/src/pipe/credit.rs"),
];

/// Checked-in misses: `equivalent|gap <file>: <mutation> — <reason>`.
const ACCEPTED: &str = "mutants/accepted.txt";
/// Blob ids of the scope files at the last full run.
const BASE: &str = ".cargo/mutants-base";

/// Arguments of `cargo xtask mutants`.
#[derive(clap::Args)]
pub(crate) struct MutantsArgs {
    /// Files to mutate (default: every file of the scope). Files outside the scope are refused.
    paths: Vec<String>,
    /// Only the scope files changed since `.cargo/mutants-base` (what the test stage runs).
    #[arg(long, conflicts_with = "paths")]
    changed: bool,
    /// With `--changed`: fail without running when the changed files hold more mutants.
    #[arg(long, default_value_t = 300)]
    max: usize,
    /// Run only shard k of n (`k/n`, k from 0), as cargo-mutants' `--shard`.
    #[arg(long)]
    shard: Option<String>,
    /// Parallel build/test jobs (cargo-mutants `-j`).
    #[arg(long, short = 'j', default_value_t = 1)]
    jobs: usize,
    /// Copy the outcome lists into `mutants/results/<NAME>/` (to commit a by-hand run).
    #[arg(long, value_name = "NAME")]
    save: Option<String>,
    /// List the mutants, run nothing.
    #[arg(long)]
    list: bool,
    /// Resume or re-check the last run of these files: test only the mutants it missed or
    /// did not reach (when it was stopped), then report the last outcome of every mutant.
    /// The same files and `CARGO_TARGET_DIR` as that run.
    #[arg(long, conflicts_with = "changed")]
    iterate: bool,
    /// Record the given files (default: the whole scope) as fully run in `.cargo/mutants-base`.
    #[arg(long, conflicts_with_all = ["changed", "shard", "save", "list"])]
    record_base: bool,
    /// Mark the given files (default: every changed or unlisted scope file) `pending` in
    /// `.cargo/mutants-base`: a refactor that moves code between files whose fresh full run
    /// is planned (the stage lists pending files and does not mutate them).
    #[arg(long, conflicts_with_all = ["changed", "shard", "save", "list", "record_base"])]
    mark_pending: bool,
}

/// The `mutants` stage of `cargo xtask test`: `cargo xtask mutants --changed`.
pub(crate) fn run_stage() -> Result {
    run(&MutantsArgs {
        paths: Vec::new(),
        changed: true,
        max: 300,
        shard: None,
        jobs: 1,
        save: None,
        list: false,
        iterate: false,
        record_base: false,
        mark_pending: false,
    })
}

pub(crate) fn run(args: &MutantsArgs) -> Result {
    if args.record_base {
        return record_base(&args.paths);
    }
    if args.mark_pending {
        return mark_pending(&args.paths);
    }
    let files = if args.changed {
        let changed = changed_files()?;
        if changed.is_empty() {
            println!("mutants: no scope file changed since {BASE}; nothing to mutate");
            return Ok(());
        }
        println!("mutants: changed since {BASE}: {}", changed.join(", "));
        changed
    } else if args.paths.is_empty() {
        scope_files()?
    } else {
        args.paths
            .iter()
            .map(|p| in_scope(p).map(|_| p.trim_start_matches("./").to_owned()))
            .collect::<Result<Vec<_>>>()?
    };
    let by_package = group_by_package(&files)?;
    if args.changed {
        let files = files.join(" ");
        let count: usize = by_package
            .iter()
            .map(|(package, files)| list(package, files).map(|l| l.len()))
            .sum::<Result<usize>>()?;
        if count > args.max {
            return Err(format!(
                "{count} mutants in the files changed since {BASE} (bound {}): too many for CI. \
                 Run them by hand — `cargo xtask mutants {files}` — kill or accept what survives, \
                 then `cargo xtask mutants --record-base {files}`",
                args.max,
            ));
        }
        println!("mutants: {count} mutants (bound {})", args.max);
    }
    if args.list {
        for (package, files) in &by_package {
            for name in list(package, files)? {
                println!("{name}");
            }
        }
        return Ok(());
    }
    let mut missed = Vec::new();
    for (package, files) in &by_package {
        let out = output_dir(package);
        let merged = out.join("merged");
        if args.iterate {
            // What the previous run (or runs) found, before cargo-mutants moves it aside.
            let before = Outcome::merged(&merged, &out.join("mutants.out"))?;
            before.write(&merged)?;
            // cargo-mutants skips what it lists as caught or unviable; a timeout counts as
            // caught too, and re-running it would only wait for the timeout again.
            skip_on_iterate(&out.join("mutants.out"), &before.timeout)?;
        } else if merged.exists() {
            std::fs::remove_dir_all(&merged)
                .map_err(|e| format!("could not remove {}: {e}", merged.display()))?;
        }
        let ran = mutate(package, files, args, &out);
        // Kept even when the run was stopped (Ctrl-C), so `--iterate` resumes from here.
        let mut outcome = Outcome::merged(&merged, &out.join("mutants.out"))?;
        outcome.retain_current(&list(package, files)?);
        outcome.write(&merged)?;
        outcome.print_summary(package);
        if let Some(name) = &args.save {
            save(&merged, name, package)?;
        }
        ran?;
        missed.extend(outcome.missed);
    }
    // Read after the run: a long run's misses may be judged (and listed) while it goes on.
    let failures = unaccepted(missed, accepted()?);
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} missed mutant(s) neither killed by a test nor accepted in {ACCEPTED}:\n  {}",
            failures.len(),
            failures.join("\n  ")
        ))
    }
}

/// Runs cargo-mutants on `files` of `package`, writing `out/mutants.out`.
fn mutate(package: &str, files: &[String], args: &MutantsArgs, out: &Path) -> Result {
    let mut cmd = mutants_command(package, files);
    cmd.args(["--jobs", &args.jobs.to_string()]);
    if args.jobs > 1 {
        // Parallel jobs cannot share one target dir (cargo would serialise their builds on
        // its lock): each of cargo-mutants' build dirs keeps its own `target/`.
        cmd.env_remove("CARGO_TARGET_DIR");
    }
    if let Some(shard) = &args.shard {
        cmd.args(["--shard", shard]);
    }
    if args.iterate {
        cmd.arg("--iterate");
    }
    std::fs::create_dir_all(out).map_err(|e| format!("could not create {}: {e}", out.display()))?;
    cmd.arg("--output").arg(out);
    println!("$ {cmd:?}");
    let status = cmd
        .status()
        .map_err(|e| format!("could not run cargo mutants: {e}\n{INSTALL_HINT}"))?;
    // 0: all caught; 2: some missed; 3: some timed out — both judged from the lists below.
    // Anything else (1 usage, 4 the unmutated tree fails its tests) is an error.
    match status.code() {
        Some(0 | 2 | 3) => Ok(()),
        _ => Err(format!(
            "cargo mutants failed ({status}); its log is in {}",
            out.join("mutants.out/debug.log").display()
        )),
    }
}

const INSTALL_HINT: &str = "hint: `cargo xtask setup` installs cargo-mutants";

fn mutants_command(package: &str, files: &[String]) -> Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace_root())
        .args(["mutants", "--package", package, "--colors", "never"]);
    if package == "daaki-imap-bridge" {
        cmd.args(["--config", ".cargo/mutants-bridge.toml"]);
    }
    // cargo-mutants builds in a fresh copy of the tree, with its own `target/` unless
    // CARGO_TARGET_DIR says otherwise: one shared target dir keeps the dependencies built
    // across runs (only the workspace crates are rebuilt for each new copy).
    if std::env::var_os("CARGO_TARGET_DIR").is_none() {
        cmd.env(
            "CARGO_TARGET_DIR",
            workspace_root().join("target").join("mutants-build"),
        );
    }
    for f in files {
        // A directory means every file under it (cargo-mutants takes globs).
        if workspace_root().join(f).is_dir() {
            cmd.args(["--file", &format!("{}/**", f.trim_end_matches('/'))]);
        } else {
            cmd.args(["--file", f]);
        }
    }
    cmd
}

/// Runs a listing `cmd` of cargo-mutants and returns what it printed.
fn stdout_of(mut cmd: Command) -> Result<String> {
    let out = cmd
        .output()
        .map_err(|e| format!("could not run cargo mutants: {e}\n{INSTALL_HINT}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "`{cmd:?}` failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// The mutants cargo-mutants would generate for `files` (names as it prints them).
fn list(package: &str, files: &[String]) -> Result<Vec<String>> {
    let mut cmd = mutants_command(package, files);
    cmd.arg("--list");
    Ok(stdout_of(cmd)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect())
}

fn output_dir(package: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    target.join("mutants-out").join(package)
}

/// cargo-mutants' outcome lists, in the order of [`Outcome::lists`].
const LISTS: [&str; 4] = ["caught.txt", "timeout.txt", "missed.txt", "unviable.txt"];

/// The outcome lists of one cargo-mutants run.
struct Outcome {
    caught: Vec<String>,
    timeout: Vec<String>,
    missed: Vec<String>,
    unviable: Vec<String>,
}

impl Outcome {
    fn read(dir: &Path) -> Result<Self> {
        let lines = |name: &str| -> Result<Vec<String>> {
            let path = dir.join(name);
            match std::fs::read_to_string(&path) {
                Ok(text) => Ok(text.lines().map(str::to_owned).collect()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
                Err(e) => Err(format!("could not read {}: {e}", path.display())),
            }
        };
        let [caught, timeout, missed, unviable] = LISTS;
        Ok(Outcome {
            caught: lines(caught)?,
            timeout: lines(timeout)?,
            missed: lines(missed)?,
            unviable: lines(unviable)?,
        })
    }

    /// The last outcome of every mutant: the lists kept in `merged` (earlier runs), updated
    /// by the lists of the run in `run` (cargo-mutants' `mutants.out`). A mutant keeps its
    /// earlier outcome unless the run tested it again. (`--iterate` runs list what they
    /// skipped in `previously_caught.txt`, without saying which were killed and which
    /// unviable: the merged lists keep that.)
    fn merged(merged: &Path, run: &Path) -> Result<Self> {
        let mut last: BTreeMap<String, usize> = BTreeMap::new();
        for dir in [merged, run] {
            let outcome = Outcome::read(dir)?;
            for (kind, list) in outcome.lists().into_iter().enumerate() {
                for name in list {
                    last.insert(name.clone(), kind);
                }
            }
        }
        let mut lists: [Vec<String>; 4] = Default::default();
        for (name, kind) in last {
            lists[kind].push(name);
        }
        let [caught, timeout, missed, unviable] = lists;
        Ok(Outcome {
            caught,
            timeout,
            missed,
            unviable,
        })
    }

    /// Drops the outcomes of mutants that no longer exist in the files `current` covers (code
    /// moved or deleted since they ran): `current` is the list of today's mutants of those
    /// files. Mutants of other files keep their outcomes.
    fn retain_current(&mut self, current: &[String]) {
        let file = |name: &str| name.split(':').next().unwrap_or_default().to_owned();
        let files: BTreeSet<String> = current.iter().map(|n| file(n)).collect();
        let names: BTreeSet<&str> = current.iter().map(String::as_str).collect();
        for list in [
            &mut self.caught,
            &mut self.timeout,
            &mut self.missed,
            &mut self.unviable,
        ] {
            list.retain(|n| names.contains(n.as_str()) || !files.contains(&file(n)));
        }
    }

    fn lists(&self) -> [&Vec<String>; 4] {
        [&self.caught, &self.timeout, &self.missed, &self.unviable]
    }

    fn write(&self, dir: &Path) -> Result {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("could not create {}: {e}", dir.display()))?;
        for (name, list) in LISTS.iter().zip(self.lists()) {
            let mut text = list.join("\n");
            if !text.is_empty() {
                text.push('\n');
            }
            let path = dir.join(name);
            std::fs::write(&path, text)
                .map_err(|e| format!("could not write {}: {e}", path.display()))?;
        }
        Ok(())
    }

    /// Per file: caught (killed + timeout), missed, unviable, and the caught share of the
    /// viable mutants.
    fn print_summary(&self, package: &str) {
        #[derive(Default)]
        struct Counts {
            killed: usize,
            timeout: usize,
            missed: usize,
            unviable: usize,
        }
        let mut per_file: BTreeMap<String, Counts> = BTreeMap::new();
        let file_of = |m: &str| m.split(':').next().unwrap_or(m).to_owned();
        for m in &self.caught {
            per_file.entry(file_of(m)).or_default().killed += 1;
        }
        for m in &self.timeout {
            per_file.entry(file_of(m)).or_default().timeout += 1;
        }
        for m in &self.missed {
            per_file.entry(file_of(m)).or_default().missed += 1;
        }
        for m in &self.unviable {
            per_file.entry(file_of(m)).or_default().unviable += 1;
        }
        println!(
            "\nmutants of {package}: killed / timeout / missed / unviable, caught % of viable"
        );
        let mut total = Counts::default();
        let row = |name: &str, c: &Counts| {
            let viable = c.killed + c.timeout + c.missed;
            let caught = c.killed + c.timeout;
            let share = if viable == 0 {
                100.0
            } else {
                100.0 * caught as f64 / viable as f64
            };
            println!(
                "  {name:<48} {:>5} {:>4} {:>4} {:>5}  {share:>5.1} %",
                c.killed, c.timeout, c.missed, c.unviable
            );
        };
        for (file, c) in &per_file {
            row(file, c);
            total.killed += c.killed;
            total.timeout += c.timeout;
            total.missed += c.missed;
            total.unviable += c.unviable;
        }
        row("total", &total);
        for m in &self.missed {
            println!("  MISSED {m}");
        }
    }
}

/// Adds `names` to the list of mutants an `--iterate` run of cargo-mutants skips.
fn skip_on_iterate(run: &Path, names: &[String]) -> Result {
    if names.is_empty() || !run.exists() {
        return Ok(());
    }
    let path = run.join("previously_caught.txt");
    let mut text = std::fs::read_to_string(&path).unwrap_or_default();
    for name in names {
        text.push_str(name);
        text.push('\n');
    }
    std::fs::write(&path, text).map_err(|e| format!("could not write {}: {e}", path.display()))
}

fn save(out: &Path, name: &str, package: &str) -> Result {
    let dir = workspace_root()
        .join("mutants/results")
        .join(name)
        .join(package);
    std::fs::create_dir_all(&dir)
        .map_err(|e| format!("could not create {}: {e}", dir.display()))?;
    for list in LISTS {
        let from = out.join(list);
        let text = std::fs::read_to_string(&from).unwrap_or_default();
        std::fs::write(dir.join(list), text)
            .map_err(|e| format!("could not write {}: {e}", dir.join(list).display()))?;
    }
    println!("mutants: lists saved in {}", dir.display());
    Ok(())
}

/// A mutant's name without its `:line:col`, so the accepted list survives edits elsewhere
/// in the file: `client/src/wire.rs: replace … with …`.
fn normalise(name: &str) -> String {
    let mut parts = name.splitn(4, ':');
    let file = parts.next().unwrap_or_default();
    let line = parts.next().unwrap_or_default();
    let col = parts.next().unwrap_or_default();
    match parts.next() {
        Some(rest)
            if line.chars().all(|c| c.is_ascii_digit())
                && col.chars().all(|c| c.is_ascii_digit()) =>
        {
            format!("{file}:{}", rest)
        }
        _ => name.to_owned(),
    }
}

/// The misses `accepted` does not account for. Each accepted line accounts for one miss: the
/// same mutation twice in one function (two `||` in it, say) needs two lines, so accepting
/// one equivalent mutant never hides a second, real miss of the same name.
fn unaccepted(missed: Vec<String>, mut accepted: Vec<String>) -> Vec<String> {
    missed
        .into_iter()
        .filter(|m| {
            let name = normalise(m);
            match accepted.iter().position(|a| *a == name) {
                Some(i) => {
                    accepted.swap_remove(i);
                    false
                }
                None => true,
            }
        })
        .collect()
}

/// The accepted misses of `mutants/accepted.txt`, normalised.
fn accepted() -> Result<Vec<String>> {
    let path = workspace_root().join(ACCEPTED);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("could not read {}: {e}", path.display()))?;
    parse_accepted(&text)
}

/// Each non-comment line is `equivalent|gap <mutant name> — <reason>`; a line without a
/// reason is an error.
fn parse_accepted(text: &str) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (kind, rest) = line.split_once(' ').unwrap_or((line, ""));
        let (name, reason) = rest.split_once(" — ").unwrap_or((rest, ""));
        if !matches!(kind, "equivalent" | "gap") || reason.trim().is_empty() {
            return Err(format!(
                "{ACCEPTED}:{}: expected `equivalent|gap <mutant> — <reason>`, got {line:?}",
                i + 1
            ));
        }
        names.push(normalise(name.trim()));
    }
    Ok(names)
}

fn in_scope(path: &str) -> Result<&'static str> {
    let path = path.trim_start_matches("./");
    SCOPE
        .iter()
        .find(|(_, prefix)| path.starts_with(prefix) || prefix.strip_suffix('/') == Some(path))
        .map(|(package, _)| *package)
        .ok_or_else(|| {
            format!(
                "{path} is outside the mutation-testing scope ({})",
                SCOPE.iter().map(|(_, p)| *p).collect::<Vec<_>>().join(", ")
            )
        })
}

fn group_by_package(files: &[String]) -> Result<BTreeMap<&'static str, Vec<String>>> {
    let mut groups: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for f in files {
        groups.entry(in_scope(f)?).or_default().push(f.clone());
    }
    Ok(groups)
}

/// Every file of the scope that cargo-mutants would mutate (so test-only files, which
/// `.cargo/mutants.toml` excludes, are left out), sorted.
fn scope_files() -> Result<Vec<String>> {
    let mut files = Vec::new();
    let mut packages: Vec<&str> = SCOPE.iter().map(|(p, _)| *p).collect();
    packages.dedup();
    for package in packages {
        let globs: Vec<String> = SCOPE
            .iter()
            .filter(|(p, _)| *p == package)
            .map(|(_, prefix)| match prefix.strip_suffix('/') {
                Some(dir) => format!("{dir}/**"),
                None => (*prefix).to_owned(),
            })
            .collect();
        let mut cmd = mutants_command(package, &globs);
        cmd.arg("--list-files");
        files.extend(
            stdout_of(cmd)?
                .lines()
                .filter(|l| l.ends_with(".rs"))
                .map(str::to_owned),
        );
    }
    files.sort();
    Ok(files)
}

/// The git blob id of `file`'s current contents (what `git ls-tree` would show once committed).
fn blob_id(file: &str) -> Result<String> {
    Ok(git(&["hash-object", "--", file])?.trim().to_owned())
}

/// What `.cargo/mutants-base` records per scope file: the blob id of its last full run, or
/// `None` when that run is still pending.
fn read_base() -> Result<BTreeMap<String, Option<String>>> {
    let path = workspace_root().join(BASE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(format!("could not read {}: {e}", path.display())),
    };
    let mut base = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let Some((id, file)) = line.split_once(' ') else {
            return Err(format!(
                "{BASE}:{}: expected `<blob id|pending> <path>`",
                i + 1
            ));
        };
        let id = (id != "pending").then(|| id.to_owned());
        base.insert(file.trim().to_owned(), id);
    }
    Ok(base)
}

/// Scope files whose contents differ from their last full run, or that `.cargo/mutants-base`
/// does not list. Files whose first full run is pending are printed and left out.
fn changed_files() -> Result<Vec<String>> {
    let base = read_base()?;
    let mut changed = Vec::new();
    let mut pending = Vec::new();
    for file in scope_files()? {
        match base.get(&file) {
            Some(Some(id)) if *id == blob_id(&file)? => {}
            Some(None) => pending.push(file),
            _ => changed.push(file),
        }
    }
    if !pending.is_empty() {
        println!(
            "mutants: {} scope file(s) await their first full by-hand run (`cargo xtask mutants \
             PATH`, then `--record-base PATH`), not mutated here:\n  {}",
            pending.len(),
            pending.join("\n  ")
        );
    }
    Ok(changed)
}

fn record_base(paths: &[String]) -> Result {
    let commit = git(&["rev-parse", "HEAD"])?;
    let mut base = read_base()?;
    let scope = scope_files()?;
    let recorded: Vec<String> = if paths.is_empty() {
        scope.clone()
    } else {
        for p in paths {
            if !scope.contains(p) {
                return Err(format!("{p} is not a tracked file of the scope"));
            }
        }
        paths.to_vec()
    };
    for file in &recorded {
        base.insert(file.clone(), Some(blob_id(file)?));
    }
    write_base(&base, &scope, commit.trim())?;
    println!("mutants: recorded {} file(s) in {BASE}", recorded.len());
    Ok(())
}

/// Marks `paths` (default: every changed or unlisted scope file) pending.
fn mark_pending(paths: &[String]) -> Result {
    let commit = git(&["rev-parse", "HEAD"])?;
    let mut base = read_base()?;
    let scope = scope_files()?;
    let files = if paths.is_empty() {
        changed_files()?
    } else {
        for p in paths {
            if !scope.contains(p) {
                return Err(format!("{p} is not a tracked file of the scope"));
            }
        }
        paths.to_vec()
    };
    for file in &files {
        base.insert(file.clone(), None);
    }
    write_base(&base, &scope, commit.trim())?;
    println!(
        "mutants: marked {} file(s) pending in {BASE}:\n  {}",
        files.len(),
        files.join("\n  ")
    );
    Ok(())
}

/// Writes `.cargo/mutants-base`: one line per scope file, `pending` unless `base` has its blob.
fn write_base(base: &BTreeMap<String, Option<String>>, scope: &[String], commit: &str) -> Result {
    let mut text = format!(
        "# Scope files of `cargo xtask mutants` as of their last full by-hand run:\n\
         # `<blob id> <path>`, or `pending <path>` until that run is done. The `mutants` stage\n\
         # mutates only files whose contents differ from their blob here (and files not listed).\n\
         # Last recorded at commit {}\n",
        commit.trim()
    );
    for file in scope {
        match base.get(file) {
            Some(Some(id)) => text.push_str(&format!("{id} {file}\n")),
            _ => text.push_str(&format!("pending {file}\n")),
        }
    }
    let path = workspace_root().join(BASE);
    std::fs::write(&path, text).map_err(|e| format!("could not write {}: {e}", path.display()))
}

fn git(args: &[&str]) -> Result<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(workspace_root())
        .output()
        .map_err(|e| format!("could not run git: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "`git {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rerun_updates_the_outcomes_it_tested_and_keeps_the_rest() {
        let dir = std::env::temp_dir().join(format!("xtask-mutants-{}", std::process::id()));
        let (merged, run) = (dir.join("merged"), dir.join("run"));
        let write = |dir: &Path, lists: [&str; 4]| {
            std::fs::create_dir_all(dir).unwrap();
            for (name, text) in LISTS.iter().zip(lists) {
                std::fs::write(dir.join(name), text).unwrap();
            }
        };
        // The first run: a killed, b timed out, c and d missed, e unviable.
        write(&merged, ["a\n", "b\n", "c\nd\n", "e\n"]);
        // The re-run tested b, c and d again (after new tests): c killed, d still missed.
        write(&run, ["c\n", "b\n", "d\n", ""]);
        let last = Outcome::merged(&merged, &run).unwrap();
        assert_eq!(last.caught, ["a", "c"]);
        assert_eq!(last.timeout, ["b"]);
        assert_eq!(last.missed, ["d"]);
        assert_eq!(last.unviable, ["e"]);
        // Written and read back unchanged.
        last.write(&merged).unwrap();
        let again = Outcome::merged(&merged, &dir.join("none")).unwrap();
        assert_eq!(again.lists(), last.lists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn names_lose_only_their_line_and_column() {
        assert_eq!(
            normalise("client/src/wire.rs:120:9: replace CloseCode::code -> u16 with 0"),
            "client/src/wire.rs: replace CloseCode::code -> u16 with 0"
        );
        assert_eq!(normalise("weird name"), "weird name");
    }

    #[test]
    fn accepted_lines_match_missed_names_with_or_without_position() {
        let accepted = parse_accepted(
            "# comment\n\
             equivalent client/src/wire.rs: replace | with ^ in percent_decode — no shared bits\n\
             gap bridge/src/policy.rs:138:9: replace || with && in classify_v4 — later\n",
        )
        .expect("valid list");
        assert!(accepted.contains(&normalise(
            "client/src/wire.rs:245:30: replace | with ^ in percent_decode"
        )));
        assert!(accepted.contains(&normalise(
            "bridge/src/policy.rs:140:9: replace || with && in classify_v4"
        )));
        assert!(!accepted.contains(&normalise(
            "client/src/wire.rs:245:30: replace | with & in percent_decode"
        )));
        assert!(parse_accepted("equivalent client/src/wire.rs: x\n").is_err());
        assert!(parse_accepted("maybe client/src/wire.rs: x — why\n").is_err());
    }

    #[test]
    fn each_accepted_line_accounts_for_one_miss() {
        let accepted = vec![normalise("a.rs:1:1: replace || with && in f")];
        let missed = vec![
            "a.rs:1:1: replace || with && in f".to_owned(),
            "a.rs:9:5: replace || with && in f".to_owned(),
            "a.rs:3:3: delete ! in g".to_owned(),
        ];
        assert_eq!(
            unaccepted(missed, accepted),
            vec![
                "a.rs:9:5: replace || with && in f",
                "a.rs:3:3: delete ! in g"
            ]
        );
    }

    #[test]
    fn outcomes_of_mutants_gone_from_their_file_are_dropped() {
        let names = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let mut outcome = Outcome {
            caught: names(&["a.rs:1:1: x", "a.rs:2:1: gone", "b.rs:1:1: other file"]),
            timeout: names(&["a.rs:3:1: y"]),
            missed: names(&["a.rs:9:9: moved away"]),
            unviable: Vec::new(),
        };
        outcome.retain_current(&names(&[
            "a.rs:1:1: x",
            "a.rs:3:1: y",
            "a.rs:9:10: moved away",
        ]));
        assert_eq!(
            outcome.caught,
            names(&["a.rs:1:1: x", "b.rs:1:1: other file"])
        );
        assert_eq!(outcome.timeout, names(&["a.rs:3:1: y"]));
        assert!(outcome.missed.is_empty());
    }

    #[test]
    fn scope_maps_files_to_their_package() {
        assert_eq!(in_scope("client/src/proto/framer.rs"), Ok("daaki-imap"));
        assert_eq!(in_scope("./bridge/src/ticket.rs"), Ok("daaki-imap-bridge"));
        assert!(in_scope("bridge/src/pipe.rs").is_err());
        assert!(in_scope("client/src/connection/mod.rs").is_err());
    }
}
