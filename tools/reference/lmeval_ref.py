#!/usr/bin/env python3
"""Independent reference for the workbench's lm-eval scoring on stories260K.

Implements, without sharing code with the Java side:
  * a llama2.c forward pass in numpy float64 (full sequence, causal mask, GQA, interleaved RoPE,
    SwiGLU, RMSNorm eps 1e-5, tied classifier),
  * tokenisation with the official SentencePiece library on tok512.model (Debian python3-sentencepiece),
    whitespace collapsing off (see sentencepiece_without_whitespace_collapsing),
  * lm-evaluation-harness 0.4.x request handling for causal LMs with add_bos_token=False
    (HFLM._encode_pair, _loglikelihood_tokens' left truncation, loglikelihood_rolling windows),
  * the task prompts of piqa / hellaswag (lm-eval yaml + utils) and acc / acc_norm,

and writes per-item log-likelihoods for PIQA (all 1838 items), HellaSwag (first 500 items of
llama.cpp's 6-line file, ctx_b re-capitalised as documented in HellaSwagTask) and the first 40
TinyStories documents (rolling loglikelihood) as a compact golden fixture.

Usage (Debian python with numpy + sentencepiece):
  apt-get install python3-numpy python3-sentencepiece python3-protobuf
  /usr/bin/python3 tools/reference/lmeval_ref.py ../shared src/test/resources/golden/eval/stories260K_lmeval.tsv
"""
import json
import math
import re
import struct
import sys

import numpy as np
import sentencepiece as spm


# ----------------------------------------------------------------------------- model

class Llama2c:
    def __init__(self, path):
        with open(path, "rb") as f:
            data = f.read()
        dim, hidden, n_layers, n_heads, n_kv, vocab, seq_len = struct.unpack("7i", data[:28])
        self.shared = vocab > 0
        vocab = abs(vocab)
        self.dim, self.hidden, self.n_layers, self.n_heads, self.n_kv = dim, hidden, n_layers, n_heads, n_kv
        self.vocab, self.seq_len = vocab, seq_len
        self.hs = dim // n_heads
        kv_dim = n_kv * self.hs
        w = np.frombuffer(data, dtype=np.float32, offset=28).astype(np.float64)
        at = 0

        def take(*shape):
            nonlocal at
            n = int(np.prod(shape))
            a = w[at:at + n].reshape(shape)
            at += n
            return a

        self.emb = take(vocab, dim)
        self.rms_att = take(n_layers, dim)
        self.wq = take(n_layers, dim, dim)
        self.wk = take(n_layers, kv_dim, dim)
        self.wv = take(n_layers, kv_dim, dim)
        self.wo = take(n_layers, dim, dim)
        self.rms_ffn = take(n_layers, dim)
        self.w1 = take(n_layers, hidden, dim)
        self.w2 = take(n_layers, dim, hidden)
        self.w3 = take(n_layers, hidden, dim)
        self.rms_final = take(dim)
        take(seq_len, self.hs // 2)  # legacy freq_cis_real
        take(seq_len, self.hs // 2)  # legacy freq_cis_imag
        self.wcls = self.emb if self.shared else take(vocab, dim)

    @staticmethod
    def rmsnorm(x, g):
        return x * g / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + 1e-5)

    def rope(self, x, n_heads):
        # x: (T, n_heads*hs); llama2.c rotates interleaved pairs (2i, 2i+1) within each head
        T = x.shape[0]
        x = x.reshape(T, n_heads, self.hs // 2, 2)
        i = np.arange(self.hs // 2)
        freq = 1.0 / (10000.0 ** (2 * i / self.hs))
        ang = np.arange(T)[:, None] * freq[None, :]
        c, s = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
        a, b = x[..., 0], x[..., 1]
        out = np.stack([a * c - b * s, a * s + b * c], axis=-1)
        return out.reshape(T, n_heads * self.hs)

    def log_probs(self, tokens):
        """log_softmax of the logits at every position of `tokens` (T, vocab)."""
        T = len(tokens)
        x = self.emb[np.asarray(tokens)]
        mask = np.triu(np.full((T, T), -np.inf), 1)
        rep = self.n_heads // self.n_kv
        for l in range(self.n_layers):
            h = self.rmsnorm(x, self.rms_att[l])
            q = self.rope(h @ self.wq[l].T, self.n_heads).reshape(T, self.n_heads, self.hs)
            k = self.rope(h @ self.wk[l].T, self.n_kv).reshape(T, self.n_kv, self.hs)
            v = (h @ self.wv[l].T).reshape(T, self.n_kv, self.hs)
            k = np.repeat(k, rep, axis=1)  # query head h reads kv head h // rep
            v = np.repeat(v, rep, axis=1)
            att = np.einsum("thd,shd->hts", q, k) / math.sqrt(self.hs) + mask
            att = np.exp(att - att.max(axis=2, keepdims=True))
            att /= att.sum(axis=2, keepdims=True)
            out = np.einsum("hts,shd->thd", att, v)
            x = x + out.reshape(T, self.dim) @ self.wo[l].T
            h = self.rmsnorm(x, self.rms_ffn[l])
            a = h @ self.w1[l].T
            x = x + ((a / (1 + np.exp(-a))) * (h @ self.w3[l].T)) @ self.w2[l].T
        logits = self.rmsnorm(x, self.rms_final) @ self.wcls.T
        m = logits.max(axis=1, keepdims=True)
        return logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))


# ----------------------------------------------------------------------------- lm-eval requests

class Harness:
    def __init__(self, model, sp, max_length):
        self.model, self.sp, self.max_length = model, sp, max_length

    def tok_encode(self, s):
        return self.sp.encode(s)  # add_special_tokens=False: SentencePiece adds no BOS by itself

    def encode_pair(self, context, continuation):
        n_spaces = len(context) - len(context.rstrip())
        if n_spaces > 0:
            continuation = context[-n_spaces:] + continuation
            context = context[:-n_spaces]
        whole = self.tok_encode(context + continuation)
        ctx = self.tok_encode(context)
        return ctx, whole[len(ctx):]

    def score_tokens(self, ctx, cont):
        L = self.max_length
        if len(cont) > L:
            # lm-eval asserts len(cont) <= max_length; the workbench (and this reference) score an
            # over-long continuation in pieces of at most L // 2 tokens, each after the tokens before it.
            ll, greedy, piece = 0.0, True, L // 2
            for start in range(0, len(cont), piece):
                a, b = self.score_tokens(ctx + cont[:start], cont[start:start + piece])
                ll, greedy = ll + a, greedy and b
            return ll, greedy
        inp = (ctx + cont)[-(self.max_length + 1):][:-1]
        lp = self.model.log_probs(inp)
        sel = lp[len(inp) - len(cont):len(inp)]
        ll = float(sum(sel[i, t] for i, t in enumerate(cont)))
        greedy = all(int(np.argmax(sel[i])) == t for i, t in enumerate(cont))
        return ll, greedy

    def loglikelihood(self, context, continuation):
        if context == "":
            return self.score_tokens([self.sp.bos_id()], self.tok_encode(continuation))
        return self.score_tokens(*self.encode_pair(context, continuation))

    def loglikelihood_rolling(self, string):
        tokens = self.tok_encode(string)
        L = self.max_length
        total = 0.0
        if not tokens:
            return 0.0, 0
        # lm_eval.utils.get_rolling_token_windows(context_len=1) + make_disjoint_window
        first = min(L, len(tokens))
        windows = [([self.sp.bos_id()] + tokens[:first - 1], tokens[:first])]
        predicted = first
        while predicted < len(tokens):
            wp = min(len(tokens) - predicted, L)
            end = predicted + wp
            windows.append((tokens[end - L - 1:end - 1], tokens[end - wp:end]))
            predicted += wp
        for a, b in windows:
            ctx = a[:len(a) - (len(b) - 1)]
            total += self.score_tokens(ctx, b)[0]
        return total, len(tokens)


# ----------------------------------------------------------------------------- tasks

def piqa(root):
    rows = [json.loads(l) for l in open(f"{root}/datasets/piqa/valid.jsonl", encoding="utf-8") if l.strip()]
    labels = [int(l) for l in open(f"{root}/datasets/piqa/valid-labels.lst") if l.strip()]
    for i, (r, g) in enumerate(zip(rows, labels)):
        yield str(i), f"Question: {r['goal']}\nAnswer:", [r["sol1"], r["sol2"]], g


def recapitalise(ctx):
    # Same documented rule as HellaSwagTask.capitaliseTrailingFragment, written independently:
    # the fragment after the last sentence end (or after "label: ") is ctx_b when it starts lower-case.
    head, sep, body = ctx.partition(": ")
    if not sep:
        head, body = "", ctx
    m = list(re.finditer(r"[.!?] ", body))
    start = m[-1].end() if m else 0
    frag = body[start:]
    if frag and frag[0].islower():
        body = body[:start] + frag.capitalize()
    return head + sep + body


def hellaswag(root, n):
    lines = open(f"{root}/datasets/hellaswag/hellaswag_val_full.txt", encoding="utf-8").read().split("\n")
    for i in range(n):
        at = 6 * i
        yield str(i), recapitalise(lines[at]), lines[at + 2:at + 6], int(lines[at + 1])


def tinystories(root, n):
    text = open(f"{root}/datasets/tinystories/tinystories_val_subset.txt", encoding="utf-8").read().replace("\r\n", "\n")
    docs, cur = [], []
    for line in text.split("\n"):
        if not line.strip() or line.strip() == "<|endoftext|>":
            if cur:
                docs.append("\n".join(cur))
            cur = []
        else:
            cur.append(line.strip())
    if cur:
        docs.append("\n".join(cur))
    return docs[:n]


def sentencepiece_without_whitespace_collapsing(path):
    """tok512.model's normalizer has remove_extra_whitespaces=True (SentencePiece's trainer default, which
    llama2.c's train_vocab kept), so SentencePiece drops trailing spaces and collapses runs of spaces.
    llama2.c's own encoder (run.c), which the workbench's llama2.c tokenizer follows, does not normalise,
    and neither does the Llama 2 tokenizer.model (remove_extra_whitespaces=False). The reference turns the
    collapsing off so both sides tokenise the same strings; 7 PIQA choices end in a space or hold "  "."""
    from sentencepiece import sentencepiece_model_pb2 as pb  # Debian python3-protobuf
    m = pb.ModelProto()
    with open(path, "rb") as f:
        m.ParseFromString(f.read())
    m.normalizer_spec.remove_extra_whitespaces = False
    return spm.SentencePieceProcessor(model_proto=m.SerializeToString())


def main():
    root, out = sys.argv[1], sys.argv[2]
    # optional third argument: comma-separated tasks to recompute, keeping the other tasks' lines of `out`
    only = set(sys.argv[3].split(",")) if len(sys.argv) > 3 else None
    kept_summary, kept_body = {}, []
    if only:
        for line in open(out, encoding="utf-8").read().splitlines():
            if line.startswith("# acc ") and line.split(" ")[2] not in only:
                kept_summary[line.split(" ")[2]] = line
            elif line and not line.startswith("#") and line.split("\t")[0] not in only:
                kept_body.append(line)
    model = Llama2c(f"{root}/models/stories260K/stories260K.bin")
    sp = sentencepiece_without_whitespace_collapsing(f"{root}/models/stories260K/tok512.model")
    h = Harness(model, sp, model.seq_len)
    lines = ["# lm-eval reference (tools/reference/lmeval_ref.py): stories260K, numpy float64, SentencePiece tok512.model",
             "# (whitespace collapsing off), harness 0.4.x causal LM without BOS, max_length = 512. Columns: task, item, gold,",
             "# log-likelihood per choice (rolling: task, doc, token count, log-likelihood). Summary: '# acc task acc acc_norm'."]
    body = {"piqa": [], "hellaswag": [], "tinystories_ppl": []}
    for line in kept_body:
        body[line.split("\t")[0]].append(line)
    for task, items in (("piqa", lambda: piqa(root)), ("hellaswag", lambda: hellaswag(root, 500))):
        if only and task not in only:
            lines.append(kept_summary[task])
            continue
        acc = acc_norm = n = 0
        for item_id, ctx, choices, gold in items():
            lls = [h.loglikelihood(ctx, " " + c)[0] for c in choices]
            norm = [ll / len(c) for ll, c in zip(lls, choices)]
            acc += int(np.argmax(lls)) == gold
            acc_norm += int(np.argmax(norm)) == gold
            n += 1
            body[task].append("\t".join([task, item_id, str(gold)] + [f"{ll:.6f}" for ll in lls]))
        lines.append(f"# acc {task} {acc / n:.10f} {acc_norm / n:.10f}")
        print(task, n, acc / n, acc_norm / n, file=sys.stderr)
    if not only or "tinystories_ppl" in only:
        for i, doc in enumerate(tinystories(root, 40)):
            ll, ntok = h.loglikelihood_rolling(doc)
            body["tinystories_ppl"].append(f"tinystories_ppl\t{i}\t{ntok}\t{ll:.6f}")
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines + body["piqa"] + body["hellaswag"] + body["tinystories_ppl"]) + "\n")


if __name__ == "__main__":
    main()
