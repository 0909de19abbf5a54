//! `cargo xtask docs`: the published contract as one static HTML API reference.
//!
//! Redocly CLI's `build-docs` (pinned in `tools/contract/package.json`, installed on first use by
//! `scripts/contract-tools.sh`) renders `spec/openapi.json` into `target/api-reference/index.html`
//! with Redoc's scripts inlined, so the page needs nothing but itself: open it from disk, attach
//! it, or serve it anywhere. `scripts/contract-docs.sh` then opens it in headless Chromium.

use std::path::Path;
use std::process::Command;

/// Where the page is written, relative to the workspace root.
pub const OUTPUT: &str = "target/api-reference/index.html";

/// Renders the reference page; returns nothing but says where it went.
pub fn run(root: &Path) -> Result<(), String> {
    let install = Command::new("bash")
        .current_dir(root)
        .args([
            "-c",
            "source scripts/contract-tools.sh && contract_npm_tools",
        ])
        .status()
        .map_err(|e| format!("running scripts/contract-tools.sh: {e}"))?;
    if !install.success() {
        return Err("installing the npm tools (scripts/contract-tools.sh) failed".into());
    }
    let status = Command::new(root.join("tools/contract/node_modules/.bin/redocly"))
        .current_dir(root)
        .args([
            "build-docs",
            crate::diff::CURRENT,
            "--inlineBundle",
            "--output",
            OUTPUT,
        ])
        .args(["--config", "redocly.yaml"])
        .env("REDOCLY_TELEMETRY", "off")
        .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true")
        .status()
        .map_err(|e| format!("running redocly build-docs: {e}"))?;
    if !status.success() {
        return Err(format!("redocly build-docs failed ({status})"));
    }
    println!("wrote {OUTPUT}");
    Ok(())
}
