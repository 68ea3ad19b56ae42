"""`svara.send()`: the documented request, every audio source, options, results, env fallbacks."""

from __future__ import annotations

import io
import pathlib

import pytest

import svara
from svara.testing import PSIDS, Emulator

from conftest import M4A, MP3, LocalServer


def test_documented_request_returns_the_message_id(emu: Emulator) -> None:
    result = svara.send(
        platform="messenger",
        recipient=emu.psid,
        audio_path=str(M4A),
        session={"page_access_token": emu.token},
        graph_url=emu.url,
    )
    delivered = emu.deliveries(emu.psid)
    assert len(delivered) == 1
    assert result["id"] == result.id == result.message_id == delivered[0]["message_id"]
    assert result.id.startswith("m_")
    assert result.recipient_id == emu.psid
    assert result.converted is False
    assert delivered[0]["audio"]["codec"] == "aac-lc"
    assert delivered[0]["filename"].endswith(".m4a")
    assert delivered[0]["content_type"] == "audio/mp4"
    assert delivered[0]["messaging_type"] == "RESPONSE"


def test_m4a_passes_through_byte_for_byte(emu: Emulator, send_kwargs) -> None:
    svara.send(**send_kwargs())
    (delivery,) = emu.deliveries()
    import hashlib

    assert delivery["sha256"] == hashlib.sha256(M4A.read_bytes()).hexdigest()


def test_mp3_is_converted_and_described(emu: Emulator, send_kwargs) -> None:
    result = svara.send(**send_kwargs(audio_path=MP3))  # a pathlib.Path works too
    assert result.converted is True
    assert result.input is not None and result.output is not None
    assert (result.input.container, result.input.codec, result.input.channels) == ("mp3", "mp3", 2)
    assert (result.output.container, result.output.codec, result.output.channels) == ("mp4", "aac-lc", 1)
    assert abs(result.output.duration_ms - result.input.duration_ms) <= 100
    (delivery,) = emu.deliveries()
    assert delivery["audio"]["codec"] == "aac-lc"
    assert delivery["audio"]["channels"] == 1
    d = result.to_dict()
    assert d["id"] == result.id and d["converted"] is True
    assert d["input"]["codec"] == "mp3" and d["output"]["codec"] == "aac-lc"


def test_bytes_bytearray_memoryview_and_file_objects(emu: Emulator, send_kwargs) -> None:
    data = MP3.read_bytes()
    sources = [data, bytearray(data), memoryview(data), io.BytesIO(data), open(MP3, "rb")]
    ids = set()
    for source in sources:
        result = svara.send(**send_kwargs(audio_path=None, audio=source))
        assert result.converted is True
        ids.add(result.id)
    sources[-1].close()
    assert len(ids) == len(sources)
    assert len(emu.deliveries()) == len(sources)


def test_audio_url_is_downloaded_by_the_sdk(emu: Emulator, send_kwargs, local_server: LocalServer) -> None:
    local_server.routes["/notes/update.mp3"] = (200, {"Content-Type": "audio/mpeg"}, MP3.read_bytes())
    result = svara.send(**send_kwargs(audio_path=None, audio_url=f"{local_server.url}/notes/update.mp3"))
    assert result.converted is True
    assert local_server.requests == ["/notes/update.mp3"]
    assert emu.deliveries()[0]["origin"] == "upload"


def test_recipient_may_be_an_int(emu: Emulator, send_kwargs) -> None:
    result = svara.send(**send_kwargs(recipient=int(emu.psid)))
    assert result.recipient_id == emu.psid


def test_message_options_reach_the_api(emu: Emulator, send_kwargs) -> None:
    svara.send(
        **send_kwargs(
            recipient=PSIDS["outside_window"],
            messaging_type="MESSAGE_TAG",
            tag="HUMAN_AGENT",
            notification_type="SILENT_PUSH",
        )
    )
    (delivery,) = emu.deliveries()
    assert delivery["messaging_type"] == "MESSAGE_TAG"
    assert delivery["tag"] == "HUMAN_AGENT"
    assert delivery["notification_type"] == "SILENT_PUSH"


def test_reusable_returns_an_attachment_id_that_sends_again(emu: Emulator, send_kwargs) -> None:
    first = svara.send(**send_kwargs(reusable=True))
    assert first.attachment_id
    again = svara.send(**send_kwargs(audio_path=None, attachment_id=first.attachment_id, recipient=PSIDS["second"]))
    assert again.attachment_id == first.attachment_id
    assert again.input is None and again.converted is False
    assert [d["origin"] for d in emu.deliveries()] == ["upload", "attachment_id"]


def test_bitrate_changes_the_encoding(emu: Emulator, send_kwargs) -> None:
    low = svara.send(**send_kwargs(audio_path=MP3, bitrate=32000))
    high = svara.send(**send_kwargs(audio_path=MP3, bitrate=128000))
    assert low.output is not None and high.output is not None
    assert low.output.size_bytes < high.output.size_bytes


def test_environment_fallbacks(emu: Emulator, clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("META_PAGE_TOKEN", emu.token)
    clean_env.setenv("SVARA_GRAPH_URL", emu.url)
    result = svara.send(platform="messenger", recipient=emu.psid, audio_path=str(M4A))
    assert result.id == emu.deliveries()[0]["message_id"]
    with svara.Client() as client:
        assert client.graph_url == emu.url
        assert client.send(emu.psid, audio_path=M4A).id.startswith("m_")


def test_explicit_arguments_beat_the_environment(emu: Emulator, clean_env: pytest.MonkeyPatch, closed_port_url: str) -> None:
    clean_env.setenv("META_PAGE_TOKEN", "EAAwrong")
    clean_env.setenv("SVARA_GRAPH_URL", closed_port_url)
    result = svara.send(recipient=emu.psid, audio_path=M4A, session={"page_access_token": emu.token}, graph_url=emu.url)
    assert result.id.startswith("m_")


def test_result_repr_is_readable(emu: Emulator, send_kwargs) -> None:
    result = svara.send(**send_kwargs())
    text = repr(result)
    assert text.startswith(f"SendResult(id='{result.id}', recipient_id='{emu.psid}'")
    assert "converted=False" in text
    assert "mp4/aac-lc" in text
    with pytest.raises(KeyError, match="nope"):
        result["nope"]
    assert result.get("nope", 7) == 7
    assert "id" in result
    assert result == result


def test_path_objects(emu: Emulator, send_kwargs) -> None:
    assert svara.send(**send_kwargs(audio_path=pathlib.Path(M4A))).id


def test_fast_encode_and_max_duration_reach_the_engine(emu: Emulator, send_kwargs) -> None:
    # At 32 kb/s FDK's afterburner pays, so fast_encode turns it off; at the default 64 kb/s it is off
    # anyway and fast_encode changes nothing (README, Performance).
    default = svara.send(**send_kwargs(audio_path=MP3, bitrate=32000))
    fast = svara.send(**send_kwargs(audio_path=MP3, bitrate=32000, fast_encode=True))
    assert fast.output is not None and default.output is not None
    assert fast.output.codec == "aac-lc"
    assert len({d["sha256"] for d in emu.deliveries()}) == 2, "fast_encode changed the encoding"
    with pytest.raises(svara.AudioTooLargeError):
        svara.send(**send_kwargs(audio_path=MP3, max_duration=0.5))
    with pytest.raises(svara.AudioTooLargeError):
        svara.send(**send_kwargs(audio_path=MP3, max_duration_ms=500))
    with pytest.raises(svara.InvalidRequestError, match="either max_duration or max_duration_ms"):
        svara.send(**send_kwargs(audio_path=MP3, max_duration=5, max_duration_ms=5000))
    assert len(emu.deliveries()) == 2


def test_caption_is_refused_on_messenger_saying_where_it_works(emu: Emulator, send_kwargs) -> None:
    with pytest.raises(svara.InvalidRequestError) as info:
        svara.send(**send_kwargs(caption="Listen to this"))
    assert info.value.message.startswith("caption works on telegram only")
    with svara.Client(emu.token, graph_url=emu.url) as client:
        with pytest.raises(svara.InvalidRequestError, match="caption works on telegram only"):
            client.send(emu.psid, audio_path=M4A, caption="Listen")
    assert emu.snapshot()["attempts"] == 0


def test_signatures_list_every_keyword() -> None:
    import inspect

    params = inspect.signature(svara.send).parameters
    assert {"platform", "recipient", "audio_url", "session", "fast_encode", "max_duration", "caption"} <= set(params)
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params.values())
    client_send = inspect.signature(svara.Client.send).parameters
    assert list(client_send)[:2] == ["self", "recipient"] and "graph_url" not in client_send
