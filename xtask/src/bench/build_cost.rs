//! What the SDK costs its users: clean build times of `ucr-sdk` and of a minimal binary using it,
//! each in a fresh target directory.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use super::{Row, Section};

/// Runs the section.
pub fn run(root: &Path) -> Result<Section, String> {
    let mut rows = Vec::new();
    for (what, args) in [
        (
            "clean build of ucr-sdk alone",
            vec!["build", "--locked", "-p", "ucr-sdk"],
        ),
        (
            "clean build of a minimal binary using it (examples/minimal.rs)",
            vec!["build", "--locked", "-p", "ucr-sdk", "--example", "minimal"],
        ),
    ] {
        let target = std::env::temp_dir().join(format!("ucr-bench-target-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&target);
        let started = Instant::now();
        let status = Command::new(env!("CARGO"))
            .args(&args)
            .env("CARGO_TARGET_DIR", &target)
            .current_dir(root)
            .stderr(Stdio::null())
            .status()
            .map_err(|e| e.to_string())?;
        let secs = started.elapsed().as_secs_f64();
        let _ = std::fs::remove_dir_all(&target);
        if !status.success() {
            return Err(format!("{what}: build failed"));
        }
        rows.push(Row::info(what, format!("{secs:.0} s")));
    }
    Ok(Section {
        title: "SDK build cost".into(),
        intro: "Debug builds in an empty target directory (dependencies compiled too).".into(),
        rows,
        outro: String::new(),
    })
}
