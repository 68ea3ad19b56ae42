"""Svara's exceptions: one class per documented error code, all subclasses of `SvaraError`.

The codes are the same strings in Python, Node and Rust (``tests/error_codes.json``)::

    try:
        svara.send(...)
    except svara.RateLimitedError as e:
        time.sleep(e.retry_after or 1)
    except svara.SvaraError as e:
        log.error("voice note failed: %s (code=%s, fbtrace_id=%s)", e, e.code, e.fbtrace_id)

Every exception pickles with its attributes (multiprocessing, task queues) and never holds a
token (Page, Instagram, WhatsApp or Telegram bot).
"""

from __future__ import annotations

import inspect
from typing import Any, Dict, Optional, Tuple, Type

__all__ = [
    "SvaraError",
    "InvalidTokenError",
    "RecipientNotFoundError",
    "MessageNotAllowedError",
    "AudioTooLargeError",
    "AudioFetchFailedError",
    "RateLimitedError",
    "UnsupportedAudioError",
    "InvalidRequestError",
    "PermissionDeniedError",
    "TemporaryFailureError",
    "NetworkError",
    "ApiError",
    "error_class_for",
]


def _default_hint(code: str) -> Optional[str]:
    try:
        from svara._native import error_hint
    except ImportError:  # pragma: no cover - only while the native module is missing
        return None
    return error_hint(code)


class SvaraError(Exception):
    """Base class of every Svara failure.

    Attributes:
        code: the documented error code, e.g. ``"rate_limited"``.
        message: what went wrong.
        hint: what to do about it.
        http_status: HTTP status of the platform's response, when there was one.
        platform: the platform whose call failed ("messenger", "instagram", "whatsapp",
            "telegram"), when one did.
        platform_code, platform_message: the platform's own error code and text (Graph
            ``error.code``/``error.message``, Telegram's ``error_code``/``description``).
        graph_code, graph_subcode, graph_type, graph_message: Meta's ``error.code``,
            ``error.error_subcode``, ``error.type`` and ``error.message``, when Meta produced it.
        fbtrace_id: Meta's trace id, to quote when reporting a problem to Meta.
        is_transient: Meta's ``error.is_transient``, when sent.
        retry_after: seconds to wait before trying again, when known.
        may_have_been_delivered: for network errors after the request was sent: the voice note
            may have arrived, so check before resending.
    """

    code: str = "api_error"

    def __init__(
        self,
        message: str,
        *,
        code: Optional[str] = None,
        hint: Optional[str] = None,
        http_status: Optional[int] = None,
        platform: Optional[str] = None,
        platform_code: Optional[int] = None,
        platform_message: Optional[str] = None,
        graph_code: Optional[int] = None,
        graph_subcode: Optional[int] = None,
        graph_type: Optional[str] = None,
        graph_message: Optional[str] = None,
        fbtrace_id: Optional[str] = None,
        is_transient: Optional[bool] = None,
        retry_after: Optional[float] = None,
        may_have_been_delivered: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or type(self).code
        self.hint = hint if hint is not None else _default_hint(self.code)
        self.http_status = http_status
        self.platform = platform
        self.platform_code = platform_code
        self.platform_message = platform_message
        self.graph_code = graph_code
        self.graph_subcode = graph_subcode
        self.graph_type = graph_type
        self.graph_message = graph_message
        self.fbtrace_id = fbtrace_id
        self.is_transient = is_transient
        self.retry_after = retry_after
        self.may_have_been_delivered = may_have_been_delivered

    def __str__(self) -> str:
        if self.hint and self.code != "invalid_request":
            return f"{self.message} {self.hint}"
        return self.message

    def __repr__(self) -> str:
        fields = [f"code={self.code!r}", f"message={self.message!r}"]
        for name in ("http_status", "platform", "platform_code", "graph_code", "graph_subcode", "fbtrace_id", "retry_after"):
            value = getattr(self, name)
            if value is not None:
                fields.append(f"{name}={value!r}")
        if self.may_have_been_delivered:
            fields.append("may_have_been_delivered=True")
        return f"{type(self).__name__}({', '.join(fields)})"

    def to_dict(self) -> Dict[str, Any]:
        """The error's fields as a dict (for logs and JSON APIs)."""
        return {
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
            "http_status": self.http_status,
            "platform": self.platform,
            "platform_code": self.platform_code,
            "platform_message": self.platform_message,
            "graph_code": self.graph_code,
            "graph_subcode": self.graph_subcode,
            "graph_type": self.graph_type,
            "graph_message": self.graph_message,
            "fbtrace_id": self.fbtrace_id,
            "is_transient": self.is_transient,
            "retry_after": self.retry_after,
            "may_have_been_delivered": self.may_have_been_delivered,
        }

    def __reduce__(self) -> Tuple[Any, ...]:
        state = self.to_dict()
        message = state.pop("message")
        return (_rebuild, (type(self), message, state))


def _rebuild(cls: Type[SvaraError], message: str, state: Dict[str, Any]) -> SvaraError:
    return cls(message, **state)


class InvalidTokenError(SvaraError):
    """The Page access token is invalid, expired or revoked (Graph 190)."""

    code = "invalid_token"


class RecipientNotFoundError(SvaraError):
    """No Messenger user matches the recipient PSID for this Page (Graph 100/2018001)."""

    code = "recipient_not_found"


class MessageNotAllowedError(SvaraError):
    """Meta refused delivery: 24-hour window closed, blocked, unavailable or restricted."""

    code = "message_not_allowed"


class AudioTooLargeError(SvaraError):
    """The audio is over Messenger's 25 MB (26,214,400 bytes) limit."""

    code = "audio_too_large"


class AudioFetchFailedError(SvaraError):
    """The audio could not be obtained from the URL or path given."""

    code = "audio_fetch_failed"


class RateLimitedError(SvaraError):
    """Meta's rate limit for this Page or app was reached; see ``retry_after``."""

    code = "rate_limited"


class UnsupportedAudioError(SvaraError):
    """The input is not audio Svara can decode (or Meta refused the file as not playable)."""

    code = "unsupported_audio"


class InvalidRequestError(SvaraError, ValueError):
    """The call is malformed: a missing, conflicting or wrongly typed argument.

    Also a ``ValueError``, so code that validates input generically catches it.
    """

    code = "invalid_request"


class PermissionDeniedError(SvaraError):
    """The app may not message this person (app not live, ``pages_messaging`` not approved)."""

    code = "permission_denied"


class TemporaryFailureError(SvaraError):
    """Meta reported a temporary failure that persisted after the automatic retries."""

    code = "temporary_failure"


class NetworkError(SvaraError):
    """The Graph API could not be reached, or the connection failed or timed out.

    Check ``may_have_been_delivered`` before resending.
    """

    code = "network_error"


class ApiError(SvaraError):
    """Meta returned an error Svara has no specific code for; the Graph fields are kept."""

    code = "api_error"


#: The class of each code: the subclasses defined above (one per code of the core).
_BY_CODE: Dict[str, Type[SvaraError]] = {cls.code: cls for cls in SvaraError.__subclasses__()}


def error_class_for(code: str) -> Type[SvaraError]:
    """The exception class for a documented error code (``SvaraError`` for an unknown one)."""
    return _BY_CODE.get(code, SvaraError)


_ATTRIBUTES = frozenset(inspect.signature(SvaraError.__init__).parameters) - {"self", "message"}


def _from_wire(data: Dict[str, Any]) -> SvaraError:
    """The exception for the core's error wire shape (``serde_json::to_value(&error)``).

    Keys this version does not know (a newer core) are ignored rather than refused.
    """
    code = str(data.get("code") or "api_error")
    known = {k: v for k, v in data.items() if k in _ATTRIBUTES}
    err = error_class_for(code)(str(data.get("message") or "Svara failed without a message."), **known)
    return err
