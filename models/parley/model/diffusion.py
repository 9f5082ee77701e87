"""Gaussian diffusion over normalised motion windows: cosine schedule, noising, training losses."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from torch.nn import functional as F

from parley.layout import FACE, HEAD

from .config import DiffusionConfig, TrainConfig


def cosine_alphas_cumprod(steps: int, s: float = 0.008, max_beta: float = 0.999) -> np.ndarray:
    """Nichol & Dhariwal's cosine schedule: alphas_cumprod[t] for t = 0..N-1 (float64, decreasing)."""
    def f(t: float) -> float:
        return math.cos((t / steps + s) / (1 + s) * math.pi / 2) ** 2

    betas = np.array([min(1 - f(t + 1) / f(t), max_beta) for t in range(steps)])
    return np.cumprod(1.0 - betas)


@dataclass
class Schedule:
    """The schedule as the runtime sees it: float32 alphas_cumprod (what the manifest stores)."""
    alphas_cumprod: np.ndarray  # float32 [N]

    @classmethod
    def from_config(cls, cfg: DiffusionConfig) -> "Schedule":
        if cfg.schedule != "cosine":
            raise ValueError(f"unknown schedule '{cfg.schedule}'; known: cosine")
        return cls(cosine_alphas_cumprod(cfg.steps, cfg.cosine_s).astype(np.float32))

    @property
    def steps(self) -> int:
        return len(self.alphas_cumprod)

    def q_sample(self, x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """x_t = sqrt(ab_t) x0 + sqrt(1 - ab_t) noise, per row."""
        ab = torch.from_numpy(self.alphas_cumprod.astype(np.float64))[t].to(x0.dtype).reshape(-1, 1, 1)
        return ab.sqrt() * x0 + (1 - ab).sqrt() * noise


def condition_dropout(batch: int, cfg: TrainConfig, generator: torch.Generator | None = None
                      ) -> tuple[torch.Tensor, torch.Tensor]:
    """(audio_mask, style_mask) [B] floats for classifier-free guidance training: both conditions
    dropped with p_drop_both, otherwise style alone dropped with p_drop_style."""
    u = torch.rand(batch, generator=generator)
    both = u < cfg.p_drop_both
    style_only = (u >= cfg.p_drop_both) & (u < cfg.p_drop_both + cfg.p_drop_style)
    audio_mask = (~both).float()
    style_mask = (~(both | style_only)).float()
    return audio_mask, style_mask


def _masked_mse(a: torch.Tensor, b: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean squared error over valid frames; mask [B, T] broadcast over the feature axis."""
    m = mask.unsqueeze(-1).expand_as(a)
    return ((a - b) ** 2 * m).sum() / m.sum().clamp_min(1.0)


VertexFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def diffusion_losses(pred: torch.Tensor, target: torch.Tensor, valid: torch.Tensor, prev: torch.Tensor,
                     first_window: torch.Tensor, cfg: TrainConfig, vertex_fn: VertexFn | None = None,
                     shape: torch.Tensor | None = None, frame_weight: torch.Tensor | None = None
                     ) -> dict[str, torch.Tensor]:
    """DiffPoseTalk's losses on predicted clean motion.

    pred, target: [B, Tw, M] normalised; valid: [B, Tw] (0 past a truncated window's end);
    prev: [B, Tp, M] ground-truth previous frames; first_window: [B].
    vertex_fn maps (normalised motion [B, T, M], shape [B, 100]) to vertices [B, T, V, 3]
    (parley.model.train.flame_vertex_fn); the vertex loss needs it, ``shape`` and cfg.w_vertex > 0.
    frame_weight [B, Tw] (optional) weighs frames in the simple and vertex losses (bilabial emphasis).
    """
    weighted = valid if frame_weight is None else valid * frame_weight
    vel_valid = valid[:, 1:] * valid[:, :-1]
    acc_valid = vel_valid[:, 1:] * vel_valid[:, :-1]
    dp, dt = pred[:, 1:] - pred[:, :-1], target[:, 1:] - target[:, :-1]
    losses = {
        "simple": _masked_mse(pred[..., FACE], target[..., FACE], weighted),
        "velocity": _masked_mse(dp[..., FACE], dt[..., FACE], vel_valid),
        "smooth": _masked_mse(dp[:, 1:, FACE], dp[:, :-1, FACE], acc_valid),
        "head": _masked_mse(pred[..., HEAD], target[..., HEAD], valid),
        "head_velocity": _masked_mse(dp[..., HEAD], dt[..., HEAD], vel_valid),
    }
    # Window transition: the seam with the previous window should move like the ground truth does.
    seam_p = torch.cat([prev[:, -1:, HEAD], pred[:, :2, HEAD]], dim=1)
    seam_t = torch.cat([prev[:, -1:, HEAD], target[:, :2, HEAD]], dim=1)
    seam_valid = (1.0 - first_window).unsqueeze(1) * valid[:, :2]
    losses["transition"] = _masked_mse(seam_p[:, 1:] - seam_p[:, :-1], seam_t[:, 1:] - seam_t[:, :-1], seam_valid)
    if vertex_fn is not None and shape is not None and cfg.w_vertex > 0:
        k = max(1, cfg.vertex_frame_stride)
        with torch.no_grad():
            vt = vertex_fn(target[:, ::k], shape)
        vp = vertex_fn(pred[:, ::k], shape)
        losses["vertex"] = _masked_mse(vp.flatten(2), vt.flatten(2), weighted[:, ::k])
    weights = {"simple": cfg.w_simple, "velocity": cfg.w_velocity, "smooth": cfg.w_smooth, "head": cfg.w_head,
               "head_velocity": cfg.w_head_velocity, "transition": cfg.w_transition, "vertex": cfg.w_vertex}
    losses["total"] = sum(weights[k] * v for k, v in losses.items())
    return losses


def phone_loss(logits: torch.Tensor, phones: torch.Tensor) -> torch.Tensor:
    """Frame-wise phone cross entropy; phones [B, T] int64 with -1 where unknown or padded."""
    if not (phones >= 0).any():
        return logits.sum() * 0.0
    return F.cross_entropy(logits.flatten(0, 1), phones.flatten(), ignore_index=-1)
