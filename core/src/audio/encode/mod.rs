//! Encoders, one per target format: AAC-LC through FDK AAC ([`aac`], segment-parallel for long
//! notes in [`parallel`]) for M4A notes, and Opus through libopus ([`opus`]) for Ogg notes.

pub(crate) mod aac;
pub(crate) mod opus;
pub(crate) mod parallel;
