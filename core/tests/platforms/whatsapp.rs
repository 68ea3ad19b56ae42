//! The WhatsApp Cloud API (`/media` then `/messages` with `voice: true`) against the emulator.

use super::audio_support::wav_bytes;
use super::support::*;
use std::time::Duration;
use svara::{AudioSource, Client, ErrorCode, Platform, PrepareOptions, SendOptions, TargetFormat};
use svara_emulator::whatsapp::*;
use svara_emulator::EmulatorConfig;

fn client(base: &str, token: &str) -> Client {
    Client::builder(token)
        .platform(Platform::Whatsapp)
        .phone_number_id(DEFAULT_PHONE_NUMBER_ID)
        .graph_url(base)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

#[tokio::test]
async fn recordings_arrive_as_mono_ogg_opus_voice_messages() {
    let emu = emulator(EmulatorConfig::default()).await;
    let c = client(&emu.base_url(), DEFAULT_WHATSAPP_TOKEN);
    for name in [WEBM, MP3, WAV] {
        let input = fixture(name);
        let sent = c
            .send(
                &format!("+{DEFAULT_WA_ID}"),
                AudioSource::Bytes(input.clone()),
                &SendOptions::default(),
            )
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(sent.message_id.starts_with("wamid."), "{}", sent.message_id);
        assert_eq!(sent.recipient_id.as_deref(), Some(DEFAULT_WA_ID));
        assert_eq!(sent.platform, "whatsapp");
        assert_eq!(
            sent.fits_inline_player,
            Some(true),
            "a short note plays inline"
        );
        let media_id = sent.attachment_id.clone().expect("the media id");
        let snap = emu.snapshot();
        let d = snap.messages_for(DEFAULT_WA_ID).last().unwrap();
        assert_eq!(d.platform, "whatsapp");
        assert_eq!(d.message_id, sent.message_id);
        assert_eq!(d.attachment_id.as_deref(), Some(media_id.as_str()));
        assert!(d.voice_note, "{name}: a voice message");
        assert_eq!(d.fits_inline_player, Some(true));
        assert_ogg_opus_like(name, &input, &received(&emu, d));
    }
    let ogg = fixture("speech.opus.ogg");
    let sent = c
        .send(
            WA_ID_SECOND,
            AudioSource::Bytes(ogg.clone()),
            &SendOptions::default(),
        )
        .await
        .unwrap();
    assert!(!sent.converted);
    let snap = emu.snapshot();
    assert_eq!(
        received(&emu, &snap.messages_for(WA_ID_SECOND)[0]),
        ogg,
        "byte for byte"
    );
    // Stereo Opus is re-encoded to mono (WhatsApp takes mono input only).
    let stereo = fixture("speech-stereo.opus.ogg");
    let sent = c
        .send(
            WA_ID_SECOND,
            AudioSource::Bytes(stereo.clone()),
            &SendOptions::default(),
        )
        .await
        .unwrap();
    assert!(sent.converted);
    assert_eq!(sent.output.unwrap().channels, 1);
}

#[tokio::test]
async fn a_long_note_is_flagged_above_the_inline_player_limit() {
    let emu = emulator(EmulatorConfig::default()).await;
    let c = client(&emu.base_url(), DEFAULT_WHATSAPP_TOKEN);
    // 2 minutes of noise at 16 kHz, at 64 kb/s: about 960 KB of Ogg/Opus.
    let mut x: u32 = 1;
    let samples: Vec<u8> = (0..16_000 * 120)
        .flat_map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            ((x >> 16) as i16 / 4).to_le_bytes()
        })
        .collect();
    let options = SendOptions {
        prepare: PrepareOptions {
            bitrate: 64_000,
            ..PrepareOptions::for_format(TargetFormat::OggOpus)
        },
        ..SendOptions::default()
    };
    let sent = c
        .send(
            DEFAULT_WA_ID,
            AudioSource::Bytes(wav_bytes(16_000, 1, 16, &samples, None)),
            &options,
        )
        .await
        .unwrap();
    assert!(sent.output.as_ref().unwrap().size_bytes > 512 * 1024);
    assert_eq!(sent.fits_inline_player, Some(false));
    assert_eq!(emu.deliveries()[0].fits_inline_player, Some(false));
}

#[tokio::test]
async fn the_16_mb_limit_is_checked_before_any_upload() {
    let emu = emulator(EmulatorConfig::default()).await;
    let c = client(&emu.base_url(), DEFAULT_WHATSAPP_TOKEN);
    // 20 MB of silence at 8 kHz is 21 minutes: at 256 kb/s about 40 MB of Opus.
    let wav = wav_bytes(8_000, 1, 16, &vec![0u8; 20 * 1024 * 1024], None);
    let options = SendOptions {
        prepare: PrepareOptions {
            bitrate: 256_000,
            ..PrepareOptions::for_format(TargetFormat::OggOpus)
        },
        ..SendOptions::default()
    };
    let e = c
        .send(DEFAULT_WA_ID, AudioSource::Bytes(wav), &options)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::AudioTooLarge, "{e}");
    assert!(e.message().contains("16 MB"), "{e}");
    // A prepared note over 16 MB is refused by the client too, naming WhatsApp's limit.
    let big = svara::PreparedAudio {
        data: vec![0u8; 16 * 1024 * 1024 + 1],
        ..svara::prepare(
            &fixture("speech.opus.ogg"),
            &PrepareOptions::for_format(TargetFormat::OggOpus),
        )
        .unwrap()
    };
    let e = c
        .send_prepared(DEFAULT_WA_ID, &big, &SendOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::AudioTooLarge);
    assert!(e.message().contains("WhatsApp's 16 MB limit"), "{e}");
    let snap = emu.snapshot();
    assert_eq!(
        (snap.attempts, snap.upload_attempts),
        (0, 0),
        "nothing was uploaded"
    );
}

#[tokio::test]
async fn errors_map_onto_the_documented_codes() {
    let emu = emulator(EmulatorConfig::default()).await;
    let c = client(&emu.base_url(), DEFAULT_WHATSAPP_TOKEN);
    let note = || AudioSource::Bytes(fixture("speech.opus.ogg"));
    let o = SendOptions::default();
    for (to, code, raw) in [
        (WA_ID_UNKNOWN, ErrorCode::RecipientNotFound, 131026),
        (WA_ID_OUTSIDE_WINDOW, ErrorCode::MessageNotAllowed, 131047),
        (WA_ID_BLOCKED, ErrorCode::MessageNotAllowed, 130403),
    ] {
        let e = c.send(to, note(), &o).await.unwrap_err();
        assert_error(&e, code, Platform::Whatsapp, raw);
        assert!(e.fbtrace_id().is_some(), "{e}");
        assert!(
            e.platform_message()
                .unwrap()
                .starts_with(&format!("(#{raw})")),
            "{e}"
        );
    }
    let e = client(&emu.base_url(), EXPIRED_WHATSAPP_TOKEN)
        .send(DEFAULT_WA_ID, note(), &o)
        .await
        .unwrap_err();
    assert_error(&e, ErrorCode::InvalidToken, Platform::Whatsapp, 190);
    // Ogg that is not Opus is refused at upload (131053).
    let vorbis = svara::PreparedAudio {
        data: fixture("speech.vorbis.ogg"),
        ..svara::prepare(
            &fixture("speech.opus.ogg"),
            &PrepareOptions::for_format(TargetFormat::OggOpus),
        )
        .unwrap()
    };
    let e = c
        .send_prepared(DEFAULT_WA_ID, &vorbis, &o)
        .await
        .unwrap_err();
    assert_error(&e, ErrorCode::UnsupportedAudio, Platform::Whatsapp, 131053);
    // An unknown media id.
    let e = c
        .send(
            DEFAULT_WA_ID,
            AudioSource::AttachmentId("1234567890123456".into()),
            &o,
        )
        .await
        .unwrap_err();
    assert_error(&e, ErrorCode::InvalidRequest, Platform::Whatsapp, 100);
    assert_eq!(emu.snapshot().delivered, 0);

    // Throughput (130429) and the pair rate (131056, with its 6 s wait).
    let mut tight = EmulatorConfig::default();
    tight.whatsapp.messages_per_second = 1;
    let emu = emulator(tight).await;
    let c = Client::builder(DEFAULT_WHATSAPP_TOKEN)
        .platform(Platform::Whatsapp)
        .phone_number_id(DEFAULT_PHONE_NUMBER_ID)
        .graph_url(emu.base_url())
        .max_retries(0)
        .build()
        .unwrap();
    let up = c.upload(note(), &o).await.unwrap();
    let id = || AudioSource::AttachmentId(up.attachment_id.clone());
    c.send(DEFAULT_WA_ID, id(), &o).await.unwrap();
    let e = c.send(WA_ID_SECOND, id(), &o).await.unwrap_err();
    assert_error(&e, ErrorCode::RateLimited, Platform::Whatsapp, 130429);
    let mut pair = EmulatorConfig::default();
    pair.whatsapp.pair_burst = 1;
    let emu = emulator(pair).await;
    let c = Client::builder(DEFAULT_WHATSAPP_TOKEN)
        .platform(Platform::Whatsapp)
        .phone_number_id(DEFAULT_PHONE_NUMBER_ID)
        .graph_url(emu.base_url())
        .max_retries(0)
        .build()
        .unwrap();
    let up = c.upload(note(), &o).await.unwrap();
    let id = || AudioSource::AttachmentId(up.attachment_id.clone());
    c.send(DEFAULT_WA_ID, id(), &o).await.unwrap();
    let e = c.send(DEFAULT_WA_ID, id(), &o).await.unwrap_err();
    assert_error(&e, ErrorCode::RateLimited, Platform::Whatsapp, 131056);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(6)));
    c.send(WA_ID_SECOND, id(), &o)
        .await
        .expect("another person can be messaged at once");
}

#[tokio::test]
async fn send_many_uploads_once_and_reuses_the_media_id() {
    let emu = emulator(EmulatorConfig::default()).await;
    let c = client(&emu.base_url(), DEFAULT_WHATSAPP_TOKEN);
    let recipients: Vec<String> = [DEFAULT_WA_ID, WA_ID_SECOND, WA_ID_UNKNOWN]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let outcomes = c
        .send_many(
            &recipients,
            AudioSource::Bytes(fixture(MP3)),
            &SendOptions::default(),
        )
        .await
        .unwrap();
    let snap = emu.snapshot();
    assert_eq!(snap.upload_attempts, 1, "one upload");
    assert_eq!(snap.delivered, 2);
    let ids: Vec<_> = emu
        .deliveries()
        .iter()
        .map(|d| d.attachment_id.clone())
        .collect();
    assert_eq!(ids[0], ids[1]);
    assert_eq!(
        outcomes[2].result.as_ref().unwrap_err().code(),
        ErrorCode::RecipientNotFound
    );
    assert_eq!(
        outcomes[0].result.as_ref().unwrap().fits_inline_player,
        Some(true)
    );
}

#[tokio::test]
async fn the_access_token_never_leaks() {
    let emu = emulator(EmulatorConfig::default()).await;
    let c = client(&emu.base_url(), EXPIRED_WHATSAPP_TOKEN);
    let e = c
        .send(
            DEFAULT_WA_ID,
            AudioSource::Bytes(fixture("speech.opus.ogg")),
            &SendOptions::default(),
        )
        .await
        .unwrap_err();
    assert_no_secret(EXPIRED_WHATSAPP_TOKEN, &e);
    assert!(!format!("{c:?}").contains(EXPIRED_WHATSAPP_TOKEN));
}
