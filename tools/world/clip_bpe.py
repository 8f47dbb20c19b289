"""A CLIP-format byte-level BPE tokenizer, learned from a word list.

Writes tokenizer.json / tokenizer_config.json in the same layout as openai/clip-vit-*, so the app
loads it with the same CLIPTokenizer code as a real Stable Diffusion tokenizer. encode() here is
the reference the TypeScript tokenizer is tested against.
"""
import collections
import json
import re

BOS, EOS = "<|startoftext|>", "<|endoftext|>"
MAX_LENGTH = 77
SPLIT = re.compile(r"'s|'t|'re|'ve|'m|'ll|'d|[a-z]+|[0-9]|[^\sa-z0-9]+")


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


BYTE_ENCODER = bytes_to_unicode()


def _symbols(word):
    chars = [BYTE_ENCODER[b] for b in word.encode("utf-8")]
    return chars[:-1] + [chars[-1] + "</w>"]


def learn(words):
    """Merges until every word of the list is a single token."""
    seqs = {w: _symbols(w) for w in set(words)}
    merges = []
    while True:
        counts = collections.Counter()
        for s in seqs.values():
            for pair in zip(s, s[1:]):
                counts[pair] += 1
        if not counts:
            return merges
        best = min(counts, key=lambda p: (-counts[p], p))
        merges.append(best)
        for w, s in seqs.items():
            out, i = [], 0
            while i < len(s):
                if i + 1 < len(s) and (s[i], s[i + 1]) == best:
                    out.append(s[i] + s[i + 1])
                    i += 2
                else:
                    out.append(s[i])
                    i += 1
            seqs[w] = out


class Tokenizer:
    def __init__(self, merges):
        base = list(BYTE_ENCODER.values())
        self.vocab = {}
        for tok in base + [b + "</w>" for b in base] + ["".join(m) for m in merges] + [BOS, EOS]:
            self.vocab.setdefault(tok, len(self.vocab))
        self.merges = merges
        self.ranks = {m: i for i, m in enumerate(merges)}
        self.bos, self.eos = self.vocab[BOS], self.vocab[EOS]

    def _bpe(self, word):
        s = _symbols(word)
        while len(s) > 1:
            pairs = [(self.ranks.get(p, 1 << 30), i) for i, p in enumerate(zip(s, s[1:]))]
            rank, i = min(pairs)
            if rank == 1 << 30:
                break
            first, second = s[i], s[i + 1]
            out, j = [], 0
            while j < len(s):
                if j + 1 < len(s) and s[j] == first and s[j + 1] == second:
                    out.append(first + second)
                    j += 2
                else:
                    out.append(s[j])
                    j += 1
            s = out
        return [self.vocab[t] for t in s]

    def encode(self, text):
        """Ids padded with EOS to 77, as Stable Diffusion 1.x pads."""
        text = re.sub(r"\s+", " ", text).strip().lower()
        ids = [self.bos]
        for word in SPLIT.findall(text):
            ids += self._bpe(word)
        ids = ids[: MAX_LENGTH - 1] + [self.eos]
        return ids + [self.eos] * (MAX_LENGTH - len(ids))

    def save(self, folder):
        added = [{"id": self.vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                  "normalized": True, "special": True} for t in (BOS, EOS)]
        tokenizer = {
            "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
            "normalizer": {"type": "Sequence", "normalizers": [
                {"type": "NFC"}, {"type": "Replace", "pattern": {"Regex": "\\s+"}, "content": " "}, {"type": "Lowercase"}]},
            "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+"},
                 "behavior": "Removed", "invert": True},
                {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]},
            "post_processor": {"type": "RobertaProcessing", "sep": [EOS, self.eos], "cls": [BOS, self.bos],
                               "trim_offsets": False, "add_prefix_space": False},
            "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
            "model": {"type": "BPE", "dropout": None, "unk_token": EOS, "continuing_subword_prefix": "",
                      "end_of_word_suffix": "</w>", "fuse_unk": False, "byte_fallback": False,
                      "vocab": self.vocab, "merges": [" ".join(m) for m in self.merges]},
        }
        config = {"tokenizer_class": "CLIPTokenizer", "bos_token": BOS, "eos_token": EOS, "pad_token": EOS,
                  "unk_token": EOS, "model_max_length": MAX_LENGTH, "do_lower_case": True,
                  "add_prefix_space": False, "errors": "replace", "clean_up_tokenization_spaces": True}
        with open(f"{folder}/tokenizer.json", "w") as f:
            json.dump(tokenizer, f, ensure_ascii=False)
        with open(f"{folder}/tokenizer_config.json", "w") as f:
            json.dump(config, f, indent=2)
