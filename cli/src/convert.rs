//! `svara convert IN OUT`: turns any recording into a Messenger-ready M4A/AAC voice note on disk
//! (M4A/AAC input is copied byte for byte), using the same engine as `send`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use svara::audio::{PrepareOptions, MAX_AUDIO_BYTES};
use svara::{Error, ErrorCode};

/// Arguments of `svara convert`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  svara convert note.webm note.m4a\n  svara convert interview.wav out.m4a --bitrate 96000 --stereo"
)]
pub struct Args {
    /// The recording to convert (MP3, OGG/Opus, WebM/Opus, WAV, FLAC, M4A, CAF, AIFF, ...).
    pub input: PathBuf,
    /// Where to write the M4A (written only when the conversion succeeds).
    pub output: PathBuf,
    /// AAC bitrate in bits per second.
    #[arg(long, default_value_t = 64_000)]
    pub bitrate: u32,
    /// Keep stereo recordings stereo (voice notes are mono by default).
    #[arg(long)]
    pub stereo: bool,
    /// Encode about twice as fast (FDK's afterburner off) for about 3 dB less SNR.
    #[arg(long)]
    pub fast: bool,
    /// Refuse recordings longer than this many seconds.
    #[arg(long, value_name = "SECONDS")]
    pub max_duration: Option<f64>,
    /// Print the result as JSON (input, output, converted).
    #[arg(long)]
    pub json: bool,
}

/// Runs the command.
pub fn run(args: Args) -> svara::Result<ExitCode> {
    quiet_panics();
    let bytes = read_input(&args.input)?;
    let max_duration = match args.max_duration {
        Some(s) if s.is_finite() && s > 0.0 => Some(Duration::from_secs_f64(s)),
        Some(_) => {
            return Err(Error::invalid_request(
                "--max-duration must be a positive number of seconds",
            ))
        }
        None => None,
    };
    let options = PrepareOptions {
        bitrate: args.bitrate,
        keep_stereo: args.stereo,
        max_duration,
        fast_encode: args.fast,
    };
    let prepared = svara::audio::prepare(&bytes, &options)?;
    std::fs::write(&args.output, &prepared.data).map_err(|e| {
        Error::invalid_request(format!("cannot write {}: {e}", args.output.display()))
    })?;
    if args.json {
        let value = serde_json::json!({
            "input": prepared.input,
            "output": prepared.output,
            "converted": prepared.converted,
            "mime": prepared.mime,
            "path": args.output.display().to_string(),
        });
        println!("{value}");
    } else {
        let i = &prepared.input;
        let o = &prepared.output;
        let verb = if prepared.converted {
            "converted"
        } else {
            "passed through (already M4A/AAC)"
        };
        println!(
            "{verb}: {} {} {} Hz {} ch {:.2} s ({} bytes) -> {} {} {} Hz {} ch {:.2} s ({} bytes) in {}",
            i.container,
            i.codec,
            i.sample_rate,
            i.channels,
            i.duration_ms as f64 / 1000.0,
            i.size_bytes,
            o.container,
            o.codec,
            o.sample_rate,
            o.channels,
            o.duration_ms as f64 / 1000.0,
            o.size_bytes,
            args.output.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads a local recording, refusing one over 25 MB before reading it.
pub fn read_input(path: &std::path::Path) -> svara::Result<Vec<u8>> {
    let fetch = |e: std::io::Error| {
        Error::new(
            ErrorCode::AudioFetchFailed,
            format!("cannot read {}: {e}", path.display()),
        )
    };
    let meta = std::fs::metadata(path).map_err(fetch)?;
    if meta.len() > MAX_AUDIO_BYTES {
        return Err(Error::new(
            ErrorCode::AudioTooLarge,
            format!(
                "{} is {} bytes, over Messenger's limit of {MAX_AUDIO_BYTES} bytes (25 MB)",
                path.display(),
                meta.len()
            ),
        ));
    }
    std::fs::read(path).map_err(fetch)
}

/// The engine turns decoder panics into typed errors; keep Rust's panic banner off the terminal.
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|_| {}));
}
