"""Checks of a forced alignment against the file's own energy, which do not trust pocketsphinx.

pocketsphinx's en-us model hears the acted, pitched-up hedgewars voices poorly: on some files it squashes
a word into the file's edge, stretches one word over four bursts of voice, or puts silence on the loudest
audio, and a file aligned as decoded and pitched down comes out different each time. Every real-voice
metric is scored at the aligned phones, so a file whose alignment fails any check below is dropped with
the reason (docs/real-voices.md). Measured on 10 ms frames (pocketsphinx's rate); levels are relative to
the file's loudest frame. The thresholds were chosen on the ``dev`` split only.

- ``loud_silence``: share of loud frames (within ``loud_db`` of the peak) aligned as silence;
- ``quiet_speech``: share of frames aligned as speech that are near-silent (more than ``quiet_db`` below);
- ``loud_stop``: the largest share, over the stops of at least ``long_stop_s``, of a stop's frames within
  ``vowel_db`` of the peak: a stop's closure is quiet, so a long stop over vowel-loud audio holds a vowel;
- ``clipped``: speech phones squashed into the file's edge (shorter than pocketsphinx's minimum of three
  frames, so partly or wholly outside the file). A stop may be: a line cut on its first /b/ closure or
  before its last /t/ release; any other phone there means speech was pushed off the file;
- ``bursts`` against ``syllables``: runs of loud voice (gaps shorter than ``burst_gap_s`` bridged) against
  the vowels of the transcript: more bursts than syllables and the file says more than its name;
- ``disagreement``: how far (mean over the speech phones' boundaries, s) the alignment lies from the
  nearest alignment of the same file at another pitch shift: a path that no other rendering of the same
  audio reproduces is not one to score lips against.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from parley.corpus.phones import SIL, VOWELS, PhoneSeg
from parley.layout import SAMPLE_RATE
from parley.levels import power_db

FRAME_S = 0.01  # 10 ms analysis frames, pocketsphinx's rate
STOPS = frozenset({"P", "B", "T", "D", "K", "G"})


@dataclass
class QualityConfig:
    loud_db: float = 20.0  # a frame within this of the file's peak is loud
    quiet_db: float = 40.0  # a frame further than this below the peak is near-silent
    min_phone_s: float = 0.0295  # shorter: squashed into an edge (pocketsphinx's minimum is 3 frames)
    burst_gap_s: float = 0.15  # quieter gaps shorter than this join two loud runs into one burst
    min_burst_s: float = 0.03  # loud runs shorter than this are clicks, not voice
    vowel_db: float = 10.0  # a frame within this of the peak is as loud as a vowel
    long_stop_s: float = 0.05  # stops at least this long are checked for vowel-loud audio
    max_loud_silence: float = 0.25
    max_quiet_speech: float = 0.2
    max_loud_stop: float = 0.5
    max_disagreement_s: float = 0.04  # one motion frame


@dataclass
class Quality:
    loud_silence: float
    quiet_speech: float
    loud_stop: float
    clipped: list[str]  # non-stop phones squashed into the file's edges
    bursts: int
    syllables: int
    disagreement: float | None = None  # None: no other alignment to compare with

    def as_json(self) -> dict:
        r = lambda x: None if x is None else round(float(x), 3)  # noqa: E731
        return {"loud_silence": r(self.loud_silence), "quiet_speech": r(self.quiet_speech),
                "loud_stop": r(self.loud_stop), "clipped": self.clipped,
                "bursts": self.bursts, "syllables": self.syllables, "disagreement_s": r(self.disagreement)}


def energy_db(pcm: np.ndarray, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Mean power per 10 ms frame in dB re full scale."""
    return power_db(pcm, int(round(FRAME_S * sample_rate)))


def count_bursts(e: np.ndarray, cfg: QualityConfig) -> int:
    """Runs of loud frames, gaps shorter than ``burst_gap_s`` bridged, runs shorter than ``min_burst_s`` left out."""
    if len(e) == 0:
        return 0
    loud = e > e.max() - cfg.loud_db
    runs: list[list[int]] = []
    for i in np.flatnonzero(loud):
        if runs and (i - runs[-1][1]) * FRAME_S <= cfg.burst_gap_s:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return int(sum((b - a + 1) * FRAME_S >= cfg.min_burst_s for a, b in runs))


def measure(pcm: np.ndarray, phones: list[PhoneSeg], cfg: QualityConfig | None = None,
            sample_rate: int = SAMPLE_RATE) -> Quality:
    """The energy checks of one alignment (phones covering the file, silences included)."""
    cfg = cfg or QualityConfig()
    e = energy_db(pcm, sample_rate)
    n = len(e)
    t = (np.arange(n) + 0.5) * FRAME_S
    sil = np.zeros(n, bool)
    for p in phones:
        if p.phone == SIL:
            sil |= (t >= p.start) & (t < p.end)
    peak = e.max() if n else 0.0
    loud, quiet = e > peak - cfg.loud_db, e < peak - cfg.quiet_db
    duration = len(pcm) / sample_rate
    loud_stop = 0.0
    for p in phones:
        inside = (t >= p.start) & (t < p.end)
        if p.phone in STOPS and p.end - p.start >= cfg.long_stop_s - FRAME_S / 2 and inside.any():
            loud_stop = max(loud_stop, float((e[inside] > peak - cfg.vowel_db).mean()))
    speech = [p for p in phones if p.phone != SIL]
    clipped = [p.phone for p in speech if p.end - p.start < cfg.min_phone_s and p.phone not in STOPS
               and (p.start <= FRAME_S / 2 or p.end >= duration - FRAME_S / 2)]
    return Quality(loud_silence=float((loud & sil).sum() / max(int(loud.sum()), 1)),
                   quiet_speech=float((quiet & ~sil).sum() / max(int((~sil).sum()), 1)),
                   loud_stop=loud_stop, clipped=clipped, bursts=count_bursts(e, cfg),
                   syllables=int(sum(p.phone in VOWELS for p in speech)))


def boundary_distance(a: list, b: list) -> float:
    """Mean |difference| (s) of two alignments' boundaries, given their words (``WordSeg``: the same words in
    the same order): each phone's start where a word has the same phones in both, else the word's start,
    and each word's end."""
    if [w.word for w in a] != [w.word for w in b] or not a:
        raise ValueError("alignments of different words cannot be compared")
    diffs = []
    for wa, wb in zip(a, b):
        if [p.phone for p in wa.phones] == [p.phone for p in wb.phones]:
            diffs += [abs(pa.start - pb.start) for pa, pb in zip(wa.phones, wb.phones)]
        else:
            diffs.append(abs(wa.start - wb.start))
        diffs.append(abs(wa.end - wb.end))
    return float(np.mean(diffs))


def problems(q: Quality, cfg: QualityConfig | None = None) -> list[str]:
    """Why an alignment is not to be scored against, each reason led by its check's name in brackets
    (empty when it passes every check)."""
    cfg = cfg or QualityConfig()
    out = []
    if q.loud_silence > cfg.max_loud_silence:
        out.append(f"[loud_silence] {q.loud_silence:.0%} of the loud audio aligned as silence "
                   f"(limit {cfg.max_loud_silence:.0%})")
    if q.quiet_speech > cfg.max_quiet_speech:
        out.append(f"[quiet_speech] {q.quiet_speech:.0%} of the speech near-silent (limit {cfg.max_quiet_speech:.0%})")
    if q.loud_stop > cfg.max_loud_stop:
        out.append(f"[loud_stop] a stop over vowel-loud audio ({q.loud_stop:.0%} of its frames; "
                   f"limit {cfg.max_loud_stop:.0%})")
    if q.clipped:
        out.append(f"[clipped] {' '.join(q.clipped)} squashed into the file's edge")
    if q.bursts > q.syllables:
        out.append(f"[bursts] {q.bursts} bursts of voice for {q.syllables} syllable(s): the file says more "
                   "than its name")
    if q.disagreement is not None and q.disagreement > cfg.max_disagreement_s:
        out.append(f"[disagreement] no other pitch shift reproduces the alignment (nearest "
                   f"{1000 * q.disagreement:.0f} ms off, limit {1000 * cfg.max_disagreement_s:.0f} ms)")
    return out


CHECKS = ("loud_silence", "quiet_speech", "loud_stop", "clipped", "bursts", "disagreement")


def checks_failed(reason: str) -> list[str]:
    """The check names in a drop reason (``problems``'s brackets), or the aligner's own failure."""
    named = [c for c in CHECKS if f"[{c}]" in reason]
    if named:
        return named
    return ["outside" if "outside the file" in reason else "no_path"]


def report(root: str | Path, cfg: QualityConfig | None = None) -> str:
    """The energy checks over every clip of a real-voice dataset, per split and pack (a table); the
    disagreement between pitch shifts needs the aligner and is left out."""
    from .dataset import RealVoices
    from .lines import SPLITS
    cfg = cfg or QualityConfig()
    data = RealVoices(root)
    head = (f"{'split':<12} {'pack':<11} {'clips':>5} {'loud sil':>8} {'quiet sp':>8} {'<30ms/clip':>10} "
            f"{'loud stop':>9} {'clipped':>7} {'bursts':>6} {'fail':>5}")
    rows = [head]
    for split in SPLITS:
        by_pack: dict[str, list[tuple[Quality, int]]] = {}
        for clip in data.clips(split):
            q = measure(clip.audio, clip.phones, cfg)
            short = sum(p.phone != SIL and p.end - p.start < cfg.min_phone_s for p in clip.phones)
            by_pack.setdefault(clip.pack, []).append((q, short))
        for pack, got in sorted(by_pack.items()) + [("all", [x for v in by_pack.values() for x in v])]:
            qs = [q for q, _ in got]
            rows.append(f"{split:<12} {pack:<11} {len(got):>5} {np.mean([q.loud_silence for q in qs]):>8.1%} "
                        f"{np.mean([q.quiet_speech for q in qs]):>8.1%} {np.mean([s for _, s in got]):>10.2f} "
                        f"{np.mean([q.loud_stop > cfg.max_loud_stop for q in qs]):>9.0%} "
                        f"{np.mean([bool(q.clipped) for q in qs]):>7.0%} "
                        f"{np.mean([q.bursts > q.syllables for q in qs]):>6.0%} "
                        f"{np.mean([bool(problems(q, cfg)) for q in qs]):>5.0%}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    import argparse
    ap = argparse.ArgumentParser(prog="python3 -m parley.realvoice.quality",
                                 description="alignment checks against the energy, per split and pack")
    ap.add_argument("dataset", type=Path, help="a real-voice dataset folder (python3 -m parley realvoice)")
    print(report(ap.parse_args(argv).dataset))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
