#!/bin/sh
# Regenerates the committed default pack packs/parley-base-v1 from a built corpus (fixed seeds):
# trains the style encoder and the main model (three phases), the regression baseline (the same
# phases) and the ablations of the model card, exports the pack (ONNX graphs, manifest, golden
# vectors) and evaluates it (metrics.json, plots in docs/images).
#
#   models/scripts/make-pack.sh CORPUS_DIR [RUNS_DIR]
#
# CORPUS_DIR: python3 -m parley corpus --preset full --out CORPUS_DIR --seed 0 (docs/corpus.md).
# RUNS_DIR (default models/runs): checkpoints and training logs.
# Every training runs on one thread, the main model and the regression baseline side by side. On the
# 2-core development machine the main model's three phases took 35 + 22 + 16 minutes of wall time
# beside the regression (phases 1 and 2: 28 + 13 alone), and the evaluation about 25
# (docs/model-card.md). Same seeds, same numbers on the same CPU; other CPUs differ in the last
# float bits, which training amplifies, so there the metrics agree only roughly.
set -eu
cd "$(dirname "$0")/.."
CORPUS=${1:?usage: make-pack.sh CORPUS_DIR [RUNS_DIR]}
RUNS=${2:-runs}
PY=/usr/bin/python3
TRAIN="-m parley train --config base --dataset parley.model.data:train_split --data $CORPUS --threads 1"
# Phase 1: style encoder (NT-Xent), then denoiser + audio encoder; phase 2 from phase 1's weights
# with p/b/m frames weighing 5x in the simple and vertex losses and a lower peak learning rate.
PHASE1_STEPS=1800
PHASE2="--steps 1200 --lr 2e-4 --warmup 50 --bilabial-weight 5 --seed 1 --checkpoint-every 200"
# Phase 3 from phase 2's weights: half of each batch learns from the model's own 10-step DDIM states
# (sampler-state training, docs/model-card.md). The regression has no sampler: it just trains on.
PHASE3="--steps 600 --lr 1e-4 --warmup 20 --bilabial-weight 5 --seed 2 --checkpoint-every 200"
# The regression baseline ("w/o diffusion") trains beside the main model (one thread each) with the
# same style encoder, steps and phases; it starts once the style encoder is written.
rm -f "$RUNS/base/style.pt"
( $PY $TRAIN --seed 0 --style-steps 300 --steps $PHASE1_STEPS --checkpoint-every 200 --out "$RUNS/base" &&
  $PY $TRAIN --init-from "$RUNS/base/last.pt" $PHASE2 --out "$RUNS/base-b" &&
  $PY $TRAIN --init-from "$RUNS/base-b/last.pt" $PHASE3 --sampler-states 0.5 --out "$RUNS/base-c" ) &
MAIN=$!
while [ ! -f "$RUNS/base/style.pt" ]; do
  kill -0 $MAIN 2>/dev/null || { wait $MAIN; exit 1; }
  sleep 5
done
( $PY $TRAIN --seed 0 --init-style "$RUNS/base/style.pt" --regression --steps $PHASE1_STEPS --checkpoint-every 200 \
    --out "$RUNS/regression" &&
  $PY $TRAIN --init-from "$RUNS/regression/last.pt" --regression $PHASE2 --out "$RUNS/regression-b" &&
  $PY $TRAIN --init-from "$RUNS/regression-b/last.pt" --regression $PHASE3 --out "$RUNS/regression-c" ) &
REGRESSION=$!
wait $MAIN
wait $REGRESSION
# Ablations: 400 steps of phase 1's schedule, compared with phase 1's own checkpoint at step 400.
for ablation in no-style no-align; do
  $PY $TRAIN --seed 0 --init-style "$RUNS/base/style.pt" --$ablation --steps 400 --schedule-steps $PHASE1_STEPS \
    --out "$RUNS/$ablation" &
done
wait

$PY -m parley export --checkpoint "$RUNS/base-c/last.pt" --out packs/parley-base-v1 --pack-version 1.3.0
# Evaluation: each split on its own thread, side by side (a split samples with its own seeds, so the
# numbers are those of one run over both), then joined into metrics.json.
EVAL="$PY -m parley evaluate --checkpoint $RUNS/base-c/last.pt --data $CORPUS --threads 1"
evaluate_split() {  # SPLIT [--images DIR]
  out="$RUNS/metrics-$1.json"
  $EVAL --splits "$@" --regression "$RUNS/regression-c/last.pt" \
    --ablation "parley-400-steps=$RUNS/base/step-000400.pt" --ablation "parley-phase-1=$RUNS/base/last.pt" \
    --ablation "parley-phase-2=$RUNS/base-b/last.pt" \
    --clips 24 --samples 3 --steps 5 10 25 --reference-clips 8 --guidance 1.5 1.5 --out "$out" &&
  # Few-step vs reference sampler with guidance off, then the two short ablations.
  $EVAL --splits "$1" --add --clips 24 --reference-clips 8 --compare-samplers 1.0 1.0 --out "$out" &&
  $EVAL --splits "$1" --add --clips 24 --samples 3 \
    --ablation "no-style=$RUNS/no-style/last.pt" --ablation "no-align=$RUNS/no-align/last.pt" --out "$out"
}
evaluate_split test & TEST=$!
evaluate_split heldout --images ../docs/images & HELDOUT=$!
wait $TEST
wait $HELDOUT
$PY -m parley evaluate --merge "$RUNS/metrics-test.json" "$RUNS/metrics-heldout.json" --out packs/parley-base-v1/metrics.json
