//! The documented request, from Rust: send one voice note and print its message id.
//!
//! ```sh
//! META_PAGE_TOKEN=... RECIPIENT_PSID=6128493027184956 \
//!   AUDIO_URL=https://cdn.example.com/notes/update.m4a \
//!   cargo run -p svara --example send_voice_note
//! ```
//! With `SVARA_GRAPH_URL` pointing at `svara emulator`, nothing leaves the machine.

use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), svara::Error> {
    let recipient = std::env::var("RECIPIENT_PSID").unwrap_or_else(|_| "6128493027184956".into());
    let audio_url = std::env::var("AUDIO_URL")
        .unwrap_or_else(|_| "https://cdn.example.com/notes/update.m4a".into());
    let token = std::env::var("META_PAGE_TOKEN").unwrap_or_default();

    // The same body the hosted API documents: {platform, recipient, audio_url, session}.
    let body = json!({
        "platform": "messenger",
        "recipient": recipient,
        "audio_url": audio_url,
        "session": { "page_access_token": token },
    });
    let request = svara::SendRequest::from_json(&body.to_string())?;
    let result = svara::send(request).await?;
    println!("Voice note sent: {}", result.id);
    Ok(())
}
