//! `cargo xtask`: regenerates the OpenAPI documents and the SDK, and checks them for drift.

mod bench;
mod codegen;
mod diff;
mod docs;
mod lower;
mod soak;
#[cfg(test)]
mod tidy;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const HELP: &str = "\
cargo xtask — project automation for the UCR interoperability toolkit

USAGE:
    cargo xtask <COMMAND>

COMMANDS:
    spec     Regenerate spec/openapi.json (OpenAPI 3.1, the published contract),
             sdk/progenitor-input.json (derived 3.0.3, read only by progenitor),
             sdk/src/generated.rs and sdk/src/problem_kinds.rs from the Rust types in spec/
    check    Regenerate in memory and fail, naming each stale file, if anything committed differs
    diff     The breaking-change gate: compare spec/openapi.json with the highest
             spec/released/vX.Y.Z.json using Optic (npm, pinned in tools/contract), list every
             change as breaking or not, and fail naming each breaking change unless info.version's
             major was bumped (docs/versioning.md)
    docs     Render spec/openapi.json as one static HTML API reference with Redocly build-docs
             (npm, pinned) into target/api-reference/index.html
    bench    Measure, with wrk calibrated against a bare hyper server, the mock's read and write
             throughput, its memory under load, the suite's run time, a growth curve of synthetic
             registries (docs/scale.svg), a perf profile of the holdings page and the SDK's build
             cost; print the report and write docs/benchmarks.md. Installs wrk, perf and inferno
             if missing. `bench --quick`: a short smoke run judging no goal, written to
             target/benchmarks-quick.md. `bench --profile-only NAME`: only the profile, written to
             docs/profile-holdings-NAME.{svg,txt}. Options: `--no-build` (use target/release as
             it is), `--no-build-cost`, `--max-blocks N` (end the growth curve there),
             `--mock PATH` (measure another ucr-mock binary)
    soak     Soak the standalone ucr-mock: 16 concurrent clients, mixed reads and writes, then
             reads only; fails on any 5xx, undeclared response or transport error, on units not
             conserved, overlapping serials or unbounded memory. Options go to the driver:
             `soak [--duration 60s] [--clients 16] [--mock PATH] [--no-build]` (`--no-build`
             uses the binaries in target/debug, as CI does after the tests)
    help     Print this message

`cargo xtask` with no command runs `spec`.";

fn main() -> ExitCode {
    let command = std::env::args().nth(1).unwrap_or_else(|| "spec".into());
    let result = match command.as_str() {
        "spec" => codegen::write_all(&root()).map(|written| {
            for path in written {
                println!("wrote {}", path.display());
            }
        }),
        "check" => codegen::check_all(&root()).map(|()| println!("generated files are up to date")),
        "diff" => diff::run(&root()),
        "docs" => docs::run(&root()),
        "bench" => {
            let args: Vec<String> = std::env::args().skip(2).collect();
            bench::Settings::from_args(&args).and_then(|settings| {
                match args.iter().position(|a| a == "--profile-only") {
                    Some(at) => match args.get(at + 1) {
                        Some(name) => bench::profile_only(&root(), name, &settings),
                        None => Err("--profile-only needs a name (before, after, …)".into()),
                    },
                    None => bench::run(&root(), &settings),
                }
            })
        }
        "soak" => soak::run(&root(), &std::env::args().skip(2).collect::<Vec<_>>()),
        "bench-baseline" => bench::baseline(&std::env::args().skip(2).collect::<Vec<_>>()),
        "help" | "--help" | "-h" => {
            println!("{HELP}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n\n{HELP}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of this crate's directory).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}
