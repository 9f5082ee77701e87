"""Signal level per frame, shared by the evaluation and the real-voice alignment checks."""
from __future__ import annotations

import numpy as np

SILENT_POWER = 1e-10  # -100 dB: the floor that keeps log10 finite on digital silence


def power_db(pcm: np.ndarray, hop: int, frames: int | None = None) -> np.ndarray:
    """Mean power per frame of ``hop`` samples in dB re full scale (float64 [frames]). ``frames`` None:
    the whole frames of ``pcm`` (a partial last frame is left out); otherwise exactly that many, cut or
    padded with silence."""
    x = np.asarray(pcm, np.float64)
    n = len(x) // hop if frames is None else frames
    x = x[: n * hop]
    x = np.pad(x, (0, n * hop - len(x))).reshape(n, hop)
    return 10 * np.log10((x ** 2).mean(1) + SILENT_POWER)
