#!/usr/bin/python3
"""Independent reference for the SentencePiece-style tokenizers: Google's sentencepiece library
(0.1.x, under /usr/bin/python3) encodes test texts with the Llama 2 tokenizer.model and stories260K's
tok512.model. The Java tokenizers read the llama2.c exports (tokenizer.bin, tok512.bin) and the GGUF.

usage: /usr/bin/python3 tools/sentencepiece_reference.py SHARED_DIR OUT_JSON
"""
import json
import sys

import sentencepiece as spm


def main():
    shared, out = sys.argv[1], sys.argv[2]
    raw = open(shared + "/tokenizers/gguf-vocab/ggml-vocab-llama-spm.gguf.inp", encoding="utf-8").read()
    texts = raw.split("\n__ggml_vocab_test__\n")[:-1]
    hs = open(shared + "/datasets/hellaswag/hellaswag_val_full.txt", encoding="utf-8").read().split("\n")
    texts += [l for l in hs[:240] if l and not l.isdigit()][:100]
    stories = open(shared + "/datasets/tinystories/tinystories_val_subset.txt", encoding="utf-8").read().split("\n\n")
    texts += [s.strip() for s in stories[:20]]
    texts += ["Ünïcödé — “quotes” … 😀👍🏽 中文字符 العربية", "tabs\tand\nnewlines\r\n", "x" * 50]
    result = {"source": "tools/sentencepiece_reference.py with sentencepiece " + spm.__version__, "texts": texts, "ids": {}}
    for name, path in [("llama2", "/tokenizers/llama2-32k/tokenizer.model"), ("tok512", "/models/stories260K/tok512.model")]:
        sp = spm.SentencePieceProcessor(model_file=shared + path)
        result["ids"][name] = [sp.encode(t) for t in texts]
    with open(out, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False, separators=(",", ":"))


if __name__ == "__main__":
    main()
