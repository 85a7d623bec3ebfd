#!/usr/bin/python3
"""Independent reference for LlamaCppAttention (engine): llama.cpp's CPU flash attention with an F16 KV cache
(ggml-cpu/ops.cpp ggml_compute_forward_flash_attn_ext_f16 at commit de3ff81, AVX2), written from the C source
in numpy float32 with exact fused multiply-adds (Fractions), for two cases:

  tiled      70 queries of a causal chunk (>= 64: the tiled path), head size 8, 2 query heads on 1 KV head
  onequery   3 queries after 61 cached slots (< 64: the one-query path with F16 V accumulation), head size 40

Writes src/test/resources/golden/llamacpp-attention.txt: per case the shapes, then q, keys, values (keys and
values already F16-rounded, as the cache holds them) and the expected output, floats as 8-hex-digit bits.
Run: /usr/bin/python3 tools/reference/llamacpp_attention_reference.py
"""
import os
import struct
from fractions import Fraction

import numpy as np

f32 = np.float32


def bits(x):
    return struct.unpack('<I', struct.pack('<f', float(x)))[0]


def from_bits(b):
    return f32(struct.unpack('<f', struct.pack('<I', b & 0xFFFFFFFF))[0])


def round_f32(q):
    """Fraction -> nearest float32, ties to even (exactly)."""
    if q == 0:
        return f32(0.0)
    c = f32(float(q))  # within an ulp; fix up by comparing neighbours exactly
    best = None
    for cand in (np.nextafter(c, f32(-np.inf)), c, np.nextafter(c, f32(np.inf))):
        err = abs(Fraction(float(cand)) - q)
        if best is None or err < best[0] or (err == best[0] and (bits(cand) & 1) == 0):
            best = (err, cand)
    return f32(best[1])


def fma(a, b, c):
    if not (np.isfinite(a) and np.isfinite(b) and np.isfinite(c)):
        return f32(float(a) * float(b) + float(c))
    return round_f32(Fraction(float(a)) * Fraction(float(b)) + Fraction(float(c)))


def f16(x):
    return f32(np.float16(f32(x)))


def vexpf(x):
    """ggml_v_expf (AVX2 lanes) on one float."""
    x = f32(x)
    if x == -np.inf:
        return f32(0)  # the C code's |n| > 192 lanes: (2^-125)^2 underflows to 0
    r = f32(float.fromhex('0x1.8p23'))
    z = fma(x, f32(float.fromhex('0x1.715476p+0')), r)
    n = f32(z - r)
    b = fma(-n, f32(float.fromhex('0x1.7f7d1cp-20')), fma(-n, f32(float.fromhex('0x1.62e4p-1')), x))
    e = (bits(z) << 23) & 0xFFFFFFFF
    k = from_bits(e + bits(f32(1.0)))
    u = f32(b * b)
    j = fma(fma(fma(f32(float.fromhex('0x1.0e4020p-7')), b, f32(float.fromhex('0x1.573e2ep-5'))), u,
                fma(f32(float.fromhex('0x1.555e66p-3')), b, f32(float.fromhex('0x1.fffdb6p-2')))),
            u, f32(f32(float.fromhex('0x1.ffffecp-1')) * b))
    if not abs(n) > 126:
        return fma(k, j, k)
    g = 0x82000000 if n <= 0 else 0
    s1 = from_bits(g + 0x7f000000)
    if abs(n) > 192:
        return f32(s1 * s1)
    s2 = from_bits(e - g)
    return f32(fma(s2, j, s2) * s1)


def expf(x):
    return f32(np.exp(np.float64(x)))


def tiled(q, keys, values, visible, scale):
    hd = len(q)
    acc = [f32(0)] * hd
    M, S = f32(-np.inf), f32(0)
    slots = len(keys)
    for k0 in range(0, slots, 64):
        kq = [f32(-np.inf)] * 64
        seen = False
        for tk in range(min(64, slots - k0)):
            if not visible(k0 + tk):
                continue
            s = f32(0)
            for d in range(hd):
                s = fma(q[d], keys[k0 + tk][d], s)
            kq[tk] = f32(s * scale)
            seen = True
        if not seen:
            continue
        mnew = max(M, max(kq))
        if mnew > M:
            ms = expf(f32(M - mnew))
            acc = [f32(a * ms) for a in acc]
            S = f32(S * ms)
        M = mnew
        p = [vexpf(f32(v - mnew)) for v in kq]
        tile = 0.0
        for l in range(0, 64, 8):
            w = [f32(p[l + i] + p[l + i + 4]) for i in range(4)]
            tile += float(f32(f32(w[0] + w[2]) + f32(w[1] + w[3])))
        S = f32(float(S) + tile)
        for d in range(hd):
            a = acc[d]
            for tk in range(min(64, slots - k0)):
                if p[tk] != 0:
                    a = fma(p[tk], values[k0 + tk][d], a)
            acc[d] = a
    inv = f32(0) if S == 0 else f32(f32(1) / S)
    return [f32(a * inv) for a in acc]


def dot_f16(x, y):
    n = len(x)
    np_ = n & ~31
    total = 0.0
    if np_:
        acc = [f32(0)] * 32
        for i in range(0, np_, 32):
            for l in range(32):
                acc[l] = fma(x[i + l], y[i + l], acc[l])
        a = [f32(f32(acc[l] + acc[16 + l]) + f32(acc[8 + l] + acc[24 + l])) for l in range(8)]
        t0 = [f32(a[l] + a[l + 4]) for l in range(4)]
        total = float(f32(f32(t0[0] + t0[1]) + f32(t0[2] + t0[3])))
    for i in range(np_, n):
        total += float(f32(x[i] * y[i]))
    return f32(total)


def one_query(q, keys, values, visible, scale):
    hd = len(q)
    q16 = [f16(v) for v in q]
    acc = [f32(0)] * hd
    M, S = f32(-np.inf), f32(0)
    for j in range(len(keys)):
        if not visible(j):
            continue
        s = f32(dot_f16(keys[j], q16) * scale)
        ms, vs = f32(1), f32(1)
        if s > M:
            old, M = M, s
            ms = expf(f32(old - M))
            acc = [f16(a * ms) for a in acc]
        else:
            vs = expf(f32(s - M))
        acc = [f16(fma(values[j][d], vs, acc[d])) for d in range(hd)]
        S = fma(S, ms, vs)
    inv = f32(0) if S == 0 else f32(f32(1) / S)
    return [f32(a * inv) for a in acc]


def case(name, rng, n, start, heads, kv_heads, hd, out):
    slots = start + n
    q = (rng.standard_normal((n, heads, hd)) * 1.5).astype(f32)
    keys = np.array([[f16(v) for v in row] for row in (rng.standard_normal((slots, kv_heads * hd)) * 1.5)], dtype=f32)
    values = np.array([[f16(v) for v in row] for row in rng.standard_normal((slots, kv_heads * hd))], dtype=f32)
    scale = f32(f32(1) / f32(np.sqrt(f32(hd))))
    group = heads // kv_heads
    result = np.zeros((n, heads, hd), dtype=f32)
    for t in range(n):
        for h in range(heads):
            kvo = (h // group) * hd
            ks = [keys[j][kvo:kvo + hd] for j in range(slots)]
            vs = [values[j][kvo:kvo + hd] for j in range(slots)]
            vis = lambda j, t=t: j <= start + t
            f = tiled if n >= 64 and hd % 8 == 0 else one_query
            result[t, h] = f(q[t, h], ks, vs, vis, scale)
    out.append(f"case {name} n {n} start {start} heads {heads} kvheads {kv_heads} hd {hd}")
    for label, arr in (("q", q), ("keys", keys), ("values", values), ("out", result)):
        out.append(label + " " + " ".join(f"{bits(v):08x}" for v in arr.reshape(-1)))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    target = os.path.join(here, "..", "..", "src", "test", "resources", "golden", "llamacpp-attention.txt")
    rng = np.random.default_rng(20261207)
    out = []
    case("tiled", rng, 70, 0, 2, 1, 8, out)
    case("onequery", rng, 3, 61, 2, 2, 40, out)
    with open(target, "w") as f:
        f.write("\n".join(out) + "\n")
    print("wrote", os.path.normpath(target))


if __name__ == "__main__":
    main()
