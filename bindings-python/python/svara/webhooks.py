"""Verify the signed webhooks of the Svara API server (``svara serve``).

Every event the server posts carries ``Svara-Signature: t=UNIX_SECONDS,v1=HEX[,v1=HEX...]``
(Stripe's scheme): each ``v1`` is the lowercase hex HMAC-SHA256, keyed with the endpoint's
secret (the whole ``whsec_...`` string), of ``"{t}.{raw_body}"``. During a secret rotation
there is one ``v1`` per live secret. ``Svara-Event-Id`` is the same for every retry of one
event: de-duplicate on it.

    import svara

    @app.post("/svara-webhook")
    def hook():
        event = svara.webhooks.verify(request.get_data(), request.headers["Svara-Signature"], SECRET)
        print(event["event"], event["data"]["status"])
        return "", 200

Pure Python (no native code); the same scheme as ``svara::webhooks`` in Rust and
``verifyWebhook`` in Node, checked against the shared ``tests/webhook_vectors.json``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any, Dict, Iterable, Optional, Union

__all__ = [
    "DEFAULT_TOLERANCE",
    "ERROR_CODES",
    "EVENT_ID_HEADER",
    "SIGNATURE_HEADER",
    "WebhookVerificationError",
    "generate_test_header",
    "parse_header",
    "sign",
    "verify",
    "verify_header",
]

#: The header carrying the signature.
SIGNATURE_HEADER = "Svara-Signature"
#: The header carrying the event id.
EVENT_ID_HEADER = "Svara-Event-Id"
#: Seconds a timestamp may be away from this machine's clock, by default.
DEFAULT_TOLERANCE = 300
#: The documented codes of :class:`WebhookVerificationError`.
ERROR_CODES = (
    "missing_header",
    "invalid_header",
    "timestamp_out_of_tolerance",
    "invalid_signature",
)

_MESSAGES = {
    "missing_header": "No Svara-Signature header: pass the header of the request exactly as received.",
    "invalid_header": "The Svara-Signature header is malformed (expected t=UNIX_SECONDS,v1=HEX): pass the header exactly as received.",
    "invalid_signature": "No signature matches: check the endpoint's secret (whsec_...), and verify the raw request body, not a re-serialized copy of the parsed JSON.",
}

Payload = Union[bytes, bytearray, memoryview, str]


class WebhookVerificationError(ValueError):
    """A webhook did not verify; ``code`` is one of :data:`ERROR_CODES`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"WebhookVerificationError(code={self.code!r}, message={self.message!r})"


def _fail(code: str) -> WebhookVerificationError:
    return WebhookVerificationError(code, _MESSAGES[code])


def _bytes(payload: Payload) -> bytes:
    if isinstance(payload, str):
        return payload.encode("utf-8")
    if isinstance(payload, (bytes, bytearray, memoryview)):
        return bytes(payload)
    raise TypeError(
        "payload must be the raw request body (bytes or str), e.g. request.get_data() in "
        "Flask or await request.body() in Starlette, not the parsed JSON"
    )


def _key(secret: str) -> bytes:
    if not isinstance(secret, str) or not secret:
        raise TypeError("secret must be the endpoint's signing secret (a whsec_... string)")
    return secret.encode("utf-8")


def sign(payload: Payload, secret: str, timestamp: int) -> str:
    """The ``v1`` signature of ``payload`` at ``timestamp`` (lowercase hex)."""
    msg = str(int(timestamp)).encode("ascii") + b"." + _bytes(payload)
    return hmac.new(_key(secret), msg, hashlib.sha256).hexdigest()


def generate_test_header(
    payload: Payload, secret: Union[str, Iterable[str]], timestamp: Optional[int] = None
) -> str:
    """A ``Svara-Signature`` value for tests of your receiver (one ``v1`` per secret)."""
    secrets = [secret] if isinstance(secret, str) else list(secret)
    t = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={t}" + "".join(f",v1={sign(payload, s, t)}" for s in secrets)


def parse_header(header: Optional[str]) -> "tuple[int, list[str]]":
    """``(timestamp, [v1, ...])`` of a header; raises :class:`WebhookVerificationError`."""
    if header is None or not str(header).strip():
        raise _fail("missing_header")
    timestamp: Optional[int] = None
    signatures = []
    for part in str(header).split(","):
        if "=" not in part:
            continue
        k, v = part.split("=", 1)
        k, v = k.strip(), v.strip()
        if k == "t":
            if timestamp is not None or not v.isascii() or not v.isdigit():
                raise _fail("invalid_header")
            timestamp = int(v)
        elif k == "v1":
            signatures.append(v)
    if timestamp is None or not signatures:
        raise _fail("invalid_header")
    return timestamp, signatures


def _matches(expected: bytes, given: str) -> bool:
    try:
        raw = bytes.fromhex(given)
    except ValueError:
        return False
    return hmac.compare_digest(expected, raw)


def verify_header(
    payload: Payload,
    header: Optional[str],
    secret: str,
    tolerance: float = DEFAULT_TOLERANCE,
    *,
    now: Optional[float] = None,
) -> None:
    """Checks ``header`` against ``payload`` and ``secret``; raises on failure.

    ``tolerance`` (seconds, default 300) bounds how far the timestamp may be from ``now``
    (this machine's clock unless given, for tests) in either direction. Signatures are compared
    in constant time.
    """
    # Mistakes in the call (a parsed body, a missing secret, no tolerance) are TypeError /
    # ValueError before any verification result, so they are never mistaken for a bad webhook.
    raw = _bytes(payload)
    key = _key(secret)
    if not tolerance or tolerance <= 0:
        raise ValueError("tolerance must be a positive number of seconds (default 300)")
    timestamp, signatures = parse_header(header)
    clock = time.time() if now is None else now
    skew = abs(int(clock) - timestamp)
    if skew > tolerance:
        raise WebhookVerificationError(
            "timestamp_out_of_tolerance",
            f"The webhook's timestamp is {skew} s away from this machine's clock, beyond the "
            f"tolerance of {int(tolerance)} s: it may be a replay (or this clock is wrong).",
        )
    msg = str(timestamp).encode("ascii") + b"." + raw
    expected = hmac.new(key, msg, hashlib.sha256).digest()
    if not any(_matches(expected, s) for s in signatures):
        raise _fail("invalid_signature")


def verify(
    payload: Payload,
    header: Optional[str],
    secret: str,
    tolerance: float = DEFAULT_TOLERANCE,
    *,
    now: Optional[float] = None,
) -> Dict[str, Any]:
    """Verifies a webhook and returns the parsed event
    (``{"id": "evt_...", "event": "voice_note.sent", "created_at", "data": {...}}``).

    ``payload`` is the raw request body (bytes or str), ``header`` the ``Svara-Signature``
    value, ``secret`` the endpoint's ``whsec_...`` secret. Raises
    :class:`WebhookVerificationError` (``code`` in :data:`ERROR_CODES`) when it does not verify.
    """
    verify_header(payload, header, secret, tolerance, now=now)
    event: Dict[str, Any] = json.loads(_bytes(payload))
    return event
