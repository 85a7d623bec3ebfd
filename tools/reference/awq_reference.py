#!/usr/bin/env python3
"""Independent numpy (float64) reference for AWQ's scale and clip search (docs/algorithms.md "AWQ").

One group of two linears that read the same input (like gate/up), random weights, and calibration
activations X with a few large channels (the salient channels AWQ protects). It follows the official
llm-awq code (auto_scale.py, auto_clip.py) with the workbench's grid (RTN's: range widened to include 0,
FP16 group scales, Java's round-half-up) and FP16 input scales, and measures every error from X itself
(||(Q - W) X^T||^2 / N), where Java uses tr(Delta H Delta^T) with H = E[x x^T].

Writes src/test/resources/golden/awq/awq_reference.json: the inputs (W, X), and per setting the output error
of every alpha, the chosen alpha, the scales s and, with the clip search on, each linear's codes and
dequantized weights Q(clip(W diag(s))) diag(s)^-1.
Run: /usr/bin/python3 tools/reference/awq_reference.py
"""
import json
import math
import os

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


def out_err(q, w):
    d = (q - w) @ X.T  # rows x tokens
    return float((d ** 2).sum() / TOKENS)


def clip_quant(w, s, bits, g):
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


def case(bits, g, n_grid):
    mean_abs = np.abs(X).mean(axis=0)
    losses = []
    for k in range(n_grid):
        s = awq_scales(mean_abs, k / n_grid)
        losses.append(sum(out_err(rtn(w * s, bits, g) / s, w) for w in Ws))
    best = int(np.argmin(losses))  # first minimum: ties keep the smaller alpha
    ordered = sorted(losses)
    assert best > 0, "the data should make AWQ scale (alpha > 0)"
    assert ordered[1] - ordered[0] > 1e-6 * ordered[0], "near-tie between alphas: pick another seed"
    s = awq_scales(mean_abs, best / n_grid)
    linears = []
    for w in Ws:
        codes, deq, bounds = clip_quant(w, s, bits, g)
        linears.append({
            "codes": codes.flatten().tolist(),
            "dequantized": deq.flatten().tolist(),
            "clip_bounds": bounds.flatten().tolist(),
            "output_error_clipped": out_err(deq, w),
            "output_error_noclip": out_err(rtn(w * s, bits, g) / s, w),
        })
    return {
        "bits": bits,
        "group": g,
        "grid": n_grid,
        "losses": losses,
        "best": best,
        "scales": s.tolist(),
        "rtn_error": sum(out_err(rtn(w, bits, g), w) for w in Ws),
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
