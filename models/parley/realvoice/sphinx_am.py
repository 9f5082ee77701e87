"""pocketsphinx's en-us acoustic model as an audio encoder for the phone probe.

Debian's ``pocketsphinx-en-us`` is the only phonetic model on this machine that learnt from human speech.
Issue 17 asks whether Parley's encoder misses the real-voice lines because it only ever heard TTS; scoring
the same lines with this model, through the same linear probe and labels (:mod:`parley.realvoice.probe`),
says whether a front-end trained on human voices would hear them. The model is read from the package when
the probe runs and never shipped.

The model is phonetically tied (PTM): one codebook of 128 diagonal Gaussians per context-independent (CI)
phone in each of three feature streams (cepstra, deltas, double deltas), and per senone a mixture weight
for each Gaussian. The encoder scores the CI senones (three states per CI phone) on 10 ms frames, relative
to the frame's best, and averages them over each 40 ms motion frame.

The cepstra reproduce sphinxbase's front-end (``feat.params``; its noise removal off), which the tests check
against ``libsphinxbase`` itself.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import torch

from parley.corpus.phones import PHONES, SIL
from parley.layout import SAMPLE_RATE, SAMPLES_PER_FRAME
from parley.realvoice.align import AlignConfig

MODEL_DIR = AlignConfig().model_dir / AlignConfig().acoustic_model
_MAGIC = 0x11223344  # sphinx binary files: byte-order mark after the text header
_SPHINX_SCALE = 32768.0  # the front-end works on int16 sample values
_LOG_FLOOR = 1e-5  # power floor before the log (sphinxbase's float build)


@dataclass(frozen=True)
class FrontEnd:
    """sphinxbase's MFCC settings for a model (the defaults are what ``feat.params`` leaves unsaid)."""
    lowerf: float = 130.0
    upperf: float = 6800.0
    nfilt: int = 25
    lifter: int = 22
    ncep: int = 13
    alpha: float = 0.97  # pre-emphasis
    hop: int = 160  # 100 frames per second
    wlen: int = 410  # 0.025625 s
    nfft: int = 512

    @staticmethod
    def read(path: Path) -> "FrontEnd":
        """Parse ``feat.params``, refusing a model whose front-end this module does not reproduce."""
        words = path.read_text().split()
        params = dict(zip(words[::2], words[1::2]))
        need = {"-feat": "1s_c_d_dd", "-transform": "dct", "-cmn": "batch", "-model": "ptm", "-agc": "none",
                "-svspec": "0-12/13-25/26-38"}
        for key, want in need.items():
            if params.get(key, want) != want:
                raise ValueError(f"{path}: {key} is {params[key]!r}, expected {want!r}")
        return FrontEnd(lowerf=float(params.get("-lowerf", 130.0)), upperf=float(params.get("-upperf", 6800.0)),
                        nfilt=int(params.get("-nfilt", 25)), lifter=int(params.get("-lifter", 22)))

    @cached_property
    def filterbank(self) -> np.ndarray:
        """[nfilt, nfft/2+1] triangles, equal area, edges rounded to FFT bins (sphinxbase's defaults)."""
        def mel(f):
            return 2595.0 * np.log10(1.0 + f / 700.0)

        step = SAMPLE_RATE / self.nfft
        edges = 700.0 * (10.0 ** (np.linspace(mel(self.lowerf), mel(self.upperf), self.nfilt + 2) / 2595.0) - 1.0)
        edges = np.round(edges / step) * step
        freq = np.arange(self.nfft // 2 + 1) * step
        fb = np.zeros((self.nfilt, len(freq)))
        for k, (lo, mid, hi) in enumerate(zip(edges, edges[1:], edges[2:])):
            up, down = (freq > lo) & (freq <= mid), (freq > mid) & (freq < hi)
            fb[k, up] = (freq[up] - lo) / (mid - lo)
            fb[k, down] = (hi - freq[down]) / (hi - mid)
            fb[k] *= 2.0 / (hi - lo)
        return fb

    def mfcc(self, pcm: np.ndarray) -> np.ndarray:
        """Liftered cepstra [frames, ncep] of float PCM in [-1, 1] at SAMPLE_RATE (not modified)."""
        x = np.asarray(pcm, np.float64) * _SPHINX_SCALE
        x = np.append(x[:1], x[1:] - self.alpha * x[:-1])
        frames = max(1, 1 + (len(x) - self.wlen) // self.hop)
        idx = np.arange(self.wlen)[None] + self.hop * np.arange(frames)[:, None]
        x = np.pad(x, (0, max(0, int(idx.max()) + 1 - len(x))))
        power = np.abs(np.fft.rfft(x[idx] * np.hamming(self.wlen), self.nfft)) ** 2
        logmel = np.log(np.maximum(power @ self.filterbank.T, _LOG_FLOOR))
        return logmel @ self.cepstra

    @cached_property
    def cepstra(self) -> np.ndarray:
        """[nfilt, ncep]: log-mel to liftered cepstra (orthonormal DCT-II, then the sine lifter)."""
        j = np.arange(self.nfilt)
        dct = np.cos(np.pi * np.arange(self.ncep)[:, None] * (j + 0.5) / self.nfilt) * np.sqrt(2.0 / self.nfilt)
        dct[0] *= np.sqrt(0.5)
        lifter = 1.0 + self.lifter / 2.0 * np.sin(np.pi * np.arange(self.ncep) / self.lifter)
        return dct.T * lifter


def _ints(data: bytes, at: int, n: int, path: Path) -> list[int]:
    """n little-endian int32 at offset ``at``, or an error naming the file if it ends first."""
    if len(data) < at + 4 * n:
        raise ValueError(f"{path}: ends at byte {len(data)}, inside its header (needs {at + 4 * n})")
    return [int(v) for v in np.frombuffer(data[at:at + 4 * n], "<i4")]


def _after_header(data: bytes, path: Path) -> int:
    """Offset just past a sphinx s3 file's text header and byte-order mark."""
    end = data.find(b"endhdr\n")
    if end < 0 or data[end + 7:end + 11] != _MAGIC.to_bytes(4, "little"):
        raise ValueError(f"{path}: not a little-endian sphinx s3 file (no 'endhdr' and byte-order mark)")
    return end + 11


def read_gaussians(path: Path) -> np.ndarray:
    """A ``means`` or ``variances`` file as [codebooks, streams, densities, veclen] (equal stream widths)."""
    data = path.read_bytes()
    at = _after_header(data, path)
    books, streams, dens = _ints(data, at, 3, path)
    widths = _ints(data, at + 12, streams, path)
    at += 12 + 4 * streams
    (total,) = _ints(data, at, 1, path)
    if len(set(widths)) != 1 or total != books * dens * sum(widths):
        raise ValueError(f"{path}: {total} values for {books} codebooks x {dens} densities x streams {widths}")
    if len(data) < at + 4 + 4 * total:
        raise ValueError(f"{path}: declares {total} values, holds {(len(data) - at - 4) // 4}")
    vals = np.frombuffer(data[at + 4:at + 4 + 4 * total], "<f4")
    return vals.reshape(books, streams, dens, widths[0]).astype(np.float64)


def read_mixture_weights(path: Path, streams: int, dens: int) -> np.ndarray:
    """``sendump`` (8-bit, unclustered) as natural-log weights [streams, densities, senones]."""
    data = path.read_bytes()
    at = 0
    while (n := _ints(data, at, 1, path)[0]) != 0:
        text = data[at + 4:at + 4 + n].rstrip(b"\0").decode("ascii", "replace")
        if text.startswith("cluster_count") and text.split()[1] != "0":
            raise ValueError(f"{path}: clustered mixture weights ({text}) are not read here")
        at += 4 + n
    codewords, senones = _ints(data, at + 4, 2, path)
    if codewords != dens or len(data) - at - 12 < streams * dens * senones:
        raise ValueError(f"{path}: {codewords} codewords x {senones} senones, expected {dens} codewords and "
                         f"{streams * dens * senones} bytes")
    w = np.frombuffer(data[at + 12:at + 12 + streams * dens * senones], np.uint8).reshape(streams, dens, senones)
    return -w.astype(np.float64) * 1024.0 * np.log(1.0001)  # -log base 1.0001, shifted right 10 bits


def read_ci_phones(path: Path) -> tuple[list[str], int]:
    """The binary ``mdef``'s CI phone names and its number of CI senones."""
    data = path.read_bytes()
    if data[:4] != b"BMDF":
        raise ValueError(f"{path}: not a binary model definition (no BMDF)")
    at = 12 + _ints(data, 8, 1, path)[0]
    n_ci, _, _, n_ci_sen = _ints(data, at, 4, path)
    names = data[at + 40:].split(b"\0")[:n_ci]  # after ten int32 counts
    return [n.decode("ascii") for n in names], n_ci_sen


class SphinxEncoder:
    """The encoder protocol of the probe: ``encoder(pcm [B, S]) -> [B, S/640, senones]`` CI-senone scores."""

    def __init__(self, model_dir: Path = MODEL_DIR) -> None:
        self.front = FrontEnd.read(model_dir / "feat.params")
        self.means = read_gaussians(model_dir / "means")
        self.vars = np.maximum(read_gaussians(model_dir / "variances"), 1e-4)  # sphinx's variance floor
        books, streams, dens, _ = self.means.shape
        self.phones, self.ci_senones = read_ci_phones(model_dir / "mdef")
        if len(self.phones) != books or self.ci_senones % books:
            raise ValueError(f"{model_dir}: {len(self.phones)} CI phones and {self.ci_senones} CI senones "
                             f"for {books} codebooks")
        self.log_w = read_mixture_weights(model_dir / "sendump", streams, dens)[:, :, :self.ci_senones]
        self.book = np.arange(self.ci_senones) // (self.ci_senones // books)  # CI senones are phone-major
        # Per stream, the Gaussians' log-density as a quadratic in the frame x: const - 0.5 (x^2 a - 2 x b), with
        # a = 1/var and b = mean/var laid out [width, books*dens]; computed once, not per window.
        width = self.means.shape[-1]
        inv = 1.0 / self.vars
        self._a = [inv[:, s].reshape(-1, width).T for s in range(streams)]
        self._b = [(self.means[:, s] * inv[:, s]).reshape(-1, width).T for s in range(streams)]
        self._const = [(-0.5 * np.log(2.0 * np.pi * self.vars[:, s]).sum(-1)
                        - 0.5 * (self.means[:, s] ** 2 * inv[:, s]).sum(-1)).reshape(-1) for s in range(streams)]
        names = [n if n in PHONES else SIL for n in self.phones]
        owner = torch.tensor([PHONES.index(names[b]) for b in self.book])
        self._owns = torch.full((len(owner), len(PHONES)), float("-inf"))  # 0 where a senone is the phone's
        self._owns[torch.arange(len(owner)), owner] = 0.0

    def features(self, pcm: np.ndarray) -> list[np.ndarray]:
        """The three streams [frames, 13]: cepstra less their mean over frames that hold signal, deltas
        (t+2 - t-2) and double deltas, edges repeated."""
        cep = self.front.mfcc(pcm)
        # Frames of digital silence (window padding) sit on the power floor and would drag the mean.
        signal = cep[:, 0] > np.sqrt(self.front.nfilt) * np.log(_LOG_FLOOR) + 1e-6
        cep = cep - cep[signal if signal.any() else slice(None)].mean(0)
        n, pad = len(cep), np.pad(cep, ((3, 3), (0, 0)), mode="edge")

        def at(k: int) -> np.ndarray:
            return pad[3 + k:3 + k + n]

        return [cep, at(2) - at(-2), (at(3) - at(-1)) - (at(1) - at(-3))]

    def senone_scores(self, pcm: np.ndarray) -> np.ndarray:
        """Log-likelihood [frames, CI senones] of each 10 ms frame."""
        books, _, dens, _ = self.means.shape
        streams = self.features(pcm)
        out = np.zeros((len(streams[0]), self.ci_senones))
        for s, x in enumerate(streams):
            ll = (self._const[s] - 0.5 * ((x ** 2) @ self._a[s] - 2.0 * x @ self._b[s])).reshape(len(x), books, dens)
            a = ll[:, self.book] + self.log_w[s].T[None]  # [frames, senones, dens]
            top = a.max(-1)
            out += top + np.log(np.exp(a - top[..., None]).sum(-1))
        return out

    def phone_logits(self, scores: torch.Tensor) -> torch.Tensor:
        """[N, len(PHONES)] from [N, CI senones]: each phone's best senone; silence and the noise fillers
        are :data:`SIL`. A phone head for :func:`parley.realvoice.probe.head_accuracy`."""
        return (scores[:, :, None] + self._owns[None]).amax(1)

    def __call__(self, pcm: torch.Tensor) -> torch.Tensor:
        per = SAMPLES_PER_FRAME // self.front.hop
        rows = []
        for x in pcm.numpy():
            frames = len(x) // SAMPLES_PER_FRAME
            sc = self.senone_scores(x)
            sc = sc - sc.max(1, keepdims=True)
            sc = np.pad(sc, ((0, max(0, frames * per - len(sc))), (0, 0)), mode="edge")[:frames * per]
            rows.append(sc.reshape(frames, per, -1).mean(1))
        return torch.from_numpy(np.stack(rows).astype(np.float32))
