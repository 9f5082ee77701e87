"""Transformer pieces written with plain matmuls so they trace to clean, dynamic-batch ONNX.

torch 1.13's nn.Transformer* layers take fused fast paths in eval mode that do not export well, and
we need additive attention biases (the alignment mask) anyway.
"""
from __future__ import annotations

import math
from typing import Callable

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
        b = x.shape[0]  # one shape read for the whole block: the traced graph stays that of packs before 1.4.0
        q = self.query(x, b)
        kv = self.keys_values(mem, b).permute(2, 0, 3, 1, 4)  # 2 B H Tk d
        return self.attend(q, kv[0], kv[1], bias, b)

    def query(self, x: torch.Tensor, b: int | torch.Tensor) -> torch.Tensor:
        """Scaled queries [B, H, Tq, d] of ``x`` [B, Tq, width] (b = B)."""
        # Scale q before the product so the export has one Mul on the smaller tensor.
        return (self.q(x) * (1.0 / math.sqrt(self.head_dim))).reshape(b, -1, self.heads, self.head_dim).transpose(1, 2)

    def keys_values(self, memory: torch.Tensor, b: int | torch.Tensor) -> torch.Tensor:
        """Keys and values [B, Tk, 2, H, d] of ``memory`` [B, Tk, memory width] (b = B)."""
        return self.kv(memory).reshape(b, -1, 2, self.heads, self.head_dim)

    def attend(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, bias: torch.Tensor | None,
               b: int | torch.Tensor) -> torch.Tensor:
        """Attention of queries [B, H, Tq, d] over keys and values [B, H, Tk, d]; returns [B, Tq, width]."""
        att = torch.matmul(q, k.transpose(-1, -2))  # B H Tq Tk
        if bias is not None:
            att = att + bias
        att = self.drop(torch.softmax(att, dim=-1))
        y = torch.matmul(att, v).transpose(1, 2).reshape(b, -1, self.heads * self.head_dim)
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
        """One graph: cross-attends to ``memory`` [B, Tk, width] itself (training; packs before 1.4.0)."""
        return self._layers(x, self_bias, lambda y: y + self.drop(
            self.cross_attn(self.ln_cross(y), self.ln_memory(memory), bias=cross_bias)))

    def memory_step_inputs(self, memory: torch.Tensor) -> torch.Tensor:
        """What ``step`` needs of ``memory`` [B, Tk, width]: [B, 3, Tk, width], the cross-attention's keys,
        values and values through the output projection (the whole cross-attention of a query that sees one
        memory frame only). They depend on the memory only: a sampler computes them once per window."""
        attn = self.cross_attn
        kv = attn.kv(self.ln_memory(memory)).reshape(memory.shape[0], -1, 2, attn.heads * attn.head_dim)
        keys, values = kv[:, :, 0], kv[:, :, 1]
        return torch.stack([keys, values, attn.out(values)], dim=1)

    def step(self, x: torch.Tensor, memory: torch.Tensor, self_bias: torch.Tensor | None = None,
             cross_bias: torch.Tensor | None = None, aligned: int | None = None) -> torch.Tensor:
        """``forward`` on ``memory_step_inputs``. ``aligned`` k: token k + t sees memory frame t only
        (cross_bias says so), so its cross-attention is that frame's projected value and only the first
        k tokens attend; None: every token attends with ``cross_bias``."""
        attn, b = self.cross_attn, x.shape[0]
        w = attn.heads * attn.head_dim
        k, v = (memory[:, i].reshape(b, -1, attn.heads, attn.head_dim).transpose(1, 2) for i in (0, 1))
        if aligned is None:
            cross = lambda y: y + self.drop(attn.attend(attn.query(self.ln_cross(y), b), k, v, cross_bias, b))  # noqa
        else:
            def cross(y: torch.Tensor) -> torch.Tensor:
                head = y[:, :aligned]
                head = head + attn.attend(attn.query(self.ln_cross(head), b), k, v, None, b)
                return torch.cat([head, y[:, aligned:] + memory[:, 2].reshape(b, -1, w)], dim=1)
        return self._layers(x, self_bias, cross)

    def _layers(self, x: torch.Tensor, self_bias: torch.Tensor | None,
                cross: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
        x = x + self.drop(self.self_attn(self.ln_self(x), bias=self_bias))
        if self.cross:
            x = cross(x)
        return x + self.drop(self.ffn(self.ln_ffn(x)))


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
