"""Head-pose clips for the pose adapter: the neck's rotation of the motion layout, the speech, its phones.

A :class:`PoseClip` is what every part of the adapter reads: ``pose`` [T, 3] (the ``head`` slice of the
motion layout: axis-angle of the neck joint; x nods down (pitch), y turns left (yaw), z tilts (roll); the
angles are small, so the three components are the three angles in radians), ``pcm`` float32 16 kHz
(exactly T * 640 samples), ``phones`` [T] (corpus phone indices per frame, or None), ``speaker``, ``id``.
Audio features come from the pack's audio encoder, encoded window by window exactly as the runtime
feeds it (one ``window.current``-frame window per call, the last padded with silence).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from parley.corpus.dataset import Clip, Corpus, load_clip
from parley.layout import HEAD, SAMPLES_PER_FRAME

POSE_NAMES = ("pitch", "yaw", "roll")  # the neck's x, y, z axis-angle components (motion layout 'head')


@dataclass
class PoseClip:
    id: str
    speaker: str
    pcm: np.ndarray  # float32 [T * 640], 16 kHz
    pose: np.ndarray  # float32 [T, 3], radians
    phones: np.ndarray | None  # int64 [T] corpus phone indices, or None

    @property
    def frames(self) -> int:
        return len(self.pose)


def from_clip(clip: Clip) -> PoseClip:
    """A corpus clip's head pose, speech and phones."""
    pcm = np.asarray(clip.audio, np.float32)
    n = clip.n_frames
    pcm = np.pad(pcm, (0, max(0, n * SAMPLES_PER_FRAME - len(pcm))))[: n * SAMPLES_PER_FRAME]
    phones = None if clip.frame_phones is None else np.asarray(clip.frame_phones, np.int64)
    return PoseClip(clip.id, clip.speaker, pcm, np.asarray(clip.motion[:, HEAD], np.float32), phones)


def speaker_clip_ids(corpus: Corpus, split: str) -> dict[str, list[str]]:
    """Clip ids of each speaker of a split (sorted ids), speakers sorted."""
    out: dict[str, list[str]] = {}
    for c in corpus.manifest["clips"]:
        if c["split"] == split:
            out.setdefault(c["speaker"], []).append(c["id"])
    return {s: sorted(v) for s, v in sorted(out.items())}


def load_split(root: Path, split: str, per_speaker: int, skip: int = 0) -> list[PoseClip]:
    """Up to ``per_speaker`` clips of each speaker of a split (its sorted ids, after the first ``skip``)."""
    corpus = Corpus(root)
    return [from_clip(load_clip(corpus.path(cid)))
            for ids in speaker_clip_ids(corpus, split).values() for cid in ids[skip:skip + per_speaker]]


@torch.no_grad()
def audio_features(encoder: torch.nn.Module, pcm: np.ndarray, window: int) -> np.ndarray:
    """Audio features [T, Da] of one clip (T = len(pcm) / 640) as the runtime encodes them: one
    ``window``-frame window per call, the last padded with silence, frames past the audio dropped."""
    frames = len(pcm) // SAMPLES_PER_FRAME
    n = -(-frames // window)
    x = np.zeros(n * window * SAMPLES_PER_FRAME, np.float32)
    x[: len(pcm)] = pcm
    chunks = torch.from_numpy(x).reshape(n, window * SAMPLES_PER_FRAME)
    return encoder(chunks).reshape(n * window, -1)[:frames].numpy().astype(np.float32)
