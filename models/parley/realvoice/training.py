"""Real-voice lines as phone-recogniser training windows: the ``dev`` split only (docs/real-voices.md).

The lines have words and phones (pocketsphinx alignments) but no motion, so they only ever train the
audio encoder's phone pretraining (``python3 -m parley train --phone-real DIR``), never the denoiser.
``eval`` and ``independent`` lines are refused here, so they stay unheard.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from parley.corpus.phones import SIL
from parley.layout import MOTION_DIM

from .dataset import RealVoices

TRAIN_SPLIT = "dev"


class RealPhoneLines:
    """The dev lines of a real-voice dataset as items shaped like ``CorpusDataset``'s (zero motion)."""

    def __init__(self, root: str | Path) -> None:
        clips = RealVoices(root).clips(TRAIN_SPLIT)
        if not clips:
            raise ValueError(f"{root}: no '{TRAIN_SPLIT}' lines to train on")
        self.items: list[dict[str, Any]] = []
        for c in clips:
            if c.split != TRAIN_SPLIT:  # the manifest and the clip disagree: never train on it
                raise ValueError(f"{root}: clip {c.id} is in split '{c.split}', expected '{TRAIN_SPLIT}'")
            frames = c.n_frames
            self.items.append({
                "id": c.id, "speaker": c.pack,
                "pcm16": np.clip(np.round(c.audio * 32768.0), -32768, 32767).astype(np.int16),
                "motion": np.zeros((frames, MOTION_DIM), np.float32),
                "shape": np.asarray(c.beta, np.float32),
                "phones": c.frame_phones(),
                "onset": next((p.start for p in c.phones if p.phone != SIL), 0.0),
                "rest": np.zeros(MOTION_DIM, np.float32),
                "match": 0.0,  # no teacher matching: the teacher is the encoder that mishears these
            })

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> dict[str, Any]:
        it = self.items[index]
        return {**it, "pcm": it["pcm16"].astype(np.float32) / 32768.0}


class PhoneMix:
    """A corpus dataset with real lines mixed in: a uniform draw over ``len(self)`` hits a real line
    with probability ``share`` (the real lines repeat to fill their part)."""

    def __init__(self, corpus, real: RealPhoneLines, share: float) -> None:
        if not 0.0 < share < 1.0:
            raise ValueError(f"share must be in (0, 1) but got {share}")
        self.corpus, self.real, self.share = corpus, real, share
        self._extra = max(1, int(round(share / (1.0 - share) * len(corpus))))

    def __len__(self) -> int:
        return len(self.corpus) + self._extra

    def __getitem__(self, index: int) -> dict[str, Any]:
        n = len(self.corpus)
        return self.corpus[index] if index < n else self.real[(index - n) % len(self.real)]
