"""The README's Python example: send one voice note and print its id.

    META_PAGE_TOKEN=EAAB... python send_voice_note.py

Point it at the local emulator instead of Meta with SVARA_GRAPH_URL (and take the emulator's
token), e.g. after `python -m svara.testing` or `svara emulator`. AUDIO_URL and RECIPIENT_PSID
override the example's link and person.
"""

import os

import svara

result = svara.send(
    platform="messenger",
    recipient=os.environ.get("RECIPIENT_PSID", "6128493027184956"),
    audio_url=os.environ.get("AUDIO_URL", "https://cdn.example.com/notes/update.m4a"),
    session={"page_access_token": os.environ["META_PAGE_TOKEN"]},
)
print(f"Voice note sent: {result['id']}")  # result.id works too
