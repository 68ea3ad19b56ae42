# Sends your receiver a test event signed like svara serve signs them (curl and openssl only):
# Svara-Signature: t=UNIX_SECONDS,v1=HEX(HMAC_SHA256(secret, "{t}.{raw_body}")).
#   SVARA_WEBHOOK_SECRET=whsec_... RECEIVER_URL=http://127.0.0.1:8000/ sh sign-test-event.sh
body='{"id":"evt_test","event":"voice_note.sent","created_at":"2026-03-14T12:00:00Z","data":{"id":"msg_test","status":"sent"}}'
t=$(date +%s)
sig=$(printf '%s.%s' "$t" "$body" | openssl dgst -sha256 -hmac "$SVARA_WEBHOOK_SECRET" | sed 's/^.* //')
curl -sS -o /dev/null -w '%{http_code}\n' -X POST "$RECEIVER_URL" \
  -H "Content-Type: application/json" \
  -H "Svara-Event-Id: evt_test" \
  -H "Svara-Signature: t=$t,v1=$sig" \
  --data-binary "$body"
