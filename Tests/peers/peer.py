"""What every loopback peer shares: a quiet handler with a one-call reply, and a server
that announces its port as `PORT <n>` on stdout for the Swift tests to read."""
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def serve(handler):
    # PEER_PORT lets a test restart a peer on the port its client already uses.
    server = ThreadingHTTPServer(("127.0.0.1", int(os.environ.get("PEER_PORT", "0"))), handler)
    server.request_queue_size = 128
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()
