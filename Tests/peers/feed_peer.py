#!/usr/bin/env python3
"""A loopback feed server for the rss source tests. Serves the files of the folder given as
argument with ETag / Last-Modified validators (304 when they match), and canned failures:
  /gz/NAME        NAME gzip-encoded        /redirect/NAME  301 to /NAME
  /busy           429 with Retry-After     /broken         500
  /truncated/NAME half of NAME, then the connection closes
  /article/N      an HTML article page     /_log           every request so far, as JSON
  /huge           a 50 MB body
Prints `PORT <n>` once listening."""
import gzip
import hashlib
import json
import os
import sys
import threading
import time
from email.utils import formatdate

from peer import QuietHandler, serve

folder = sys.argv[1]
log = []
lock = threading.Lock()


class Handler(QuietHandler):
    def do_GET(self):
        path = self.path.split("?")[0]
        if path != "/_log":
            with lock:
                log.append({"path": path, "time": time.time(), "headers": dict(self.headers)})
        if path == "/_log":
            with lock:
                self.send(200, json.dumps(log).encode(), [("Content-Type", "application/json")])
        elif path == "/busy":
            self.send(429, b"slow down", [("Retry-After", "120")])
        elif path == "/broken":
            self.send(500, b"oops")
        elif path == "/huge":
            chunk = b"<!-- padding -->" * 4096
            self.send_response(200)
            self.send_header("Content-Length", str(50 * 1024 * 1024))
            self.end_headers()
            try:
                for _ in range(50 * 1024 * 1024 // len(chunk)):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif path.startswith("/article/"):
            number = path.rsplit("/", 1)[1]
            page = f"<html><head><title>Article {number}</title><script>var x = 1;</script></head><body><h1>Article {number}</h1><p>The full text says that FDA granted RMAT designation to a BCMA-directed therapy ({number}).</p></body></html>"
            self.send(200, page.encode(), [("Content-Type", "text/html")])
        elif path.startswith("/redirect/"):
            self.send(301, b"", [("Location", "/" + path[len("/redirect/"):])])
        else:
            gzipped = path.startswith("/gz/")
            truncated = path.startswith("/truncated/")
            name = path.split("/")[-1]
            file = os.path.join(folder, name)
            if not os.path.isfile(file):
                self.send(404, b"no such feed")
                return
            body = open(file, "rb").read()
            etag = '"' + hashlib.md5(body).hexdigest() + '"'
            modified = formatdate(os.path.getmtime(file), usegmt=True)
            if self.headers.get("If-None-Match") == etag:
                self.send(304, b"", [("ETag", etag)])
                return
            headers = [("ETag", etag), ("Last-Modified", modified), ("Content-Type", "application/rss+xml")]
            if truncated:
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            if gzipped:
                body = gzip.compress(body)
                headers.append(("Content-Encoding", "gzip"))
            self.send(200, body, headers)


serve(Handler)
