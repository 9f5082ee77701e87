"""The denoiser: a transformer over [person token, Tp previous frames, Tw current frames] that
cross-attends to the window's audio features and predicts clean (normalised) motion x0.

Its forward signature is the ONNX contract of docs/model-pack.md, input for input.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from .config import ModelConfig
from .diffusion import cosine_alphas_cumprod
from .layers import MASKED, Block


def alignment_bias(previous: int, window: int) -> torch.Tensor:
    """Cross-attention bias [1 + Tp + Tw, Tw]: current frame t sees audio frame t only; the person
    token and the previous frames see every audio frame of the window."""
    bias = torch.zeros(1 + previous + window, window)
    current = torch.full((window, window), MASKED)
    current.fill_diagonal_(0.0)
    bias[1 + previous:] = current
    return bias


def timestep_features(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoidal features [B, dim] of integer timesteps [B]."""
    half = dim // 2
    freqs = torch.exp(torch.arange(half, dtype=torch.float32) * (-math.log(10000.0) / half))
    args = t.to(torch.float32).unsqueeze(-1) * freqs
    return torch.cat([torch.sin(args), torch.cos(args)], dim=-1)


class Denoiser(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        dc = cfg.denoiser
        d = dc.width
        self.cfg = cfg
        self.previous, self.window = cfg.previous, cfg.window
        self.step_dim = dc.step_embed
        self.style_scale = math.sqrt(cfg.style.dim)
        self.step_mlp = nn.Sequential(nn.Linear(dc.step_embed, d), nn.SiLU(), nn.Linear(d, d))
        self.style_proj = nn.Linear(cfg.style.dim, d)
        self.shape_proj = nn.Linear(cfg.shape_dim, d)
        # Null conditions for classifier-free guidance and the learnt start of a line. Initialised at
        # data scale so that the guidance branches already differ in an untrained model.
        self.null_style = nn.Parameter(nn.functional.normalize(torch.randn(cfg.style.dim), dim=0))
        self.null_audio = nn.Parameter(torch.randn(cfg.audio.width))
        self.start_motion = nn.Parameter(torch.randn(cfg.previous, cfg.motion_dim) * 0.5)
        self.motion_in = nn.Linear(cfg.motion_dim, d)
        self.pos = nn.Parameter(torch.randn(1 + cfg.previous + cfg.window, d) * 0.02)
        self.audio_in = nn.Linear(cfg.audio.width, d)
        self.audio_pos = nn.Parameter(torch.randn(cfg.window, d) * 0.02)
        self.blocks = nn.ModuleList(Block(d, dc.heads, dc.ffn, dc.dropout, cross=True) for _ in range(dc.layers))
        self.ln_out = nn.LayerNorm(d)
        self.out = nn.Linear(d, cfg.motion_dim)
        bias = alignment_bias(cfg.previous, cfg.window)
        self.register_buffer("cross_bias", bias if dc.alignment_mask else torch.zeros_like(bias), persistent=False)
        # sqrt(ab_t) per timestep (DenoiserConfig.input_scaling), or ones.
        n = cfg.diffusion.steps
        scale = torch.from_numpy(cosine_alphas_cumprod(n, cfg.diffusion.cosine_s)).sqrt().float() if dc.input_scaling \
            else torch.ones(n)
        self.register_buffer("input_scale", scale, persistent=False)

    def forward(self, x_t: torch.Tensor, timestep: torch.Tensor, prev_motion: torch.Tensor,
                first_window: torch.Tensor, audio_features: torch.Tensor, audio_mask: torch.Tensor,
                style: torch.Tensor, style_mask: torch.Tensor, shape: torch.Tensor) -> torch.Tensor:
        """One pass in one graph (training; the denoiser of packs before 1.4.0). Inputs as in
        docs/model-pack.md; masks and first_window are float 0/1 per row. Returns x0 [B, Tw, M]."""
        # The order of operations is that of packs before 1.4.0, so that load_pack_weights can read them.
        prev = self._previous(prev_motion, first_window)
        audio = self._audio(audio_features, audio_mask)
        h = self._tokens(x_t, timestep, prev, style, style_mask, shape)
        memory = self.audio_in(audio) + self.audio_pos
        for block in self.blocks:
            h = block(h, memory, cross_bias=self.cross_bias)
        return self._readout(h)

    def audio_memory(self, audio_features: torch.Tensor, audio_mask: torch.Tensor) -> torch.Tensor:
        """All of the denoiser's work on a window's audio, which no step changes (the audio_memory graph):
        [B, L, 3, Tw, d], per layer the cross-attention's keys, values and projected values."""
        memory = self.audio_in(self._audio(audio_features, audio_mask)) + self.audio_pos
        return torch.stack([block.memory_step_inputs(memory) for block in self.blocks], dim=1)

    def step(self, x_t: torch.Tensor, timestep: torch.Tensor, prev_motion: torch.Tensor, first_window: torch.Tensor,
             audio_memory: torch.Tensor, style: torch.Tensor, style_mask: torch.Tensor,
             shape: torch.Tensor) -> torch.Tensor:
        """One pass on ``audio_memory`` (the denoiser graph since pack 1.4.0). With the alignment mask the
        current frames' cross-attention is their own audio frame's projected value: only the person token
        and the previous frames attend."""
        h = self._tokens(x_t, timestep, self._previous(prev_motion, first_window), style, style_mask, shape)
        aligned = 1 + self.previous if self.cfg.denoiser.alignment_mask else None
        for i, block in enumerate(self.blocks):
            h = block.step(h, audio_memory[:, i], cross_bias=self.cross_bias, aligned=aligned)
        return self._readout(h)

    def two_graphs(self, x_t: torch.Tensor, timestep: torch.Tensor, prev_motion: torch.Tensor,
                   first_window: torch.Tensor, audio_features: torch.Tensor, audio_mask: torch.Tensor,
                   style: torch.Tensor, style_mask: torch.Tensor, shape: torch.Tensor) -> torch.Tensor:
        """``forward`` as a pack since 1.4.0 computes it: ``step`` on ``audio_memory``."""
        return self.step(x_t, timestep, prev_motion, first_window, self.audio_memory(audio_features, audio_mask),
                         style, style_mask, shape)

    def _previous(self, prev_motion: torch.Tensor, first_window: torch.Tensor) -> torch.Tensor:
        # Blends rather than selects: exact for 0/1 and a single graph path for every branch.
        fw = first_window.reshape(-1, 1, 1)
        return fw * self.start_motion + (1.0 - fw) * prev_motion

    def _audio(self, audio_features: torch.Tensor, audio_mask: torch.Tensor) -> torch.Tensor:
        am = audio_mask.reshape(-1, 1, 1)
        return am * audio_features + (1.0 - am) * self.null_audio

    def _tokens(self, x_t: torch.Tensor, timestep: torch.Tensor, prev: torch.Tensor, style: torch.Tensor,
                style_mask: torch.Tensor, shape: torch.Tensor) -> torch.Tensor:
        """[person token, Tp previous frames, Tw current frames] [B, 1 + Tp + Tw, d] before the blocks."""
        sm = style_mask.reshape(-1, 1)
        sty = sm * style + (1.0 - sm) * self.null_style
        # Styles are unit vectors: rescale to unit-size entries so style weighs like the other inputs.
        person = (self.step_mlp(timestep_features(timestep, self.step_dim))
                  + self.style_proj(sty * self.style_scale) + self.shape_proj(shape)).unsqueeze(1)  # B, 1, d
        x_in = self.input_scale[timestep].reshape(-1, 1, 1) * x_t
        motion = self.motion_in(torch.cat([prev, x_in], dim=1))  # B, Tp+Tw, d
        return torch.cat([person, motion], dim=1) + self.pos

    def _readout(self, h: torch.Tensor) -> torch.Tensor:
        return self.out(self.ln_out(h[:, 1 + self.previous:1 + self.previous + self.window]))
