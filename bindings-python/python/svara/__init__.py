"""Svara: send any voice recording to a Facebook Messenger user as a native voice note.

    import os, svara
    result = svara.send(
        platform="messenger",
        recipient="6128493027184956",
        audio_url="https://cdn.example.com/notes/update.m4a",
        session={"page_access_token": os.environ["META_PAGE_TOKEN"]},
    )
    print(f"Voice note sent: {result['id']}")   # result.id works too

- ``send(...)`` blocks without holding the GIL; ``await send_async(...)`` is the asyncio form
  (a real coroutine function: ``asyncio.run(svara.send_async(...))`` works).
- ``Client`` / ``AsyncClient`` keep the configuration and connection pool across calls and add
  ``upload`` (reusable attachment) and ``send_many`` (upload once, send to many).
- ``transcode`` and ``probe`` expose the audio engine on its own.
- Failures raise a ``SvaraError`` subclass whose ``code`` is the documented string.
- ``META_PAGE_TOKEN`` and ``SVARA_GRAPH_URL`` are read when the call does not give them.
- Logs go to the standard ``logging`` logger ``"svara"``; the token never appears in them.
- ``svara.testing.Emulator`` runs Svara's Graph API emulator for tests without a Meta account.
"""

from __future__ import annotations

import logging as _logging

from svara._api import AsyncClient, Client, probe, send, send_async, transcode
from svara._native import (
    DEFAULT_API_VERSION,
    DEFAULT_GRAPH_URL,
    ERROR_CODES,
    MAX_AUDIO_BYTES,
    SUPPORTED_PLATFORMS,
    __version__,
)
from svara._types import *  # noqa: F403 - the typed keyword arguments (SendOptions, ...)
from svara._types import __all__ as _typed_arguments
from svara.results import AudioInfo, RecipientOutcome, SendResult, UploadResult
from svara.errors import *  # noqa: F403 - SvaraError and one subclass per error code
from svara.errors import __all__ as _errors
from svara import webhooks as webhooks  # pure Python: verify svara serve's signed webhooks

# A library adds no handlers of its own: the application decides where "svara" logs go.
_logging.getLogger("svara").addHandler(_logging.NullHandler())

__all__ = [
    "__version__",
    "send",
    "send_async",
    "Client",
    "AsyncClient",
    "transcode",
    "probe",
    "SendResult",
    "UploadResult",
    "RecipientOutcome",
    "AudioInfo",
    "webhooks",
    *_typed_arguments,
    *_errors,
    "ERROR_CODES",
    "SUPPORTED_PLATFORMS",
    "MAX_AUDIO_BYTES",
    "DEFAULT_GRAPH_URL",
    "DEFAULT_API_VERSION",
]
