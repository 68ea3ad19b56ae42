"""`svara.testing.Emulator`: the helpers carry the same names as Node's `svara/testing`
(`token`, `psid`, `snapshot()`, `deliveries(psid)`, `attempts(psid)`, `audio(sha256)`), and the
defaults they pick come from the emulator crate."""

from __future__ import annotations

import hashlib

import pytest

import svara
from svara.testing import PAGE_TOKEN, PSIDS, Emulator

from conftest import M4A


def test_defaults_come_from_the_emulator_crate() -> None:
    with Emulator() as emu:
        assert emu.token == PAGE_TOKEN
        assert emu.psid == PSIDS["default"]
    # A scenario without the default person: its first one; the default person wins when listed.
    with Emulator(psids=[{"id": "2001"}, {"id": PSIDS["default"]}], pages=[{"id": "1", "name": "P", "tokens": ["EAA-one"]}]) as emu:
        assert (emu.token, emu.psid) == ("EAA-one", PSIDS["default"])
    with Emulator(psids=[{"id": "2001"}]) as emu:
        assert emu.psid == "2001"


def test_snapshot_deliveries_attempts_and_audio(emu: Emulator) -> None:
    first = svara.send(recipient=emu.psid, audio_path=M4A, session={"page_access_token": emu.token}, graph_url=emu.url)
    second = svara.send(recipient=PSIDS["second"], audio_path=M4A, session={"page_access_token": emu.token},
                        graph_url=emu.url)
    assert [d["message_id"] for d in emu.deliveries()] == [first.id, second.id]
    (mine,) = emu.deliveries(emu.psid)
    assert mine["message_id"] == first.id
    assert emu.attempts(emu.psid) == 1 and emu.attempts(PSIDS["unknown"]) == 0
    assert emu.snapshot()["delivered"] == 2
    audio = emu.audio(mine["sha256"])
    assert audio is not None and hashlib.sha256(audio).hexdigest() == mine["sha256"]
    assert emu.audio("0" * 64) is None


def test_messages_is_a_deprecated_name_of_snapshot(emu: Emulator) -> None:
    with pytest.deprecated_call():
        assert emu.messages() == emu.snapshot()
