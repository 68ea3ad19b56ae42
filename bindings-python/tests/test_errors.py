"""Every documented error reaches Python as its class, with its code and Meta's fields."""

from __future__ import annotations

import json
import os
import pickle

import pytest

import svara
from svara.testing import DEV_MODE_PAGE_TOKEN, EXPIRED_PAGE_TOKEN, PSIDS, Emulator

from conftest import ERROR_CODES_JSON, FIXTURES, M4A, LocalServer

CLASSES = {
    "invalid_token": svara.InvalidTokenError,
    "recipient_not_found": svara.RecipientNotFoundError,
    "message_not_allowed": svara.MessageNotAllowedError,
    "audio_too_large": svara.AudioTooLargeError,
    "audio_fetch_failed": svara.AudioFetchFailedError,
    "rate_limited": svara.RateLimitedError,
    "unsupported_audio": svara.UnsupportedAudioError,
    "invalid_request": svara.InvalidRequestError,
    "permission_denied": svara.PermissionDeniedError,
    "temporary_failure": svara.TemporaryFailureError,
    "network_error": svara.NetworkError,
    "api_error": svara.ApiError,
}


def test_codes_match_the_shared_list() -> None:
    documented = json.loads(ERROR_CODES_JSON.read_text())
    assert set(documented) == set(svara.ERROR_CODES) == set(CLASSES)
    for code, cls in CLASSES.items():
        assert cls.code == code
        assert issubclass(cls, svara.SvaraError)
        assert svara.error_class_for(code) is cls
        assert getattr(svara, cls.__name__) is cls
        assert cls("x").hint, f"{code} has a hint"
    assert issubclass(svara.InvalidRequestError, ValueError)


def raises(code: str, **kwargs: object) -> svara.SvaraError:
    with pytest.raises(CLASSES[code]) as info:
        svara.send(**kwargs)  # type: ignore[arg-type]
    err = info.value
    assert err.code == code
    assert type(err) is CLASSES[code]
    return err


def test_invalid_token(emu: Emulator, send_kwargs) -> None:
    err = raises("invalid_token", **send_kwargs(session={"page_access_token": EXPIRED_PAGE_TOKEN}))
    assert err.graph_code == 190 and err.graph_subcode == 463
    assert err.http_status in (400, 401)
    assert err.fbtrace_id
    assert "token" in err.hint.lower()
    unknown = raises("invalid_token", **send_kwargs(session={"page_access_token": "EAAnot-a-real-token"}))
    assert unknown.graph_code == 190


def test_recipient_not_found(emu: Emulator, send_kwargs) -> None:
    err = raises("recipient_not_found", **send_kwargs(recipient=PSIDS["unknown"]))
    assert (err.graph_code, err.graph_subcode) == (100, 2018001)
    assert emu.deliveries() == []


@pytest.mark.parametrize(
    "psid, graph",
    [("outside_window", (10, 2018278)), ("blocked", (551, 1545041)), ("unavailable", (10, 2018108))],
)
def test_message_not_allowed(emu: Emulator, send_kwargs, psid: str, graph: tuple) -> None:
    err = raises("message_not_allowed", **send_kwargs(recipient=PSIDS[psid]))
    assert (err.graph_code, err.graph_subcode) == graph


def test_audio_too_large_is_refused_before_any_upload(emu: Emulator, send_kwargs) -> None:
    err = raises("audio_too_large", **send_kwargs(audio_path=None, audio=b"\0" * (svara.MAX_AUDIO_BYTES + 1)))
    assert "25 MB" in err.message
    assert emu.snapshot()["attempts"] == 0


def test_audio_fetch_failed(emu: Emulator, send_kwargs, local_server: LocalServer, tmp_path) -> None:
    err = raises("audio_fetch_failed", **send_kwargs(audio_path=None, audio_url=f"{local_server.url}/missing.mp3"))
    assert "404" in err.message
    raises("audio_fetch_failed", **send_kwargs(audio_path=tmp_path / "no-such-file.mp3"))


def test_rate_limited_is_caught_with_except(send_kwargs) -> None:
    scenario = {"rate_limit": {"audio_sends_per_second": 1, "window": "60s", "regain_access_minutes": 1}}
    with Emulator(scenario) as emu:
        kwargs = send_kwargs(session={"page_access_token": emu.token}, graph_url=emu.url, max_retries=0)
        assert svara.send(**kwargs).id
        caught = None
        try:
            svara.send(**kwargs)
        except svara.RateLimitedError as e:
            caught = e
        assert caught is not None
        assert caught.code == "rate_limited"
        assert caught.graph_code == 613
        assert caught.retry_after == 60.0
        assert len(emu.deliveries()) == 1


def test_unsupported_audio(emu: Emulator, send_kwargs) -> None:
    err = raises("unsupported_audio", **send_kwargs(audio_path=FIXTURES / "image.png"))
    assert "PNG" in err.message
    raises("unsupported_audio", **send_kwargs(audio_path=None, audio=os.urandom(4096)))
    assert emu.snapshot()["attempts"] == 0


def test_invalid_request(emu: Emulator, send_kwargs) -> None:
    err = raises("invalid_request", **send_kwargs(platform="whatsapp"))
    assert "messenger" in err.message


def test_permission_denied_for_an_app_that_is_not_live(emu: Emulator, send_kwargs) -> None:
    err = raises("permission_denied", **send_kwargs(session={"page_access_token": DEV_MODE_PAGE_TOKEN}))
    assert (err.graph_code, err.graph_subcode) == (200, 2018028)
    ok = svara.send(**send_kwargs(session={"page_access_token": DEV_MODE_PAGE_TOKEN}, recipient=PSIDS["app_tester"]))
    assert ok.id


def test_temporary_failure_after_retries(send_kwargs) -> None:
    with Emulator(faults=[{"kind": "temporary_failure"}]) as emu:
        err = raises("temporary_failure", **send_kwargs(graph_url=emu.url, session={"page_access_token": emu.token}, max_retries=1))
        assert err.graph_code == 1200
        assert emu.attempts(emu.psid) == 2, "one try and one automatic retry"
        assert emu.deliveries() == []


def test_temporary_failure_is_retried_to_success(send_kwargs) -> None:
    with Emulator(faults=[{"kind": "http_500", "times": 1}]) as emu:
        result = svara.send(**send_kwargs(graph_url=emu.url, session={"page_access_token": emu.token}))
        assert result.id
        assert emu.attempts(emu.psid) == 2
        assert len(emu.deliveries()) == 1


def test_network_error_when_nothing_listens(send_kwargs, closed_port_url: str) -> None:
    err = raises("network_error", **send_kwargs(graph_url=closed_port_url, max_retries=0))
    assert err.may_have_been_delivered is False
    assert err.http_status is None


def test_network_error_after_the_body_was_sent_is_not_retried(send_kwargs) -> None:
    with Emulator(faults=[{"kind": "drop_after_body"}]) as emu:
        err = raises("network_error", **send_kwargs(graph_url=emu.url, session={"page_access_token": emu.token}))
        assert err.may_have_been_delivered is True
        assert emu.attempts(emu.psid) == 1, "an ambiguous failure is never retried"
        assert len(emu.deliveries()) == 1, "the emulator did deliver it"


def test_timeout_is_a_network_error_that_may_have_been_delivered(send_kwargs) -> None:
    with Emulator(faults=[{"kind": "slow", "delay": "3s"}]) as emu:
        err = raises("network_error", **send_kwargs(graph_url=emu.url, session={"page_access_token": emu.token}, timeout=0.5))
        assert err.may_have_been_delivered is True


def test_api_error_keeps_metas_fields(local_server: LocalServer, send_kwargs) -> None:
    local_server.graph_error(code=12345, subcode=678)
    err = raises("api_error", **send_kwargs(graph_url=local_server.url, session={"page_access_token": "EAAx"}))
    assert (err.graph_code, err.graph_subcode, err.fbtrace_id) == (12345, 678, "AbCdEfGh123")
    assert err.graph_type == "OAuthException"
    assert err.http_status == 400


def test_errors_pickle_with_their_fields(emu: Emulator, send_kwargs) -> None:
    with pytest.raises(svara.MessageNotAllowedError) as info:
        svara.send(**send_kwargs(recipient=PSIDS["blocked"]))
    original = info.value
    copy = pickle.loads(pickle.dumps(original))
    assert type(copy) is svara.MessageNotAllowedError
    assert copy.to_dict() == original.to_dict()
    assert str(copy) == str(original)
    assert copy.args == original.args


def test_str_and_repr(emu: Emulator, send_kwargs) -> None:
    with pytest.raises(svara.RecipientNotFoundError) as info:
        svara.send(**send_kwargs(recipient=PSIDS["unknown"]))
    err = info.value
    assert str(err).startswith(err.message)
    assert err.hint in str(err)
    assert repr(err).startswith("RecipientNotFoundError(code='recipient_not_found'")
    assert "graph_code=100" in repr(err)


def test_user_constructed_errors_have_defaults() -> None:
    err = svara.RateLimitedError("slow down")
    assert err.code == "rate_limited"
    assert err.hint and "10 audio sends" in err.hint
    assert err.retry_after is None and err.may_have_been_delivered is False
    assert pickle.loads(pickle.dumps(err)).message == "slow down"


def test_messages_are_full_sentences(emu: Emulator, send_kwargs) -> None:
    with pytest.raises(svara.AudioTooLargeError) as info:
        svara.transcode(b"\0" * (svara.MAX_AUDIO_BYTES + 1))
    # The message ends its sentence before the hint begins its own.
    assert "it was not decoded. Send a shorter recording" in str(info.value)
    for kwargs in (send_kwargs(recipient=PSIDS["blocked"]), send_kwargs(audio_path=FIXTURES / "random.bin"),
                   send_kwargs(platform="whatsapp"), send_kwargs(bitrate=1)):
        with pytest.raises(svara.SvaraError) as caught:
            svara.send(**kwargs)
        assert caught.value.message.rstrip()[-1] in ".?!", caught.value.message


def test_error_attributes_are_the_core_wire_shape(emu: Emulator, send_kwargs) -> None:
    with pytest.raises(svara.RecipientNotFoundError) as info:
        svara.send(**send_kwargs(recipient=PSIDS["unknown"]))
    wire = info.value.to_dict()
    assert set(wire) == {"code", "message", "hint", "http_status", "platform", "platform_code", "platform_message",
                         "graph_code", "graph_subcode", "graph_type", "graph_message", "fbtrace_id", "is_transient",
                         "retry_after", "may_have_been_delivered"}
    assert (wire["graph_code"], wire["graph_subcode"], wire["http_status"]) == (100, 2018001, 400)
    assert (wire["platform"], wire["platform_code"]) == ("messenger", 100)
