"""One phone set (ARPAbet, 39 phones + silence) and mappings from engine symbols.

espeak-ng reports its own mnemonics (``@``, ``aI``, ``tS`` ...); festival and flite
both use the radio/CMU set (``ax``, ``pau`` ...); pocketsphinx (real voices) the CMU set in capitals.
Everything converts to :data:`PHONES`, which the motion generator and the phone-recognition target use.
"""
from __future__ import annotations

from dataclasses import dataclass

SIL = "SIL"
PHONES: tuple[str, ...] = (
    SIL,
    "AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW",
    "B", "CH", "D", "DH", "F", "G", "HH", "JH", "K", "L", "M", "N", "NG", "P", "R", "S", "SH",
    "T", "TH", "V", "W", "Y", "Z", "ZH",
)
PHONE_INDEX: dict[str, int] = {p: i for i, p in enumerate(PHONES)}
VOWELS = frozenset({"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"})
BILABIALS = frozenset({"P", "B", "M"})

# espeak-ng English mnemonics (phsource/ph_english*) -> ARPAbet; tuples split the
# segment evenly (syllabic l, r-coloured triphthongs).
ESPEAK_MAP: dict[str, tuple[str, ...]] = {
    "_": (SIL,), "_:": (SIL,), "_!": (SIL,), "_|": (SIL,), "_^_": (SIL,),
    "@": ("AH",), "@2": ("AH",), "@5": ("AH",), "@-": ("AH",), "a#": ("AH",), "V": ("AH",), "VR": ("AH", "R"),
    "3": ("ER",), "3:": ("ER",), "@L": ("AH", "L"), "@r": ("ER",),
    "a": ("AE",), "aa": ("AE",), "A:": ("AA",), "A@": ("AA", "R"), "0": ("AA",), "A": ("AA",),
    "aI": ("AY",), "aI2": ("AY",), "aI3": ("AY", "ER"), "aI@": ("AY", "ER"), "aU": ("AW",), "aU@": ("AW", "ER"),
    "e": ("EH",), "E": ("EH",), "e@": ("EH", "R"), "eI": ("EY",),
    "i": ("IY",), "i:": ("IY",), "i@": ("IH", "R"), "i@3": ("IH", "R"), "I": ("IH",), "I#": ("IH",), "I2": ("IH",),
    "IR": ("IH", "R"),
    "O:": ("AO",), "O2": ("AO",), "O@": ("AO", "R"), "o@": ("AO", "R"), "O": ("AO",), "OI": ("OY",),
    "oU": ("OW",), "oU#": ("OW",), "o": ("OW",),
    "U": ("UH",), "U@": ("UH", "R"), "u:": ("UW",), "u": ("UW",),
    "b": ("B",), "d": ("D",), "D": ("DH",), "dZ": ("JH",), "f": ("F",), "g": ("G",), "h": ("HH",),
    "j": ("Y",), "k": ("K",), "l": ("L",), "m": ("M",), "n": ("N",), "n-": ("N",), "N": ("NG",),
    "p": ("P",), "r": ("R",), "r-": ("R",), "s": ("S",), "S": ("SH",), "t": ("T",), "t#": ("T",),
    "t2": ("T",), "t[": ("T",), "T": ("TH",), "tS": ("CH",), "v": ("V",), "w": ("W",), "w#": ("W",),
    "z": ("Z",), "Z": ("ZH",), "x": ("K",), "?": ("T",), "l/": ("L",), "l#": ("L",), "m-": ("M",),
    "d#": ("D",), "z#": ("Z",),
}

# festival radio phoneset and flite's CMU lexicon symbols.
FESTIVAL_MAP: dict[str, tuple[str, ...]] = {
    "pau": (SIL,), "h#": (SIL,), "brth": (SIL,), "#": (SIL,), "sil": (SIL,),
    "ax": ("AH",), "axr": ("ER",), "ix": ("IH",), "dx": ("D",), "nx": ("N",), "hv": ("HH",),
    "el": ("AH", "L"), "em": ("AH", "M"), "en": ("AH", "N"),
}
for _p in PHONES[1:]:
    FESTIVAL_MAP.setdefault(_p.lower(), (_p,))

# pocketsphinx's en-us model (parley.realvoice.align): its 39 CMU ARPAbet phones (no stress) are this set;
# its silence and its two filler units (noise, speech noise) are silence here: no phone to read on the lips.
POCKETSPHINX_MAP: dict[str, tuple[str, ...]] = {
    "SIL": (SIL,), "+NSN+": (SIL,), "+SPN+": (SIL,), "<sil>": (SIL,), "<s>": (SIL,), "</s>": (SIL,),
    "[NOISE]": (SIL,), "[SPEECH]": (SIL,), **{_p: (_p,) for _p in PHONES[1:]},
}


@dataclass
class PhoneSeg:
    phone: str  # one of PHONES
    start: float  # seconds
    end: float


def map_symbol(symbol: str, engine: str) -> tuple[str, ...] | None:
    """Phones for one engine symbol; None for zero-width markers (espeak ';' and the like)."""
    if engine == "pocketsphinx":
        return POCKETSPHINX_MAP.get(symbol.strip())
    table = ESPEAK_MAP if engine == "espeak" else FESTIVAL_MAP
    if symbol in table:
        return table[symbol]
    s = symbol.strip()
    if engine == "espeak":
        base = s.rstrip("0123456789#;[-/")
        if base in table:
            return table[base]
        if s.startswith("_"):
            return (SIL,)
        return None
    return table.get(s.lower().rstrip("0123456789"))


def convert(symbols: list[tuple[str, float, float]], engine: str) -> list[PhoneSeg]:
    """Engine (symbol, start, end) triples -> merged PhoneSegs in the common set.

    Unknown zero-width markers extend the previous segment; adjacent silences merge.
    """
    out: list[PhoneSeg] = []
    for sym, start, end in symbols:
        phones = map_symbol(sym, engine)
        if end <= start:
            continue
        if not phones:
            if out:
                out[-1].end = end
            continue
        step = (end - start) / len(phones)
        for k, p in enumerate(phones):
            s, e = start + k * step, start + (k + 1) * step
            if out and p == SIL and out[-1].phone == SIL:
                out[-1].end = e
            else:
                out.append(PhoneSeg(p, s, e))
    return out


def frame_labels(segs: list[PhoneSeg], n_frames: int, fps: float) -> "list[int]":
    """Phone index at each frame centre (SIL outside segments)."""
    labels = [0] * n_frames
    j = 0
    for i in range(n_frames):
        t = (i + 0.5) / fps
        while j < len(segs) and segs[j].end <= t:
            j += 1
        if j < len(segs) and segs[j].start <= t:
            labels[i] = PHONE_INDEX[segs[j].phone]
    return labels
