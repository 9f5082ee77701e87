"""The corpus as a training dataset (the ``MotionDataset`` protocol of ``parley.model.train``).

    python3 -m parley train --dataset parley.model.data:train_split --data ../corpus/full ...

Every clip of a split is read once into memory (audio kept as int16: 8 h of speech is about 0.9 GB)
and handed out as the dict the training windows are cut from: ``pcm`` float32 16 kHz, ``motion``
[T, 56] raw, ``shape`` (the speaker's beta), ``phones`` [T] (the corpus's frame phone labels, index
into the corpus phone set, used by the auxiliary phone loss), ``onset`` (seconds: the first phone
after the lead-in silence), ``rest`` (the speaker's face in silence, :func:`rest_motion`), ``speaker``
and ``id``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from parley.corpus.dataset import Corpus, load_clip
from parley.corpus.phones import SIL, PhoneSeg


def rest_motion(style: np.ndarray, frames: int = 25) -> np.ndarray:
    """The corpus generator's face in silence for a speaker style (float32 [56], the mean over ``frames``
    of silence with a fixed seed): the relaxed opening that a line's trailing silence relaxes to."""
    from parley.corpus import motion, prosody
    from parley.corpus.style import Style
    from parley.layout import MOTION_FPS, SAMPLE_RATE, SAMPLES_PER_FRAME

    quiet = prosody.analyse(np.zeros(frames * SAMPLES_PER_FRAME, np.float32), SAMPLE_RATE)
    m, _ = motion.generate([PhoneSeg(SIL, 0.0, frames / MOTION_FPS)], quiet, frames, Style.from_vector(style),
                           np.random.default_rng(0))
    return np.asarray(m, np.float32).mean(0)


class CorpusDataset:
    """Clips of one or more splits of a built corpus, in memory."""

    def __init__(self, root: str | Path, splits: tuple[str, ...] | str = ("train",), max_clips: int = 0):
        self.root = Path(root)
        self.corpus = Corpus(root)
        splits = (splits,) if isinstance(splits, str) else tuple(splits)
        ids = [cid for s in splits for cid in self.corpus.clip_ids(s)]
        if max_clips:
            ids = ids[:max_clips]
        if not ids:
            raise ValueError(f"{root}: no clips in split(s) {', '.join(splits)}")
        self.items: list[dict[str, Any]] = []
        rests: dict[bytes, np.ndarray] = {}  # one per speaker style
        for cid in ids:
            clip = load_clip(self.corpus.path(cid))
            key = np.asarray(clip.style, np.float32).tobytes()
            if key not in rests:
                rests[key] = rest_motion(clip.style)
            self.items.append({
                "id": clip.id,
                "speaker": clip.speaker,
                "pcm16": np.clip(np.round(clip.audio * 32768.0), -32768, 32767).astype(np.int16),
                "motion": np.asarray(clip.motion, np.float32),
                "shape": np.asarray(clip.beta, np.float32),
                "phones": np.asarray(clip.frame_phones, np.int64),
                # Seconds where the first phone after the lead-in silence starts (tight line starts).
                "onset": next((p.start for p in clip.phones if p.phone != SIL), 0.0),
                "rest": rests[key],
            })
        self.speakers = sorted({it["speaker"] for it in self.items})

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> dict[str, Any]:
        it = self.items[index]
        return {**it, "pcm": it["pcm16"].astype(np.float32) / 32768.0}


def train_split(root: str) -> CorpusDataset:
    """``--dataset parley.model.data:train_split``: the corpus's train split."""
    return CorpusDataset(root, ("train",))
