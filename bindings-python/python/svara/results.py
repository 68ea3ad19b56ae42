"""What the calls return: immutable objects with attributes, ``result["id"]`` like the documented
JSON, ``to_dict()`` and a readable ``repr``. They are built from the core's serialized results
(``serde_json`` of ``svara::SendResult``, ...), so their keys are the documented ones in every
language; they compare equal by value and pickle.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, cast

__all__ = ["AudioInfo", "SendResult", "UploadResult", "RecipientOutcome"]


class _Fields:
    """``obj["key"]``, ``"key" in obj``, ``obj.get("key")`` and ``to_dict()`` for a dataclass."""

    __slots__ = ()

    def to_dict(self) -> Dict[str, Any]:
        """The fields as a dict (nested results as dicts too), with the documented keys."""
        fields: Dict[str, Any] = dataclasses.asdict(cast(Any, self))
        return fields

    def __getitem__(self, key: str) -> Any:
        fields = self.to_dict()
        if key not in fields:
            raise KeyError(f"{key!r} (available: {', '.join(fields)})")
        return fields[key]

    def __contains__(self, key: object) -> bool:
        return key in self.to_dict()

    def get(self, key: str, default: Any = None) -> Any:
        """``result.get("id")``, like a dict."""
        return self.to_dict().get(key, default)


@dataclass(frozen=True, repr=False)
class AudioInfo(_Fields):
    """What a recording is, detected from its content (the same keys as ``svara probe --json``)."""

    #: Container: "mp4", "mp3", "ogg", "webm", "wav", "flac", ...
    container: str
    #: Codec: "aac-lc", "mp3", "opus", "vorbis", "pcm_s16le", ...
    codec: str
    #: Sample rate in Hz.
    sample_rate: int
    #: Channel count.
    channels: int
    #: Duration in milliseconds.
    duration_ms: int
    #: Size of the file in bytes.
    size_bytes: int

    @property
    def duration(self) -> float:
        """Duration in seconds."""
        return self.duration_ms / 1000

    @classmethod
    def _from_wire(cls, data: Optional[Mapping[str, Any]]) -> Optional["AudioInfo"]:
        return None if data is None else cls(**data)

    def __repr__(self) -> str:
        return (
            f"AudioInfo(container={self.container!r}, codec={self.codec!r}, sample_rate={self.sample_rate}, "
            f"channels={self.channels}, duration_ms={self.duration_ms}, size_bytes={self.size_bytes})"
        )


@dataclass(frozen=True, repr=False)
class SendResult(_Fields):
    """A delivered voice note: ``result.id`` / ``result["id"]`` is the message id."""

    #: The message id (the documented ``result["id"]``; same as ``message_id``).
    id: str
    #: The platform's message id: Messenger/Instagram ``message_id``, WhatsApp ``wamid.…``,
    #: Telegram's per-chat ``message_id``.
    message_id: str
    #: The recipient as the platform names it: ``recipient_id`` (Meta), ``wa_id`` (WhatsApp),
    #: ``chat.id`` (Telegram).
    recipient_id: Optional[str]
    #: The reusable id of the audio, when one was asked for, returned or used: a Messenger or
    #: Instagram attachment id, a WhatsApp media id, a Telegram ``file_id``.
    attachment_id: Optional[str]
    #: True when the audio was converted; False when passed through or sent by id.
    converted: bool
    #: The audio as received (None when sent by attachment id).
    input: Optional[AudioInfo]
    #: The audio as uploaded (None when sent by attachment id).
    output: Optional[AudioInfo]
    #: The platform it went to: "messenger", "instagram", "whatsapp" or "telegram".
    platform: str = "messenger"
    #: WhatsApp: whether the note is small enough (512 KB) for the inline play button; None
    #: elsewhere, or when the size is not known (sent by id).
    fits_inline_player: Optional[bool] = None

    @classmethod
    def _from_wire(cls, data: Mapping[str, Any]) -> "SendResult":
        fields = dict(data)
        fields["input"] = AudioInfo._from_wire(fields.get("input"))
        fields["output"] = AudioInfo._from_wire(fields.get("output"))
        return cls(**fields)

    def __repr__(self) -> str:
        audio = ""
        if self.input is not None and self.output is not None:
            i, o = self.input, self.output
            audio = f", audio={i.container}/{i.codec} {i.duration:.1f}s -> {o.container}/{o.codec} {o.size_bytes} bytes"
        return (
            f"SendResult(id={self.id!r}, recipient_id={self.recipient_id!r}, platform={self.platform!r}, "
            f"attachment_id={self.attachment_id!r}, converted={self.converted}{audio})"
        )


@dataclass(frozen=True, repr=False)
class UploadResult(_Fields):
    """Audio stored at the platform for reuse, from ``Client.upload()``."""

    #: The reusable id: send it with ``attachment_id=...`` (a Messenger or Instagram attachment
    #: id for 90 days from this Page or account, a WhatsApp media id for 30 days).
    attachment_id: str
    #: True when the audio was converted.
    converted: bool
    #: The audio as received.
    input: AudioInfo
    #: The audio as uploaded.
    output: AudioInfo
    #: The platform it was uploaded to.
    platform: str = "messenger"
    #: WhatsApp: whether the note is small enough (512 KB) for the inline play button.
    fits_inline_player: Optional[bool] = None

    @classmethod
    def _from_wire(cls, data: Mapping[str, Any]) -> "UploadResult":
        fields = dict(data)
        fields["input"] = AudioInfo(**fields["input"])
        fields["output"] = AudioInfo(**fields["output"])
        return cls(**fields)

    def __str__(self) -> str:
        return self.attachment_id

    def __repr__(self) -> str:
        o = self.output
        return (
            f"UploadResult(attachment_id={self.attachment_id!r}, converted={self.converted}, "
            f"output={o.container}/{o.codec} {o.size_bytes} bytes)"
        )


@dataclass(frozen=True, repr=False, eq=False)
class RecipientOutcome:
    """The outcome of ``send_many`` for one recipient: ``result`` or ``error``, never both."""

    #: The recipient as given.
    recipient: str
    #: The delivered voice note, or None when this recipient failed.
    result: Optional[SendResult]
    #: The ``SvaraError`` for this recipient, or None when it was delivered.
    error: Optional[Exception]

    @classmethod
    def _from_wire(cls, data: Mapping[str, Any]) -> "RecipientOutcome":
        from svara.errors import _from_wire as error_from_wire

        result = data.get("result")
        error = data.get("error")
        return cls(
            recipient=str(data["recipient"]),
            result=None if result is None else SendResult._from_wire(result),
            error=None if error is None else error_from_wire(error),
        )

    @property
    def ok(self) -> bool:
        """True when the voice note was delivered to this recipient."""
        return self.result is not None

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        if self.result is not None:
            return f"RecipientOutcome(recipient={self.recipient!r}, ok=True, id={self.result.id!r})"
        if self.error is not None:
            code = getattr(self.error, "code", "api_error")
            return f"RecipientOutcome(recipient={self.recipient!r}, ok=False, error={type(self.error).__name__}({code!r}))"
        return f"RecipientOutcome(recipient={self.recipient!r}, ok=False)"


for _cls in (AudioInfo, SendResult, UploadResult, RecipientOutcome):
    _cls.__module__ = "svara"
