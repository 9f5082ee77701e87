"""Audio encoder: raw 16 kHz PCM -> silence gate -> log-mel (inside the graph) -> convs to 25 fps -> transformer.

The log-mel front end is an STFT written as a conv1d with fixed DFT kernels, so the ONNX graph takes
PCM directly and the Java side needs no DSP. Each call normalises its input on its own (per mel bin
over time), so a stream can be encoded window by window with the same statistics as training.
"""
from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Iterator

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from parley.layout import SAMPLE_RATE

from .config import AudioConfig
from .layers import GELU, Block, gelu

LOG_FLOOR = 1e-5
NORM_EPS = 1e-5


def _hz_to_mel(f: np.ndarray) -> np.ndarray:
    """Slaney's mel scale: linear below 1 kHz, logarithmic above (no empty filters at 512-point FFT)."""
    f = np.asarray(f, dtype=np.float64)
    lin = f / (200.0 / 3.0)
    log = 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) / (math.log(6.4) / 27.0)
    return np.where(f >= 1000.0, log, lin)


def _mel_to_hz(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float64)
    lin = m * (200.0 / 3.0)
    log = 1000.0 * np.exp((m - 15.0) * (math.log(6.4) / 27.0))
    return np.where(m >= 15.0, log, lin)


def mel_filterbank(n_fft: int, n_mels: int, sample_rate: int = SAMPLE_RATE,
                   fmin: float = 0.0, fmax: float | None = None) -> np.ndarray:
    """Triangular, area-normalised mel filters [n_mels, n_fft//2 + 1]."""
    fmax = sample_rate / 2 if fmax is None else fmax
    bins = np.arange(n_fft // 2 + 1) * sample_rate / n_fft
    edges = _mel_to_hz(np.linspace(_hz_to_mel(fmin), _hz_to_mel(fmax), n_mels + 2))
    lo, mid, hi = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    up = (bins[None] - lo) / (mid - lo)
    down = (hi - bins[None]) / (hi - mid)
    fb = np.maximum(0.0, np.minimum(up, down)) * (2.0 / (hi - lo))
    return fb.astype(np.float32)


def warped_filterbank(alpha: float, n_fft: int, n_mels: int, sample_rate: int = SAMPLE_RATE,
                      cutoff: float = 4800.0) -> np.ndarray:
    """The mel filterbank that hears a speaker as if the formants sat ``alpha`` times higher (vocal tract
    length perturbation, Jaitly & Hinton 2013): filter m of the result weighs bin f as the plain filter
    weighs w(f), with w(f) = alpha f up to a knee, then linear to the Nyquist frequency. On a spectrum
    S(f) it gives the plain filterbank on S(f / alpha), the same voice with a scaled vocal tract."""
    fb = mel_filterbank(n_fft, n_mels, sample_rate)
    if abs(alpha - 1.0) < 1e-6:
        return fb
    nyq = sample_rate / 2
    bins = np.arange(n_fft // 2 + 1) * sample_rate / n_fft
    knee = cutoff * min(alpha, 1.0) / alpha
    w = np.where(bins <= knee, alpha * bins, alpha * knee + (bins - knee) * (nyq - alpha * knee) / (nyq - knee))
    out = np.stack([np.interp(w, bins, row) for row in fb])
    # Keep each filter's area (a warped filter spans 1/alpha times the bins): the level stays the same.
    area = fb.sum(1, keepdims=True) / np.maximum(out.sum(1, keepdims=True), 1e-12)
    return (out * area).astype(np.float32)


def dft_kernels(n_fft: int) -> np.ndarray:
    """Hann-windowed real DFT as conv1d weights [2*(n_fft//2+1), 1, n_fft]: cosines then sines."""
    n = np.arange(n_fft)
    k = np.arange(n_fft // 2 + 1)[:, None]
    window = 0.5 - 0.5 * np.cos(2 * np.pi * n / n_fft)  # periodic Hann
    phase = 2 * np.pi * k * n[None] / n_fft
    kernels = np.concatenate([np.cos(phase) * window, -np.sin(phase) * window], axis=0)
    return kernels[:, None, :].astype(np.float32)


class SilenceGate(nn.Module):
    """PCM [B, S] (S a multiple of ``block``) -> the same PCM with its quiet 10 ms blocks silenced.

    Recorded lines carry room tone, breath and reverb tails between and after words, where synthetic
    speech has digital silence; the encoder, trained on the latter, hears that noise as speech and the lips
    press shut. A block is kept when its power is within ``below_db`` of the window's loudest block (that
    reference never below ``floor_dbfs``, so a window of noise alone is silenced too), and so are the
    ``hold`` blocks after and ``lead`` blocks before a kept one (decays and onsets); the edges are
    softened over 3 blocks. Each window is gated on its own, as it is normalised on its own.

    Not part of the exported graph: the runtime applies the same gate (Java ``SilenceGate``) from the
    manifest's ``audio.gate``, whose fields :meth:`manifest` writes."""

    def __init__(self, below_db: float, floor_dbfs: float, block: int, hold: int = 5, lead: int = 2):
        super().__init__()
        if below_db <= 0 or block < 1 or hold < 0 or lead < 0:
            raise ValueError(f"gate needs below_db > 0, block >= 1, hold and lead >= 0; got {below_db}, {block}, "
                             f"{hold}, {lead}")
        self.below_db, self.floor_dbfs = float(below_db), float(floor_dbfs)
        self.block, self.hold, self.lead = block, hold, lead

    def manifest(self) -> dict:
        """The manifest's ``audio.gate`` section (docs/model-pack.md)."""
        return {"belowPeakDb": self.below_db, "floorDbfs": self.floor_dbfs, "blockSamples": self.block,
                "holdBlocks": self.hold, "leadBlocks": self.lead}

    def gains(self, pcm: torch.Tensor) -> torch.Tensor:
        """Per-block gains [B, S / block] in [0, 1]."""
        b, n = pcm.shape[0], pcm.shape[1] // self.block
        power = (pcm.reshape(b, n, self.block) ** 2).mean(dim=-1)
        level = 10.0 * torch.log10(power + 1e-10)  # dB of mean power, full scale 0 dB; silence -100 dB
        ref = torch.clamp(level.max(dim=1, keepdim=True).values, min=self.floor_dbfs)
        kept = (level > ref - self.below_db).float().unsqueeze(1)
        kept = F.max_pool1d(F.pad(kept, (self.hold, self.lead)), self.hold + self.lead + 1, stride=1)
        return F.avg_pool1d(F.pad(kept, (1, 1), mode="replicate"), 3, stride=1).squeeze(1)

    def forward(self, pcm: torch.Tensor) -> torch.Tensor:
        b, s = pcm.shape
        g = self.gains(pcm)
        return pcm * g.unsqueeze(-1).expand(b, g.shape[1], self.block).reshape(b, s)


def make_gate(cfg: AudioConfig) -> SilenceGate | None:
    """The config's silence gate, or None where ``gate_db`` is 0 (off)."""
    return SilenceGate(cfg.gate_db, cfg.gate_floor_dbfs, cfg.hop) if cfg.gate_db > 0 else None


def set_gate(model, gate_db: float) -> None:
    """Gives a ParleyModel's audio encoder a silence gate of ``gate_db`` (0: none), in its config too (the
    manifest records it): the same weights, another front end."""
    from dataclasses import replace

    if gate_db < 0:
        raise ValueError(f"gate_db must be >= 0 (0: off) but got {gate_db}")
    audio = replace(model.cfg.audio, gate_db=float(gate_db))
    model.cfg = replace(model.cfg, audio=audio)
    model.audio.cfg = audio
    model.audio.gate = make_gate(audio)


@contextmanager
def gate_off(encoder: "AudioEncoder") -> Iterator[None]:
    """The encoder without its silence gate inside the block: what its exported graph computes, so the graph
    stays byte for byte the one other assets (pose adapters) were checked against."""
    was, encoder.exporting = encoder.exporting, True
    try:
        yield
    finally:
        encoder.exporting = was


class LogMel(nn.Module):
    """PCM [B, S] -> per-window normalised log-mel [B, n_mels, S/hop]; frame k is centred on hop*k + hop/2."""

    def __init__(self, cfg: AudioConfig):
        super().__init__()
        self.hop = cfg.hop
        self.n_bins = cfg.n_fft // 2 + 1
        # Symmetric zero padding so S/hop frames come out exactly (no reflection: windows are independent).
        self.pad = (cfg.n_fft - cfg.hop) // 2
        self.register_buffer("dft", torch.from_numpy(dft_kernels(cfg.n_fft)), persistent=False)
        self.register_buffer("mel", torch.from_numpy(mel_filterbank(cfg.n_fft, cfg.n_mels)), persistent=False)

    def forward(self, pcm: torch.Tensor, mel_fb: torch.Tensor | None = None) -> torch.Tensor:
        """``mel_fb`` [B, n_mels, bins] (training only): per-row filterbanks in place of the fixed one
        (vocal-tract-length warping, :func:`warped_filterbank`); the exported graph never has it."""
        x = F.pad(pcm.unsqueeze(1), (self.pad, self.pad))
        spec = F.conv1d(x, self.dft, stride=self.hop)  # B, 2*bins, F
        re, im = spec[:, : self.n_bins], spec[:, self.n_bins:]
        mel = torch.matmul(self.mel if mel_fb is None else mel_fb, re * re + im * im)  # B, n_mels, F
        logmel = torch.log(mel + LOG_FLOOR)
        mean = logmel.mean(dim=-1, keepdim=True)
        var = ((logmel - mean) ** 2).mean(dim=-1, keepdim=True)
        return (logmel - mean) / torch.sqrt(var + NORM_EPS)


class AudioEncoder(nn.Module):
    """PCM [B, S] (S a multiple of 640) -> audio features [B, S/640, Da] at 25 fps."""

    def __init__(self, cfg: AudioConfig):
        super().__init__()
        self.cfg = cfg
        c = cfg.conv_channels
        self.gate = make_gate(cfg)
        self.exporting = False  # set by gate_off: the runtime gates the PCM itself (SilenceGate's note)
        self.logmel = LogMel(cfg)
        self.convs = nn.Sequential(
            nn.Conv1d(cfg.n_mels, c, 3, padding=1), GELU(),
            nn.Conv1d(c, c, 3, stride=2, padding=1), GELU(),  # 100 fps -> 50
            nn.Conv1d(c, c, 3, stride=2, padding=1), GELU(),  # 50 fps -> 25
        )
        self.proj = nn.Linear(c, cfg.width)
        self.ln_in = nn.LayerNorm(cfg.width)
        # Depthwise conv positional encoding: relative, so any number of frames works.
        self.pos_conv = nn.Conv1d(cfg.width, cfg.width, cfg.pos_conv_kernel,
                                  padding=cfg.pos_conv_kernel // 2, groups=cfg.width)
        self.blocks = nn.ModuleList(Block(cfg.width, cfg.heads, cfg.ffn, cfg.dropout) for _ in range(cfg.layers))
        self.ln_out = nn.LayerNorm(cfg.width)
        self.phone_head = nn.Linear(cfg.width, cfg.n_phones)  # auxiliary, training only

    def forward(self, pcm: torch.Tensor, mel_fb: torch.Tensor | None = None,
                mel_mask: torch.Tensor | None = None) -> torch.Tensor:
        """``mel_fb`` and ``mel_mask`` [B, n_mels, S/hop] (training only): warped filterbanks and
        SpecAugment masks (:func:`parley.model.randomise.spec_masks`) on the normalised log-mel."""
        mel = self.logmel(pcm if self.gate is None or self.exporting else self.gate(pcm), mel_fb)
        h = self.convs(mel if mel_mask is None else mel * mel_mask).transpose(1, 2)  # B, T, C
        h = self.ln_in(self.proj(h))
        h = h + gelu(self.pos_conv(h.transpose(1, 2))).transpose(1, 2)
        for block in self.blocks:
            h = block(h)
        return self.ln_out(h)

    def phone_logits(self, features: torch.Tensor) -> torch.Tensor:
        """Frame-wise phone class logits [B, T, n_phones] from features."""
        return self.phone_head(features)
