#!/bin/sh
# Regenerates pack 2.0 of packs/parley-base-v1 from a built corpus (fixed seeds; docs/model-card.md):
# pack 1.3.0's weights (make-pack.sh's recipe, read back from the pack committed at BASE_COMMIT), then
#   0. the real-voice dataset (docs/real-voices.md): its dev lines join the phone pretraining;
#   1. the audio encoder pretrained as a frame-level phone recogniser on randomised audio (speed up to
#      1.5x, SpecAugment) with a quarter of its windows from the real dev lines;
#   2. the denoiser and the encoder trained on from there with the 2.0 window recipe (randomised audio,
#      tight line starts, windows that end in scored silence) and a stronger phone loss; the
#      regression baseline ("w/o diffusion") trained the same way beside it, from the same weights;
#      with FROZEN_STEPS=N both then train N steps more with the audio encoder frozen (2b);
#   3. one side-by-side evaluation (held-out TTS and real voices, docs/real-voices.md) against 1.3.0;
#   4. export as 2.0.0, with the evaluation as its metrics.json.
#
#   models/scripts/make-pack-2.sh CORPUS_DIR [RUNS_DIR]
#
# CORPUS_DIR: python3 -m parley corpus --preset full --out CORPUS_DIR --seed 0 (docs/corpus.md).
# RUNS_DIR (default models/runs/v3): checkpoints and training logs. Every phase resumes: run the same
# command again after an interruption and each phase continues from its last checkpoint (every 100
# steps, bit for bit on the same CPU) or is skipped where it is complete.
# Every training runs on one thread, the main model and the regression side by side. TRAIN_ONLY=1 stops
# after the training phases (nothing exported or evaluated); PHONE_STEPS and STEPS override the lengths,
# PITCH_MAX (cents, default 0: off) gives half the randomised windows a constant-tempo pitch shift.
# EXPORT=1 writes pack 2.0.0 after the evaluation (only once it beats 1.3.0:
# docs/model-card.md). The runs of 2026-12-05 (runs/v2, runs/v2b: no real lines, no SpecAugment, speed
# up to 1.18x, 800 denoiser steps) are this script at commit 4b68b4b.
set -eu
cd "$(dirname "$0")/.."
CORPUS=${1:?usage: make-pack-2.sh CORPUS_DIR [RUNS_DIR]}
RUNS=${2:-runs/v3}
PY=/usr/bin/python3
BASE_COMMIT=d98e64d  # pack 1.3.0 (make-pack.sh)
PHONE_STEPS=${PHONE_STEPS:-600}
STEPS=${STEPS:-400}
PITCH_MAX=${PITCH_MAX:-0}  # cents; the pitch run of 2026-12-06 (runs/v4): PHONE_STEPS=3000 PITCH_MAX=1100
FROZEN_STEPS=${FROZEN_STEPS:-0}  # the frozen-encoder run of session 7 (runs/v5): the pitch run + FROZEN_STEPS=1200
TRAIN="-m parley train --config base --dataset parley.model.data:train_split --data $CORPUS --threads 1
  --resume --checkpoint-every 100"
# The 2.0 window recipe (parley.model.randomise.WindowRecipe): 80% of windows through the random audio
# chain, 15% run past the line's end into silence, half of a line's first windows start on its first
# phone, truncated windows score their silence as rest; twice as many first windows as 1.x.
WINDOWS="--tail 0.15 --tight-start 0.5 --rest-truncation --first-window 0.2 --speed-max 1.5 --pitch-max $PITCH_MAX"
RECIPE="--randomise 0.8 $WINDOWS"
PHASE2="--steps $STEPS --lr 2e-4 --warmup 50 --bilabial-weight 5 --phone-weight 0.5 --seed 4 $RECIPE"

if [ ! -f "$RUNS/pack-1.3.0/manifest.json" ]; then
  mkdir -p "$RUNS/pack-1.3.0"
  git -C .. archive "$BASE_COMMIT" models/packs/parley-base-v1 | tar -x --strip-components=3 -C "$RUNS/pack-1.3.0"
fi
# 0. The real voices (pocketsphinx alignments, ~3.5 min); only the dev lines are trained on.
[ -f "$RUNS/realvoice/manifest.json" ] || $PY -m parley realvoice --out "$RUNS/realvoice"
# 1. Phone recogniser pretraining of the audio encoder (the denoiser waits).
$PY $TRAIN --init-pack "$RUNS/pack-1.3.0" --phone-steps $PHONE_STEPS --phone-lr 3e-4 --steps 0 $RECIPE --seed 3 \
  --spec-augment --phone-real "$RUNS/realvoice" --out "$RUNS/phones"
# 2. Main model (a quarter of each batch on its own sampler states, as phase 3 of 1.3.0) and the
#    regression baseline, side by side; then 1.3.0's weights as a checkpoint for the comparison (no
#    training: --steps 0; the dataset is not read, the pack brings its normalisation).
$PY $TRAIN --init-from "$RUNS/phones/last.pt" $PHASE2 --sampler-states 0.25 --out "$RUNS/main" &
MAIN=$!
( $PY $TRAIN --init-from "$RUNS/phones/last.pt" --regression $PHASE2 --out "$RUNS/regression" &&
  $PY -m parley train --config base --synthetic 1 --init-pack "$RUNS/pack-1.3.0" --steps 0 --resume \
    --out "$RUNS/pack-1.3.0-weights" ) &
OTHERS=$!
wait $MAIN
wait $OTHERS
MAIN_CKPT=$RUNS/main/last.pt
REGRESSION_CKPT=$RUNS/regression/last.pt
# 2b. Optional: the denoisers catch up with the encoder, which stays as phase 2 left it (1.3.0's phase-3
#     learning rate; the main model a quarter of each batch on its own sampler states, as in phase 2).
if [ "$FROZEN_STEPS" -gt 0 ]; then
  FROZEN="--freeze-audio --steps $FROZEN_STEPS --lr 1e-4 --warmup 20 --bilabial-weight 5 --phone-weight 0.5 --seed 5
    $RECIPE"
  $PY $TRAIN --init-from "$MAIN_CKPT" $FROZEN --sampler-states 0.25 --out "$RUNS/main-frozen" &
  MAIN=$!
  $PY $TRAIN --init-from "$REGRESSION_CKPT" --regression $FROZEN --out "$RUNS/regression-frozen" &
  OTHERS=$!
  wait $MAIN
  wait $OTHERS
  MAIN_CKPT=$RUNS/main-frozen/last.pt
  REGRESSION_CKPT=$RUNS/regression-frozen/last.pt
fi
[ "${TRAIN_ONLY:-0}" = 1 ] && exit 0

# 3. One side-by-side evaluation: 2.0 beside 1.3.0, the regression and the energy heuristic on the
#    test and held-out TTS voices, and beside the 1.3.0 pack on the real voices (dev and eval; linear phone
#    probes of both encoders); each part on its own thread, joined into metrics.json.
EVAL="$PY -m parley evaluate --checkpoint $MAIN_CKPT --data $CORPUS --threads 1"
$EVAL --splits test heldout --regression "$REGRESSION_CKPT" \
  --ablation "pack-1.3.0=$RUNS/pack-1.3.0-weights/last.pt" --clips 24 --samples 3 --steps 10 --reference-clips 0 \
  --images ../docs/images --out "$RUNS/metrics-heldout.json" &
HELDOUT=$!
$EVAL --splits --real-voices "$RUNS/realvoice" --real-split dev eval independent --baseline-pack "$RUNS/pack-1.3.0" \
  --clips 24 --samples 3 --reference-clips 0 --images ../docs/images --out "$RUNS/metrics-real.json" &
REAL=$!
wait $HELDOUT
wait $REAL
# 4. Pack 2.0.0 (only after the evaluation: the held-out and real-voice acceptance of docs/model-card.md).
[ "${EXPORT:-0}" = 1 ] || { echo "evaluated: $RUNS/metrics-heldout.json, $RUNS/metrics-real.json (EXPORT=1 writes 2.0.0)"; exit 0; }
$PY -m parley export --checkpoint "$MAIN_CKPT" --out packs/parley-base-v1 --pack-version 2.0.0
$PY -m parley evaluate --merge "$RUNS/metrics-heldout.json" "$RUNS/metrics-real.json" \
  --out packs/parley-base-v1/metrics.json
