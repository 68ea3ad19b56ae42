//! No code: see `Cargo.toml`. This crate only unifies the features of shared dependencies so
//! that cargo, maturin and napi build them once.
