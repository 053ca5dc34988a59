#!/usr/bin/env python3
"""Rewrites COUNT of bench/soak's feeds with new items (generation GEN), so the next polls
of those feeds get 200 and new items. Usage: mutate.py WORKDIR REPO SOURCES COUNT GEN"""
import random
import sys

work, repo, sources, count, generation = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
sys.argv = [sys.argv[0], work, repo, str(sources)]
import generate  # noqa: E402  (reads argv for its fixtures' paths)

picker = random.Random(generation)
for source in picker.sample(range(sources), count):
    generate.write_feed(source, generation)
