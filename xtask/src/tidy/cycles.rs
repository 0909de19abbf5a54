//! The module-cycle rule: in every crate, references between sibling modules form a DAG.
//!
//! A file is a module (`foo/mod.rs` is module `foo`; `lib.rs` and `main.rs` are the root). A file
//! references a module when its text holds a path beginning `crate::` or `super::` (also inside
//! `use` trees with braces); the path resolves to the deepest module file along its segments, the
//! rest being items. A reference from module A to module B whose lowest common ancestor L is
//! neither of them is an edge between the two children of L holding A and B. At every level these
//! sibling edges must form a DAG; references to an ancestor or a descendant are always allowed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A module's path from the crate root, e.g. `["checks", "support"]`; the root is empty.
type ModPath = Vec<String>;

/// One reference that makes a sibling edge: which file, naming which path, lands in which file.
#[derive(Clone, Debug)]
struct Witness {
    from_file: String,
    to_file: String,
    path: String,
}

/// The cycles between sibling modules of the crate whose source folder is `src`, each described
/// as a path of files (empty when the crate obeys the rule). `label` prefixes the file names.
pub(super) fn cycles_in_crate(src: &Path, label: &str) -> Vec<String> {
    let files: Vec<(String, String)> = super::rust_files(src)
        .into_iter()
        .map(|path| {
            let relative = path
                .strip_prefix(src)
                .expect("under src")
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            (format!("{label}{relative}"), text)
        })
        .collect();
    let prefix_len = label.len();
    cycles(
        &files
            .iter()
            .map(|(name, text)| (name.as_str(), &name[prefix_len..], text.as_str()))
            .collect::<Vec<_>>(),
    )
}

/// The cycles among `files`: (display name, path relative to `src/`, text).
fn cycles(files: &[(&str, &str, &str)]) -> Vec<String> {
    let modules: BTreeMap<ModPath, &str> = files
        .iter()
        .map(|(name, relative, _)| (module_path(relative), *name))
        .collect();
    // parent module → sibling → sibling it references → first witness.
    let mut levels: BTreeMap<ModPath, BTreeMap<String, BTreeMap<String, Witness>>> =
        BTreeMap::new();
    for (name, relative, text) in files {
        let from = module_path(relative);
        for (to, path) in references(text, &from, &modules) {
            let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
            if common == from.len() || common == to.len() {
                continue; // an ancestor or a descendant
            }
            levels
                .entry(from[..common].to_vec())
                .or_default()
                .entry(from[common].clone())
                .or_default()
                .entry(to[common].clone())
                .or_insert_with(|| Witness {
                    from_file: name.to_string(),
                    to_file: modules[&to].to_string(),
                    path,
                });
        }
    }
    let mut found = Vec::new();
    for (parent, edges) in &levels {
        for (cycle, component) in sibling_cycles(edges) {
            let steps: Vec<String> = cycle
                .windows(2)
                .map(|pair| {
                    let w = &edges[&pair[0]][&pair[1]];
                    format!("{} -> {} (`{}`)", w.from_file, w.to_file, w.path)
                })
                .collect();
            let level = if parent.is_empty() {
                "crate root".to_string()
            } else {
                parent.join("::")
            };
            found.push(format!(
                "cycle among the children of {level}: {}\n    {}\n  ({} siblings tied in cycles: {})",
                cycle.join(" -> "),
                steps.join("\n    "),
                component.len(),
                component.join(", ")
            ));
        }
    }
    found
}

/// The module a file is, from its path relative to `src/`.
fn module_path(relative: &str) -> ModPath {
    let stem = relative.strip_suffix(".rs").unwrap_or(relative);
    let mut segments: ModPath = stem.split('/').map(str::to_string).collect();
    if segments.last().is_some_and(|s| s == "mod")
        || (segments.len() == 1 && (segments[0] == "lib" || segments[0] == "main"))
    {
        segments.pop();
    }
    segments
}

/// The modules `text` (the file of module `from`) references, with the path text that names each.
fn references(
    text: &str,
    from: &ModPath,
    modules: &BTreeMap<ModPath, &str>,
) -> Vec<(ModPath, String)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let rest = &text[at..];
        let keyword = if rest.starts_with("crate::") {
            Some("crate")
        } else if rest.starts_with("super::") {
            Some("super")
        } else {
            None
        };
        let boundary = at == 0 || !is_ident(bytes[at - 1]) && bytes[at - 1] != b':';
        match keyword {
            Some(keyword) if boundary => {
                let (paths, end) = parse_tree(text, at + keyword.len() + 2);
                for tail in paths {
                    let mut base: ModPath = if keyword == "crate" {
                        Vec::new()
                    } else {
                        from[..from.len().saturating_sub(1)].to_vec()
                    };
                    let mut segments = tail.iter().peekable();
                    while segments.peek().is_some_and(|s| *s == "super") {
                        base.pop();
                        segments.next();
                    }
                    for segment in segments {
                        if segment == "self" {
                            continue;
                        }
                        let mut deeper = base.clone();
                        deeper.push(segment.clone());
                        if !modules.contains_key(&deeper) {
                            break;
                        }
                        base = deeper;
                    }
                    if modules.contains_key(&base) {
                        found.push((base, format!("{keyword}::{}", tail.join("::"))));
                    }
                }
                at = end.max(at + 1);
            }
            _ => at += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    found
}

/// Parses a path tail after `crate::` or `super::` starting at `at`: `a::b::C`, or a `use` tree
/// `a::{b::C, d::{self, E}}`. Returns every full tail it names and where parsing stopped.
fn parse_tree(text: &str, mut at: usize) -> (Vec<Vec<String>>, usize) {
    let bytes = text.as_bytes();
    let skip_space = |mut at: usize| {
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        at
    };
    let mut prefix = Vec::new();
    loop {
        at = skip_space(at);
        if at < bytes.len() && bytes[at] == b'{' {
            let mut tails = Vec::new();
            at += 1;
            loop {
                let (items, end) = parse_tree(text, at);
                tails.extend(items.into_iter().map(|tail| {
                    let mut full = prefix.clone();
                    full.extend(tail);
                    full
                }));
                at = end;
                // Skip `as Name` and the like up to the next item or the closing brace.
                while at < bytes.len() && bytes[at] != b',' && bytes[at] != b'}' {
                    at += 1;
                }
                if at >= bytes.len() || bytes[at] == b'}' {
                    return (tails, at + 1);
                }
                at += 1; // ','
                if bytes.get(skip_space(at)) == Some(&b'}') {
                    return (tails, skip_space(at) + 1);
                }
            }
        }
        let start = at;
        while at < bytes.len() && is_ident(bytes[at]) {
            at += 1;
        }
        if at == start {
            break;
        }
        prefix.push(text[start..at].to_string());
        let after = skip_space(at);
        if text[after..].starts_with("::") {
            at = after + 2;
        } else {
            break;
        }
    }
    (vec![prefix], at)
}

fn is_ident(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// One cycle per strongly connected component of more than one sibling (the shortest through its
/// first member), as the list of siblings starting and ending at the same one, with the whole
/// component.
fn sibling_cycles(
    edges: &BTreeMap<String, BTreeMap<String, Witness>>,
) -> Vec<(Vec<String>, Vec<String>)> {
    let nodes: BTreeSet<&String> = edges
        .iter()
        .flat_map(|(from, to)| std::iter::once(from).chain(to.keys()))
        .collect();
    let reaches = |from: &String, to: &String| -> Option<Vec<String>> {
        // Breadth-first shortest path from `from` to `to`.
        let mut previous: BTreeMap<&String, &String> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([from]);
        while let Some(node) = queue.pop_front() {
            for next in edges.get(node).into_iter().flat_map(|m| m.keys()) {
                if next == to {
                    let mut path = vec![to.clone(), node.clone()];
                    let mut back = node;
                    while back != from {
                        back = previous[back];
                        path.push(back.clone());
                    }
                    path.reverse();
                    return Some(path);
                }
                if next != from && !previous.contains_key(next) {
                    previous.insert(next, node);
                    queue.push_back(next);
                }
            }
        }
        None
    };
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut cycles = Vec::new();
    for node in nodes {
        if seen.contains(node) {
            continue;
        }
        if let Some(cycle) = reaches(node, node) {
            // The whole strongly connected component, reported once.
            let component: Vec<String> = edges
                .keys()
                .filter(|other| {
                    *other == node
                        || reaches(node, other).is_some() && reaches(other, node).is_some()
                })
                .cloned()
                .collect();
            seen.extend(component.iter().cloned());
            cycles.push((cycle, component));
        }
    }
    cycles
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The crates the rule is enforced on.
    const COVERED: &[&str] = &[
        "spec",
        "sdk",
        "mock-server",
        "conformance",
        "soak",
        "workspace-hack",
        "xtask",
    ];

    #[test]
    fn no_crate_has_a_module_cycle() {
        let root = crate::root();
        let mut failures = Vec::new();
        for krate in COVERED {
            assert!(
                super::super::CRATES.contains(krate),
                "{krate} is not a workspace crate"
            );
            failures.extend(cycles_in_crate(
                &root.join(krate).join("src"),
                &format!("{krate}/src/"),
            ));
        }
        assert!(
            failures.is_empty(),
            "module cycles (move the shared item into a leaf module both sides can use):\n{}",
            failures.join("\n")
        );
    }

    #[test]
    fn every_workspace_crate_is_covered() {
        for krate in super::super::CRATES {
            assert!(
                COVERED.contains(krate),
                "{krate} is not covered by the cycle rule"
            );
        }
    }

    #[test]
    fn finds_a_cycle_between_siblings_and_accepts_a_dag() {
        let cyclic = [
            ("lib.rs", "lib.rs", "mod a; mod b; mod c;"),
            ("a.rs", "a.rs", "use crate::b::Thing;"),
            ("b/mod.rs", "b/mod.rs", "mod inner;"),
            (
                "b/inner.rs",
                "b/inner.rs",
                "use crate::{c::Other, b::Thing};",
            ),
            ("c.rs", "c.rs", "fn f() { super::a::go() }"),
        ];
        let found = cycles(&cyclic);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("a -> b -> c -> a"), "{}", found[0]);
        assert!(
            found[0].contains("b/inner.rs -> c.rs (`crate::c::Other`)"),
            "{}",
            found[0]
        );

        let dag = [
            (
                "lib.rs",
                "lib.rs",
                "mod a; mod b; mod c; pub use crate::a::X;",
            ),
            ("a.rs", "a.rs", "use crate::{b::Thing, c};"),
            ("b/mod.rs", "b/mod.rs", "mod inner; use self::inner::Y;"),
            (
                "b/inner.rs",
                "b/inner.rs",
                "use super::Thing; use crate::c::Other;",
            ),
            ("c.rs", "c.rs", "pub struct Other;"),
        ];
        assert_eq!(cycles(&dag), Vec::<String>::new());
    }

    #[test]
    fn parent_and_child_may_use_each_other() {
        let files = [
            ("lib.rs", "lib.rs", "mod a; use crate::a::inner::Y;"),
            (
                "a/mod.rs",
                "a/mod.rs",
                "mod inner; use self::inner::Y; pub struct X;",
            ),
            ("a/inner.rs", "a/inner.rs", "use super::X; use crate::Z;"),
        ];
        assert_eq!(cycles(&files), Vec::<String>::new());
    }
}
