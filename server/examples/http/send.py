# The documented Python example (requests); against `svara serve` only the base URL changes
# (https://api.svarapi.io -> http://127.0.0.1:8080).
import os

import requests

response = requests.post(
    "https://api.svarapi.io/v1/send",
    headers={"Authorization": f"Bearer {os.environ['SVARA_API_KEY']}"},
    json={
        "platform": "messenger",
        "recipient": "6128493027184956",
        "audio_url": "https://cdn.example.com/notes/update.m4a",
        "session": {"page_access_token": os.environ["META_PAGE_TOKEN"]},
    },
)
result = response.json()
print(f"Voice note queued: {result['id']}")
