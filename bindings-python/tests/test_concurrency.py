"""Blocking without the GIL, asyncio, many tasks at once, and fork() before and after first use."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import svara
from svara.testing import PSIDS, Emulator

from conftest import M4A, MP3

SLOW = {"faults": [{"kind": "slow", "delay": "1500ms"}]}


def overlapping(intervals: list[tuple[float, float]]) -> bool:
    """True when every interval overlaps every other one (all were in flight at once)."""
    return max(start for start, _ in intervals) < min(end for _, end in intervals)


def test_two_sends_in_two_threads_overlap_and_python_keeps_running() -> None:
    with Emulator(SLOW) as emu:
        intervals: list[tuple[float, float]] = []
        ids: list[str] = []
        ticks = 0
        stop = threading.Event()

        def send(psid: str) -> None:
            start = time.monotonic()
            result = svara.send(recipient=psid, audio_path=M4A, session={"page_access_token": emu.token}, graph_url=emu.url)
            intervals.append((start, time.monotonic()))
            ids.append(result.id)

        def count() -> None:
            nonlocal ticks
            while not stop.is_set():
                ticks += 1
                time.sleep(0.001)

        counter = threading.Thread(target=count)
        counter.start()
        threads = [threading.Thread(target=send, args=(p,)) for p in (PSIDS["default"], PSIDS["second"])]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        stop.set()
        counter.join()
        assert len(set(ids)) == 2
        assert overlapping(intervals), f"the sends ran one after the other: {intervals}"
        # Each send waited 1.5 s on the emulator; a thread holding the GIL would have starved this.
        assert ticks > 100, ticks


def test_many_threads_share_one_client() -> None:
    with Emulator(accept_any_psid=True) as emu, svara.Client(emu.token, graph_url=emu.url) as client:
        psids = [str(7_000_000_000 + i) for i in range(16)]
        results: dict[str, str] = {}

        def send(psid: str) -> None:
            results[psid] = client.send(psid, audio_path=M4A).id

        threads = [threading.Thread(target=send, args=(p,)) for p in psids]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == sorted(psids)
        assert len(set(results.values())) == len(psids)
        assert emu.snapshot()["delivered"] == len(psids)


def test_send_async_from_many_tasks() -> None:
    with Emulator(accept_any_psid=True) as emu:
        psids = [str(8_000_000_000 + i) for i in range(20)]

        async def main() -> list[svara.SendResult]:
            return await asyncio.gather(
                *(
                    svara.send_async(recipient=p, audio_path=M4A, session={"page_access_token": emu.token}, graph_url=emu.url)
                    for p in psids
                )
            )

        results = asyncio.run(main())
        assert [r.recipient_id for r in results] == psids
        assert len({r.id for r in results}) == len(psids)
        assert emu.snapshot()["delivered"] == len(psids)


def test_async_sends_overlap_and_the_loop_keeps_running() -> None:
    with Emulator(SLOW) as emu:

        async def one(psid: str) -> tuple[float, float]:
            start = time.monotonic()
            await svara.send_async(recipient=psid, audio_path=M4A, session={"page_access_token": emu.token}, graph_url=emu.url)
            return start, time.monotonic()

        async def ticker(stop: asyncio.Event) -> int:
            n = 0
            while not stop.is_set():
                n += 1
                await asyncio.sleep(0.01)
            return n

        async def main() -> tuple[list[tuple[float, float]], int]:
            stop = asyncio.Event()
            tick_task = asyncio.ensure_future(ticker(stop))
            intervals = await asyncio.gather(one(PSIDS["default"]), one(PSIDS["second"]))
            stop.set()
            return list(intervals), await tick_task

        intervals, ticks = asyncio.run(main())
        assert overlapping(intervals)
        assert ticks > 50, "the event loop was blocked during the sends"


def test_send_async_raises_the_same_classes(emu: Emulator) -> None:
    async def main() -> None:
        await svara.send_async(recipient=PSIDS["blocked"], audio_path=M4A, session={"page_access_token": emu.token}, graph_url=emu.url)

    with pytest.raises(svara.MessageNotAllowedError) as info:
        asyncio.run(main())
    assert info.value.graph_code == 551


def test_send_async_bad_arguments_raise_when_awaited() -> None:
    # A coroutine function does its work, checks included, when awaited (issue 11).
    coro = svara.send_async(recipient="1", session={"page_access_token": "EAAx"})
    with pytest.raises(svara.InvalidRequestError, match="exactly one"):
        asyncio.run(coro)


def test_cancelling_an_async_send(emu: Emulator) -> None:
    slow = Emulator(SLOW)
    try:

        async def main() -> None:
            task = asyncio.ensure_future(
                svara.send_async(recipient=slow.psid, audio_path=M4A, session={"page_access_token": slow.token}, graph_url=slow.url)
            )
            await asyncio.sleep(0.2)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            # The runtime is still healthy afterwards.
            ok = await svara.send_async(recipient=emu.psid, audio_path=M4A, session={"page_access_token": emu.token}, graph_url=emu.url)
            assert ok.id

        asyncio.run(main())
    finally:
        slow.close()


FORK_SCRIPT = textwrap.dedent(
    """
    import os, sys, multiprocessing
    import svara

    M4A = sys.argv[1]

    def send(psid):
        return svara.send(recipient=psid, audio_path=M4A).id

    def child(psid):
        try:
            ok = send(psid).startswith("m_")
        except BaseException as e:
            print("child failed:", repr(e), flush=True)
            ok = False
        os._exit(0 if ok else 1)

    def fork_and_send(psid):
        pid = os.fork()
        if pid == 0:
            child(psid)
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status)

    # 1. fork before Svara was ever used: the child builds its runtime on first use.
    assert fork_and_send("6128493027184956") == 0, "fork before first use"
    # 2. the parent still works after its child did.
    assert send("6128493027184956")
    # 3. fork after first use: the child rebuilds the runtime it could not inherit.
    assert fork_and_send("6128493027184957") == 0, "fork after first use"
    # 4. a multiprocessing pool with the 'fork' start method.
    with multiprocessing.get_context("fork").Pool(2) as pool:
        ids = pool.map(send, ["6128493027184956", "6128493027184957"] * 2)
    assert len(set(ids)) == 4, ids
    print("fork-ok", flush=True)
    """
)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)")
def test_fork_before_and_after_first_use(tmp_path) -> None:
    # The emulator runs in another process, so the forking process has no threads of ours.
    server = subprocess.Popen([sys.executable, "-m", "svara.testing"], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        token = server.stdout.readline().split(":", 1)[1].strip()
        assert url.startswith("http://127.0.0.1:")
        script = tmp_path / "fork_check.py"
        script.write_text(FORK_SCRIPT)
        env = dict(os.environ, SVARA_GRAPH_URL=url, META_PAGE_TOKEN=token)
        done = subprocess.run([sys.executable, str(script), str(M4A)], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "fork-ok" in done.stdout
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_transcode_releases_the_gil() -> None:
    data = MP3.read_bytes() * 1
    results: list[bytes] = []
    threads = [threading.Thread(target=lambda: results.append(svara.transcode(data))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and len(set(results)) == 1, "deterministic output from every thread"


INTERRUPT_SCRIPT = textwrap.dedent(
    """
    import signal, sys, svara
    # A CI shell may start us with SIGINT ignored (background jobs); a user's terminal does not.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    print("sending", flush=True)
    try:
        svara.send(recipient=sys.argv[1], audio_path=sys.argv[2], timeout=120)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        sys.exit(0)
    print("not interrupted", flush=True)
    sys.exit(1)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_interrupts_a_blocking_send() -> None:
    import signal

    with Emulator(faults=[{"kind": "slow", "delay": "60s"}]) as emu:
        env = dict(os.environ, **emu.env())
        child = subprocess.Popen([sys.executable, "-c", INTERRUPT_SCRIPT, emu.psid, str(M4A)], env=env,
                                 stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "sending"
        time.sleep(0.5)  # let it reach the emulator, which holds the answer for 60 s
        child.send_signal(signal.SIGINT)
        out, _ = child.communicate(timeout=30)
        assert child.returncode == 0 and "interrupted" in out, out
