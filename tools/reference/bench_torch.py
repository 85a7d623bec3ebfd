#!/usr/bin/python3
"""PyTorch CPU fp32 counterpart of `workbench bench`: the same Llama-family forward pass (RMSNorm,
rotate-half RoPE, GQA attention with a KV cache, SwiGLU, tied classifier) on random weights at a real
model's shapes. Prefill = the whole prompt as one batch (logits only for the last position, as the
Java bench does); decode = tokens one at a time after it. Prints one JSON line with tokens/s.

Usage: /usr/bin/python3 tools/reference/bench_torch.py --shape smollm2-135m --prefill 512 --decode 64 --threads 2
"""
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F

SHAPES = {  # dim, hidden, layers, heads, kv_heads, head_dim, vocab, rope_theta (all tied)
    "stories260K": (64, 172, 5, 8, 4, 8, 512, 10000.0),
    "smollm2-135m": (576, 1536, 30, 9, 3, 64, 49152, 100000.0),
    "llama-3.2-1b": (2048, 8192, 16, 32, 8, 64, 128256, 500000.0),
}


def rms(x, w, eps=1e-5):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rot_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class Model:
    def __init__(self, shape):
        self.dim, self.hidden, self.layers, self.heads, self.kv, self.hd, self.vocab, theta = shape
        g = torch.Generator().manual_seed(42)

        def mat(o, i):
            return (torch.rand(o, i, generator=g) * 2 - 1) * math.sqrt(3.0 / i)

        d, q, kv = self.dim, self.heads * self.hd, self.kv * self.hd
        self.embed = mat(self.vocab, d)
        self.W = [dict(q=mat(q, d), k=mat(kv, d), v=mat(kv, d), o=mat(d, q), gate=mat(self.hidden, d),
                       up=mat(self.hidden, d), down=mat(d, self.hidden), n1=torch.ones(d), n2=torch.ones(d))
                  for _ in range(self.layers)]
        self.norm = torch.ones(d)
        self.inv_freq = 1.0 / (theta ** (torch.arange(0, self.hd, 2).float() / self.hd))

    def forward(self, tokens, cache, start):
        T = tokens.shape[0]
        x = self.embed[tokens]
        pos = torch.arange(start, start + T).float()
        emb = torch.outer(pos, self.inv_freq)
        emb = torch.cat((emb, emb), -1)
        cos, sin = emb.cos()[:, None, :], emb.sin()[:, None, :]
        rep = self.heads // self.kv
        for l, w in enumerate(self.W):
            h = rms(x, w["n1"])
            q = F.linear(h, w["q"]).view(T, self.heads, self.hd)
            k = F.linear(h, w["k"]).view(T, self.kv, self.hd)
            v = F.linear(h, w["v"]).view(T, self.kv, self.hd)
            q = q * cos + rot_half(q) * sin
            k = k * cos + rot_half(k) * sin
            K, V = cache[l]
            K[start:start + T] = k
            V[start:start + T] = v
            keys = K[:start + T].repeat_interleave(rep, 1).transpose(0, 1)    # [H, S, hd]
            vals = V[:start + T].repeat_interleave(rep, 1).transpose(0, 1)
            att = torch.matmul(q.transpose(0, 1), keys.transpose(1, 2)) / math.sqrt(self.hd)  # [H, T, S]
            if T > 1:
                mask = torch.full((T, start + T), float("-inf")).triu(start + 1)
                att = att + mask
            o = torch.matmul(torch.softmax(att, -1), vals).transpose(0, 1).reshape(T, -1)
            x = x + F.linear(o, w["o"])
            h = rms(x, w["n2"])
            x = x + F.linear(F.silu(F.linear(h, w["gate"])) * F.linear(h, w["up"]), w["down"])
        return F.linear(rms(x[-1:], self.norm), self.embed)  # logits of the last position only

    def new_cache(self, n):
        return [(torch.zeros(n, self.kv, self.hd), torch.zeros(n, self.kv, self.hd)) for _ in range(self.layers)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shape", required=True, choices=sorted(SHAPES))
    ap.add_argument("--prefill", type=int, default=512)
    ap.add_argument("--decode", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    m = Model(SHAPES[a.shape])
    prompt = torch.randint(0, m.vocab, (a.prefill,), generator=torch.Generator().manual_seed(7))
    best_p = best_d = 0.0
    cpu_p = cpu_d = 0.0  # process CPU seconds per prefill / per decode run, of the best runs
    with torch.inference_mode():
        m.forward(prompt[:64], m.new_cache(a.prefill + a.decode), 0)  # warm-up
        reps = 1 if m.dim >= 512 else 3
        for _ in range(reps):
            cache = m.new_cache(a.prefill + a.decode)
            c0, t0 = time.process_time(), time.perf_counter()
            logits = m.forward(prompt, cache, 0)
            rate = a.prefill / (time.perf_counter() - t0)
            if rate > best_p:
                best_p, cpu_p = rate, time.process_time() - c0
            tok = logits.argmax(-1)
            c1, t1 = time.process_time(), time.perf_counter()
            for i in range(a.decode):
                tok = m.forward(tok, cache, a.prefill + i).argmax(-1)
            rate = a.decode / (time.perf_counter() - t1)
            if rate > best_d:
                best_d, cpu_d = rate, time.process_time() - c1
    print(json.dumps({"shape": a.shape, "threads": a.threads, "torch": torch.__version__,
                      "prefill_tok_s": best_p, "decode_tok_s": best_d,
                      # tokens per second of CPU time per thread: what the run would reach with its threads
                      # never descheduled (the machine may be shared); OpenMP spin-waiting counts as CPU time
                      "prefill_tok_cpu_s": a.prefill * a.threads / cpu_p, "decode_tok_cpu_s": a.decode * a.threads / cpu_d}))


if __name__ == "__main__":
    main()
