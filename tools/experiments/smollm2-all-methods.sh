#!/usr/bin/env bash
# Issue #21's picture on the SmolLM2-135M shape: every method on one SYNTHETIC model (random weights at the real
# shapes: hidden 576, intermediate 1536, 30 layers, vocab 49152), exact bits/weight, KL to the uncompressed model
# and top-1 agreement on held-out TinyStories, then decode/prefill tokens/s and memory, then the report charts.
#   tools/experiments/smollm2-all-methods.sh [quality|speed|report|all] [OUT_DIR]   (default: all, /work/smol)
# Phases (each skips what is already done, so any phase can be rerun after an interruption):
#   quality  synth the model if OUT/base is missing (`synth --preset smollm2-135m --dtype bf16`), compress with
#            every method (order: the settings list) and evaluate each (tinystories_ppl with KL against the base,
#            --no-deployment: speed taken on a loaded machine is worthless); hours on a loaded 2-core machine,
#            CALDERA and QuIP# dominate. Perplexity of a random model means nothing; it is stored anyway.
#   speed    `deployment` (prefill 64 + decode 32 tokens, median of 3, memory) for the base and every compressed
#            file, stored in the same results database; run it on an IDLE machine: this is the phase the
#            decode-speed chart reads. Re-measures every time it runs (later records replace earlier ones).
#   report   `report --all` into OUT/report (charts/*.png: KL vs bits/weight, KL vs decode tokens/s, ...).
# Group size 64 for RTN/GPTQ/AWQ: the largest power of two dividing both row widths (576 = 9·64, 1536 = 24·64;
# 128 does not divide 576), so no group straddles a row. Calibration: CALIB_SEQS × CALIB_LEN (16 × 128) tokens of
# TinyStories validation stories 1000-2999 (OUT/text/calib.txt), disjoint from the evaluated first LIMIT stories;
# 2,048 tokens, more than the widest input (1536), so every H is full rank; small because each calibrating method
# runs the whole model over them and the loaded machine ran it at tens of tokens/s.
# K-quants: only ffn_down (1536 columns) has rows that are whole 256-value super-blocks; the 576-column tensors
# fall back as llama-quantize de3ff81 does (Q2_K/Q3_K→Q4_0, Q4_K→Q5_0, Q5_K→Q5_1, Q6_K→Q8_0); exact bits show it.
# SeedLM: OUT/seedlm4 and OUT/seedlm3 (or .safetensors) are used when they exist; a SeedLM compression whose
# OUT/seedlmN.work folder exists is taken as running elsewhere (or interrupted: rerun its compress to resume).
# Environment: WORKBENCH (launcher, default this checkout's tools/workbench), LIMIT (evaluated stories, 10),
# CALIB_SEQS, CALIB_LEN, NICE (nice level, 10), WORKBENCH_HOME (workspace, default OUT/home), ONLY (names of the
# settings to do, e.g. "q2_k q6_k": a second instance on other settings uses the CPU share a loaded machine leaves).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="${WORKBENCH_DATA:-$root/../shared}"
phase="${1:-all}"
out="${2:-/work/smol}"
wb=(nice -n "${NICE:-10}" "${WORKBENCH:-$root/tools/workbench}")
limit="${LIMIT:-10}"
model="$out/base"
db="$out/results.db"
label=smollm2-135m-synthetic
: "${WORKBENCH_HOME:=$out/home}"; export WORKBENCH_HOME
mkdir -p "$out/text" "$out/eval" "$out/logs" "$WORKBENCH_HOME"
log() { echo "$(date -u +%FT%TZ) $*"; }

calib="$out/text/calib.txt"
calib_opts=(--calib "$calib" --calib-seqs "${CALIB_SEQS:-16}" --calib-len "${CALIB_LEN:-128}" --calib-cache "$out/hessian-cache")
# name, then compress options, in the order of the quality phase: on a loaded machine every evaluation costs
# minutes, so one point of each cheap method comes before the rest of the K-quant ladder; CALDERA and QuIP# last
settings=(
  "rtn-4b-g64|--method rtn --bits 4 --group 64"
  "rtn-3b-g64|--method rtn --bits 3 --group 64"
  "q4_k_m|--method kquant --type Q4_K_M"
  "gptq-4b-g64|--method gptq --bits 4 --group 64 CALIB"
  "gptq-3b-g64|--method gptq --bits 3 --group 64 CALIB"
  "awq-4b-g64|--method awq --bits 4 --group 64 CALIB"
  "awq-3b-g64|--method awq --bits 3 --group 64 CALIB"
  "q2_k|--method kquant --type Q2_K"
  "q6_k|--method kquant --type Q6_K"
  "q3_k_m|--method kquant --type Q3_K_M"
  "q5_k_m|--method kquant --type Q5_K_M"
  "seedlm4|--method seedlm --bits 4"
  "seedlm3|--method seedlm --bits 3"
  "quip-sharp-2b|--method quip-sharp CALIB"
  "caldera-r16|--method caldera --q-bits 2 --lr-bits 4 --outer-iters 5 --inner-iters 10 --rank 16 CALIB"
  "caldera-r64|--method caldera --q-bits 2 --lr-bits 4 --outer-iters 5 --inner-iters 10 --rank 64 CALIB"
)

file_of() { # the compressed file of a setting: SeedLM's may have been written without the extension
  if [ -f "$out/$1" ]; then echo "$out/$1"; else echo "$out/$1.safetensors"; fi
}

quality() {
  if [ ! -f "$model/model.safetensors" ]; then
    log "synth $model"; "${wb[@]}" synth --preset smollm2-135m --dtype bf16 --out "$model" > "$out/logs/synth.log" 2>&1
  fi
  [ -f "$calib" ] || /usr/bin/python3 - "$data/datasets/tinystories/tinystories_val_subset.txt" "$calib" <<'PY'
import sys, pathlib
docs = [d for d in open(sys.argv[1], encoding="utf-8").read().split("\n\n") if d.strip()]
pathlib.Path(sys.argv[2]).write_text("\n\n".join(docs[1000:3000]) + "\n", encoding="utf-8")
PY
  evaluate "$model" base
  for s in "${settings[@]}"; do
    local name="${s%%|*}" opts="${s#*|}" f
    [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $name "* ]] || continue
    f="$(file_of "$name")"
    if [ ! -f "$f" ]; then
      if [[ "$name" == seedlm* ]] && [ -d "$out/$name.work" ]; then
        log "$name: $out/$name.work exists (compressing elsewhere or interrupted): skipped"; continue
      fi
      # shellcheck disable=SC2206 # the options are words
      local args=(${opts/CALIB/})
      [[ "$opts" == *CALIB* ]] && args+=("${calib_opts[@]}")
      log "compress $name"
      if ! /usr/bin/time -v "${wb[@]}" compress "${args[@]}" --model "$model" --out "$f" --db "$db" \
        > "$out/logs/compress-$name.log" 2>&1; then
        log "$name: compression FAILED (see $out/logs/compress-$name.log)"; continue
      fi
    fi
    evaluate "$f" "$name"
  done
}

evaluate() { # model file, name; compressed models with fidelity (KL, top-1 agreement) against the base
  [ -f "$out/eval/$2/results.json" ] && return 0
  local base=(); [ "$1" = "$model" ] || base=(--base "$model")
  log "eval $2"
  # Every model scored on dense weights (decoded once at load): the code path is part of a run's protocol, so
  # on-the-fly RTN/GPTQ/AWQ beside dense K-quants would be series that the charts refuse to compare; it is also
  # the faster path for scoring. The speed phase measures each method as inference runs it (no override there).
  WORKBENCH_JAVA_OPTS="${WORKBENCH_JAVA_OPTS:-} -Dworkbench.onTheFly=false" "${wb[@]}" eval --model "$1" "${base[@]}" --tasks tinystories_ppl --data "$data/datasets" --limit "$limit" \
    --db "$db" --out "$out/eval/$2" --label "$label" --no-deployment > "$out/logs/eval-$2.log" 2>&1 ||
    log "$2: evaluation FAILED (see $out/logs/eval-$2.log)"
}

speed() {
  local files=("$model") s f
  for s in "${settings[@]}"; do f="$(file_of "${s%%|*}")"; [ -f "$f" ] && files+=("$f"); done
  log "deployment of ${#files[@]} models; load: $(uptime)"
  for f in "${files[@]}"; do
    "${wb[@]}" deployment --model "$f" --db "$db" 2>&1 | tee -a "$out/logs/deployment.log" | grep -v '^WARNING' || true
  done
  log "done; load: $(uptime)"
}

report() {
  "${wb[@]}" report --all --db "$db" --out "$out/report" --title "All methods on the SmolLM2-135M shape (SYNTHETIC)" \
    > "$out/logs/report.log" 2>&1
  log "report: $out/report/report.html"
}

case "$phase" in
  quality) quality ;;
  speed) speed ;;
  report) report ;;
  all) quality; speed; report ;;
  *) echo "phase: quality, speed, report or all" >&2; exit 2 ;;
esac
