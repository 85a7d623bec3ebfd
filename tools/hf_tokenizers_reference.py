#!/usr/bin/env python3
"""Independent reference for byte-level BPE tokenizer.json handling: Hugging Face's own `tokenizers`
library (pip install tokenizers) encodes test texts with GPT-2's vocabulary and merges under several
pre-tokenizer / normalizer configurations (GPT-2, Llama 3, Qwen2 and SmolLM style, prefix space).
The configurations are stored in the fixture so the Java test builds the very same tokenizer.json.

usage: tools/hf_tokenizers_reference.py SHARED_DIR OUT_JSON
"""
import json
import sys

from tokenizers import Tokenizer

GPT2 = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"
LLAMA3 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
QWEN2 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"


def split(regex):
    return {"type": "Split", "pattern": {"Regex": regex}, "behavior": "Isolated", "invert": False}


def byte_level(prefix=False, use_regex=True):
    return {"type": "ByteLevel", "add_prefix_space": prefix, "trim_offsets": True, "use_regex": use_regex}


VARIANTS = {
    "gpt2": {"normalizer": None, "pre_tokenizer": byte_level()},
    "gpt2_prefix_space": {"normalizer": None, "pre_tokenizer": byte_level(prefix=True)},
    "llama3_style": {"normalizer": None, "ignore_merges": True,
                     "pre_tokenizer": {"type": "Sequence", "pretokenizers": [split(LLAMA3), byte_level(use_regex=False)]}},
    "qwen2_style": {"normalizer": {"type": "NFC"},
                    "pre_tokenizer": {"type": "Sequence", "pretokenizers": [split(QWEN2), byte_level(use_regex=False)]}},
    "smollm_style": {"normalizer": None,
                     "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
                         {"type": "Digits", "individual_digits": True}, byte_level()]}},
}


def build(spec, vocab, merges):
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": 50256, "content": "<|endoftext|>", "single_word": False, "lstrip": False,
                          "rstrip": False, "normalized": False, "special": True}],
        "normalizer": spec["normalizer"],
        "pre_tokenizer": spec["pre_tokenizer"],
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                  "ignore_merges": spec.get("ignore_merges", False), "vocab": vocab, "merges": merges},
    }


def main():
    shared, out = sys.argv[1], sys.argv[2]
    vocab = json.load(open(shared + "/tokenizers/gpt2/gpt2_vocab.json", encoding="utf-8"))
    lines = open(shared + "/tokenizers/gpt2/vocab.bpe", encoding="utf-8").read().split("\n")
    merges = [l for l in lines[1:] if l]
    raw = open(shared + "/tokenizers/gguf-vocab/ggml-vocab-gpt-2.gguf.inp", encoding="utf-8").read()
    texts = raw.split("\n__ggml_vocab_test__\n")[:-1]
    hs = open(shared + "/datasets/hellaswag/hellaswag_val_full.txt", encoding="utf-8").read().split("\n")
    texts += [l for l in hs[:240] if l and not l.isdigit()][:120]
    texts += [
        "e\u0301te\u0301 cafe\u0301 \u00e9t\u00e9 \uFB01ne \u212B",          # decomposed vs composed (NFC)
        "I'M HERE, YOU'RE 'S 'LL 'D",                                        # case-insensitive contractions
        "Numbers 1234567 and 3.14159, 2024-06-01",                           # digit grouping
        "before<|endoftext|>after <|endoftext|> spaced",                     # added token
        "\n\nnewlines\r\n\r\nand\ttabs  \n",
        "Ünïcödé — “quotes” ‘single’ … 😀👍🏽 中文字符 العربية",
    ]
    result = {"source": "tools/hf_tokenizers_reference.py with Hugging Face tokenizers", "texts": texts,
              "variants": {}, "ids": {}}
    for name, spec in VARIANTS.items():
        tok = Tokenizer.from_str(json.dumps(build(spec, vocab, merges)))
        result["variants"][name] = spec
        result["ids"][name] = [tok.encode(t, add_special_tokens=False).ids for t in texts]
    with open(out, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False, separators=(",", ":"))


if __name__ == "__main__":
    main()
