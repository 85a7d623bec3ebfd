#!/usr/bin/python3
"""Independent PyTorch (autograd, float64) reference for the block-wise objective of the Java training path
(dev.llmcw.engine.train.LlamaTrainingModel.blockMseAndGradients): one decoder block's output against a target,
mean squared error over all elements, and its gradients for that block's two RMSNorm weights and the rank-2
adapters (A, B) on its seven projections.

Reads the tiny model of grad_reference.py's fixture golden/grad/bias-tied-interleaved (model.safetensors,
adapters.safetensors, config.json) and writes golden/grad/block-mse.json:

  layer        the block (1)
  input        the block's input rows (13 tokens x dim), float32 values: a fixed random stream
  target       the target rows, float32 values: another fixed random stream
  mse          mean((block(input) - target)^2)
  grads        dMSE/d(every parameter of the block), named as the Java Parameters are

The block maths (rms_norm, interleaved rope, GQA by repeat_interleave, frozen q/k/v biases, SwiGLU) is
transcribed from Hugging Face modeling_llama.py as in grad_reference.py; nothing is shared with the Java code.

Usage: /usr/bin/python3 tools/reference/block_mse_reference.py (needs python3-torch)
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from llama_ref import rms_norm, rope_llama2c  # noqa: E402

torch.set_default_dtype(torch.float64)


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        assert e["dtype"] == "F32", name
        a, b = e["data_offsets"]
        out[name] = np.frombuffer(data[a:b], dtype="<f4").reshape(e["shape"])
    return out


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    fixture = os.path.join(root, "src", "test", "resources", "golden", "grad", "bias-tied-interleaved")
    cfg = json.load(open(os.path.join(fixture, "config.json")))
    W = read_safetensors(os.path.join(fixture, "model.safetensors"))
    adapters = read_safetensors(os.path.join(fixture, "adapters.safetensors"))
    dim, heads, kv, hd, eps = cfg["dim"], cfg["n_heads"], cfg["n_kv_heads"], cfg["head_dim"], cfg["rms_eps"]
    assert cfg["rope_layout"] == "interleaved" and cfg["attention_bias"]
    layer, n = 1, 13
    rng = np.random.default_rng(181)
    x = rng.standard_normal((n, dim)).astype(np.float32)
    target = (0.5 * x + 0.3 * rng.standard_normal((n, dim))).astype(np.float32)

    p = f"model.layers.{layer}."
    T = {k: torch.from_numpy(v.astype(np.float64)) for k, v in W.items() if k.startswith(p)}
    for name in (p + "input_layernorm.weight", p + "post_attention_layernorm.weight"):
        T[name].requires_grad_()
    Ad = {k: torch.from_numpy(v.astype(np.float64)).requires_grad_() for k, v in adapters.items()
          if k.startswith(p)}

    def lin(h, name):
        return h @ T[name].T + (h @ Ad[name + ".B"].T) @ Ad[name + ".A"].T

    inv_freq = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
    mask = torch.full((n, n), float("-inf")).triu(1)
    x0 = torch.from_numpy(x.astype(np.float64))
    h = rms_norm(x0, T[p + "input_layernorm.weight"], eps)
    q = lin(h, p + "self_attn.q_proj.weight") + T[p + "self_attn.q_proj.bias"]
    k = lin(h, p + "self_attn.k_proj.weight") + T[p + "self_attn.k_proj.bias"]
    v = lin(h, p + "self_attn.v_proj.weight") + T[p + "self_attn.v_proj.bias"]
    q, k, v = q.view(n, heads, hd), k.view(n, kv, hd), v.view(n, kv, hd)
    q, k = rope_llama2c(q, k, inv_freq, n)
    k = k.repeat_interleave(heads // kv, dim=1)
    v = v.repeat_interleave(heads // kv, dim=1)
    att = torch.softmax(torch.einsum("thd,shd->hts", q, k) / math.sqrt(hd) + mask, dim=-1)
    o = torch.einsum("hts,shd->thd", att, v).reshape(n, heads * hd)
    y = x0 + lin(o, p + "self_attn.o_proj.weight")
    h = rms_norm(y, T[p + "post_attention_layernorm.weight"], eps)
    g, u = lin(h, p + "mlp.gate_proj.weight"), lin(h, p + "mlp.up_proj.weight")
    y = y + lin(torch.nn.functional.silu(g) * u, p + "mlp.down_proj.weight")
    mse = torch.mean((y - torch.from_numpy(target.astype(np.float64))) ** 2)
    mse.backward()

    def values(t):
        return [float("%.10g" % v) for v in t.detach().reshape(-1).tolist()]

    grads = {name: values(t.grad) for name, t in Ad.items()}
    for name in (p + "input_layernorm.weight", p + "post_attention_layernorm.weight"):
        grads[name] = values(T[name].grad)
    out = os.path.join(os.path.dirname(fixture), "block-mse.json")
    with open(out, "w") as f:
        json.dump({"generator": "tools/reference/block_mse_reference.py (PyTorch autograd, float64)",
                   "fixture": "bias-tied-interleaved", "layer": layer,
                   "input": [float(v) for v in x.reshape(-1)], "target": [float(v) for v in target.reshape(-1)],
                   "mse": float(mse), "grads": grads}, f)
    print("wrote", out, "mse", float(mse))


if __name__ == "__main__":
    main()
