"""Bad arguments raise `InvalidRequestError` (also a `ValueError`) with a message saying how to fix the call."""

from __future__ import annotations

import io

import pytest

import svara
from svara.testing import Emulator

from conftest import M4A

BAD_CALLS = [
    ({"audio_path": None}, "No audio given"),
    ({"audio_url": "https://cdn.example.com/a.m4a"}, "exactly one of"),
    ({"audio": b"x"}, "exactly one of"),
    ({"platform": "slack"}, "supported platforms: messenger, instagram, whatsapp, telegram"),
    ({"platform": "whatsapp"}, "a whatsapp session is {access_token, phone_number_id}"),
    ({"recipient": ""}, "PSID"),
    ({"recipient": None}, "recipient is missing"),
    ({"recipient": ["1"]}, "recipient must be a str"),
    ({"session": {"page_access_token": ""}}, "session.page_access_token"),
    ({"session": "EAAtoken"}, "session must be a dict"),
    ({"session": {"token": "EAAx"}}, 'the keys are "page_access_token", "access_token", "ig_user_id", "phone_number_id", "bot_token"'),
    ({"messaging_type": "PROMO"}, "RESPONSE, UPDATE or MESSAGE_TAG"),
    ({"messaging_type": "MESSAGE_TAG"}, "HUMAN_AGENT"),
    ({"tag": "HUMAN_AGENT"}, "only allowed with messaging_type MESSAGE_TAG"),
    ({"notification_type": "LOUD"}, "REGULAR, SILENT_PUSH or NO_PUSH"),
    ({"timeout": -1}, "timeout"),
    ({"timeout": "10"}, "number of seconds"),
    ({"max_retries": 99}, "0 to 10"),
    ({"max_retries": -1}, "non-negative"),
    ({"bitrate": 1}, "between 6000 and 320000"),
    ({"graph_url": "not a url"}, "graph_url"),
    ({"audio_path": b"/tmp/x.mp3"}, "audio="),
    ({"audio_path": None, "audio": "hello.mp3"}, "audio_path=... for a file"),
    ({"audio_path": None, "audio": io.StringIO("text")}, "open(path, \"rb\")"),
    ({"audio_path": None, "audio": 12}, "must be bytes"),
    ({"keep_stereo": "yes"}, "True or False"),
]


@pytest.mark.parametrize("overrides, fix", BAD_CALLS, ids=[repr(c[0])[:40] for c in BAD_CALLS])
def test_bad_arguments(emu: Emulator, send_kwargs, overrides: dict, fix: str) -> None:
    with pytest.raises(svara.InvalidRequestError) as info:
        svara.send(**send_kwargs(**overrides))
    assert info.value.code == "invalid_request"
    assert fix in info.value.message, info.value.message
    assert isinstance(info.value, ValueError)
    assert emu.snapshot()["attempts"] == 0, "nothing was sent"


def test_missing_token_names_the_environment_variable(clean_env: pytest.MonkeyPatch, emu: Emulator) -> None:
    with pytest.raises(svara.InvalidRequestError, match="META_PAGE_TOKEN"):
        svara.send(platform="messenger", recipient=emu.psid, audio_path=M4A, graph_url=emu.url)


def test_unknown_keyword_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="audio_ulr"):
        svara.send(audio_ulr="x")  # type: ignore[call-arg]


def test_positional_arguments_are_refused() -> None:
    with pytest.raises(TypeError):
        svara.send("messenger")  # type: ignore[misc]
