#!/usr/bin/env bash
# Issue #20 goal 5: every compression method on a Llama-3.2-1B shape (SYNTHETIC weights, BF16) under -Xmx4g:
# wall time, CPU time and peak resident memory (/usr/bin/time -v) per method, with the machine's load.
#   tools/experiments/scale-1b.sh [OUT_DIR] [TIMEOUT_S] [LABEL...]   (defaults /tmp/scale, 900 s per run, all runs)
# The data-free methods that are fast (RTN, K-quants) compress the whole 16-layer model. The slow ones
# (SeedLM's seed search, the calibration methods) compress a 2-layer model of the same shapes (hidden 2048,
# intermediate 8192, 32/8 heads, vocabulary 128256): their per-layer times times 16 give the 1B figure, and a
# run stopped by TIMEOUT_S is extrapolated from its last per-tensor progress line (see docs/measurements.md).
# Calibration: TinyStories validation text, CALIB_SEQS × CALIB_LEN tokens (default 16 × 256), captured once (by the first calibration
# method that runs) into OUT_DIR/calib-cache and read from there by the others, so their times exclude it.
# Results: OUT_DIR/summary.tsv (one row per run, appended) and OUT_DIR/LABEL.log.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="${WORKBENCH_DATA:-$root/../shared}"
out="${1:-/tmp/scale}"
limit="${2:-900}"
only=("${@:3}")
wb="$root/tools/workbench"
calib=(--calib "$data/datasets/tinystories/tinystories_val_subset.txt" --calib-seqs "${CALIB_SEQS:-16}" --calib-len "${CALIB_LEN:-256}")
mkdir -p "$out"
full="$out/llama1b" two="$out/llama1b-2l"
[ -f "$full/model.safetensors" ] || "$wb" synth --preset llama-3.2-1b --dtype bf16 --out "$full"
[ -f "$two/model.safetensors" ] || "$wb" synth --preset llama-3.2-1b --layers 2 --dtype bf16 --out "$two"
summary="$out/summary.tsv"
[ -f "$summary" ] || printf 'label\tmodel\tlayers done\twall s\tCPU s\tpeak RSS MB\texit\tload before\tload after\tlast progress\n' > "$summary"
load() { cut -d' ' -f1-3 /proc/loadavg; }

run() { # label, model folder, compress arguments...
  local label=$1 model=$2; shift 2
  if [ ${#only[@]} -gt 0 ] && [[ " ${only[*]} " != *" $label "* ]]; then return; fi
  local log="$out/$label.log" before; before=$(load)
  rm -rf "$out/$label.work"
  set +e
  WORKBENCH_JAVA_OPTS=-Xmx4g /usr/bin/time -v timeout "$limit" "$wb" compress --model "$model" \
    --db "$out/results.db" --out "$out/$label.safetensors" --work-dir "$out/$label.work" \
    --calib-cache "$out/calib-cache" "$@" > "$log" 2>&1
  local rc=$?
  set -e
  local wall cpu rss layers last
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$log")
  cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {if (u!="") print u+s}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%d", $2/1024}' "$log")
  layers=$(grep -c '^layer [0-9]*: ' "$log" || true)
  last=$(tr '\r' '\n' < "$log" | grep -E 'weights/s|blocks/s' | tail -1 | sed 's/^ *//' | cut -c1-160 || true)
  # exit 124: stopped by TIMEOUT_S (time and RSS are then those of the part that ran)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$(basename "$model")" "$layers" "${wall:-}" "${cpu:-}" \
    "${rss:-}" "$rc" "$before" "$(load)" "$last" >> "$summary"
  echo "$(date -u +%T) $label rc=$rc wall=${wall:-?} rss=${rss:-?}MB"
}

run rtn4-1b "$full" --method rtn --bits 4 --group 128
run q4km-1b "$full" --method kquant --type Q4_K_M
run gptq4-2l "$two" --method gptq --bits 4 --group 128 "${calib[@]}"
run awq4-2l "$two" --method awq --bits 4 --group 128 "${calib[@]}"
run caldera-2l "$two" --method caldera --q-bits 2 --lr-bits 4 --rank 64 "${calib[@]}"
run quip-2l "$two" --method quip-sharp "${calib[@]}"
run seedlm4-2l "$two" --method seedlm --bits 4
