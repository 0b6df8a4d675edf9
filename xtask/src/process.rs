//! Running programs and finding files: the helpers every xtask command shares.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Result type of xtask steps: errors are human-readable messages.
pub(crate) type Result<T = ()> = std::result::Result<T, String>;

/// Runs `cargo ARGS` in the workspace root, streaming its output.
pub(crate) fn cargo(args: &[&str]) -> Result {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run_in(&workspace_root(), &cargo, args)
}

/// Runs `program ARGS` in `dir`, streaming its output; a non-zero exit is an error.
pub(crate) fn run_in(dir: &Path, program: &str, args: &[&str]) -> Result {
    println!("$ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(dir)
        .status()
        .map_err(|e| format!("could not run {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}

/// The workspace root (the parent of `xtask/`).
pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Criterion benchmarks under `client/benches/` (file stems).
pub(crate) fn existing_benches() -> Vec<String> {
    files_in("client/benches", "rs")
}

/// Stems of the files with extension `ext` in `dir` (relative to the workspace root), sorted.
pub(crate) fn files_in(dir: &str, ext: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(workspace_root().join(dir))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let path = e.path();
            (path.extension()? == ext).then(|| path.file_stem()?.to_str().map(str::to_owned))?
        })
        .collect();
    names.sort();
    names
}
