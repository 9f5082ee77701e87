"""Dataclass configurations of the model. ``base`` ships; ``tiny`` keeps tests fast."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from parley.head.components import N_SHAPE
from parley.layout import MOTION_DIM, MOTION_FPS


@dataclass(frozen=True)
class AudioConfig:
    n_fft: int = 512
    hop: int = 160
    n_mels: int = 80
    conv_channels: int = 192
    width: int = 128  # Da, the audio feature width
    layers: int = 2
    heads: int = 4
    ffn: int = 256
    pos_conv_kernel: int = 9  # depthwise conv positional encoding: works for any window length
    n_phones: int = 64  # auxiliary frame-wise phone classes (training only, not exported)
    dropout: float = 0.1
    # Silence gate (parley.model.audio.SilenceGate), 0: off. 10 ms blocks more than gate_db below the
    # window's loudest block (or below gate_floor_dbfs - gate_db in a quiet window) are silenced.
    gate_db: float = 0.0
    gate_floor_dbfs: float = -20.0


@dataclass(frozen=True)
class StyleConfig:
    frames: int = 100  # Ts
    width: int = 128
    layers: int = 2
    heads: int = 4
    ffn: int = 256
    dim: int = 128  # Ds
    temperature: float = 0.1
    dropout: float = 0.1


@dataclass(frozen=True)
class DenoiserConfig:
    width: int = 192
    layers: int = 4
    heads: int = 4
    ffn: int = 512
    step_embed: int = 128  # sinusoidal timestep features before the MLP
    dropout: float = 0.1
    alignment_mask: bool = True  # False: every token attends to every audio frame (ablation only)
    # True: the network sees sqrt(ab_t) x_t, the prior's estimate of x0 from x_t (motion is normalised to
    # unit variance), instead of x_t. Where x_t is mostly noise its input fades, so an undertrained
    # network cannot turn that noise into jittery motion.
    input_scaling: bool = False


@dataclass(frozen=True)
class DiffusionConfig:
    steps: int = 500  # N
    schedule: str = "cosine"
    cosine_s: float = 0.008


@dataclass(frozen=True)
class TrainConfig:
    # Condition dropout (mutually exclusive per sample): both audio and style, else style only.
    p_drop_both: float = 0.1
    p_drop_style: float = 0.45
    p_first_window: float = 0.1  # also used whenever the window starts within Tp frames of the clip
    p_truncate: float = 0.1  # random truncation: the window ends early, rest is silence and unscored
    w_simple: float = 1.0
    w_velocity: float = 0.5
    w_smooth: float = 0.01
    w_vertex: float = 0.0  # > 0 needs a vertex function (parley.head.flame)
    w_head: float = 1.0
    w_head_velocity: float = 0.5
    w_transition: float = 0.5
    w_phone: float = 0.1
    vertex_frame_stride: int = 1  # the vertex loss on every k-th frame (LBS of a batch is the costly part)
    w_bilabial: float = 1.0  # weight of p/b/m frames (phone labels) in the simple and vertex losses; 1: none
    lr: float = 1e-4
    lr_warmup: int = 0  # linear warm-up steps, then cosine decay to lr_final_ratio * lr over the run
    lr_final_ratio: float = 1.0  # 1.0: constant learning rate
    weight_decay: float = 1e-2
    batch_size: int = 32
    grad_clip: float = 1.0
    use_style: bool = True  # False: the style condition is always the null style (ablation "w/o style encoder")
    regression: bool = False  # True: deterministic regression baseline (x_t = 0, t = 0, no dropout; "w/o diffusion")
    # Sampler-state training: this share of each batch takes x_t from the model's own guided few-step
    # DDIM (a random step of sampler_steps at sampler_guidance) instead of noising the ground truth, so
    # the network learns to correct the states it meets at run time (exposure bias). Those rows skip
    # the head-pose losses: a sampled head may rightly differ from the recorded one.
    p_sampler_state: float = 0.0
    sampler_steps: int = 10
    sampler_guidance: tuple[float, float] = (1.5, 1.5)


@dataclass(frozen=True)
class ModelConfig:
    name: str
    audio: AudioConfig = field(default_factory=AudioConfig)
    style: StyleConfig = field(default_factory=StyleConfig)
    denoiser: DenoiserConfig = field(default_factory=DenoiserConfig)
    diffusion: DiffusionConfig = field(default_factory=DiffusionConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    motion_dim: int = MOTION_DIM
    shape_dim: int = N_SHAPE
    fps: int = MOTION_FPS
    window: int = 100  # Tw
    previous: int = 10  # Tp

    def to_dict(self) -> dict:
        return asdict(self)


# Sized for a 2-core CPU: the denoiser (width 128, 4 layers) runs one window's 3 guidance branches in
# well under 15 ms in ONNX Runtime, and the recipe below trains in about 40 minutes on 2 cores.
BASE = ModelConfig(
    name="base",
    denoiser=DenoiserConfig(width=128, layers=4, heads=4, ffn=512, input_scaling=True),
    train=TrainConfig(batch_size=16, lr=5e-4, lr_warmup=200, lr_final_ratio=0.05, w_vertex=0.02,
                      vertex_frame_stride=2),
)

TINY = ModelConfig(
    name="tiny",
    audio=AudioConfig(conv_channels=32, width=32, layers=1, heads=2, ffn=64, n_phones=40),  # the corpus phone set
    style=StyleConfig(frames=20, width=32, layers=1, heads=2, ffn=64, dim=16),
    denoiser=DenoiserConfig(width=32, layers=2, heads=2, ffn=64, step_embed=32, input_scaling=True),
    diffusion=DiffusionConfig(steps=50),
    train=TrainConfig(batch_size=4, lr=1e-3),
    window=20,
    previous=4,
)

CONFIGS: dict[str, ModelConfig] = {"base": BASE, "tiny": TINY}


def get_config(name: str, **overrides) -> ModelConfig:
    """A named configuration, optionally with top-level fields replaced."""
    if name not in CONFIGS:
        raise KeyError(f"unknown model config '{name}'; known: {', '.join(CONFIGS)}")
    return replace(CONFIGS[name], **overrides) if overrides else CONFIGS[name]


def config_from_dict(d: dict) -> ModelConfig:
    """Inverse of ModelConfig.to_dict (checkpoints and manifests store configs as plain dicts)."""
    parts = {"audio": AudioConfig, "style": StyleConfig, "denoiser": DenoiserConfig,
             "diffusion": DiffusionConfig, "train": TrainConfig}
    return ModelConfig(**{k: parts[k](**v) if k in parts else v for k, v in d.items()})
