"""The per-frame motion vector and the audio framing, declared once for every Python module.

The head spec (:mod:`parley.head.spec`) and the pack manifest (:mod:`parley.model.export`) write
:func:`layout_json` into JSON, which Java's ``dev.parley.head.MotionLayout`` reads; the corpus, the model,
training and evaluation index motion vectors only through the names below, and find bilabial frames through
:data:`BILABIAL_CODES`. ``tests/test_layout.py`` holds this module, the committed head spec and the
committed pack manifest together, so Python and Java cannot drift apart.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .corpus.phones import BILABIALS, PHONES
from .head.components import JOINT_NAMES, N_EXPRESSION, N_POSE

SAMPLE_RATE = 16000  # Hz, mono: the audio every model and corpus clip uses
MOTION_FPS = 25
SAMPLES_PER_FRAME = SAMPLE_RATE // MOTION_FPS  # 640: the hop from one motion frame to the next


@dataclass(frozen=True)
class MotionSlice:
    name: str
    offset: int
    size: int
    joint: str | None  # joint driven by an axis-angle slice, None for expression

    @property
    def slice(self) -> slice:
        return slice(self.offset, self.offset + self.size)


# The motion vector the models predict per frame at MOTION_FPS: expression weights, then axis-angle rotations.
MOTION_LAYOUT: tuple[MotionSlice, ...] = (
    MotionSlice("expression", 0, N_EXPRESSION, None),
    MotionSlice("jaw", N_EXPRESSION, 3, "jaw"),  # +x opens the mouth
    MotionSlice("head", N_EXPRESSION + 3, 3, "neck"),  # at the neck: +x nods down, +y turns left
)
MOTION_DIM = MOTION_LAYOUT[-1].offset + MOTION_LAYOUT[-1].size  # 56

SLICES: dict[str, slice] = {s.name: s.slice for s in MOTION_LAYOUT}
EXPRESSION = SLICES["expression"]
JAW = SLICES["jaw"]
HEAD = SLICES["head"]
FACE = slice(0, JAW.stop)  # expression + jaw: what speech drives
JAW_OPEN = JAW.start  # the jaw's x rotation, + opens

# Frame phone labels (indices into the corpus phone set) of p, b and m.
BILABIAL_CODES: tuple[int, ...] = tuple(sorted(PHONES.index(p) for p in BILABIALS))


def layout_json() -> list[dict]:
    """The layout as the head spec and the pack manifest write it: joint slices name their joint."""
    return [{"name": s.name, "offset": s.offset, "size": s.size}
            | ({"joint": s.joint, "representation": "axis-angle"} if s.joint else {}) for s in MOTION_LAYOUT]


def pose_slots(head_pose: bool = True) -> list[tuple[slice, slice]]:
    """(FLAME pose [N_POSE] slice, motion slice) for each joint the motion drives; the others stay at rest.
    Without ``head_pose`` the neck stays at rest too (the face in head coordinates)."""
    return [(slice(3 * JOINT_NAMES.index(s.joint), 3 * JOINT_NAMES.index(s.joint) + 3), s.slice)
            for s in MOTION_LAYOUT if s.joint and (head_pose or s.name != "head")]


def flame_pose(motion: np.ndarray, head_pose: bool = True) -> np.ndarray:
    """Motion [T, MOTION_DIM] -> FLAME pose [T, N_POSE] float32 (root and eyes at rest)."""
    pose = np.zeros((len(motion), N_POSE), np.float32)
    for dst, src in pose_slots(head_pose):
        pose[:, dst] = motion[:, src]
    return pose
