#!/bin/sh
# Regenerates the committed default pack packs/parley-base-v1 from a built corpus, with seed 0:
# trains the style encoder and the main model, the baselines and ablations of the model card,
# exports the pack (ONNX graphs, manifest, golden vectors) and evaluates it (metrics.json, plots).
#
#   models/scripts/make-pack.sh CORPUS_DIR [RUNS_DIR]
#
# CORPUS_DIR: python3 -m parley corpus --preset full --out CORPUS_DIR --seed 0 (docs/corpus.md).
# RUNS_DIR (default models/runs): checkpoints and training logs.
# Each training runs on one thread; on a 2-core machine shared with other jobs the main model took
# about an hour of wall time (docs/model-card.md). Same seed, same numbers on the same CPU; other
# CPUs differ in the last float bits, which training amplifies, so metrics agree only roughly there.
set -eu
cd "$(dirname "$0")/.."
CORPUS=${1:?usage: make-pack.sh CORPUS_DIR [RUNS_DIR]}
RUNS=${2:-runs}
PY=/usr/bin/python3
TRAIN="-m parley train --config base --dataset parley.model.data:train_split --data $CORPUS --seed 0 --threads 1"
MAIN_STEPS=1600
ABLATION_STEPS=400

$PY $TRAIN --style-steps 300 --steps $MAIN_STEPS --checkpoint-every 200 --out "$RUNS/base"
$PY $TRAIN --init-style "$RUNS/base/style.pt" --regression --steps $MAIN_STEPS --checkpoint-every 200 --out "$RUNS/regression"
for ablation in no-style no-align; do
  $PY $TRAIN --init-style "$RUNS/base/style.pt" --$ablation --steps $ABLATION_STEPS --schedule-steps $MAIN_STEPS \
    --out "$RUNS/$ablation"
done
$PY -m parley export --checkpoint "$RUNS/base/last.pt" --out packs/parley-base-v1 --pack-version 1.0.0
$PY -m parley evaluate --checkpoint "$RUNS/base/last.pt" --data "$CORPUS" --regression "$RUNS/regression/last.pt" \
  --ablation "parley-$ABLATION_STEPS-steps=$RUNS/base/step-000$ABLATION_STEPS.pt" \
  --ablation "no-style=$RUNS/no-style/last.pt" --ablation "no-align=$RUNS/no-align/last.pt" \
  --out packs/parley-base-v1/metrics.json --images ../docs/images
