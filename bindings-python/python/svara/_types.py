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


class MessengerSession(TypedDict, total=False):
    """The session of platform="messenger": {page_access_token}."""

    #: The access token of the Page that sends (with pages_messaging) (META_PAGE_TOKEN when absent).
    page_access_token: Optional[str]


class InstagramSession(TypedDict, total=False):
    """The session of platform="instagram": {access_token, ig_user_id} or {page_access_token}."""

    #: The Instagram user access token (Instagram Login) (INSTAGRAM_ACCESS_TOKEN when absent).
    access_token: Optional[str]
    #: The Instagram professional account id (Instagram Login; /me when absent).
    ig_user_id: Optional[str]
    #: The token of the Page linked to the account (Facebook Login).
    page_access_token: Optional[str]


class WhatsappSession(TypedDict, total=False):
    """The session of platform="whatsapp": {access_token, phone_number_id}."""

    #: The WhatsApp Cloud API access token (a system user token with whatsapp_business_messaging) (WHATSAPP_ACCESS_TOKEN when absent).
    access_token: Optional[str]
    #: The id of the business phone number that sends (not the number itself).
    phone_number_id: str


class TelegramSession(TypedDict, total=False):
    """The session of platform="telegram": {bot_token}."""

    #: The bot token from @BotFather (123456789:AA...) (TELEGRAM_BOT_TOKEN when absent).
    bot_token: Optional[str]


class PlatformFields(TypedDict, total=False):
    """The platform fields."""

    #: The platform to send to: "messenger" (the default), "instagram", "whatsapp" or "telegram".
    platform: Optional[Literal["messenger", "instagram", "whatsapp", "telegram"]]


class RecipientFields(TypedDict, total=False):
    """The recipient fields."""

    #: Who gets the note: a Messenger PSID (e.g. "6128493027184956"), an Instagram IGSID, a WhatsApp phone number or wa_id, or a Telegram chat_id.
    recipient: Optional[Union[str, int]]


class SessionFields(TypedDict, total=False):
    """The session fields."""

    #: The platform credentials: messenger { page_access_token } (META_PAGE_TOKEN), instagram { access_token, ig_user_id } (INSTAGRAM_ACCESS_TOKEN) or { page_access_token }, whatsapp { access_token, phone_number_id } (WHATSAPP_ACCESS_TOKEN), telegram { bot_token } (TELEGRAM_BOT_TOKEN).
    session: Optional[Union[MessengerSession, InstagramSession, WhatsappSession, TelegramSession]]


class AudioFields(TypedDict, total=False):
    """The audio fields."""

    #: An http(s) URL of the recording (downloaded by the SDK, at most 25 MB; 50 MB for telegram).
    audio_url: Optional[str]
    #: A local file path of the recording.
    audio_path: Optional[PathLike]
    #: The recording's bytes.
    audio: Optional[Bytes]


class ConversionFields(TypedDict, total=False):
    """The conversion fields."""

    #: The bitrate of converted audio in bits per second (AAC: 8000 to 320000, default 64000; Opus: 6000 to 256000, default 32000); bits per second between 6000 and 320000.
    bitrate: Optional[int]
    #: True to keep stereo recordings stereo in M4A/AAC (voice notes are mono by default; Opus notes are always mono); messenger, instagram only.
    keep_stereo: Optional[bool]
    #: True to encode faster at slightly lower quality where that pays (AAC below 2 bits per sample, Opus).
    fast_encode: Optional[bool]
    #: The longest recording to accept, in seconds; seconds between 0 and 86400.
    max_duration: Optional[Seconds]
    #: The longest recording to accept, in milliseconds; milliseconds between 1 and 86400000.
    max_duration_ms: Optional[int]


class TargetFields(TypedDict, total=False):
    """The target fields."""

    #: The voice-note format to make: m4a-aac (Messenger, Instagram; the default) or ogg-opus (WhatsApp, Telegram).
    format: Optional[Literal["m4a-aac", "ogg-opus"]]


class MessageFields(TypedDict, total=False):
    """The message fields."""

    #: The reusable id of an earlier upload (a Messenger or Instagram attachment_id, a WhatsApp media id, a Telegram file_id), sent instead of audio.
    attachment_id: Optional[str]
    #: RESPONSE, UPDATE or MESSAGE_TAG (with a tag); messenger, instagram only.
    messaging_type: Optional[Literal["RESPONSE", "UPDATE", "MESSAGE_TAG"]]
    #: A message tag such as "HUMAN_AGENT" (with messaging_type MESSAGE_TAG); messenger, instagram only.
    tag: Optional[str]
    #: REGULAR, SILENT_PUSH or NO_PUSH; messenger only.
    notification_type: Optional[Literal["REGULAR", "SILENT_PUSH", "NO_PUSH"]]
    #: A text shown under the voice note; 0 to 1024 characters; telegram only.
    caption: Optional[str]


class SingleSendFields(TypedDict, total=False):
    """The single send fields."""

    #: True to ask for a reusable attachment_id (Instagram, WhatsApp and Telegram always return one).
    reusable: Optional[bool]


class ConnectionFields(TypedDict, total=False):
    """The connection fields."""

    #: The Graph API base URL, e.g. "https://graph.facebook.com" (SVARA_GRAPH_URL when absent; Instagram Login defaults to https://graph.instagram.com); messenger, instagram, whatsapp only.
    graph_url: Optional[str]
    #: The Bot API base URL, e.g. "https://api.telegram.org" (SVARA_TELEGRAM_URL when absent); telegram only.
    telegram_url: Optional[str]
    #: A Graph API version such as "v25.0"; messenger, instagram, whatsapp only.
    api_version: Optional[str]
    #: Your Meta App secret, to sign every call with appsecret_proof; messenger, instagram, whatsapp only.
    app_secret: Optional[str]
    #: The Page's numeric id, to call /{page-id}/messages instead of /me/messages; messenger, instagram only.
    page_id: Optional[str]
    #: The whole-request timeout of the platform's calls in seconds; seconds between 0 and 3600 (default 60).
    timeout: Optional[Seconds]
    #: The whole-request timeout of the platform's calls in milliseconds; milliseconds between 1 and 3600000 (default 60000).
    timeout_ms: Optional[int]
    #: The number of automatic retries of calls that certainly were not accepted; 0 to 10 retries (default 2).
    max_retries: Optional[int]


class ClientFields(TypedDict, total=False):
    """The client fields."""

    #: Your Page access token (the same as session.page_access_token); messenger, instagram only.
    page_access_token: Optional[str]
    #: The client-side pace of sends per sender (default 10 per Page or Instagram account, 80 per WhatsApp number, 30 per Telegram bot); sends per second between 0 and 10000.
    sends_per_second: Optional[float]
    #: The number of sends in flight during send_many; 1 to 256 sends in flight (default 8).
    concurrency: Optional[int]
    #: The User-Agent header of the platform's calls.
    user_agent: Optional[str]


class SendOptions(PlatformFields, RecipientFields, SessionFields, AudioFields, ConversionFields, MessageFields, SingleSendFields, ConnectionFields, total=False):
    """The keyword arguments of ``svara.send()`` and ``svara.send_async()``."""


class ClientOptions(PlatformFields, SessionFields, ConnectionFields, total=False):
    """The keyword arguments of ``svara.Client()`` and ``svara.AsyncClient()``."""

    #: The client-side pace of sends per sender (default 10 per Page or Instagram account, 80 per WhatsApp number, 30 per Telegram bot); sends per second between 0 and 10000.
    sends_per_second: Optional[float]
    #: The number of sends in flight during send_many; 1 to 256 sends in flight (default 8).
    concurrency: Optional[int]
    #: The User-Agent header of the platform's calls.
    user_agent: Optional[str]


class MessageOptions(PlatformFields, AudioFields, ConversionFields, MessageFields, SingleSendFields, total=False):
    """The keyword arguments of ``Client.send(recipient, ...)``."""


class UploadOptions(AudioFields, ConversionFields, total=False):
    """The keyword arguments of ``Client.upload()``."""


class SendManyOptions(AudioFields, ConversionFields, MessageFields, total=False):
    """The keyword arguments of ``Client.send_many(recipients, ...)``."""


class TranscodeOptions(ConversionFields, TargetFields, total=False):
    """The keyword arguments of ``svara.transcode(data_or_path, ...)``."""


__all__ = [
    "MessengerSession",
    "InstagramSession",
    "WhatsappSession",
    "TelegramSession",
    "PlatformFields",
    "RecipientFields",
    "SessionFields",
    "AudioFields",
    "ConversionFields",
    "TargetFields",
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
