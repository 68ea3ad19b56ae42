"""Prints the emulator's inspection JSON (GET /__emulator/messages) as a short table."""
import json
import sys

data = json.load(sys.stdin)
for psid, log in sorted(data.get("recipients", {}).items()):
    for m in log.get("messages", []):
        a = m.get("audio") or {}
        print(
            f"{psid}  {m['message_id'][:24]}...  {m.get('filename')} {m.get('content_type')}  "
            f"{a.get('container')}/{a.get('codec')} {a.get('sample_rate')} Hz "
            f"{a.get('channels')} ch {a.get('duration_ms')} ms {a.get('size_bytes')} bytes"
        )
