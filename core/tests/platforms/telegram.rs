//! Telegram's `sendVoice` against the emulator.

use super::support::*;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use svara::{AudioSource, Client, ErrorCode, Platform, SendOptions, SendRequest};
use svara_emulator::telegram::*;
use svara_emulator::{AudioOrigin, EmulatorConfig};

fn client(base: &str, token: &str) -> Client {
    Client::builder(token)
        .platform(Platform::Telegram)
        .telegram_url(base)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

#[tokio::test]
async fn recordings_arrive_as_mono_ogg_opus_and_ogg_passes_through() {
    let emu = emulator(EmulatorConfig::default()).await;
    let c = client(&emu.base_url(), DEFAULT_BOT_TOKEN);
    let chats = [DEFAULT_CHAT_ID, CHAT_SECOND, CHAT_SUPERGROUP];
    for (name, chat) in [WEBM, MP3, WAV].into_iter().zip(chats) {
        let input = fixture(name);
        let options = SendOptions {
            caption: Some(format!("from {name}")),
            ..SendOptions::default()
        };
        let sent = c
            .send(chat, AudioSource::Bytes(input.clone()), &options)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(sent.platform, "telegram");
        assert_eq!(sent.recipient_id.as_deref(), Some(chat));
        let file_id = sent.attachment_id.clone().expect("the file_id is returned");
        let snap = emu.snapshot();
        let d = &snap.messages_for(chat)[0];
        assert_eq!(d.platform, "telegram");
        assert_eq!(d.message_id, sent.message_id);
        assert_eq!(d.attachment_id.as_deref(), Some(file_id.as_str()));
        assert_eq!(d.caption.as_deref(), Some(format!("from {name}").as_str()));
        assert!(d.voice_note, "{name}: recorded as a voice note");
        assert_eq!(d.content_type.as_deref(), Some("audio/ogg"));
        assert_ogg_opus_like(name, &input, &received(&emu, d));
    }
    // Mono Ogg/Opus is sent byte for byte.
    let ogg = fixture("speech.opus.ogg");
    let sent = c
        .send(
            DEFAULT_CHAT_ID,
            AudioSource::Bytes(ogg.clone()),
            &SendOptions::default(),
        )
        .await
        .unwrap();
    assert!(!sent.converted);
    let snap = emu.snapshot();
    let d = snap.messages_for(DEFAULT_CHAT_ID).last().unwrap();
    assert_eq!(received(&emu, d), ogg, "byte for byte");
}

#[tokio::test]
async fn errors_map_onto_the_documented_codes() {
    let emu = emulator(EmulatorConfig::default()).await;
    let c = client(&emu.base_url(), DEFAULT_BOT_TOKEN);
    let note = || AudioSource::Bytes(fixture("speech.opus.ogg"));
    let o = SendOptions::default();
    let cases = [
        (
            CHAT_UNKNOWN,
            ErrorCode::RecipientNotFound,
            400,
            "Bad Request: chat not found",
        ),
        (
            CHAT_BLOCKED,
            ErrorCode::MessageNotAllowed,
            403,
            "Forbidden: bot was blocked by the user",
        ),
        (
            CHAT_NOT_STARTED,
            ErrorCode::MessageNotAllowed,
            403,
            "Forbidden: bot can't initiate conversation with a user",
        ),
        (
            CHAT_VOICE_FORBIDDEN,
            ErrorCode::MessageNotAllowed,
            400,
            "Bad Request: VOICE_MESSAGES_FORBIDDEN",
        ),
        (
            CHAT_DEACTIVATED,
            ErrorCode::RecipientNotFound,
            403,
            "Forbidden: user is deactivated",
        ),
        (
            CHAT_MIGRATED_GROUP,
            ErrorCode::RecipientNotFound,
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
        ),
    ];
    for (chat, code, raw, description) in cases {
        let e = c.send(chat, note(), &o).await.unwrap_err();
        assert_error(&e, code, Platform::Telegram, raw);
        assert_eq!(e.platform_message(), Some(description), "{chat}");
        assert_eq!(e.http_status(), Some(raw as u16));
    }
    let e = c.send(CHAT_MIGRATED_GROUP, note(), &o).await.unwrap_err();
    assert!(
        e.message().contains(CHAT_SUPERGROUP),
        "names the new chat: {e}"
    );
    let e = client(&emu.base_url(), REVOKED_BOT_TOKEN)
        .send(DEFAULT_CHAT_ID, note(), &o)
        .await
        .unwrap_err();
    assert_error(&e, ErrorCode::InvalidToken, Platform::Telegram, 401);
    // A file_id the bot never got.
    let e = c
        .send(
            DEFAULT_CHAT_ID,
            AudioSource::AttachmentId("AwACnope".into()),
            &o,
        )
        .await
        .unwrap_err();
    assert_error(&e, ErrorCode::InvalidRequest, Platform::Telegram, 400);
    // Nothing was delivered by any of them.
    assert_eq!(emu.snapshot().delivered, 0);

    // 413 from the server, 429 from flood control (with retry_after).
    let mut small = EmulatorConfig::default();
    small.telegram.max_upload_bytes = 1_000;
    small.telegram.messages_per_second = 1;
    let emu = emulator(small).await;
    let c = Client::builder(DEFAULT_BOT_TOKEN)
        .platform(Platform::Telegram)
        .telegram_url(emu.base_url())
        .max_retries(0)
        .build()
        .unwrap();
    let e = c.send(DEFAULT_CHAT_ID, note(), &o).await.unwrap_err();
    assert_error(&e, ErrorCode::AudioTooLarge, Platform::Telegram, 413);
    let tiny = svara::PreparedAudio {
        data: vec![0u8; 500],
        ..svara::prepare(
            &fixture("speech.opus.ogg"),
            &svara::PrepareOptions::for_format(svara::TargetFormat::OggOpus),
        )
        .unwrap()
    };
    c.send_prepared(DEFAULT_CHAT_ID, &tiny, &o)
        .await
        .expect("a small file is taken");
    let e = c.send_prepared(CHAT_SECOND, &tiny, &o).await.unwrap_err();
    assert_error(&e, ErrorCode::RateLimited, Platform::Telegram, 429);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(1)));
    assert!(!e.may_have_been_delivered());
}

#[tokio::test]
async fn send_many_uploads_once_and_reuses_the_file_id() {
    let emu = emulator(EmulatorConfig::default()).await;
    let c = client(&emu.base_url(), DEFAULT_BOT_TOKEN);
    let recipients: Vec<String> = [
        CHAT_BLOCKED,
        DEFAULT_CHAT_ID,
        CHAT_SECOND,
        CHAT_SUPERGROUP,
        DEFAULT_CHAT_ID,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let outcomes = c
        .send_many(
            &recipients,
            AudioSource::Bytes(fixture(WEBM)),
            &SendOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(outcomes.len(), 5);
    assert_eq!(
        outcomes[0].result.as_ref().unwrap_err().code(),
        ErrorCode::MessageNotAllowed
    );
    let ids: Vec<String> = outcomes[1..]
        .iter()
        .map(|o| o.result.as_ref().unwrap().attachment_id.clone().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] == w[1]), "one file_id: {ids:?}");
    let deliveries = emu.deliveries();
    assert_eq!(deliveries.len(), 3, "the duplicate listing got one note");
    let uploads = deliveries
        .iter()
        .filter(|d| d.origin == Some(AudioOrigin::Upload))
        .count();
    assert_eq!(uploads, 1, "the bytes went up once");
    assert!(deliveries.iter().all(|d| d.sha256 == deliveries[0].sha256));
    assert!(deliveries.iter().all(|d| d.voice_note));
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_bot_token_in_the_url_path_never_leaks() {
    const SECRET: &str = "AAESvaraEmulatorBotToken0DefaultBot";
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let check = |what: &str, text: &str| {
        assert!(
            !text.contains(SECRET),
            "the bot token leaked through {what}: {text}"
        );
    };

    let emu = emulator(EmulatorConfig::default()).await;
    let c = client(&emu.base_url(), DEFAULT_BOT_TOKEN);
    check("Client Debug", &format!("{c:?}"));
    c.send(
        DEFAULT_CHAT_ID,
        AudioSource::Bytes(fixture("speech.opus.ogg")),
        &SendOptions::default(),
    )
    .await
    .unwrap();
    let e = c
        .send(
            CHAT_BLOCKED,
            AudioSource::Bytes(fixture("speech.opus.ogg")),
            &SendOptions::default(),
        )
        .await
        .unwrap_err();
    assert_no_secret(SECRET, &e);

    // A dead port: the transport error (whose text reqwest builds from the URL) is scrubbed and
    // names the endpoint with the token redacted.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let d = Client::builder(DEFAULT_BOT_TOKEN)
        .platform(Platform::Telegram)
        .telegram_url(dead)
        .max_retries(1)
        .build()
        .unwrap();
    let e = d
        .send(
            DEFAULT_CHAT_ID,
            AudioSource::Bytes(fixture("speech.opus.ogg")),
            &SendOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NetworkError);
    assert!(e.message().contains("/bot7000000001:***/sendVoice"), "{e}");
    assert_no_secret(SECRET, &e);

    // A malformed token is refused before anything is sent, without echoing it.
    let bad = SendRequest::from_json(
        &serde_json::json!({
            "platform": "telegram",
            "recipient": DEFAULT_CHAT_ID,
            "audio_path": "x.ogg",
            "session": {"bot_token": "7000000001/AAESvaraEmulatorBotToken0DefaultBot"},
            "telegram_url": emu.base_url(),
        })
        .to_string(),
    )
    .unwrap();
    let e = svara::send(bad).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidToken);
    assert_no_secret(SECRET, &e);
    assert_eq!(
        emu.snapshot().attempts,
        2,
        "only the two real sends reached the emulator"
    );

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("platform call"),
        "tracing output was captured"
    );
    check("tracing output", &text);
}
