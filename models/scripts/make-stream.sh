#!/bin/sh
# Adds the streaming model (issue 18) to packs/parley-base-v1 (fixed seeds; docs/model-card.md, "Streaming model"):
#   1. python3 -m parley stream-train: the pack's audio encoder and denoiser fine-tuned on 4-frame windows that
#      hop by 2 frames, hearing up to 2 s of the line before and nothing after the window (80 ms lookahead);
#   2. evaluate: the stream model beside the pack's full windows, on held-out TTS voices and the real voices;
#   3. export --from-pack --stream: the three stream graphs, the manifest's stream section, golden vectors.
#
#   models/scripts/make-stream.sh CORPUS_DIR REALVOICE_DIR [RUNS_DIR]
#
# CORPUS_DIR: python3 -m parley corpus --preset full --out CORPUS_DIR --seed 0 (docs/corpus.md).
# REALVOICE_DIR: python3 -m parley realvoice --out REALVOICE_DIR (docs/real-voices.md).
# RUNS_DIR (default runs/stream): checkpoints, logs and the evaluations. Training resumes from its last
# checkpoint (every 100 steps) when run again; a finished run is not repeated. STEPS overrides the length.
set -eu
cd "$(dirname "$0")/.."
CORPUS=${1:?usage: make-stream.sh CORPUS_DIR REALVOICE_DIR [RUNS_DIR]}
REAL=${2:?usage: make-stream.sh CORPUS_DIR REALVOICE_DIR [RUNS_DIR]}
RUNS=${3:-runs/stream}
PY=/usr/bin/python3
STEPS=${STEPS:-700}

$PY -m parley stream-train --pack packs/parley-base-v1 --data "$CORPUS" --out "$RUNS" --steps "$STEPS" \
  --threads 1 --checkpoint-every 100
# Held-out TTS voices and the real voices side by side, one thread each; the pack's full windows are scored
# in the same runs (the first method rows), so every comparison is on the same clips and seeds.
$PY -m parley evaluate --pack packs/parley-base-v1 --data "$CORPUS" --splits heldout --clips 24 --samples 3 \
  --steps 10 --reference-clips 0 --stream "$RUNS/last.pt" --out "$RUNS/heldout.json" > "$RUNS/heldout.log" &
$PY -m parley evaluate --pack packs/parley-base-v1 --data "$CORPUS" --splits --real-voices "$REAL" \
  --real-split dev eval independent --probe-clips 0 --stream "$RUNS/last.pt" --out "$RUNS/real.json" \
  > "$RUNS/real.log" &
wait
$PY -m parley export --from-pack packs/parley-base-v1 --stream "$RUNS/last.pt" --out packs/parley-base-v1 \
  --pack-version 1.6.0
