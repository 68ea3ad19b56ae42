//! `svara send`: deliver a voice note to one PSID, or broadcast it to a list of PSIDs.

use crate::broadcast;
use std::path::PathBuf;
use std::process::ExitCode;
use svara::request::limits;
use svara::{AppSecret, AudioSource, Error, PageToken, SendRequest};

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
    #[arg(long, default_value_t = limits::BITRATE.default_value() as u32)]
    bitrate: u32,
    /// Keep stereo recordings stereo (voice notes are mono by default).
    #[arg(long)]
    stereo: bool,
    /// Encode faster for a little less quality (AAC: FDK's afterburner off also below 2 bits per
    /// sample, e.g. at 32 kb/s; Opus: encoder complexity 3 instead of 6).
    #[arg(long)]
    fast: bool,
    /// Refuse recordings longer than this many seconds.
    #[arg(long, value_name = "SECONDS")]
    max_duration: Option<f64>,
    /// Automatic retries of calls Meta certainly did not accept.
    #[arg(long, default_value_t = limits::MAX_RETRIES.default_value() as u32)]
    max_retries: u32,
    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = limits::TIMEOUT_SECONDS.default_value() as u64)]
    timeout: u64,
    /// Broadcast: audio sends per second per Page (Meta allows 10).
    #[arg(long, default_value_t = limits::SENDS_PER_SECOND.default_value())]
    rate: f64,
    /// Print JSON: the whole result, or one line per recipient when broadcasting.
    #[arg(long)]
    json: bool,
}

/// Runs `svara send`: the flags become the core's request, so the validation, the defaults and
/// the messages are the same as in Python, Node and the HTTP API.
pub fn run(args: Args) -> svara::Result<ExitCode> {
    let mut request = request(&args)?;
    let client = request.client_builder()?.build()?;
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| Error::invalid_request(format!("Cannot start the async runtime: {e}.")))?;
    match &args.recipients {
        Some(file) => {
            let recipients = broadcast::read_recipients(file)?;
            let options = request.send_options()?;
            let audio = request.take_audio_source()?;
            runtime.block_on(broadcast::run(
                &client, recipients, audio, &options, args.json,
            ))
        }
        None => {
            request.validate()?;
            let result = runtime.block_on(client.send_request(request))?;
            if args.json {
                println!("{}", json_line(&result));
            } else {
                println!("{}", result.id);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The request the flags describe.
fn request(args: &Args) -> svara::Result<SendRequest> {
    let token = args.token.clone().filter(|t| !t.trim().is_empty());
    let mut r = SendRequest {
        recipient: args.recipient.clone().unwrap_or_default(),
        page_access_token: token.map(PageToken::new),
        graph_url: args.graph_url.clone(),
        api_version: Some(args.api_version.clone()),
        page_id: args.page_id.clone(),
        app_secret: args.app_secret.as_deref().map(AppSecret::new),
        messaging_type: Some(args.messaging_type.clone()),
        tag: args.tag.clone(),
        notification_type: args.notification_type.clone(),
        reusable: Some(args.reusable),
        bitrate: Some(args.bitrate),
        keep_stereo: Some(args.stereo),
        fast_encode: Some(args.fast),
        max_duration: args.max_duration,
        max_retries: Some(args.max_retries),
        timeout: Some(args.timeout as f64),
        sends_per_second: Some(args.rate),
        ..SendRequest::default()
    };
    match audio_source(&args.audio) {
        AudioSource::AttachmentId(id) => r.attachment_id = Some(id),
        AudioSource::Url(url) => r.audio_url = Some(url),
        AudioSource::Path(path) => r.audio_path = Some(path),
        AudioSource::Bytes(_) => unreachable!("the CLI takes no bytes"),
    }
    Ok(r)
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
