//! `cargo xtask layers`: the workspace's architecture, checked.
//!
//! Reads every crate's module tree (`layers/graph.rs`) and fails on
//! - an import cycle between files (a strongly connected component of the file graph),
//! - a client file that uses a file of a higher layer than its own (the table in
//!   `client/src/lib.rs`: `types` is the ground floor and imports nothing above it),
//! - a source file over 800 lines, not counting a trailing `#[cfg(test)]` module (test
//!   crates and test files are not counted at all),
//!
//! unless the finding is listed in `xtask/layers-known.txt`, the ratchet of what is still to
//! fix: a listed finding that no longer occurs fails too, so the list only shrinks
//! (`--bless` rewrites it).

mod graph;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::process::Result;
use crate::process::workspace_root;

/// Files longer than this (outside tests) are findings.
const MAX_LINES: usize = 800;

/// The crate roots read, and whether their files count for the size rule.
const CRATES: &[(&str, bool)] = &[
    ("client/src/lib.rs", true),
    ("bridge/src/lib.rs", true),
    ("bridge/src/main.rs", true),
    ("bench/src/lib.rs", true),
    ("xtask/src/main.rs", true),
    ("tests/src/lib.rs", false),
];

/// The client's layers, lowest first (`client/src/lib.rs`): a file may use files of its own
/// layer and below. Modules on one line share a layer. The crate root re-exports everything.
const CLIENT_LAYERS: &[&[&str]] = &[
    &["types"],
    &["proto"],
    &["error", "wire", "runtime"],
    &["transport"],
    &["driver"],
    &["connection", "dialects"],
    &["js"],
    &[""],
];

const KNOWN: &str = "xtask/layers-known.txt";

/// `cargo xtask layers` options.
#[derive(clap::Args, Default)]
pub(crate) struct LayersArgs {
    /// Rewrite `xtask/layers-known.txt` with today's findings instead of failing on them.
    #[arg(long)]
    bless: bool,
}

/// Runs the check.
pub(crate) fn run(args: &LayersArgs) -> Result {
    let root = workspace_root();
    let findings = findings(&root)?;
    let known_path = root.join(KNOWN);
    if args.bless {
        let mut text = String::from(
            "# Architecture findings still to fix (`cargo xtask layers`); this list only shrinks.\n",
        );
        for f in &findings {
            text.push_str(f);
            text.push('\n');
        }
        std::fs::write(&known_path, text).map_err(|e| format!("{KNOWN}: {e}"))?;
        println!("layers: {} findings written to {KNOWN}", findings.len());
        return Ok(());
    }
    let known: BTreeSet<String> = std::fs::read_to_string(&known_path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    let new: Vec<&String> = findings.difference(&known).collect();
    let gone: Vec<&String> = known.difference(&findings).collect();
    println!(
        "layers: {} findings, {} of them known ({KNOWN})",
        findings.len(),
        findings.len() - new.len()
    );
    for f in &new {
        println!("  new:  {f}");
    }
    for f in &gone {
        println!("  gone: {f} (remove it from {KNOWN})");
    }
    if new.is_empty() && gone.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} new finding(s), {} fixed but still listed",
            new.len(),
            gone.len()
        ))
    }
}

/// Every finding in the workspace at `root`, one line each.
fn findings(root: &Path) -> Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for &(crate_root, count_size) in CRATES {
        let krate = graph::Crate::read(&root.join(crate_root))?;
        let src = Path::new(crate_root).parent().unwrap_or(Path::new(""));
        let base = root.join(src);
        let in_crate = |f: &str| src.join(f).to_string_lossy().into_owned();
        let edges = krate.file_edges(&base);
        let files = krate.files(&base);
        for component in cycles(&edges) {
            let names: Vec<String> = component.iter().map(|f| in_crate(f)).collect();
            out.insert(format!("cycle: {}", names.join(" ")));
        }
        if crate_root == "client/src/lib.rs" {
            for (from, to) in &edges {
                let (Some(a), Some(b)) = (files.get(from), files.get(to)) else {
                    continue;
                };
                if layer(a)? < layer(b)? {
                    out.insert(format!(
                        "layer: {} ({a}) uses {} ({b})",
                        in_crate(from),
                        in_crate(to)
                    ));
                }
            }
        }
        if count_size {
            for file in files.keys() {
                let text =
                    std::fs::read_to_string(base.join(file)).map_err(|e| format!("{file}: {e}"))?;
                let lines = lines_outside_tests(&text);
                if lines > MAX_LINES {
                    out.insert(format!(
                        "size: {} has {lines} lines (max {MAX_LINES})",
                        in_crate(file)
                    ));
                }
            }
        }
    }
    Ok(out)
}

fn layer(top: &str) -> Result<usize> {
    CLIENT_LAYERS
        .iter()
        .position(|l| l.contains(&top))
        .ok_or_else(|| {
            format!(
                "client module {top:?} has no layer: add it to CLIENT_LAYERS in xtask/src/layers.rs"
            )
        })
}

/// Lines before a trailing `#[cfg(test)]` module.
fn lines_outside_tests(text: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let test_mod = lines.windows(2).position(|w| {
        w[0].trim() == "#[cfg(test)]" && w[1].starts_with("mod ") && w[1].ends_with('{')
    });
    test_mod.unwrap_or(lines.len())
}

/// The strongly connected components with more than one file (Tarjan), each sorted.
fn cycles(edges: &BTreeSet<(String, String)>) -> Vec<Vec<String>> {
    let mut graph: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, b) in edges {
        graph.entry(a).or_default().push(b);
        graph.entry(b).or_default();
    }
    let mut tarjan = Tarjan {
        graph: &graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for node in graph.keys() {
        if !tarjan.index.contains_key(node) {
            tarjan.connect(node);
        }
    }
    tarjan.out
}

struct Tarjan<'a> {
    graph: &'a BTreeMap<&'a str, Vec<&'a str>>,
    index: BTreeMap<&'a str, usize>,
    low: BTreeMap<&'a str, usize>,
    stack: Vec<&'a str>,
    on_stack: BTreeSet<&'a str>,
    next: usize,
    out: Vec<Vec<String>>,
}

impl<'a> Tarjan<'a> {
    fn connect(&mut self, v: &'a str) {
        self.index.insert(v, self.next);
        self.low.insert(v, self.next);
        self.next += 1;
        self.stack.push(v);
        self.on_stack.insert(v);
        for &w in self.graph.get(v).map(Vec::as_slice).unwrap_or_default() {
            if !self.index.contains_key(w) {
                self.connect(w);
                let low = self.low[v].min(self.low[w]);
                self.low.insert(v, low);
            } else if self.on_stack.contains(w) {
                let low = self.low[v].min(self.index[w]);
                self.low.insert(v, low);
            }
        }
        if self.low[v] == self.index[v] {
            let mut component = Vec::new();
            while let Some(w) = self.stack.pop() {
                self.on_stack.remove(w);
                component.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                self.out.push(component);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edges(list: &[(&str, &str)]) -> BTreeSet<(String, String)> {
        list.iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn cycles_are_the_components_of_more_than_one_file() {
        let found = cycles(&edges(&[
            ("a", "b"),
            ("b", "c"),
            ("c", "a"),
            ("c", "d"),
            ("d", "e"),
            ("e", "d"),
            ("f", "a"),
        ]));
        let mut found: Vec<String> = found.into_iter().map(|c| c.join(" ")).collect();
        found.sort();
        assert_eq!(found, vec!["a b c", "d e"]);
        assert!(cycles(&edges(&[("a", "b"), ("b", "c"), ("a", "c")])).is_empty());
    }

    #[test]
    fn a_trailing_test_module_does_not_count() {
        assert_eq!(
            lines_outside_tests("a\nb\n#[cfg(test)]\nmod tests {\nx\n}\n"),
            2
        );
        assert_eq!(lines_outside_tests("a\n#[cfg(test)]\nfn f() {}\nb\n"), 4);
    }

    #[test]
    fn layers_rank_types_lowest_and_the_root_highest() {
        assert!(layer("types").unwrap() < layer("proto").unwrap());
        assert!(layer("proto").unwrap() < layer("driver").unwrap());
        assert!(layer("driver").unwrap() < layer("connection").unwrap());
        assert!(layer("connection").unwrap() < layer("").unwrap());
        assert!(layer("nowhere").is_err());
    }

    #[test]
    fn the_workspace_is_read_without_error() {
        let found = findings(&workspace_root()).expect("every crate parses");
        assert!(
            found.iter().all(|f| f.starts_with("cycle: ")
                || f.starts_with("layer: ")
                || f.starts_with("size: ")),
            "{found:?}"
        );
    }
}
