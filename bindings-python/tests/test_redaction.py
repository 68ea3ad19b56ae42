"""The Page token never appears in a message, a repr, a traceback, a pickle or a log record;
Svara logs through the standard `logging` logger "svara"."""

from __future__ import annotations

import asyncio
import logging
import pickle
import traceback

import pytest

import svara
from svara.testing import PSIDS, Emulator

from conftest import FIXTURES, M4A, LocalServer

SECRET = "EAAsvaraSECRETtoken0do0not0leak0f00d"
APP_SECRET = "appsecret0do0not0leak0beef"


@pytest.fixture
def secret_emu() -> Emulator:
    page = {"id": "104857600777777", "name": "Secret Page", "tokens": [SECRET]}
    with Emulator(pages=[page], psids=[{"id": PSIDS["default"]}, {"id": PSIDS["blocked"], "status": "blocked"}],
                  rate_limit={"audio_sends_per_second": 2}, app_secret=APP_SECRET) as emu:
        yield emu


def check(text: str) -> None:
    assert SECRET not in text
    assert APP_SECRET not in text


def check_error(err: BaseException) -> None:
    check(str(err))
    check(repr(err))
    check("".join(traceback.format_exception(type(err), err, err.__traceback__)))
    check(repr(pickle.dumps(err)))
    if isinstance(err, svara.SvaraError):
        check(repr(err.to_dict()))


def test_token_never_leaks(secret_emu: Emulator, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str],
                           local_server: LocalServer, closed_port_url: str) -> None:
    caplog.set_level(logging.DEBUG, logger="svara")
    base = dict(platform="messenger", recipient=secret_emu.psid, audio_path=str(M4A),
                session={"page_access_token": SECRET}, graph_url=secret_emu.url, app_secret=APP_SECRET)
    ok = svara.send(**base)
    check(repr(ok))
    check(repr(ok.to_dict()))
    failing = [
        dict(base, recipient=PSIDS["blocked"]),  # message_not_allowed
        dict(base, recipient=PSIDS["unknown"]),  # recipient_not_found
        dict(base, audio_path=str(FIXTURES / "random.bin")),  # unsupported_audio
        dict(base, graph_url=closed_port_url, max_retries=0),  # network_error
        dict(base, graph_url=local_server.url),  # api_error from a stub answering 404 HTML
        dict(base, app_secret="wrong-secret"),  # invalid appsecret_proof
        dict(base, session={"page_access_token": SECRET + "x"}),  # unknown token (contains the secret)
        dict(base, platform="whatsapp"),  # invalid_request
        dict(base, session={"page_access_token": SECRET, "oops": SECRET}),  # bad session key
        dict(base, messaging_type=SECRET),  # a secret in the wrong place is still not echoed verbatim? (see below)
    ]
    seen_codes = set()
    for kwargs in failing:
        with pytest.raises(svara.SvaraError) as info:
            svara.send(**kwargs)
        seen_codes.add(info.value.code)
        if kwargs.get("messaging_type") == SECRET:
            continue  # echoing a wrong *messaging_type* value is fine; the token field is never echoed
        check_error(info.value)
    for _ in range(3):  # rate limited (2 per second)
        try:
            svara.send(**dict(base, max_retries=0))
        except svara.RateLimitedError as e:
            seen_codes.add(e.code)
            check_error(e)

    async def in_async() -> None:
        with pytest.raises(svara.SvaraError) as info:
            await svara.send_async(**dict(base, recipient=PSIDS["unknown"]))
        check_error(info.value)

    asyncio.run(in_async())
    client = svara.Client(SECRET, graph_url=secret_emu.url, app_secret=APP_SECRET)
    check(repr(client))
    check(repr(svara.AsyncClient(SECRET, graph_url=secret_emu.url)))
    outcomes = client.send_many([PSIDS["blocked"], PSIDS["unknown"]], audio_path=M4A)
    for o in outcomes:
        check(repr(o))
        assert o.error is not None
        check_error(o.error)
    assert {"message_not_allowed", "recipient_not_found", "unsupported_audio", "network_error",
            "invalid_token", "invalid_request", "rate_limited"} <= seen_codes, seen_codes
    records = caplog.records
    assert any(r.name == "svara" for r in records), "Svara logs through the 'svara' logger"
    for r in records:
        check(r.getMessage())
        check(repr(r.args))
    out, err = capfd.readouterr()
    check(out)
    check(err)


def test_logs_go_to_the_svara_logger(emu: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="svara")
    svara.send(recipient=emu.psid, audio_path=M4A, session={"page_access_token": emu.token}, graph_url=emu.url)
    mine = [r for r in caplog.records if r.name == "svara"]
    assert any("platform call" in r.getMessage() for r in mine), [r.getMessage() for r in mine]
    caplog.clear()
    caplog.set_level(logging.WARNING, logger="svara")
    svara.send(recipient=emu.psid, audio_path=M4A, session={"page_access_token": emu.token}, graph_url=emu.url)
    assert not [r for r in caplog.records if r.name == "svara" and r.levelno < logging.WARNING]


def test_retries_are_logged_as_warnings(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="svara")
    with Emulator(faults=[{"kind": "http_500", "times": 1}]) as emu:
        svara.send(recipient=emu.psid, audio_path=M4A, session={"page_access_token": emu.token}, graph_url=emu.url)
    warnings = [r for r in caplog.records if r.name == "svara" and r.levelno == logging.WARNING]
    assert warnings, [r.getMessage() for r in caplog.records]
