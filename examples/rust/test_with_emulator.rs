//! Testing a bot with the emulator, in Rust: the bot's own code sends through Svara to an
//! in-process emulator, and the test asserts what the "person" received. Run with
//! `cargo test -p svara --test test_with_emulator`.

use svara::{AudioSource, Client, ErrorCode, SendOptions};
use svara_emulator::{
    Emulator, EmulatorConfig, DEFAULT_PAGE_TOKEN, DEFAULT_PSID, PSID_OUTSIDE_WINDOW,
};

/// The bot under test: replies to a person with a recorded voice note.
async fn reply_with_voice_note(client: &Client, psid: &str, note: &str) -> svara::Result<String> {
    let sent = client
        .send(
            psid,
            AudioSource::Path(note.into()),
            &SendOptions::default(),
        )
        .await?;
    Ok(sent.id)
}

fn note() -> String {
    format!(
        "{}/../tests/fixtures/speech.opus.webm",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[tokio::test]
async fn the_bot_delivers_a_converted_voice_note() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = Client::builder(DEFAULT_PAGE_TOKEN)
        .graph_url(emulator.base_url())
        .build()
        .unwrap();

    let id = reply_with_voice_note(&client, DEFAULT_PSID, &note())
        .await
        .unwrap();

    let seen = emulator.snapshot();
    let notes = seen.messages_for(DEFAULT_PSID);
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].message_id, id);
    let audio = notes[0].audio.as_ref().unwrap(); // what the emulator probed in the upload
    assert_eq!(
        (audio.container.as_str(), audio.codec.as_str()),
        ("mp4", "aac-lc")
    );
    assert!(notes[0].voice_note, "AAC in M4A: plays as a voice bubble");
    assert_eq!(seen.attempts_for(DEFAULT_PSID), 1, "no hidden retries");
    emulator.shutdown().await;
}

#[tokio::test]
async fn the_bot_sees_a_closed_window_as_message_not_allowed() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = Client::builder(DEFAULT_PAGE_TOKEN)
        .graph_url(emulator.base_url())
        .build()
        .unwrap();

    let err = reply_with_voice_note(&client, PSID_OUTSIDE_WINDOW, &note())
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::MessageNotAllowed);
    assert_eq!(err.graph_subcode(), Some(2018278));
    assert!(emulator
        .snapshot()
        .messages_for(PSID_OUTSIDE_WINDOW)
        .is_empty());
    emulator.shutdown().await;
}
