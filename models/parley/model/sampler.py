"""Samplers with incremental classifier-free guidance over audio and style.

``ddim_sample`` is the runtime's few-step DDIM of docs/model-pack.md, written to match the Java
sampler operation for operation (float32 guidance, float64 update rounded to float32) so golden
vectors from here are what Java must reproduce. ``ancestral_sample`` is the paper's reference sampler
(all N steps, stochastic), for evaluation.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from parley.layout import SAMPLES_PER_FRAME

# (audio_mask, style_mask) of the three guidance branches, in batch order (row = 3*c + branch).
BRANCHES: tuple[tuple[float, float], ...] = ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0))

DenoiseFn = Callable[..., torch.Tensor]  # the denoiser's forward, keyword inputs as in the contract


@dataclass
class Conditions:
    """Per-window conditions for B windows (normalised motion)."""
    prev_motion: torch.Tensor  # [B, Tp, M]
    first_window: torch.Tensor  # [B] float 0/1
    audio_features: torch.Tensor  # [B, Tw, Da]
    style: torch.Tensor  # [B, Ds]
    shape: torch.Tensor  # [B, 100]


def ddim_timesteps(n: int, steps: int) -> list[int]:
    """t_i = (N-1) - floor(i*N/S), i = 0..S-1 (docs/model-pack.md)."""
    if not 1 <= steps <= n:
        raise ValueError(f"steps must be in [1, {n}] but got {steps}")
    return [(n - 1) - (i * n) // steps for i in range(steps)]


def guidance_inputs(x_t: torch.Tensor, t: int | torch.Tensor, cond: Conditions) -> dict[str, torch.Tensor]:
    """The denoiser's inputs for all guidance branches of B windows: 3B rows, row 3c+branch."""
    b = x_t.shape[0]
    rep = lambda v: v.repeat_interleave(3, dim=0)  # noqa: E731
    masks = torch.tensor(BRANCHES, dtype=torch.float32).repeat(b, 1)
    timestep = torch.as_tensor(t, dtype=torch.int64)
    if timestep.dim() == 0:
        timestep = timestep.repeat(b)
    return {
        "x_t": rep(x_t), "timestep": rep(timestep), "prev_motion": rep(cond.prev_motion),
        "first_window": rep(cond.first_window), "audio_features": rep(cond.audio_features),
        "audio_mask": masks[:, 0].contiguous(), "style": rep(cond.style), "style_mask": masks[:, 1].contiguous(),
        "shape": rep(cond.shape),
    }


def combine(branches: torch.Tensor, audio_scale: float, style_scale: float, rescale: float = 0.0) -> torch.Tensor:
    """x0 = x0(0,0) + wa (x0(a,0) - x0(0,0)) + ws (x0(a,s) - x0(a,0)); branches [B, 3, Tw, M] float32.

    rescale phi > 0 then scales each channel's deviation from its window mean by
    phi * sd(x0(a,s)) / sd(x0) + 1 - phi (sd over the window's frames): guidance keeps its direction and
    level but not its exaggerated amplitude (after Lin et al. 2024, per channel and centred).
    """
    a0, a1, a2 = branches[:, 0], branches[:, 1], branches[:, 2]
    wa = torch.tensor(audio_scale, dtype=torch.float32)
    ws = torch.tensor(style_scale, dtype=torch.float32)
    x0 = a0 + wa * (a1 - a0) + ws * (a2 - a1)
    if rescale <= 0.0:
        return x0
    xd, cd = x0.double(), a2.double()
    mean = xd.mean(dim=1, keepdim=True)
    gain = rescale * cd.std(dim=1, keepdim=True) / xd.std(dim=1, keepdim=True).clamp_min(1e-6) + (1.0 - rescale)
    return (mean + (xd - mean) * gain).float()


@torch.no_grad()
def guided_x0(denoise: DenoiseFn, x_t: torch.Tensor, t: int | torch.Tensor, cond: Conditions,
              audio_scale: float, style_scale: float, rescale: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    """(guided x0 [B, Tw, M], branch outputs [B, 3, Tw, M]) from one batched denoiser run."""
    out = denoise(**guidance_inputs(x_t, t, cond))
    branches = out.reshape(x_t.shape[0], 3, *out.shape[1:])
    return combine(branches, audio_scale, style_scale, rescale), branches


@torch.no_grad()
def ddim_sample(denoise: DenoiseFn, noise: torch.Tensor, cond: Conditions, alphas_cumprod: np.ndarray,
                steps: int, audio_scale: float, style_scale: float,
                trace: list[dict] | None = None, rescale: float = 0.0, stop: int | None = None) -> torch.Tensor:
    """Deterministic DDIM (eta 0) from x_T = noise [B, Tw, M]; returns clean normalised motion.

    If ``trace`` is a list, each step appends {t, x_t, branches, x0} (for golden vectors).
    ``stop`` k in [0, steps): run the first k steps only and return x_t at t = ddim_timesteps(N, steps)[k],
    the state the sampler's step k sees (for sampler-state training).
    """
    ab = np.asarray(alphas_cumprod, dtype=np.float32)
    ts = ddim_timesteps(len(ab), steps)
    if stop is not None and not 0 <= stop < steps:
        raise ValueError(f"stop must be in [0, {steps}) but got {stop}")
    x = noise.to(torch.float32).clone()
    for i, t in enumerate(ts):
        if i == stop:
            return x
        x0, branches = guided_x0(denoise, x, t, cond, audio_scale, style_scale, rescale)
        if trace is not None:
            trace.append({"t": t, "x_t": x.clone(), "branches": branches.clone(), "x0": x0.clone()})
        x = ddim_update(x, x0, float(ab[t]), float(ab[ts[i + 1]]) if i + 1 < len(ts) else 1.0)
    return x


def ddim_update(x: torch.Tensor, x0: torch.Tensor, a: float, a_next: float) -> torch.Tensor:
    """One deterministic DDIM update in float64, rounded to float32 (as the Java ``Ddim.update``)."""
    xd, x0d = x.double(), x0.double()
    eps = (xd - np.sqrt(a) * x0d) / np.sqrt(1.0 - a)
    return (np.sqrt(a_next) * x0d + np.sqrt(1.0 - a_next) * eps).float()


def folded_inputs(x_t: torch.Tensor, t: int | torch.Tensor, cond: Conditions) -> dict[str, torch.Tensor]:
    """The denoiser's inputs for a guidance-folded student: one row per window, audio and style on."""
    b = x_t.shape[0]
    timestep = torch.as_tensor(t, dtype=torch.int64)
    if timestep.dim() == 0:
        timestep = timestep.repeat(b)
    ones = torch.ones(b)
    return {"x_t": x_t, "timestep": timestep, "prev_motion": cond.prev_motion, "first_window": cond.first_window,
            "audio_features": cond.audio_features, "audio_mask": ones, "style": cond.style, "style_mask": ones,
            "shape": cond.shape}


@torch.no_grad()
def folded_sample(denoise: DenoiseFn, noise: torch.Tensor, cond: Conditions, alphas_cumprod: np.ndarray,
                  timesteps: list[int], trace: list[dict] | None = None, stop: int | None = None) -> torch.Tensor:
    """DDIM over ``timesteps`` with a guidance-folded student (parley.model.distil): ONE denoiser row per
    window and step, its output taken as the guided x0 (no branches, no combination). The update is
    ``ddim_sample``'s, operation for operation. ``trace`` ({t, x_t, x0} per step) and ``stop`` as in
    ``ddim_sample``."""
    ab = np.asarray(alphas_cumprod, dtype=np.float32)
    if stop is not None and not 0 <= stop < len(timesteps):
        raise ValueError(f"stop must be in [0, {len(timesteps)}) but got {stop}")
    x = noise.to(torch.float32).clone()
    for i, t in enumerate(timesteps):
        if i == stop:
            return x
        x0 = denoise(**folded_inputs(x, t, cond))
        if trace is not None:
            trace.append({"t": t, "x_t": x.clone(), "x0": x0.clone()})
        x = ddim_update(x, x0, float(ab[t]), float(ab[timesteps[i + 1]]) if i + 1 < len(timesteps) else 1.0)
    return x


@torch.no_grad()
def ancestral_sample(denoise: DenoiseFn, noise: torch.Tensor, cond: Conditions, alphas_cumprod: np.ndarray,
                     audio_scale: float, style_scale: float, generator: torch.Generator | None = None,
                     rescale: float = 0.0) -> torch.Tensor:
    """DDPM ancestral sampling over all N steps with x0 prediction and incremental CFG."""
    ab = np.asarray(alphas_cumprod, dtype=np.float64)
    x = noise.to(torch.float32).clone()
    for t in range(len(ab) - 1, -1, -1):
        x0, _ = guided_x0(denoise, x, t, cond, audio_scale, style_scale, rescale)
        if t == 0:
            return x0
        a, a_prev = ab[t], ab[t - 1]
        beta = 1.0 - a / a_prev
        # Posterior q(x_{t-1} | x_t, x0) of Ho et al.
        c0 = np.sqrt(a_prev) * beta / (1.0 - a)
        ct = np.sqrt(1.0 - beta) * (1.0 - a_prev) / (1.0 - a)
        var = beta * (1.0 - a_prev) / (1.0 - a)
        z = torch.randn(x.shape, generator=generator)
        x = (c0 * x0 + ct * x + np.sqrt(var) * z).float()
    return x


def history(done: torch.Tensor, previous: int) -> torch.Tensor:
    """The next window's ``prev_motion`` [B, Tp, M] from the frames kept so far [B, T, M]: the last Tp;
    fewer than Tp repeat the first in front, as the runtime's LineGenerator and StreamGenerator do."""
    return torch.cat([done[:, :1].expand(-1, max(0, previous - done.shape[1]), -1), done[:, -previous:]], 1)


@torch.no_grad()
def sample_clip(model, pcm: torch.Tensor, style: torch.Tensor, shape: torch.Tensor, alphas_cumprod: np.ndarray,
                steps: int | None = 10, audio_scale: float = 1.5, style_scale: float = 1.5, seed: int = 0,
                rescale: float = 0.0) -> torch.Tensor:
    """Normalised motion [T, M] for a whole clip, window after window as the runtime does.

    pcm [S] is padded with silence to whole windows; steps None runs the reference ancestral sampler.
    """
    cfg = model.cfg
    spf = SAMPLES_PER_FRAME
    frames = -(-pcm.shape[0] // spf)
    n_windows = -(-frames // cfg.window)
    padded = torch.zeros(n_windows * cfg.window * spf)
    padded[: pcm.shape[0]] = pcm
    gen = torch.Generator().manual_seed(seed)
    prev = torch.zeros(1, cfg.previous, cfg.motion_dim)
    out = []
    for w in range(n_windows):
        chunk = padded[w * cfg.window * spf:(w + 1) * cfg.window * spf].unsqueeze(0)
        cond = Conditions(prev, torch.tensor([1.0 if w == 0 else 0.0]), model.audio(chunk),
                          style.reshape(1, -1), shape.reshape(1, -1))
        noise = torch.randn(1, cfg.window, cfg.motion_dim, generator=gen)
        if steps is None:
            x = ancestral_sample(model.denoiser, noise, cond, alphas_cumprod, audio_scale, style_scale, gen, rescale)
        else:
            x = ddim_sample(model.denoiser, noise, cond, alphas_cumprod, steps, audio_scale, style_scale, rescale=rescale)
        out.append(x[0])
        prev = x[:, -cfg.previous:]
    return torch.cat(out)[:frames]
