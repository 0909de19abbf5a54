//! Build script required for cargo to apply the build-dependency half of the feature unification.
// A build script is required for cargo to consider build dependencies.
fn main() {}
