#!/usr/bin/env python3
"""Writes N short press releases into INBOX, each raising exactly one alert under
bench/deliver's rule (an RMAT designation for a BCMA-directed therapy). Deterministic."""
import os
import sys

inbox, count = sys.argv[1], int(sys.argv[2])
os.makedirs(inbox, exist_ok=True)
for number in range(count):
    with open(os.path.join(inbox, f"release-{number:05d}.txt"), "w") as out:
        out.write(f"Example Bio {number} receives RMAT designation for its BCMA-directed CAR-T\n\n"
                  f"CAMBRIDGE, Mass. -- Example Bio {number} today announced that the U.S. Food and Drug "
                  f"Administration granted Regenerative Medicine Advanced Therapy (RMAT) designation to "
                  f"EB-{number}, an autologous BCMA-directed CAR-T cell therapy for relapsed multiple myeloma.\n")
