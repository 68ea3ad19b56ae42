"""`svara.transcode()` and `svara.probe()` on the repository's fixtures and the shared samples."""

from __future__ import annotations

import csv
import io

import pytest

import svara

from conftest import FIXTURES, M4A, MP3, SHARED_SAMPLES, fixture_rows

VALID = [r for r in fixture_rows() if r["expect"] == "valid"]
BROKEN = [r for r in fixture_rows() if r["expect"] == "broken"]


@pytest.mark.parametrize("row", VALID, ids=lambda r: r["file"])
def test_probe_and_transcode_valid_fixtures(row: dict) -> None:
    path = FIXTURES / row["file"]
    info = svara.probe(path)
    assert (info.container, info.codec) == (row["container"], row["codec"])
    assert info.channels == int(row["channels"])
    assert info.size_bytes == path.stat().st_size
    assert info.duration_ms > 0
    out = svara.transcode(str(path))
    out_info = svara.probe(out)
    assert (out_info.container, out_info.codec, out_info.channels) == ("mp4", "aac-lc", 1)
    if row["file"] != "truncated-midstream.mp3":
        # The engine's own tests hold the 50 ms bar; here we check the binding carried the audio.
        assert abs(out_info.duration_ms - info.duration_ms) <= 100, (out_info, info)


@pytest.mark.parametrize("row", BROKEN, ids=lambda r: r["file"])
def test_broken_fixtures_raise_unsupported_audio(row: dict) -> None:
    path = FIXTURES / row["file"]
    with pytest.raises(svara.UnsupportedAudioError) as info:
        svara.transcode(path)
    assert info.value.code == "unsupported_audio"
    assert info.value.message
    with pytest.raises(svara.UnsupportedAudioError):
        svara.probe(path.read_bytes())


def test_m4a_aac_passes_through_byte_for_byte() -> None:
    data = M4A.read_bytes()
    assert svara.transcode(data) == data


def test_inputs_bytes_file_objects_and_paths_agree() -> None:
    data = MP3.read_bytes()
    from_path = svara.transcode(MP3)
    assert svara.transcode(data) == from_path
    assert svara.transcode(io.BytesIO(data)) == from_path
    assert svara.transcode(bytearray(data)) == from_path
    assert svara.probe(memoryview(data)) == svara.probe(str(MP3))


def test_transcode_options() -> None:
    mono = svara.probe(svara.transcode(MP3))
    stereo = svara.probe(svara.transcode(MP3, keep_stereo=True))
    assert (mono.channels, stereo.channels) == (1, 2)
    small = svara.transcode(MP3, bitrate=24000)
    large = svara.transcode(MP3, bitrate=160000)
    assert len(small) < len(large)
    with pytest.raises(svara.AudioTooLargeError):
        svara.transcode(MP3, max_duration=0.5)
    with pytest.raises(svara.InvalidRequestError, match="bitrate"):
        svara.transcode(MP3, bitrate=5)
    # At 32 kb/s FDK's afterburner pays, so fast_encode turns it off; at the default 64 kb/s it is off
    # anyway and fast_encode changes nothing (README, Performance).
    fast = svara.transcode(MP3, bitrate=32000, fast_encode=True)
    assert fast != svara.transcode(MP3, bitrate=32000), "fast_encode changes the encoding"
    assert svara.probe(fast).codec == "aac-lc"
    with pytest.raises(svara.AudioTooLargeError):
        svara.transcode(MP3, max_duration_ms=500)
    with pytest.raises(TypeError, match="transcode\\(\\) got an unexpected keyword argument 'recipient'"):
        svara.transcode(MP3, recipient="1")  # type: ignore[call-arg]


def test_audio_info_shape() -> None:
    info = svara.probe(MP3)
    assert info.to_dict() == {
        "container": "mp3",
        "codec": "mp3",
        "sample_rate": info.sample_rate,
        "channels": 2,
        "duration_ms": info.duration_ms,
        "size_bytes": MP3.stat().st_size,
    }
    assert info["codec"] == "mp3"
    assert info.duration == info.duration_ms / 1000
    assert repr(info).startswith("AudioInfo(container='mp3', codec='mp3'")


def test_missing_file_and_wrong_types() -> None:
    with pytest.raises(svara.AudioFetchFailedError, match="no-such.mp3"):
        svara.probe("no-such.mp3")
    with pytest.raises(svara.InvalidRequestError, match="text mode"):
        with open(FIXTURES / "page.html") as text_file:
            svara.transcode(text_file)  # type: ignore[arg-type]
    with pytest.raises(svara.InvalidRequestError, match="must be bytes"):
        svara.probe(42)  # type: ignore[arg-type]


def shared_samples() -> list[dict]:
    table = SHARED_SAMPLES / "samples.tsv"
    if not table.exists():
        return []
    with open(table, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def test_shared_samples_are_beside_the_repository() -> None:
    # The suite must not pass quietly without them: CI clones with ../shared beside the checkout.
    assert len(shared_samples()) >= 10, f"{SHARED_SAMPLES}/samples.tsv is missing or short"


@pytest.mark.parametrize("row", shared_samples(), ids=lambda r: r["file"])
def test_shared_samples_convert_or_are_refused_by_code(row: dict) -> None:
    path = SHARED_SAMPLES / row["file"]
    try:
        out = svara.transcode(path)
    except svara.SvaraError as e:
        # AMR is refused by name; files broken on purpose are refused as unsupported audio.
        assert e.code == "unsupported_audio", e
        assert row["codec"].startswith("amr") or row["expect"] != "valid", (row["file"], e.message)
        if row["codec"].startswith("amr"):
            assert "AMR" in e.message
        return
    info = svara.probe(out)
    assert (info.container, info.codec) == ("mp4", "aac-lc")
    assert info.duration_ms > 0
