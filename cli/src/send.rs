//! `svara send`: deliver a voice note to one PSID, or broadcast it to a list of PSIDs.

use crate::broadcast;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use svara::{
    AudioSource, Client, Error, MessagingType, NotificationType, PrepareOptions, SendOptions,
};

/// Arguments of `svara send`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  svara send --recipient 6128493027184956 --audio note.webm
  svara send --recipient 6128493027184956 --audio https://cdn.example.com/note.mp3 --json
  svara send --recipients psids.txt --audio note.ogg
  SVARA_GRAPH_URL=http://127.0.0.1:8080 svara send --recipient 6128493027184956 --audio note.wav

The token is read from META_PAGE_TOKEN unless --token is given; it is never printed.")]
pub struct Args {
    /// The recipient's Page-Scoped ID (PSID).
    #[arg(
        long,
        required_unless_present = "recipients",
        conflicts_with = "recipients"
    )]
    recipient: Option<String>,
    /// A file with one PSID per line (blank lines and lines starting with # are skipped): broadcast.
    #[arg(long, value_name = "FILE")]
    recipients: Option<PathBuf>,
    /// The recording: a local file, an http(s) URL, or attachment:ID for a reusable upload.
    #[arg(long, value_name = "FILE_OR_URL")]
    audio: String,
    /// Page access token [default: $META_PAGE_TOKEN].
    #[arg(long, env = "META_PAGE_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Graph API base URL [default: $SVARA_GRAPH_URL or https://graph.facebook.com].
    #[arg(long, value_name = "URL")]
    graph_url: Option<String>,
    /// Graph API version.
    #[arg(long, default_value = svara::DEFAULT_API_VERSION)]
    api_version: String,
    /// Page id: send through /{page-id}/messages instead of /me/messages.
    #[arg(long)]
    page_id: Option<String>,
    /// App secret: every call carries appsecret_proof [default: $META_APP_SECRET].
    #[arg(long, env = "META_APP_SECRET", hide_env_values = true)]
    app_secret: Option<String>,
    /// messaging_type: RESPONSE, UPDATE or MESSAGE_TAG.
    #[arg(long, default_value = "RESPONSE")]
    messaging_type: String,
    /// Message tag (with --messaging-type MESSAGE_TAG), e.g. HUMAN_AGENT.
    #[arg(long)]
    tag: Option<String>,
    /// notification_type: REGULAR, SILENT_PUSH or NO_PUSH.
    #[arg(long)]
    notification_type: Option<String>,
    /// Ask Meta to keep the attachment and print its attachment_id.
    #[arg(long)]
    reusable: bool,
    /// AAC bitrate in bits per second for converted audio.
    #[arg(long, default_value_t = 64_000)]
    bitrate: u32,
    /// Keep stereo recordings stereo (voice notes are mono by default).
    #[arg(long)]
    stereo: bool,
    /// Encode about twice as fast (FDK's afterburner off) for about 3 dB less SNR.
    #[arg(long)]
    fast: bool,
    /// Automatic retries of calls Meta certainly did not accept.
    #[arg(long, default_value_t = 2)]
    max_retries: u32,
    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 60)]
    timeout: u64,
    /// Broadcast: audio sends per second per Page (Meta allows 10).
    #[arg(long, default_value_t = 10.0)]
    rate: f64,
    /// Print JSON: the whole result, or one line per recipient when broadcasting.
    #[arg(long)]
    json: bool,
}

/// Runs `svara send`.
pub fn run(args: Args) -> svara::Result<ExitCode> {
    let client = build_client(&args)?;
    let audio = audio_source(&args.audio);
    let options = send_options(&args)?;
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| Error::invalid_request(format!("cannot start the async runtime: {e}")))?;
    match &args.recipients {
        Some(file) => {
            let recipients = broadcast::read_recipients(file)?;
            runtime.block_on(broadcast::run(
                &client, recipients, audio, &options, args.json,
            ))
        }
        None => {
            let recipient = args.recipient.as_deref().unwrap_or_default();
            let result = runtime.block_on(client.send(recipient, audio, &options))?;
            if args.json {
                println!("{}", json_line(&result));
            } else {
                println!("{}", result.id);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn build_client(args: &Args) -> svara::Result<Client> {
    let token = args.token.clone().unwrap_or_default();
    if token.trim().is_empty() {
        return Err(Error::invalid_request(
            "No Page access token: set META_PAGE_TOKEN or pass --token.",
        ));
    }
    let mut builder = Client::builder(token)
        .api_version(&args.api_version)
        .max_retries(args.max_retries)
        .timeout(Duration::from_secs(args.timeout))
        .sends_per_second(args.rate);
    if let Some(url) = &args.graph_url {
        builder = builder.graph_url(url);
    }
    if let Some(page) = &args.page_id {
        builder = builder.page_id(page);
    }
    if let Some(secret) = &args.app_secret {
        builder = builder.app_secret(secret.as_str());
    }
    builder.build()
}

/// `https://…` and `http://…` are URLs, `attachment:ID` a reusable attachment, anything else a path.
fn audio_source(audio: &str) -> AudioSource {
    if let Some(id) = audio.strip_prefix("attachment:") {
        AudioSource::AttachmentId(id.to_owned())
    } else if audio.starts_with("http://") || audio.starts_with("https://") {
        AudioSource::Url(audio.to_owned())
    } else {
        AudioSource::Path(PathBuf::from(audio))
    }
}

fn send_options(args: &Args) -> svara::Result<SendOptions> {
    let messaging_type = MessagingType::parse(&args.messaging_type).ok_or_else(|| {
        Error::invalid_request(format!(
            "--messaging-type {:?} is not one of RESPONSE, UPDATE, MESSAGE_TAG.",
            args.messaging_type
        ))
    })?;
    let notification_type = match &args.notification_type {
        None => None,
        Some(n) => Some(NotificationType::parse(n).ok_or_else(|| {
            Error::invalid_request(format!(
                "--notification-type {n:?} is not one of REGULAR, SILENT_PUSH, NO_PUSH."
            ))
        })?),
    };
    Ok(SendOptions {
        messaging_type,
        tag: args.tag.clone(),
        notification_type,
        reusable: args.reusable,
        prepare: PrepareOptions {
            bitrate: args.bitrate,
            keep_stereo: args.stereo,
            fast_encode: args.fast,
            ..PrepareOptions::default()
        },
    })
}

/// The JSON form of a result, as printed by `--json`.
pub fn json_line(result: &svara::SendResult) -> String {
    serde_json::to_string(result).unwrap_or_else(|_| format!("{{\"id\":{:?}}}", result.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audio_argument_forms() {
        assert_eq!(
            audio_source("https://x.test/a.mp3"),
            AudioSource::Url("https://x.test/a.mp3".into())
        );
        assert_eq!(
            audio_source("attachment:123"),
            AudioSource::AttachmentId("123".into())
        );
        assert_eq!(
            audio_source("note.webm"),
            AudioSource::Path(PathBuf::from("note.webm"))
        );
    }
}
