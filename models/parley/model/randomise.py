"""On-the-fly domain randomisation of training audio and the window recipe of pack 2.0.

The corpus speaks with three robotic TTS engines in clean rooms; games ship human voices, acted and
pitched, recorded in rooms through microphones and stored as OGG. Every training window can pass
through a random chain that imitates that, cheaply and in numpy (deterministic for a given rng):

- speed (Kaldi-style speed perturbation: pitch, formants and tempo together; the motion and the phone
  labels are resampled in time with the audio, so they stay aligned), and vocal tract length warping of
  the mel filterbank (formants alone; :func:`parley.model.audio.warped_filterbank`), which together
  move pitch and formants independently;
- rooms: impulse responses generated in code (direct path, sparse early reflections, an exponentially
  decaying noise tail, RT60 0.1-0.9 s, direct-to-reverberant ratio -3..+15 dB);
- microphone and band-limit EQ (high-pass, low-pass, telephone band, peaking filters), noise at
  0-40 dB SNR (white to brown), low-bitrate OGG Vorbis round trips (sox), level and clipping.

Everything happens up to the end of the line's audio; what follows is digital silence, as the runtime
pads a line's last window (docs/model-pack.md).
"""
from __future__ import annotations

import subprocess
from dataclasses import asdict, dataclass, replace

import numpy as np
from scipy import fft, signal

from parley.layout import SAMPLE_RATE

SPEEDS = tuple(20 / d for d in range(17, 25))  # resample_poly(up=20, down=d): 0.83x .. 1.18x speed


def speeds_up_to(speed_max: float) -> tuple[float, ...]:
    """The speed factors 20/d from 0.83x up to ``speed_max`` (resample_poly(up=20, down=d))."""
    if not 20 / 24 <= speed_max <= 2.0:
        raise ValueError(f"speed_max must be in [0.83, 2.0] but got {speed_max}")
    return tuple(20 / d for d in range(int(np.ceil(20 / speed_max - 1e-9)), 25))


@dataclass(frozen=True)
class WindowRecipe:
    """How training windows are cut and what their audio goes through (all off by default: the windows
    of packs 1.x). Stored in checkpoints beside the config."""
    randomise: float = 0.0  # share of windows whose audio goes through the random chain
    p_tail: float = 0.0  # share of windows that run past the line's end into silence (scored: rest)
    p_tight_start: float = 0.0  # share of a line's first windows that start right on its first phone
    rest_tau: float = 2.5  # frames: after the audio ends the target relaxes to the speaker's rest this fast
    rest_truncation: bool = False  # truncated windows score the silence after the cut as rest
    speed_max: float = SPEEDS[0]  # fastest speed perturbation; pitched-up acted voices need ~1.5x
    pitch_max_cents: int = 0  # constant-tempo pitch and formant shift of half the randomised windows, up to this
    spec_augment: bool = False  # phone pretraining: SpecAugment masks on the log-mel (spec_masks)

    @property
    def active(self) -> bool:
        return self.randomise > 0 or self.p_tail > 0 or self.p_tight_start > 0 or self.rest_truncation

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class AudioChain:
    """One draw of the random chain for one window."""
    speed: float = 1.0
    vtlp: float = 1.0  # formant scale heard through the warped filterbank
    rir: np.ndarray | None = None
    highpass_hz: float = 0.0
    lowpass_hz: float = 0.0
    peaks: tuple[tuple[float, float, float], ...] = ()  # (centre Hz, Q, gain dB)
    snr_db: float = 0.0  # 0: no added noise
    noise_beta: float = 0.0  # noise spectrum 1/f^beta: 0 white, 1 pink, 2 brown
    ogg_quality: float | None = None
    gain_db: float = 0.0
    clip: bool = False
    pitch_cents: int = 0  # constant-tempo shift of pitch and formants together (sox pitch), 0: none


def room_impulse_response(rng: np.random.Generator) -> np.ndarray:
    """A synthetic room: direct path, a few early reflections, then an exponentially decaying noise tail."""
    rt60 = float(rng.uniform(0.1, 0.9))
    n = int(min(rt60, 0.6) * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    tail = rng.standard_normal(n) * np.exp(-6.9 * t / rt60)  # -60 dB at rt60
    onset = int(rng.uniform(0.002, 0.012) * SAMPLE_RATE)  # the tail starts after the first reflections
    tail[:onset] = 0.0
    for _ in range(int(rng.integers(2, 7))):
        k = int(rng.uniform(0.001, 0.02) * SAMPLE_RATE)
        tail[k] += rng.uniform(-0.6, 0.6)
    tail /= np.sqrt(np.sum(tail ** 2)) + 1e-12
    drr_db = float(rng.uniform(-3.0, 15.0))
    h = tail * 10 ** (-drr_db / 20)
    h[0] += 1.0
    return (h / np.sqrt(np.sum(h ** 2))).astype(np.float32)


PITCH_MIN_CENTS = -300  # the low end of a pitch shift draw: deeper voices than the corpus's, a little


def draw_chain(rng: np.random.Generator, speeds: tuple[float, ...] = SPEEDS, pitch_max_cents: int = 0) -> AudioChain:
    """A random chain; each effect on its own coin. ``pitch_max_cents`` > 0: half the chains also shift
    pitch and formants at constant tempo by PITCH_MIN_CENTS..pitch_max_cents (drawn last, so the other
    effects are drawn as without it)."""
    speed = float(speeds[int(rng.integers(len(speeds)))]) if rng.random() < 0.5 else 1.0
    vtlp = float(np.round(rng.uniform(0.85, 1.2), 2)) if rng.random() < 0.5 else 1.0
    rir = room_impulse_response(rng) if rng.random() < 0.4 else None
    highpass = lowpass = 0.0
    band = rng.random()
    if band < 0.1:  # telephone
        highpass, lowpass = 300.0, 3400.0
    else:
        if rng.random() < 0.4:
            highpass = float(rng.uniform(60, 400))
        if rng.random() < 0.4:
            lowpass = float(rng.uniform(2500, 7500))
    peaks = tuple((float(np.exp(rng.uniform(np.log(150), np.log(6000)))), float(rng.uniform(0.5, 3.0)),
                   float(rng.uniform(-12, 12))) for _ in range(int(rng.integers(0, 4))))
    snr = float(rng.uniform(0, 40)) if rng.random() < 0.6 else 0.0
    beta = float(rng.uniform(0, 2))
    ogg = float(rng.uniform(-1, 3)) if rng.random() < 0.06 else None
    chain = AudioChain(speed, vtlp, rir, highpass, lowpass, peaks, snr, beta, ogg,
                       float(rng.uniform(-30, 0)), bool(rng.random() < 0.03))
    if pitch_max_cents > 0 and rng.random() < 0.5:
        chain = replace(chain, pitch_cents=int(rng.integers(PITCH_MIN_CENTS, pitch_max_cents + 1)))
    return chain


def _peaking(f0: float, q: float, gain_db: float) -> tuple[np.ndarray, np.ndarray]:
    """RBJ audio-EQ-cookbook peaking biquad (b, a)."""
    a_ = 10 ** (gain_db / 40)
    w = 2 * np.pi * min(f0, 0.45 * SAMPLE_RATE) / SAMPLE_RATE
    alpha = np.sin(w) / (2 * q)
    b = np.array([1 + alpha * a_, -2 * np.cos(w), 1 - alpha * a_])
    a = np.array([1 + alpha / a_, -2 * np.cos(w), 1 - alpha / a_])
    return b / a[0], a / a[0]


def coloured_noise(n: int, beta: float, rng: np.random.Generator) -> np.ndarray:
    """Unit-RMS noise with a 1/f^beta power spectrum."""
    m = fft.next_fast_len(max(n, 2), real=True)  # odd lengths make the FFT slow
    spec = fft.rfft(rng.standard_normal(m))
    f = fft.rfftfreq(m)
    f[0] = f[1]
    x = fft.irfft(spec / f ** (beta / 2), m)[:n]
    return x / (np.sqrt(np.mean(x ** 2)) + 1e-12)


def ogg_round_trip(x: np.ndarray, quality: float) -> np.ndarray:
    """Encode to OGG Vorbis at ``quality`` (-1 lowest .. 10) and back with sox; same length."""
    fmt = ["-t", "raw", "-e", "signed", "-b", "16", "-c", "1", "-r", str(SAMPLE_RATE)]
    pcm = (np.clip(x, -1, 1) * 32767).astype("<i2").tobytes()
    enc = subprocess.run(["sox", "-V1", *fmt, "-", "-t", "ogg", "-C", f"{quality:.1f}", "-"], input=pcm,
                         capture_output=True, check=True).stdout
    dec = subprocess.run(["sox", "-V1", "-t", "ogg", "-", *fmt, "-"], input=enc, capture_output=True,
                         check=True).stdout
    y = np.frombuffer(dec, "<i2").astype(np.float32) / 32768.0
    return y[:len(x)] if len(y) >= len(x) else np.pad(y, (0, len(x) - len(y)))


def apply_chain(x: np.ndarray, chain: AudioChain, rng: np.random.Generator) -> np.ndarray:
    """The chain's pitch shift, room, EQ, noise, codec and level on a line's audio (speed and vtlp are
    applied by the window cutter and the encoder). Same length; float32."""
    if not len(x):
        return x.astype(np.float32)
    y = pitch_shift(x, chain.pitch_cents).astype(np.float64)
    if chain.rir is not None:
        y = signal.fftconvolve(y, chain.rir)[:len(y)]
    if chain.highpass_hz > 0:
        y = signal.sosfilt(signal.butter(2, chain.highpass_hz, "highpass", fs=SAMPLE_RATE, output="sos"), y)
    if chain.lowpass_hz > 0:
        y = signal.sosfilt(signal.butter(4, chain.lowpass_hz, "lowpass", fs=SAMPLE_RATE, output="sos"), y)
    for f0, q, g in chain.peaks:
        y = signal.lfilter(*_peaking(f0, q, g), y)
    peak = float(np.max(np.abs(y))) or 1.0
    y = y * (0.89 / peak)
    if chain.snr_db > 0:
        rms = float(np.sqrt(np.mean(y ** 2))) + 1e-9
        y = y + coloured_noise(len(y), chain.noise_beta, rng) * rms * 10 ** (-chain.snr_db / 20)
    y = y * 10 ** (chain.gain_db / 20)
    if chain.clip:
        y = np.clip(y * 4.0, -0.89, 0.89)
    y = np.clip(y, -1.0, 1.0)
    if chain.ogg_quality is not None:
        y = ogg_round_trip(y, chain.ogg_quality)
    return y.astype(np.float32)


def pitch_shift(pcm: np.ndarray, cents: int) -> np.ndarray:
    """``sox pitch`` (same duration, pitch and formants moved together, as acted game voices are
    pitched up), cut or padded to the input's length."""
    if cents == 0:
        return pcm
    raw = np.clip(np.round(np.asarray(pcm) * 32768.0), -32768, 32767).astype("<i2").tobytes()
    fmt = ["-t", "raw", "-r", str(SAMPLE_RATE), "-e", "signed-integer", "-b", "16", "-c", "1"]
    res = subprocess.run(["sox", "-D", *fmt, "-", *fmt, "-", "pitch", str(cents)], input=raw, capture_output=True,
                         check=False)
    if res.returncode != 0:
        raise RuntimeError(f"sox pitch {cents} failed: {res.stderr.decode(errors='replace').strip()}")
    out = np.frombuffer(res.stdout, "<i2").astype(np.float32) / 32768.0
    return np.pad(out, (0, max(0, len(pcm) - len(out))))[: len(pcm)]


def resample_speed(x: np.ndarray, speed: float) -> np.ndarray:
    """Audio played ``speed`` times faster (pitch and formants up by ``speed``), about len/speed samples."""
    if speed == 1.0:
        return x
    down = int(round(20 * speed))
    return signal.resample_poly(x, 20, down).astype(np.float32)


def rest_pose(motion: np.ndarray, phones: np.ndarray, silence: int = 0, margin: int = 3) -> np.ndarray:
    """The speaker's relaxed face in this clip: the mean of frames at least ``margin`` frames deep in
    silence (corpus: silence relaxes to the speaker's rest, docs/corpus.md), else the first frame."""
    speech = phones != silence
    if not speech.any():
        return motion.mean(0)
    idx = np.flatnonzero(speech)
    dist = np.min(np.abs(np.arange(len(phones))[:, None] - idx[None, :]), axis=1)
    deep = dist >= margin
    return motion[deep].mean(0) if deep.any() else motion[0]


def spec_masks(rng: np.random.Generator, rows: int, n_mels: int, frames: int, freq_masks: int = 2,
               freq_width: int = 12, time_masks: int = 2, time_width: int = 10) -> np.ndarray:
    """SpecAugment (Park et al. 2019) masks [rows, n_mels, frames] of ones and zeros: per row up to
    ``freq_masks`` bands of at most ``freq_width`` mel bins and ``time_masks`` spans of at most
    ``time_width`` log-mel frames (10 ms each) are zeroed, i.e. set to the window's mean (the log-mel
    is normalised per bin). Time spans stay short of a phone, so each frame's label still holds."""
    m = np.ones((rows, n_mels, frames), np.float32)
    for r in range(rows):
        for _ in range(freq_masks):
            w = int(rng.integers(0, freq_width + 1))
            f0 = int(rng.integers(0, n_mels - w + 1))
            m[r, f0:f0 + w] = 0.0
        for _ in range(time_masks):
            w = int(rng.integers(0, time_width + 1))
            t0 = int(rng.integers(0, frames - w + 1))
            m[r, :, t0:t0 + w] = 0.0
    return m
