//! `svara convert` (being written).

use std::process::ExitCode;

/// Arguments of `svara convert`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args) -> svara::Result<ExitCode> {
    Err(svara::Error::invalid_request("not built yet"))
}
