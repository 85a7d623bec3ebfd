#!/usr/bin/python3
"""Independent PyTorch (autograd, float64) reference for the Java training path (dev.llmcw.engine.train).

Builds two tiny random Llama models from fixed seeds, puts a rank-2 LoRA adapter (y = W x + A (B x)) with
random non-zero A and B on every projection (q, k, v, o, gate, up, down of every block and the classifier),
makes every RMSNorm weight trainable, and writes, per model, under src/test/resources/golden/grad/<case>/:

  config.json           the ModelConfig fields the Java test builds the model from
  model.safetensors     the frozen weights (F32, canonical Hugging Face names)
  adapters.safetensors  <weight name>.A (out x r) and <weight name>.B (r x in), F32
  golden.json           tokens, the loss (mean next-token cross-entropy over tokens[1..] predicted from
                        tokens[..-1]), and dLoss/d(every A, every B, every norm weight, the embedded input
                        rows), computed by torch.autograd in float64 from the float32-rounded values above

The model maths is llama_ref.py's (itself transcribed from Hugging Face modeling_llama.py / llama2.c):
rms_norm, rope in both layouts, llama3 inverse frequencies; GQA by repeat_interleave; the q/k/v biases are
frozen. Nothing here shares code with the Java implementation.

Usage: /usr/bin/python3 tools/reference/grad_reference.py [--out src/test/resources/golden/grad]
(needs python3-torch: apt-get install -y python3-torch)
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from llama_ref import llama3_inv_freq, rms_norm, rope_hf, rope_llama2c, write_safetensors  # noqa: E402

torch.set_default_dtype(torch.float64)

RANK = 2


def projections(layers):
    names = []
    for l in range(layers):
        for s in ("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                  "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"):
            names.append(f"model.layers.{l}.{s}.weight")
    return names + ["lm_head.weight"]


def make_case(out_dir, seed, bias, tied, layout, scaling):
    dim, hidden, layers, heads, kv, vocab, eps, theta = 16, 40, 2, 4, 2, 50, 1e-5, 10000.0
    hd = dim // heads
    rng = np.random.default_rng(seed)

    def f32(a):
        return np.asarray(a, dtype=np.float32)

    def mat(o, i):
        return f32(rng.standard_normal((o, i)) / math.sqrt(i))

    W = {"model.embed_tokens.weight": f32(rng.standard_normal((vocab, dim)))}
    shapes = {}
    for l in range(layers):
        p = f"model.layers.{l}."
        W[p + "input_layernorm.weight"] = f32(1 + 0.1 * rng.standard_normal(dim))
        W[p + "post_attention_layernorm.weight"] = f32(1 + 0.1 * rng.standard_normal(dim))
        for name, o, i in (("self_attn.q_proj", heads * hd, dim), ("self_attn.k_proj", kv * hd, dim),
                           ("self_attn.v_proj", kv * hd, dim), ("self_attn.o_proj", dim, heads * hd),
                           ("mlp.gate_proj", hidden, dim), ("mlp.up_proj", hidden, dim),
                           ("mlp.down_proj", dim, hidden)):
            W[p + name + ".weight"] = mat(o, i)
            shapes[p + name + ".weight"] = (o, i)
        if bias:
            W[p + "self_attn.q_proj.bias"] = f32(0.3 * rng.standard_normal(heads * hd))
            W[p + "self_attn.k_proj.bias"] = f32(0.3 * rng.standard_normal(kv * hd))
            W[p + "self_attn.v_proj.bias"] = f32(0.3 * rng.standard_normal(kv * hd))
    W["model.norm.weight"] = f32(1 + 0.1 * rng.standard_normal(dim))
    shapes["lm_head.weight"] = (vocab, dim)
    if not tied:
        W["lm_head.weight"] = mat(vocab, dim)
    adapters = {}
    for name in projections(layers):
        o, i = shapes[name]
        adapters[name + ".A"] = f32(0.3 * rng.standard_normal((o, RANK)))
        adapters[name + ".B"] = f32(0.3 * rng.standard_normal((RANK, i)))
    tokens = [int(t) for t in rng.integers(0, vocab, size=13)]

    # float64 leaves from the float32 values the Java test reads
    T = {k: torch.from_numpy(v.astype(np.float64)) for k, v in W.items()}
    Ad = {k: torch.from_numpy(v.astype(np.float64)).requires_grad_() for k, v in adapters.items()}
    norm_names = [n for n in W if n.endswith("layernorm.weight") or n == "model.norm.weight"]
    for n in norm_names:
        T[n].requires_grad_()
    x0 = T["model.embed_tokens.weight"][torch.tensor(tokens[:-1])].clone().requires_grad_()

    def lin(x, name):
        w = T["model.embed_tokens.weight"] if name == "lm_head.weight" and tied else T[name]
        return x @ w.T + (x @ Ad[name + ".B"].T) @ Ad[name + ".A"].T

    n = len(tokens) - 1
    inv_freq = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
    if scaling:
        inv_freq = llama3_inv_freq(inv_freq, scaling)
    mask = torch.full((n, n), float("-inf")).triu(1)
    x = x0
    for l in range(layers):
        p = f"model.layers.{l}."
        h = rms_norm(x, T[p + "input_layernorm.weight"], eps)
        q, k, v = lin(h, p + "self_attn.q_proj.weight"), lin(h, p + "self_attn.k_proj.weight"), \
            lin(h, p + "self_attn.v_proj.weight")
        if bias:
            q = q + T[p + "self_attn.q_proj.bias"]
            k = k + T[p + "self_attn.k_proj.bias"]
            v = v + T[p + "self_attn.v_proj.bias"]
        q, k, v = q.view(n, heads, hd), k.view(n, kv, hd), v.view(n, kv, hd)
        q, k = (rope_llama2c if layout == "interleaved" else rope_hf)(q, k, inv_freq, n)
        k = k.repeat_interleave(heads // kv, dim=1)
        v = v.repeat_interleave(heads // kv, dim=1)
        att = torch.softmax(torch.einsum("thd,shd->hts", q, k) / math.sqrt(hd) + mask, dim=-1)
        o = torch.einsum("hts,shd->thd", att, v).reshape(n, heads * hd)
        x = x + lin(o, p + "self_attn.o_proj.weight")
        h = rms_norm(x, T[p + "post_attention_layernorm.weight"], eps)
        g, u = lin(h, p + "mlp.gate_proj.weight"), lin(h, p + "mlp.up_proj.weight")
        x = x + lin(torch.nn.functional.silu(g) * u, p + "mlp.down_proj.weight")
    logits = lin(rms_norm(x, T["model.norm.weight"], eps), "lm_head.weight")
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(tokens[1:]))
    loss.backward()

    os.makedirs(out_dir, exist_ok=True)
    write_safetensors(os.path.join(out_dir, "model.safetensors"), W)
    write_safetensors(os.path.join(out_dir, "adapters.safetensors"), adapters)
    config = {"dim": dim, "hidden_dim": hidden, "n_layers": layers, "n_heads": heads, "n_kv_heads": kv,
              "head_dim": hd, "vocab_size": vocab, "max_seq_len": 64, "rms_eps": eps, "rope_theta": theta,
              "rope_layout": layout, "rope_scaling": scaling, "tied_embeddings": tied, "attention_bias": bias,
              "adapter_rank": RANK}
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)

    def values(t):
        return [float("%.10g" % v) for v in t.detach().reshape(-1).tolist()]

    grads = {name: values(t.grad) for name, t in Ad.items()}
    grads.update({name: values(T[name].grad) for name in norm_names})
    with open(os.path.join(out_dir, "golden.json"), "w") as f:
        json.dump({"generator": "tools/reference/grad_reference.py (PyTorch autograd, float64)",
                   "tokens": tokens, "loss": float(loss), "grads": grads, "input_grad": values(x0.grad)}, f)


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(root, "src", "test", "resources", "golden", "grad"))
    a = ap.parse_args()
    make_case(os.path.join(a.out, "bias-tied-interleaved"), seed=18, bias=True, tied=True,
              layout="interleaved", scaling=None)
    # head_dim 4: wavelengths 6.3 (between 16/4 and 16/1: the interpolated band) and 628 (divided by 8)
    make_case(os.path.join(a.out, "untied-rotate-half-llama3"), seed=19, bias=False, tied=False,
              layout="rotate_half",
              scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                       "original_max_position_embeddings": 16})
    print("fixtures written to", a.out)


if __name__ == "__main__":
    main()
