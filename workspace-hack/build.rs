//! Present so that the `[build-dependencies]` (host-side feature unification) take effect.

fn main() {}
