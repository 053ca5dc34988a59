#!/usr/bin/env python3
"""Serves the daemon's hostile-feed set on 127.0.0.1 (bench/hostile/daemon): 17 feeds built
to make a poller hold too much or wait too long, each at /NAME. Writes them into FOLDER
first (MB: size of the large ones, default 19, under the daemon's 20 MB max_bytes).
Usage: serve.py FOLDER PORT_FILE   (the chosen port is written to PORT_FILE; each request's
path is appended to FOLDER/requests.log)"""
import gzip
import http.server
import os
import socket
import sys
import threading
import time

folder, port_file = sys.argv[1], sys.argv[2]
size = int(os.environ.get("MB", "19")) << 20
os.makedirs(folder, exist_ok=True)
RSS = '<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile</title><link>https://h.example/</link>'
END = "</channel></rss>"
log_lock = threading.Lock()


def fill(chunk, budget):
    return chunk * max(1, budget // len(chunk))


def feeds():
    item = "<item><title>BCMA RMAT news</title><description>" + "A" * 4000 + "</description></item>"
    small = "".join(f"<item><guid>g{i}</guid><title>Item {i} about BCMA</title><description>RMAT news {i}</description></item>\n"
                    for i in range(1000))
    xml = {
        "huge-field": RSS + "<item><title>FDA grants RMAT to BCMA CAR-T</title><description>"
                      + fill("BCMA RMAT designation news. " * 36 + "\n", size) + "</description></item>" + END,
        "many-items": RSS + fill(small, size) + END,
        "deep-nesting": RSS + "<item><title>Deep</title><description>" + "<div>" * 1_000_000 + "x" + "</div>" * 1_000_000
                        + "</description></item>" + END,
        "many-fields": RSS + "<item><title>Wide</title>" + fill("<category>" + "c" * 1024 + "</category>", size) + "</item>" + END,
        "single-line": RSS + fill(item, size) + END,
        "single-line-field": RSS + "<item><title>" + "B" * size + "</title></item>" + END,
        "entity-bomb": '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "' + "A" * 1000 + '">'
                       + "".join(f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">' for i in range(9))
                       + ']><rss version="2.0"><channel><title>Bomb</title><item><title>&j;</title></item>' + END,
        "xxe": '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel>'
               '<title>XXE</title><item><title>&x;</title></item>' + END,
        "not-utf8": RSS + fill("<item><title>caf\udce9 BCMA</title><description>" + "\udce9" * 1000 + "</description></item>", size) + END,
        "html-page": "<!DOCTYPE html><html><body>" + fill("<p>Not a feed</p>", size) + "</body></html>",
        "json-huge-title": '{"version": "https://jsonfeed.org/version/1.1", "title": "' + "T" * (size // 2)
                           + '", "items": [{"id": "a", "title": "' + "BCMA RMAT " * (size // 20) + '"}]}',
        "json-many-items": '{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": ['
                           + ",".join(f'{{"id": "j{i}", "title": "Item {i} about BCMA", "tags": ["RMAT"]}}' for i in range(size // 72)) + "]}",
    }
    for name, text in xml.items():
        with open(os.path.join(folder, name), "wb") as out:
            out.write(text.encode("utf-8", "surrogateescape"))
    # 1 GB of spaces inside a title, 1 MB compressed: cut at max_bytes after decoding.
    with gzip.open(os.path.join(folder, "gzip-bomb"), "wb", compresslevel=9) as out:
        out.write((RSS + "<item><title>").encode())
        for _ in range(1024):
            out.write(b" " * (1 << 20))
        out.write(("</title></item>" + END).encode())
    with open(os.path.join(folder, "single-line"), "rb") as plain, gzip.open(os.path.join(folder, "gzip-single-line"), "wb") as out:
        out.write(plain.read())


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        name = self.path.strip("/")
        with log_lock, open(os.path.join(folder, "requests.log"), "a") as log:
            log.write(name + "\n")
        if name == "hang":
            time.sleep(3600)
            return
        if name == "redirect-loop":
            self.send_response(302)
            self.send_header("Location", "/redirect-loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if name == "slow":
            # A small feed, a byte a second: the poll's timeout ends it.
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            for byte in (RSS + "<item><title>Slow</title></item>" + END).encode():
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(1)
            return
        path = os.path.join(folder, name)
        if not name or "/" in name or not os.path.exists(path):
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json" if name.startswith("json") else "application/rss+xml")
        if name.startswith("gzip"):
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(os.path.getsize(path)))
        self.end_headers()
        with open(path, "rb") as body:
            while chunk := body.read(1 << 16):
                self.wfile.write(chunk)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().server_bind()


if not os.path.exists(os.path.join(folder, "gzip-single-line")):
    feeds()
server = Server(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as out:
    out.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
