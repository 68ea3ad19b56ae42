"""`send_async` and every `AsyncClient` method are real coroutine functions (issue 11): calling
one needs no running event loop, the work starts when it is awaited, and cancelling the
awaiting task cancels the Rust future, so a note whose request was not written is not sent."""

from __future__ import annotations

import asyncio
import http.server
import inspect
import threading
import time
from typing import Iterator

import pytest

import svara
from svara.testing import Emulator

from conftest import M4A, MP3


def test_asyncio_run_of_send_async(emu: Emulator) -> None:
    # Exactly what a script writes: no event loop exists before asyncio.run starts one.
    result = asyncio.run(
        svara.send_async(
            platform="messenger",
            recipient=emu.psid,
            audio_path=str(MP3),
            session={"page_access_token": emu.token},
            graph_url=emu.url,
        )
    )
    (note,) = emu.deliveries(emu.psid)
    assert note["message_id"] == result.id
    assert result.converted is True and note["audio"]["codec"] == "aac-lc"


def test_the_async_api_is_coroutine_functions() -> None:
    for func in (svara.send_async, svara.AsyncClient.send, svara.AsyncClient.upload,
                 svara.AsyncClient.send_many, svara.AsyncClient.aclose,
                 svara.AsyncClient.__aenter__, svara.AsyncClient.__aexit__):
        assert inspect.iscoroutinefunction(func), func
    for func in (svara.send, svara.Client.send, svara.Client.upload, svara.Client.send_many):
        assert not inspect.iscoroutinefunction(func), func


def test_calling_needs_no_loop_and_nothing_starts_until_awaited(emu: Emulator) -> None:
    coro = svara.send_async(recipient=emu.psid, audio_path=M4A,
                            session={"page_access_token": emu.token}, graph_url=emu.url)
    assert inspect.iscoroutine(coro)
    time.sleep(0.3)
    assert emu.snapshot()["attempts"] == 0, "the send began before it was awaited"
    result = asyncio.run(coro)
    assert [d["message_id"] for d in emu.deliveries()] == [result.id]


def test_gather_of_20_sends() -> None:
    with Emulator(accept_any_psid=True) as emu:
        psids = [str(8_100_000_000 + i) for i in range(20)]

        async def main() -> list[svara.SendResult]:
            async with svara.AsyncClient(emu.token, graph_url=emu.url, sends_per_second=1000) as client:
                from_client = client.send(psids[0], audio_path=M4A)
                rest = (svara.send_async(recipient=p, audio_path=M4A, session={"page_access_token": emu.token},
                                         graph_url=emu.url) for p in psids[1:])
                return await asyncio.gather(from_client, *rest)

        results = asyncio.run(main())
        assert [r.recipient_id for r in results] == psids
        assert len({r.id for r in results}) == 20
        assert emu.snapshot()["delivered"] == 20
        assert sorted(d["recipient_id"] for d in emu.deliveries()) == sorted(psids)


class _SlowAudio:
    """A loopback server that starts answering an audio URL only after `delay` seconds."""

    def __init__(self, delay: float) -> None:
        body = MP3.read_bytes()
        self.hits = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.hits += 1
                time.sleep(delay)
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "audio/mpeg")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client went away: that is the point

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/note.mp3"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def slow_audio() -> Iterator[_SlowAudio]:
    server = _SlowAudio(delay=1.5)
    yield server
    server.close()


def test_cancelling_the_task_cancels_the_send(emu: Emulator, slow_audio: _SlowAudio) -> None:
    async def main() -> None:
        task = asyncio.ensure_future(
            svara.send_async(recipient=emu.psid, audio_url=slow_audio.url,
                             session={"page_access_token": emu.token}, graph_url=emu.url)
        )
        for _ in range(100):  # until the SDK is downloading the audio
            if slow_audio.hits:
                break
            await asyncio.sleep(0.02)
        assert slow_audio.hits == 1, "the send did not start when awaited"
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # Past the moment the download would have finished and the note would have gone out.
        await asyncio.sleep(2.5)

    asyncio.run(main())
    snapshot = emu.snapshot()
    assert snapshot["attempts"] == 0, "a cancelled note must not reach the Send API"
    assert snapshot["delivered"] == 0


def test_cancelling_an_async_client_call(emu: Emulator, slow_audio: _SlowAudio) -> None:
    async def main() -> None:
        async with svara.AsyncClient(emu.token, graph_url=emu.url) as client:
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(client.send(emu.psid, audio_url=slow_audio.url), timeout=0.5)
            await asyncio.sleep(2.5)
            # The client and the runtime are still healthy afterwards.
            ok = await client.send(emu.psid, audio_path=M4A)
            assert ok.id.startswith("m_")

    asyncio.run(main())
    assert emu.snapshot()["attempts"] == 1, "only the second send reached the Send API"
