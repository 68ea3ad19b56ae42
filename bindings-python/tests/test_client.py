"""`svara.Client` and `svara.AsyncClient`: send, upload, send_many, close, context managers."""

from __future__ import annotations

import asyncio

import pytest

import svara
from svara.testing import PSIDS, Emulator

from conftest import M4A, MP3


def test_client_send_upload_and_send_by_attachment_id(emu: Emulator) -> None:
    with svara.Client(emu.token, graph_url=emu.url) as client:
        sent = client.send(emu.psid, audio_path=MP3)
        assert sent.converted and sent.id
        uploaded = client.upload(audio_path=MP3)
        assert uploaded.attachment_id.isdigit()
        assert uploaded.converted and uploaded.output.codec == "aac-lc"
        assert uploaded["attachment_id"] == uploaded.attachment_id
        again = client.send(PSIDS["second"], attachment_id=uploaded.attachment_id)
        assert again.attachment_id == uploaded.attachment_id
    messages = emu.snapshot()
    assert [a["attachment_id"] for a in messages["attachments"]] == [uploaded.attachment_id]
    assert messages["delivered"] == 2


def test_send_many_uploads_once_and_reports_per_recipient(emu: Emulator) -> None:
    recipients = [PSIDS["default"], PSIDS["second"], PSIDS["blocked"], PSIDS["unknown"], ""]
    with svara.Client(emu.token, graph_url=emu.url) as client:
        outcomes = client.send_many(recipients, audio_path=MP3)
    assert [o.recipient for o in outcomes] == recipients
    assert [o.ok for o in outcomes] == [True, True, False, False, False]
    assert outcomes[0].result is not None and outcomes[0].result.converted
    assert isinstance(outcomes[2].error, svara.MessageNotAllowedError)
    assert isinstance(outcomes[3].error, svara.RecipientNotFoundError)
    assert isinstance(outcomes[4].error, svara.InvalidRequestError)
    assert outcomes[0].error is None and outcomes[2].result is None
    assert bool(outcomes[0]) and not outcomes[2]
    assert "ok=False, error=MessageNotAllowedError('message_not_allowed')" in repr(outcomes[2])
    messages = emu.snapshot()
    assert messages["upload_attempts"] == 1, "one upload for the whole broadcast"
    assert messages["delivered"] == 2


def test_send_many_to_many_recipients_costs_one_upload() -> None:
    with Emulator(accept_any_psid=True, rate_limit={"audio_sends_per_second": 0}) as emu:
        psids = [str(9_000_000_000 + i) for i in range(100)]
        with svara.Client(emu.token, graph_url=emu.url, sends_per_second=1000, concurrency=16) as client:
            outcomes = client.send_many(psids, audio_path=M4A)
        assert all(o.ok for o in outcomes)
        messages = emu.snapshot()
        assert messages["upload_attempts"] == 1
        assert messages["delivered"] == 100


def test_closed_client_refuses_calls(emu: Emulator) -> None:
    client = svara.Client(emu.token, graph_url=emu.url)
    assert not client.closed
    client.close()
    assert client.closed
    assert "closed=True" in repr(client)
    with pytest.raises(svara.InvalidRequestError, match="closed"):
        client.send(emu.psid, audio_path=M4A)


def test_client_configuration_is_validated() -> None:
    with pytest.raises(svara.InvalidRequestError, match="graph_url"):
        svara.Client("EAAx", graph_url="ftp://example.invalid")
    with pytest.raises(svara.InvalidRequestError, match="sends_per_second"):
        svara.Client("EAAx", graph_url="http://127.0.0.1:1", sends_per_second=0)
    with pytest.raises(svara.InvalidRequestError, match="api_version"):
        svara.Client("EAAx", graph_url="http://127.0.0.1:1", api_version="25")


def test_client_without_a_token(clean_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(svara.InvalidRequestError, match="META_PAGE_TOKEN"):
        svara.Client()


def test_async_client(emu: Emulator) -> None:
    async def main() -> None:
        async with svara.AsyncClient(emu.token, graph_url=emu.url) as client:
            assert isinstance(client, svara.AsyncClient)
            results = await asyncio.gather(client.send(PSIDS["default"], audio_path=M4A), client.send(PSIDS["second"], audio=MP3.read_bytes()))
            assert {r.recipient_id for r in results} == {PSIDS["default"], PSIDS["second"]}
            uploaded = await client.upload(audio_path=MP3)
            outcomes = await client.send_many([PSIDS["default"], PSIDS["blocked"]], attachment_id=uploaded.attachment_id)
            assert [o.ok for o in outcomes] == [True, False]
            with pytest.raises(svara.RecipientNotFoundError):
                await client.send(PSIDS["unknown"], audio_path=M4A)
        assert client.closed
        other = svara.AsyncClient(emu.token, graph_url=emu.url)
        await other.aclose()
        assert other.closed

    asyncio.run(main())
    assert emu.snapshot()["delivered"] == 3
