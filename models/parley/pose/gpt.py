"""PoseGPT: a small causal transformer that predicts head-pose codes from the driving speech and a one-hot
pose style, one code after another, from a start symbol, greedily.

Position i (code i, covering frames 4i .. 4i + 3) reads the previous code (the start symbol at i = 0), the
audio features of its own chunk and of ``context`` chunks either side (the speech is known ahead; the
codes are not), its learnt position and the style (one-hot [S] through a linear map: an embedding
table). It predicts code i. The step graph (:func:`parley.pose.export.export_onnx`) is this network on
the tokens so far: the runtime runs it once per code and takes the last position's argmax.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from parley.model.layers import MASKED, Block


@dataclass
class GPTConfig:
    codes: int = 256  # the VQ-VAE's codebook size; token ``codes`` is the start symbol
    styles: int = 1  # training styles: the one-hot's length
    audio_dim: int = 128  # the pack's audio feature width
    downsample: int = 4  # audio frames per code
    context: int = 1  # audio chunks seen either side of a code's own
    width: int = 128
    layers: int = 3
    heads: int = 4
    ffn: int = 256
    dropout: float = 0.1
    max_codes: int = 128  # longest decoded segment (20.48 s); longer speech is decoded segment by segment


class PoseGPT(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.cfg = cfg
        self.tokens = nn.Embedding(cfg.codes + 1, cfg.width)
        self.audio = nn.Linear(cfg.audio_dim * cfg.downsample * (2 * cfg.context + 1), cfg.width)
        self.style = nn.Linear(cfg.styles, cfg.width, bias=False)
        self.positions = nn.Parameter(torch.randn(cfg.max_codes, cfg.width) * 0.02)
        self.blocks = nn.ModuleList(Block(cfg.width, cfg.heads, cfg.ffn, cfg.dropout) for _ in range(cfg.layers))
        self.ln = nn.LayerNorm(cfg.width)
        self.head = nn.Linear(cfg.width, cfg.codes)

    @property
    def start(self) -> int:
        return self.cfg.codes

    def audio_context(self, features: torch.Tensor) -> torch.Tensor:
        """[B, 4N, Da] audio features -> [B, N, width]: each chunk with ``context`` chunks either side."""
        c, b = self.cfg.context, features.shape[0]
        x = features.reshape(b, -1, self.cfg.downsample * self.cfg.audio_dim)
        n = x.shape[1]
        x = F.pad(x, (0, 0, c, c))
        return self.audio(torch.cat([x[:, k:k + n] for k in range(2 * c + 1)], -1))

    def forward(self, tokens: torch.Tensor, features: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
        """Logits [B, n, codes] of codes 0 .. n-1 from tokens [B, n] (start, code 0, .., code n-2), the
        speech's audio features [B, 4N, Da] (N >= n codes' worth) and the style one-hot [B, S]."""
        n = tokens.shape[1]
        h = self.tokens(tokens) + self.audio_context(features)[:, :n] + self.positions[:n] \
            + self.style(style)[:, None]
        i = torch.arange(n, device=tokens.device)
        causal = (i[None, :] > i[:, None]).to(h.dtype) * MASKED
        for block in self.blocks:
            h = block._layers(h, causal, lambda y: y)
        return self.head(self.ln(h))

    @torch.no_grad()
    def generate(self, features: torch.Tensor, style: torch.Tensor, n: int, top_k: int = 0,
                 generator: torch.Generator | None = None) -> torch.Tensor:
        """Codes [B, n] for speech features [B, 4n, Da]: segments of at most ``max_codes`` codes, each from the
        start symbol. Greedy (AdaMesh's) unless ``top_k`` > 0: then each code is drawn from the ``top_k``
        likeliest (an evaluation variant, not the runtime's)."""
        out = []
        seg = self.cfg.max_codes
        d = self.cfg.downsample
        for s in range(0, n, seg):
            m = min(seg, n - s)
            feats = features[:, d * s:d * (s + m)]
            tokens = torch.full((features.shape[0], 1), self.start, dtype=torch.long)
            for _ in range(m):
                logits = self(tokens, feats, style)[:, -1]
                if top_k > 0:
                    top = logits.topk(top_k, -1)
                    pick = torch.multinomial(torch.softmax(top.values, -1), 1, generator=generator)
                    nxt = top.indices.gather(1, pick)[:, 0]
                else:
                    nxt = logits.argmax(-1)
                tokens = torch.cat([tokens, nxt[:, None]], 1)
            out.append(tokens[:, 1:])
        return torch.cat(out, 1)


def one_hot(index: int | list[int], styles: int) -> torch.Tensor:
    """One-hot styles [B, S] for style indices."""
    idx = torch.as_tensor([index] if isinstance(index, int) else index, dtype=torch.long)
    if (idx < 0).any() or (idx >= styles).any():
        raise ValueError(f"style index must be in [0, {styles}) but got {idx.tolist()}")
    return F.one_hot(idx, styles).float()
