//! `svara emulator_cmd` (being written).

use std::process::ExitCode;

/// Arguments of `svara emulator_cmd`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args) -> svara::Result<ExitCode> {
    Err(svara::Error::invalid_request("not built yet"))
}
