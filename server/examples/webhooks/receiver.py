"""A receiver for svara serve's webhooks: each event's Svara-Signature is checked with
svara.webhooks.verify (origin and freshness) before it is used, retries are de-duplicated on the
event id, and anything that does not verify is refused with 400.

    SVARA_WEBHOOK_SECRET=whsec_... python3 receiver.py 8000
"""

import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

from svara import webhooks

SECRET = os.environ["SVARA_WEBHOOK_SECRET"]
seen = set()


class Hook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))  # the raw bytes
        try:
            event = webhooks.verify(body, self.headers.get("Svara-Signature"), SECRET)
        except webhooks.WebhookVerificationError as e:
            print(f"refused: {e.code}", flush=True)
            self.send_response(400)
            self.end_headers()
            return
        if event["id"] not in seen:  # delivery is at least once: de-duplicate on the event id
            seen.add(event["id"])
            note = event["data"]
            print(f"verified {event['event']} {note['id']} {note['status']}", flush=True)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


HTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 8000), Hook).serve_forever()
