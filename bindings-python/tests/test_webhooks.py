"""svara.webhooks: the signature scheme of svara serve's webhooks, checked against the vectors the
Rust and Node helpers check too (tests/webhook_vectors.json), so the three cannot drift."""

from __future__ import annotations

import json
import time
from typing import Any, Dict, List

import pytest

import svara
from svara import webhooks

from conftest import ROOT

VECTORS: Dict[str, Any] = json.loads((ROOT / "tests" / "webhook_vectors.json").read_text("utf-8"))


def test_exposed_on_the_package() -> None:
    assert svara.webhooks.verify is webhooks.verify
    assert webhooks.SIGNATURE_HEADER == "Svara-Signature"
    assert webhooks.EVENT_ID_HEADER == "Svara-Event-Id"
    assert webhooks.DEFAULT_TOLERANCE == 300
    assert list(webhooks.ERROR_CODES) == VECTORS["error_codes"]


@pytest.mark.parametrize("case", VECTORS["signing"], ids=lambda c: str(c["timestamp"]))
def test_signs_like_the_vectors(case: Dict[str, Any]) -> None:
    assert webhooks.sign(case["payload"], case["secret"], case["timestamp"]) == case["signature"]
    assert webhooks.sign(case["payload"].encode(), case["secret"], case["timestamp"]) == case["signature"]
    if "header" in case:
        got = webhooks.generate_test_header(case["payload"], case["header_secrets"], case["timestamp"])
        assert got == case["header"]


@pytest.mark.parametrize("case", VECTORS["verify"], ids=lambda c: c["name"])
def test_verifies_like_the_vectors(case: Dict[str, Any]) -> None:
    args = (case["payload"].encode("utf-8"), case["header"], case["secret"], case["tolerance"])
    if "error" not in case:
        webhooks.verify_header(*args, now=case["now"])
        event = webhooks.verify(*args, now=case["now"])
        assert event["event"] == "voice_note.delivered"
        return
    with pytest.raises(webhooks.WebhookVerificationError) as info:
        webhooks.verify(*args, now=case["now"])
    assert info.value.code == case["error"]
    assert case["secret"] not in str(info.value)


def test_wrong_secret_stale_timestamp_and_altered_body_fail() -> None:
    secret = "whsec_pythonReceiverSecret"
    body = b'{"id":"evt_1","event":"voice_note.sent","created_at":"2026-03-14T12:00:00Z","data":{"status":"sent"}}'
    header = webhooks.generate_test_header(body, secret)
    assert webhooks.verify(body, header, secret)["data"]["status"] == "sent"
    codes: List[str] = []
    for args in (
        (body, header, "whsec_another"),
        (body.replace(b"sent", b"read"), header, secret),
        (body, webhooks.generate_test_header(body, secret, int(time.time()) - 301), secret),
        (body, None, secret),
    ):
        with pytest.raises(webhooks.WebhookVerificationError) as info:
            webhooks.verify(*args)  # type: ignore[arg-type]
        codes.append(info.value.code)
    assert codes == ["invalid_signature", "invalid_signature", "timestamp_out_of_tolerance", "missing_header"]


def test_refuses_a_parsed_body_and_a_useless_tolerance() -> None:
    with pytest.raises(TypeError, match="raw request body"):
        webhooks.verify({"id": "evt_1"}, "t=1,v1=00", "whsec_x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="tolerance"):
        webhooks.verify(b"{}", "t=1,v1=00", "whsec_x", tolerance=0)
