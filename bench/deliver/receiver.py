#!/usr/bin/env python3
"""Webhook receiver for bench/deliver: verifies every signature with the public
`standardwebhooks` package and appends `webhook-id receipt-time verified` per delivery to
LOGFILE. Usage: receiver.py SECRET LOGFILE. Prints `PORT n` when listening. GET /count
answers the number of deliveries received so far."""
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook

webhook = Webhook(sys.argv[1])
log = open(sys.argv[2], "a", buffering=1)
lock = threading.Lock()
count = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle's algorithm and
        # delayed ACKs add ~40 ms to every response on a kept-alive connection.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args):
        pass

    def reply(self, status, body=b""):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        with lock:
            self.reply(200, str(count).encode())

    def do_POST(self):
        global count
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        received = time.time()
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            webhook.verify(body, headers)
            verified = 1
        except Exception:
            verified = 0
        with lock:
            count += 1
            log.write(f"{headers.get('webhook-id')} {received:.6f} {verified}\n")
        self.reply(200 if verified else 401)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
server.request_queue_size = 256
print(f"PORT {server.server_address[1]}", flush=True)
server.serve_forever()
