//! `svara send --recipients FILE`: upload the note once, send it to every PSID, show progress
//! and a summary per outcome code.

use indicatif::{ProgressBar, ProgressStyle};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use svara::{AudioSource, Client, Error, RecipientOutcome, SendOptions};

/// Exit status when some recipients failed and others got the note.
pub const PARTIAL_FAILURE: u8 = 3;

/// Recipients are sent in batches of this size, so that progress moves while the client's
/// limiter paces the sends; the audio is uploaded once for all batches.
const BATCH: usize = 25;

/// Reads one PSID per line; blank lines and `#` comments are skipped.
pub fn read_recipients(path: &Path) -> svara::Result<Vec<String>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::invalid_request(format!(
            "cannot read the recipients file {}: {e}",
            path.display()
        ))
    })?;
    let recipients: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    if recipients.is_empty() {
        return Err(Error::invalid_request(format!(
            "{} lists no recipients: put one PSID per line.",
            path.display()
        )));
    }
    Ok(recipients)
}

/// Uploads once, sends to every recipient, prints outcomes and a summary.
pub async fn run(
    client: &Client,
    recipients: Vec<String>,
    audio: AudioSource,
    options: &SendOptions,
    json: bool,
) -> svara::Result<ExitCode> {
    let audio = match audio {
        AudioSource::AttachmentId(id) => AudioSource::AttachmentId(id),
        other => {
            let uploaded = client.upload(other, options).await?;
            AudioSource::AttachmentId(uploaded.attachment_id)
        }
    };
    let bar = progress_bar(recipients.len() as u64, json);
    let mut summary: BTreeMap<&'static str, usize> = BTreeMap::new();
    for batch in recipients.chunks(BATCH) {
        let outcomes = client.send_many(batch, audio.clone(), options).await?;
        for outcome in &outcomes {
            let line = outcome_line(outcome, json);
            match &bar {
                Some(bar) => bar.println(line),
                None => println!("{line}"),
            }
            *summary.entry(outcome_code(outcome)).or_default() += 1;
        }
        if let Some(bar) = &bar {
            bar.inc(outcomes.len() as u64);
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let delivered = summary.get("delivered").copied().unwrap_or(0);
    let parts: Vec<String> = summary.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    eprintln!(
        "sent to {delivered} of {} recipients ({})",
        recipients.len(),
        parts.join(", ")
    );
    Ok(if delivered == recipients.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(PARTIAL_FAILURE)
    })
}

fn progress_bar(len: u64, json: bool) -> Option<ProgressBar> {
    if json || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40.cyan/blue} {pos}/{len} sent, {per_sec} ({eta} left)")
    {
        bar.set_style(style);
    }
    Some(bar)
}

fn outcome_code(outcome: &RecipientOutcome) -> &'static str {
    match &outcome.result {
        Ok(_) => "delivered",
        Err(e) => e.code().as_str(),
    }
}

fn outcome_line(outcome: &RecipientOutcome, json: bool) -> String {
    match (&outcome.result, json) {
        (Ok(r), false) => format!("{}\tok\t{}", outcome.recipient, r.id),
        (Err(e), false) => format!(
            "{}\terror[{}]\t{}",
            outcome.recipient,
            e.code(),
            e.message()
        ),
        (Ok(r), true) => serde_json::json!({
            "recipient": outcome.recipient, "ok": true, "id": r.id, "result": r,
        })
        .to_string(),
        (Err(e), true) => serde_json::json!({
            "recipient": outcome.recipient, "ok": false,
            "error": e,
        })
        .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use svara::ErrorCode;

    #[test]
    fn recipients_file_skips_blanks_and_comments() {
        let dir = std::env::temp_dir().join(format!("svara-rcpt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("r.txt");
        std::fs::write(&file, "# team\n111\n\n 222 \n").unwrap();
        assert_eq!(read_recipients(&file).unwrap(), vec!["111", "222"]);
        std::fs::write(&file, "# none\n").unwrap();
        assert_eq!(
            read_recipients(&file).unwrap_err().code(),
            ErrorCode::InvalidRequest
        );
    }

    #[test]
    fn json_outcome_lines_carry_the_code() {
        let o = RecipientOutcome {
            recipient: "42".into(),
            result: Err(Error::new(ErrorCode::RateLimited, "slow down")),
        };
        let v: serde_json::Value = serde_json::from_str(&outcome_line(&o, true)).unwrap();
        assert_eq!(v["error"]["code"], "rate_limited");
        assert_eq!(v["ok"], false);
        assert_eq!(outcome_code(&o), "rate_limited");
    }
}
