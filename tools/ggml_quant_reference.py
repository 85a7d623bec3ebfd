#!/usr/bin/env python3
"""Independent numpy reference for ggml's Q8_0 and Q4_0 formats (quantize_row_q8_0_ref,
quantize_row_q4_0_ref and the matching dequantisers in ggml-quants.c), all in float32 like the C code.
Writes a golden fixture: the inputs, the quantised blocks as hex, and the dequantised values.

usage: tools/ggml_quant_reference.py OUT_JSON
"""
import json
import sys

import numpy as np

QK = 32
f32 = np.float32


def q8_0(x):
    out, deq = bytearray(), []
    for b in x.reshape(-1, QK):
        amax = np.max(np.abs(b))
        d = f32(amax / f32(127))
        idv = f32(f32(1) / d) if d != 0 else f32(0)
        dh = np.float16(d)
        q = np.array([exact_roundf(f32(v * idv)) for v in b], dtype=np.int8)
        out += dh.tobytes() + q.tobytes()
        deq += [float(f32(dh) * f32(int(v))) for v in q]
    return bytes(out), deq


def exact_roundf(v):
    # exact C roundf on a float32 scalar (no float addition that could round)
    t = int(v)  # truncation toward zero
    frac = float(v) - t
    if frac >= 0.5:
        t += 1
    elif frac <= -0.5:
        t -= 1
    return t


def q4_0(x):
    out, deq = bytearray(), []
    for b in x.reshape(-1, QK):
        amax, mx = f32(0), f32(0)
        for v in b:
            if amax < abs(v):
                amax, mx = abs(v), v
        d = f32(mx / f32(-8))
        idv = f32(f32(1) / d) if d != 0 else f32(0)
        dh = np.float16(d)
        qs = bytearray(16)
        codes = [0] * QK
        for j in range(16):
            x0 = f32(b[j] * idv)
            x1 = f32(b[16 + j] * idv)
            q0 = min(15, int(f32(x0 + f32(8.5))))  # (int8_t) truncates toward zero
            q1 = min(15, int(f32(x1 + f32(8.5))))
            qs[j] = q0 | (q1 << 4)
            codes[j], codes[16 + j] = q0, q1
        out += dh.tobytes() + bytes(qs)
        deq += [float(f32(int(c) - 8) * f32(dh)) for c in codes]
    return bytes(out), deq


def main():
    rng = np.random.default_rng(20240601)
    blocks = [
        rng.standard_normal(QK).astype(f32),
        (rng.standard_normal(QK) * f32(0.02)).astype(f32),   # typical weight scale
        (rng.uniform(-3, 3, QK)).astype(f32),
        np.zeros(QK, dtype=f32),                              # d = 0 path
        np.array([(-1) ** j * (j + 0.5) for j in range(QK)], dtype=f32),  # halfway cases
        np.array([1e-3] * 31 + [-7.0], dtype=f32),            # negative extreme sets the Q4_0 scale sign
        (rng.standard_normal(QK) * f32(100)).astype(f32),
        np.linspace(-1, 1, QK, dtype=f32),
    ]
    x = np.concatenate(blocks).astype(f32)
    q8, d8 = q8_0(x)
    q4, d4 = q4_0(x)
    fixture = {
        "source": "tools/ggml_quant_reference.py (numpy port of ggml-quants.c reference quantisers)",
        "input": [float(v) for v in x],
        "q8_0_hex": q8.hex(),
        "q8_0_dequant": d8,
        "q4_0_hex": q4.hex(),
        "q4_0_dequant": d4,
    }
    with open(sys.argv[1], "w") as f:
        json.dump(fixture, f)


if __name__ == "__main__":
    main()
