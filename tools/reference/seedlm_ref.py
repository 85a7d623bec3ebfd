#!/usr/bin/env python3
"""Independent numpy reference for SeedLM (algorithms.md section 1).

Same LFSR (Fibonacci, taps table, shift right, feedback into bit K-1), U = (V - 2^(K-1)) / (2^(K-1) - 1)
filled row by row with the C*P states after the seed, pinv via numpy SVD (np.linalg.pinv), exponent
rules computed exactly with math.frexp, codes = clip(rint(t * 2^-e), -8, 7), exhaustive search over
all 2^K - 1 seeds with offsets into the cycle that starts at state 1 (ties: lowest offset, np.argmin).

Writes src/test/resources/golden/seedlm/search_K{K}_C{C}_P{P}_{rule}.json with the random blocks
(float32 values as written) and the chosen seed, exponent, codes and error for each block.
Usage: python3 tools/reference/seedlm_ref.py
"""
import json
import math
import os

import numpy as np

TAPS = {2: [0, 1], 3: [0, 1], 4: [0, 1], 5: [0, 2], 6: [0, 1], 7: [0, 1], 8: [0, 2, 3, 4], 9: [0, 4],
        10: [0, 3], 11: [0, 2], 12: [0, 1, 2, 8], 13: [0, 1, 2, 5], 14: [0, 1, 2, 12], 15: [0, 1],
        16: [0, 1, 3, 12], 17: [0, 3], 18: [0, 7], 19: [0, 1, 2, 5], 20: [0, 3], 21: [0, 2], 22: [0, 1],
        23: [0, 5], 24: [0, 1, 2, 7]}


def step(s, k):
    b = 0
    for t in TAPS[k]:
        b ^= (s >> t) & 1
    return (s >> 1) | (b << (k - 1))


def cycle(k):
    n = (1 << k) - 1
    out = np.empty(n, dtype=np.int64)
    s = 1
    for i in range(n):
        out[i] = s
        s = step(s, k)
    assert s == 1
    return out


def exponent(m, rule):
    if m == 0.0:
        return -8
    f, ex = math.frexp(m)          # m = f * 2^ex, f in [0.5, 1)
    e0 = ex - 1                     # floor(log2 m), exact
    if rule == "printed":
        e = e0
    else:                           # ceil(log2(m / 7.5)): e0-2 if m <= 1.875 * 2^e0 else e0-1
        e = e0 - 2 if 2.0 * f <= 1.875 else e0 - 1
    return max(-8, min(7, e))


def quantise(t, rule):
    e = exponent(float(np.max(np.abs(t))), rule)
    q = np.clip(np.rint(t * 2.0 ** (-e)), -8, 7).astype(np.int64)
    return q, e


def search(w, C, P, K, rule, cyc):
    n = len(cyc)
    h = float(1 << (K - 1))
    ext = np.concatenate([cyc, cyc[:C * P + 1]])
    best = (math.inf, -1, 0, None)
    for o in range(n):
        V = ext[o + 1:o + 1 + C * P].reshape(C, P).astype(np.float64)
        U = (V - h) / (h - 1)
        t = np.linalg.pinv(U) @ w
        q, e = quantise(t, rule)
        err = float(np.sum((w - U @ (q * 2.0 ** e)) ** 2))
        if err < best[0]:
            best = (err, o, e, q)
    err, o, e, q = best
    return {"seed": int(cyc[o]), "offset": o, "exponent": e, "codes": [int(x) for x in q], "error": err}


def main():
    out_dir = os.path.join(os.path.dirname(__file__), "..", "..", "src", "test", "resources", "golden", "seedlm")
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(20241014)
    for (C, P, K, rule, nblocks, sigma) in [(8, 3, 10, "range", 6, 1.0), (12, 4, 12, "range", 4, 0.05),
                                             (8, 3, 12, "printed", 4, 1.0)]:
        cyc = cycle(K)
        blocks = (rng.standard_normal((nblocks, C)) * sigma).astype(np.float32)
        res = []
        for b in blocks:
            r = search(b.astype(np.float64), C, P, K, rule, cyc)
            r["block"] = [float(x) for x in b]
            res.append(r)
        name = f"search_K{K}_C{C}_P{P}_{rule}.json"
        with open(os.path.join(out_dir, name), "w") as f:
            json.dump({"C": C, "P": P, "K": K, "exponent_rule": rule, "blocks": res}, f, indent=1)
        print(name, [(r["seed"], r["exponent"], r["codes"]) for r in res])


if __name__ == "__main__":
    main()
