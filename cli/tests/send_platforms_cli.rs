//! `svara send --platform instagram|whatsapp|telegram` end to end: the binary against
//! `svara emulator` over HTTP on 127.0.0.1. The banner lists every platform's defaults; the
//! flags and the platform's token variable reach the right API; what arrives is the platform's
//! native format; errors print their code with the CLI's exit code and never the token.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

const BOT_TOKEN: &str = "7000000001:AAESvaraEmulatorBotToken0DefaultBot";
const CHAT: &str = "700000101";
const CHAT_BLOCKED: &str = "700000103";
const WA_TOKEN: &str = "EAASvaraEmulatorWhatsAppToken0Default";
const WA_EXPIRED: &str = "EAASvaraEmulatorWhatsAppToken0Expired";
const PHONE_NUMBER_ID: &str = "106540352242922";
const WA_ID: &str = "16505550101";
const IG_TOKEN: &str = "IGAASvaraEmulatorInstagramToken0Default";
const IG_USER_ID: &str = "17841400000000000";
const IGSID: &str = "17841400000000101";

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_svara")
}

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// A running `svara emulator`, killed on drop; `banner` is everything up to "Press Ctrl-C".
struct Emulator {
    child: Child,
    url: String,
    banner: String,
}

impl Emulator {
    fn start() -> Emulator {
        let mut child = Command::new(bin())
            .args(["emulator", "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("svara emulator starts");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut url = String::new();
        out.read_line(&mut url).unwrap();
        let mut banner = String::new();
        loop {
            let mut line = String::new();
            if out.read_line(&mut line).unwrap() == 0 || line.starts_with("Press Ctrl-C") {
                break;
            }
            banner.push_str(&line);
        }
        std::thread::spawn(move || for _ in out.lines() {});
        Emulator {
            child,
            url: url.trim().to_owned(),
            banner,
        }
    }

    /// `svara send ARGS` with only `env` set among the token variables.
    fn send(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(bin());
        cmd.arg("send").args(args);
        for var in [
            "META_PAGE_TOKEN",
            "INSTAGRAM_ACCESS_TOKEN",
            "WHATSAPP_ACCESS_TOKEN",
            "TELEGRAM_BOT_TOKEN",
            "SVARA_GRAPH_URL",
            "SVARA_TELEGRAM_URL",
        ] {
            cmd.env_remove(var);
        }
        cmd.envs(env.iter().copied());
        cmd.output().expect("svara send runs")
    }

    /// The notes the emulator accepted for `recipient`.
    fn messages(&self, recipient: &str) -> Vec<serde_json::Value> {
        let url = format!("{}/__emulator/messages", self.url);
        let rt = tokio::runtime::Runtime::new().unwrap();
        let v: serde_json::Value =
            rt.block_on(async { reqwest::get(url).await.unwrap().json().await.unwrap() });
        v["recipients"][recipient]["messages"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn json(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)))
}

#[test]
fn the_banner_lists_every_platforms_defaults() {
    let emu = Emulator::start();
    for needle in [
        &format!("instagram account {IG_USER_ID}"),
        IG_TOKEN,
        &format!("igsid  {IGSID}"),
        &format!("whatsapp phone_number_id {PHONE_NUMBER_ID}"),
        WA_TOKEN,
        &format!("wa_id  {WA_ID}"),
        "telegram bot 7000000001",
        BOT_TOKEN,
        &format!("chat   {CHAT_BLOCKED}  private blocked"),
    ] {
        assert!(emu.banner.contains(needle), "{needle:?} in {}", emu.banner);
    }
}

#[test]
fn telegram_by_flags_and_by_variable() {
    let emu = Emulator::start();
    let mp3 = fixture("speech-stereo.mp3");
    let out = emu.send(
        &[
            "--platform",
            "telegram",
            "--recipient",
            CHAT,
            "--token",
            BOT_TOKEN,
            "--telegram-url",
            &emu.url,
            "--audio",
            &mp3,
            "--caption",
            "from the CLI",
            "--json",
        ],
        &[],
    );
    let v = json(&out);
    assert_eq!(v["output"]["codec"], "opus", "{v}");
    assert_eq!(v["output"]["channels"], 1, "{v}");
    let got = emu.messages(CHAT);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["platform"], "telegram");
    assert_eq!(got[0]["caption"], "from the CLI");
    assert_eq!(got[0]["voice_note"], true);
    assert_eq!(got[0]["message_id"].to_string().trim_matches('"'), v["id"]);

    // TELEGRAM_BOT_TOKEN and SVARA_TELEGRAM_URL stand in for the flags.
    let out = emu.send(
        &[
            "--platform",
            "telegram",
            "--recipient",
            CHAT,
            "--audio",
            &mp3,
        ],
        &[
            ("TELEGRAM_BOT_TOKEN", BOT_TOKEN),
            ("SVARA_TELEGRAM_URL", &emu.url),
        ],
    );
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    assert_eq!(emu.messages(CHAT).len(), 2);

    // A blocked chat: message_not_allowed, exit 13, the token (part of the URL) never printed.
    let out = emu.send(
        &[
            "--platform",
            "telegram",
            "--recipient",
            CHAT_BLOCKED,
            "--audio",
            &mp3,
        ],
        &[
            ("TELEGRAM_BOT_TOKEN", BOT_TOKEN),
            ("SVARA_TELEGRAM_URL", &emu.url),
        ],
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(13), "{err}");
    assert!(err.starts_with("error[message_not_allowed]: "), "{err}");
    assert!(err.contains("blocked"), "{err}");
    let secret = BOT_TOKEN.split(':').nth(1).unwrap();
    assert!(
        !err.contains(secret) && !text(&out.stdout).contains(secret),
        "{err}"
    );
}

#[test]
fn whatsapp_sends_ogg_opus_and_maps_an_expired_token() {
    let emu = Emulator::start();
    let webm = fixture("speech.opus.webm");
    let out = emu.send(
        &[
            "--platform",
            "whatsapp",
            "--recipient",
            WA_ID,
            "--phone-number-id",
            PHONE_NUMBER_ID,
            "--graph-url",
            &emu.url,
            "--audio",
            &webm,
            "--json",
        ],
        &[("WHATSAPP_ACCESS_TOKEN", WA_TOKEN)],
    );
    let v = json(&out);
    assert!(v["id"].as_str().unwrap().starts_with("wamid."), "{v}");
    assert_eq!(v["output"]["codec"], "opus", "{v}");
    assert_eq!(v["fits_inline_player"], true, "{v}");
    let got = emu.messages(WA_ID);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["platform"], "whatsapp");
    assert_eq!(got[0]["voice_note"], true);

    let out = emu.send(
        &[
            "--platform",
            "whatsapp",
            "--recipient",
            WA_ID,
            "--phone-number-id",
            PHONE_NUMBER_ID,
            "--graph-url",
            &emu.url,
            "--audio",
            &webm,
            "--token",
            WA_EXPIRED,
        ],
        &[],
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(11), "{err}");
    assert!(err.starts_with("error[invalid_token]: "), "{err}");
    assert!(!err.contains(WA_EXPIRED), "{err}");

    // Without --phone-number-id the core says what is missing.
    let out = emu.send(
        &[
            "--platform",
            "whatsapp",
            "--recipient",
            WA_ID,
            "--audio",
            &webm,
        ],
        &[
            ("WHATSAPP_ACCESS_TOKEN", WA_TOKEN),
            ("SVARA_GRAPH_URL", &emu.url),
        ],
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(10), "{err}");
    assert!(err.contains("phone_number_id"), "{err}");
}

#[test]
fn instagram_sends_m4a_aac_with_instagram_login() {
    let emu = Emulator::start();
    let wav = fixture("speech-s16-16k.wav");
    let out = emu.send(
        &[
            "--platform",
            "instagram",
            "--recipient",
            IGSID,
            "--ig-user-id",
            IG_USER_ID,
            "--graph-url",
            &emu.url,
            "--audio",
            &wav,
            "--json",
        ],
        &[("INSTAGRAM_ACCESS_TOKEN", IG_TOKEN)],
    );
    let v = json(&out);
    assert_eq!(v["output"]["codec"], "aac-lc", "{v}");
    let got = emu.messages(IGSID);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["platform"], "instagram");
    assert_eq!(got[0]["voice_note"], true);
}
