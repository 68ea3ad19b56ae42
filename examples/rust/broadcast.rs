//! Broadcast one voice note to many people: it is converted and uploaded once, then sent by
//! attachment id to each PSID under Meta's 10 audio sends per second per Page.
//!
//! ```sh
//! META_PAGE_TOKEN=... cargo run -p svara --example broadcast -- note.webm PSID1 PSID2 ...
//! ```

use svara::{AudioSource, Client, SendOptions};

#[tokio::main]
async fn main() -> Result<(), svara::Error> {
    let mut args = std::env::args().skip(1);
    let audio = args.next().ok_or_else(|| {
        svara::Error::invalid_request("usage: broadcast AUDIO_FILE_OR_URL PSID [PSID ...]")
    })?;
    let recipients: Vec<String> = args.collect();
    let token = std::env::var("META_PAGE_TOKEN").unwrap_or_default();
    let client = Client::builder(token).build()?;
    let source = if audio.starts_with("http://") || audio.starts_with("https://") {
        AudioSource::Url(audio)
    } else {
        AudioSource::Path(audio.into())
    };
    let outcomes = client
        .send_many(&recipients, source, &SendOptions::default())
        .await?;
    for outcome in outcomes {
        match outcome.result {
            Ok(sent) => println!("{}\tsent\t{}", outcome.recipient, sent.id),
            Err(err) => println!("{}\t{}\t{}", outcome.recipient, err.code(), err.message()),
        }
    }
    Ok(())
}
