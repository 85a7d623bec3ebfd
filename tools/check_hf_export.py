#!/usr/bin/env python3
"""End-to-end check of the HF folder writer: the llama2.c checkpoint run by a direct numpy port of
llama2.c's run.c (interleaved RoPE) must give the same logits as the exported Hugging Face folder run
by transformers' LlamaForCausalLM (rotate-half RoPE).

Usage: python3 tools/check_hf_export.py stories260K.bin EXPORTED_HF_DIR
(export first: tools/workbench export-hf ... or HfFolderWriter; needs torch, transformers, numpy)
"""
import sys

import numpy as np
import torch
from transformers import AutoModelForCausalLM

bin_path, hf_dir = sys.argv[1], sys.argv[2]
raw = open(bin_path, "rb").read()
dim, hidden, L, H, KV, vocab, seq = (int(x) for x in np.frombuffer(raw[:28], dtype="<i4"))
shared = vocab > 0
vocab = abs(vocab)
f = np.frombuffer(raw[28:], dtype="<f4").astype(np.float64)
hd = dim // H
kvd = KV * hd
pos = 0


def take(*shape):
    global pos
    n = int(np.prod(shape))
    out = f[pos:pos + n].reshape(shape)
    pos += n
    return out


emb = take(vocab, dim); rms_att = take(L, dim); wq = take(L, dim, dim); wk = take(L, kvd, dim)
wv = take(L, kvd, dim); wo = take(L, dim, dim); rms_ffn = take(L, dim); w1 = take(L, hidden, dim)
w2 = take(L, dim, hidden); w3 = take(L, hidden, dim); rms_final = take(dim)
take(seq * hd)  # legacy freq_cis
wcls = emb if shared else take(vocab, dim)


def rmsnorm(x, w):
    return x / np.sqrt(np.mean(x * x) + 1e-5) * w


def forward(tokens):  # run.c, one token at a time with a KV cache
    kc = np.zeros((L, len(tokens), kvd)); vc = np.zeros((L, len(tokens), kvd))
    logits = []
    for p, t in enumerate(tokens):
        x = emb[t].copy()
        for l in range(L):
            xb = rmsnorm(x, rms_att[l])
            q = wq[l] @ xb; k = wk[l] @ xb; v = wv[l] @ xb
            for i in range(0, dim, 2):  # interleaved RoPE as in run.c
                freq = 1.0 / (10000.0 ** ((i % hd) / hd)); a = p * freq
                c, s = np.cos(a), np.sin(a)
                for vec in ((q, k) if i < kvd else (q,)):
                    v0, v1 = vec[i], vec[i + 1]
                    vec[i], vec[i + 1] = v0 * c - v1 * s, v0 * s + v1 * c
            kc[l, p] = k; vc[l, p] = v
            out = np.zeros(dim)
            for h in range(H):
                kh = h // (H // KV)
                qh = q[h * hd:(h + 1) * hd]
                att = kc[l, :p + 1, kh * hd:(kh + 1) * hd] @ qh / np.sqrt(hd)
                att = np.exp(att - att.max()); att /= att.sum()
                out[h * hd:(h + 1) * hd] = att @ vc[l, :p + 1, kh * hd:(kh + 1) * hd]
            x = x + wo[l] @ out
            xb = rmsnorm(x, rms_ffn[l])
            g = w1[l] @ xb
            x = x + w2[l] @ (g / (1 + np.exp(-g)) * (w3[l] @ xb))
        logits.append(wcls @ rmsnorm(x, rms_final))
    return np.array(logits)


tokens = [1, 403, 407, 261, 378, 300, 500, 5, 17, 260, 290, 411]
ref = forward(tokens)
model = AutoModelForCausalLM.from_pretrained(hf_dir, torch_dtype=torch.float32)
model.eval()
with torch.no_grad():
    got = model(torch.tensor([tokens])).logits[0].double().numpy()
diff = np.abs(got - ref).max()
print(f"max |logit diff| llama2.c(numpy) vs transformers(HF export) = {diff:.3e} over {len(tokens)} positions")
assert diff < 1e-3, diff
print("ok")
