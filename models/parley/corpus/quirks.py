"""Per-speaker quirks: a performer's habits beyond the global style (off by default).

The corpus's speakers differ by a :class:`~parley.corpus.style.Style` vector that the style encoder reads
from any take, so an adapter fitted to 10 s of one of them has little left to learn (docs/adapters.md).
Real performers have habits tied to phone classes and moments, which a global style does not span. A
:class:`Quirks` holds six such habits; :func:`parley.corpus.motion.generate` applies them on top of the style
before smoothing, the soft limits, the keyed bilabial closures and the rate limits, so the motion keeps the
corpus's ranges. They only move channels the corpus already moves, by amounts within each channel's range
over the corpus (the base pack's normalised motion stays within the corpus's own |z| <= 10): a habit in a
channel the corpus never moves would be hundreds of the pack's standard deviations, a signal no model trained
on the corpus could express. Each habit recurs wherever its phone class or an accent does, so a 10 s take
shows it.
Applying quirks draws no random numbers: a clip's other motion is what it would be without them.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np

from ..head.components import expression_index as ix
from .phones import BILABIALS, PhoneSeg
from .prosody import Accent

ROUNDED = frozenset({"UW", "UH", "OW", "AO", "W"})  # rounded vowels and /w/ (not SH, R: style's round_bias has them)
SPREAD = frozenset({"IY", "IH"})
PRESENCE_TAU = 0.06  # s, how far a habit reaches outside its phone (like the lips' coarticulation)
LIMITS = {"rounded_vowels": 0.45, "iy_spread": 0.45, "stress_jaw": 0.45, "lopsided": 0.1, "bilabial_press": 0.2,
          "emphasis_brow": 0.12}  # largest |value| of each field: within the corpus's range of its channels


@dataclass(frozen=True)
class Quirks:
    """One performer's habits; every field 0 is no quirk (the plain corpus)."""

    rounded_vowels: float = 0.0  # more (+) or less (-) rounding on rounded vowels only, as a share of it
    iy_spread: float = 0.0  # lip spread on /iy/ and /ih/, as a share: wider (+) or narrower (-)
    stress_jaw: float = 0.0  # jaw opening on accented syllables, as a share: opens more (+) or less (-)
    lopsided: float = 0.0  # one mouth corner stretches (and the mouth shifts) as it opens: left (+), right (-)
    bilabial_press: float = 0.0  # extra lip press and chin raise on p/b/m (>= 0)
    emphasis_brow: float = 0.0  # one brow raised on pitch accents: left (+), right (-)

    def __post_init__(self) -> None:
        for name, limit in LIMITS.items():
            value = getattr(self, name)
            if not np.isfinite(value) or abs(value) > limit:
                raise ValueError(f"Quirks.{name}: expected a value in [-{limit}, {limit}] but got {value}")
        if self.bilabial_press < 0:
            raise ValueError(f"Quirks.bilabial_press: expected a value >= 0 but got {self.bilabial_press}")

    def active(self) -> bool:
        """Whether any habit is non-zero."""
        return any(getattr(self, f.name) != 0.0 for f in fields(self))

    def to_dict(self) -> dict[str, float]:
        return {k: float(v) for k, v in asdict(self).items()}

    def lips(self, lips: np.ndarray, round_idx: np.ndarray, phones: list[PhoneSeg], t: np.ndarray) -> np.ndarray:
        """Lip expression [T, 50] with the rounding and spread habits (a new array; ``lips`` unchanged)."""
        out = lips.copy()
        out[:, round_idx] *= 1.0 + self.rounded_vowels * presence(phones, ROUNDED, t)[:, None]
        out[:, ix("lip_spread")] *= 1.0 + self.iy_spread * presence(phones, SPREAD, t)
        return out

    def jaw(self, jaw: np.ndarray, accents: list[Accent], t: np.ndarray) -> np.ndarray:
        """Jaw opening [T] (before its soft cap) scaled on accented syllables (a new array)."""
        return jaw * (1.0 + self.stress_jaw * accent_curve(accents, t, 0.1, 0.18, stressed=True))

    def face(self, e: np.ndarray, jaw_open: np.ndarray, phones: list[PhoneSeg], accents: list[Accent],
             t: np.ndarray) -> None:
        """Adds the lopsided mouth, the bilabial press and the brow habit to expression ``e`` [T, 50] in place."""
        side = "L" if self.lopsided >= 0 else "R"
        opening = np.clip(jaw_open / 0.15, 0.0, 1.0)  # the habit shows as the mouth opens
        e[:, ix(f"lip_stretch_{side}")] += abs(self.lopsided) * opening
        e[:, ix(f"mouth_corner_up_{side}")] += 0.5 * abs(self.lopsided) * opening
        e[:, ix("mouth_shift")] += 0.3 * self.lopsided * opening
        press = self.bilabial_press * presence(phones, BILABIALS, t)
        e[:, ix("lip_press")] += press
        e[:, ix("chin_raise")] += 0.3 * press
        brow = "L" if self.emphasis_brow >= 0 else "R"
        e[:, ix(f"brow_raise_{brow}")] += abs(self.emphasis_brow) * accent_curve(accents, t, 0.12, 0.45)


def presence(phones: list[PhoneSeg], names: frozenset[str], t: np.ndarray) -> np.ndarray:
    """[T] in [0, 1]: 1 inside a phone of ``names``, decaying outside it over about PRESENCE_TAU."""
    out = np.zeros(len(t))
    for p in phones:
        if p.phone in names:
            dist = np.maximum(p.start - t, 0) + np.maximum(t - p.end, 0)
            out = np.maximum(out, np.exp(-(dist / PRESENCE_TAU) ** 1.5))
    return out


def accent_curve(accents: list[Accent], t: np.ndarray, rise: float, fall: float, stressed: bool = False) -> np.ndarray:
    """[T] in [0, 1]: a raised-cosine pulse per pitch accent (and per stressed syllable if ``stressed``),
    its height the accent's strength up to 1."""
    out = np.zeros(len(t))
    for a in accents:
        if a.stressed_only and not stressed:
            continue
        x = np.clip((t - a.time) / np.where(t < a.time, rise, fall), -1.0, 1.0)
        out = np.maximum(out, min(a.strength, 1.0) * 0.5 * (1.0 + np.cos(np.pi * x)))
    return out


def sample_quirks(rng: np.random.Generator) -> Quirks:
    """A random performer: every habit present, sign and size drawn so that each is visible in 10 s."""
    def signed(lo: float, hi: float) -> float:
        return float(rng.choice([-1.0, 1.0]) * rng.uniform(lo, hi))

    return Quirks(rounded_vowels=signed(0.2, 0.4), iy_spread=signed(0.25, 0.45), stress_jaw=signed(0.2, 0.4),
                  lopsided=signed(0.04, 0.08), bilabial_press=float(rng.uniform(0.08, 0.2)),
                  emphasis_brow=signed(0.05, 0.1))
