"""The embedded model's world: draws scenes and writes captions for them.

Everything a scene can hold comes from src/core/world/vocabulary.json, which the TypeScript
core reads too, so the judge, the guard and the offline rewriter agree with what was trained.
"""
import json
import os
import random

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VOCAB = json.load(open(os.path.join(ROOT, "src", "core", "world", "vocabulary.json")))
ATTRS = VOCAB["attributes"]
SIZE = VOCAB["imageSize"]
ATTRIBUTE_ORDER = ["colour", "shape", "background", "pattern", "size", "count"]
VALUES = {a: list(ATTRS[a]["values"].keys()) for a in ATTRIBUTE_ORDER}

RADIUS = {"small": 5.0, "medium": 8.0, "large": 12.0}
POSITIONS = {"left": (10, 16), "right": (22, 16), "top": (16, 10), "bottom": (16, 22), "center": (16, 16)}
SUPERSAMPLE = 4

# Words users type around the world's words; trained as things to ignore.
FILLER = ["photo", "picture", "image", "drawing", "of", "showing", "nice", "beautiful", "simple",
          "scene", "with", "please", "render", "an", "the", "very", "clean", "minimal", "art"]


def random_scene(rng):
    scene = {a: rng.choice(VALUES[a]) for a in ATTRIBUTE_ORDER}
    if scene["count"] == "two" and scene["size"] == "large":
        scene["size"] = rng.choice(["small", "medium"])
    if scene["size"] == "small":
        scene["pattern"] = "plain"  # patterns are unreadable on a 5-pixel object
    scene["position"] = rng.choice(list(POSITIONS)) if scene["count"] == "one" else "center"
    return scene


def _shape_mask(shape, dx, dy, r):
    if shape == "circle":
        return dx * dx + dy * dy <= r * r
    if shape == "square":
        return np.maximum(np.abs(dx), np.abs(dy)) <= r * 0.82
    if shape == "triangle":
        top, bottom = -r, r * 0.8
        t = (dy - top) / (bottom - top)
        return (dy >= top) & (dy <= bottom) & (np.abs(dx) <= t * r)
    if shape == "diamond":
        return np.abs(dx) + np.abs(dy) <= r * 1.1
    if shape == "cross":
        arm = r * 0.36
        return ((np.abs(dx) <= arm) & (np.abs(dy) <= r)) | ((np.abs(dy) <= arm) & (np.abs(dx) <= r))
    raise ValueError(shape)


def _pattern_mask(pattern, x, y):
    if pattern == "striped":
        return (np.floor(y / 3.0) % 2) == 1
    if pattern == "dotted":
        gx, gy = x % 5.0 - 2.5, y % 5.0 - 2.5
        return gx * gx + gy * gy <= 1.5 ** 2
    return np.zeros_like(x, dtype=bool)


def _centres(scene, rng):
    r = RADIUS[scene["size"]]
    if scene["count"] == "two":
        r *= 0.8
        cy = 16 + rng.uniform(-2, 2)
        return r, [(9 + rng.uniform(-1, 1), cy), (23 + rng.uniform(-1, 1), cy)]
    cx, cy = POSITIONS[scene["position"]]
    lo, hi = r + 1, SIZE - 1 - r
    cx = float(np.clip(cx + rng.uniform(-2, 2), lo, hi))
    cy = float(np.clip(cy + rng.uniform(-2, 2), lo, hi))
    return r, [(cx, cy)]


def draw(scene, rng):
    """Returns an HxWx3 float32 image in [0, 1]."""
    n = SIZE * SUPERSAMPLE
    coords = (np.arange(n) + 0.5) / SUPERSAMPLE
    x, y = np.meshgrid(coords, coords)
    bg = np.array(ATTRS["background"]["values"][scene["background"]]["rgb"], np.float32) / 255
    fg = np.array(ATTRS["colour"]["values"][scene["colour"]]["rgb"], np.float32) / 255
    dark = fg * 0.45
    img = np.empty((n, n, 3), np.float32)
    img[:] = bg
    r, centres = _centres(scene, rng)
    pattern = _pattern_mask(scene["pattern"], x, y)
    for cx, cy in centres:
        inside = _shape_mask(scene["shape"], x - cx, y - cy, r)
        img[inside] = fg
        img[inside & pattern] = dark
    img = img.reshape(SIZE, SUPERSAMPLE, SIZE, SUPERSAMPLE, 3).mean(axis=(1, 3))
    return img


def _word(rng, attr, value, implicit_p):
    entry = ATTRS[attr]["values"][value]
    if entry.get("implicit") and rng.random() < implicit_p:
        return rng.choice(entry["implicit"]), True
    return rng.choice(entry["words"]), False


def caption(scene, rng, implicit_p=0.25, full=False, named=None):
    """A caption naming a random subset of the scene's attributes, with synonyms and implicit phrases.

    full=True always names colour, shape and background (the quality check's held-out captions);
    it draws the same random numbers, so training captions are unchanged by it.
    named: a set that receives the attributes the caption names, explicitly or implicitly.
    """
    named = set() if named is None else named
    if rng.random() < 0.08 and not full:  # single-attribute captions teach negative prompts what one concept is
        attr = rng.choice(["colour", "shape", "background", "pattern"])
        if attr == "pattern" and scene["pattern"] == "plain":
            attr = "colour"
        named.add(attr)
        return _word(rng, attr, scene[attr], implicit_p)[0] + (" background" if attr == "background" else "")
    two = scene["count"] == "two"
    parts = []
    named.add("count")  # "two ..." or the article "a"
    if two:
        parts.append(rng.choice(["two", "two", "a pair of"]) if rng.random() > implicit_p else rng.choice(["twin", "double"]))
    if scene["size"] != "medium" and rng.random() < 0.7:
        named.add("size")
        parts.append(_word(rng, "size", scene["size"], implicit_p)[0])
    if scene["pattern"] != "plain" and rng.random() < 0.8 or scene["pattern"] == "plain" and rng.random() < 0.12:
        named.add("pattern")
        parts.append(_word(rng, "pattern", scene["pattern"], implicit_p)[0])
    colour_post = None
    if rng.random() < 0.9 or full:
        named.add("colour")
        w, _ = _word(rng, "colour", scene["colour"], implicit_p)
        if w.startswith("the colour of"):
            colour_post = w
        elif rng.random() < 0.15:
            colour_post = "in " + w
        else:
            parts.append(w)
    shape_entry = ATTRS["shape"]["values"][scene["shape"]]
    if rng.random() < 0.95 or full:
        named.add("shape")
        if shape_entry["implicit"] and rng.random() < implicit_p:
            noun = rng.choice(shape_entry["implicit"]) + ("s" if two else "")
        else:
            noun = rng.choice(shape_entry["plural"] if two else shape_entry["words"])
    else:
        noun = rng.choice(["shapes", "objects"] if two else ["shape", "object"])
    parts.append(noun)
    if colour_post:
        parts.append(colour_post)
    if rng.random() < 0.7 or full:
        named.add("background")
        bg_entry = ATTRS["background"]["values"][scene["background"]]
        if rng.random() < implicit_p:
            parts.append(rng.choice(bg_entry["implicit"]))
        else:
            word = rng.choice(bg_entry["words"])
            parts.append(rng.choice([f"on a {word} background", f"against a {word} backdrop", f"on {word}"]))
    if scene["count"] == "one" and rng.random() < 0.3:
        pos = scene["position"]
        parts.append("in the center" if pos == "center" else f"on the {pos}" if pos in ("left", "right") else f"at the {pos}")
    text = " ".join(parts)
    if not two:
        text = ("an " if text[0] in "aeiou" else "a ") + text
    if rng.random() < 0.15:
        text = rng.choice(["a photo of", "a picture of", "a drawing of", "an image showing"]) + " " + text
    if rng.random() < 0.1:
        text += " " + " ".join(rng.choice(FILLER) for _ in range(rng.randint(1, 3)))
    if rng.random() < 0.05:
        junk = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 8)))
        text = rng.choice([junk + " " + text, text + " " + junk])
    return text


def vocabulary_words():
    """Every word the captions can use, for the tokenizer's vocabulary."""
    words = set(FILLER) | {"a", "an", "in", "on", "at", "the", "of", "background", "backdrop", "pair",
                           "shape", "shapes", "object", "objects", "photo", "picture", "drawing", "image",
                           "showing", "center", "left", "right", "top", "bottom", "colour", "color", "and",
                           "without", "no", "not", "is", "are", "thing", "things", "form", "forms"}
    for attr in ATTRS.values():
        for entry in attr["values"].values():
            for phrase in entry["words"] + entry.get("plural", []) + entry.get("implicit", []):
                words.update(phrase.replace("-", " - ").split())
    return sorted(words)


if __name__ == "__main__":
    rng = random.Random(0)
    for _ in range(15):
        s = random_scene(rng)
        print(s, "|", caption(s, rng))
