"""Style encoder: Ts frames of normalised motion -> unit-length style embedding; NT-Xent loss."""
from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from .config import StyleConfig
from .layers import Block


class StyleEncoder(nn.Module):
    """motion [B, Ts, M] -> style [B, Ds], L2-normalised."""

    def __init__(self, cfg: StyleConfig, motion_dim: int):
        super().__init__()
        self.cfg = cfg
        self.inp = nn.Linear(motion_dim, cfg.width)
        self.pos = nn.Parameter(torch.randn(cfg.frames, cfg.width) * 0.02)
        self.blocks = nn.ModuleList(Block(cfg.width, cfg.heads, cfg.ffn, cfg.dropout) for _ in range(cfg.layers))
        self.ln_out = nn.LayerNorm(cfg.width)
        self.out = nn.Linear(cfg.width, cfg.dim)

    def forward(self, motion: torch.Tensor) -> torch.Tensor:
        h = self.inp(motion) + self.pos
        for block in self.blocks:
            h = block(h)
        pooled = self.ln_out(h).mean(dim=1)
        return F.normalize(self.out(pooled), dim=-1, eps=1e-8)


def nt_xent(z1: torch.Tensor, z2: torch.Tensor, temperature: float = 0.1) -> torch.Tensor:
    """SimCLR's normalised-temperature cross entropy: (z1[i], z2[i]) are positives, all else negatives.

    z1, z2: [B, D] unit vectors (two clips of the same speaker per row).
    """
    b = z1.shape[0]
    z = torch.cat([z1, z2], dim=0)
    sim = z @ z.t() / temperature
    sim = sim.masked_fill(torch.eye(2 * b, dtype=torch.bool, device=z.device), float("-inf"))
    target = torch.cat([torch.arange(b, 2 * b), torch.arange(0, b)]).to(z.device)
    return F.cross_entropy(sim, target)
