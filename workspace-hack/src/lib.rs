//! Feature unification for the workspace, managed by `cargo hakari` (see `.config/hakari.toml`):
//! every binary and test of the workspace depends on it so that `cargo run -p <member>` reuses the
//! dependency builds of `cargo test --workspace` instead of rebuilding them with other features.
