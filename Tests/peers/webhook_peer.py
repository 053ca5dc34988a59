#!/usr/bin/env python3
"""A loopback webhook receiver that verifies every delivery with the public
`standardwebhooks` package. Usage: webhook_peer.py SECRET [STATUS,STATUS,...] [LOGFILE] [DELAY_MS]
Each POST gets the next status of the list (then 200); a bad signature always gets 401;
with DELAY_MS, each answer comes that long after the request (a slow receiver).
GET /_log returns every delivery (id, whether the signature verified, the status given);
with LOGFILE, each is also appended there as one JSON line."""
import json
import sys
import threading
import time

from peer import QuietHandler, serve
from standardwebhooks.webhooks import Webhook

webhook = Webhook(sys.argv[1])
script = [int(s) for s in sys.argv[2].split(",")] if len(sys.argv) > 2 and sys.argv[2] else []
log_file = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else None
delay = int(sys.argv[4]) / 1000 if len(sys.argv) > 4 else 0
deliveries = []
lock = threading.Lock()


class Handler(QuietHandler):
    def do_GET(self):
        with lock:
            self.send(200, json.dumps(deliveries).encode(), [("Content-Type", "application/json")])

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        time.sleep(delay)
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            webhook.verify(body, headers)
            verified = True
        except Exception:
            verified = False
        with lock:
            status = (script.pop(0) if script else 200) if verified else 401
            document = json.loads(body) if verified else None
            entry = {"id": headers.get("webhook-id"), "verified": verified, "status": status,
                     "rule": document.get("rule") if isinstance(document, dict) else None,
                     "body": body.decode("utf-8", "replace"), "content_type": headers.get("content-type")}
            deliveries.append(entry)
            if log_file:
                with open(log_file, "a") as out:
                    out.write(json.dumps(entry) + "\n")
        self.send(status, b"{}", [("Retry-After", "3")] if status == 429 else [])


serve(Handler)
