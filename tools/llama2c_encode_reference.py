#!/usr/bin/env python3
"""Independent reference for the llama2.c tokenizer: a line-by-line Python port of encode() in
Karpathy's llama2.c run.c (dummy prefix, UTF-8 code points, byte fallback +3, greedy best-score
merges with the leftmost pair winning ties). Writes the golden fixture the Java tests compare with.

usage: tools/llama2c_encode_reference.py SHARED_DIR OUT_JSON
"""
import json
import struct
import sys


def load(path, vocab_size):
    data = open(path, "rb").read()
    pos = 4  # max_token_length
    vocab, scores = [], []
    for _ in range(vocab_size):
        score, n = struct.unpack_from("<fi", data, pos)
        pos += 8
        vocab.append(data[pos:pos + n])
        scores.append(score)
        pos += n
    return vocab, scores


def encode(text, vocab, scores):
    lookup = {}
    for i, v in enumerate(vocab):
        lookup.setdefault(v, i)  # like bsearch over the sorted vocab: any id of an equal string
    tokens = []
    raw = text.encode("utf-8")
    if raw:
        tokens.append(lookup[b" "])  # add_dummy_prefix
    # Walk UTF-8 code points exactly as run.c does (a continuation run of at most 4 bytes).
    buf = b""
    i = 0
    while i < len(raw):
        c = raw[i]
        if (c & 0xC0) != 0x80:
            buf = b""
        buf += bytes([c])
        nxt = raw[i + 1] if i + 1 < len(raw) else 0
        if (nxt & 0xC0) == 0x80 and len(buf) < 4:
            i += 1
            continue
        tid = lookup.get(buf)
        if tid is not None:
            tokens.append(tid)
        else:
            tokens.extend(b + 3 for b in buf)  # byte fallback: <0x00> is id 3
        buf = b""
        i += 1
    while True:
        best_score, best_id, best_idx = -1e10, -1, -1
        for k in range(len(tokens) - 1):
            tid = lookup.get(vocab[tokens[k]] + vocab[tokens[k + 1]])
            if tid is not None and scores[tid] > best_score:
                best_score, best_id, best_idx = scores[tid], tid, k
        if best_idx == -1:
            break
        tokens[best_idx:best_idx + 2] = [best_id]
    return tokens


def main():
    shared, out = sys.argv[1], sys.argv[2]
    vocab, scores = load(shared + "/models/stories260K/tok512.bin", 512)
    texts = [
        "Once upon a time, in a big forest, there lived a rhinoceros named Roxy.",
        "Roxy tried to climb the icy hill, but it was very slippery.",
        'Billy said, "I have an idea! Let\'s find some big leaves to put under your feet."',
        "They drank the water and felt very happy.",
        "Lily's mom said: \"Don't worry!\" 42 apples, naïve café ☕\nNew line\ttab  two spaces",
        "",
        " ",
    ]
    cases = [{"text": t, "ids": encode(t, vocab, scores)} for t in texts]
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"source": "tools/llama2c_encode_reference.py on shared models/stories260K/tok512.bin",
                   "cases": cases}, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
