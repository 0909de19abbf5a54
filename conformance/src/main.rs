//! The `ucr-conformance` binary: parses the command line and runs the suite (see `--help`).

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    ucr_conformance::cli::main(ucr_conformance::cli::Args::parse()).await
}
