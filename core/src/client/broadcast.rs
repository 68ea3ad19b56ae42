//! One voice note to many people: prepare once and upload once, then a small send by the
//! reusable id per recipient, with bounded concurrency under the client's limiters. 1,000
//! recipients cost 1 upload and 1,000 small sends, not 1,000 uploads. Where the platform has no
//! upload-only call (Telegram), the first successful send carries the bytes and its `file_id`
//! serves everyone else.

use super::{AudioSource, Client, RecipientOutcome, SendOptions, SendResult};
use crate::audio::PreparedAudio;
use crate::error::{Error, ErrorCode, Result};
use crate::platform::{Platform, Reuse};
use crate::request::{check_attachment_id, check_options, check_recipient_on};
use futures::StreamExt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// See [`Client::send_many`]. A recipient listed twice is sent to once (no duplicate voice
/// note); each listing gets the same outcome. After an `invalid_token` answer nothing more is
/// sent: the remaining recipients get that error.
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
    let platform = client.platform();

    // Unique, valid recipients in first-seen order.
    let mut unique: Vec<&str> = Vec::new();
    let mut seen = HashMap::new();
    for r in recipients {
        if let Ok(r) = check_recipient_on(platform, r) {
            seen.entry(r).or_insert_with(|| {
                unique.push(r);
                unique.len() - 1
            });
        }
    }
    let mut results: Vec<Option<Result<SendResult>>> = vec![None; unique.len()];

    let (reusable_id, prepared) = match audio {
        AudioSource::AttachmentId(id) => (Some(check_attachment_id(&id)?), None),
        source => {
            let prepared = client.prepare(source, &options.prepare).await?;
            match platform.spec().reuse {
                Reuse::UploadCall => {
                    let uploaded = client.upload_prepared(&prepared).await?;
                    (Some(uploaded.attachment_id), Some(prepared))
                }
                Reuse::FirstSend => {
                    let id = first_send(client, &unique, &prepared, options, &mut results).await;
                    (id, Some(prepared))
                }
            }
        }
    };

    let fatal: Arc<Mutex<Option<Error>>> = Arc::new(Mutex::new(None));
    if let Some(Err(e)) = results.iter().flatten().find(|r| {
        r.as_ref()
            .is_err_and(|e| e.code() == ErrorCode::InvalidToken)
    }) {
        *fatal.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.clone());
    }
    let concurrency = client.config().concurrency;
    // Owned values per task, so that the future stays `Send` for bindings that spawn it.
    let mut tasks = Vec::new();
    let mut slots = Vec::new();
    for (i, r) in unique.iter().enumerate() {
        if results[i].is_some() {
            continue;
        }
        let Some(id) = reusable_id.clone() else {
            // Telegram: no send succeeded, so there is no file_id; every recipient got its own
            // answer in `first_send`.
            continue;
        };
        slots.push(i);
        let (r, fatal) = (r.to_string(), fatal.clone());
        tasks.push(async move {
            if let Some(e) = fatal.lock().unwrap_or_else(|p| p.into_inner()).clone() {
                return Err(not_sent_after(&e));
            }
            let res = client.send_attachment(&r, &id, options).await;
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
    let sent: Vec<Result<SendResult>> = futures::stream::iter(tasks)
        .buffered(concurrency)
        .collect()
        .await;
    for (i, r) in slots.into_iter().zip(sent) {
        results[i] = Some(r);
    }

    Ok(recipients
        .iter()
        .map(|r| {
            let result = match check_recipient_on(platform, r) {
                Err(e) => Err(e),
                Ok(valid) => {
                    let i = seen[valid];
                    let r = results[i]
                        .clone()
                        .unwrap_or_else(|| Err(Error::new(ErrorCode::ApiError, "Not sent.")));
                    r.map(|s| with_audio(s, prepared.as_ref(), platform))
                }
            };
            RecipientOutcome {
                recipient: r.clone(),
                result,
            }
        })
        .collect())
}

/// Telegram: sends the bytes to the recipients in order until one send succeeds, and returns
/// its `file_id` (the others then get the note by id). Each recipient tried gets its own
/// answer in `results`; an `invalid_token` stops the attempts.
async fn first_send(
    client: &Client,
    unique: &[&str],
    prepared: &PreparedAudio,
    options: &SendOptions,
    results: &mut [Option<Result<SendResult>>],
) -> Option<String> {
    for (i, r) in unique.iter().enumerate() {
        let res = client.send_prepared(r, prepared, options).await;
        let id = res.as_ref().ok().and_then(|s| s.attachment_id.clone());
        let fatal = res
            .as_ref()
            .is_err_and(|e| e.code() == ErrorCode::InvalidToken);
        results[i] = Some(res);
        if id.is_some() {
            return id;
        }
        if fatal {
            let e = results[i].clone().and_then(Result::err);
            for later in results.iter_mut().skip(i + 1) {
                if let Some(e) = &e {
                    *later = Some(Err(not_sent_after(e)));
                }
            }
            return None;
        }
    }
    None
}

fn not_sent_after(e: &Error) -> Error {
    let mut err = Error::new(
        e.code(),
        format!(
            "Not sent: an earlier send of this batch failed with {} ({}).",
            e.code(),
            e.message()
        ),
    );
    if let Some(p) = e.platform() {
        err = err.with_platform(p);
    }
    err
}

fn with_audio(
    mut s: SendResult,
    prepared: Option<&PreparedAudio>,
    platform: Platform,
) -> SendResult {
    if let Some(p) = prepared {
        s.converted = p.converted;
        s.input = Some(p.input.clone());
        s.output = Some(p.output.clone());
        s.fits_inline_player = platform.spec().fits_inline_player(p.data.len() as u64);
    }
    s
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
        let telegram = Client::builder("123:abc")
            .platform(crate::Platform::Telegram)
            .build()
            .unwrap();
        let fut = telegram.send_many(&recipients, AudioSource::Bytes(vec![1]), &options);
        assert_send(&fut);
    }
}
