"""Three fixed synthetic lines (phones and prosody, no TTS) for the corpus quirks tests and their golden."""
from __future__ import annotations

import numpy as np

from parley.corpus.phones import PhoneSeg
from parley.corpus.prosody import Prosody
from parley.corpus.style import Style

# Rounded vowels, /iy/, bilabials and stressed open vowels, each more than once.
WORDS = ("SIL", "W UW", "M UW V D", "SIL", "B IY", "P IY P AH L", "SIL", "SH OW", "B AA B", "T UW", "M IY", "SIL")
TEXTS = ("We moved bees, people show Bob two of me.", "Who moved? Be people, show Bob to me?",
         "Bob, who moved people? Show me too.")
STYLES = (Style(), Style(articulation=1.2, round_bias=0.3, asymmetry=-0.4, brow_activity=1.6, rest_open=0.6),
          Style(mouth_open=0.7, round_bias=-0.3, smile=0.4, coarticulation=1.3, brow_frown=0.5))


def line(k: int) -> tuple[list[PhoneSeg], Prosody, int, str, Style]:
    """(phones, prosody, frames, text, style) of line k (0, 1 or 2): durations and pitch vary with k."""
    rng = np.random.default_rng(100 + k)
    phones, t = [], 0.0
    for word in WORDS:
        for p in word.split():
            d = (0.25 if p == "SIL" else 0.13 if p in ("UW", "IY", "OW", "AA", "AH") else 0.07) * rng.uniform(0.8, 1.3)
            phones.append(PhoneSeg(p, t, t + d))
            t += d
    hop = 0.01
    n = int(np.ceil(t / hop))
    times = (np.arange(n) + 0.5) * hop
    f0 = 120 + 25 * np.sin(2 * np.pi * times / (1.1 + 0.2 * k)) + rng.normal(0, 2, n)
    energy = np.full(n, -60.0)
    for p in phones:
        if p.phone != "SIL":
            a, b = int(p.start / hop), int(np.ceil(p.end / hop))
            energy[a:b] = -12.0 + 8.0 * rng.random()
    f0 = np.where(energy > -40, f0, 0.0)
    return phones, Prosody(hop, f0, energy), int(round(t * 25)), TEXTS[k], STYLES[k]
