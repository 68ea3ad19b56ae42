"""The public calls of the package, written once: ``send``/``send_async``, ``Client``/
``AsyncClient``, ``transcode``/``probe``. Each is a thin Python function over ``svara._native``
(one native ``Client`` with a blocking and an awaitable form of every call); the keyword
arguments are typed by ``svara._types`` (generated from the core's field table) and checked by
the core, so nothing here lists a field.

The asyncio forms are real coroutine functions: calling one needs no running event loop, the
work starts when it is awaited, and cancelling the awaiting task cancels the Rust future (a
voice note whose request was not written yet is not sent).
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, TypeVar, Union

from svara import _native
from svara._types import Bytes, PathLike
from svara.results import AudioInfo, RecipientOutcome, SendResult, UploadResult

if TYPE_CHECKING:  # pragma: no cover - typing only
    from typing_extensions import Unpack

    from svara._types import (
        ClientOptions,
        MessageOptions,
        SendManyOptions,
        SendOptions,
        TranscodeOptions,
        UploadOptions,
    )

__all__ = ["send", "send_async", "Client", "AsyncClient", "transcode", "probe"]

_C = TypeVar("_C", bound="_ClientBase")


def send(**request: Unpack[SendOptions]) -> SendResult:
    """Sends one voice note to a Messenger user and returns its ``SendResult``.

    The keywords are the documented request body: ``platform="messenger"``, ``recipient`` (the
    person's Page-Scoped ID), exactly one of ``audio_url``, ``audio_path``, ``audio`` (bytes or
    a binary file object) or ``attachment_id``, and ``session={"page_access_token": ...}``
    (``META_PAGE_TOKEN`` when absent; the Graph URL is ``graph_url`` or ``SVARA_GRAPH_URL``),
    plus the options of the README's request reference. ``result.id`` (``result["id"]``) is
    the message id.

    Blocks the calling thread without holding the GIL; Ctrl-C interrupts it. Raises a
    ``svara.SvaraError`` subclass, or ``TypeError`` for a keyword ``send`` does not take.
    """
    return SendResult._from_wire(_native.send(request))


async def send_async(**request: Unpack[SendOptions]) -> SendResult:
    """The asyncio form of ``send()``: ``result = await svara.send_async(...)``, same keywords.

    ``asyncio.run(svara.send_async(...))`` works; any number of calls may be in flight from
    many tasks. Bad arguments raise when the coroutine is awaited.
    """
    return SendResult._from_wire(await _native.send(request, True))


def transcode(data_or_path: Union[Bytes, PathLike], **options: Unpack[TranscodeOptions]) -> bytes:
    """Converts a recording to the M4A/AAC bytes Messenger plays as a voice note.

    ``data_or_path`` is bytes, a binary file object, or a path. M4A/AAC input comes back byte
    for byte; anything else is decoded and encoded as AAC-LC (``bitrate``, default 64000 b/s,
    mono unless ``keep_stereo``; ``fast_encode`` for about twice the speed). ``max_duration``
    (seconds) refuses longer recordings. Raises ``UnsupportedAudioError`` or
    ``AudioTooLargeError``.
    """
    data: bytes = _native.transcode(data_or_path, options)
    return data


def probe(data_or_path: Union[Bytes, PathLike]) -> AudioInfo:
    """Detects what a recording is, by content: container, codec, rate, channels, duration, size.

    ``data_or_path`` is bytes, a binary file object, or a path. Raises ``UnsupportedAudioError``
    naming what was found when it is not decodable audio.
    """
    info = AudioInfo._from_wire(_native.probe(data_or_path))
    assert info is not None
    return info


class _ClientBase:
    """What ``Client`` and ``AsyncClient`` share: the configuration and the connection pool."""

    __slots__ = ("_native",)

    def __init__(self, page_access_token: Optional[str] = None, **options: Unpack[ClientOptions]) -> None:
        given: Dict[str, Any] = dict(options)
        if page_access_token is not None:
            given["page_access_token"] = page_access_token
        self._native = _native.Client(given)

    @property
    def closed(self) -> bool:
        """True after ``close()``."""
        return self._native.closed

    @property
    def graph_url(self) -> str:
        """The Graph base URL in use."""
        return self._native.graph_url

    @property
    def api_version(self) -> str:
        """The Graph API version in use."""
        return self._native.api_version

    def close(self) -> None:
        """Closes the connection pool; later calls raise ``InvalidRequestError``."""
        self._native.close()

    def __repr__(self) -> str:
        native = getattr(self, "_native", None)
        if native is None:
            return f"{type(self).__name__}(not configured)"
        text: str = native.describe(type(self).__name__)
        return text


class Client(_ClientBase):
    """A Send API client for one Page: configuration and connection pool kept across calls.

    ``Client(page_access_token=None, *, graph_url=..., app_secret=..., timeout=...,
    max_retries=..., sends_per_second=..., concurrency=..., user_agent=...)``; the token
    defaults to ``META_PAGE_TOKEN``, the URL to ``SVARA_GRAPH_URL``. Use it in a ``with``
    block, or call ``close()``.
    """

    __slots__ = ()

    def send(self, recipient: Union[str, int], **options: Unpack[MessageOptions]) -> SendResult:
        """Sends one voice note to ``recipient``; pass exactly one audio source."""
        return SendResult._from_wire(self._native.send(recipient, options))

    def upload(self, **options: Unpack[UploadOptions]) -> UploadResult:
        """Uploads the audio once as a reusable attachment; send it later with ``attachment_id=``."""
        return UploadResult._from_wire(self._native.upload(options))

    def send_many(
        self, recipients: Iterable[Union[str, int]], **options: Unpack[SendManyOptions]
    ) -> List[RecipientOutcome]:
        """Uploads once, then sends to every recipient (rate-limited, in parallel).

        Returns one ``RecipientOutcome`` per recipient, in order; a failure for some is not an
        exception.
        """
        return [RecipientOutcome._from_wire(o) for o in self._native.send_many(recipients, options)]

    def __enter__(self: _C) -> _C:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncClient(_ClientBase):
    """The asyncio form of ``Client``: the same calls as coroutines, ``async with`` and ``aclose()``."""

    __slots__ = ()

    async def send(self, recipient: Union[str, int], **options: Unpack[MessageOptions]) -> SendResult:
        """``await client.send(recipient, audio_url=...)``: see ``Client.send``."""
        return SendResult._from_wire(await self._native.send(recipient, options, True))

    async def upload(self, **options: Unpack[UploadOptions]) -> UploadResult:
        """``await client.upload(audio_path=...)``: see ``Client.upload``."""
        return UploadResult._from_wire(await self._native.upload(options, True))

    async def send_many(
        self, recipients: Iterable[Union[str, int]], **options: Unpack[SendManyOptions]
    ) -> List[RecipientOutcome]:
        """``await client.send_many([...], audio_path=...)``: see ``Client.send_many``."""
        return [RecipientOutcome._from_wire(o) for o in await self._native.send_many(recipients, options, True)]

    async def aclose(self) -> None:
        """The awaitable form of ``close()``."""
        self.close()

    async def __aenter__(self: _C) -> _C:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()


def _keywords(operation: str, skip: Iterable[str] = ()) -> List[inspect.Parameter]:
    """The keyword-only parameters of an operation, from the core's field table."""
    skipped = set(skip)
    return [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None)
        for name in _native.fields(operation)
        if name not in skipped
    ]


def _sign(func: Any, leading: List[inspect.Parameter], operation: str, skip: Iterable[str] = ()) -> None:
    """Gives ``func`` the full signature ``help()`` and ``inspect.signature`` show."""
    func.__signature__ = inspect.Signature(leading + _keywords(operation, skip))


_POS = inspect.Parameter.POSITIONAL_OR_KEYWORD
_SELF = inspect.Parameter("self", _POS)
_sign(send, [], "send")
_sign(send_async, [], "send")
_sign(transcode, [inspect.Parameter("data_or_path", _POS)], "transcode")
for _cls in (Client, AsyncClient):
    _cls.__module__ = "svara"
    _sign(_cls.send, [_SELF, inspect.Parameter("recipient", _POS)], "client_send", ["recipient"])
    _sign(_cls.upload, [_SELF], "upload")
    _sign(_cls.send_many, [_SELF, inspect.Parameter("recipients", _POS)], "send_many")
_sign(
    _ClientBase.__init__,
    [_SELF, inspect.Parameter("page_access_token", _POS, default=None)],
    "client",
    ["page_access_token"],
)
for _f in (send, send_async, transcode, probe):
    _f.__module__ = "svara"
