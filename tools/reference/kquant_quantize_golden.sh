#!/usr/bin/env bash
# Golden files for the Java K-quant quantizers (dev.llmcw.model.gguf.GgmlQuantizer): compiles a tiny harness
# against llama.cpp's ggml/src/ggml-quants.c (not the whole tree) and quantizes fixed float rows to every
# type, without and with an importance matrix. Usage: tools/reference/kquant_quantize_golden.sh [LLAMA_CPP_DIR]
# (default /root/anchors/llama.cpp, the pinned commit named in ../shared/docs/anchors.md).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
src=${1:-/root/anchors/llama.cpp}
out=$repo/src/test/resources/golden/kquant
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

# -ffp-contract=off: no fused multiply-add, so each float operation rounds once, as in Java.
gcc -O2 -ffp-contract=off -w -I"$src/ggml/include" -I"$src/ggml/src" -I"$src/ggml/src/ggml-cpu" \
    "$here/kquant/kquant_harness.c" -lm -o "$tmp/harness"

# Rows that exercise the search paths: Gaussian weights, heavy tails, one-signed rows, tiny values, an
# all-zero super-block, a zero 16-group, a constant row; and an importance matrix with a wide range.
/usr/bin/python3 - "$tmp" "$out" <<'PY'
import math, random, struct, sys
tmp, out = sys.argv[1], sys.argv[2]
rng = random.Random(20261207)
nrow, n = 10, 512
def t2():  # Student t with 2 degrees of freedom: heavy tails
    return rng.gauss(0, 1) / math.sqrt((rng.gauss(0, 1) ** 2 + rng.gauss(0, 1) ** 2) / 2)
rows = [
    [rng.gauss(0, 0.02) for _ in range(n)],
    [rng.gauss(0, 1.0) for _ in range(n)],
    [t2() * 0.05 for _ in range(n)],
    [abs(rng.gauss(0, 0.1)) for _ in range(n)],
    [-abs(rng.gauss(0, 0.1)) for _ in range(n)],
    [rng.gauss(0, 1e-6) for _ in range(n)],
    [0.0] * 256 + [rng.gauss(0, 0.3) for _ in range(256)],
    [rng.uniform(-2, 2) for _ in range(n)],
    [0.0625] * n,
    [rng.gauss(0, 0.02) + rng.gauss(0, 0.002) * i / n for i in range(n)],
]
rows[7][32:48] = [0.0] * 16
rows[7][300] = 25.0
qw = [rng.gauss(0, 1) ** 2 * 1e-3 + 1e-7 for _ in range(n)]
qw[:16] = [v * 1000 for v in qw[:16]]
floats = lambda vs: struct.pack('<%df' % len(vs), *vs)
x = b''.join(floats(r) for r in rows)
with open(f"{out}/input.bin", "wb") as f:
    f.write(struct.pack('<2i', nrow, n) + x + floats(qw))
for has in (0, 1):
    with open(f"{tmp}/in{has}", "wb") as f:
        f.write(struct.pack('<4i', 0, nrow, n, has) + x + (floats(qw) if has else b''))
PY

# ggml_type numbers: Q4_0 2, Q8_0 8, Q4_1 3, Q5_0 6, Q5_1 7, Q2_K 10, Q3_K 11, Q4_K 12, Q5_K 13, Q6_K 14, IQ4_NL 20.
for t in Q4_0:2 Q8_0:8 Q4_1:3 Q5_0:6 Q5_1:7 Q2_K:10 Q3_K:11 Q4_K:12 Q5_K:13 Q6_K:14 IQ4_NL:20; do
    name=${t%%:*}; num=${t##*:}
    for has in 0 1; do
        suffix=$([ "$has" = 1 ] && echo "-imatrix" || true)
        # the type goes into the header's first int32
        { /usr/bin/python3 -c "import struct,sys; sys.stdout.buffer.write(struct.pack('<i', $num))"
          tail -c +5 "$tmp/in$has"; } | "$tmp/harness" > "$out/$name$suffix.bin"
    done
done
ls -l "$out"
