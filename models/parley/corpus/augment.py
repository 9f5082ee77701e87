"""Audio augmentation with sox (tempo, pitch, EQ, reverb, gain) plus low noise in numpy.

Every clip passes through one sox process that also resamples to 16 kHz, so the
augmentation costs one process start per clip. ``tempo`` changes duration
(phone times scale by 1/tempo); every other effect keeps timing.
"""
from __future__ import annotations

import subprocess
from dataclasses import asdict, dataclass

import numpy as np

from ..layout import SAMPLE_RATE


@dataclass
class AugmentParams:
    tempo: float = 1.0  # >1 faster (sox tempo -s)
    pitch_semitones: float = 0.0
    eq: tuple[tuple[float, float, float], ...] = ()  # (centre Hz, width octaves, gain dB)
    highpass_hz: float = 0.0
    lowpass_hz: float = 0.0
    reverb: float = 0.0  # sox reverberance 0-100; 0 = off
    room_scale: float = 50.0
    wet_gain_db: float = -6.0
    gain_db: float = 0.0  # applied after peak normalisation to -1 dBFS
    noise_snr_db: float = 0.0  # 0 = no noise
    noise_color: float = 0.0  # 0 white .. 1 brown-ish

    def to_dict(self) -> dict:
        d = asdict(self)
        d["eq"] = [list(x) for x in self.eq]
        return d


def sample_augment(rng: np.random.Generator, strength: float = 1.0) -> AugmentParams:
    """Random, mostly mild settings; ``strength`` 0 keeps only resampling."""
    if strength <= 0:
        return AugmentParams()
    p = AugmentParams()
    p.tempo = float(np.exp(rng.normal(0, 0.06 * strength))) if rng.random() < 0.7 else 1.0
    p.pitch_semitones = float(rng.normal(0, 1.5 * strength)) if rng.random() < 0.6 else 0.0
    n_eq = int(rng.integers(0, 3))
    p.eq = tuple((float(np.exp(rng.uniform(np.log(150), np.log(6000)))), float(rng.uniform(0.5, 2.0)),
                  float(rng.normal(0, 4 * strength))) for _ in range(n_eq))
    if rng.random() < 0.3:
        p.highpass_hz = float(rng.uniform(60, 300))
    if rng.random() < 0.3:
        p.lowpass_hz = float(rng.uniform(3500, 7500))
    if rng.random() < 0.35:
        p.reverb = float(rng.uniform(10, 60) * strength)
        p.room_scale = float(rng.uniform(20, 90))
        p.wet_gain_db = float(rng.uniform(-9, -2))  # sox accepts -10..10
    p.gain_db = float(rng.uniform(-14, -1))
    if rng.random() < 0.6:
        p.noise_snr_db = float(rng.uniform(28, 50))
        p.noise_color = float(rng.random())
    return p


def sox_effects(p: AugmentParams) -> list[str]:
    fx: list[str] = ["rate", "-h", str(SAMPLE_RATE)]  # first, so every later effect runs at 16 kHz
    for f, w, g in p.eq:
        fx += ["equalizer", f"{f:.0f}", f"{w:.2f}o", f"{g:.2f}"]
    if p.highpass_hz > 0:
        fx += ["highpass", f"{p.highpass_hz:.0f}"]
    if p.lowpass_hz > 0:
        fx += ["lowpass", f"{p.lowpass_hz:.0f}"]
    # Filters before tempo/pitch: sox's pitch runs at a changed internal rate.
    if abs(p.tempo - 1.0) > 1e-3:
        fx += ["tempo", "-s", f"{p.tempo:.4f}"]
    if abs(p.pitch_semitones) > 1e-2:
        fx += ["pitch", f"{100 * p.pitch_semitones:.1f}"]
    if p.reverb > 0:
        fx += ["reverb", f"{p.reverb:.0f}", "50", f"{p.room_scale:.0f}", "100", "0", f"{p.wet_gain_db:.1f}"]
    return fx


def apply(audio: np.ndarray, sr: int, p: AugmentParams, rng: np.random.Generator) -> np.ndarray:
    """Augmented 16 kHz float32 audio of length round(len * 16000 / sr / tempo)."""
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()
    fmt = ["-t", "raw", "-e", "signed", "-b", "16", "-c", "1"]
    cmd = ["sox", "-V1", "-D", *fmt, "-r", str(sr), "-", *fmt, "-r", str(SAMPLE_RATE), "-", *sox_effects(p)]
    res = subprocess.run(cmd, input=pcm, capture_output=True, check=True)
    out = np.frombuffer(res.stdout, dtype="<i2").astype(np.float32) / 32768.0
    n = int(round(len(audio) * SAMPLE_RATE / sr / p.tempo))
    # Reverb tails and resampler latency change the length slightly; keep timing exact.
    out = out[:n] if len(out) >= n else np.pad(out, (0, n - len(out)))
    peak = float(np.max(np.abs(out))) or 1.0
    out = out * (10 ** (p.gain_db / 20) * 0.89 / peak)
    if p.noise_snr_db > 0:
        noise = rng.standard_normal(len(out)).astype(np.float32)
        if p.noise_color > 0:  # leaky integration tilts the spectrum towards low frequencies
            from scipy.signal import lfilter
            noise = lfilter([1.0], [1.0, -0.95 * p.noise_color], noise).astype(np.float32)
        sig_rms = float(np.sqrt(np.mean(out ** 2))) + 1e-9
        noise *= sig_rms / (float(np.sqrt(np.mean(noise ** 2))) + 1e-9) * 10 ** (-p.noise_snr_db / 20)
        out = out + noise
    return np.clip(out, -1, 1).astype(np.float32)
