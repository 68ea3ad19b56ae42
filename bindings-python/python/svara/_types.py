"""The keyword arguments of every call, typed (BEGIN GENERATED FROM svara::FIELDS; do not edit).

One ``TypedDict`` per group of fields (``...Fields``) and one per call (``...Options``),
used as ``**options: Unpack[SendOptions]`` by ``svara._api``. Regenerate with
``SVARA_BLESS=1 cargo test -p svara --test generated_from_fields``.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import IO, Literal, Mapping, Optional, TypedDict, Union

Bytes = Union[bytes, bytearray, memoryview, IO[bytes]]
PathLike = Union[str, "os.PathLike[str]"]
Seconds = Union[int, float, timedelta]


class RecipientFields(TypedDict, total=False):
    """The recipient fields."""

    #: The platform to send to, "messenger" (the default).
    platform: Optional[Literal["messenger"]]
    #: The person's Page-Scoped ID (PSID), e.g. "6128493027184956".
    recipient: Optional[Union[str, int]]


class SessionFields(TypedDict, total=False):
    """The session fields."""

    #: The platform credentials, { page_access_token: TOKEN } (META_PAGE_TOKEN when absent).
    session: Optional[Mapping[str, str]]


class AudioFields(TypedDict, total=False):
    """The audio fields."""

    #: An http(s) URL of the recording (downloaded by the SDK, at most 25 MB).
    audio_url: Optional[str]
    #: A local file path of the recording.
    audio_path: Optional[PathLike]
    #: The recording's bytes.
    audio: Optional[Bytes]


class ConversionFields(TypedDict, total=False):
    """The conversion fields."""

    #: The AAC bitrate in bits per second; bits per second between 8000 and 320000 (default 64000).
    bitrate: Optional[int]
    #: True to keep stereo recordings stereo (voice notes are mono by default).
    keep_stereo: Optional[bool]
    #: True to encode faster at slightly lower quality where that pays (AAC below 2 bits per sample, Opus).
    fast_encode: Optional[bool]
    #: The longest recording to accept, in seconds; seconds between 0 and 86400.
    max_duration: Optional[Seconds]
    #: The longest recording to accept, in milliseconds; milliseconds between 1 and 86400000.
    max_duration_ms: Optional[int]


class MessageFields(TypedDict, total=False):
    """The message fields."""

    #: An attachment id returned by upload(), sent instead of audio.
    attachment_id: Optional[str]
    #: RESPONSE, UPDATE or MESSAGE_TAG (with a tag).
    messaging_type: Optional[Literal["RESPONSE", "UPDATE", "MESSAGE_TAG"]]
    #: A message tag such as "HUMAN_AGENT" (with messaging_type MESSAGE_TAG).
    tag: Optional[str]
    #: REGULAR, SILENT_PUSH or NO_PUSH.
    notification_type: Optional[Literal["REGULAR", "SILENT_PUSH", "NO_PUSH"]]
    #: A text shown under the voice note; 0 to 1024 characters; telegram only.
    caption: Optional[str]


class SingleSendFields(TypedDict, total=False):
    """The single send fields."""

    #: True to ask Meta for a reusable attachment_id.
    reusable: Optional[bool]


class ConnectionFields(TypedDict, total=False):
    """The connection fields."""

    #: The Graph API base URL, e.g. "https://graph.facebook.com" (SVARA_GRAPH_URL when absent).
    graph_url: Optional[str]
    #: A Graph API version such as "v25.0".
    api_version: Optional[str]
    #: Your Meta App secret, to sign every call with appsecret_proof.
    app_secret: Optional[str]
    #: The Page's numeric id, to call /{page-id}/messages instead of /me/messages.
    page_id: Optional[str]
    #: The whole-request timeout of Graph calls in seconds; seconds between 0 and 3600 (default 60).
    timeout: Optional[Seconds]
    #: The whole-request timeout of Graph calls in milliseconds; milliseconds between 1 and 3600000 (default 60000).
    timeout_ms: Optional[int]
    #: The number of automatic retries of calls that certainly were not accepted; 0 to 10 retries (default 2).
    max_retries: Optional[int]


class ClientFields(TypedDict, total=False):
    """The client fields."""

    #: Your Page access token (the same as session.page_access_token).
    page_access_token: Optional[str]
    #: The client-side pace of audio sends per Page; sends per second between 0 and 10000 (default 10).
    sends_per_second: Optional[float]
    #: The number of sends in flight during send_many; 1 to 256 sends in flight (default 8).
    concurrency: Optional[int]
    #: The User-Agent header of Graph calls.
    user_agent: Optional[str]


class SendOptions(RecipientFields, SessionFields, AudioFields, ConversionFields, MessageFields, SingleSendFields, ConnectionFields, total=False):
    """The keyword arguments of ``svara.send()`` and ``svara.send_async()``."""


class ClientOptions(SessionFields, ConnectionFields, total=False):
    """The keyword arguments of ``svara.Client()`` and ``svara.AsyncClient()``."""

    #: The client-side pace of audio sends per Page; sends per second between 0 and 10000 (default 10).
    sends_per_second: Optional[float]
    #: The number of sends in flight during send_many; 1 to 256 sends in flight (default 8).
    concurrency: Optional[int]
    #: The User-Agent header of Graph calls.
    user_agent: Optional[str]


class MessageOptions(AudioFields, ConversionFields, MessageFields, SingleSendFields, total=False):
    """The keyword arguments of ``Client.send(recipient, ...)``."""

    #: The platform to send to, "messenger" (the default).
    platform: Optional[Literal["messenger"]]


class UploadOptions(AudioFields, ConversionFields, total=False):
    """The keyword arguments of ``Client.upload()``."""


class SendManyOptions(AudioFields, ConversionFields, MessageFields, total=False):
    """The keyword arguments of ``Client.send_many(recipients, ...)``."""


class TranscodeOptions(ConversionFields, total=False):
    """The keyword arguments of ``svara.transcode(data_or_path, ...)``."""


__all__ = [
    "RecipientFields",
    "SessionFields",
    "AudioFields",
    "ConversionFields",
    "MessageFields",
    "SingleSendFields",
    "ConnectionFields",
    "ClientFields",
    "SendOptions",
    "ClientOptions",
    "MessageOptions",
    "UploadOptions",
    "SendManyOptions",
    "TranscodeOptions",
]
