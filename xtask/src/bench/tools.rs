//! The external programs the bench drives: `wrk` (load), `perf` (CPU profile) and inferno (flame
//! graphs), each installed on first use or refused with a message saying how to install it.

use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Whether `program` runs (`program` + `probe` exits, whatever its status).
fn runs(program: &str, probe: &[&str]) -> bool {
    Command::new(program)
        .args(probe)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// Installs Debian `packages` with apt-get (as root; `apt-get update` first).
fn apt_install(packages: &[&str]) -> Result<(), String> {
    eprintln!("installing {} with apt-get…", packages.join(", "));
    let update = Command::new("apt-get")
        .args(["update", "-qq"])
        .status()
        .map_err(|e| format!("running apt-get: {e}"))?;
    if !update.success() {
        return Err("apt-get update failed".into());
    }
    let install = Command::new("apt-get")
        .args(["install", "-y", "-qq"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .map_err(|e| format!("running apt-get: {e}"))?;
    install
        .success()
        .then_some(())
        .ok_or_else(|| format!("apt-get install {} failed", packages.join(" ")))
}

/// The `wrk` load generator, installed from Debian's packages if missing.
pub fn wrk() -> Result<PathBuf, String> {
    if !runs("wrk", &["--version"]) {
        apt_install(&["wrk"]).map_err(|e| {
            format!(
                "the bench drives load with wrk, which is not installed and could not be installed \
                 ({e}); install it with `sudo apt-get install wrk` (Debian/Ubuntu) and run again"
            )
        })?;
    }
    Ok(PathBuf::from("wrk"))
}

/// `perf`, installed from Debian's `linux-perf` if missing.
pub fn perf() -> Result<PathBuf, String> {
    if !runs("perf", &["--version"]) {
        apt_install(&["linux-perf"]).map_err(|e| {
            format!(
                "the profile needs perf, which is not installed and could not be installed ({e}); \
                 install it with `sudo apt-get install linux-perf` and run again"
            )
        })?;
    }
    Ok(PathBuf::from("perf"))
}

/// The inferno binaries (`inferno-collapse-perf`, `inferno-flamegraph`), installed with
/// `cargo install inferno` if missing. Returns the directory holding them ("" for `PATH`).
pub fn inferno() -> Result<PathBuf, String> {
    if runs("inferno-flamegraph", &["--help"]) {
        return Ok(PathBuf::new());
    }
    let bin = cargo_bin()?;
    if !bin.join("inferno-flamegraph").exists() {
        eprintln!("installing inferno with cargo install…");
        let status = Command::new(env!("CARGO"))
            .args(["install", "--locked", "inferno"])
            .status()
            .map_err(|e| format!("running cargo install: {e}"))?;
        if !status.success() {
            return Err(
                "the profile needs inferno; `cargo install --locked inferno` failed".to_owned(),
            );
        }
    }
    Ok(bin)
}

/// `perf`, if it is already installed (a `--quick` run installs nothing slow).
pub fn installed_perf() -> Result<PathBuf, String> {
    if runs("perf", &["--version"]) {
        Ok(PathBuf::from("perf"))
    } else {
        Err(
            "perf is not installed (`apt-get install linux-perf`; the full bench installs it)"
                .into(),
        )
    }
}

/// The inferno binaries' directory, if they are already installed.
pub fn installed_inferno() -> Result<PathBuf, String> {
    if runs("inferno-flamegraph", &["--help"]) {
        return Ok(PathBuf::new());
    }
    let bin = cargo_bin()?;
    if bin.join("inferno-flamegraph").exists() {
        Ok(bin)
    } else {
        Err("inferno is not installed (`cargo install --locked inferno`; the full bench installs it)".into())
    }
}

/// `$CARGO_HOME/bin`.
fn cargo_bin() -> Result<PathBuf, String> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .ok_or("neither CARGO_HOME nor HOME is set")?;
    Ok(home.join("bin"))
}
