//! Scenarios from JSON and TOML: defaults fill what a file leaves out, unknown keys are
//! refused, and what the file says is what the server does.

mod common;

use common::*;
use std::time::Duration;
use svara_emulator::*;

const TOML: &str = r#"
port = 0
accept_any_psid = false
app_secret = "toml-secret"
fault_seed = 3

[[pages]]
id = "111"
name = "Toml Page"
tokens = ["tok-live"]
expired_tokens = ["tok-old"]

[[pages]]
id = "222"
name = "Dev Page"
tokens = ["tok-dev"]
app_live = false

[[psids]]
id = "1001"
last_message_ago = "2h"

[[psids]]
id = "1002"
last_message_ago = "30h"

[[psids]]
id = "1003"
status = "blocked"

[[psids]]
id = "1004"
app_role = true
page_id = "222"

[rate_limit]
audio_sends_per_second = 3
window = "1500ms"

[[faults]]
kind = "temporary_failure"
psids = ["1001"]
times = 1

[[faults]]
kind = "slow"
share = 0.0
delay = "2s"

[fetch]
timeout = "4s"
max_bytes = 1000000

[audio]
require_m4a_aac = false

[window]
tags = { HUMAN_AGENT = "7d" }
"#;

#[test]
fn toml_and_json_scenarios_parse_to_the_same_config() {
    let t = EmulatorConfig::from_toml_str(TOML).unwrap();
    assert_eq!(t.pages.len(), 2);
    assert_eq!(t.pages[0].tokens[0].expose(), "tok-live");
    assert!(!t.pages[1].app_live);
    assert_eq!(t.psids[1].last_message_ago, HumanDuration::hours(30));
    assert_eq!(t.psids[2].status, PsidStatus::Blocked);
    assert_eq!(t.rate_limit.audio_sends_per_second, 3);
    assert_eq!(t.rate_limit.window.0, Duration::from_millis(1500));
    assert_eq!(t.faults[0].kind, FaultKind::Error1200);
    assert_eq!(t.faults[0].times, Some(1));
    assert_eq!(t.faults[1].delay, HumanDuration::secs(2));
    assert_eq!(t.fetch.timeout, HumanDuration::secs(4));
    assert!(!t.audio.strict_voice_notes);
    assert_eq!(t.window.tags.len(), 1);
    // Untouched sections keep their defaults.
    assert_eq!(t.window.standard, HumanDuration::hours(24));
    assert_eq!(t.audio.max_bytes, 26_214_400);
    assert!(
        !format!("{t:?}").contains("toml-secret"),
        "Debug hides secrets"
    );
    assert!(!format!("{t:?}").contains("tok-live"), "Debug hides tokens");

    let json = serde_json::to_string(&t).unwrap();
    let j = EmulatorConfig::from_json_str(&json).unwrap();
    assert_eq!(j, t);
    let back = EmulatorConfig::from_toml_str(&toml::to_string(&t).unwrap()).unwrap();
    assert_eq!(back, t);
}

#[test]
fn empty_file_is_the_default_and_mistakes_are_refused() {
    assert_eq!(
        EmulatorConfig::from_toml_str("").unwrap(),
        EmulatorConfig::default()
    );
    assert_eq!(
        EmulatorConfig::from_json_str("{}").unwrap(),
        EmulatorConfig::default()
    );
    let typo = EmulatorConfig::from_toml_str("rate_limt = 3").unwrap_err();
    assert!(typo.to_string().contains("rate_limt"), "{typo}");
    let e = EmulatorConfig::from_json_str(r#"{"psids":[{"id":"1","last_message_ago":"3 weeks"}]}"#)
        .unwrap_err();
    assert!(e.to_string().contains("3 weeks"), "{e}");
    let e =
        EmulatorConfig::from_json_str(r#"{"faults":[{"kind":"http_500","share":2}]}"#).unwrap_err();
    assert!(e.to_string().contains("share"), "{e}");
    let e = EmulatorConfig::from_json_str(r#"{"psids":[{"id":"1","page_id":"404"}]}"#).unwrap_err();
    assert!(e.to_string().contains("404"), "{e}");
    let e = EmulatorConfig::from_json_str(r#"{"faults":[{"kind":"explode"}]}"#).unwrap_err();
    assert!(e.to_string().contains("explode"), "{e}");
}

#[tokio::test]
async fn file_scenario_drives_the_server() {
    let dir = std::env::temp_dir().join(format!("svara-emulator-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("scenario.toml");
    std::fs::write(&path, TOML).unwrap();
    let mut config = EmulatorConfig::from_file(&path).unwrap();
    config.require_appsecret_proof = false;
    let json_path = dir.join("scenario.json");
    std::fs::write(&json_path, serde_json::to_string(&config).unwrap()).unwrap();
    assert_eq!(EmulatorConfig::from_file(&json_path).unwrap(), config);
    let emu = start(config).await;

    // The 1200 fault for 1001 fires once (faults come before token checks, like an outage).
    assert_graph_error(
        send_with_token(&emu, Send::to("1001"), "tok-live").await,
        400,
        1200,
        None,
    )
    .await;
    assert_graph_error(
        send_with_token(&emu, Send::to("1001"), "tok-old").await,
        400,
        190,
        Some(463),
    )
    .await;
    assert_sent(
        send_with_token(&emu, Send::to("1001"), "tok-live").await,
        "1001",
    )
    .await;
    assert_graph_error(
        send_with_token(&emu, Send::to("1002"), "tok-live").await,
        400,
        10,
        Some(2_018_278),
    )
    .await;
    assert_graph_error(
        send_with_token(&emu, Send::to(DEFAULT_PSID), "tok-live").await,
        400,
        100,
        Some(2_018_001),
    )
    .await;
    // Rate limit of 3 per window reached (3 admitted calls so far on page 111; the 1200 and
    // the expired token were refused before the limiter).
    assert_graph_error(
        send_with_token(&emu, Send::to("1003"), "tok-live").await,
        400,
        613,
        None,
    )
    .await;
    assert_graph_error(
        send_with_token(&emu, Send::to("1003"), "tok-dev").await,
        400,
        551,
        Some(1_545_041),
    )
    .await;
    assert_sent(
        send_with_token(&emu, Send::to("1004"), "tok-dev").await,
        "1004",
    )
    .await;
    // Any decodable audio is accepted with require_m4a_aac = false.
    let mut s = Send::to("1004");
    s.files[0].bytes = fixture("speech-stereo.mp3");
    s.files[0].content_type = "audio/mpeg";
    assert_sent(send_with_token(&emu, s, "tok-dev").await, "1004").await;
    let codecs: Vec<String> = emu
        .snapshot()
        .messages_for("1004")
        .iter()
        .map(|d| d.audio.as_ref().unwrap().codec.clone())
        .collect();
    assert_eq!(codecs[1], "mp3");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_scenarios_psids_replace_the_defaults_unless_extend_defaults() {
    let replaced = EmulatorConfig::from_toml_str("[[psids]]\nid = \"42\"\n").unwrap();
    let ids: Vec<&str> = replaced.psids.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["42"]);
    assert_eq!(
        replaced.pages,
        EmulatorConfig::default().pages,
        "pages were not listed"
    );
    let merged = EmulatorConfig::from_toml_str(
        "extend_defaults = true\n[[psids]]\nid = \"42\"\n[[psids]]\nid = \"6128493027184956\"\nstatus = \"blocked\"\n[[pages]]\nid = \"777\"\ntokens = [\"tok-777\"]\n",
    )
    .unwrap();
    assert_eq!(
        merged.psids.len(),
        EmulatorConfig::default().psids.len() + 1
    );
    let default_psid = merged.psids.iter().find(|p| p.id == DEFAULT_PSID).unwrap();
    assert_eq!(
        default_psid.status,
        PsidStatus::Blocked,
        "a listed id replaces the built-in one"
    );
    assert!(merged.psids.iter().any(|p| p.id == PSID_BLOCKED));
    assert_eq!(
        merged.pages.len(),
        EmulatorConfig::default().pages.len() + 1
    );
    // Printing and reading back does not duplicate anything.
    let again = EmulatorConfig::from_toml_str(&toml::to_string(&merged).unwrap()).unwrap();
    assert_eq!(again, merged);
}

#[test]
fn new_sections_parse_and_bad_values_are_refused() {
    let c = EmulatorConfig::from_toml_str(
        "require_messaging_type = true\n[audio]\nstrict_voice_notes = true\n[fetch]\npublic_urls_only = true\n[attachments]\nexpire_after = \"2s\"\n[versions]\ndefault = \"v24.0\"\nextra = [\"v26.0\"]\n[limits]\nmax_connections = 8\nidle_timeout = \"5s\"\n[rate_limit]\nother_sends_per_second = 5\n",
    )
    .unwrap();
    assert!(c.require_messaging_type && c.audio.strict_voice_notes && c.fetch.public_urls_only);
    assert_eq!(c.attachments.expire_after, Some(HumanDuration::secs(2)));
    assert_eq!(c.limits.max_connections, 8);
    assert_eq!(c.rate_limit.other_sends_per_second, 5);
    let e = EmulatorConfig::from_toml_str("[versions]\ndefault = \"v99.0\"").unwrap_err();
    assert!(e.to_string().contains("v99.0"), "{e}");
    let e = EmulatorConfig::from_toml_str("[limits]\nmax_connections = 0").unwrap_err();
    assert!(e.to_string().contains("max_connections"), "{e}");
}
