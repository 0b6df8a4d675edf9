//! `cargo xtask fuzz`: the cargo-fuzz targets in `client/fuzz/`, with a corpus kept in the repo.
//!
//! Per target `T` there are three input directories:
//!
//! | directory | committed | what it holds |
//! | --- | --- | --- |
//! | `client/fuzz/seeds/T/` | yes | hand-written inputs with names; no tool writes here |
//! | `client/fuzz/corpus/T/` | yes | the shared memory: every code edge runs reached, in few inputs |
//! | `client/fuzz/work/T/` | no | the local memory: all libFuzzer kept (its first, writable dir) |
//!
//! - A run (`cargo xtask fuzz [--seconds S | --runs N] [T…]`) starts libFuzzer from
//!   work + corpus + seeds; new inputs go to work. Afterwards the inputs of work that reach
//!   an edge the corpus does not are merged into corpus (libFuzzer `-merge=1`), so what a run
//!   found is kept: commit `client/fuzz/corpus/`. `--no-merge` leaves the corpus alone (the
//!   `fuzz` stage of `cargo xtask test` runs that way, so a check never edits the checkout;
//!   its finds stay in the ignored work dir).
//! - `--minimize` fuzzes nothing: it rebuilds each corpus as the smallest subset of corpus,
//!   work, seeds and the inputs of the known-answer tests (byte-string literals ending in
//!   CRLF in `client/src/proto/`, wrapped in the target's input layout) that reaches the same
//!   edges — a `-merge=1` into an empty directory, which is what `cargo fuzz cmin` does,
//!   with several input directories. Inputs it drops stay in work.
//! - Merges count edges, not hit counts (`-use_counters=0`): with hit-count buckets the
//!   response corpus after 10⁷ executions was 7,411 files and 13 MB, with edges only 1,677
//!   files and 78 KB for the same 3,089 edges. Hit-count variants are quick to find again,
//!   and the work dir keeps them locally.
//! - Every run ends with a table per target: executions, seconds, execs/s, new units,
//!   peak RSS and corpus size, from libFuzzer's `-print_final_stats=1` and our own clock.
//!
//! Crashes stop the run; libFuzzer leaves the input in `client/fuzz/artifacts/T/`.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::process::Result;
use crate::process::{run_in, workspace_root};

/// Arguments of `cargo xtask fuzz`.
#[derive(clap::Args)]
pub(crate) struct FuzzArgs {
    /// Seconds per target (default: 60, or no time limit with --runs).
    #[arg(long)]
    pub(crate) seconds: Option<u64>,
    /// Stop each target after this many executions (libFuzzer `-runs`), e.g. 10000000 for the
    /// by-hand runs; with --seconds, whichever comes first.
    #[arg(long)]
    pub(crate) runs: Option<u64>,
    /// Do not merge new inputs into client/fuzz/corpus/ (they stay in client/fuzz/work/).
    #[arg(long)]
    pub(crate) no_merge: bool,
    /// Sanitizer to build with (cargo fuzz `--sanitizer`): `address` (the default) or `none`,
    /// about twice as fast; the crate has no unsafe code, so long runs may trade ASan for
    /// executions (overflow checks and debug assertions stay on either way).
    #[arg(long, default_value = "address")]
    pub(crate) sanitizer: String,
    /// Minimise each corpus (adding the known-answer tests' inputs) instead of fuzzing.
    #[arg(long, conflicts_with_all = ["seconds", "runs", "no_merge"])]
    pub(crate) minimize: bool,
    /// Targets (default: every target in client/fuzz/fuzz_targets).
    pub(crate) targets: Vec<String>,
}

/// Memory cap per fuzz process; an input that needs more is a bug (unbounded allocation).
const RSS_LIMIT_MB: u32 = 512;

/// The `fuzz` stage of `cargo xtask test`: every target for `seconds`, corpus left as it is.
pub(crate) fn run_stage(seconds: u64) -> Result {
    run(&FuzzArgs {
        seconds: Some(seconds),
        runs: None,
        no_merge: true,
        sanitizer: "address".to_owned(),
        minimize: false,
        targets: Vec::new(),
    })
}

/// `cargo xtask fuzz`.
pub(crate) fn run(args: &FuzzArgs) -> Result {
    let targets = targets(&args.targets)?;
    if targets.is_empty() {
        println!("no fuzz targets exist yet (client/fuzz/fuzz_targets/ is empty)");
        return Ok(());
    }
    // One build for all targets, so the clock below times fuzzing only.
    let sanitizer = format!("--sanitizer={}", args.sanitizer);
    fuzz_cmd(&["build", &sanitizer]).map_err(|e| {
        format!("{e}\nhint: `cargo xtask setup` installs cargo-fuzz and the nightly toolchain")
    })?;
    let mut stats = Vec::new();
    let outcome = targets.iter().try_for_each(|target| {
        let dirs = Dirs::new(target)?;
        if args.minimize {
            return minimize(target, &dirs, &sanitizer);
        }
        stats.push(fuzz(target, &dirs, args)?);
        if args.no_merge {
            Ok(())
        } else {
            merge(target, &dirs, &sanitizer)
        }
    });
    // The figures of the targets that finished, even when a later one crashed.
    report(&targets, &stats);
    outcome
}

/// The wanted targets, checked against `client/fuzz/fuzz_targets/`.
fn targets(wanted: &[String]) -> Result<Vec<String>> {
    let mut targets = crate::process::files_in("client/fuzz/fuzz_targets", "rs");
    for name in wanted {
        if !targets.contains(name) {
            return Err(format!("no fuzz target {name:?} (have: {targets:?})"));
        }
    }
    if !wanted.is_empty() {
        targets.retain(|t| wanted.contains(t));
    }
    Ok(targets)
}

/// The input directories of one target (see the module doc).
struct Dirs {
    seeds: PathBuf,
    corpus: PathBuf,
    work: PathBuf,
}

impl Dirs {
    fn new(target: &str) -> Result<Self> {
        let fuzz = fuzz_dir();
        let dirs = Self {
            seeds: fuzz.join("seeds").join(target),
            corpus: fuzz.join("corpus").join(target),
            work: fuzz.join("work").join(target),
        };
        for dir in [&dirs.corpus, &dirs.work] {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("could not create {}: {e}", dir.display()))?;
        }
        Ok(dirs)
    }
}

fn fuzz_dir() -> PathBuf {
    workspace_root().join("client/fuzz")
}

/// `cargo +nightly fuzz ARGS` in `client/`.
fn fuzz_cmd(args: &[&str]) -> Result {
    let cmd = [&["+nightly", "fuzz"], args].concat();
    run_in(&workspace_root().join("client"), "cargo", &cmd)
}

/// `-merge=1`: copies into `out` the inputs of `inputs` that add coverage over what `out`
/// already has.
fn merge_into(target: &str, sanitizer: &str, out: &Path, inputs: &[&Path]) -> Result {
    let mut args = vec!["run".to_owned(), sanitizer.to_owned(), target.to_owned()];
    args.push(display(out));
    args.extend(inputs.iter().map(|d| display(d)));
    args.extend([
        "--".to_owned(),
        "-merge=1".to_owned(),
        // Edges only: see the module doc.
        "-use_counters=0".to_owned(),
        format!("-rss_limit_mb={RSS_LIMIT_MB}"),
        "-timeout=10".to_owned(),
    ]);
    fuzz_cmd(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// After a run: what the work dir found that the corpus lacks goes into the corpus.
fn merge(target: &str, dirs: &Dirs, sanitizer: &str) -> Result {
    if files(&dirs.work).0 == 0 {
        return Ok(());
    }
    println!(
        "\n==> {target}: merging new inputs into {}",
        dirs.corpus.display()
    );
    merge_into(target, sanitizer, &dirs.corpus, &[&dirs.work])
}

/// Rebuilds the corpus as a minimal subset of corpus, work, seeds and the known-answer tests'
/// inputs that reaches the same edges.
fn minimize(target: &str, dirs: &Dirs, sanitizer: &str) -> Result {
    let scratch = fuzz_dir().join("work").join(format!(".minimize-{target}"));
    let tests = scratch.join("tests");
    let out = scratch.join("out");
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch)
            .map_err(|e| format!("could not clear {}: {e}", scratch.display()))?;
    }
    for dir in [&tests, &out] {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("could not create {}: {e}", dir.display()))?;
    }
    let imported = write_test_inputs(target, &tests)?;
    let (before_files, before_bytes) = files(&dirs.corpus);
    println!(
        "\n==> {target}: minimising {} ({before_files} files, {before_bytes} bytes) with {} \
         known-answer inputs",
        dirs.corpus.display(),
        imported
    );
    // Whatever the new corpus drops stays in the local memory.
    for entry in read_dir(&dirs.corpus)? {
        let to = dirs.work.join(entry.file_name());
        if !to.exists() {
            std::fs::copy(entry.path(), &to)
                .map_err(|e| format!("could not copy to {}: {e}", to.display()))?;
        }
    }
    let mut inputs = vec![dirs.work.as_path(), tests.as_path()];
    if dirs.seeds.is_dir() {
        inputs.push(&dirs.seeds);
    }
    merge_into(target, sanitizer, &out, &inputs)?;
    empty_dir(&dirs.corpus)?;
    for entry in read_dir(&out)? {
        let to = dirs.corpus.join(entry.file_name());
        std::fs::rename(entry.path(), &to)
            .map_err(|e| format!("could not move to {}: {e}", to.display()))?;
    }
    std::fs::remove_dir_all(&scratch)
        .map_err(|e| format!("could not remove {}: {e}", scratch.display()))?;
    let (files, bytes) = files(&dirs.corpus);
    println!(
        "<== {target}: corpus now {files} files, {bytes} bytes (was {before_files}, {before_bytes})"
    );
    Ok(())
}

/// What one run of one target did, from libFuzzer's final statistics.
#[derive(Default)]
struct Stats {
    executions: u64,
    seconds: f64,
    new_units: u64,
    peak_rss_mb: u64,
}

/// Fuzzes one target, streaming libFuzzer's output and collecting its final statistics.
fn fuzz(target: &str, dirs: &Dirs, args: &FuzzArgs) -> Result<Stats> {
    let mut cmd_args = vec!["+nightly".to_owned(), "fuzz".to_owned(), "run".to_owned()];
    cmd_args.extend([format!("--sanitizer={}", args.sanitizer), target.to_owned()]);
    // libFuzzer writes new inputs to the first directory only.
    cmd_args.extend([display(&dirs.work), display(&dirs.corpus)]);
    if dirs.seeds.is_dir() {
        cmd_args.push(display(&dirs.seeds));
    }
    cmd_args.push("--".to_owned());
    match (args.seconds, args.runs) {
        (seconds, Some(runs)) => {
            cmd_args.push(format!("-runs={runs}"));
            cmd_args.extend(seconds.map(|s| format!("-max_total_time={s}")));
        }
        (seconds, None) => cmd_args.push(format!("-max_total_time={}", seconds.unwrap_or(60))),
    }
    cmd_args.extend([
        format!("-rss_limit_mb={RSS_LIMIT_MB}"),
        "-timeout=10".to_owned(),
        "-print_final_stats=1".to_owned(),
    ]);
    println!("\n==> fuzz {target}");
    println!("$ cargo {}", cmd_args.join(" "));
    let started = Instant::now();
    let mut child = Command::new("cargo")
        .args(&cmd_args)
        .current_dir(workspace_root().join("client"))
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not run cargo fuzz: {e}"))?;
    let mut stats = Stats::default();
    if let Some(stderr) = child.stderr.take() {
        let mut reader = BufReader::new(stderr);
        let mut line = Vec::new();
        let mut out = std::io::stderr();
        // libFuzzer's output is ASCII lines; a crash report may quote bytes, so read raw.
        while reader.read_until(b'\n', &mut line).unwrap_or(0) > 0 {
            let _ = out.write_all(&line);
            stats.read(&String::from_utf8_lossy(&line));
            line.clear();
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("cargo fuzz run {target}: {e}"))?;
    stats.seconds = started.elapsed().as_secs_f64();
    if !status.success() {
        return Err(format!(
            "fuzz target {target} failed ({status}): the input is in client/fuzz/artifacts/{target}/; \
             reproduce with `cargo +nightly fuzz run {target} <file>` in client/"
        ));
    }
    Ok(stats)
}

impl Stats {
    /// Reads one line of libFuzzer's output (`stat::name: value`).
    fn read(&mut self, line: &str) {
        let Some((name, value)) = line.trim().rsplit_once(':') else {
            return;
        };
        let Ok(value) = value.trim().parse::<u64>() else {
            return;
        };
        match name {
            "stat::number_of_executed_units" => self.executions = value,
            "stat::new_units_added" => self.new_units = value,
            "stat::peak_rss_mb" => self.peak_rss_mb = value,
            _ => {}
        }
    }
}

/// Prints the per-target table of a fuzzing run (nothing after `--minimize`).
fn report(targets: &[String], stats: &[Stats]) {
    if stats.is_empty() {
        return;
    }
    println!("\nfuzz results (seconds include libFuzzer's start-up and corpus replay):");
    println!(
        "  {:<10} {:>12} {:>9} {:>10} {:>6} {:>8} {:>14}",
        "target", "executions", "seconds", "execs/s", "new", "rss MB", "corpus"
    );
    for (target, s) in targets.iter().zip(stats) {
        let (files, bytes) = files(&fuzz_dir().join("corpus").join(target));
        println!(
            "  {target:<10} {:>12} {:>9.1} {:>10.0} {:>6} {:>8} {:>14}",
            s.executions,
            s.seconds,
            s.executions as f64 / s.seconds.max(0.001),
            s.new_units,
            s.peak_rss_mb,
            format!("{files} f/{} KiB", bytes.div_ceil(1024)),
        );
    }
}

/// Writes the known-answer tests' inputs, in `target`'s input layout, to `dir`; returns how
/// many.
fn write_test_inputs(target: &str, dir: &Path) -> Result<usize> {
    let mut inputs = BTreeSet::new();
    let mut sources = Vec::new();
    rust_files(&workspace_root().join("client/src/proto"), &mut sources)?;
    for file in &sources {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("could not read {}: {e}", file.display()))?;
        inputs.extend(
            string_literals(&text)
                .into_iter()
                .filter(|b| b.len() > 2 && b.ends_with(b"\r\n")),
        );
    }
    for (i, input) in inputs.iter().enumerate() {
        let bytes = match target {
            // ctl 0: default limits, the payload in one piece.
            "framer" => [&[0, 0, 0][..], input].concat(),
            // ctl 8: the CAPABILITY greeting, reacting like a driver; FETCH, SEARCH, STATUS,
            // SELECT and LIST in flight; no ops, so the payload is fed in one piece.
            "session" => [&[8, 5, 4, 8, 21, 2, 22, 0][..], input].concat(),
            _ => input.clone(),
        };
        let path = dir.join(format!("test-{i:05}"));
        std::fs::write(&path, bytes)
            .map_err(|e| format!("could not write {}: {e}", path.display()))?;
    }
    Ok(inputs.len())
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result {
    for entry in read_dir(dir)? {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// The values of the non-raw string and byte-string literals in Rust source `text` (comments
/// and character literals skipped; escapes decoded; raw strings ignored).
fn string_literals(text: &str) -> Vec<Vec<u8>> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '\'' => {
                // A char literal ('x', '\n', '\''), or a lifetime, which has no closing quote.
                if chars.get(i + 1) == Some(&'\\') {
                    i += 3;
                    while i < chars.len() && chars[i] != '\'' {
                        i += 1;
                    }
                } else if chars.get(i + 2) == Some(&'\'') {
                    i += 2;
                }
                i += 1;
            }
            'r' if matches!(chars.get(i + 1), Some('"' | '#')) && raw_prefix(&chars[..i]) => {
                // Raw string: skip to the quote followed by as many hashes.
                let mut j = i + 1;
                let mut hashes = 0;
                while chars.get(j) == Some(&'#') {
                    hashes += 1;
                    j += 1;
                }
                if chars.get(j) != Some(&'"') {
                    i += 1;
                    continue;
                }
                j += 1;
                while j < chars.len() {
                    if chars[j] == '"' && (1..=hashes).all(|k| chars.get(j + k) == Some(&'#')) {
                        break;
                    }
                    j += 1;
                }
                i = j + hashes + 1;
            }
            '"' => {
                let (value, end) = unescape(&chars, i + 1);
                found.push(value);
                i = end + 1;
            }
            _ => i += 1,
        }
    }
    found
}

/// Whether an `r` after `before` starts a raw string: `r"…"` or `br"…"`, not an identifier
/// ending in `r`.
fn raw_prefix(before: &[char]) -> bool {
    let ident = |c: &char| c.is_alphanumeric() || *c == '_';
    match before.split_last() {
        Some(('b', rest)) => !rest.last().is_some_and(ident),
        Some((c, _)) => !ident(c),
        None => true,
    }
}

/// Decodes a string literal's body starting at `start`; returns the bytes and the index of
/// the closing quote.
fn unescape(chars: &[char], start: usize) -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    let mut i = start;
    while i < chars.len() && chars[i] != '"' {
        if chars[i] != '\\' {
            let mut buf = [0; 4];
            out.extend_from_slice(chars[i].encode_utf8(&mut buf).as_bytes());
            i += 1;
            continue;
        }
        let Some(&escape) = chars.get(i + 1) else {
            break;
        };
        i += 2;
        match escape {
            'n' => out.push(b'\n'),
            'r' => out.push(b'\r'),
            't' => out.push(b'\t'),
            '0' => out.push(0),
            'x' => {
                let hex: String = chars[i..chars.len().min(i + 2)].iter().collect();
                out.extend(u8::from_str_radix(&hex, 16).ok());
                i += 2;
            }
            'u' => {
                let end = chars[i..]
                    .iter()
                    .position(|&c| c == '}')
                    .map_or(i, |p| i + p);
                let hex: String = chars[i..end]
                    .iter()
                    .filter(|c| c.is_ascii_hexdigit())
                    .collect();
                if let Some(c) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    let mut buf = [0; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                i = end + 1;
            }
            // Line continuation: the newline and the next line's leading whitespace vanish.
            '\n' => {
                while chars.get(i).is_some_and(|c| c.is_whitespace()) {
                    i += 1;
                }
            }
            other => {
                let mut buf = [0; 4];
                out.extend_from_slice(other.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    (out, i)
}

fn read_dir(dir: &Path) -> Result<Vec<std::fs::DirEntry>> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("could not read {}: {e}", dir.display()))?;
    entries
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(|e| format!("could not read {}: {e}", dir.display()))
}

/// Removes the files in `dir` (not `dir` itself).
fn empty_dir(dir: &Path) -> Result {
    for entry in read_dir(dir)? {
        std::fs::remove_file(entry.path())
            .map_err(|e| format!("could not remove {}: {e}", entry.path().display()))?;
    }
    Ok(())
}

/// Number of files in `dir` and their total size.
fn files(dir: &Path) -> (usize, u64) {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.metadata().ok().filter(|m| m.is_file()))
        .fold((0, 0), |(n, bytes), m| (n + 1, bytes + m.len()))
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_literals_are_decoded_and_comments_skipped() {
        let src = r##"
            // "in a comment"
            let a = b"* OK \"hi\"\r\n";
            let c = '"';
            let d = '\'';
            fn f<'a>(x: &'a str) {}
            let r = br#"raw "x""#;
            let e = "\x41\u{fc}\
                     B";
        "##;
        assert_eq!(
            string_literals(src),
            vec![b"* OK \"hi\"\r\n".to_vec(), "A\u{fc}B".as_bytes().to_vec()]
        );
    }

    #[test]
    fn final_stats_are_read() {
        let mut stats = Stats::default();
        for line in [
            "stat::number_of_executed_units: 10000000\n",
            "stat::average_exec_per_sec:     4000\n",
            "stat::new_units_added:          37\n",
            "stat::peak_rss_mb:              81\n",
            "#1024\tpulse  cov: 10 ft: 20 corp: 3/1b exec/s: 512 rss: 30Mb\n",
        ] {
            stats.read(line);
        }
        assert_eq!(
            (stats.executions, stats.new_units, stats.peak_rss_mb),
            (10_000_000, 37, 81)
        );
    }
}
