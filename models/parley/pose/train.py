"""Training the pose adapter: the VQ-VAE on head-pose windows, then PoseGPT on the training clips' codes,
the pack's audio features and each clip's speaker as its one-hot style; and the run folder they live in.

A run folder holds ``run.json`` (configs, the pose normalisation, the style bank, the audio encoder's
pack and checksum, training figures), ``vqvae.npz`` and ``gpt.npz`` (state dicts as plain arrays: no
pickle).
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from parley.layout import MOTION_FPS, SAMPLES_PER_FRAME

from .data import PoseClip, audio_features
from .gpt import GPTConfig, PoseGPT
from .style import StyleBank, speaker_matrices
from .vqvae import PoseVQVAE, VQConfig

Log = Callable[[str], None]


@dataclass
class PoseTrainConfig:
    vq: VQConfig = field(default_factory=VQConfig)
    gpt: GPTConfig = field(default_factory=GPTConfig)
    vq_steps: int = 1500
    vq_batch: int = 64
    vq_window: int = 64  # frames per VQ-VAE training window (16 codes)
    vq_lr: float = 1e-3
    gpt_steps: int = 1000
    gpt_batch: int = 32
    gpt_lr: float = 5e-4
    gpt_warmup: int = 100
    gpt_codes: int = 32  # codes per PoseGPT training sequence (5.1 s; a clip's first codes)
    token_noise: float = 0.3  # share of input codes replaced by random ones (greedy decoding copies less)
    seed: int = 0


def _lr(step: int, steps: int, warmup: int) -> float:
    if step < warmup:
        return (step + 1) / warmup
    return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, steps - warmup)))


def pose_stats(clips: list[PoseClip]) -> tuple[np.ndarray, np.ndarray]:
    pose = np.concatenate([c.pose for c in clips])
    return pose.mean(0).astype(np.float32), np.maximum(pose.std(0), 1e-4).astype(np.float32)


def _windows(clips: list[PoseClip], frames: int, batch: int, rng: np.random.Generator) -> torch.Tensor:
    out = np.zeros((batch, frames, 3), np.float32)
    for b, k in enumerate(rng.integers(0, len(clips), batch)):
        p = clips[k].pose
        if len(p) < frames:
            p = np.concatenate([p, np.repeat(p[-1:], frames - len(p), 0)])
        s = int(rng.integers(0, len(p) - frames + 1))
        out[b] = p[s:s + frames]
    return torch.from_numpy(out)


def train_vqvae(clips: list[PoseClip], cfg: PoseTrainConfig, log: Log) -> tuple[PoseVQVAE, list[float]]:
    """The VQ-VAE trained on random windows of the clips' pose; returns it and its loss every 100 steps."""
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    mean, std = pose_stats(clips)
    model = PoseVQVAE(cfg.vq, mean, std)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.vq_lr)
    curve, acc = [], []
    model.train()
    for step in range(cfg.vq_steps):
        for g in opt.param_groups:
            g["lr"] = cfg.vq_lr * _lr(step, cfg.vq_steps, 50)
        _, losses = model(_windows(clips, cfg.vq_window, cfg.vq_batch, rng))
        opt.zero_grad()
        losses["loss"].backward()
        opt.step()
        acc.append(float(losses["loss"]))
        if (step + 1) % 100 == 0 or step + 1 == cfg.vq_steps:
            curve.append(float(np.mean(acc)))
            log(f"vq-vae step {step + 1}/{cfg.vq_steps}: loss {curve[-1]:.4f} "
                f"(reconstruction {float(losses['reconstruction']):.4f})")
            acc = []
    return model.eval(), curve


@torch.no_grad()
def reconstruction(model: PoseVQVAE, clips: list[PoseClip]) -> dict[str, float]:
    """Whole clips encoded and decoded: mean absolute error per angle and of the velocity (degrees, degrees
    per second), codebook usage and perplexity over these clips."""
    err, verr, used = [], [], []
    for c in clips:
        pose = torch.from_numpy(c.pose)[None]
        codes = model.encode(pose)
        rec = model.decode(codes)[0, : c.frames].numpy()
        err.append(np.abs(np.degrees(rec - c.pose)))
        verr.append(np.abs(np.degrees(np.diff(rec, axis=0) - np.diff(c.pose, axis=0))) * MOTION_FPS)
        used.append(codes[0].numpy())
    e, v, u = np.concatenate(err), np.concatenate(verr), np.concatenate(used)
    p = np.bincount(u, minlength=model.cfg.codes) / len(u)
    nz = p[p > 0]
    return {"clips": len(clips), "mae_deg": float(e.mean()),
            **{f"mae_deg_{n}": float(x) for n, x in zip(("pitch", "yaw", "roll"), e.mean(0))},
            "velocity_mae_deg_s": float(v.mean()), "codes_used": int((p > 0).sum()),
            "perplexity": float(np.exp(-(nz * np.log(nz)).sum()))}


def padded_pcm(clip: PoseClip, downsample: int) -> np.ndarray:
    """The clip's speech padded with silence to a whole number of codes."""
    frames = -(-clip.frames // downsample) * downsample
    return np.pad(clip.pcm, (0, frames * SAMPLES_PER_FRAME - len(clip.pcm)))


def clip_features(encoder: torch.nn.Module, window: int, clips: list[PoseClip], downsample: int,
                  log: Log | None = None) -> list[np.ndarray]:
    """Audio features [4 * ceil(T / 4), Da] per clip (the pack's encoder, window by window)."""
    out = []
    for i, c in enumerate(clips):
        out.append(audio_features(encoder, padded_pcm(c, downsample), window))
        if log and (i + 1) % 500 == 0:
            log(f"audio features: {i + 1}/{len(clips)} clips")
    return out


@dataclass
class GPTData:
    codes: list[np.ndarray]  # int64 [L] per clip
    features: list[np.ndarray]  # float32 [4L, Da] per clip
    styles: np.ndarray  # int64 [clips]: each clip's style index


def _gpt_batch(data: GPTData, idx: np.ndarray, max_codes: int, downsample: int, styles: int
               ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    n = min(max_codes, max(len(data.codes[k]) for k in idx))
    da = data.features[0].shape[1]
    tokens = np.zeros((len(idx), n), np.int64)
    target = np.full((len(idx), n), -100, np.int64)
    feats = np.zeros((len(idx), downsample * n, da), np.float32)
    for b, k in enumerate(idx):
        c = data.codes[k][:n]
        target[b, : len(c)] = c
        feats[b, : downsample * len(c)] = data.features[k][: downsample * len(c)]
        tokens[b, 1: len(c)] = c[:-1]
    style = F.one_hot(torch.from_numpy(data.styles[idx]), styles).float()
    return torch.from_numpy(tokens), torch.from_numpy(feats), style, torch.from_numpy(target)


def train_gpt(data: GPTData, cfg: GPTConfig, train: PoseTrainConfig, log: Log) -> tuple[PoseGPT, list[float]]:
    """PoseGPT trained by teacher forcing (cross entropy on the next code) on each clip's first codes, with a
    share ``token_noise`` of the input codes replaced by random ones: a network that may not trust the previous
    code reads the speech more and copies its own last code less when it decodes greedily."""
    torch.manual_seed(train.seed + 1)
    rng = np.random.default_rng(train.seed + 1)
    gen = torch.Generator().manual_seed(train.seed + 2)
    model = PoseGPT(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=train.gpt_lr, weight_decay=0.01)
    curve, acc = [], []
    model.train()
    for step in range(train.gpt_steps):
        for g in opt.param_groups:
            g["lr"] = train.gpt_lr * _lr(step, train.gpt_steps, train.gpt_warmup)
        tokens, feats, style, target = _gpt_batch(data, rng.integers(0, len(data.codes), train.gpt_batch),
                                                  min(train.gpt_codes, cfg.max_codes), cfg.downsample, cfg.styles)
        noisy = torch.rand(tokens.shape, generator=gen) < train.token_noise
        tokens = torch.where(noisy, torch.randint(0, cfg.codes, tokens.shape, generator=gen), tokens)
        tokens[:, 0] = model.start
        logits = model(tokens, feats, style)
        loss = F.cross_entropy(logits.reshape(-1, cfg.codes), target.reshape(-1), ignore_index=-100)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        acc.append(float(loss))
        if (step + 1) % 100 == 0 or step + 1 == train.gpt_steps:
            curve.append(float(np.mean(acc)))
            log(f"posegpt step {step + 1}/{train.gpt_steps}: cross entropy {curve[-1]:.4f}")
            acc = []
    return model.eval(), curve


@torch.no_grad()
def gpt_loss(model: PoseGPT, data: GPTData, max_codes: int) -> dict[str, float]:
    """Teacher-forced cross entropy and next-code accuracy over clips (their first ``max_codes`` codes)."""
    total, correct, n = 0.0, 0, 0
    for k in range(len(data.codes)):
        tokens, feats, style, target = _gpt_batch(data, np.array([k]), max_codes, model.cfg.downsample,
                                                  model.cfg.styles)
        tokens[:, 0] = model.start
        logits = model(tokens, feats, style)
        m = target >= 0
        total += float(F.cross_entropy(logits[m], target[m], reduction="sum"))
        correct += int((logits.argmax(-1)[m] == target[m]).sum())
        n += int(m.sum())
    return {"cross_entropy": total / max(n, 1), "accuracy": correct / max(n, 1), "codes": n}


# -------------------------------------------------------------------- the run folder
def _save_state(module: torch.nn.Module, path: Path) -> None:
    np.savez(path, **{k: v.detach().cpu().numpy() for k, v in module.state_dict().items()})


def _load_state(module: torch.nn.Module, path: Path) -> None:
    with np.load(path, allow_pickle=False) as z:
        state = {k: torch.from_numpy(z[k]) for k in z.files}
    module.load_state_dict(state)


@dataclass
class PoseRun:
    vq: PoseVQVAE
    gpt: PoseGPT
    bank: StyleBank
    info: dict  # run.json: configs, audio encoder, figures

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        _save_state(self.vq, folder / "vqvae.npz")
        _save_state(self.gpt, folder / "gpt.npz")
        info = {**self.info, "vq": asdict(self.vq.cfg), "gpt": asdict(self.gpt.cfg), "styles": self.bank.to_json()}
        (folder / "run.json").write_text(json.dumps(info, indent=1) + "\n")

    @staticmethod
    def load(folder: Path) -> PoseRun:
        path = folder / "run.json"
        if not path.is_file():
            raise FileNotFoundError(f"{folder} is not a pose adapter run (no run.json); train one with "
                                    "python3 -m parley pose train")
        info = json.loads(path.read_text())
        vq = PoseVQVAE(VQConfig(**info["vq"]))
        _load_state(vq, folder / "vqvae.npz")
        gpt = PoseGPT(GPTConfig(**info["gpt"]))
        _load_state(gpt, folder / "gpt.npz")
        bank = StyleBank.from_json(info["styles"], path)
        if len(bank.names) != gpt.cfg.styles or vq.cfg.codes != gpt.cfg.codes:
            raise ValueError(f"{path}: styles: expected {gpt.cfg.styles} styles and {gpt.cfg.codes} codes "
                             f"but got {len(bank.names)} and {vq.cfg.codes}")
        return PoseRun(vq.eval(), gpt.eval(), bank, {k: v for k, v in info.items()
                                                      if k not in ("vq", "gpt", "styles")})

    @torch.no_grad()
    def generate(self, encoder: torch.nn.Module, window: int, clip: PoseClip, style: int, top_k: int = 0,
                 seed: int = 0) -> np.ndarray:
        """Head pose [T, 3] (radians) for a clip's speech in training style ``style``: output length = speech.
        Greedy unless ``top_k`` > 0 (PoseGPT.generate; ``seed`` seeds the draws)."""
        d = self.vq.cfg.downsample
        feats = torch.from_numpy(audio_features(encoder, padded_pcm(clip, d), window))[None]
        n = feats.shape[1] // d
        onehot = F.one_hot(torch.tensor([style]), self.gpt.cfg.styles).float()
        codes = self.gpt.generate(feats, onehot, n, top_k, torch.Generator().manual_seed(seed))
        return self.vq.decode(codes)[0, : clip.frames].numpy()


def train_run(clips: list[PoseClip], encoder: torch.nn.Module, window: int, cfg: PoseTrainConfig,
              info: dict, log: Log, val: list[PoseClip] | None = None) -> PoseRun:
    """The whole adapter from training clips: VQ-VAE, codes, style bank (one style per speaker), audio
    features, PoseGPT. ``val`` clips (other speakers) get reconstruction figures."""
    t0 = time.time()
    vq, vq_curve = train_vqvae(clips, cfg, log)
    figures: dict = {"vq_loss_every_100_steps": vq_curve, "vq_seconds": round(time.time() - t0, 1),
                     "vq_train": reconstruction(vq, clips)}
    if val:
        figures["vq_val"] = reconstruction(vq, val)
    log(f"vq-vae reconstruction: train {figures['vq_train']}" + (f", val {figures['vq_val']}" if val else ""))
    names, matrices, spread = speaker_matrices(clips)
    bank = StyleBank.build(names, matrices, spread)
    index = {s: i for i, s in enumerate(names)}
    t1 = time.time()
    codes = [vq.encode(torch.from_numpy(c.pose)[None])[0].numpy() for c in clips]
    feats = clip_features(encoder, window, clips, cfg.vq.downsample, log)
    data = GPTData(codes, feats, np.array([index[c.speaker] for c in clips], np.int64))
    gcfg = GPTConfig(**{**asdict(cfg.gpt), "codes": cfg.vq.codes, "styles": len(names),
                        "audio_dim": int(feats[0].shape[1]), "downsample": cfg.vq.downsample})
    gpt, gpt_curve = train_gpt(data, gcfg, cfg, log)
    figures.update({"gpt_loss_every_100_steps": gpt_curve, "gpt_seconds": round(time.time() - t1, 1),
                    "gpt_train": gpt_loss(gpt, GPTData(codes[:200], feats[:200], data.styles[:200]),
                                          cfg.gpt_codes)})
    log(f"posegpt teacher-forced on 200 training clips: {figures['gpt_train']}")
    train = {k: v for k, v in asdict(cfg).items() if k not in ("vq", "gpt")}
    return PoseRun(vq, gpt, bank, {**info, "train": train, "clips": len(clips), "figures": figures})
