"""Type stubs of the native module (checked against it by `python -m mypy.stubtest svara._native`)."""

import os
from collections.abc import Awaitable, Iterable
from datetime import timedelta
from typing import IO, Any, Literal, Mapping, Optional, Union, final

_Bytes = Union[bytes, bytearray, memoryview, IO[bytes]]
_Path = Union[str, "os.PathLike[str]"]
_Seconds = Union[int, float, timedelta]
_MessagingType = Literal["RESPONSE", "UPDATE", "MESSAGE_TAG"]
_NotificationType = Literal["REGULAR", "SILENT_PUSH", "NO_PUSH"]

__version__: str
__all__ = [
    "AsyncClient",
    "AudioInfo",
    "Client",
    "DEFAULT_API_VERSION",
    "DEFAULT_GRAPH_URL",
    "EMULATOR_DEV_MODE_PAGE_TOKEN",
    "EMULATOR_EXPIRED_PAGE_TOKEN",
    "EMULATOR_PAGE_TOKEN",
    "EMULATOR_PSIDS",
    "ERROR_CODES",
    "MAX_AUDIO_BYTES",
    "NativeEmulator",
    "RecipientOutcome",
    "SUPPORTED_PLATFORMS",
    "SendResult",
    "UploadResult",
    "__version__",
    "error_hint",
    "probe",
    "send",
    "send_async",
    "transcode",
]
ERROR_CODES: tuple[str, ...]
SUPPORTED_PLATFORMS: tuple[str, ...]
MAX_AUDIO_BYTES: int
DEFAULT_GRAPH_URL: str
DEFAULT_API_VERSION: str
EMULATOR_PAGE_TOKEN: str
EMULATOR_EXPIRED_PAGE_TOKEN: str
EMULATOR_DEV_MODE_PAGE_TOKEN: str
EMULATOR_PSIDS: dict[str, str]

@final
class AudioInfo:
    @property
    def container(self) -> str: ...
    @property
    def codec(self) -> str: ...
    @property
    def sample_rate(self) -> int: ...
    @property
    def channels(self) -> int: ...
    @property
    def duration_ms(self) -> int: ...
    @property
    def duration(self) -> float: ...
    @property
    def size_bytes(self) -> int: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __getitem__(self, key: str, /) -> Any: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class SendResult:
    @property
    def id(self) -> str: ...
    @property
    def message_id(self) -> str: ...
    @property
    def recipient_id(self) -> Optional[str]: ...
    @property
    def attachment_id(self) -> Optional[str]: ...
    @property
    def converted(self) -> bool: ...
    @property
    def input(self) -> Optional[AudioInfo]: ...
    @property
    def output(self) -> Optional[AudioInfo]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __getitem__(self, key: str, /) -> Any: ...
    def __contains__(self, key: str, /) -> bool: ...
    def get(self, key: str, default: Any = None) -> Any: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class UploadResult:
    @property
    def attachment_id(self) -> str: ...
    @property
    def converted(self) -> bool: ...
    @property
    def input(self) -> AudioInfo: ...
    @property
    def output(self) -> AudioInfo: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __getitem__(self, key: str, /) -> Any: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class RecipientOutcome:
    @property
    def recipient(self) -> str: ...
    @property
    def result(self) -> Optional[SendResult]: ...
    @property
    def error(self) -> Optional[Exception]: ...
    @property
    def ok(self) -> bool: ...
    def __bool__(self) -> bool: ...

def send(
    *,
    platform: Optional[str] = None,
    recipient: Union[str, int, None] = None,
    audio_url: Optional[str] = None,
    audio_path: Optional[_Path] = None,
    audio: Optional[_Bytes] = None,
    attachment_id: Optional[str] = None,
    session: Optional[Mapping[str, str]] = None,
    graph_url: Optional[str] = None,
    api_version: Optional[str] = None,
    app_secret: Optional[str] = None,
    page_id: Optional[str] = None,
    messaging_type: Optional[_MessagingType] = None,
    tag: Optional[str] = None,
    notification_type: Optional[_NotificationType] = None,
    timeout: Optional[_Seconds] = None,
    max_retries: Optional[int] = None,
    bitrate: Optional[int] = None,
    keep_stereo: Optional[bool] = None,
    reusable: Optional[bool] = None,
) -> SendResult: ...
def send_async(
    *,
    platform: Optional[str] = None,
    recipient: Union[str, int, None] = None,
    audio_url: Optional[str] = None,
    audio_path: Optional[_Path] = None,
    audio: Optional[_Bytes] = None,
    attachment_id: Optional[str] = None,
    session: Optional[Mapping[str, str]] = None,
    graph_url: Optional[str] = None,
    api_version: Optional[str] = None,
    app_secret: Optional[str] = None,
    page_id: Optional[str] = None,
    messaging_type: Optional[_MessagingType] = None,
    tag: Optional[str] = None,
    notification_type: Optional[_NotificationType] = None,
    timeout: Optional[_Seconds] = None,
    max_retries: Optional[int] = None,
    bitrate: Optional[int] = None,
    keep_stereo: Optional[bool] = None,
    reusable: Optional[bool] = None,
) -> Awaitable[SendResult]: ...
def transcode(
    data_or_path: Union[_Bytes, _Path],
    *,
    bitrate: Optional[int] = None,
    keep_stereo: Optional[bool] = None,
    max_duration: Optional[_Seconds] = None,
) -> bytes: ...
def probe(data_or_path: Union[_Bytes, _Path]) -> AudioInfo: ...
def error_hint(code: str) -> Optional[str]: ...
@final
class Client:
    def __new__(
        cls,
        page_access_token: Optional[str] = None,
        *,
        graph_url: Optional[str] = None,
        api_version: Optional[str] = None,
        app_secret: Optional[str] = None,
        page_id: Optional[str] = None,
        timeout: Optional[_Seconds] = None,
        max_retries: Optional[int] = None,
        sends_per_second: Optional[float] = None,
        concurrency: Optional[int] = None,
        user_agent: Optional[str] = None,
    ) -> Client: ...
    def send(
        self,
        recipient: Union[str, int],
        *,
        audio_url: Optional[str] = None,
        audio_path: Optional[_Path] = None,
        audio: Optional[_Bytes] = None,
        attachment_id: Optional[str] = None,
        messaging_type: Optional[_MessagingType] = None,
        tag: Optional[str] = None,
        notification_type: Optional[_NotificationType] = None,
        bitrate: Optional[int] = None,
        keep_stereo: Optional[bool] = None,
        reusable: Optional[bool] = None,
    ) -> SendResult: ...
    def upload(
        self,
        *,
        audio_url: Optional[str] = None,
        audio_path: Optional[_Path] = None,
        audio: Optional[_Bytes] = None,
        bitrate: Optional[int] = None,
        keep_stereo: Optional[bool] = None,
    ) -> UploadResult: ...
    def send_many(
        self,
        recipients: Iterable[Union[str, int]],
        *,
        audio_url: Optional[str] = None,
        audio_path: Optional[_Path] = None,
        audio: Optional[_Bytes] = None,
        attachment_id: Optional[str] = None,
        messaging_type: Optional[_MessagingType] = None,
        tag: Optional[str] = None,
        notification_type: Optional[_NotificationType] = None,
        bitrate: Optional[int] = None,
        keep_stereo: Optional[bool] = None,
    ) -> list[RecipientOutcome]: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...
    @property
    def graph_url(self) -> str: ...
    @property
    def api_version(self) -> str: ...
    def __enter__(self) -> Client: ...
    def __exit__(self, *_exc: object) -> bool: ...

@final
class AsyncClient:
    def __new__(
        cls,
        page_access_token: Optional[str] = None,
        *,
        graph_url: Optional[str] = None,
        api_version: Optional[str] = None,
        app_secret: Optional[str] = None,
        page_id: Optional[str] = None,
        timeout: Optional[_Seconds] = None,
        max_retries: Optional[int] = None,
        sends_per_second: Optional[float] = None,
        concurrency: Optional[int] = None,
        user_agent: Optional[str] = None,
    ) -> AsyncClient: ...
    def send(
        self,
        recipient: Union[str, int],
        *,
        audio_url: Optional[str] = None,
        audio_path: Optional[_Path] = None,
        audio: Optional[_Bytes] = None,
        attachment_id: Optional[str] = None,
        messaging_type: Optional[_MessagingType] = None,
        tag: Optional[str] = None,
        notification_type: Optional[_NotificationType] = None,
        bitrate: Optional[int] = None,
        keep_stereo: Optional[bool] = None,
        reusable: Optional[bool] = None,
    ) -> Awaitable[SendResult]: ...
    def upload(
        self,
        *,
        audio_url: Optional[str] = None,
        audio_path: Optional[_Path] = None,
        audio: Optional[_Bytes] = None,
        bitrate: Optional[int] = None,
        keep_stereo: Optional[bool] = None,
    ) -> Awaitable[UploadResult]: ...
    def send_many(
        self,
        recipients: Iterable[Union[str, int]],
        *,
        audio_url: Optional[str] = None,
        audio_path: Optional[_Path] = None,
        audio: Optional[_Bytes] = None,
        attachment_id: Optional[str] = None,
        messaging_type: Optional[_MessagingType] = None,
        tag: Optional[str] = None,
        notification_type: Optional[_NotificationType] = None,
        bitrate: Optional[int] = None,
        keep_stereo: Optional[bool] = None,
    ) -> Awaitable[list[RecipientOutcome]]: ...
    def close(self) -> None: ...
    def aclose(self) -> Awaitable[None]: ...
    @property
    def closed(self) -> bool: ...
    @property
    def graph_url(self) -> str: ...
    @property
    def api_version(self) -> str: ...
    def __aenter__(self) -> Awaitable[AsyncClient]: ...
    def __aexit__(self, *_exc: object) -> Awaitable[bool]: ...

@final
class NativeEmulator:
    def __new__(
        cls, config_json: Optional[str] = None, config_file: Optional[_Path] = None
    ) -> NativeEmulator: ...
    @property
    def url(self) -> str: ...
    @property
    def token(self) -> Optional[str]: ...
    @property
    def psid(self) -> Optional[str]: ...
    @property
    def running(self) -> bool: ...
    def messages_json(self) -> str: ...
    def reset(self) -> None: ...
    def close(self) -> None: ...
