#!/usr/bin/env python3
"""Independent numpy (float64) reference for AWQ's scale and clip search (docs/algorithms.md "AWQ").

One group of two linears that read the same input (like gate/up), random weights, and calibration
activations X with a few large channels (the salient channels AWQ protects). It follows the official
llm-awq code (auto_scale.py, auto_clip.py) with the workbench's grid (RTN's: range widened to include 0,
FP16 group scales, Java's round-half-up) and FP16 input scales, and measures every error from X itself
(||(Q - W) X^T||^2 / N), where Java uses tr(Delta H Delta^T) with H = E[x x^T].

Also a real layer: the q/k/v projections of stories260K's layer 0, whose input is the RMS-normed embedding of
the tokens (computed here in float64 from the llama2.c file, independently of the Java engine), over fixed
random token sequences; written to awq_stories260K.json (tokens, errors per alpha, chosen alpha, scales).

Writes src/test/resources/golden/awq/awq_reference.json: the inputs (W, X), and per setting the output error
of every alpha, the chosen alpha, the scales s and, with the clip search on, each linear's codes and
dequantized weights Q(clip(W diag(s))) diag(s)^-1.
Run: /usr/bin/python3 tools/reference/awq_reference.py [SHARED_DATA]   (default ../shared beside the repo)
"""
import json
import math
import os
import struct
import sys

import numpy as np

rng = np.random.default_rng(20231001)
COLS, TOKENS = 48, 160
ROWS = [24, 8]

# float32-representable inputs: Java reads weights from F32 tensors and activations as floats.
channel = np.ones(COLS)
channel[[3, 17, 30]] = [12.0, 8.0, 20.0]  # salient input channels
X = (rng.standard_normal((TOKENS, COLS)) * channel).astype(np.float32).astype(np.float64)
Ws = [rng.standard_normal((r, COLS)).astype(np.float32).astype(np.float64) * 0.1 for r in ROWS]


def f16(v):
    return np.float16(np.float32(v)).astype(np.float64)


def java_round(v):
    return math.floor(v + 0.5)


def grid_params(lo, hi, bits):
    """UniformGrid.params, asymmetric: range widened to 0, zero from the unrounded scale, FP16 scale."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    maxq = 2 ** bits - 1
    scale = (hi - lo) / maxq
    zero = 0 if scale == 0 else java_round(-lo / scale)
    if scale == 0:
        scale = 1.0
    return float(f16(scale)), zero


def quant_group(v, bits):
    """Min-max group RTN of the values v: (codes, dequantized, scale, zero)."""
    scale, zero = grid_params(float(v.min()), float(v.max()), bits)
    maxq = 2 ** bits - 1
    codes = np.array([min(maxq, max(0, java_round(x / scale) + zero)) for x in v])
    return codes, scale * (codes - zero), scale, zero


def rtn(w, bits, g):
    out = np.empty_like(w)
    for r in range(w.shape[0]):
        for c0 in range(0, w.shape[1], g):
            out[r, c0:c0 + g] = quant_group(w[r, c0:c0 + g], bits)[1]
    return out


def awq_scales(mean_abs, alpha):
    s = np.maximum(mean_abs ** alpha, 1e-4)
    s = s / math.sqrt(s.max() * s.min())
    return f16(s)


def out_err(q, w, X):
    d = (q - w) @ X.T  # rows x tokens
    return float((d ** 2).sum() / X.shape[0])


def clip_quant(w, s, bits, g, X):
    """auto_clip: per (row, group) the bound m = max|w'|(1 - i/20), i < 10, of least output error."""
    ws = w * s
    xs = X / s
    codes = np.zeros(w.shape, dtype=np.int64)
    deq = np.zeros_like(w)
    bounds = np.zeros((w.shape[0], (w.shape[1] + g - 1) // g))
    for r in range(w.shape[0]):
        for gi, c0 in enumerate(range(0, w.shape[1], g)):
            grp = ws[r, c0:c0 + g]
            xg = xs[:, c0:c0 + g]
            org = xg @ grp
            mx = float(np.abs(grp).max())
            best, best_err = mx, math.inf
            for i in range(int(0.5 * 20)):
                m = mx * (1 - i / 20)
                q = quant_group(np.clip(grp, -m, m), bits)[1]
                err = float(((xg @ q - org) ** 2).mean())
                if err < best_err:
                    best, best_err = m, err
            cq, q, _, _ = quant_group(np.clip(grp, -best, best), bits)
            codes[r, c0:c0 + g] = cq
            deq[r, c0:c0 + g] = q / s[c0:c0 + g]
            bounds[r, gi] = best
    return codes, deq, bounds


def search(bits, g, n_grid, X, Ws):
    mean_abs = np.abs(X).mean(axis=0)
    losses = []
    for k in range(n_grid):
        s = awq_scales(mean_abs, k / n_grid)
        losses.append(sum(out_err(rtn(w * s, bits, g) / s, w, X) for w in Ws))
    return losses


def case(bits, g, n_grid):
    losses = search(bits, g, n_grid, X, Ws)
    mean_abs = np.abs(X).mean(axis=0)
    best = int(np.argmin(losses))  # first minimum: ties keep the smaller alpha
    ordered = sorted(losses)
    assert best > 0, "the data should make AWQ scale (alpha > 0)"
    assert ordered[1] - ordered[0] > 1e-6 * ordered[0], "near-tie between alphas: pick another seed"
    s = awq_scales(mean_abs, best / n_grid)
    linears = []
    for w in Ws:
        codes, deq, bounds = clip_quant(w, s, bits, g, X)
        linears.append({
            "codes": codes.flatten().tolist(),
            "dequantized": deq.flatten().tolist(),
            "clip_bounds": bounds.flatten().tolist(),
            "output_error_clipped": out_err(deq, w, X),
            "output_error_noclip": out_err(rtn(w * s, bits, g) / s, w, X),
        })
    return {
        "bits": bits,
        "group": g,
        "grid": n_grid,
        "losses": losses,
        "best": best,
        "scales": s.tolist(),
        "rtn_error": sum(out_err(rtn(w, bits, g), w, X) for w in Ws),
        "linears": linears,
    }


out = {
    "note": "tools/reference/awq_reference.py (numpy float64); errors are ||(Q - W) X^T||^2 / tokens",
    "cols": COLS,
    "rows": ROWS,
    "tokens": TOKENS,
    "x": X.flatten().tolist(),
    "weights": [w.flatten().tolist() for w in Ws],
    "cases": [case(4, 16, 20), case(3, 16, 20)],
}
path = os.path.join(os.path.dirname(__file__), "..", "..", "src", "test", "resources", "golden", "awq",
                    "awq_reference.json")
with open(path, "w") as f:
    json.dump(out, f)
for c in out["cases"]:
    print(f"{c['bits']}-bit g{c['group']}: alpha {c['best']}/{c['grid']}, error {c['losses'][c['best']]:.6g}"
          f" vs RTN {c['rtn_error']:.6g}")


def stories260k_layer0(shared):
    """Embedding, layer-0 input norm and q/k/v of the llama2.c checkpoint (float32 values, as float64)."""
    with open(os.path.join(shared, "models", "stories260K", "stories260K.bin"), "rb") as f:
        data = f.read()
    dim, hidden, n_layers, n_heads, n_kv, vocab, seq_len = struct.unpack("<7i", data[:28])
    vocab = abs(vocab)
    hd = dim // n_heads
    arr = np.frombuffer(data, dtype="<f4", offset=28).astype(np.float64)
    pos = 0

    def take(n, shape):
        nonlocal pos
        t = arr[pos:pos + n * int(np.prod(shape))].reshape((n,) + shape)
        pos += t.size
        return t

    embed = take(1, (vocab, dim))[0]
    norms = take(n_layers, (dim,))  # llama2.c stores each tensor kind for all layers together
    q = take(n_layers, (dim, dim))
    k = take(n_layers, (n_kv * hd, dim))
    v = take(n_layers, (n_kv * hd, dim))
    return embed, norms[0], [q[0], k[0], v[0]]


def stories_case(shared, bits, g, n_grid, tokens):
    embed, norm, Ws = stories260k_layer0(shared)
    e = embed[np.array(tokens).flatten()]
    X = e / np.sqrt((e ** 2).mean(axis=1, keepdims=True) + 1e-5) * norm  # RMSNorm, eps 1e-5
    losses = search(bits, g, n_grid, X, Ws)
    best = int(np.argmin(losses))
    ordered = sorted(losses)
    assert ordered[1] - ordered[0] > 1e-4 * ordered[0], "near-tie between alphas: pick other tokens"
    s = awq_scales(np.abs(X).mean(axis=0), best / n_grid)
    return {"bits": bits, "group": g, "grid": n_grid, "losses": losses, "best": best, "scales": s.tolist(),
            "rtn_error": losses[0]}


shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared")
trng = np.random.default_rng(260)
tokens = [[1] + trng.integers(3, 512, size=63).tolist() for _ in range(4)]  # BOS first, as calibration cuts them
stories = {
    "note": "tools/reference/awq_reference.py: stories260K layer 0 q/k/v on RMSNorm(embedding) in float64",
    "tokens": tokens,
    "cases": [stories_case(shared, 4, 32, 20, tokens), stories_case(shared, 3, 32, 20, tokens)],
}
with open(os.path.join(os.path.dirname(path), "awq_stories260K.json"), "w") as f:
    json.dump(stories, f)
for c in stories["cases"]:
    print(f"stories260K layer 0 q/k/v {c['bits']}-bit g{c['group']}: alpha {c['best']}/{c['grid']}, "
          f"error {c['losses'][c['best']]:.6g} vs RTN {c['rtn_error']:.6g}")
