"""Writes held-out captions for the quality check: fresh scenes (a seed never used in training),
each caption naming the object's colour, shape and background, with the scene as ground truth.
Run: /usr/bin/python3 tools/world/heldout_captions.py
"""
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import world  # noqa: E402

OUT = os.path.join(world.ROOT, "tests", "fixtures", "world", "heldout_captions.json")

if __name__ == "__main__":
    rng = random.Random(20261122)
    rows = []
    for _ in range(300):
        scene = world.random_scene(rng)
        rows.append({"caption": world.caption(scene, rng, full=True), "scene": scene})
    with open(OUT, "w") as f:
        json.dump(rows, f, indent=1)
    print(f"wrote {len(rows)} captions to {OUT}")
