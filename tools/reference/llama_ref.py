#!/usr/bin/python3
"""Independent PyTorch reference for the Java LlamaEngine (run with /usr/bin/python3, torch 1.13).

Writes golden fixtures under src/test/resources/golden/:
  stories260K-logits.json   logits of the real llama2.c stories260K model (parsed here from the .bin)
                            for a fixed token sequence, at a few positions
  tiny-llama3/              random-weight HF-format llama (untied, GQA, rotate-half RoPE with llama3
                            rope_scaling whose original_max_position_embeddings is small enough that
                            the scaling changes the result): config.json, model.safetensors, golden.json
  tiny-qwen2/               random-weight HF-format qwen2 (q/k/v biases, tied embeddings)

The maths follows Hugging Face's modeling_llama.py / modeling_qwen2.py (rotate_half, repeat_kv,
_compute_llama3_parameters) for the HF models and Karpathy's llama2.c model.py (complex-number
rotation of interleaved pairs) for stories260K. Everything runs in float64, so the fixtures are the
"true" values and the Java float32 engine is checked against them with a tolerance.

Usage: /usr/bin/python3 tools/reference/llama_ref.py [--shared ../shared] [--out src/test/resources/golden]
"""
import argparse
import json
import math
import os
import struct

import numpy as np
import torch

torch.set_default_dtype(torch.float64)


# ----------------------------------------------------------------------------- model maths

def rms_norm(x, w, eps):
    var = x.pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(var + eps))


def llama3_inv_freq(inv_freq, scaling):
    """Hugging Face _compute_llama3_parameters, transcribed."""
    factor = scaling["factor"]
    low_freq_factor = scaling["low_freq_factor"]
    high_freq_factor = scaling["high_freq_factor"]
    old_context_len = scaling["original_max_position_embeddings"]
    low_freq_wavelen = old_context_len / low_freq_factor
    high_freq_wavelen = old_context_len / high_freq_factor
    wavelen = 2 * math.pi / inv_freq
    inv_freq_llama = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
    smooth_factor = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
    smoothed_inv_freq = (1 - smooth_factor) * inv_freq_llama / factor + smooth_factor * inv_freq_llama
    is_medium_freq = ~(wavelen < high_freq_wavelen) * ~(wavelen > low_freq_wavelen)
    return torch.where(is_medium_freq, smoothed_inv_freq, inv_freq_llama)


def rotate_half(x):
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def rope_hf(q, k, inv_freq, T):
    # q: [T, H, hd]
    pos = torch.arange(T, dtype=torch.float64)
    freqs = torch.outer(pos, inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos()[:, None, :], emb.sin()[:, None, :]
    return q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin


def rope_llama2c(q, k, inv_freq, T):
    pos = torch.arange(T, dtype=torch.float64)
    freqs_cis = torch.polar(torch.ones(T, inv_freq.shape[0]), torch.outer(pos, inv_freq))[:, None, :]

    def rot(x):
        xc = torch.view_as_complex(x.reshape(*x.shape[:-1], -1, 2).contiguous())
        return torch.view_as_real(xc * freqs_cis).flatten(-2)

    return rot(q), rot(k)


def forward(cfg, W, tokens):
    """All-position logits [T, vocab] of a Llama-family decoder; W maps HF tensor names to float64 tensors."""
    T = len(tokens)
    H, KV, hd = cfg["n_heads"], cfg["n_kv_heads"], cfg["head_dim"]
    inv_freq = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
    if cfg.get("rope_scaling"):
        inv_freq = llama3_inv_freq(inv_freq, cfg["rope_scaling"])
    x = W["model.embed_tokens.weight"][torch.tensor(tokens)]
    mask = torch.full((T, T), float("-inf")).triu(1)
    for l in range(cfg["n_layers"]):
        p = f"model.layers.{l}."
        h = rms_norm(x, W[p + "input_layernorm.weight"], cfg["eps"])
        q = h @ W[p + "self_attn.q_proj.weight"].T
        k = h @ W[p + "self_attn.k_proj.weight"].T
        v = h @ W[p + "self_attn.v_proj.weight"].T
        if cfg["bias"]:
            q = q + W[p + "self_attn.q_proj.bias"]
            k = k + W[p + "self_attn.k_proj.bias"]
            v = v + W[p + "self_attn.v_proj.bias"]
        q, k, v = q.view(T, H, hd), k.view(T, KV, hd), v.view(T, KV, hd)
        q, k = (rope_llama2c if cfg["layout"] == "interleaved" else rope_hf)(q, k, inv_freq, T)
        k = k.repeat_interleave(H // KV, dim=1)  # repeat_kv
        v = v.repeat_interleave(H // KV, dim=1)
        att = torch.einsum("thd,shd->hts", q, k) / math.sqrt(hd) + mask
        att = torch.softmax(att, dim=-1)
        o = torch.einsum("hts,shd->thd", att, v).reshape(T, H * hd)
        x = x + o @ W[p + "self_attn.o_proj.weight"].T
        h = rms_norm(x, W[p + "post_attention_layernorm.weight"], cfg["eps"])
        g = h @ W[p + "mlp.gate_proj.weight"].T
        u = h @ W[p + "mlp.up_proj.weight"].T
        x = x + (torch.nn.functional.silu(g) * u) @ W[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, W["model.norm.weight"], cfg["eps"])
    head = W["model.embed_tokens.weight"] if cfg["tied"] else W["lm_head.weight"]
    return x @ head.T


# ----------------------------------------------------------------------------- stories260K (llama2.c)

def load_llama2c(path):
    with open(path, "rb") as f:
        data = f.read()
    dim, hidden, n_layers, n_heads, n_kv, vocab, seq_len = struct.unpack("<7i", data[:28])
    shared = vocab > 0
    vocab = abs(vocab)
    hd = dim // n_heads
    arr = np.frombuffer(data, dtype="<f4", offset=28).astype(np.float64)
    pos = 0

    def take(*shape):
        nonlocal pos
        n = int(np.prod(shape))
        t = torch.from_numpy(arr[pos:pos + n].reshape(shape).copy())
        pos += n
        return t

    W = {"model.embed_tokens.weight": take(vocab, dim)}
    order = [("input_layernorm.weight", (dim,)), ("self_attn.q_proj.weight", (dim, dim)),
             ("self_attn.k_proj.weight", (n_kv * hd, dim)), ("self_attn.v_proj.weight", (n_kv * hd, dim)),
             ("self_attn.o_proj.weight", (dim, dim)), ("post_attention_layernorm.weight", (dim,)),
             ("mlp.gate_proj.weight", (hidden, dim)), ("mlp.down_proj.weight", (dim, hidden)),
             ("mlp.up_proj.weight", (hidden, dim))]
    for name, shape in order:  # llama2.c stores each tensor kind for all layers together
        for l in range(n_layers):
            W[f"model.layers.{l}.{name}"] = take(*shape)
    W["model.norm.weight"] = take(dim)
    pos += seq_len * hd  # freq_cis_real + freq_cis_imag (seq_len * hd/2 each)
    if not shared:
        W["lm_head.weight"] = take(vocab, dim)
    assert pos == arr.shape[0], "trailing data in llama2.c file"
    cfg = dict(n_heads=n_heads, n_kv_heads=n_kv, head_dim=hd, n_layers=n_layers, rope_theta=10000.0, eps=1e-5,
               bias=False, tied=shared, layout="interleaved", rope_scaling=None)
    return cfg, W


# ----------------------------------------------------------------------------- tiny HF models

def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        b = np.ascontiguousarray(t, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    header["__metadata__"] = {"format": "pt", "generator": "tools/reference/llama_ref.py"}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def tiny_model(out_dir, arch, seed, dim, hidden, layers, heads, kv_heads, vocab, tied, bias, theta, eps, scaling):
    rng = np.random.default_rng(seed)
    hd = dim // heads

    def mat(o, i):
        return (rng.standard_normal((o, i)) / math.sqrt(i)).astype(np.float32)

    def norm(n):
        return (1.0 + 0.1 * rng.standard_normal(n)).astype(np.float32)

    T = {"model.embed_tokens.weight": rng.standard_normal((vocab, dim)).astype(np.float32)}
    for l in range(layers):
        p = f"model.layers.{l}."
        T[p + "input_layernorm.weight"] = norm(dim)
        T[p + "self_attn.q_proj.weight"] = mat(heads * hd, dim)
        T[p + "self_attn.k_proj.weight"] = mat(kv_heads * hd, dim)
        T[p + "self_attn.v_proj.weight"] = mat(kv_heads * hd, dim)
        if bias:
            T[p + "self_attn.q_proj.bias"] = (0.5 * rng.standard_normal(heads * hd)).astype(np.float32)
            T[p + "self_attn.k_proj.bias"] = (0.5 * rng.standard_normal(kv_heads * hd)).astype(np.float32)
            T[p + "self_attn.v_proj.bias"] = (0.5 * rng.standard_normal(kv_heads * hd)).astype(np.float32)
        T[p + "self_attn.o_proj.weight"] = mat(dim, heads * hd)
        T[p + "post_attention_layernorm.weight"] = norm(dim)
        T[p + "mlp.gate_proj.weight"] = mat(hidden, dim)
        T[p + "mlp.up_proj.weight"] = mat(hidden, dim)
        T[p + "mlp.down_proj.weight"] = mat(dim, hidden)
    T["model.norm.weight"] = norm(dim)
    if not tied:
        T["lm_head.weight"] = mat(vocab, dim)
    os.makedirs(out_dir, exist_ok=True)
    write_safetensors(os.path.join(out_dir, "model.safetensors"), T)
    config = {
        "architectures": ["LlamaForCausalLM" if arch == "llama" else "Qwen2ForCausalLM"],
        "model_type": arch, "hidden_size": dim, "intermediate_size": hidden, "num_hidden_layers": layers,
        "num_attention_heads": heads, "num_key_value_heads": kv_heads, "head_dim": hd, "vocab_size": vocab,
        "max_position_embeddings": 256, "rms_norm_eps": eps, "rope_theta": theta, "rope_scaling": scaling,
        "tie_word_embeddings": tied, "hidden_act": "silu", "torch_dtype": "float32",
        "bos_token_id": 1, "eos_token_id": 2,
    }
    if arch == "llama":
        config["attention_bias"] = bias
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    W = {k: torch.from_numpy(v.astype(np.float64)) for k, v in T.items()}
    cfg = dict(n_heads=heads, n_kv_heads=kv_heads, head_dim=hd, n_layers=layers, rope_theta=theta, eps=eps,
               bias=bias, tied=tied, layout="rotate_half", rope_scaling=scaling)
    tokens = [1] + [int(t) for t in rng.integers(3, vocab, size=23)]
    logits = forward(cfg, W, tokens)
    with open(os.path.join(out_dir, "golden.json"), "w") as f:
        json.dump({"generator": "tools/reference/llama_ref.py (PyTorch float64)", "tokens": tokens,
                   "positions": list(range(len(tokens))),
                   "logits": [[round(float(v), 7) for v in row] for row in logits]}, f)


def main():
    ap = argparse.ArgumentParser()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--shared", default=os.path.join(root, "..", "shared"))
    ap.add_argument("--out", default=os.path.join(root, "src", "test", "resources", "golden"))
    a = ap.parse_args()

    cfg, W = load_llama2c(os.path.join(a.shared, "models", "stories260K", "stories260K.bin"))
    # BOS then a fixed pseudo-random id sequence (ids 3..258 are byte tokens, the rest merges)
    rng = np.random.default_rng(260)
    tokens = [1] + [int(t) for t in rng.integers(3, 512, size=39)]
    logits = forward(cfg, W, tokens)
    positions = [0, 1, 17, 39]
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "stories260K-logits.json"), "w") as f:
        json.dump({"generator": "tools/reference/llama_ref.py (PyTorch float64)", "tokens": tokens,
                   "positions": positions,
                   "argmax": [int(i) for i in logits.argmax(-1)],
                   "logits": [[round(float(v), 7) for v in logits[p]] for p in positions]}, f)

    tiny_model(os.path.join(a.out, "tiny-llama3"), "llama", seed=3, dim=32, hidden=64, layers=2, heads=4,
               kv_heads=2, vocab=96, tied=False, bias=False, theta=10000.0, eps=1e-5,
               # head_dim 8 → wavelengths 6.3, 63, 628, 6283: one high-, one medium-, two low-frequency pair
               scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                        "original_max_position_embeddings": 64})
    tiny_model(os.path.join(a.out, "tiny-qwen2"), "qwen2", seed=2, dim=32, hidden=64, layers=2, heads=4,
               kv_heads=2, vocab=96, tied=True, bias=True, theta=1000000.0, eps=1e-6, scaling=None)
    print("fixtures written to", a.out)


if __name__ == "__main__":
    main()
