"""Prosody measured on the audio: F0 (YIN, numpy), RMS energy, pitch accents and phrase breaks."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .phones import SIL, VOWELS, PhoneSeg


@dataclass
class ProsodyConfig:
    hop_s: float = 0.01
    win_s: float = 0.032
    fmin: float = 60.0
    fmax: float = 420.0
    threshold: float = 0.15  # YIN absolute threshold on the normalised difference
    voiced_max: float = 0.35  # frames whose best dip stays above this are unvoiced
    silence_db: float = -45.0  # relative to the clip's loudest frame


@dataclass
class Prosody:
    hop_s: float
    f0: np.ndarray  # Hz, 0 where unvoiced
    energy_db: np.ndarray  # RMS in dB relative to the clip maximum (<= 0)

    def at_fps(self, fps: float, n_frames: int) -> tuple[np.ndarray, np.ndarray]:
        """(f0, energy_db) per motion frame: median voiced F0 (0 if none) and mean energy."""
        per = 1.0 / fps / self.hop_s
        f0 = np.zeros(n_frames, np.float32)
        en = np.full(n_frames, -80.0, np.float32)
        for i in range(n_frames):
            a, b = int(round(i * per)), int(round((i + 1) * per))
            seg = self.f0[a:b]
            v = seg[seg > 0]
            if len(v):
                f0[i] = np.median(v)
            if b > a and a < len(self.energy_db):
                en[i] = float(np.mean(self.energy_db[a:b]))
        return f0, en


def _frames(x: np.ndarray, length: int, hop: int) -> np.ndarray:
    n = 1 + max(0, (len(x) - length) // hop)
    idx = np.arange(length)[None, :] + hop * np.arange(n)[:, None]
    return x[idx]


def analyse(audio: np.ndarray, sr: int, cfg: ProsodyConfig | None = None) -> Prosody:
    """F0 with YIN (de Cheveigne & Kawahara 2002), vectorised over frames with FFTs."""
    cfg = cfg or ProsodyConfig()
    hop, win = int(round(cfg.hop_s * sr)), int(round(cfg.win_s * sr))
    tmin, tmax = int(sr / cfg.fmax), int(sr / cfg.fmin)
    n_out = int(np.ceil(len(audio) / hop))
    x = np.pad(audio.astype(np.float64), (win // 2, win + tmax + hop))
    fr = _frames(x, win + tmax, hop)[:n_out]
    n_fft = 1 << int(np.ceil(np.log2(2 * (win + tmax))))
    spec_full = np.fft.rfft(fr, n_fft)
    spec_head = np.fft.rfft(fr[:, :win], n_fft)
    r = np.fft.irfft(spec_full * np.conj(spec_head), n_fft)[:, : tmax + 1]  # sum_j x_j x_{j+tau}
    csum = np.concatenate([np.zeros((len(fr), 1)), np.cumsum(fr ** 2, axis=1)], axis=1)
    e0 = csum[:, win][:, None]
    taus = np.arange(tmax + 1)
    et = csum[:, taus + win] - csum[:, taus]
    d = np.maximum(e0 + et - 2 * r, 0.0)
    cm = np.cumsum(d[:, 1:], axis=1)
    dn = np.ones_like(d)
    dn[:, 1:] = d[:, 1:] * taus[1:] / np.maximum(cm, 1e-12)
    band = dn[:, tmin:tmax]
    below = band < cfg.threshold
    # First dip under the threshold, walked down to its local minimum; else the global minimum.
    first = np.where(below.any(axis=1), below.argmax(axis=1), band.argmin(axis=1))
    for _ in range(8):
        nxt = np.minimum(first + 1, band.shape[1] - 1)
        step = band[np.arange(len(band)), nxt] < band[np.arange(len(band)), first]
        first = np.where(step, nxt, first)
    best = band[np.arange(len(band)), first]
    tau = (first + tmin).astype(np.float64)
    # Parabolic refinement of the lag.
    i = np.clip(first, 1, band.shape[1] - 2)
    a, b, c = band[np.arange(len(band)), i - 1], band[np.arange(len(band)), i], band[np.arange(len(band)), i + 1]
    den = a - 2 * b + c
    tau = np.where((first == i) & (np.abs(den) > 1e-9), tau + 0.5 * (a - c) / np.where(np.abs(den) > 1e-9, den, 1), tau)
    rms = np.sqrt(e0[:, 0] / win + 1e-12)
    en_db = 20 * np.log10(rms + 1e-9)
    en_db = en_db - en_db.max()
    voiced = (best < cfg.voiced_max) & (en_db > cfg.silence_db + 10)
    f0 = np.where(voiced, sr / np.maximum(tau, 1), 0.0)
    # Remove isolated voiced frames and octave spikes with a 3-tap median on voiced runs.
    if len(f0) > 2:
        med = np.median(np.stack([np.roll(f0, 1), f0, np.roll(f0, -1)]), axis=0)
        f0 = np.where((f0 > 0) & (med > 0) & (np.abs(np.log2(np.maximum(f0, 1) / np.maximum(med, 1))) > 0.4), med, f0)
        lone = (f0 > 0) & (np.roll(f0, 1) == 0) & (np.roll(f0, -1) == 0)
        f0[lone] = 0
    return Prosody(cfg.hop_s, f0.astype(np.float32), en_db.astype(np.float32))


@dataclass
class Accent:
    time: float  # seconds, near the vowel's F0/energy peak
    strength: float  # 0..~2
    stressed_only: bool  # a stressed syllable below the accent threshold


def detect_accents(pros: Prosody, phones: list[PhoneSeg]) -> list[Accent]:
    """Score vowel nuclei by F0 height, energy and length; strong ones are pitch accents."""
    nuclei = [p for p in phones if p.phone in VOWELS and p.end - p.start > 0.03]
    if not nuclei:
        return []
    voiced = pros.f0[pros.f0 > 0]
    ref = float(np.median(voiced)) if len(voiced) else 120.0
    feats = []
    for p in nuclei:
        a, b = int(p.start / pros.hop_s), max(int(p.end / pros.hop_s), int(p.start / pros.hop_s) + 1)
        f = pros.f0[a:b]
        fv = f[f > 0]
        st = 12 * np.log2(np.max(fv) / ref) if len(fv) else -3.0
        en = float(np.max(pros.energy_db[a:b])) if b <= len(pros.energy_db) and b > a else -40.0
        # Peak time: loudest voiced 10 ms frame inside the vowel.
        seg_e = pros.energy_db[a:b]
        tp = (a + int(np.argmax(seg_e))) * pros.hop_s if len(seg_e) else 0.5 * (p.start + p.end)
        feats.append((st, en, p.end - p.start, tp))
    arr = np.array([f[:3] for f in feats], dtype=np.float64)
    z = (arr - arr.mean(0)) / (arr.std(0) + 1e-6)
    score = 0.45 * z[:, 0] + 0.35 * z[:, 1] + 0.2 * z[:, 2]
    out = []
    for k, (s, f) in enumerate(zip(score, feats)):
        if s > 0.0:
            out.append(Accent(time=float(f[3]), strength=float(min(s, 2.0)), stressed_only=bool(s < 0.7)))
    # Keep accents at least 250 ms apart (the stronger wins) so nods do not stack up.
    out.sort(key=lambda a: -a.strength)
    kept: list[Accent] = []
    for a in out:
        if all(abs(a.time - k.time) > 0.25 for k in kept):
            kept.append(a)
    return sorted(kept, key=lambda a: a.time)


def phrase_breaks(phones: list[PhoneSeg], min_pause: float = 0.12) -> tuple[list[float], float, float]:
    """(pause onsets inside the utterance, speech start, speech end)."""
    speech = [p for p in phones if p.phone != SIL]
    if not speech:
        return [], 0.0, 0.0
    start, end = speech[0].start, speech[-1].end
    breaks = [p.start for p in phones if p.phone == SIL and p.end - p.start >= min_pause and start < p.start < end]
    return breaks, start, end
