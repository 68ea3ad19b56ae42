"""`svara.send(platform="telegram"|"whatsapp"|"instagram", ...)` against the emulator over HTTP:
the same body as every Svara SDK, the platform's native format, its errors as the same classes
with the platform's raw code, tokens from the platform's variable, and no token in any text."""

from __future__ import annotations

import pickle

import pytest

import svara
from svara.testing import PLATFORMS, Emulator

from conftest import FIXTURES, MP3

WEBM = FIXTURES / "speech.opus.webm"
WAV = FIXTURES / "speech-s16-16k.wav"
TG = PLATFORMS["telegram"]
WA = PLATFORMS["whatsapp"]
IG = PLATFORMS["instagram"]


@pytest.fixture
def no_tokens(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for var in ("TELEGRAM_BOT_TOKEN", "WHATSAPP_ACCESS_TOKEN", "INSTAGRAM_ACCESS_TOKEN", "SVARA_TELEGRAM_URL"):
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


def assert_no_secret(secret: str, err: BaseException) -> None:
    texts = [str(err), repr(err), repr(getattr(err, "to_dict", dict)())]
    for text in texts:
        assert secret not in text, text


def test_telegram_sends_mono_ogg_opus_with_a_caption(emu: Emulator, no_tokens: pytest.MonkeyPatch) -> None:
    chat = TG["recipients"]["default"]
    result = svara.send(
        platform="telegram",
        recipient=chat,
        audio_path=MP3,
        session={"bot_token": TG["sender"]["token"]},
        telegram_url=emu.url,
        caption="hello from Python",
    )
    assert result.platform == "telegram"
    assert result.converted is True
    assert result.output is not None
    assert (result.output.container, result.output.codec, result.output.channels) == ("ogg", "opus", 1)
    assert result.attachment_id  # the file_id, reusable by this bot
    (delivery,) = emu.deliveries(chat)
    assert delivery["platform"] == "telegram"
    assert str(delivery["message_id"]) == result.id
    assert delivery["caption"] == "hello from Python"
    assert delivery["voice_note"] is True

    # TELEGRAM_BOT_TOKEN stands in for session.bot_token.
    no_tokens.setenv("TELEGRAM_BOT_TOKEN", TG["sender"]["token"])
    again = svara.send(platform="telegram", recipient=chat, audio_path=WAV, telegram_url=emu.url)
    assert again.platform == "telegram" and again.id != result.id
    assert len(emu.deliveries(chat)) == 2


def test_telegram_errors_are_the_same_classes_and_never_show_the_token(emu: Emulator, no_tokens: pytest.MonkeyPatch) -> None:
    token = TG["sender"]["token"]
    with pytest.raises(svara.MessageNotAllowedError) as blocked:
        svara.send(
            platform="telegram",
            recipient=TG["recipients"]["blocked"],
            audio_path=MP3,
            session={"bot_token": token},
            telegram_url=emu.url,
        )
    err = blocked.value
    assert (err.code, err.platform, err.platform_code, err.http_status) == ("message_not_allowed", "telegram", 403, 403)
    assert "blocked" in (err.platform_message or "")
    assert_no_secret(token.split(":")[1], err)
    copy = pickle.loads(pickle.dumps(err))
    assert copy.to_dict() == err.to_dict()

    with pytest.raises(svara.RecipientNotFoundError) as unknown:
        svara.send(
            platform="telegram",
            recipient=TG["recipients"]["unknown"],
            audio_path=MP3,
            session={"bot_token": token},
            telegram_url=emu.url,
        )
    assert unknown.value.platform_code == 400
    assert_no_secret(token.split(":")[1], unknown.value)

    revoked = TG["sender"]["revoked_token"]
    with pytest.raises(svara.InvalidTokenError) as bad:
        svara.send(
            platform="telegram",
            recipient=TG["recipients"]["default"],
            audio_path=MP3,
            session={"bot_token": revoked},
            telegram_url=emu.url,
        )
    assert bad.value.platform_code == 401
    assert_no_secret(revoked.split(":")[1], bad.value)


def test_whatsapp_sends_a_voice_message_and_maps_its_codes(emu: Emulator, no_tokens: pytest.MonkeyPatch) -> None:
    session = {"access_token": WA["sender"]["token"], "phone_number_id": WA["sender"]["phone_number_id"]}
    to = WA["recipients"]["default"]
    result = svara.send(platform="whatsapp", recipient=to, audio_path=WEBM, session=session, graph_url=emu.url)
    assert result.platform == "whatsapp"
    assert result.id.startswith("wamid.")
    assert result.fits_inline_player is True
    assert result.output is not None and (result.output.container, result.output.codec, result.output.channels) == ("ogg", "opus", 1)
    (delivery,) = emu.deliveries(to)
    assert delivery["platform"] == "whatsapp" and delivery["voice_note"] is True

    with pytest.raises(svara.MessageNotAllowedError) as closed:
        svara.send(platform="whatsapp", recipient=WA["recipients"]["outside_window"], audio_path=WEBM, session=session, graph_url=emu.url)
    assert (closed.value.platform, closed.value.platform_code) == ("whatsapp", 131047)

    with pytest.raises(svara.InvalidTokenError) as expired:
        svara.send(
            platform="whatsapp",
            recipient=to,
            audio_path=WEBM,
            session={**session, "access_token": WA["sender"]["expired_token"]},
            graph_url=emu.url,
        )
    assert expired.value.platform_code == 190
    assert_no_secret(WA["sender"]["expired_token"], expired.value)

    # A key of another platform is refused with a message that says where it belongs.
    with pytest.raises(svara.InvalidRequestError, match="bot_token"):
        svara.send(platform="whatsapp", recipient=to, audio_path=WEBM, session={**session, "bot_token": "x:y"}, graph_url=emu.url)


def test_instagram_sends_m4a_aac_on_both_logins(emu: Emulator, no_tokens: pytest.MonkeyPatch) -> None:
    igsid = IG["recipients"]["default"]
    login = svara.send(
        platform="instagram",
        recipient=igsid,
        audio_path=WAV,
        session={"access_token": IG["sender"]["token"], "ig_user_id": IG["sender"]["ig_user_id"]},
        graph_url=emu.url,
    )
    assert login.platform == "instagram"
    assert login.output is not None and (login.output.container, login.output.codec) == ("mp4", "aac-lc")
    page = svara.send(
        platform="instagram",
        recipient=igsid,
        audio_path=WAV,
        session={"page_access_token": IG["sender"]["page_token"]},
        graph_url=emu.url,
    )
    assert page.platform == "instagram" and page.id != login.id
    deliveries = emu.deliveries(igsid)
    assert [d["platform"] for d in deliveries] == ["instagram", "instagram"]
    assert all(d["voice_note"] for d in deliveries)

    with pytest.raises(svara.MessageNotAllowedError) as blocked:
        svara.send(
            platform="instagram",
            recipient=IG["recipients"]["blocked"],
            audio_path=WAV,
            session={"access_token": IG["sender"]["token"], "ig_user_id": IG["sender"]["ig_user_id"]},
            graph_url=emu.url,
        )
    assert blocked.value.platform == "instagram"
    assert_no_secret(IG["sender"]["token"], blocked.value)


def test_a_client_sends_many_on_whatsapp_with_one_upload(emu: Emulator) -> None:
    client = svara.Client(
        platform="whatsapp",
        session={"access_token": WA["sender"]["token"], "phone_number_id": WA["sender"]["phone_number_id"]},
        graph_url=emu.url,
    )
    recipients = [WA["recipients"]["default"], WA["recipients"]["second"]]
    outcomes = client.send_many(recipients, audio_path=MP3)
    assert [o.ok for o in outcomes] == [True, True]
    ids = {o.result.attachment_id for o in outcomes if o.result is not None}
    assert len(ids) == 1, ids
    snapshot = emu.snapshot()
    uploads = [a for a in snapshot["attachments"] if a.get("platform") == "whatsapp"]
    assert len(uploads) == 1, uploads
