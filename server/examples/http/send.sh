#!/usr/bin/env bash
# The documented curl example, as published for the hosted API; against `svara serve` only the
# base URL changes (https://api.svarapi.io -> http://127.0.0.1:8080). SVARA_API_KEY is the key
# `svara serve` printed (an sk_test_ key delivers to its built-in emulator).
curl -X POST https://api.svarapi.io/v1/send \
  -H "Authorization: Bearer $SVARA_API_KEY" \
  -H "Content-Type: application/json" \
  -d '{
    "platform": "messenger",
    "recipient": "6128493027184956",
    "audio_url": "https://cdn.example.com/notes/update.m4a",
    "session": {
      "page_access_token": "EAAGm0PX4ZCps..."
    }
  }'
