"""Transformer pieces written with plain matmuls so they trace to clean, dynamic-batch ONNX.

torch 1.13's nn.Transformer* layers take fused fast paths in eval mode that do not export well, and
we need additive attention biases (the alignment mask) anyway.
"""
from __future__ import annotations

import math

import torch
from torch import nn

# Additive bias for disallowed attention: exp() underflows to exactly 0 in float32, so masked keys
# contribute nothing (tests rely on that exactness), while staying finite (no inf - inf NaNs).
MASKED = -1e9


def gelu(x: torch.Tensor) -> torch.Tensor:
    """Exact (erf) GELU from elementary ops. The Debian torch 1.13 build's fused GELU backward returns
    garbage when its incoming gradient is not contiguous (after a transpose); use this where layouts
    change. Exports to the same Erf pattern that ONNX Runtime fuses into one Gelu."""
    return 0.5 * x * (1.0 + torch.erf(x * (1.0 / math.sqrt(2.0))))


class GELU(nn.Module):
    """Module form of ``gelu``; used instead of nn.GELU everywhere (see gelu)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return gelu(x)


class Attention(nn.Module):
    """Multi-head attention of queries ``x`` over ``memory`` (self-attention when memory is None)."""

    def __init__(self, width: int, heads: int, memory_width: int | None = None, dropout: float = 0.0):
        super().__init__()
        if width % heads:
            raise ValueError(f"width {width} is not divisible by {heads} heads")
        self.heads = heads
        self.head_dim = width // heads
        self.q = nn.Linear(width, width)
        self.kv = nn.Linear(memory_width or width, 2 * width)
        self.out = nn.Linear(width, width)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, memory: torch.Tensor | None = None,
                bias: torch.Tensor | None = None) -> torch.Tensor:
        mem = x if memory is None else memory
        b, h, d = x.shape[0], self.heads, self.head_dim
        # Scale q before the product so the export has one Mul on the smaller tensor.
        q = (self.q(x) * (1.0 / math.sqrt(d))).reshape(b, -1, h, d).transpose(1, 2)  # B H Tq d
        kv = self.kv(mem).reshape(b, -1, 2, h, d).permute(2, 0, 3, 1, 4)  # 2 B H Tk d
        k, v = kv[0], kv[1]
        att = torch.matmul(q, k.transpose(-1, -2))  # B H Tq Tk
        if bias is not None:
            att = att + bias
        att = self.drop(torch.softmax(att, dim=-1))
        y = torch.matmul(att, v).transpose(1, 2).reshape(b, -1, h * d)
        return self.out(y)


class FeedForward(nn.Sequential):
    def __init__(self, width: int, hidden: int, dropout: float):
        super().__init__(nn.Linear(width, hidden), GELU(), nn.Dropout(dropout), nn.Linear(hidden, width))


class Block(nn.Module):
    """Pre-norm transformer block: self-attention, optional cross-attention, feed-forward."""

    def __init__(self, width: int, heads: int, ffn: int, dropout: float, cross: bool = False):
        super().__init__()
        self.ln_self = nn.LayerNorm(width)
        self.self_attn = Attention(width, heads, dropout=dropout)
        self.cross = cross
        if cross:
            self.ln_cross = nn.LayerNorm(width)
            self.ln_memory = nn.LayerNorm(width)
            self.cross_attn = Attention(width, heads, dropout=dropout)
        self.ln_ffn = nn.LayerNorm(width)
        self.ffn = FeedForward(width, ffn, dropout)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, memory: torch.Tensor | None = None,
                self_bias: torch.Tensor | None = None, cross_bias: torch.Tensor | None = None) -> torch.Tensor:
        x = x + self.drop(self.self_attn(self.ln_self(x), bias=self_bias))
        if self.cross:
            x = x + self.drop(self.cross_attn(self.ln_cross(x), self.ln_memory(memory), bias=cross_bias))
        return x + self.drop(self.ffn(self.ln_ffn(x)))


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
