//! `svara convert IN OUT`: turns any recording into a voice note on disk, M4A/AAC (Messenger,
//! Instagram) or, with `--format ogg-opus`, mono Ogg/Opus (WhatsApp, Telegram); input already in
//! that format is copied byte for byte. The same engine as `send`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use svara::audio::{PrepareOptions, TargetFormat, MAX_AUDIO_BYTES};
use svara::{Error, ErrorCode};

/// Arguments of `svara convert`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  svara convert note.webm note.m4a\n  svara convert interview.wav out.m4a --bitrate 96000 --stereo\n  svara convert note.mp3 note.ogg --format ogg-opus"
)]
pub struct Args {
    /// The recording to convert (MP3, OGG/Opus, WebM/Opus, WAV, FLAC, M4A, CAF, AIFF, ...).
    pub input: PathBuf,
    /// Where to write the note (written only when the conversion succeeds).
    pub output: PathBuf,
    /// The voice-note format: m4a-aac (Messenger, Instagram) or ogg-opus (WhatsApp, Telegram).
    #[arg(long, default_value = "m4a-aac", value_parser = parse_format)]
    pub format: TargetFormat,
    /// Bitrate in bits per second [default: 64000 for m4a-aac, 32000 for ogg-opus].
    #[arg(long)]
    pub bitrate: Option<u32>,
    /// Keep stereo recordings stereo (m4a-aac only; voice notes are mono by default).
    #[arg(long)]
    pub stereo: bool,
    /// Encode faster for a little less quality (AAC: FDK's afterburner off also below 2 bits per
    /// sample, e.g. at 32 kb/s; Opus: encoder complexity 3 instead of 6).
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
    if args.stereo && args.format == TargetFormat::OggOpus {
        return Err(Error::invalid_request(
            "--stereo applies to m4a-aac only: Opus voice notes are mono",
        ));
    }
    let options = PrepareOptions {
        format: args.format,
        bitrate: args.bitrate.unwrap_or(args.format.default_bitrate()),
        keep_stereo: args.stereo,
        max_duration,
        fast_encode: args.fast,
        ..PrepareOptions::default()
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
            "format": prepared.format(),
            "path": args.output.display().to_string(),
        });
        println!("{value}");
    } else {
        let i = &prepared.input;
        let o = &prepared.output;
        let verb = match (prepared.converted, prepared.format()) {
            (true, _) => "converted",
            (false, TargetFormat::M4aAac) => "passed through (already M4A/AAC)",
            (false, TargetFormat::OggOpus) => "passed through (already mono Ogg/Opus)",
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

fn parse_format(s: &str) -> Result<TargetFormat, String> {
    s.parse().map_err(|e: Error| e.message().to_owned())
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
