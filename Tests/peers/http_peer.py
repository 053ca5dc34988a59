#!/usr/bin/env python3
"""A loopback HTTP server for Pharos's transport tests: prints `PORT <n>` and serves
canned behaviours until killed. Every request is logged as one JSON line on stderr."""
import gzip
import json
import sys
import time

from peer import QuietHandler, serve


class Handler(QuietHandler):
    def do_GET(self):
        sys.stderr.write(json.dumps({"method": "GET", "path": self.path, "headers": dict(self.headers)}) + "\n")
        sys.stderr.flush()
        path = self.path.split("?")[0]
        if path == "/hello":
            self.send(200, b"hello from the peer", [("Content-Type", "text/plain"), ("ETag", '"v1"')])
        elif path == "/gzip":
            body = gzip.compress(b"squeezed " * 1000)
            if "gzip" in self.headers.get("Accept-Encoding", ""):
                self.send(200, body, [("Content-Encoding", "gzip")])
            else:
                self.send(200, b"squeezed " * 1000)
        elif path == "/redirect":
            self.send(302, b"", [("Location", "/hello")])
        elif path == "/loop":
            self.send(302, b"", [("Location", "/loop")])
        elif path == "/file-redirect":
            self.send(302, b"", [("Location", "file:///etc/passwd")])
        elif path == "/big":
            self.send(200, b"x" * 5_000_000)
        elif path == "/slow":
            time.sleep(3)
            self.send(200, b"late")
        elif path.startswith("/status/"):
            status = int(path.rsplit("/", 1)[1])
            headers = [("Retry-After", "7")] if status in (429, 503) else []
            self.send(status, b"status %d" % status, headers)
        elif path == "/headers":
            self.send(200, json.dumps(dict(self.headers)).encode(), [("Content-Type", "application/json")])
        else:
            self.send(404, b"not found")

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        sys.stderr.write(json.dumps({"method": "POST", "path": self.path, "headers": dict(self.headers)}) + "\n")
        sys.stderr.flush()
        reply = json.dumps({"body": body.decode("utf-8", "replace"), "headers": dict(self.headers)}).encode()
        self.send(200, reply, [("Content-Type", "application/json")])


serve(Handler)
