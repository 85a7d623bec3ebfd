#!/usr/bin/env python3
"""Independent reference for SentencePiece-style tokenizer.json handling (Llama 2 / Mistral / TinyLlama
converted to Hugging Face format): Hugging Face's `tokenizers` library encodes test texts with the
Llama 2 vocabulary under the Prepend+Replace normalizer and under Metaspace pre-tokenizers
(prepend_scheme first / always, split on or off). The merges are derived from the llama2.c export the
way transformers' LlamaConverter derives them from tokenizer.model; the fixture stores their sha256
so the Java test can check it rebuilt the same list.

usage: tools/hf_metaspace_reference.py SHARED_DIR OUT_JSON
"""
import hashlib
import json
import struct
import sys

from tokenizers import Tokenizer

SPACE = "\u2581"


def load_llama2c(path):
    data = open(path, "rb").read()
    pos, pieces, scores = 4, [], []
    while pos < len(data):
        score, n = struct.unpack_from("<fi", data, pos)
        pos += 8
        s = data[pos:pos + n].decode("utf-8")
        pos += n
        i = len(pieces)
        s = "<s>" if i == 1 else "</s>" if i == 2 else s.replace(" ", SPACE)
        pieces.append(s)
        scores.append(score)
    return pieces, scores


def is_byte(p):
    return len(p) == 6 and p.startswith("<0x") and p.endswith(">")


def derive_merges(pieces, scores):
    ids = {}
    for i, p in enumerate(pieces):
        ids.setdefault(p, i)
    merges = []
    for i, p in enumerate(pieces):
        if i < 3 or is_byte(p):
            continue
        local = []
        for k in range(1, len(p)):
            l, r = p[:k], p[k:]
            if l in ids and r in ids:
                local.append((ids[l], ids[r], l, r, scores[i]))
        local.sort(key=lambda x: (x[0], x[1]))
        merges.extend(local)
    merges.sort(key=lambda x: x[4], reverse=True)  # stable
    return [l + " " + r for _, _, l, r, _ in merges]


VARIANTS = {
    "prepend_normalizer": {
        "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": SPACE},
                                                           {"type": "Replace", "pattern": {"String": " "}, "content": SPACE}]},
        "pre_tokenizer": None},
    "metaspace_first": {"normalizer": None,
                        "pre_tokenizer": {"type": "Metaspace", "replacement": SPACE, "prepend_scheme": "first", "split": False}},
    "metaspace_always_split": {"normalizer": None,
                               "pre_tokenizer": {"type": "Metaspace", "replacement": SPACE, "prepend_scheme": "always", "split": True}},
}


def main():
    shared, out = sys.argv[1], sys.argv[2]
    pieces, scores = load_llama2c(shared + "/tokenizers/llama2-32k/tokenizer.bin")
    merges = derive_merges(pieces, scores)
    raw = open(shared + "/tokenizers/gguf-vocab/ggml-vocab-llama-spm.gguf.inp", encoding="utf-8").read()
    texts = raw.split("\n__ggml_vocab_test__\n")[:-1]
    hs = open(shared + "/datasets/hellaswag/hellaswag_val_full.txt", encoding="utf-8").read().split("\n")
    texts += [l for l in hs[:120] if l and not l.isdigit()][:40]
    texts += ["<s>Hello</s> world", "a <s> b", " <s> leading space"]
    result = {"source": "tools/hf_metaspace_reference.py with Hugging Face tokenizers",
              "merges_sha256": hashlib.sha256("\n".join(merges).encode("utf-8")).hexdigest(),
              "merges_count": len(merges), "texts": texts, "variants": {}, "ids": {}}
    vocab = {}
    for i, p in enumerate(pieces):
        vocab.setdefault(p, i)
    for name, spec in VARIANTS.items():
        tj = {"version": "1.0", "truncation": None, "padding": None,
              "added_tokens": [{"id": i, "content": pieces[i], "single_word": False, "lstrip": False, "rstrip": False,
                                "normalized": False, "special": True} for i in range(3)],
              "normalizer": spec["normalizer"], "pre_tokenizer": spec["pre_tokenizer"], "post_processor": None,
              "decoder": None,
              "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                        "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                        "vocab": vocab, "merges": merges}}
        tok = Tokenizer.from_str(json.dumps(tj))
        result["variants"][name] = spec
        result["ids"][name] = [tok.encode(t, add_special_tokens=False).ids for t in texts]
    with open(out, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False, separators=(",", ":"))


if __name__ == "__main__":
    main()
