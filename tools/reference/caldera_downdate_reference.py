#!/usr/bin/env python3
"""Independent numpy (float64) reference for CALDERA's Hessian downdate and update order.

Follows the official CALDERA code (github pilancilab/caldera, src/caldera/decomposition/alg.py):
  - caldera(): the outer loop over quant_params.update_order (["LR", "Q"] = lr_first, ["Q", "LR"] = q_first),
    scoring the state after every step once both Q and L·R have been updated, by the activation-aware error
    against the ORIGINAL H, and keeping the best; the workbench's plain lr_first setting (no downdate) scores
    after the Q step only (its behaviour before these knobs), and so does this reference for it;
  - update_Q_data_aware() with Q_hessian_downdate: M = chol(H), V = top-k right singular vectors of
    L·R·M, H' = H - M V Vᵀ Mᵀ, H' += (sigma_reg2 + max(-λmin(H'), 0))·I, H' += |mean diag H'|·sigma_reg2·I,
    sigma_reg2 = 0.01; LDLQ of W - L·R then runs on H'.
Simplifications shared with the Java test setting (not with the official code): no Hadamard, F32 factors
(the LPLR closed form rounded to float32, exact SVD, no inner iterations), a scalar Q on the per-row grid
with the MSE-clipped range (FP16 scales), LDLQ with block size 1. Where the official code would downdate
with L = R = 0 (q_first, first iteration: the SVD of a zero matrix gives arbitrary directions), this
reference, like the workbench, skips the downdate.

Writes src/test/resources/golden/caldera/caldera_downdate_ref.json.
Run: /usr/bin/python3 tools/reference/caldera_downdate_reference.py
"""
import json
import os

import numpy as np

SIGMA_REG2 = 0.01
rng = np.random.default_rng(20261207)
m, n, k, bits, outer = 12, 16, 3, 2, 4

W = rng.standard_normal((m, n))
W[:, :4] += 2.0 * np.outer(rng.standard_normal(m), rng.standard_normal(4))  # a low-rank part, as in real layers
X = rng.standard_normal((96, n)) @ (np.eye(n) + 0.5 * rng.standard_normal((n, n)))
H = X.T @ X
H = H / np.mean(np.diag(H)) + 0.01 * np.eye(n)  # the spec's regularisation


def lplr(A, H, k):
    """Rank-k minimiser of ‖(A - LR) H^½‖ via the eigendecomposition of H (the spec's formula)."""
    lam, V = np.linalg.eigh(H)
    Y = A @ V @ np.diag(np.sqrt(lam))
    U, s, Bt = np.linalg.svd(Y, full_matrices=False)
    return U[:, :k], np.diag(s[:k]) @ Bt[:k] @ np.diag(1 / np.sqrt(lam)) @ V.T


def qround(v, scale, zero, bits):
    q = np.clip(np.floor(v / scale + 0.5) + zero, 0, 2 ** bits - 1)
    return scale * (q - zero)


def fit_grid_clipped(T, bits):
    """Per-row min-max range (with 0) shrunk by p in {1, 0.975, ..., 0.525} of least squared rounding error."""
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
            scale = float(np.float16(np.float32(scale)))  # stored as FP16
            err = float(np.sum((T[r] - qround(T[r], scale, zero, bits)) ** 2))
            if best is None or err < best[0]:
                best = (err, scale, zero)
        scales[r], zeros[r] = best[1], best[2]
    return scales, zeros


def ldlq(T, H, bits):
    """LDLQ, block size 1: H = L D Lᵀ (unit lower L), last column first, grid fitted on T."""
    C = np.linalg.cholesky(H)
    L = C / np.diag(C)[None, :]
    scale, zero = fit_grid_clipped(T, bits)
    Q = np.zeros_like(T)
    for c in range(T.shape[1] - 1, -1, -1):
        target = T[:, c] + (T[:, c + 1:] - Q[:, c + 1:]) @ L[c + 1:, c]
        Q[:, c] = qround(target, scale, zero, bits)
    return Q


def downdate(H, LR, k):
    M = np.linalg.cholesky(H)
    _, _, Vh = np.linalg.svd(LR @ M, full_matrices=False)
    V = Vh.T[:, :k]
    Hd = H - M @ V @ V.T @ M.T
    Hd = Hd + (SIGMA_REG2 + max(-np.linalg.eigvalsh(Hd).min(), 0)) * np.eye(H.shape[0])
    return Hd + abs(np.mean(np.diag(Hd))) * SIGMA_REG2 * np.eye(H.shape[0])


def herr(D, H):
    return np.trace(D @ H @ D.T)


def f32(a):
    return a.astype(np.float32).astype(np.float64)


def caldera(order, hessian_downdate):
    g = float(np.float32(np.sqrt(np.mean(W ** 2))))  # the RMS scale is stored as F32
    Ws = W / g
    denom = herr(Ws, H)
    Q = np.zeros_like(Ws)
    LR = None
    hist, best = [], None

    def q_step(LR):
        target = Ws if LR is None else Ws - LR
        Hq = downdate(H, LR, k) if hessian_downdate and LR is not None else H
        return ldlq(target, Hq, bits)

    def lr_step(Q):
        Lf, Rf = lplr(Ws - Q, H, k)
        return f32(Lf) @ f32(Rf)

    every_step = order == "q_first" or hessian_downdate
    steps = ("Q", "LR") if order == "q_first" else ("LR", "Q")
    q_done = False
    for _ in range(outer):
        for step in steps:
            if step == "LR":
                LR = lr_step(Q)
                if not (q_done and every_step):
                    continue
            else:
                Q = q_step(LR)
                q_done = True
                if LR is None:
                    continue
            err = np.sqrt(herr(Q + LR - Ws, H) / denom)
            hist.append(float(err))
            if best is None or err < best[0]:
                best = (err, g * (Q + LR))
    return {"history": hist, "w_hat": best[1].ravel().tolist()}


# The downdate on its own, for the L·R of the first LR step.
L0, R0 = lplr(W, H, k)
LR0 = f32(L0) @ f32(R0)
out = {
    "m": m, "n": n, "k": k, "bits": bits, "outer": outer, "sigma_reg2": SIGMA_REG2,
    "W": W.ravel().tolist(), "H": H.ravel().tolist(),
    "LR0": LR0.ravel().tolist(),
    "downdated_H": downdate(H, LR0, k).ravel().tolist(),
    "runs": {
        f"{order}_{'downdate' if dd else 'plain'}": caldera(order, dd)
        for order in ("lr_first", "q_first") for dd in (False, True)
    },
}
path = os.path.join(os.path.dirname(__file__), "..", "..", "src", "test", "resources", "golden", "caldera",
                    "caldera_downdate_ref.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", os.path.normpath(path))
for name, r in out["runs"].items():
    print(f"  {name:20s} history {['%.5f' % e for e in r['history']]}")
