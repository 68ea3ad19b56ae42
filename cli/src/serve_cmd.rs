//! `svara serve`: the Svara API server (the documented `POST /v1/send`, queued in SQLite, or in
//! PostgreSQL for several processes). Prints its base URL on the first line (for scripts), then
//! the API key situation, and serves until SIGINT or SIGTERM, then shuts down gracefully and
//! exits 0. Logs go to stderr, as text or (`--log-format json`) one JSON object per line.

use std::process::ExitCode;
use std::time::Duration;
use svara_server::{KeySetup, MetaWebhookSettings, Secret, ServerConfig, UrlPolicy};

/// Arguments of `svara serve`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  svara serve                                    # http://127.0.0.1:8080, ./svara-data/svara.db, a test key
  svara serve --port 0 --database sqlite:///var/lib/svara/svara.db
  SVARA_API_KEYS=sk_live_... svara serve         # live keys deliver to Meta (SVARA_GRAPH_URL overrides)
  SVARA_SECRET_KEY=... svara serve --database postgres://svara:PASSWORD@db:5432/svara --log-format json
                                                 # as many processes as you like on one PostgreSQL

  curl -X POST http://127.0.0.1:8080/v1/send -H \"Authorization: Bearer $SVARA_API_KEY\" \\
    -H \"Content-Type: application/json\" \\
    -d '{\"platform\":\"messenger\",\"recipient\":\"PSID\",\"audio_url\":\"https://...\",\"session\":{\"page_access_token\":\"EAA...\"}}'

Environment: SVARA_API_KEYS (comma-separated), SVARA_SECRET_KEY (seals queued Page tokens and
webhook secrets; else a 0600 key file in the data folder; every process on one database needs the
same), SVARA_GRAPH_URL (Graph URL of live keys), SVARA_ALLOW_PRIVATE_URLS=1, SVARA_DATABASE_URL,
SVARA_DATA_DIR, SVARA_MESSENGER_APP_SECRET and SVARA_MESSENGER_VERIFY_TOKEN (Messenger's receipts
at /webhooks/messenger), SVARA_WHATSAPP_APP_SECRET and SVARA_WHATSAPP_VERIFY_TOKEN (WhatsApp's
statuses at /webhooks/whatsapp; default: the Messenger ones), SVARA_METRICS_TOKEN (a Bearer token
for GET /metrics), RUST_LOG.")]
pub struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port (0 picks a free one; the first output line says which).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Database URL: sqlite://PATH (created with its folder on first start; one process per
    /// file) or postgres://USER:PASSWORD@HOST:5432/DB (any number of processes).
    #[arg(long, env = "SVARA_DATABASE_URL", default_value = svara_server::DEFAULT_DATABASE_URL)]
    database: String,
    /// Local folder of a PostgreSQL-backed server (the key file when SVARA_SECRET_KEY is not
    /// set, uploads in progress); with SQLite it is the database file's folder.
    #[arg(long, env = "SVARA_DATA_DIR", value_name = "DIR")]
    data_dir: Option<std::path::PathBuf>,
    /// An API key (sk_test_… or sk_live_…); repeatable, added to SVARA_API_KEYS. Without any,
    /// the server creates one test key and prints it once.
    #[arg(long = "api-key", value_name = "KEY")]
    api_keys: Vec<String>,
    /// Let audio_url reach loopback and private addresses (local setups and tests only; also
    /// SVARA_ALLOW_PRIVATE_URLS=1).
    #[arg(long)]
    allow_private_urls: bool,
    /// Requests per second per API key before 429 (0: no limit).
    #[arg(long, value_name = "N", default_value_t = 0)]
    rate_limit: u32,
    /// Log lines as `text` or `json` (one object per line, with the voice note's id on every
    /// line about a note; never a secret).
    #[arg(long, value_name = "FORMAT", default_value = "text", value_parser = ["text", "json"])]
    log_format: String,
    /// Seconds a worker's lease on a note lasts (renewed every third of it); a crashed
    /// process's notes are taken over by the others this long after its last renewal.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    lease: u64,
    /// Voice notes sent per second per Page, over every process on the database (Meta allows
    /// 10; the default keeps a margin for network jitter).
    #[arg(long, value_name = "N", default_value_t = svara_server::DEFAULT_SENDS_PER_SECOND)]
    sends_per_second: f64,
    /// Accept requests but send nothing (the queue is drained by the other processes).
    #[arg(long)]
    no_worker: bool,
}

fn truthy(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "1" | "true" | "yes" | "on"
        )
    })
}

fn secret_env(name: &str) -> Option<Secret> {
    std::env::var(name)
        .ok()
        .filter(|s| !s.trim().is_empty())
        .map(|s| Secret::new(s.trim()))
}

fn config(args: &Args) -> ServerConfig {
    let mut keys: Vec<Secret> = std::env::var("SVARA_API_KEYS")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(Secret::new)
        .collect();
    keys.extend(args.api_keys.iter().map(Secret::new));
    let allow_private = args.allow_private_urls || truthy("SVARA_ALLOW_PRIVATE_URLS");
    let mut c = ServerConfig {
        database_url: args.database.clone(),
        data_dir: args.data_dir.clone(),
        api_keys: keys,
        secret_key: secret_env("SVARA_SECRET_KEY"),
        url_policy: UrlPolicy {
            allow_private,
            ..UrlPolicy::default()
        },
        messenger: MetaWebhookSettings {
            app_secret: secret_env("SVARA_MESSENGER_APP_SECRET"),
            verify_token: secret_env("SVARA_MESSENGER_VERIFY_TOKEN"),
        },
        // One Meta app often serves both products: WhatsApp's variables default to Messenger's.
        whatsapp: MetaWebhookSettings {
            app_secret: secret_env("SVARA_WHATSAPP_APP_SECRET")
                .or_else(|| secret_env("SVARA_MESSENGER_APP_SECRET")),
            verify_token: secret_env("SVARA_WHATSAPP_VERIFY_TOKEN")
                .or_else(|| secret_env("SVARA_MESSENGER_VERIFY_TOKEN")),
        },
        metrics_token: secret_env("SVARA_METRICS_TOKEN"),
        ..ServerConfig::default()
    };
    c.webhooks.allow_private = allow_private;
    c.worker.lease = Duration::from_secs(args.lease.max(1));
    c.worker.sends_per_second = args.sends_per_second;
    c.worker.enabled = !args.no_worker;
    if let Ok(url) = std::env::var(svara::GRAPH_URL_ENV) {
        if !url.trim().is_empty() {
            c.live_graph_url = url.trim().to_owned();
        }
    }
    c.limits.requests_per_second_per_key = args.rate_limit;
    c
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

/// A line on stderr about the server itself: plain text, or a JSON log line with
/// `--log-format json` (so that every line of that log parses).
fn say(json: bool, msg: &str) {
    if json {
        tracing::info!(target: "svara_server::serve", "{msg}");
    } else {
        eprintln!("{msg}");
    }
}

fn fail(msg: impl std::fmt::Display) -> svara::Error {
    svara::Error::invalid_request(msg.to_string())
}

/// Runs the command.
pub fn run(args: Args) -> svara::Result<ExitCode> {
    // One line per queued, sent and failed note on stderr, never a secret; RUST_LOG overrides.
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
            tracing_subscriber::EnvFilter::new(
                "warn,symphonia=error,svara_server=info,svara_server::http=warn",
            )
        })
    };
    let json = args.log_format == "json";
    if json {
        // One object per line: the event's fields flattened, and the note's span (its `id`)
        // on every line logged while that note is processed.
        let _ = tracing_subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .with_env_filter(filter())
            .with_writer(std::io::stderr)
            .try_init();
    } else {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter())
            .with_writer(std::io::stderr)
            .with_target(false)
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .try_init();
    }
    let config = config(&args);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| fail(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port))
            .await
            .map_err(|e| {
                fail(format!(
                    "cannot listen on {}:{}: {e} (pick another --port, or 0 for a free one)",
                    args.host, args.port
                ))
            })?;
        let server = svara_server::start(config, listener).await.map_err(fail)?;
        println!("{}", server.base_url());
        match server.key_setup() {
            KeySetup::Generated(key) => {
                println!("test key (shown once, keep it): {}", key.expose());
                println!("  export SVARA_API_KEY={}", key.expose());
            }
            KeySetup::Existing(display) => println!(
                "test key {display} (created at an earlier start; its full value was printed then)"
            ),
            KeySetup::Configured(n) => println!("{n} API key(s) configured"),
        }
        println!(
            "test mode: sk_test_ keys deliver to the built-in emulator at {} (GET {}/__emulator/messages)",
            server.test_graph_url(),
            server.test_graph_url()
        );
        println!(
            "live mode: sk_live_ keys deliver to {}",
            server.live_graph_url()
        );
        println!("database: {}", server.database());
        println!("API: POST {0}/v1/send, GET {0}/v1/status/ID, GET {0}/openapi.json", server.base_url());
        println!("Press Ctrl-C to stop.");
        use std::io::Write;
        let _ = std::io::stdout().flush();
        wait_for_signal().await;
        say(json, "stopping: finishing requests and sends in flight");
        server.shutdown().await;
        say(json, "stopped");
        Ok(ExitCode::SUCCESS)
    })
}
