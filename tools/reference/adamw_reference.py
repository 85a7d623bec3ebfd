#!/usr/bin/python3
"""Reference for engine.train.AdamW / LearningRateSchedule / GradientClipping (the finetune optimizer).

Runs PyTorch's own torch.optim.AdamW and torch.nn.utils.clip_grad_norm_ in float64 on two small parameters for
six optimizer steps. Each step averages the gradients of two micro-batches (gradient accumulation), clips the
global norm to 1.0 and uses the learning rate of Hugging Face's linear schedule with 2 warm-up steps of 6
(lambda(s) = s/warmup while s < warmup, else (total - s)/(total - warmup)). Gradients come from a seeded numpy
generator and are written to the JSON so the Java test replays the same ones.

Usage: /usr/bin/python3 tools/reference/adamw_reference.py > src/test/resources/golden/train/adamw.json
"""
import json

import numpy as np
import torch

rng = np.random.default_rng(20261207)
shapes = [3, 5]
init = [rng.normal(size=s) for s in shapes]
params = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in init]
peak, warmup, total, wd, clip, accum = 0.01, 2, 6, 0.1, 1.0, 2
opt = torch.optim.AdamW(params, lr=peak, betas=(0.9, 0.999), eps=1e-8, weight_decay=wd)


def lr_at(s):
    if s < warmup:
        return peak * s / max(1, warmup)
    return peak * max(0.0, (total - s) / max(1, total - warmup))


steps = []
for s in range(total):
    # micro-batch gradients; step 3 is scaled up so that clipping acts on it
    micro = [[rng.normal(size=n) * (4.0 if s == 3 else 0.3) for n in shapes] for _ in range(accum)]
    for p, i in zip(params, range(len(shapes))):
        p.grad = torch.tensor(sum(m[i] for m in micro) / accum, dtype=torch.float64)
    norm = float(torch.nn.utils.clip_grad_norm_(params, clip))
    for g in opt.param_groups:
        g["lr"] = lr_at(s)
    opt.step()
    steps.append({
        "lr": lr_at(s),
        "micro_grads": [[m[i].tolist() for i in range(len(shapes))] for m in micro],
        "norm": norm,
        "params": [p.detach().numpy().tolist() for p in params],
    })

print(json.dumps({
    "source": "tools/reference/adamw_reference.py (torch " + torch.__version__ + ", float64)",
    "peak_lr": peak, "warmup": warmup, "total": total, "weight_decay": wd, "clip": clip, "accum": accum,
    "init": [p.tolist() for p in init],
    "steps": steps,
}, indent=1))
