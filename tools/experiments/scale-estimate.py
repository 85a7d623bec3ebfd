#!/usr/bin/python3
"""Estimates of compression time for Llama-2-7B and Llama-3-8B shapes from the per-tensor CPU times that
tools/experiments/scale-1b.sh logged on the Llama-3.2-1B shape (issue #20 goal 5).

  tools/experiments/scale-estimate.py [OUT_DIR]          (default /tmp/scale)

Each method's log has one line per compressed tensor with its CPU seconds. Their sum, per layer, is scaled by
the ratio of the method's cost model summed over the seven linears (q, k, v, o, gate, up, down) of the target
shape to the same sum on the 1B shape, then multiplied by the target's layer count (one coefficient per method,
fitted on all tensors the run finished: a small tensor's fixed overheads would be magnified by scaling it
alone; a run stopped early is extrapolated from the tensors it finished, which the output names):
  RTN, K-quants, SeedLM   ∝ rows·cols              (every weight visited a fixed number of times)
  GPTQ, CALDERA, QuIP#    ∝ cols²·(rows + cols)    (column sweep rows·cols², Cholesky/LDL of H cols³)
  AWQ                     ∝ rows·cols²             (grid of scales, each scored as tr(ΔH Δᵀ))
SeedLM logs no per-tensor time: its seed search rate (blocks/s of the last progress line, CPU-bound on both
cores) gives the 1B figure (blocks = weights / C) and scales with the weights.
Calibration (the 'prepared in' line) is reported as measured on 2 layers and scaled as explained in
docs/measurements.md; it is not in these sums.
"""
import re
import sys
from pathlib import Path

SHAPES = {  # dim, hidden, q heads × head dim, kv dim, layers
    "llama-3.2-1b": (2048, 8192, 2048, 512, 16),
    "llama-2-7b": (4096, 11008, 4096, 4096, 32),
    "llama-3-8b": (4096, 14336, 4096, 1024, 32),
}


def kinds(shape):
    d, h, q, kv, _ = shape
    return {"q_proj": (q, d), "k_proj": (kv, d), "v_proj": (kv, d), "o_proj": (d, q),
            "gate_proj": (h, d), "up_proj": (h, d), "down_proj": (d, h)}


COST = {
    "rtn": lambda r, c: r * c,
    "kquant": lambda r, c: r * c,
    "seedlm": lambda r, c: r * c,
    "gptq": lambda r, c: c * c * (r + c),
    "caldera": lambda r, c: c * c * (r + c),
    "quip-sharp": lambda r, c: c * c * (r + c),
    "awq": lambda r, c: r * c * c,
}
LINE = re.compile(r"model\.layers\.\d+\.(?:self_attn|mlp)\.(\w+)\.weight rel\.err [\d.]+(?: act\.err [\d.]+)?, "
                  r"[\d.]+ s \(([\d.]+) s CPU\)")


def method_of(log):
    m = re.search(r"^(\S+) \{", log, re.M)
    return m.group(1) if m else None


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/scale")
    base = SHAPES["llama-3.2-1b"]
    print("method\tlog\tfitted on\t1B CPU s\t7B CPU s\t8B CPU s\tcalibration CPU s (2 layers)")
    for f in sorted(out.glob("*.log")):
        text = f.read_text(errors="replace").replace("\r", "\n")
        method = method_of(text)
        if method not in COST:
            continue
        prep = re.search(r"prepared in ([\d.]+) s wall, ([\d.]+) s CPU", text)
        prep = prep.group(2) if prep else "-"
        cost = COST[method]
        if method == "seedlm":
            rate = re.findall(r"([\d,]+) blocks/s", text)
            cm = re.search(r"C=(\d+)", text)
            if not rate or not cm:
                continue
            per_weight = 1 / (float(rate[-1].replace(",", "")) * int(cm.group(1)))
            est = {n: per_weight * sum(cost(r, c) for r, c in kinds(s).values()) * s[4] for n, s in SHAPES.items()}
        else:
            found = LINE.findall(text)
            if not found:
                continue
            b = kinds(base)
            # CPU seconds per unit of cost, over every tensor the run finished
            per_cost = sum(float(sec) for _, sec in found) / sum(cost(*b[k]) for k, _ in found)
            est = {n: per_cost * sum(cost(r, c) for r, c in kinds(s).values()) * s[4] for n, s in SHAPES.items()}
        if method != "seedlm":
            est["from"] = f"{len(found)} tensors"
        else:
            est["from"] = f"{rate[-1]} blocks/s"
        print(f"{method}\t{f.name}\t{est['from']}\t{est['llama-3.2-1b']:.0f}\t{est['llama-2-7b']:.0f}\t{est['llama-3-8b']:.0f}\t{prep}")


if __name__ == "__main__":
    main()
