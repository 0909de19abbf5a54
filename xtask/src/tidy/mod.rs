//! Tidy tests: structural rules over the workspace's source text, run by `cargo test -p xtask`.
//!
//! [`cycles`] keeps every crate's module tree free of cycles between sibling modules;
//! [`code_map`] keeps `ARCHITECTURE.md`'s code map naming real paths and covering every
//! hand-written source file. Both read files as text: no parser, no extra dependencies.

mod code_map;
mod cycles;

use std::path::{Path, PathBuf};

/// The workspace's crates, as their folders under the root (`src/` inside each).
const CRATES: &[&str] = &[
    "spec",
    "sdk",
    "mock-server",
    "conformance",
    "soak",
    "workspace-hack",
    "xtask",
];

/// Every `*.rs` file under `dir`, recursively, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}
