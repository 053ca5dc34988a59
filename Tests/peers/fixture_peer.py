#!/usr/bin/env python3
"""A loopback server that answers with recorded responses, for the source plugins that speak
a provider's API (ClinicalTrials.gov, SEC EDGAR). Its argument is a folder holding
routes.json, read again on every request so a test can change the answers between polls:

  [{"path": "/api/v2/studies", "query": {"pageToken": "p2"}, "status": 200,
    "headers": {"Content-Type": "application/json"}, "file": "/abs/or/relative/page2.json"}, ...]

The first route whose path equals the request's and whose query values all occur in the
request's query (a value may be a substring: "RANGE[2026-12-01") answers; "body" may stand
for "file". "require": {"User-Agent": "@"} answers 403 (as SEC EDGAR does) unless each
header named holds the text given. No route: 404. /_log gives every request so far (path, query, headers) as JSON.
Prints `PORT <n>` once listening."""
import json
import os
import sys
import threading
from urllib.parse import parse_qs, urlsplit

from peer import QuietHandler, serve

folder = sys.argv[1]
log = []
lock = threading.Lock()


def matches(route, path, query):
    if route.get("path") != path:
        return False
    for key, wanted in route.get("query", {}).items():
        values = query.get(key)
        if wanted is None:
            if values:
                return False
            continue
        if not values or not any(wanted in value for value in values):
            return False
    return True


class Handler(QuietHandler):
    def do_GET(self):
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        if parts.path == "/_log":
            with lock:
                self.send(200, json.dumps(log).encode(), [("Content-Type", "application/json")])
            return
        with lock:
            log.append({"path": parts.path, "query": {k: v[0] for k, v in query.items()}, "headers": dict(self.headers)})
        with open(os.path.join(folder, "routes.json")) as file:
            routes = json.load(file)
        for route in routes:
            if matches(route, parts.path, query):
                for header, wanted in route.get("require", {}).items():
                    if wanted not in (self.headers.get(header) or ""):
                        self.send(403, b"Request rate threshold exceeded or undeclared automated tool")
                        return
                if "file" in route:
                    name = route["file"] if os.path.isabs(route["file"]) else os.path.join(folder, route["file"])
                    with open(name, "rb") as file:
                        body = file.read()
                else:
                    body = route.get("body", "").encode()
                self.send(route.get("status", 200), body, list(route.get("headers", {}).items()))
                return
        self.send(404, b"no such fixture")


serve(Handler)
