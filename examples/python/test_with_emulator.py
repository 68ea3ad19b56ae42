"""How to test your own bot's voice replies with pytest and no Meta account.

    pip install svara pytest
    pytest test_with_emulator.py

`svara.testing.Emulator` runs Svara's Graph API emulator in your test process over real HTTP
on 127.0.0.1: it checks tokens, PSIDs, the 24-hour window, file types and rate limits like
Meta does, and records what it received.
"""

import pytest

import svara
from svara.testing import PSIDS, Emulator


def reply_with_voice(psid: str, audio: bytes) -> str:
    """Your bot's code: it reads META_PAGE_TOKEN / SVARA_GRAPH_URL like in production."""
    try:
        return svara.send(platform="messenger", recipient=psid, audio=audio).id
    except svara.MessageNotAllowedError:
        return "outside-window"


@pytest.fixture
def emulator():
    with Emulator() as emu, emu.environ():  # sets META_PAGE_TOKEN and SVARA_GRAPH_URL
        yield emu


def wav_tone() -> bytes:
    """One second of a 440 Hz tone as a WAV file (Svara converts it to M4A/AAC)."""
    import io
    import math
    import struct
    import wave

    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / 16000))) for i in range(16000)))
    return buf.getvalue()


def test_the_bot_sends_a_voice_note(emulator: Emulator) -> None:
    message_id = reply_with_voice(emulator.psid, wav_tone())
    (delivered,) = emulator.deliveries(emulator.psid)
    assert delivered["message_id"] == message_id
    assert delivered["audio"]["codec"] == "aac-lc"
    assert abs(delivered["audio"]["duration_ms"] - 1000) < 100


def test_the_bot_handles_a_closed_window(emulator: Emulator) -> None:
    assert reply_with_voice(PSIDS["outside_window"], wav_tone()) == "outside-window"
    assert emulator.deliveries() == []


def test_rate_limits_surface_as_rate_limited_error() -> None:
    with Emulator(rate_limit={"audio_sends_per_second": 1, "window": "60s"}) as emu:
        client = svara.Client(emu.token, graph_url=emu.url, max_retries=0)
        client.send(emu.psid, audio=wav_tone())
        with pytest.raises(svara.RateLimitedError) as info:
            client.send(emu.psid, audio=wav_tone())
        assert info.value.code == "rate_limited"
