"""A VQ-VAE over head-pose sequences: 1D convolutions that downsample time 4x, an EMA codebook, and a
decoder that upsamples back to 25 fps.

Pose enters normalised per angle (``(pose - mean) / std``, the training clips' statistics, stored in the
model) and leaves in radians. One code covers ``downsample`` frames (160 ms at 4x); a clip of T frames has
ceil(T / 4) codes (the clip's last frame repeats up to a multiple of 4 and the decoder's extra frames are
dropped).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class VQConfig:
    codes: int = 256  # codebook size (docs/adapters.md: why not AdaMesh's 1,024)
    code_dim: int = 16
    width: int = 64
    downsample: int = 4  # frames per code: 2 ** (number of stride-2 convolutions)
    decay: float = 0.99  # EMA of the codebook
    commitment: float = 0.25
    velocity_weight: float = 1.0  # the reconstruction's frame-to-frame change weighs as much as its value


class _Res(nn.Module):
    def __init__(self, width: int):
        super().__init__()
        self.body = nn.Sequential(nn.ReLU(), nn.Conv1d(width, width, 3, padding=1), nn.ReLU(),
                                  nn.Conv1d(width, width, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


def _stages(downsample: int) -> int:
    k = int(round(np.log2(downsample)))
    if downsample < 1 or 2 ** k != downsample:
        raise ValueError(f"downsample must be a power of 2 but is {downsample}")
    return k


class PoseVQVAE(nn.Module):
    def __init__(self, cfg: VQConfig, mean: np.ndarray | None = None, std: np.ndarray | None = None):
        super().__init__()
        self.cfg = cfg
        w, k = cfg.width, _stages(cfg.downsample)
        enc: list[nn.Module] = [nn.Conv1d(3, w, 3, padding=1)]
        for _ in range(k):
            enc += [nn.ReLU(), nn.Conv1d(w, w, 4, stride=2, padding=1), _Res(w)]
        enc += [nn.ReLU(), nn.Conv1d(w, cfg.code_dim, 1)]
        self.encoder = nn.Sequential(*enc)
        dec: list[nn.Module] = [nn.Conv1d(cfg.code_dim, w, 3, padding=1), _Res(w)]
        for _ in range(k):
            dec += [nn.Upsample(scale_factor=2.0, mode="nearest"), nn.Conv1d(w, w, 3, padding=1), _Res(w)]
        dec += [nn.ReLU(), nn.Conv1d(w, 3, 3, padding=1)]
        self.decoder = nn.Sequential(*dec)
        self.register_buffer("codebook", torch.randn(cfg.codes, cfg.code_dim) * 0.1)
        self.register_buffer("ema_count", torch.ones(cfg.codes))
        self.register_buffer("ema_sum", self.codebook.clone())
        self.register_buffer("initialised", torch.tensor(False))
        self.register_buffer("mean", torch.as_tensor(np.zeros(3) if mean is None else mean, dtype=torch.float32))
        self.register_buffer("std", torch.as_tensor(np.ones(3) if std is None else std, dtype=torch.float32))

    # ---------------------------------------------------------------- encoding
    def pad(self, pose: torch.Tensor) -> torch.Tensor:
        """[B, T, 3] -> [B, 4 * ceil(T / 4), 3]: the last frame repeated."""
        d = self.cfg.downsample
        extra = (-pose.shape[1]) % d
        return torch.cat([pose, pose[:, -1:].expand(-1, extra, -1)], 1) if extra else pose

    def latents(self, pose: torch.Tensor) -> torch.Tensor:
        """Encoder outputs [B, L, code_dim] of pose [B, T, 3] in radians."""
        x = (self.pad(pose) - self.mean) / self.std
        return self.encoder(x.transpose(1, 2)).transpose(1, 2)

    def nearest(self, z: torch.Tensor) -> torch.Tensor:
        """Code indices [B, L] of latents [B, L, code_dim]."""
        d = (z ** 2).sum(-1, keepdim=True) - 2 * z @ self.codebook.t() + (self.codebook ** 2).sum(-1)
        return d.argmin(-1)

    @torch.no_grad()
    def encode(self, pose: torch.Tensor) -> torch.Tensor:
        """Codes [B, ceil(T / 4)] of pose [B, T, 3] in radians."""
        return self.nearest(self.latents(pose))

    # ---------------------------------------------------------------- decoding
    def decode_latents(self, q: torch.Tensor) -> torch.Tensor:
        """Pose [B, 4L, 3] in radians from quantised latents [B, L, code_dim]."""
        return self.decoder(q.transpose(1, 2)).transpose(1, 2) * self.std + self.mean

    def decode(self, codes: torch.Tensor) -> torch.Tensor:
        """Pose [B, 4L, 3] in radians from codes [B, L] (int64): the decoder graph."""
        return self.decode_latents(F.embedding(codes, self.codebook))

    # ---------------------------------------------------------------- training
    def forward(self, pose: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """(reconstruction [B, 4L, 3] radians, losses) for pose [B, T, 3] with T a multiple of 4; the
        codebook follows the batch's latents by EMA in training mode."""
        z = self.latents(pose)
        idx = self.nearest(z.detach())
        q = F.embedding(idx, self.codebook)
        if self.training:
            self._ema(z.detach(), idx)
        rec = self.decode_latents(z + (q - z).detach())  # straight-through
        target = (pose - self.mean) / self.std
        out = (rec - self.mean) / self.std
        value = F.mse_loss(out, target)
        velocity = F.mse_loss(out[:, 1:] - out[:, :-1], target[:, 1:] - target[:, :-1])
        commit = F.mse_loss(z, q.detach())
        loss = value + self.cfg.velocity_weight * velocity + self.cfg.commitment * commit
        return rec, {"loss": loss, "reconstruction": value, "velocity": velocity, "commitment": commit}

    @torch.no_grad()
    def _ema(self, z: torch.Tensor, idx: torch.Tensor) -> None:
        flat, i = z.reshape(-1, z.shape[-1]), idx.reshape(-1)
        if not bool(self.initialised):  # start from the first batch's latents: no code starts dead
            pick = torch.randint(0, len(flat), (self.cfg.codes,))
            self.codebook.copy_(flat[pick])
            self.ema_sum.copy_(flat[pick])
            self.initialised.fill_(True)
            i = self.nearest(z).reshape(-1)
        onehot = F.one_hot(i, self.cfg.codes).to(flat.dtype)
        decay = self.cfg.decay
        self.ema_count.mul_(decay).add_(onehot.sum(0), alpha=1 - decay)
        self.ema_sum.mul_(decay).add_(onehot.t() @ flat, alpha=1 - decay)
        n = self.ema_count.sum()
        count = (self.ema_count + 1e-5) / (n + self.cfg.codes * 1e-5) * n
        self.codebook.copy_(self.ema_sum / count[:, None])
        # Dead codes (used under 5% as often as the average code lately) restart at this batch's latents.
        dead = self.ema_count < 0.05 * self.ema_count.mean()
        if dead.any():
            pick = torch.randint(0, len(flat), (int(dead.sum()),))
            self.codebook[dead] = flat[pick]
            self.ema_sum[dead] = flat[pick]
            self.ema_count[dead] = 1.0
