"""Reference-free lip metrics on aligned real voices (there is no ground-truth motion for them).

All read the head's inner-lip gap per frame in mm (``parley.model.evaluate.HeadMetrics.opening``; the
lips are closed at or below the spec's ``closedBelow``, the corpus metrics' criterion) against the
aligned phones, at 25 fps. A phone's frames are those whose interval [i, i+1) / 25 s overlaps the
phone's interval widened by one frame on each side (alignment is approximate; a phone cut off at the
file's start has zero length and keeps frame 0):

- ``closure``: share of p/b/m phones with a closed frame among their frames; also for /m/ straight
  after a voiced sound (a vowel or voiced consonant, no silence between) and for lines whose first
  phone is a bilabial;
- ``false_closure``: share of words without p/b/m/f/v/w that have a closed frame among the frames whose
  centre lies in the word more than one frame from its edges (the alignment's tolerance, as the closure
  metric's; a line's closed start frame or a neighbour's closure may reach there), leaving out frames
  within one frame of any p/b/m/f/v/w phone;
- ``silence_pressed``: share of silence frames (centre in an aligned silence, or after the file) with
  the gap below ``PRESSED_BELOW_MM`` (lips pressed together and rolled in);
- ``silence_rest``: share of silence frames with the gap in [``PRESSED_BELOW_MM``, ``REST_MAX_MM``]
  (closed or lightly parted, not pressed); ``after_line_*``: the same over the recording's own frames
  after its last word (the silence right after the line, before the file ends); ``tail_*``: over the
  frames after the file.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from parley.corpus.phones import BILABIALS, SIL, VOWELS, PhoneSeg
from parley.layout import MOTION_FPS

PRESSED_BELOW_MM = -3.0
REST_MAX_MM = 4.0
LABIALS = BILABIALS | {"F", "V", "W"}
VOICED = VOWELS | {"B", "D", "G", "V", "DH", "Z", "ZH", "JH", "M", "N", "NG", "L", "R", "W", "Y"}


def phone_frames(start: float, end: float, n_frames: int, margin: int = 1, fps: float = MOTION_FPS) -> range:
    """Frames i (0 <= i < n_frames) whose [i, i+1) / fps overlaps [start - margin/fps, end + margin/fps]."""
    lo = math.floor(start * fps - margin - 1) + 1
    hi = math.ceil(end * fps + margin)
    lo, hi = max(lo, 0), min(hi, n_frames)
    if hi <= lo and lo < n_frames:
        hi = lo + 1
    return range(lo, hi)


@dataclass
class Counts:
    """Counts over clips; ``add`` them, then ``summary()``."""
    bilabial: list[int] = field(default_factory=lambda: [0, 0])  # [closed, total]
    m_after_voiced: list[int] = field(default_factory=lambda: [0, 0])
    initial_bilabial: list[int] = field(default_factory=lambda: [0, 0])
    no_labial_words: list[int] = field(default_factory=lambda: [0, 0])  # [with a closure, total]
    silence: list[int] = field(default_factory=lambda: [0, 0, 0])  # [pressed, rest, total]
    after_line: list[int] = field(default_factory=lambda: [0, 0, 0])
    tail: list[int] = field(default_factory=lambda: [0, 0, 0])

    def add(self, other: "Counts") -> None:
        for name in self.__dataclass_fields__:
            mine, theirs = getattr(self, name), getattr(other, name)
            for i, v in enumerate(theirs):
                mine[i] += v

    def summary(self) -> dict[str, float | int | None]:
        """Shares (None where nothing was counted) and the counts they are over."""
        frac = lambda a, b: float(a / b) if b else None  # noqa: E731
        return {
            "closure": frac(*self.bilabial), "bilabials": self.bilabial[1],
            "closure_m_after_voiced": frac(*self.m_after_voiced), "m_after_voiced": self.m_after_voiced[1],
            "closure_initial_bilabial": frac(*self.initial_bilabial), "initial_bilabials": self.initial_bilabial[1],
            "false_closure": frac(*self.no_labial_words), "no_labial_words": self.no_labial_words[1],
            "silence_pressed": frac(self.silence[0], self.silence[2]),
            "silence_rest": frac(self.silence[1], self.silence[2]), "silence_frames": self.silence[2],
            "after_line_pressed": frac(self.after_line[0], self.after_line[2]),
            "after_line_rest": frac(self.after_line[1], self.after_line[2]), "after_line_frames": self.after_line[2],
            "tail_pressed": frac(self.tail[0], self.tail[2]), "tail_rest": frac(self.tail[1], self.tail[2]),
            "tail_frames": self.tail[2],
        }


def score_clip(opening_mm: np.ndarray, phones: list[PhoneSeg], words: list, audio_frames: int,
               closed_below_mm: float) -> Counts:
    """Counts for one clip. opening_mm [T]: the inner-lip gap per frame (T >= audio_frames; frames from
    audio_frames on are after the file); phones cover the file, silences included; words have
    ``start``, ``end`` and ``phones`` (parley.realvoice.align.WordSeg)."""
    op = np.asarray(opening_mm, np.float64)
    n = len(op)
    closed = op <= closed_below_mm
    c = Counts()
    speech = [p for p in phones if p.phone != SIL]
    for k, p in enumerate(phones):
        if p.phone not in BILABIALS:
            continue
        hit = int(any(closed[i] for i in phone_frames(p.start, p.end, n)))
        c.bilabial[0] += hit
        c.bilabial[1] += 1
        prev = phones[k - 1] if k > 0 else None
        if p.phone == "M" and prev is not None and prev.phone in VOICED:
            c.m_after_voiced[0] += hit
            c.m_after_voiced[1] += 1
        if speech and p is speech[0]:
            c.initial_bilabial[0] += hit
            c.initial_bilabial[1] += 1
    near_labial = np.zeros(n, bool)
    for p in speech:
        if p.phone in LABIALS:
            near_labial[list(phone_frames(p.start, p.end, n))] = True
    centres = (np.arange(n) + 0.5) / MOTION_FPS
    for w in words:
        if any(p.phone in LABIALS for p in w.phones):
            continue
        frames = (centres >= w.start + 1 / MOTION_FPS) & (centres < w.end - 1 / MOTION_FPS) & ~near_labial
        if frames.any():
            c.no_labial_words[0] += int(closed[frames].any())
            c.no_labial_words[1] += 1
    silent = np.zeros(n, bool)
    for p in phones:
        if p.phone == SIL:
            silent |= (centres >= p.start) & (centres < p.end)
    tail = np.arange(n) >= audio_frames
    silent |= tail
    pressed = op < PRESSED_BELOW_MM
    rest = (op >= PRESSED_BELOW_MM) & (op <= REST_MAX_MM)
    c.silence = [int((silent & pressed).sum()), int((silent & rest).sum()), int(silent.sum())]
    after = (centres >= (max(w.end for w in words) if words else 0.0)) & ~tail
    c.after_line = [int((after & pressed).sum()), int((after & rest).sum()), int(after.sum())]
    c.tail = [int((tail & pressed).sum()), int((tail & rest).sum()), int(tail.sum())]
    return c
