//! The `svara` command: convert and probe recordings, send voice notes, run the Graph API emulator.

mod broadcast;
mod convert;
mod emulator_cmd;
mod exit;
mod probe;
mod send;
mod serve_cmd;

use clap::{Parser, Subcommand};

/// Send any voice recording to Facebook Messenger as a native voice note.
#[derive(Debug, Parser)]
#[command(
    name = "svara",
    version,
    about,
    long_about = None,
    after_help = "Examples:
  svara send --recipient 6128493027184956 --audio note.webm     # token from META_PAGE_TOKEN
  svara send --recipients psids.txt --audio note.ogg            # broadcast: one upload, many sends
  svara convert note.webm note.m4a
  svara probe note.webm --json
  svara emulator                                                # a local Send API for tests
  svara serve                                                   # the HTTP API: POST /v1/send

Run `svara help COMMAND` for each command's options."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Convert a recording to a voice note: M4A/AAC (Messenger, Instagram) or Ogg/Opus
    /// (WhatsApp, Telegram).
    Convert(convert::Args),
    /// Show what a recording is (container, codec, rate, channels, duration).
    Probe(probe::Args),
    /// Send a voice note to one recipient or a list of recipients.
    Send(Box<send::Args>),
    /// Run the local emulator of the Messenger, Instagram, WhatsApp and Telegram APIs.
    Emulator(emulator_cmd::Args),
    /// Run the Svara API server (POST /v1/send, queued and durable).
    Serve(serve_cmd::Args),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Convert(args) => convert::run(args),
        Command::Probe(args) => probe::run(args),
        Command::Send(args) => send::run(*args),
        Command::Emulator(args) => emulator_cmd::run(args),
        Command::Serve(args) => serve_cmd::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => exit::report(&err),
    }
}
