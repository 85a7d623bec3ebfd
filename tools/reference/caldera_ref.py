#!/usr/bin/env python3
"""Independent numpy reference for CALDERA pieces (algorithms.md §2, §3.3).

Writes src/test/resources/golden/caldera/caldera_ref.json with:
  - the LPLR closed form via the eigendecomposition of H (the spec's formula; Java uses Cholesky),
  - scalar LDLQ (unit lower LDL, last column to first) on a per-row min-max grid with FP16 scales,
  - a full CALDERA run (no Hadamard, F32 factors, scalar Q on the MSE-clipped per-row grid,
    3 outer iterations, exact SVD).
Run: python3 tools/reference/caldera_ref.py
"""
import json
import os
import numpy as np

rng = np.random.default_rng(20240531)
m, n, k, bits, outer = 8, 16, 3, 2, 3

W = rng.standard_normal((m, n))
X = rng.standard_normal((64, n)) @ (np.eye(n) + 0.4 * rng.standard_normal((n, n)))
H = X.T @ X
H = H / np.mean(np.diag(H)) + 0.01 * np.eye(n)   # spec regularisation


def lplr(A, H, k):
    lam, V = np.linalg.eigh(H)
    Y = A @ V @ np.diag(np.sqrt(lam))
    U, s, Bt = np.linalg.svd(Y, full_matrices=False)
    L = U[:, :k]
    R = np.diag(s[:k]) @ Bt[:k] @ np.diag(1 / np.sqrt(lam)) @ V.T
    return L, R


def fit_grid(T, bits):
    maxq = 2 ** bits - 1
    lo = np.minimum(T.min(axis=1), 0)
    hi = np.maximum(T.max(axis=1), 0)
    scale = (hi - lo) / maxq
    zero = np.floor(-lo / scale + 0.5)
    scale = scale.astype(np.float16).astype(np.float64)   # scales are stored as FP16
    return scale, zero


def fit_grid_clipped(T, bits):
    """Per-row range shrink p in {1, 0.975, ..., 0.525} minimising the squared rounding error (Java: UniformGrid.fitClipped)."""
    maxq = 2 ** bits - 1
    scales, zeros = np.zeros(T.shape[0]), np.zeros(T.shape[0])
    for r in range(T.shape[0]):
        lo0, hi0 = min(T[r].min(), 0), max(T[r].max(), 0)
        best = None
        for step in range(20):
            p = 1 - 0.025 * step
            lo, hi = p * lo0, p * hi0
            scale = (hi - lo) / maxq
            zero = np.floor(-lo / scale + 0.5)
            scale = float(np.float16(scale))
            err = 0.0
            for v in T[r]:
                d = v - qround(v, scale, zero, bits)
                err += d * d
            if best is None or err < best[0]:
                best = (err, scale, zero)
        scales[r], zeros[r] = best[1], best[2]
    return scales, zeros


def qround(v, scale, zero, bits):
    q = np.clip(np.floor(v / scale + 0.5) + zero, 0, 2 ** bits - 1)
    return scale * (q - zero)


def ldlq(Wt, H, bits, clipped=False):
    mm, nn = Wt.shape
    C = np.linalg.cholesky(H)
    L = C / np.diag(C)[None, :]          # unit lower, H = L D Lᵀ
    scale, zero = fit_grid_clipped(Wt, bits) if clipped else fit_grid(Wt, bits)
    Q = np.zeros_like(Wt)
    for c in range(nn - 1, -1, -1):
        target = Wt[:, c] + (Wt[:, c + 1:] - Q[:, c + 1:]) @ L[c + 1:, c]
        Q[:, c] = qround(target, scale, zero, bits)
    return Q


def herr(D, H):
    return np.trace(D @ H @ D.T)


L, R = lplr(W, H, k)
lplr_product = L @ R
ldlq_w = ldlq(W, H, bits)

# Full CALDERA without Hadamard, F32 factors (LPLR closed form rounded to float32), scalar Q.
g = np.sqrt(np.mean(W ** 2))
Ws = W / g
Q = np.zeros_like(Ws)
hist = []
best = None
for it in range(outer):
    Lf, Rf = lplr(Ws - Q, H, k)
    Lf = Lf.astype(np.float32).astype(np.float64)
    Rf = Rf.astype(np.float32).astype(np.float64)
    LR = Lf @ Rf
    Q = ldlq(Ws - LR, H, bits, clipped=True)   # CALDERA's scalar Q grid uses the clipped fit
    err = np.sqrt(herr(Q + LR - Ws, H) / herr(Ws, H))
    hist.append(err)
    if best is None or err < best[0]:
        best = (err, g * (Q + LR))

out = {
    "m": m, "n": n, "k": k, "bits": bits, "outer": outer,
    "W": W.ravel().tolist(), "H": H.ravel().tolist(),
    "lplr_product": lplr_product.ravel().tolist(),
    "ldlq": ldlq_w.ravel().tolist(),
    "caldera_history": hist,
    "caldera_w_hat": best[1].ravel().tolist(),
}
path = os.path.join(os.path.dirname(__file__), "..", "..", "src", "test", "resources", "golden", "caldera", "caldera_ref.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", os.path.normpath(path), "history", hist)
