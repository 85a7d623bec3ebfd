#!/usr/bin/env python3
"""Golden q_proj/k_proj rows for stories260K converted to Hugging Face layout, computed with the
`permute` of transformers' convert_llama_weights_to_hf.py (PyTorch), independently of the Java code.

Writes src/test/resources/golden/hf/stories260K_qk_permuted.f32: little-endian float32, in order
layer 0 q_proj [64,64], layer 0 k_proj [32,64], layer 4 q_proj [64,64], layer 4 k_proj [32,64].
Run with the Debian PyTorch: /usr/bin/python3 tools/golden_hf_permute.py [path/to/stories260K.bin]
"""
import pathlib
import sys

import numpy as np
import torch

root = pathlib.Path(__file__).resolve().parent.parent
src = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else root.parent / "shared/models/stories260K/stories260K.bin"
raw = src.read_bytes()
dim, hidden, n_layers, n_heads, n_kv, vocab, seq = np.frombuffer(raw[:28], dtype="<i4")
floats = np.frombuffer(raw[28:], dtype="<f4")
head_dim = dim // n_heads
kv_dim = n_kv * head_dim
off = abs(vocab) * dim + n_layers * dim          # token embedding, rms_att
wq = floats[off:off + n_layers * dim * dim].reshape(n_layers, dim, dim)
off += n_layers * dim * dim
wk = floats[off:off + n_layers * kv_dim * dim].reshape(n_layers, kv_dim, dim)


def permute(w, n_heads, dim1, dim2):  # verbatim from transformers' convert_llama_weights_to_hf.py
    return w.view(n_heads, dim1 // n_heads // 2, 2, dim2).transpose(1, 2).reshape(dim1, dim2)


parts = []
for layer in (0, 4):
    parts.append(permute(torch.tensor(wq[layer].copy()), int(n_heads), int(dim), int(dim)).numpy())
    parts.append(permute(torch.tensor(wk[layer].copy()), int(n_kv), int(kv_dim), int(dim)).numpy())
out = root / "src/test/resources/golden/hf/stories260K_qk_permuted.f32"
np.concatenate([p.reshape(-1) for p in parts]).astype("<f4").tofile(out)
print(out, out.stat().st_size)
