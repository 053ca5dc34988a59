#!/usr/bin/env python3
"""Pharos exec sink example: turns an alert into a short text message and hands it to a
local command on its standard input (`logger -t pharos`, `mail -s ... team@...`, a chat
CLI, ...).

Usage: forward_to_command.py COMMAND [ARGUMENT ...]

The message is "[rule] title", the link, and the evidence sentences. The command's exit
status decides the outcome: 0 = delivered; 75, or a command that cannot run at the
moment (killed, not found), = retry later (exit 75); anything else = permanent failure
(exit 1). Pharos sets PHAROS_ALERT_ID, PHAROS_RULE and PHAROS_SINK.
"""

import json
import subprocess
import sys

EX_TEMPFAIL = 75


def message(alert):
    item = alert.get("item", {})
    lines = [f"[{alert.get('rule', '?')}] {item.get('title', '(no title)')}"]
    if item.get("link"):
        lines.append(item["link"])
    for evidence in alert.get("evidence", [])[:3]:
        lines.append("> " + evidence.get("text", "").strip())
    lines.append(f"alert {alert.get('id', '?')} from source {alert.get('source', '?')}")
    return "\n".join(lines) + "\n"


def main():
    if len(sys.argv) < 2:
        print("usage: forward_to_command.py COMMAND [ARGUMENT ...]", file=sys.stderr)
        return 2
    try:
        alert = json.loads(sys.stdin.readline())
    except ValueError as error:
        print(f"standard input is not an alert: {error}", file=sys.stderr)
        return 1
    try:
        completed = subprocess.run(sys.argv[1:], input=message(alert), text=True, timeout=20)
    except FileNotFoundError:
        print(f"{sys.argv[1]} not found", file=sys.stderr)
        return EX_TEMPFAIL
    except subprocess.TimeoutExpired:
        print(f"{sys.argv[1]} took too long", file=sys.stderr)
        return EX_TEMPFAIL
    if completed.returncode == 0:
        return 0
    if completed.returncode == EX_TEMPFAIL or completed.returncode < 0:
        print(f"{sys.argv[1]} failed for now (status {completed.returncode})", file=sys.stderr)
        return EX_TEMPFAIL
    print(f"{sys.argv[1]} refused the alert (status {completed.returncode})", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
