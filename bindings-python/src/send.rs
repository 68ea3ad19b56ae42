//! `svara.send(...)` and `await svara.send_async(...)`: the documented request body
//! (`platform`, `recipient`, `audio_url`, `session={"page_access_token": ...}`) by keyword,
//! mapped one to one onto the core's [`svara::SendRequest`] and [`svara::send`].

use pyo3::prelude::*;
use svara::SendRequest;

use crate::args::{self, Arg, AudioArgs, ClientArgs, MessageArgs};
use crate::results::SendResult;
use crate::runtime;

/// Every keyword of `send()`, as Python passed them.
struct SendArgs<'py> {
    platform: Arg<'py>,
    recipient: Arg<'py>,
    session: Arg<'py>,
    audio: AudioArgs<'py>,
    message: MessageArgs<'py>,
    client: ClientArgs<'py>,
}

impl SendArgs<'_> {
    fn request(&self, py: Python<'_>) -> PyResult<SendRequest> {
        let mut request = SendRequest::default();
        if let Some(p) = args::string(py, "platform", &self.platform, "\"messenger\"")? {
            request.platform = p;
        }
        request.recipient = args::recipient(py, &self.recipient)?;
        request.session = args::session(py, &self.session)?;
        self.audio.apply(py, &mut request)?;
        self.message.apply(py, &mut request)?;
        self.client.apply(py, &mut request)?;
        // Refuse a malformed call before any network or audio work, with the core's words.
        request
            .validate()
            .map_err(|e| crate::errors::to_py(py, &e))?;
        Ok(request)
    }
}

macro_rules! send_args {
    ($platform:ident, $recipient:ident, $audio_url:ident, $audio_path:ident, $audio:ident,
     $attachment_id:ident, $session:ident, $graph_url:ident, $api_version:ident,
     $app_secret:ident, $page_id:ident, $messaging_type:ident, $tag:ident,
     $notification_type:ident, $timeout:ident, $max_retries:ident, $bitrate:ident,
     $keep_stereo:ident, $reusable:ident) => {
        SendArgs {
            platform: $platform,
            recipient: $recipient,
            session: $session,
            audio: AudioArgs {
                audio_url: $audio_url,
                audio_path: $audio_path,
                audio: $audio,
                attachment_id: $attachment_id,
            },
            message: MessageArgs {
                messaging_type: $messaging_type,
                tag: $tag,
                notification_type: $notification_type,
                bitrate: $bitrate,
                keep_stereo: $keep_stereo,
                reusable: $reusable,
            },
            client: ClientArgs {
                graph_url: $graph_url,
                api_version: $api_version,
                app_secret: $app_secret,
                page_id: $page_id,
                timeout: $timeout,
                max_retries: $max_retries,
            },
        }
    };
}

/// Sends one voice note to a Messenger user and returns a `SendResult` (`result["id"]`).
///
/// Pass exactly one of `audio_url`, `audio_path`, `audio` (bytes or a binary file object)
/// or `attachment_id`. The token comes from `session={"page_access_token": ...}` or the
/// `META_PAGE_TOKEN` environment variable; the Graph URL from `graph_url` or `SVARA_GRAPH_URL`.
/// Blocks the calling thread without holding the GIL. Raises a `svara.SvaraError` subclass.
#[pyfunction]
#[pyo3(signature = (*, platform=None, recipient=None, audio_url=None, audio_path=None, audio=None,
    attachment_id=None, session=None, graph_url=None, api_version=None, app_secret=None,
    page_id=None, messaging_type=None, tag=None, notification_type=None, timeout=None,
    max_retries=None, bitrate=None, keep_stereo=None, reusable=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn send<'py>(
    py: Python<'py>,
    platform: Arg<'py>,
    recipient: Arg<'py>,
    audio_url: Arg<'py>,
    audio_path: Arg<'py>,
    audio: Arg<'py>,
    attachment_id: Arg<'py>,
    session: Arg<'py>,
    graph_url: Arg<'py>,
    api_version: Arg<'py>,
    app_secret: Arg<'py>,
    page_id: Arg<'py>,
    messaging_type: Arg<'py>,
    tag: Arg<'py>,
    notification_type: Arg<'py>,
    timeout: Arg<'py>,
    max_retries: Arg<'py>,
    bitrate: Arg<'py>,
    keep_stereo: Arg<'py>,
    reusable: Arg<'py>,
) -> PyResult<SendResult> {
    let request = send_args!(
        platform,
        recipient,
        audio_url,
        audio_path,
        audio,
        attachment_id,
        session,
        graph_url,
        api_version,
        app_secret,
        page_id,
        messaging_type,
        tag,
        notification_type,
        timeout,
        max_retries,
        bitrate,
        keep_stereo,
        reusable
    )
    .request(py)?;
    runtime::block_on(py, svara::send(request)).map(SendResult)
}

/// The asyncio form of `send()`: `result = await svara.send_async(...)`, same arguments.
///
/// Runs on Svara's tokio runtime; any number of calls may be in flight from many tasks.
#[pyfunction]
#[pyo3(signature = (*, platform=None, recipient=None, audio_url=None, audio_path=None, audio=None,
    attachment_id=None, session=None, graph_url=None, api_version=None, app_secret=None,
    page_id=None, messaging_type=None, tag=None, notification_type=None, timeout=None,
    max_retries=None, bitrate=None, keep_stereo=None, reusable=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn send_async<'py>(
    py: Python<'py>,
    platform: Arg<'py>,
    recipient: Arg<'py>,
    audio_url: Arg<'py>,
    audio_path: Arg<'py>,
    audio: Arg<'py>,
    attachment_id: Arg<'py>,
    session: Arg<'py>,
    graph_url: Arg<'py>,
    api_version: Arg<'py>,
    app_secret: Arg<'py>,
    page_id: Arg<'py>,
    messaging_type: Arg<'py>,
    tag: Arg<'py>,
    notification_type: Arg<'py>,
    timeout: Arg<'py>,
    max_retries: Arg<'py>,
    bitrate: Arg<'py>,
    keep_stereo: Arg<'py>,
    reusable: Arg<'py>,
) -> PyResult<Bound<'py, PyAny>> {
    let request = send_args!(
        platform,
        recipient,
        audio_url,
        audio_path,
        audio,
        attachment_id,
        session,
        graph_url,
        api_version,
        app_secret,
        page_id,
        messaging_type,
        tag,
        notification_type,
        timeout,
        max_retries,
        bitrate,
        keep_stereo,
        reusable
    )
    .request(py)?;
    runtime::into_awaitable(
        py,
        async move { svara::send(request).await.map(SendResult) },
    )
}
