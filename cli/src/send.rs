//! `svara send`: deliver a voice note to one recipient, or broadcast it to a list of them, on
//! Messenger, Instagram, WhatsApp or Telegram.

use crate::broadcast;
use std::path::PathBuf;
use std::process::ExitCode;
use svara::request::limits;
use svara::{AppSecret, AudioSource, Error, PageToken, Platform, SendRequest};

/// Arguments of `svara send`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  svara send --recipient 6128493027184956 --audio note.webm
  svara send --recipient 6128493027184956 --audio https://cdn.example.com/note.mp3 --json
  svara send --recipients psids.txt --audio note.ogg
  SVARA_GRAPH_URL=http://127.0.0.1:8080 svara send --recipient 6128493027184956 --audio note.wav
  svara send --platform telegram --recipient CHAT_ID --token BOT_TOKEN --audio note.mp3 --caption Hi
  svara send --platform whatsapp --recipient 16505550101 --phone-number-id ID --audio note.webm
  svara send --platform instagram --recipient IGSID --ig-user-id ID --audio note.wav

Without --token the token is read from the platform's variable: META_PAGE_TOKEN (messenger),
INSTAGRAM_ACCESS_TOKEN (instagram), WHATSAPP_ACCESS_TOKEN (whatsapp), TELEGRAM_BOT_TOKEN
(telegram). It is never printed.")]
pub struct Args {
    /// The platform: messenger, instagram, whatsapp or telegram.
    #[arg(long, default_value = "messenger", value_parser = clap::builder::PossibleValuesParser::new(svara::SUPPORTED_PLATFORMS))]
    platform: String,
    /// The recipient: a PSID (messenger), an IGSID (instagram), a phone number or wa_id
    /// (whatsapp), a chat_id (telegram).
    #[arg(
        long,
        required_unless_present = "recipients",
        conflicts_with = "recipients"
    )]
    recipient: Option<String>,
    /// A file with one recipient per line (blank lines and lines starting with # are skipped): broadcast.
    #[arg(long, value_name = "FILE")]
    recipients: Option<PathBuf>,
    /// The recording: a local file, an http(s) URL, or attachment:ID for a reusable upload.
    #[arg(long, value_name = "FILE_OR_URL")]
    audio: String,
    /// The token: a Page access token (messenger), an Instagram access token (instagram), a
    /// WhatsApp access token (whatsapp), a bot token (telegram) [default: the platform's
    /// variable, see below].
    #[arg(long)]
    token: Option<String>,
    /// Instagram: the professional account id (Instagram Login; /me when absent).
    #[arg(long, value_name = "ID")]
    ig_user_id: Option<String>,
    /// Instagram: --token is the linked Page's token (Facebook Login on graph.facebook.com).
    #[arg(long)]
    facebook_login: bool,
    /// WhatsApp: the business phone number id that sends.
    #[arg(long, value_name = "ID")]
    phone_number_id: Option<String>,
    /// Graph API base URL [default: $SVARA_GRAPH_URL or https://graph.facebook.com;
    /// graph.instagram.com for Instagram Login].
    #[arg(long, value_name = "URL")]
    graph_url: Option<String>,
    /// Telegram Bot API base URL [default: $SVARA_TELEGRAM_URL or https://api.telegram.org].
    #[arg(long, value_name = "URL")]
    telegram_url: Option<String>,
    /// Telegram: a caption under the voice note.
    #[arg(long)]
    caption: Option<String>,
    /// Graph API version.
    #[arg(long, default_value = svara::DEFAULT_API_VERSION)]
    api_version: String,
    /// Page id: send through /{page-id}/messages instead of /me/messages.
    #[arg(long)]
    page_id: Option<String>,
    /// App secret: every call carries appsecret_proof [default: $META_APP_SECRET].
    #[arg(long, env = "META_APP_SECRET", hide_env_values = true)]
    app_secret: Option<String>,
    /// messaging_type (messenger, instagram): RESPONSE, UPDATE or MESSAGE_TAG [default: RESPONSE].
    #[arg(long)]
    messaging_type: Option<String>,
    /// Message tag (with --messaging-type MESSAGE_TAG), e.g. HUMAN_AGENT.
    #[arg(long)]
    tag: Option<String>,
    /// notification_type: REGULAR, SILENT_PUSH or NO_PUSH.
    #[arg(long)]
    notification_type: Option<String>,
    /// Ask Meta to keep the attachment and print its attachment_id.
    #[arg(long)]
    reusable: bool,
    /// Bitrate in bits per second for converted audio [default: 64000 for AAC, 32000 for Opus].
    #[arg(long)]
    bitrate: Option<u32>,
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
    /// Broadcast: sends per second per sender [default: the platform's: 10 per Page or
    /// Instagram account, 80 per WhatsApp number, 30 per Telegram bot].
    #[arg(long)]
    rate: Option<f64>,
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
    let platform = Platform::parse(&args.platform).unwrap_or_default();
    let token = args
        .token
        .clone()
        .filter(|t| !t.trim().is_empty())
        .map(PageToken::new);
    let mut session = svara::request::Session {
        ig_user_id: args.ig_user_id.clone(),
        phone_number_id: args.phone_number_id.clone(),
        ..svara::request::Session::default()
    };
    // The token goes where the platform takes it; absent, the core reads the platform's
    // variable (META_PAGE_TOKEN, INSTAGRAM_ACCESS_TOKEN, WHATSAPP_ACCESS_TOKEN, TELEGRAM_BOT_TOKEN).
    match platform {
        Platform::Messenger => session.page_access_token = token,
        Platform::Instagram if args.facebook_login => session.page_access_token = token,
        Platform::Instagram | Platform::Whatsapp => session.access_token = token,
        Platform::Telegram => session.bot_token = token,
    }
    if args.facebook_login && platform != Platform::Instagram {
        return Err(Error::invalid_request(
            "--facebook-login applies to --platform instagram only.",
        ));
    }
    let meta = platform != Platform::Telegram;
    let mut r = SendRequest {
        platform: platform.as_str().to_owned(),
        recipient: args.recipient.clone().unwrap_or_default(),
        session,
        graph_url: args.graph_url.clone(),
        telegram_url: args.telegram_url.clone(),
        api_version: meta.then(|| args.api_version.clone()),
        page_id: args.page_id.clone(),
        app_secret: args
            .app_secret
            .as_deref()
            .filter(|_| meta)
            .map(AppSecret::new),
        messaging_type: args.messaging_type.clone(),
        tag: args.tag.clone(),
        notification_type: args.notification_type.clone(),
        caption: args.caption.clone(),
        reusable: args.reusable.then_some(true),
        bitrate: args.bitrate,
        keep_stereo: args.stereo.then_some(true),
        fast_encode: Some(args.fast),
        max_duration: args.max_duration,
        max_retries: Some(args.max_retries),
        timeout: Some(args.timeout as f64),
        sends_per_second: args.rate,
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
