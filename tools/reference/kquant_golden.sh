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
