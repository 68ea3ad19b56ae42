//! One voice note to many people: prepare and upload once, then a small send by attachment id
//! per recipient, with bounded concurrency under the client's send limiter. 1,000 recipients
//! cost 1 upload and 1,000 small sends, not 1,000 uploads.

use super::{AudioSource, Client, RecipientOutcome, SendOptions};
use crate::error::{Error, ErrorCode, Result};
use crate::request::{check_attachment_id, check_options, check_recipient};
use futures::StreamExt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// See [`Client::send_many`]. A PSID listed twice is sent to once (no duplicate voice note);
/// each listing gets the same outcome. After an `invalid_token` answer nothing more is sent:
/// the remaining recipients get that error.
pub async fn send_many(
    client: &Client,
    recipients: &[String],
    audio: AudioSource,
    options: &SendOptions,
) -> Result<Vec<RecipientOutcome>> {
    check_options(options)?;
    if recipients.is_empty() {
        return Ok(Vec::new());
    }
    let (attachment_id, prepared) = match audio {
        AudioSource::AttachmentId(id) => (check_attachment_id(&id)?, None),
        source => {
            let prepared = client.prepare(source, &options.prepare).await?;
            let uploaded = client.upload_prepared(&prepared).await?;
            (uploaded.attachment_id, Some(prepared))
        }
    };

    // Unique, valid recipients in first-seen order.
    let mut unique: Vec<&str> = Vec::new();
    let mut seen = HashMap::new();
    for r in recipients {
        if let Ok(r) = check_recipient(r) {
            seen.entry(r).or_insert_with(|| {
                unique.push(r);
                unique.len() - 1
            });
        }
    }

    let fatal: Arc<Mutex<Option<Error>>> = Arc::new(Mutex::new(None));
    let concurrency = client.config().concurrency;
    let attachment_id: Arc<str> = attachment_id.into();
    // Owned values per task, so that the future stays `Send` for bindings that spawn it.
    let mut tasks = Vec::with_capacity(unique.len());
    for r in &unique {
        let (r, fatal, attachment_id) = (r.to_string(), fatal.clone(), attachment_id.clone());
        tasks.push(async move {
            if let Some(e) = fatal.lock().unwrap_or_else(|p| p.into_inner()).clone() {
                return Err(Error::new(
                    e.code(),
                    format!(
                        "Not sent: an earlier send of this batch failed with {} ({}).",
                        e.code(),
                        e.message()
                    ),
                ));
            }
            let res = client.send_attachment(&r, &attachment_id, options).await;
            if let Err(e) = &res {
                if e.code() == ErrorCode::InvalidToken {
                    fatal
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .get_or_insert(e.clone());
                }
            }
            res
        });
    }
    let results: Vec<Result<super::SendResult>> = futures::stream::iter(tasks)
        .buffered(concurrency)
        .collect()
        .await;

    Ok(recipients
        .iter()
        .map(|r| {
            let result = match check_recipient(r) {
                Err(e) => Err(e),
                Ok(valid) => {
                    let i = seen[valid];
                    results[i].clone().map(|mut s| {
                        if let Some(p) = &prepared {
                            s.converted = p.converted;
                            s.input = Some(p.input.clone());
                            s.output = Some(p.output.clone());
                        }
                        s
                    })
                }
            };
            RecipientOutcome {
                recipient: r.clone(),
                result,
            }
        })
        .collect())
}

#[cfg(test)]
mod send_tests {
    use super::*;

    fn assert_send<T: Send>(_: &T) {}

    /// Bindings spawn `send_many` on a multi-threaded runtime: its future must be `Send`.
    #[test]
    fn send_many_future_is_send() {
        let client = Client::builder("t").build().unwrap();
        let recipients = vec!["1".to_owned()];
        let options = SendOptions::default();
        let fut = client.send_many(&recipients, AudioSource::AttachmentId("9".into()), &options);
        assert_send(&fut);
    }
}
