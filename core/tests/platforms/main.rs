//! Every platform against the emulator over real HTTP on 127.0.0.1: a WebM/Opus, an MP3 and a
//! WAV recording each arrive in the platform's format (decoded again by ffprobe: Ogg/Opus mono
//! within 50 ms of the input for WhatsApp and Telegram, MP4/AAC for Instagram), pass-through is
//! byte for byte, every mapped error arrives with its code and the platform's raw code, the
//! limits are checked before any upload, `send_many` uploads once, and the token never leaks.
//! (Messenger has its own `client_*` suites.)

#[path = "../audio_support/mod.rs"]
mod audio_support;
mod instagram;
mod support;
mod telegram;
mod whatsapp;
