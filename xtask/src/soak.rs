//! `cargo xtask soak`: builds the standalone mock and the soak driver, then runs the driver.
//!
//! The driver (`ucr-soak`, the workspace member `soak/`) talks to the mock through the SDK. It is
//! its own crate rather than part of xtask because the SDK pulls in reqwest, progenitor-client and
//! their trees, and xtask must stay light: it is built by every `cargo xtask check`.

use std::path::Path;
use std::process::Command;

/// Runs the soak. `args` are passed to `ucr-soak` (see `ucr-soak --help`), except `--no-build`,
/// which uses the binaries already in `target/debug` (CI: the test build produced them).
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let no_build = args.iter().any(|a| a == "--no-build");
    let mut forwarded: Vec<String> = args
        .iter()
        .filter(|a| *a != "--no-build")
        .cloned()
        .collect();
    if !no_build {
        let status = Command::new(env!("CARGO"))
            .args([
                "build", "-p", "ucr-mock", "--bin", "ucr-mock", "-p", "ucr-soak", "--bin",
                "ucr-soak",
            ])
            .current_dir(root)
            .status()
            .map_err(|e| format!("running cargo build: {e}"))?;
        if !status.success() {
            return Err("building ucr-mock and ucr-soak failed".into());
        }
    }
    let driver = root.join("target/debug/ucr-soak");
    if !driver.exists() {
        return Err(format!(
            "{} is missing; run without --no-build to build it",
            driver.display()
        ));
    }
    if !forwarded
        .iter()
        .any(|a| a == "--mock" || a.starts_with("--mock="))
    {
        forwarded.push("--mock".into());
        forwarded.push(root.join("target/debug/ucr-mock").display().to_string());
    }
    let status = Command::new(&driver)
        .args(&forwarded)
        .current_dir(root)
        .status()
        .map_err(|e| format!("starting {}: {e}", driver.display()))?;
    status
        .success()
        .then_some(())
        .ok_or_else(|| "the soak failed (see above)".to_owned())
}
