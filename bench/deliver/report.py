#!/usr/bin/env python3
"""Joins bench/deliver's receipt log with the alerts' creation times in the state database
and prints throughput and latency. Usage: report.py STATE_DB RECEIPTS_LOG EXPECTED"""
import sqlite3
import sys

database, receipts_path, expected = sys.argv[1], sys.argv[2], int(sys.argv[3])
created = dict(sqlite3.connect(database).execute("SELECT id, created_at FROM alerts"))
first_receipt = {}
deliveries = unverified = 0
for line in open(receipts_path):
    alert_id, received, verified = line.split()
    if alert_id not in created:
        continue  # the reference run's posts
    deliveries += 1
    unverified += verified != "1"
    first_receipt.setdefault(alert_id, float(received))

latencies = sorted(first_receipt[a] - created[a] for a in first_receipt if a in created)
missing = sum(1 for a in created if a not in first_receipt)
if not latencies:
    sys.exit("no deliveries received")


def percentile(p):
    return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))]


start = min(created.values())
end = max(first_receipt.values())
print(f"alerts created            {len(created)} (expected {expected})")
print(f"deliveries received       {deliveries} ({len(first_receipt)} distinct ids, {deliveries - len(first_receipt)} repeats, "
      f"{unverified} failed verification, {missing} missing)")
print(f"throughput                {len(first_receipt) / (end - start):,.0f} alerts/s "
      f"(first match to last receipt: {end - start:.2f} s)")
print(f"latency match -> receipt  p50 {percentile(50) * 1000:,.1f} ms   p90 {percentile(90) * 1000:,.1f} ms   "
      f"p99 {percentile(99) * 1000:,.1f} ms   max {latencies[-1] * 1000:,.1f} ms")
