//! `svara probe FILE [--json]`: says what a recording is, detected from its content.

use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `svara probe`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  svara probe note.webm\n  svara probe note.ogg --json")]
pub struct Args {
    /// The recording to inspect.
    pub file: PathBuf,
    /// Print JSON: container, codec, sample_rate, channels, duration_ms, size_bytes.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command.
pub fn run(args: Args) -> svara::Result<ExitCode> {
    crate::convert::quiet_panics();
    let bytes = crate::convert::read_input(&args.file)?;
    let info = svara::audio::probe(&bytes)?;
    if args.json {
        println!("{}", serde_json::to_string(&info).unwrap_or_default());
    } else {
        println!("container:   {}", info.container);
        println!("codec:       {}", info.codec);
        println!("sample rate: {} Hz", info.sample_rate);
        println!("channels:    {}", info.channels);
        println!("duration:    {:.3} s", info.duration_ms as f64 / 1000.0);
        println!("size:        {} bytes", info.size_bytes);
    }
    Ok(ExitCode::SUCCESS)
}
