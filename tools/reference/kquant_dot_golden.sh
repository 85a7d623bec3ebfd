#!/bin/sh
# Regenerates src/test/resources/golden/gguf/kquant/kquant-dot.txt from llama.cpp's own code (see
# kquant_dot_golden.c): Q8_K activations and K-quant dot products; and block32-dot.txt (block32_dot_golden.c):
# Q8_0/Q8_1 activations and the dot products of IQ4_NL and Q4_1. Needs the llama.cpp tree at the pinned
# commit (../shared/docs/anchors.md) built with cmake and gcc (libggml-cpu.a, libggml-base.a).
# LLAMA_CPP overrides the tree's location.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
llama=${LLAMA_CPP:-/root/anchors/llama.cpp}
lib="$llama/build/ggml/src"
[ -f "$lib/libggml-cpu.a" ] || { echo "kquant_dot_golden.sh: $lib/libggml-cpu.a is missing; build llama.cpp first (see docs/anchors.md)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gcc -O2 -o "$tmp/dot" "$here/kquant_dot_golden.c" -I"$llama/ggml/include" "$lib/libggml-cpu.a" "$lib/libggml-base.a" \
    -lm -lpthread -lstdc++ -fopenmp
golden="$repo/src/test/resources/golden/gguf/kquant"
"$tmp/dot" "$golden/input.f32" "$golden/kquant-dot.txt"
echo "wrote $golden/kquant-dot.txt"
gcc -O2 -o "$tmp/dot32" "$here/block32_dot_golden.c" -I"$llama/ggml/include" "$lib/libggml-cpu.a" "$lib/libggml-base.a" \
    -lm -lpthread -lstdc++ -fopenmp
"$tmp/dot32" "$golden/input.f32" "$golden/block32-dot.txt"
echo "wrote $golden/block32-dot.txt"
