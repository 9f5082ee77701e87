"""The semantic-aware pose style matrix, and retrieval of the nearest training style.

For a take (one or more clips of one speaker) the matrix M [9, 7] pairs pose rows with speech columns
over the take's frames t (all clips pooled; velocities within a clip):

pose rows r (degrees, or degrees per second for velocities):
    0-2  the angle a_r(t): pitch, yaw, roll
    3-5  its deviation from the take's mean pose, |a_r(t) - mean(a_r)|
    6-8  its speed, |a_r(t) - a_r(t-1)| * 25 (the first frame of a clip repeats the second's)

speech columns c, each per frame:
    0  one: M[r, 0] is the row's mean (mean pose, mean absolute deviation, mean speed)
    1  loudness: frame energy (dB re the clip's loudest frame, floored 50 dB below), z-scored within the clip
    2  pitch: log F0 (YIN, parley.corpus.prosody) z-scored over the clip's voiced frames, 0 where unvoiced
    3  onset: the rise of the frame energy (dB, clipped at 0), z-scored within the clip
    4  pause: 1 on silence phones
    5  vowel: 1 on vowel phones
    6  consonant: 1 on consonant phones

    M[r, 0] = mean_t p_r(t)
    M[r, c] = mean_t (p_r(t) - M[r, 0]) s_c(t)                 c = 1, 2, 3: covariance with a z-scored feature
    M[r, c] = mean_{t: s_c(t)=1} p_r(t) - M[r, 0]              c = 4, 5, 6: the class's offset from the mean

so a style says where the head rests, how far and how fast it moves, and how that motion follows the
loudness, the pitch, the onsets, and the pauses, vowels and consonants (the "semantic" part). A class
with no frame in the take contributes 0. Without phones (a take with no alignment) the pause column comes
from the energy (frames more than 40 dB below the clip's peak) and the vowel and consonant columns are 0.

Retrieval: each entry is divided by its spread between takes of one speaker (the bank's ``scale``: from the
two halves of each training speaker's clips, :func:`speaker_matrices`), so that entries a short take measures
reliably weigh more, and the nearest training style in Euclidean distance is the take's.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from parley.corpus.phones import PHONES, SIL, VOWELS
from parley.layout import MOTION_FPS, SAMPLE_RATE

from .data import POSE_NAMES, PoseClip

SPEECH_NAMES = ("one", "loudness", "pitch", "onset", "pause", "vowel", "consonant")
ROW_NAMES = tuple(f"{n} {kind}" for kind in ("angle", "deviation", "speed") for n in POSE_NAMES)
_VOWEL = np.array([p in VOWELS for p in PHONES])
_SILENCE = np.array([p == SIL for p in PHONES])
_FLOOR_DB = 50.0


def _z(x: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
    sel = x if where is None else x[where]
    if sel.size < 2 or sel.std() < 1e-6:
        return np.zeros_like(x)
    out = (x - sel.mean()) / sel.std()
    return out if where is None else np.where(where, out, 0.0)


def speech_columns(clip: PoseClip) -> np.ndarray:
    """The speech columns s [T, 7] of one clip (module docstring)."""
    from parley.corpus import prosody
    from parley.model.evaluate import frame_energy_db

    n = clip.frames
    e = frame_energy_db(clip.pcm, n)
    e = np.maximum(e, e.max() - _FLOOR_DB)
    f0, _ = prosody.analyse(clip.pcm, SAMPLE_RATE).at_fps(MOTION_FPS, n)
    voiced = f0 > 0
    logf0 = np.log(np.maximum(f0, 1.0))
    s = np.zeros((n, len(SPEECH_NAMES)))
    s[:, 0] = 1.0
    s[:, 1] = _z(e)
    s[:, 2] = _z(logf0, voiced)
    s[:, 3] = _z(np.maximum(np.diff(e, prepend=e[0]), 0.0))
    if clip.phones is not None:
        s[:, 4] = _SILENCE[clip.phones]
        s[:, 5] = _VOWEL[clip.phones]
        s[:, 6] = ~(_SILENCE | _VOWEL)[clip.phones]
    else:
        s[:, 4] = e < e.max() - 40.0
    return s


def pose_rows(clip: PoseClip) -> np.ndarray:
    """Angles and speeds [T, 6] of one clip in degrees (per second for speeds); deviations need the take."""
    a = np.degrees(clip.pose.astype(np.float64))
    v = np.abs(np.diff(a, axis=0)) * MOTION_FPS
    v = np.concatenate([v[:1], v]) if len(v) else np.zeros_like(a)
    return np.concatenate([a, v], axis=1)


def clip_parts(clip: PoseClip) -> tuple[np.ndarray, np.ndarray]:
    """(pose rows [T, 6], speech columns [T, 7]) of one clip: what its share of a style matrix needs."""
    return pose_rows(clip), speech_columns(clip)


def matrix_of(parts: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """The style matrix [9, 7] of a take from its clips' :func:`clip_parts`."""
    if not parts:
        raise ValueError("a style matrix needs at least one clip")
    rows = np.concatenate([r for r, _ in parts])
    speech = np.concatenate([s for _, s in parts])
    angles = rows[:, :3]
    p = np.concatenate([angles, np.abs(angles - angles.mean(0)), rows[:, 3:]], axis=1)  # [T, 9]
    mean = p.mean(0)
    m = np.zeros((p.shape[1], len(SPEECH_NAMES)))
    m[:, 0] = mean
    for c in (1, 2, 3):
        m[:, c] = ((p - mean) * speech[:, c:c + 1]).mean(0)
    for c in (4, 5, 6):
        sel = speech[:, c] > 0.5
        m[:, c] = p[sel].mean(0) - mean if sel.any() else 0.0
    return m.astype(np.float32)


def style_matrix(clips: list[PoseClip]) -> np.ndarray:
    """The take's semantic-aware pose style matrix [9, 7] (module docstring)."""
    return matrix_of([clip_parts(c) for c in clips])


@dataclass
class StyleBank:
    """The training styles' matrices, their names (one per one-hot slot of PoseGPT) and the per-entry
    scale that retrieval divides by."""

    names: list[str]
    matrices: np.ndarray  # float32 [S, 9, 7]
    scale: np.ndarray  # float32 [9, 7]

    @staticmethod
    def build(names: list[str], matrices: np.ndarray, spread: np.ndarray) -> StyleBank:
        """``spread`` [9, 7]: each entry's spread between takes of one speaker (the retrieval's scale)."""
        scale = np.where(spread > 1e-6, spread, 1.0).astype(np.float32)
        return StyleBank(list(names), np.asarray(matrices, np.float32), scale)

    def distances(self, matrix: np.ndarray) -> np.ndarray:
        """Distance [S] of a take's matrix to every training style."""
        d = (self.matrices - np.asarray(matrix, np.float32)[None]) / self.scale[None]
        return np.sqrt((d ** 2).sum((1, 2)))

    def retrieve(self, matrix: np.ndarray) -> int:
        """Index of the nearest training style."""
        return int(np.argmin(self.distances(matrix)))

    def to_json(self) -> dict:
        return {"rows": list(ROW_NAMES), "columns": list(SPEECH_NAMES), "names": self.names,
                "scale": np.round(self.scale, 6).tolist(), "matrices": np.round(self.matrices, 5).tolist()}

    @staticmethod
    def from_json(d: dict, source: str | Path = "style bank") -> StyleBank:
        m = np.asarray(d["matrices"], np.float32)
        shape = (len(ROW_NAMES), len(SPEECH_NAMES))
        if m.ndim != 3 or m.shape[1:] != shape or len(d["names"]) != len(m):
            raise ValueError(f"{source}: matrices: expected [{len(d['names'])}, {shape[0]}, {shape[1]}] "
                             f"but got {list(m.shape)}")
        return StyleBank(list(d["names"]), m, np.asarray(d["scale"], np.float32))

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json()) + "\n")


def speaker_matrices(clips: list[PoseClip]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(speakers sorted, one style matrix per speaker over all its clips [S, 9, 7], the within-speaker spread
    [9, 7]): the standard deviation over speakers with two clips or more of the difference between the
    matrices of the two halves of their clips, divided by sqrt(2) (the spread of one half-take's entry)."""
    by: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for c in clips:
        by.setdefault(c.speaker, []).append(clip_parts(c))
    names = sorted(by)
    halves = [matrix_of(by[s][: len(by[s]) // 2]) - matrix_of(by[s][len(by[s]) // 2:])
              for s in names if len(by[s]) >= 2]
    spread = np.std(halves, axis=0) / np.sqrt(2.0) if len(halves) >= 2 else np.ones((len(ROW_NAMES), len(SPEECH_NAMES)))
    return names, np.stack([matrix_of(by[s]) for s in names]), spread
