"""The three networks together, built reproducibly from a config and a seed."""
from __future__ import annotations

import torch
from torch import nn

from .audio import AudioEncoder
from .config import ModelConfig
from .denoiser import Denoiser
from .layers import count_parameters
from .style import StyleEncoder


class ParleyModel(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.audio = AudioEncoder(cfg.audio)
        self.style = StyleEncoder(cfg.style, cfg.motion_dim)
        self.denoiser = Denoiser(cfg)

    def parameter_counts(self) -> dict[str, int]:
        return {
            "audio_encoder": count_parameters(self.audio) - count_parameters(self.audio.phone_head),
            "audio_phone_head": count_parameters(self.audio.phone_head),
            "style_encoder": count_parameters(self.style),
            "denoiser": count_parameters(self.denoiser),
        }


def build_model(cfg: ModelConfig, seed: int = 0) -> ParleyModel:
    """A randomly initialised model; the same (cfg, seed) always gives the same weights."""
    torch.manual_seed(seed)
    return ParleyModel(cfg)
