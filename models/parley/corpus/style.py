"""Speaker style latents: sampled once per synthetic speaker, saved with every clip."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np


@dataclass
class Style:
    articulation: float = 1.0  # scales lip shapes away from neutral
    mouth_open: float = 1.0  # scales jaw opening
    round_bias: float = 0.0  # more (+) or less (-) lip rounding/protrusion
    smile: float = 0.0  # baseline mouth corners: smile (+) or frown (-)
    asymmetry: float = 0.0  # left (+) / right (-) bias of corners, brows, mouth shift
    brow_activity: float = 1.0  # brow raises on pitch accents
    brow_frown: float = 0.0  # share of emphasis shown as brow lowering instead of raising
    blink_rate: float = 17.0  # blinks per minute
    head_amp: float = 1.0  # overall head-motion amplitude
    head_freq: float = 1.0  # speed of the slow sway
    axis_pitch: float = 1.0  # favourite axes, mean 1 over the three
    axis_yaw: float = 1.0
    axis_roll: float = 1.0
    nod_habit: float = 1.0  # head nods on stressed syllables
    head_pitch_bias: float = 0.0  # resting head pose, degrees
    head_yaw_bias: float = 0.0
    head_roll_bias: float = 0.0
    tempo: float = 1.0  # speaking-rate multiplier given to the TTS
    coarticulation: float = 1.0  # spread of anticipation/carry-over between phones
    rest_open: float = 0.3  # lips at rest in silence: 0 closed .. 1 parted
    micro: float = 1.0  # micro-motion amplitude

    def vector(self) -> np.ndarray:
        return np.array([getattr(self, n) for n in STYLE_NAMES], dtype=np.float32)

    @classmethod
    def from_vector(cls, v) -> "Style":
        return cls(**{n: float(x) for n, x in zip(STYLE_NAMES, v)})

    def to_dict(self) -> dict[str, float]:
        return {k: float(v) for k, v in asdict(self).items()}


STYLE_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Style))


def sample_style(rng: np.random.Generator) -> Style:
    """A random speaker; ranges chosen to span calm to animated speakers."""
    axes = rng.dirichlet([2.0, 2.0, 2.0]) * 3.0
    smile = float(np.clip(rng.normal(0.1, 0.25), -0.5, 0.7))
    return Style(
        articulation=float(np.exp(rng.normal(0, 0.18))),
        mouth_open=float(np.clip(np.exp(rng.normal(0, 0.25)), 0.55, 1.6)),
        round_bias=float(np.clip(rng.normal(0, 0.2), -0.45, 0.45)),
        smile=smile,
        asymmetry=float(np.clip(rng.normal(0, 0.35), -1, 1)),
        brow_activity=float(rng.gamma(3.0, 1 / 3.0)),
        brow_frown=float(rng.beta(1.2, 4.0)),
        blink_rate=float(np.clip(rng.lognormal(np.log(17), 0.35), 6, 40)),
        head_amp=float(np.clip(np.exp(rng.normal(0, 0.4)), 0.3, 2.2)),
        head_freq=float(np.exp(rng.normal(0, 0.3))),
        axis_pitch=float(axes[0]), axis_yaw=float(axes[1]), axis_roll=float(axes[2]),
        nod_habit=float(rng.gamma(2.5, 1 / 2.5)),
        head_pitch_bias=float(rng.normal(0, 3.0)),
        head_yaw_bias=float(rng.normal(0, 4.0)),
        head_roll_bias=float(rng.normal(0, 2.0)),
        tempo=float(np.exp(rng.normal(0, 0.1))),
        coarticulation=float(np.exp(rng.normal(0, 0.2))),
        rest_open=float(rng.beta(1.5, 2.5)),
        micro=float(np.exp(rng.normal(0, 0.3))),
    )


def sample_beta(rng: np.random.Generator, n: int = 100, scale: float = 1.0) -> np.ndarray:
    """Identity shape, ~N(0, scale^2) per component like FLAME's PCA shape space."""
    return (rng.standard_normal(n) * scale).astype(np.float32)
