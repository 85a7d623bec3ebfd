#!/usr/bin/env python3
"""Checks a synthetic model's tokenizer.json with the reference Hugging Face `tokenizers` library:
text must encode to one token per UTF-8 byte (ids = byte values), specials must be 256/257, and
decoding must give the text back. Usage: python3 tools/check_synthetic_tokenizer.py DIR
(needs `pip install tokenizers`)."""
import sys
from tokenizers import Tokenizer

tok = Tokenizer.from_file(sys.argv[1] + "/tokenizer.json")
for text in ["Hello world!", " leading space", "wörld ✓ 日本", "tab\tnew\nline", ""]:
    ids = tok.encode(text, add_special_tokens=False).ids
    assert ids == list(text.encode("utf-8")), (text, ids)
    assert tok.decode(ids) == text, (text, tok.decode(ids))
assert tok.token_to_id("<s>") == 256 and tok.token_to_id("</s>") == 257
assert tok.encode("hi").ids == [256, ord("h"), ord("i")]  # post-processor adds BOS
assert tok.encode("<s>hi</s>", add_special_tokens=False).ids == [256, ord("h"), ord("i"), 257]
print("ok: vocab", tok.get_vocab_size(), "byte-level round trip and specials as expected")
