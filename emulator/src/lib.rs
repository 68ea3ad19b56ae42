//! Placeholder: the emulator crate is being written.
