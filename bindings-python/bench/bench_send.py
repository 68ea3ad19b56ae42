"""Benchmark (a report, not a test) of the Python package, measured against its peers in one run:

- `import svara` time (median of fresh interpreters), next to `import requests`;
- sending a 60 s MP3 voice note to the local Graph API emulator with
  1. `svara.send(audio_path=...)`  (converts MP3 -> M4A/AAC in Rust, then uploads),
  2. `requests` + a pre-converted M4A (the upload alone: what users do when they convert offline),
  3. `pydub` (ffmpeg) conversion + `requests` upload (what users do today).

    python bindings-python/bench/bench_send.py [--mp3 FILE] [--repeat 3]

Needs `pip install requests pydub` and ffmpeg on PATH (used by pydub, and to make the 60 s MP3
from tests/fixtures/speech-stereo.mp3 when --mp3 is not given). The emulator runs in its own
process (`python -m svara.testing`) so it does not share the measured interpreter.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPEECH = ROOT / "tests" / "fixtures" / "speech-stereo.mp3"


def import_time(module: str, runs: int = 7) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    samples = [float(subprocess.check_output([sys.executable, "-c", code], text=True)) for _ in range(runs)]
    return statistics.median(samples)


def make_60s_mp3(out: Path) -> None:
    # The 2.5 s speech fixture looped 25 times and cut at 60 s, as one 64 kb/s MP3.
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-stream_loop", "24", "-i", str(SPEECH),
         "-c:a", "libmp3lame", "-b:a", "64k", "-t", "60", str(out)],
        check=True,
    )


def start_emulator() -> tuple[subprocess.Popen, str, str]:
    proc = subprocess.Popen([sys.executable, "-u", "-m", "svara.testing"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    token = proc.stdout.readline().split(":", 1)[1].strip()
    return proc, url, token


def timed(fn, repeat: int) -> tuple[float, object]:
    samples, last = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        last = fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples), last


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mp3", type=Path, help="a ~60 s MP3 (default: made with ffmpeg from the fixtures)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import requests
    import svara

    t_svara = import_time("svara")
    t_requests = import_time("requests")
    print(f"import svara:    {t_svara * 1000:7.1f} ms (median of 7 fresh interpreters)")
    print(f"import requests: {t_requests * 1000:7.1f} ms (peer)")

    if shutil.which("ffmpeg") is None and args.mp3 is None:
        print("ffmpeg is not installed: give --mp3 FILE (and install ffmpeg for the pydub peer)")
        return 1
    tmp = Path(tempfile.mkdtemp(prefix="svara-bench-"))
    mp3 = args.mp3 or tmp / "speech-60s.mp3"
    if args.mp3 is None:
        make_60s_mp3(mp3)
    info = svara.probe(mp3)
    print(f"input: {mp3.name}: {info.codec} {info.sample_rate} Hz {info.channels} ch {info.duration:.1f} s, {info.size_bytes} bytes")

    proc, url, token = start_emulator()
    psid = "6128493027184956"
    try:
        def svara_send() -> str:
            return svara.send(platform="messenger", recipient=psid, audio_path=mp3,
                              session={"page_access_token": token}, graph_url=url).id

        def upload(m4a: bytes) -> str:
            r = requests.post(
                f"{url}/v25.0/me/messages",
                data={
                    "recipient": json.dumps({"id": psid}),
                    "messaging_type": "RESPONSE",
                    "message": json.dumps({"attachment": {"type": "audio", "payload": {}}}),
                    "access_token": token,
                },
                files={"filedata": ("note.m4a", m4a, "audio/mp4")},
                timeout=60,
            )
            r.raise_for_status()
            return r.json()["message_id"]

        preconverted = svara.transcode(mp3)  # converted before the clock starts

        def pydub_then_upload() -> str:
            from pydub import AudioSegment

            segment = AudioSegment.from_file(mp3, format="mp3").set_channels(1)
            buf = io.BytesIO()
            segment.export(buf, format="ipod", codec="aac", bitrate="64k")
            return upload(buf.getvalue())

        timed(svara_send, 1)  # warm the connection pool and runtime once, like a long-lived bot
        rows = [
            ("svara.send(audio_path=mp3)  [convert + upload]", *timed(svara_send, args.repeat)),
            ("requests + pre-converted M4A [upload only]", *timed(lambda: upload(preconverted), args.repeat)),
        ]
        if shutil.which("ffmpeg"):
            rows.append(("pydub/ffmpeg + requests     [convert + upload]", *timed(pydub_then_upload, args.repeat)))
        else:
            print("ffmpeg not found: the pydub peer is skipped")
        base = rows[0][1]
        print(f"\nsend of a {info.duration:.0f} s MP3 to the emulator, median of {args.repeat} (Python {sys.version.split()[0]}, {os.cpu_count()} cores):")
        for name, seconds, message_id in rows:
            assert str(message_id).startswith("m_"), message_id
            print(f"  {name}: {seconds * 1000:8.1f} ms   ({seconds / base:5.2f}x svara)")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
