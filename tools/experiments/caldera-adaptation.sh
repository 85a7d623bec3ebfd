#!/usr/bin/env bash
# Issue #18 §3: CALDERA on stories260K, ranks 8 and 16 (2-bit Q, 4-bit factors), ft_rank 0 / 4 / 8, before and
# after low-rank adaptation; perplexity (TinyStories, WikiText-2) and zero-shot accuracy (PIQA, HellaSwag,
# ARC-Easy), all stored in one results database; ends with `report` (tables and charts).
#   tools/experiments/caldera-adaptation.sh [OUT_DIR]        (default /tmp/caldera-adaptation)
# Fine-tuning: finetune's defaults on the first 320 training blocks of 128 tokens (2 epochs, 640 steps: minutes).
# Text: calibration and fine-tuning use TinyStories validation stories 1000-2999, the fine-tuning held-out loss
# stories 3000-3199, and the evaluation the first 200 stories (tinystories_ppl --limit 200): three disjoint sets.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="${WORKBENCH_DATA:-$root/../shared}"
out="${1:-/tmp/caldera-adaptation}"
wb="$root/tools/workbench"
model="$data/models/stories260K/stories260K.bin"
db="$out/results.db"
mkdir -p "$out/text"
/usr/bin/python3 - "$data/datasets/tinystories/tinystories_val_subset.txt" "$out/text" <<'PY'
import sys, pathlib
docs = [d for d in open(sys.argv[1], encoding="utf-8").read().split("\n\n") if d.strip()]
out = pathlib.Path(sys.argv[2])
(out / "train.txt").write_text("\n\n".join(docs[1000:3000]) + "\n", encoding="utf-8")
(out / "heldout.txt").write_text("\n\n".join(docs[3000:3200]) + "\n", encoding="utf-8")
PY
tasks=tinystories_ppl,wikitext2_ppl,piqa,hellaswag,arc_easy
evaluate() { # model file, label; compressed models with fidelity (KL, flips) against the base
  local base=(); [ "$1" = "$model" ] || base=(--base "$model")
  "$wb" eval --model "$1" "${base[@]}" --tasks "$tasks" --data "$data/datasets" --limit 200 --db "$db" \
    --out "$out/eval-$2" --label stories260K > "$out/eval-$2.log" 2>&1
}
echo "$(date -u +%FT%TZ) base"; evaluate "$model" base
for rank in 8 16; do
  for ft in 0 4 8; do
    f="$out/caldera-r$rank-ft$ft.safetensors"
    echo "$(date -u +%FT%TZ) compress rank $rank ft_rank $ft"
    [ -f "$f" ] || "$wb" compress --method caldera --q-bits 2 --lr-bits 4 --rank "$rank" --ft-rank "$ft" \
      --calib "$out/text/train.txt" --calib-seqs 32 --calib-len 256 --model "$model" --out "$f" --db "$db" \
      > "$out/compress-r$rank-ft$ft.log" 2>&1
    evaluate "$f" "r$rank-ft$ft"
    if [ "$ft" -gt 0 ]; then
      a="$out/caldera-r$rank-ft$ft-adapted.safetensors"
      echo "$(date -u +%FT%TZ) finetune rank $rank ft_rank $ft"
      /usr/bin/time -v "$wb" finetune --model "$f" --train "$out/text/train.txt" --train-blocks 320 --heldout "$out/text/heldout.txt" \
        --out "$a" > "$out/finetune-r$rank-ft$ft.log" 2>&1
      evaluate "$a" "r$rank-ft$ft-adapted"
    fi
  done
done
"$wb" report --all --db "$db" --out "$out/report" > "$out/report.log" 2>&1
echo "$(date -u +%FT%TZ) done: $out/report"
