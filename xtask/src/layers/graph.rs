//! The module tree of one crate, read with `syn`, and the file-to-file dependency edges of its
//! non-test code.
//!
//! A reference is any path in a `use` declaration or in code (types, expressions, patterns,
//! impl headers). It is resolved the way rustc does for the cases this workspace uses: `crate::`,
//! `self::`, `super::`, names in scope (items, child modules, `use` imports, glob imports),
//! followed through re-exports to the file that *defines* the item. Paths to other crates, the
//! prelude, generics and local variables resolve to nothing and make no edge. Known limits:
//! paths inside macro invocations (`matches!(x, Kind::A)`) and method calls (no path) make no
//! edge; a missed edge can hide a violation, never invent one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// One module: a file, or an inline `mod name { … }` inside one.
#[derive(Debug, Default)]
struct Module {
    /// The file holding this module's items (the containing file for inline modules).
    file: PathBuf,
    parent: Option<usize>,
    children: BTreeMap<String, usize>,
    /// Names of items defined here (types, functions, traits, constants, macros).
    items: BTreeSet<String>,
    /// `use` imports: the name in scope → the path it names.
    uses: BTreeMap<String, Vec<String>>,
    /// `use path::*` imports.
    globs: Vec<Vec<String>>,
    /// Every path referenced by this module's non-test code.
    refs: Vec<Vec<String>>,
}

/// A crate's module tree.
#[derive(Debug, Default)]
pub(crate) struct Crate {
    modules: Vec<Module>,
}

impl Crate {
    /// Reads the crate whose root file is `root` (`src/lib.rs` or `src/main.rs`), following
    /// `mod name;` declarations and skipping `#[cfg(test)]` modules and items.
    pub(crate) fn read(root: &Path) -> Result<Self, String> {
        let mut krate = Crate::default();
        let dir = root.parent().unwrap_or(Path::new(".")).to_path_buf();
        krate.read_file(root, &dir, None, None)?;
        Ok(krate)
    }

    fn read_file(
        &mut self,
        file: &Path,
        child_dir: &Path,
        parent: Option<usize>,
        name: Option<&str>,
    ) -> Result<(), String> {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let ast = syn::parse_file(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        let idx = self.add_module(file, parent, name);
        self.read_items(idx, &ast.items, child_dir)
    }

    fn add_module(&mut self, file: &Path, parent: Option<usize>, name: Option<&str>) -> usize {
        let idx = self.modules.len();
        self.modules.push(Module {
            file: file.to_path_buf(),
            parent,
            ..Module::default()
        });
        if let (Some(p), Some(n)) = (parent, name) {
            self.modules[p].children.insert(n.to_owned(), idx);
        }
        idx
    }

    fn read_items(&mut self, idx: usize, items: &[syn::Item], dir: &Path) -> Result<(), String> {
        for item in items {
            if is_test_only(item_attrs(item)) {
                continue;
            }
            match item {
                syn::Item::Mod(m) => {
                    let name = m.ident.to_string();
                    let child_dir = dir.join(&name);
                    if let Some((_, content)) = &m.content {
                        let file = self.modules[idx].file.clone();
                        let child = self.add_module(&file, Some(idx), Some(&name));
                        self.read_items(child, content, &child_dir)?;
                    } else {
                        let flat = dir.join(format!("{name}.rs"));
                        let nested = child_dir.join("mod.rs");
                        let file = if flat.exists() { flat } else { nested };
                        self.read_file(&file, &child_dir, Some(idx), Some(&name))?;
                    }
                }
                syn::Item::Use(u) => {
                    let mut prefix = Vec::new();
                    self.add_use(idx, &u.tree, &mut prefix);
                }
                other => {
                    if let Some(name) = item_name(other) {
                        self.modules[idx].items.insert(name);
                    }
                    let mut paths = PathCollector::default();
                    paths.visit_item(other);
                    self.modules[idx].refs.extend(paths.paths);
                    for (name, path) in paths.local_uses {
                        self.modules[idx].uses.entry(name).or_insert(path);
                    }
                }
            }
        }
        Ok(())
    }

    fn add_use(&mut self, idx: usize, tree: &syn::UseTree, prefix: &mut Vec<String>) {
        let module = &mut self.modules[idx];
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.add_use(idx, &p.tree, prefix);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let name = n.ident.to_string();
                let path = use_path(prefix, &name);
                module.refs.push(path.clone());
                if name != "self" {
                    module.uses.insert(name, path);
                } else if let Some(last) = prefix.last() {
                    module.uses.insert(last.clone(), prefix.clone());
                }
            }
            syn::UseTree::Rename(r) => {
                let path = use_path(prefix, &r.ident.to_string());
                module.refs.push(path.clone());
                module.uses.insert(r.rename.to_string(), path);
            }
            syn::UseTree::Glob(_) => {
                module.refs.push(prefix.clone());
                module.globs.push(prefix.clone());
            }
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.add_use(idx, t, prefix);
                }
            }
        }
    }

    /// The module path of module `idx` (`crate::a::b` without `crate`), for messages.
    fn module_path(&self, idx: usize) -> Vec<String> {
        let mut path = Vec::new();
        let mut cur = idx;
        while let Some(p) = self.modules[cur].parent {
            if let Some((name, _)) = self.modules[p].children.iter().find(|(_, c)| **c == cur) {
                path.push(name.clone());
            }
            cur = p;
        }
        path.reverse();
        path
    }

    /// Resolves `path` as written in module `from` to the module that defines what it names.
    fn resolve(&self, from: usize, path: &[String], budget: &mut u32) -> Option<usize> {
        if *budget == 0 {
            return None;
        }
        *budget -= 1;
        let (first, rest) = path.split_first()?;
        match first.as_str() {
            "crate" => self.walk(0, rest, budget),
            "self" => self.walk(from, rest, budget),
            "super" => self.walk(self.modules[from].parent?, rest, budget),
            "Self" => None,
            _ => {
                let m = &self.modules[from];
                if m.items.contains(first) {
                    return Some(from);
                }
                if let Some(&child) = m.children.get(first) {
                    return self.walk(child, rest, budget);
                }
                if let Some(target) = m.uses.get(first) {
                    if target.as_slice() == path {
                        return None;
                    }
                    let full: Vec<String> = target.iter().chain(rest).cloned().collect();
                    return self.resolve(from, &full, budget);
                }
                self.via_globs(from, path, budget)
            }
        }
    }

    /// Continues a path inside module `at`.
    fn walk(&self, at: usize, path: &[String], budget: &mut u32) -> Option<usize> {
        let Some((first, rest)) = path.split_first() else {
            return Some(at);
        };
        match first.as_str() {
            "super" => return self.walk(self.modules[at].parent?, rest, budget),
            "self" => return self.walk(at, rest, budget),
            _ => {}
        }
        let m = &self.modules[at];
        if let Some(&child) = m.children.get(first) {
            return self.walk(child, rest, budget);
        }
        if m.items.contains(first) {
            return Some(at);
        }
        if let Some(target) = m.uses.get(first) {
            let full: Vec<String> = target.iter().chain(rest).cloned().collect();
            return self.resolve(at, &full, budget);
        }
        self.via_globs(at, path, budget)
    }

    fn via_globs(&self, at: usize, path: &[String], budget: &mut u32) -> Option<usize> {
        for glob in &self.modules[at].globs {
            let source = self.resolve(at, glob, budget)?;
            if source != at
                && let Some(found) = self.walk(source, path, budget)
            {
                return Some(found);
            }
        }
        None
    }

    /// Every file-to-file edge: `(from, to)` when `from`'s non-test code names an item defined
    /// in `to`. Paths are relative to `base`.
    pub(crate) fn file_edges(&self, base: &Path) -> BTreeSet<(String, String)> {
        let mut edges = BTreeSet::new();
        for (idx, m) in self.modules.iter().enumerate() {
            for path in &m.refs {
                let mut budget = 64;
                let Some(target) = self.resolve(idx, path, &mut budget) else {
                    continue;
                };
                let (from, to) = (&m.file, &self.modules[target].file);
                if std::env::var_os("LAYERS_DEBUG").is_some() {
                    eprintln!("{} {path:?} -> {}", from.display(), to.display());
                }
                if from != to {
                    edges.insert((relative(from, base), relative(to, base)));
                }
            }
        }
        edges
    }

    /// Every file of the crate's non-test code with its top-level module (`""` for the root).
    pub(crate) fn files(&self, base: &Path) -> BTreeMap<String, String> {
        let mut files = BTreeMap::new();
        for (idx, m) in self.modules.iter().enumerate() {
            let top = self.module_path(idx).into_iter().next().unwrap_or_default();
            // An inline module shares its parent's file, which was entered first.
            files.entry(relative(&m.file, base)).or_insert(top);
        }
        files
    }
}

fn use_path(prefix: &[String], name: &str) -> Vec<String> {
    let mut path = prefix.to_vec();
    if name != "self" {
        path.push(name.to_owned());
    }
    path
}

fn relative(file: &Path, base: &Path) -> String {
    file.strip_prefix(base)
        .unwrap_or(file)
        .to_string_lossy()
        .into_owned()
}

/// `true` for `#[cfg(test)]` (and `#[cfg(all(test, …))]`): code the library never contains.
fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg") && {
            let tokens = a.meta.require_list().map(|l| l.tokens.to_string());
            tokens.is_ok_and(|t| t == "test" || t.starts_with("all (test"))
        }
    })
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Union(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

fn item_name(item: &syn::Item) -> Option<String> {
    let ident = match item {
        syn::Item::Const(i) => &i.ident,
        syn::Item::Enum(i) => &i.ident,
        syn::Item::Fn(i) => &i.sig.ident,
        syn::Item::Macro(i) => i.ident.as_ref()?,
        syn::Item::Static(i) => &i.ident,
        syn::Item::Struct(i) => &i.ident,
        syn::Item::Trait(i) => &i.ident,
        syn::Item::TraitAlias(i) => &i.ident,
        syn::Item::Type(i) => &i.ident,
        syn::Item::Union(i) => &i.ident,
        _ => return None,
    };
    Some(ident.to_string())
}

/// Collects the paths an item's code names, skipping `#[cfg(test)]` parts.
#[derive(Default)]
struct PathCollector {
    paths: Vec<Vec<String>>,
    /// `use` declarations inside function bodies, treated as if at module level.
    local_uses: Vec<(String, Vec<String>)>,
}

impl<'ast> Visit<'ast> for PathCollector {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.paths
            .push(path.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, path);
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let mut krate = Crate::default();
        krate.add_module(Path::new(""), None, None);
        krate.add_use(0, &u.tree, &mut Vec::new());
        let module = krate.modules.swap_remove(0);
        self.paths.extend(module.refs);
        self.local_uses.extend(module.uses);
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if !is_test_only(&f.attrs) {
            syn::visit::visit_item_fn(self, f);
        }
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !is_test_only(&f.attrs) {
            syn::visit::visit_impl_item_fn(self, f);
        }
    }

    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}

    /// `pub(crate)` / `pub(in path)` name a scope, not a dependency.
    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `files` (path → text) under a fresh directory and reads the crate rooted at
    /// `lib.rs`.
    fn crate_of(files: &[(&str, &str)]) -> (Crate, PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "xtask-layers-{}-{}",
            std::process::id(),
            files.len() * 1000 + files.iter().map(|(_, t)| t.len()).sum::<usize>()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let p = dir.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        (Crate::read(&dir.join("lib.rs")).unwrap(), dir)
    }

    fn edges(files: &[(&str, &str)]) -> Vec<(String, String)> {
        let (krate, dir) = crate_of(files);
        let edges = krate.file_edges(&dir).into_iter().collect();
        let _ = std::fs::remove_dir_all(&dir);
        edges
    }

    fn e(from: &str, to: &str) -> (String, String) {
        (from.to_owned(), to.to_owned())
    }

    #[test]
    fn edges_follow_re_exports_to_the_defining_file() {
        let got = edges(&[
            ("lib.rs", "mod a; mod b;"),
            ("a/mod.rs", "mod inner; pub use inner::Thing;"),
            ("a/inner.rs", "pub struct Thing;"),
            ("b.rs", "use crate::a::Thing; fn f(_: Thing) {}"),
        ]);
        assert_eq!(
            got,
            vec![e("a/mod.rs", "a/inner.rs"), e("b.rs", "a/inner.rs")]
        );
    }

    #[test]
    fn super_globs_inline_paths_and_renames_resolve() {
        let got = edges(&[
            ("lib.rs", "mod a; mod b; mod c; pub struct Root;"),
            ("a.rs", "pub fn f() {} pub struct S;"),
            (
                "b.rs",
                "use super::a::*; fn g() { f(); let _ = crate::Root; }",
            ),
            ("c.rs", "use crate::a::S as T; fn h(_: T) {}"),
        ]);
        assert_eq!(
            got,
            vec![e("b.rs", "a.rs"), e("b.rs", "lib.rs"), e("c.rs", "a.rs")]
        );
    }

    #[test]
    fn test_code_and_other_crates_make_no_edge() {
        let got = edges(&[
            ("lib.rs", "mod a; mod b;"),
            ("a.rs", "pub struct A;"),
            (
                "b.rs",
                "use std::fmt; use serde::Serialize; \
                 #[cfg(test)] mod tests { use crate::a::A; } \
                 #[cfg(test)] fn helper() { let _ = crate::a::A; } \
                 fn f(_: &dyn fmt::Debug) {}",
            ),
        ]);
        assert_eq!(got, vec![]);
    }

    #[test]
    fn files_know_their_top_level_module() {
        let (krate, dir) = crate_of(&[
            ("lib.rs", "mod a; mod b { pub struct X; }"),
            ("a/mod.rs", "mod deep;"),
            ("a/deep.rs", ""),
        ]);
        let files = krate.files(&dir);
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(files.get("a/deep.rs").map(String::as_str), Some("a"));
        assert_eq!(files.get("a/mod.rs").map(String::as_str), Some("a"));
        assert_eq!(
            files.get("lib.rs").map(String::as_str),
            Some(""),
            "the inline module b shares lib.rs, which stays the root's"
        );
    }
}
