"""Writes docs/world-vocabulary.md from src/core/world/vocabulary.json (run after editing the vocabulary)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import world  # noqa: E402

lines = ["# The embedded model's world", "",
         "Generated from `src/core/world/vocabulary.json` by `tools/world/vocabulary_doc.py`.", "",
         "Every training image holds one object (or two identical ones) on a plain background, 32x32 pixels.",
         "Captions name a random subset of the attributes, with any of the direct words below, and in about a",
         "quarter of the mentions an *implicit phrase* that implies a value without naming it (this is what",
         "makes BLACK LIST fail: deleting 'red' leaves 'tomato-coloured'). Patterns appear only on medium and",
         "large objects. Positions (left, right, top, bottom, center) apply to single objects.", ""]
for attr in world.ATTRIBUTE_ORDER:
    spec = world.ATTRS[attr]
    lines += [f"## {attr} ({spec['kind']})", "", "| value | direct words | implicit phrases |", "|---|---|---|"]
    for value, entry in spec["values"].items():
        words = entry["words"] + entry.get("plural", [])
        lines.append(f"| **{value}** | {', '.join(words)} | {', '.join(entry.get('implicit', [])) or '—'} |")
    lines.append("")
lines += ["## Words the model learned to ignore", "", ", ".join(world.FILLER), "",
          "Captions also start with 'a photo of', 'a picture of'... and sometimes carry random letter strings,",
          "so unknown words in a user's prompt do not derail the picture.", ""]
out = os.path.join(world.ROOT, "docs", "world-vocabulary.md")
with open(out, "w") as f:
    f.write("\n".join(lines))
print("wrote", out)
