"""Frame phone accuracy of a frozen audio encoder: a linear probe.

Shipped packs export the audio encoder without a phone head (1.3.0's was an auxiliary training loss),
so every encoder is measured the same way: features of corpus train clips (window after window, as the
runtime encodes), a multinomial logistic regression on them (standardised features, L2 weight decay,
full-batch L-BFGS, fixed seed and iterations), then its frame accuracy on other frames whose phone is
known (corpus held-out voices, aligned real voices). Any ``parley.model`` audio encoder works: the
probe only calls ``encoder(pcm [B, S]) -> [B, S/640, D]``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from parley.corpus.phones import PHONES, SIL
from parley.layout import SAMPLES_PER_FRAME

Encoder = Callable[[torch.Tensor], torch.Tensor]


@dataclass
class ProbeConfig:
    train_clips: int = 240  # corpus train clips (round robin over speakers)
    iterations: int = 150  # L-BFGS iterations
    weight_decay: float = 1e-3
    batch_windows: int = 16


@torch.no_grad()
def encode(encoder: Encoder, pcm: np.ndarray, frames: int, window: int, batch: int = 16) -> np.ndarray:
    """Features [frames, D] of one clip, encoded window by window (zero-padded to whole windows)."""
    spw = window * SAMPLES_PER_FRAME
    n_win = max(1, -(-frames // window))
    x = np.zeros(n_win * spw, np.float32)
    x[: min(len(pcm), len(x))] = pcm[: len(x)]
    wins = torch.from_numpy(x.reshape(n_win, spw))
    out = torch.cat([encoder(wins[i:i + batch]) for i in range(0, n_win, batch)])
    return out.reshape(n_win * window, -1)[:frames].numpy()


@dataclass
class LinearProbe:
    mean: np.ndarray
    std: np.ndarray
    weight: torch.Tensor  # [D, n_phones]
    bias: torch.Tensor

    @torch.no_grad()
    def predict(self, feats: np.ndarray) -> np.ndarray:
        z = torch.from_numpy(((feats - self.mean) / self.std).astype(np.float32))
        return (z @ self.weight + self.bias).argmax(-1).numpy()


def train_probe(feats: np.ndarray, labels: np.ndarray, cfg: ProbeConfig = ProbeConfig()) -> LinearProbe:
    """Softmax regression over all of PHONES (silence included) on [N, D] features."""
    torch.manual_seed(0)
    mean, std = feats.mean(0), feats.std(0) + 1e-6
    z = torch.from_numpy(((feats - mean) / std).astype(np.float32))
    y = torch.from_numpy(np.asarray(labels, np.int64))
    w = torch.zeros(z.shape[1], len(PHONES), requires_grad=True)
    b = torch.zeros(len(PHONES), requires_grad=True)
    opt = torch.optim.LBFGS([w, b], lr=1.0, max_iter=cfg.iterations, history_size=20,
                            line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(z @ w + b, y) + cfg.weight_decay * (w * w).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return LinearProbe(mean, std, w.detach(), b.detach())


def accuracy(probe: LinearProbe, feats: np.ndarray, labels: np.ndarray) -> dict[str, float | int]:
    """Frame accuracy over all frames and over speech frames (label not silence)."""
    pred = probe.predict(feats)
    labels = np.asarray(labels)
    speech = labels != PHONES.index(SIL)
    return {"frame_accuracy": float((pred == labels).mean()) if len(labels) else float("nan"),
            "speech_frame_accuracy": float((pred[speech] == labels[speech]).mean()) if speech.any() else float("nan"),
            "frames": int(len(labels)), "speech_frames": int(speech.sum())}
