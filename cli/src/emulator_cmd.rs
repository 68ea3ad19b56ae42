//! `svara emulator`: run the Graph Send API emulator locally so a bot, a test suite or the
//! demo can send voice notes without a Meta account. Prints the base URL on its first line
//! (for scripts), then the Pages, tokens and PSIDs it knows, and runs until Ctrl-C or SIGTERM.

use std::path::PathBuf;
use std::process::ExitCode;
use svara_emulator::{
    Emulator, EmulatorConfig, FaultKind, FaultRule, HumanDuration, PsidConfig, PsidStatus,
};

/// Arguments of `svara emulator`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  svara emulator                                  # defaults, free port, URL on the first line
  svara emulator --port 8787 --config scenario.toml
  svara emulator --rate-limit 2 --fault error_1200,share=0.2 --fault drop_after_body,psid=6128493027184956,times=1
  svara emulator --psid 1234567890:26h --app-secret s3cret
  svara emulator --print-config > scenario.toml   # start a scenario file from the defaults

Point a client at the printed URL: SVARA_GRAPH_URL=http://127.0.0.1:PORT.
Inspect what arrived: GET /__emulator/messages; forget it: POST /__emulator/reset.")]
pub struct Args {
    /// Port to listen on (0 picks a free one); overrides the config file.
    #[arg(long)]
    port: Option<u16>,
    /// Scenario file (.toml or .json): pages, tokens, PSIDs, limits, faults.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Audio sends per second per Page before error 613 (0 disables the limit).
    #[arg(long, value_name = "N")]
    rate_limit: Option<u32>,
    /// App secret: appsecret_proof is then required and verified.
    #[arg(long, env = "SVARA_EMULATOR_APP_SECRET", hide_env_values = true)]
    app_secret: Option<String>,
    /// Add a person inside every Page: `PSID`, `PSID:AGO` (time since they last wrote, e.g.
    /// `26h`), or `PSID:blocked` / `PSID:unavailable`. Repeatable.
    #[arg(long = "psid", value_name = "PSID[:AGO|blocked|unavailable]")]
    psids: Vec<String>,
    /// Treat every all-digit PSID that is not configured as a person inside the window.
    #[arg(long)]
    accept_any_psid: bool,
    /// Treat every token no Page lists as a valid token of a live Page of its own (test mode:
    /// the printed special tokens still fail as documented).
    #[arg(long)]
    accept_any_token: bool,
    /// The emulator's own strict policy (not Meta's): refuse audio that is not AAC in M4A
    /// (what plays as a voice bubble) with 100/2018047. By default any decodable audio is
    /// accepted, as Meta does.
    #[arg(long, conflicts_with = "accept_any_audio")]
    strict_voice_notes: bool,
    /// Accept any decodable audio (the default; kept for older scripts).
    #[arg(long, hide = true)]
    accept_any_audio: bool,
    /// Refuse sends without `messaging_type` (Meta's docs say it is required; Meta's own
    /// samples omit it, so by default it may be left out).
    #[arg(long)]
    require_messaging_type: bool,
    /// Refuse payload.url on loopback and private addresses with 100/2018008, as Meta could
    /// not reach them (by default they are fetched and recorded as `url_public: false`).
    #[arg(long)]
    public_urls_only: bool,
    /// Inject a fault: `KIND[,share=0.2][,psid=ID][,times=N][,delay=3s]` where KIND is
    /// http_500, error_1200, error_2, slow, drop_before_body or drop_after_body. Repeatable.
    #[arg(long = "fault", value_name = "SPEC")]
    faults: Vec<String>,
    /// Seed for the fault dice, for reproducible runs.
    #[arg(long, value_name = "N")]
    fault_seed: Option<u64>,
    /// Print the effective configuration as TOML and exit.
    #[arg(long)]
    print_config: bool,
}

fn invalid(msg: impl std::fmt::Display) -> String {
    msg.to_string()
}

fn parse_fault(spec: &str) -> Result<FaultRule, String> {
    let mut parts = spec.split(',').map(str::trim);
    let kind_text = parts.next().unwrap_or("");
    let kind: FaultKind = serde_json::from_value(serde_json::Value::String(kind_text.to_owned()))
        .map_err(|_| {
            invalid(format!(
                "unknown fault kind {kind_text:?}: use http_500, error_1200, error_2, slow, drop_before_body or drop_after_body"
            ))
        })?;
    let mut rule = FaultRule::always(kind);
    for part in parts {
        let (key, value) = part
            .split_once('=')
            .ok_or_else(|| invalid(format!("fault option {part:?} must look like key=value")))?;
        match key {
            "share" => {
                rule.share = value
                    .parse()
                    .ok()
                    .filter(|s: &f64| (0.0..=1.0).contains(s))
                    .ok_or_else(|| invalid(format!("share={value} must be between 0 and 1")))?
            }
            "psid" => rule.psids.push(value.to_owned()),
            "times" => {
                rule.times = Some(
                    value
                        .parse()
                        .map_err(|_| invalid(format!("times={value} must be a whole number")))?,
                )
            }
            "delay" => rule.delay = HumanDuration::parse(value).map_err(invalid)?,
            other => {
                return Err(invalid(format!(
                    "unknown fault option {other:?}: use share, psid, times or delay"
                )))
            }
        }
    }
    Ok(rule)
}

fn parse_psid(spec: &str) -> Result<PsidConfig, String> {
    let (id, extra) = spec.split_once(':').unwrap_or((spec, ""));
    if id.is_empty() {
        return Err(invalid(format!("--psid {spec:?} needs an id")));
    }
    let person = PsidConfig::active(id);
    Ok(match extra {
        "" => person,
        "blocked" => person.status(PsidStatus::Blocked),
        "unavailable" => person.status(PsidStatus::Unavailable),
        ago => person.last_message_ago(HumanDuration::parse(ago).map_err(invalid)?),
    })
}

fn build_config(args: &Args) -> Result<EmulatorConfig, String> {
    let mut config = match &args.config {
        Some(path) => EmulatorConfig::from_file(path).map_err(|e| invalid(e.to_string()))?,
        None => EmulatorConfig::default(),
    };
    if let Some(port) = args.port {
        config.port = port;
    }
    if let Some(n) = args.rate_limit {
        config = config.with_rate_limit(n);
    }
    if let Some(secret) = &args.app_secret {
        config = config.with_app_secret(secret);
    }
    for p in &args.psids {
        config.psids.push(parse_psid(p)?);
    }
    config.accept_any_psid |= args.accept_any_psid;
    config.accept_any_token |= args.accept_any_token;
    if args.accept_any_audio {
        config.audio.strict_voice_notes = false;
    }
    config.audio.strict_voice_notes |= args.strict_voice_notes;
    config.require_messaging_type |= args.require_messaging_type;
    config.fetch.public_urls_only |= args.public_urls_only;
    for f in &args.faults {
        config.faults.push(parse_fault(f)?);
    }
    if args.fault_seed.is_some() {
        config.fault_seed = args.fault_seed;
    }
    config.validate().map_err(|e| invalid(e.to_string()))?;
    Ok(config)
}

fn describe(person: &PsidConfig, config: &EmulatorConfig) -> String {
    let state = match person.status {
        PsidStatus::Blocked => "blocked the Page".to_owned(),
        PsidStatus::Unavailable => "unavailable".to_owned(),
        PsidStatus::Active if person.last_message_ago.0 <= config.window.standard.0 => {
            format!(
                "inside the window, last wrote {} ago",
                person.last_message_ago
            )
        }
        PsidStatus::Active => format!(
            "outside the window, last wrote {} ago",
            person.last_message_ago
        ),
    };
    let role = if person.app_role { ", app tester" } else { "" };
    let page = person
        .page_id
        .as_deref()
        .map(|p| format!(", page {p} only"))
        .unwrap_or_default();
    format!("{state}{role}{page}")
}

/// The policies in force, one line: audio, messaging_type, URLs.
fn policy_line(config: &EmulatorConfig) -> String {
    let audio = if config.audio.strict_voice_notes {
        "audio: strict_voice_notes (emulator policy, not Meta's: only AAC in M4A accepted)"
    } else {
        "audio: any decodable audio/* accepted, as Meta does (voice_note: true for AAC in M4A)"
    };
    let mt = if config.require_messaging_type {
        "messaging_type required"
    } else {
        "messaging_type optional"
    };
    let urls = if config.fetch.public_urls_only {
        "public URLs only"
    } else {
        "loopback URLs fetched (url_public: false)"
    };
    format!("{audio}; {mt}; {urls}")
}

fn print_banner(emulator: &Emulator) {
    let config = emulator.config();
    let url = emulator.base_url();
    println!("{url}");
    for page in &config.pages {
        let live = if page.app_live { "" } else { " [app not live]" };
        println!("page   {}  {}{live}", page.id, page.name);
        for t in &page.tokens {
            println!("  token          {}", t.expose());
        }
        for t in &page.expired_tokens {
            println!("  expired token  {}", t.expose());
        }
    }
    for person in &config.psids {
        println!("psid   {}  {}", person.id, describe(person, config));
    }
    if config.accept_any_token {
        println!("token  any other token is accepted as a live Page of its own");
    }
    if config.accept_any_psid {
        println!("psid   any other all-digit id is accepted inside the window");
    }
    println!("{}", policy_line(config));
    let limit = config.rate_limit.audio_sends_per_second;
    let other = config.rate_limit.other_sends_per_second;
    let per = |n: u32, what: &str| {
        if n == 0 {
            format!("{what} unlimited")
        } else {
            format!("{n} {what} per {}", config.rate_limit.window)
        }
    };
    println!(
        "rate limit {}, {} per Page; app secret {}; faults {}",
        per(limit, "audio/video sends"),
        per(other, "other sends"),
        if config.app_secret.is_some() {
            "set (appsecret_proof required)"
        } else {
            "none"
        },
        config.faults.len()
    );
    println!(
        "send:    POST {url}/{}/me/messages (or /{{page-id}}/messages); GET {url}/{}/me, /{{psid}}?fields=first_name",
        config.versions.default, config.versions.default
    );
    print_other_platforms(config, &url);
    println!("inspect: GET {url}/__emulator/messages   reset: POST {url}/__emulator/reset");
    println!("Press Ctrl-C to stop.");
}

/// Instagram, WhatsApp and Telegram on the same port: their senders, tokens and recipients.
fn print_other_platforms(config: &EmulatorConfig, url: &str) {
    let v = &config.versions.default;
    for a in &config.instagram.accounts {
        println!("instagram account {}  @{}", a.id, a.username);
        for t in &a.tokens {
            println!("  token          {}  (Instagram Login)", t.expose());
        }
        for t in &a.expired_tokens {
            println!("  expired token  {}", t.expose());
        }
        if let Some(page) = &a.page_id {
            println!("  linked page    {page}  (Facebook Login: its Page token)");
        }
        for person in &a.people {
            println!("  igsid  {}  {}", person.id, describe(person, config));
        }
    }
    if !config.instagram.accounts.is_empty() {
        println!("  send: POST {url}/{v}/{{ig-user-id}}/messages (or /me/messages)");
    }
    for n in &config.whatsapp.numbers {
        println!(
            "whatsapp phone_number_id {}  {}",
            n.phone_number_id, n.display_phone_number
        );
        for t in &n.tokens {
            println!("  token          {}", t.expose());
        }
        for t in &n.expired_tokens {
            println!("  expired token  {}", t.expose());
        }
        for person in &n.contacts {
            println!("  wa_id  {}  {}", person.id, describe(person, config));
        }
    }
    if !config.whatsapp.numbers.is_empty() {
        println!(
            "  send: POST {url}/{v}/{{phone-number-id}}/media, then /messages; voice notes: Ogg/Opus mono, at most {} bytes",
            config.whatsapp.max_media_bytes
        );
    }
    for b in &config.telegram.bots {
        println!("telegram bot {}  @{}", b.id(), b.username);
        for t in &b.tokens {
            println!("  token          {}", t.expose());
        }
        for t in &b.revoked_tokens {
            println!("  revoked token  {}", t.expose());
        }
        for chat in &b.chats {
            let status = serde_json::to_value(chat.status)
                .ok()
                .and_then(|s| s.as_str().map(str::to_owned))
                .unwrap_or_default();
            println!("  chat   {}  {} {status}", chat.id, chat.kind);
        }
    }
    if !config.telegram.bots.is_empty() {
        println!(
            "  send: POST {url}/bot{{token}}/sendVoice (multipart voice, at most {} bytes); {} messages/s per bot, {} per chat",
            config.telegram.max_upload_bytes,
            config.telegram.messages_per_second,
            config.telegram.chat_messages_per_second
        );
    }
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Runs the command.
pub fn run(args: Args) -> svara::Result<ExitCode> {
    let config = build_config(&args).map_err(svara::Error::invalid_request)?;
    if args.print_config {
        let text = toml::to_string_pretty(&config).map_err(|e| {
            svara::Error::invalid_request(format!("cannot print the configuration: {e}"))
        })?;
        print!("{text}");
        return Ok(ExitCode::SUCCESS);
    }
    // One line per request on stderr (path, recipient, outcome; never the token).
    // RUST_LOG overrides the level, e.g. RUST_LOG=svara_emulator=warn to silence it.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("svara_emulator=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            svara::Error::invalid_request(format!("cannot start the async runtime: {e}"))
        })?;
    runtime.block_on(async {
        let emulator = Emulator::start(config)
            .await
            .map_err(|e| svara::Error::new(svara::ErrorCode::NetworkError, e.to_string()))?;
        print_banner(&emulator);
        wait_for_signal().await;
        let received = emulator.snapshot();
        eprintln!(
            "stopping: {} sends delivered, {} send attempts, {} refused",
            received.delivered, received.attempts, received.rejected
        );
        emulator.shutdown().await;
        Ok(ExitCode::SUCCESS)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    fn config(argv: &[&str]) -> EmulatorConfig {
        let cli = Cli::try_parse_from(std::iter::once("emulator").chain(argv.iter().copied()))
            .expect("arguments parse");
        build_config(&cli.args).expect("valid config")
    }

    #[test]
    fn policy_flags_and_the_banner_line() {
        let default = config(&[]);
        assert!(!default.audio.strict_voice_notes);
        let line = policy_line(&default);
        assert!(
            line.contains("any decodable audio") && line.contains("as Meta does"),
            "{line}"
        );
        assert!(line.contains("messaging_type optional"), "{line}");
        let strict = config(&[
            "--strict-voice-notes",
            "--require-messaging-type",
            "--public-urls-only",
        ]);
        assert!(strict.audio.strict_voice_notes && strict.require_messaging_type);
        assert!(strict.fetch.public_urls_only);
        let line = policy_line(&strict);
        assert!(
            line.contains("strict_voice_notes") && line.contains("not Meta's"),
            "{line}"
        );
        assert!(line.contains("messaging_type required") && line.contains("public URLs only"));
        // The old flag still parses and means the default.
        assert!(!config(&["--accept-any-audio"]).audio.strict_voice_notes);
        // --rate-limit 0 turns off both budgets.
        let off = config(&["--rate-limit", "0"]);
        assert_eq!(off.rate_limit.audio_sends_per_second, 0);
        assert_eq!(off.rate_limit.other_sends_per_second, 0);
    }
}
