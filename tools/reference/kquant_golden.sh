#!/bin/sh
# Regenerates src/test/resources/golden/gguf/kquant/ from llama.cpp's own code (see kquant_golden.c/.py).
# Needs the llama.cpp tree at the pinned commit (../shared/docs/anchors.md) built with cmake, gcc and
# Debian's python3 with numpy. LLAMA_CPP overrides the tree's location.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
llama=${LLAMA_CPP:-/root/anchors/llama.cpp}
lib="$llama/build/ggml/src/libggml-base.a"
[ -f "$lib" ] || { echo "kquant_golden.sh: $lib is missing; build llama.cpp first (see docs/anchors.md)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gcc -O2 -o "$tmp/golden" "$here/kquant_golden.c" -I"$llama/ggml/include" "$lib" -lm -lpthread -lstdc++ -fopenmp
mkdir "$tmp/out"
"$tmp/golden" "$tmp/out"
/usr/bin/python3 "$here/kquant_golden.py" "$tmp/out" "$repo/src/test/resources/golden/gguf/kquant" "$llama"

# A llama.cpp Q4_K_M file of a small synthetic model (rows of 256: whole K-quant super-blocks), for
# KQuantGgufPerplexityTest: the workbench writes it as F32, llama-quantize picks Q4_K/Q6_K per tensor.
quantize="$llama/build/bin/llama-quantize"
[ -x "$quantize" ] || { echo "kquant_golden.sh: $quantize is missing; build it (see docs/anchors.md)" >&2; exit 1; }
"$repo/tools/workbench" synth --dim 256 --hidden 256 --layers 1 --heads 2 --kv-heads 2 --vocab 258 --dtype f32 \
    --seed 7 --out "$tmp/synth" >/dev/null
"$repo/tools/workbench" export-gguf --type F32 "$tmp/synth" "$tmp/synth-f32.gguf" >/dev/null
"$quantize" "$tmp/synth-f32.gguf" "$repo/src/test/resources/golden/gguf/kquant/synth-q4_k_m.gguf" Q4_K_M >/dev/null 2>&1
echo "wrote synth-q4_k_m.gguf"
