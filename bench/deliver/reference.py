#!/usr/bin/env python3
"""The reference side of bench/deliver: Python's http.client POSTing the same number of
signed alert-sized bodies, one after another on one kept-alive connection, to the same
receiver. Prints alerts/s. Usage: reference.py PORT SECRET COUNT"""
import http.client
import json
import sys
import time
from datetime import datetime, timezone

from standardwebhooks.webhooks import Webhook

port, secret, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
webhook = Webhook(secret)
connection = http.client.HTTPConnection("127.0.0.1", port)
start = time.time()
for number in range(count):
    message_id = f"reference-{number}"
    body = json.dumps({"id": message_id, "rule": "bcma-rmat", "item": {"title": f"Example Bio {number} receives RMAT"}})
    now = datetime.now(tz=timezone.utc)
    headers = {"content-type": "application/json", "webhook-id": message_id,
               "webhook-timestamp": str(int(now.timestamp())), "webhook-signature": webhook.sign(message_id, now, body)}
    connection.request("POST", "/reference", body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        sys.exit(f"reference delivery answered {response.status}")
elapsed = time.time() - start
print(f"{count / elapsed:.0f}")
