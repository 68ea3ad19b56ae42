"""Bots written from pymessenger's and fbmessenger's READMEs (pinned in requirements.txt),
pointed at `svara emulator` by overriding the client's Graph base URL, run their normal flow:
typing on, text, an MP3 by URL, typing off, the profile, and an M4A upload; the emulator's
record shows each step in order.

Neither library can upload a file as published: pymessenger 0.0.7.0's `send_audio` reads an
undefined `image_path` (NameError before any request) and fbmessenger has no upload at all. The
upload test therefore builds pymessenger's own multipart request (its `send_audio` layout, with
its own `requests_toolbelt.MultipartEncoder`) and shows what Meta does with it: without a
Content-Type on the file part (pymessenger's layout) 100/2018047, with `audio/mp4` a voice note.

Needs SVARA_BIN (the `svara` binary); run by scripts/lib/test-emulator-compat.sh.
"""

import http.server
import json
import os
import subprocess
import threading
from pathlib import Path

import pytest
import requests
from fbmessenger import MessengerClient, attachments, elements
from pymessenger.bot import Bot
from requests_toolbelt import MultipartEncoder

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
TOKEN = "EAASvaraEmulatorPageToken0DefaultPage"
PSID = "6128493027184956"
BLOCKED = "6128493027184960"


@pytest.fixture
def emulator():
    proc = subprocess.Popen(
        [os.environ["SVARA_BIN"], "emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    url = proc.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:"), url
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def mp3_url():
    mp3 = (FIXTURES / "speech-stereo.mp3").read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "audio/mpeg")
            self.send_header("Content-Length", str(len(mp3)))
            self.end_headers()
            self.wfile.write(mp3)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/speech.mp3"
    server.shutdown()


def record(url):
    return requests.get(f"{url}/__emulator/messages", timeout=10).json()


def test_pymessenger_flow(emulator, mp3_url):
    bot = Bot(TOKEN)
    assert bot.graph_url == "https://graph.facebook.com/v2.6"
    bot.graph_url = f"{emulator}/v2.6"  # the base URL, overridden

    assert bot.send_action(PSID, "typing_on") == {"recipient_id": PSID}
    sent = bot.send_text_message(PSID, "Here is your voice note")
    assert sent["recipient_id"] == PSID and sent["message_id"].startswith("m_")
    by_url = bot.send_audio_url(PSID, mp3_url)
    assert by_url["message_id"].startswith("m_"), by_url
    assert bot.send_action(PSID, "typing_off") == {"recipient_id": PSID}
    refused = bot.send_text_message(BLOCKED, "hello?")
    assert refused["error"]["code"] == 551 and refused["error"]["error_subcode"] == 1545041

    log = record(emulator)["recipients"][PSID]["messages"]
    assert [m["kind"] for m in log] == ["sender_action", "text", "audio", "sender_action"]
    assert log[1]["text"] == "Here is your voice note"
    assert log[1]["messaging_type"] == "", "pymessenger never sends messaging_type"
    assert log[2]["audio"]["codec"] == "mp3" and log[2]["voice_note"] is False
    assert log[2]["api_version"] == "v2.6" and log[2]["served_version"] != "v2.6"


def test_fbmessenger_flow(emulator, mp3_url):
    client = MessengerClient(TOKEN)
    client.graph_url = f"{emulator}/v2.12"  # the base URL, overridden

    assert client.send_action("typing_on", PSID) == {"recipient_id": PSID}
    sent = client.send(elements.Text("Here is your voice note").to_dict(), PSID)
    assert sent["message_id"].startswith("m_"), sent
    audio = client.send(attachments.Audio(url=mp3_url).to_dict(), PSID, messaging_type="UPDATE")
    assert audio["message_id"].startswith("m_"), audio
    assert client.send_action("typing_off", PSID) == {"recipient_id": PSID}
    profile = client.get_user_data(PSID)
    assert profile["id"] == PSID and profile["first_name"] and profile["locale"] == "en_US"

    log = record(emulator)["recipients"][PSID]["messages"]
    assert [m["kind"] for m in log] == ["sender_action", "text", "audio", "sender_action"]
    assert [m["messaging_type"] for m in log[1:3]] == ["RESPONSE", "UPDATE"]
    assert log[1]["notification_type"] == "REGULAR"
    assert log[2]["origin"] == "url" and log[2]["audio"]["codec"] == "mp3"


def test_m4a_upload_the_way_pymessenger_builds_it(emulator):
    bot = Bot(TOKEN)
    m4a = FIXTURES / "speech-aac.m4a"
    # As published, pymessenger's upload never reaches the network.
    with pytest.raises(NameError):
        bot.send_audio(PSID, str(m4a))

    def upload(filedata):
        payload = {
            "recipient": json.dumps({"id": PSID}),
            "message": json.dumps({"attachment": {"type": "audio", "payload": {}}}),
            "filedata": filedata,
        }
        body = MultipartEncoder(payload)
        return requests.post(
            f"{emulator}/v2.6/me/messages",
            params={"access_token": TOKEN},
            data=body,
            headers={"Content-Type": body.content_type},
            timeout=30,
        ).json()

    with m4a.open("rb") as f:
        untyped = upload((m4a.name, f))  # pymessenger's layout: no Content-Type on the part
    assert untyped["error"]["code"] == 100
    assert untyped["error"]["error_subcode"] == 2018047, untyped
    with m4a.open("rb") as f:
        typed = upload((m4a.name, f, "audio/mp4"))
    assert typed["recipient_id"] == PSID and typed["message_id"].startswith("m_"), typed

    seen = record(emulator)
    (note,) = seen["recipients"][PSID]["messages"]
    assert note["kind"] == "audio" and note["voice_note"] is True
    assert note["audio"]["codec"] == "aac-lc" and note["filename"] == "speech-aac.m4a"
    assert seen["rejected_by_error"] == {"100/2018047": 1}
