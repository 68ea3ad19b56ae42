"""Shared fixtures: the Graph API emulator (in process, over real HTTP on 127.0.0.1), the audio
fixtures of the repository, and a tiny local HTTP server for audio URLs and odd Graph answers."""

from __future__ import annotations

import csv
import http.server
import json
import socket
import threading
from pathlib import Path
from typing import Callable, Dict, Iterator, Tuple

import pytest

from svara.testing import Emulator

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
SHARED_SAMPLES = ROOT.parent / "shared" / "audio-samples"
ERROR_CODES_JSON = ROOT / "tests" / "error_codes.json"

#: An M4A/AAC voice note (passes through unconverted).
M4A = FIXTURES / "speech-aac.m4a"
#: An MP3 (converted before sending).
MP3 = FIXTURES / "speech-stereo.mp3"


def fixture_rows() -> list[dict[str, str]]:
    with open(FIXTURES / "fixtures.tsv", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


@pytest.fixture
def emu() -> Iterator[Emulator]:
    """A fresh emulator with the default scenario."""
    with Emulator() as e:
        yield e


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No META_PAGE_TOKEN / SVARA_GRAPH_URL from the outside environment."""
    monkeypatch.delenv("META_PAGE_TOKEN", raising=False)
    monkeypatch.delenv("SVARA_GRAPH_URL", raising=False)
    return monkeypatch


Route = Tuple[int, Dict[str, str], bytes]


class LocalServer:
    """A threaded http.server on 127.0.0.1: `routes[path] = (status, headers, body)`."""

    def __init__(self) -> None:
        self.routes: Dict[str, Route] = {}
        self.requests: list[str] = []
        routes, requests = self.routes, self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                requests.append(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                status, headers, body = routes.get(self.path.split("?")[0], (404, {}, b"not found"))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = _answer
            do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def graph_error(self, code: int, subcode: int | None = None, status: int = 400) -> None:
        """Answers every send with a Meta-shaped error."""
        error = {"message": f"(#{code}) An error", "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEfGh123"}
        if subcode is not None:
            error["error_subcode"] = subcode
        body = json.dumps({"error": error}).encode()
        for path in ("/v25.0/me/messages", "/v25.0/me/message_attachments"):
            self.routes[path] = (status, {"Content-Type": "application/json"}, body)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    server = LocalServer()
    yield server
    server.close()


@pytest.fixture
def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def send_kwargs(emu: Emulator) -> Callable[..., dict]:
    """The documented request for the emulator, with overrides."""

    def make(**overrides: object) -> dict:
        kwargs: dict = {
            "platform": "messenger",
            "recipient": emu.psid,
            "audio_path": str(M4A),
            "session": {"page_access_token": emu.token},
            "graph_url": emu.url,
        }
        kwargs.update(overrides)
        return kwargs

    return make
