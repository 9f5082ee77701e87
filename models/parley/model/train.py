"""Training: the Dataset protocol, windowing, the style (NT-Xent) and denoiser loops, checkpoints.

    python3 -m parley train --config base --dataset parley.model.data:train_split --data corpus/ --out runs/base
    python3 -m parley train --config tiny --synthetic 16 --steps 50 --out /tmp/run   # smoke test

A dataset is any object with ``__len__`` and ``__getitem__`` returning one clip as a dict:
``pcm`` [S] float 16 kHz mono in [-1, 1] (S about T*640), ``motion`` [T, 56] raw (unnormalised) in
the head's layout, ``shape`` [100], and optionally ``phones`` [T] int (-1 = unknown).
"""
from __future__ import annotations

import argparse
import copy
import importlib
import json
import math
import pickle
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Protocol

import numpy as np
import torch

from parley.corpus.dataset import data_reference
from parley.head.components import N_POSE, expression_index
from parley.layout import (BILABIAL_CODES, EXPRESSION, FACE, HEAD, JAW_OPEN, MOTION_DIM, SAMPLE_RATE, SAMPLES_PER_FRAME,
                           pose_slots)
from parley.safe_pickle import UnsafePickleError

from .audio import warped_filterbank
from .config import AudioConfig, ModelConfig, config_from_dict, get_config
from .diffusion import Schedule, VertexFn, condition_dropout, diffusion_losses, phone_loss
from .network import ParleyModel, build_model
from .randomise import WindowRecipe, apply_chain, draw_chain, resample_speed, rest_pose, spec_masks, speeds_up_to
from .sampler import Conditions, ddim_sample, ddim_timesteps
from .style import nt_xent

CHECKPOINT_FORMAT = "parley-checkpoint/2"
STD_FLOOR = 1e-3  # dimensions that never move (e.g. unused components) must not blow up when normalised


class MotionDataset(Protocol):
    def __len__(self) -> int: ...

    def __getitem__(self, index: int) -> dict[str, Any]: ...


def motion_stats(dataset: MotionDataset) -> tuple[np.ndarray, np.ndarray]:
    """Per-dimension mean and std of motion over all frames of all clips (float32 [M] each)."""
    total, total_sq, n = 0.0, 0.0, 0
    for i in range(len(dataset)):
        m = np.asarray(dataset[i]["motion"], dtype=np.float64)
        total, total_sq, n = total + m.sum(0), total_sq + (m ** 2).sum(0), n + m.shape[0]
    mean = total / n
    std = np.sqrt(np.maximum(total_sq / n - mean ** 2, 0.0))
    return mean.astype(np.float32), np.maximum(std, STD_FLOOR).astype(np.float32)


def _fit(a: np.ndarray, length: int, pad: float | None) -> np.ndarray:
    """First ``length`` rows of ``a``, padded with ``pad`` (or by repeating the last row when None)."""
    if a.shape[0] >= length:
        return a[:length]
    if pad is None:
        filler = np.repeat(a[-1:], length - a.shape[0], axis=0) if a.shape[0] else np.zeros((length, *a.shape[1:]), a.dtype)
    else:
        filler = np.full((length - a.shape[0], *a.shape[1:]), pad, a.dtype)
    return np.concatenate([a, filler])


def sample_window(clip: dict[str, Any], cfg: ModelConfig, mean: np.ndarray, std: np.ndarray,
                  rng: np.random.Generator) -> dict[str, np.ndarray]:
    """One training window from a clip, as the runtime frames it (docs/model-pack.md)."""
    tw, tp, spf, tr = cfg.window, cfg.previous, SAMPLES_PER_FRAME, cfg.train
    motion = ((np.asarray(clip["motion"], np.float32) - mean) / std).astype(np.float32)
    pcm = np.asarray(clip["pcm"], np.float32)
    frames = motion.shape[0]
    if frames < tp + tw or rng.random() < tr.p_first_window:
        start, first = 0, 1.0
    else:
        start, first = int(rng.integers(tp, frames - tw + 1)), 0.0
    length = min(tw, frames - start)
    shortest = max(1, tw // 4)
    if rng.random() < tr.p_truncate and length > shortest:  # the runtime's last window: silence follows
        length = int(rng.integers(shortest, length + 1))
    prev = motion[start - tp:start] if not first else np.zeros((tp, motion.shape[1]), np.float32)
    phones = np.asarray(clip["phones"], np.int64) if clip.get("phones") is not None else np.full(frames, -1, np.int64)
    s0 = int(rng.integers(0, max(1, frames - cfg.style.frames + 1)))
    return {
        "pcm": _fit(pcm[start * spf:(start + length) * spf], tw * spf, 0.0),
        "motion": _fit(motion[start:start + length], tw, None),
        "prev": prev,
        "first_window": np.float32(first),
        "valid": (np.arange(tw) < length).astype(np.float32),
        "phones": _fit(phones[start:start + length], tw, -1),
        "style_motion": _fit(motion[s0:s0 + cfg.style.frames], cfg.style.frames, None),
        "shape": np.asarray(clip["shape"], np.float32),
    }


def _interp_rows(a: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """Rows of ``a`` [T, ...] linearly interpolated at fractional positions (clamped to the ends)."""
    pos = np.clip(pos, 0.0, a.shape[0] - 1.0)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, a.shape[0] - 1)
    w = (pos - lo).astype(np.float32).reshape(-1, *([1] * (a.ndim - 1)))
    return a[lo] * (1.0 - w) + a[hi] * w


def recipe_window(clip: dict[str, Any], cfg: ModelConfig, mean: np.ndarray, std: np.ndarray,
                  rng: np.random.Generator, recipe: WindowRecipe, for_teacher: bool = False) -> dict[str, np.ndarray]:
    """A training window under a :class:`WindowRecipe` (pack 2.0): the audio may be randomised and
    sped up or slowed down (motion and phones resampled with it), a line's first window may start
    right on its first phone, and a window may run past the end of the audio (the line's end, or a
    truncation), where the target relaxes to the speaker's rest and is scored, so the model learns
    what silence after a line looks like. Keys as :func:`sample_window`'s plus ``vtlp``; with
    ``for_teacher`` also ``pcm_clean`` and ``match`` (see :func:`phone_step`). The flag draws nothing
    from ``rng``: the other keys are the same either way."""
    tw, tp, spf, tr = cfg.window, cfg.previous, SAMPLES_PER_FRAME, cfg.train
    motion = ((np.asarray(clip["motion"], np.float32) - mean) / std).astype(np.float32)
    pcm = np.asarray(clip["pcm"], np.float32)
    frames = motion.shape[0]
    phones = np.asarray(clip["phones"], np.int64) if clip.get("phones") is not None else np.full(frames, -1, np.int64)
    chain = draw_chain(rng, speeds_up_to(recipe.speed_max), recipe.pitch_max_cents) if rng.random() < recipe.randomise else None
    r = chain.speed if chain is not None else 1.0
    need = tw * r  # source frames under a full window
    u = rng.random()
    lo, hi = int(np.ceil(tp * r)), int(np.floor(frames - need))  # starts with the previous frames and a full window
    if hi < lo or u < tr.p_first_window:
        first, s0 = 1.0, 0.0
        if rng.random() < recipe.p_tight_start:  # no lead-in: the audio starts on the first phone
            onset = clip.get("onset")
            if onset is None:
                speech = np.flatnonzero(phones > 0)
                onset = speech[0] / cfg.fps if len(speech) else 0.0
            s0 = max(0.0, float(onset) * cfg.fps - float(rng.uniform(0.0, 0.5)))
    elif u < tr.p_first_window + recipe.p_tail:  # the line ends inside the window
        first, s0 = 0.0, frames - int(rng.integers(max(1, tw // 8), tw)) * r
    else:
        first, s0 = 0.0, float(rng.integers(lo, hi + 1))
    a0 = int(round(s0 * spf))
    s0 = a0 / spf  # motion at the audio's own sample
    audio = resample_speed(pcm[a0:a0 + int(np.ceil(need * spf))], r)[:tw * spf]
    n_audio = min(tw, int(np.floor(len(audio) / spf + 0.5)))
    shortest = max(1, tw // 4)
    truncated = False
    if rng.random() < tr.p_truncate and n_audio > shortest:  # the runtime's last window: silence follows
        n_audio, truncated = int(rng.integers(shortest, n_audio + 1)), True
        audio = audio[:n_audio * spf]
    clean = audio
    if chain is not None:
        audio = apply_chain(audio, chain, rng)
    pos = s0 + r * (np.arange(-tp, tw) + 0.5) - 0.5
    rows = _interp_rows(motion, pos)
    target = rows[tp:].copy()
    labels = phones[np.clip(np.round(pos[tp:]).astype(np.int64), 0, frames - 1)]
    if n_audio < tw:  # after the audio: relax to rest (face), hold the head
        rest = (np.asarray(clip["rest"], np.float32) - mean) / std if clip.get("rest") is not None \
            else rest_pose(motion, phones)
        last = target[max(0, n_audio - 1)].copy()
        k = np.arange(1, tw - n_audio + 1, dtype=np.float32)[:, None]
        decay = np.exp(-k / recipe.rest_tau)
        target[n_audio:, FACE] = rest[FACE] + (last[FACE] - rest[FACE]) * decay
        target[n_audio:, HEAD] = last[HEAD]
        labels[n_audio:] = 0 if clip.get("phones") is not None else -1
    valid = np.ones(tw, np.float32)
    if truncated and not recipe.rest_truncation:
        valid[n_audio:] = 0.0
        labels[n_audio:] = -1
    s_style = int(rng.integers(0, max(1, frames - cfg.style.frames + 1)))
    window = {
        "pcm": _fit(audio, tw * spf, 0.0),
        "motion": target.astype(np.float32),
        "prev": rows[:tp].astype(np.float32) if not first else np.zeros((tp, motion.shape[1]), np.float32),
        "first_window": np.float32(first),
        "valid": valid,
        "phones": labels,
        "style_motion": _fit(motion[s_style:s_style + cfg.style.frames], cfg.style.frames, None),
        "shape": np.asarray(clip["shape"], np.float32),
        "vtlp": np.float32(chain.vtlp if chain is not None else 1.0),
    }
    if for_teacher:  # only a teacher reads these: a second window of audio per row otherwise wasted
        # The same window before the room, EQ, noise and codec (speed kept), and whether a teacher
        # encoder may be matched on it (real lines: no, a teacher does not hear them well).
        window["pcm_clean"] = _fit(clean, tw * spf, 0.0)
        window["match"] = np.float32(clip.get("match", 1.0))
    return window


def make_batch(dataset: MotionDataset, cfg: ModelConfig, mean: np.ndarray, std: np.ndarray,
               rng: np.random.Generator, size: int, recipe: WindowRecipe | None = None,
               for_teacher: bool = False) -> dict[str, torch.Tensor]:
    """``size`` windows from random clips; with an active ``recipe`` cut by :func:`recipe_window`
    (``for_teacher``: with the clean audio a teacher encoder hears; no effect without a recipe)."""
    cut = sample_window if recipe is None or not recipe.active else \
        (lambda clip, *a: recipe_window(clip, *a, recipe, for_teacher))
    items = [cut(dataset[int(rng.integers(len(dataset)))], cfg, mean, std, rng) for _ in range(size)]
    return {k: torch.from_numpy(np.stack([it[k] for it in items])) for k in items[0]}


_FILTERBANKS: dict[tuple[int, int, float], torch.Tensor] = {}


def mel_filterbanks(vtlp: torch.Tensor | None, cfg: AudioConfig) -> torch.Tensor | None:
    """Per-row warped mel filterbanks [B, n_mels, bins] for a batch's ``vtlp`` factors; None where
    every row hears plainly (the encoder then uses its own)."""
    if vtlp is None or bool(torch.all(vtlp == 1.0)):
        return None
    rows = []
    for alpha in vtlp.tolist():
        key = (cfg.n_fft, cfg.n_mels, round(alpha, 3))
        if key not in _FILTERBANKS:
            _FILTERBANKS[key] = torch.from_numpy(warped_filterbank(alpha, cfg.n_fft, cfg.n_mels))
        rows.append(_FILTERBANKS[key])
    return torch.stack(rows)


def style_pairs(dataset: MotionDataset, cfg: ModelConfig, mean: np.ndarray, std: np.ndarray,
                rng: np.random.Generator, size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Positives for NT-Xent: per row, a Ts-frame window from the first half of a clip and one from
    its second half (for clips shorter than 2 Ts the two halves overlap: each window starts at random
    within its half of the possible starts).

    Rows come from distinct clips where the dataset has enough of them.
    """
    clips = rng.choice(len(dataset), size=size, replace=len(dataset) < size)
    ts = cfg.style.frames
    a, b = [], []
    for c in clips:
        motion = ((np.asarray(dataset[int(c)]["motion"], np.float32) - mean) / std).astype(np.float32)
        frames = motion.shape[0]
        if frames >= 2 * ts:
            half = frames // 2
            s_a = int(rng.integers(0, half - ts + 1))
            s_b = int(rng.integers(half, frames - ts + 1))
        else:
            span = max(0, frames - ts)
            s_a = int(rng.integers(0, span // 2 + 1))
            s_b = int(rng.integers(span - span // 2, span + 1))
        a.append(_fit(motion[s_a:s_a + ts], ts, None))
        b.append(_fit(motion[s_b:s_b + ts], ts, None))
    return torch.from_numpy(np.stack(a)), torch.from_numpy(np.stack(b))


def style_step(model: ParleyModel, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return nt_xent(model.style(a), model.style(b), model.cfg.style.temperature)


def flame_vertex_fn(mean: np.ndarray, std: np.ndarray, stride: int = 64, asset_dir: Path | None = None) -> VertexFn:
    """(normalised motion [B, T, M], shape [B, 100]) -> vertices [B, T, V, 3] in millimetres through the
    Parley head (parley.head.flame), for the vertex loss. V: the lips and every ``stride``-th vertex,
    which keeps linear blend skinning of a whole batch of windows affordable on a CPU."""
    from parley.head.flame import FlameHead, load_parley_head

    head, spec = load_parley_head(asset_dir)
    n = head.v_template.shape[0]
    idx = torch.tensor(sorted(set(spec["regions"]["lips"]) | set(range(0, n, stride))))
    sub = FlameHead(head.v_template[idx], head.shapedirs[idx], head.exprdirs[idx], head.lbs_weights[idx],
                    head.parents, J_template=head.J_template, J_shapedirs=head.J_shapedirs)
    scale = 1000.0 if spec.get("units") == "meter" else 1.0
    mean_t, std_t = torch.from_numpy(np.asarray(mean, np.float32)), torch.from_numpy(np.asarray(std, np.float32))

    def vertices(motion: torch.Tensor, shape: torch.Tensor) -> torch.Tensor:
        b, t = motion.shape[:2]
        m = (motion * std_t + mean_t).reshape(b * t, -1)
        theta = m.new_zeros(b * t, N_POSE)
        for dst, src in pose_slots():
            theta[:, dst] = m[:, src]
        # The identity part once per window, not per frame (it is most of the blendshape cost).
        v_shape = sub.v_template + torch.einsum("nck,bk->bnc", sub.shapedirs, shape)
        v = v_shape.repeat_interleave(t, dim=0) + torch.einsum("nck,bk->bnc", sub.exprdirs, m[:, EXPRESSION])
        joints = sub.rest_joints(shape).repeat_interleave(t, dim=0)
        world, _ = sub._chain(theta, joints)
        skin = world.clone()
        skin[..., :3, 3] = world[..., :3, 3] - torch.einsum("bjik,bjk->bji", world[..., :3, :3], joints)
        tr = torch.einsum("nj,bjik->bnik", sub.lbs_weights, skin)
        v = torch.einsum("bnik,bnk->bni", tr[..., :3, :3], v) + tr[..., :3, 3]
        return v.reshape(b, t, -1, 3) * scale

    return vertices


def window_features(model: ParleyModel, pcm: torch.Tensor, window: int, mel_fb: torch.Tensor | None = None
                    ) -> torch.Tensor:
    """The audio features of a window: the encoder's last ``window`` frames (a streaming window's
    encoder also hears earlier audio of the line, parley.model.stream)."""
    return model.audio(pcm, mel_fb)[:, -window:]


def denoiser_step(model: ParleyModel, schedule: Schedule, batch: dict[str, torch.Tensor], gen: torch.Generator,
                  vertex_fn: VertexFn | None = None) -> dict[str, torch.Tensor]:
    """Losses of one denoiser/audio-encoder step (the style encoder is frozen and not updated here)."""
    cfg = model.cfg
    x0 = batch["motion"]
    b = x0.shape[0]
    mel_fb = mel_filterbanks(batch.get("vtlp"), cfg.audio)
    features = window_features(model, batch["pcm"], cfg.window, mel_fb)
    with torch.no_grad():
        style = model.style(batch["style_motion"])
    if cfg.train.regression:  # "w/o diffusion": one deterministic pass from x_t = 0 at t = 0, no dropout
        t = torch.zeros(b, dtype=torch.int64)
        x_t = torch.zeros_like(x0)
        audio_mask, style_mask = torch.ones(b), torch.ones(b)
    else:
        t = torch.randint(0, schedule.steps, (b,), generator=gen)
        x_t = schedule.q_sample(x0, t, torch.randn(x0.shape, generator=gen))
        audio_mask, style_mask = condition_dropout(b, cfg.train, gen)
    own = 0 if cfg.train.regression else int(round(cfg.train.p_sampler_state * b))
    if own:
        x_t[:own], t[:own] = sampler_states(model, schedule, batch, own, gen)
    if not cfg.train.use_style:
        style_mask = torch.zeros(b)
    pred = model.denoiser(x_t, t, batch["prev"], batch["first_window"], features, audio_mask, style, style_mask,
                          batch["shape"])
    weight = None
    if cfg.train.w_bilabial != 1.0:
        bilabial = torch.zeros_like(batch["valid"], dtype=torch.bool)
        for code in BILABIAL_CODES:
            bilabial |= batch["phones"] == code
        weight = 1.0 + (cfg.train.w_bilabial - 1.0) * bilabial.float()

    def rows_losses(rows: slice, tr) -> dict[str, torch.Tensor]:
        return diffusion_losses(pred[rows], x0[rows], batch["valid"][rows], batch["prev"][rows],
                                batch["first_window"][rows], tr, vertex_fn, batch["shape"][rows],
                                None if weight is None else weight[rows])

    losses = rows_losses(slice(own, b), cfg.train)
    if own:  # sampler-state rows: no head-pose losses; both parts weigh by their share of the batch
        no_head = replace(cfg.train, w_head=0.0, w_head_velocity=0.0, w_transition=0.0)
        own_losses = rows_losses(slice(0, own), no_head)
        losses = {k: (v * (b - own) + own_losses[k] * own) / b for k, v in losses.items()}
    losses["phone"] = phone_loss(model.audio.phone_logits(features), batch["phones"])
    losses["total"] = losses["total"] + cfg.train.w_phone * losses["phone"]
    return losses


def sampler_states(model: ParleyModel, schedule: Schedule, batch: dict[str, torch.Tensor], rows: int,
                   gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """(x_t [rows, Tw, M], t [rows]) for the first ``rows`` windows of a batch: the state of the model's
    own guided DDIM (TrainConfig.sampler_steps, sampler_guidance) before a random step k in [1, S), from
    fresh noise, in eval mode and without gradients."""
    tr, cfg = model.cfg.train, model.cfg
    k = int(torch.randint(1, tr.sampler_steps, (1,), generator=gen))
    noise = torch.randn(rows, cfg.window, cfg.motion_dim, generator=gen)
    was_training = model.denoiser.training, model.audio.training
    model.denoiser.eval(), model.audio.eval()
    with torch.no_grad():
        vtlp = batch.get("vtlp")
        mel_fb = mel_filterbanks(None if vtlp is None else vtlp[:rows], cfg.audio)
        cond = Conditions(batch["prev"][:rows], batch["first_window"][:rows], window_features(model, batch["pcm"][:rows], cfg.window, mel_fb),
                          model.style(batch["style_motion"][:rows]), batch["shape"][:rows])
        wa, ws = tr.sampler_guidance
        x = ddim_sample(model.denoiser, noise, cond, schedule.alphas_cumprod, tr.sampler_steps, wa, ws, stop=k)
    model.denoiser.train(was_training[0]), model.audio.train(was_training[1])
    t = ddim_timesteps(schedule.steps, tr.sampler_steps)[k]
    return x, torch.full((rows,), t, dtype=torch.int64)


def _optimizer(params, cfg: ModelConfig) -> torch.optim.Optimizer:
    return torch.optim.AdamW(params, lr=cfg.train.lr, weight_decay=cfg.train.weight_decay)


def lr_factor(step: int, total: int, cfg: ModelConfig) -> float:
    """Linear warm-up over lr_warmup steps, then cosine from 1 to lr_final_ratio at ``total`` steps."""
    tr = cfg.train
    if tr.lr_warmup and step < tr.lr_warmup:
        return (step + 1) / tr.lr_warmup
    frac = min(1.0, (step - tr.lr_warmup) / max(1, total - tr.lr_warmup))
    return tr.lr_final_ratio + (1.0 - tr.lr_final_ratio) * 0.5 * (1.0 + math.cos(math.pi * frac))


def train_style(model: ParleyModel, dataset: MotionDataset, mean: np.ndarray, std: np.ndarray, steps: int,
                seed: int = 0, log: Callable[[str], None] = print, log_every: int = 50) -> list[float]:
    """Contrastive training of the style encoder; returns the loss per step."""
    rng = np.random.default_rng(seed)
    opt = _optimizer(model.style.parameters(), model.cfg)
    model.style.train()
    history = []
    for step in range(steps):
        a, b = style_pairs(dataset, model.cfg, mean, std, rng, model.cfg.train.batch_size)
        loss = style_step(model, a, b)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.style.parameters(), model.cfg.train.grad_clip)
        opt.step()
        history.append(float(loss))
        if log_every and (step + 1) % log_every == 0:
            log(f"style step {step + 1}: nt-xent {np.mean(history[-log_every:]):.4f}")
    model.style.eval()
    return history


class TrainingState:
    """What a loop needs to resume bit for bit: optimiser moments, the data rng, the noise generator and
    torch's global rng (dropout). Written as tensors plus JSON, like a checkpoint."""

    def __init__(self, opt: torch.optim.Optimizer, rng: np.random.Generator, gen: torch.Generator):
        self.opt, self.rng, self.gen = opt, rng, gen

    def save(self, path: Path, model: ParleyModel, step: int) -> None:
        moments = {f"{i}.{k}": v for i, st in self.opt.state_dict()["state"].items() for k, v in st.items()
                   if isinstance(v, torch.Tensor)}
        meta = {"step": step, "rng": self.rng.bit_generator.state}
        tmp = path.with_suffix(".tmp")
        torch.save({"format": CHECKPOINT_FORMAT, "state_dict": model.state_dict(), "moments": moments,
                    "torch_rng": torch.get_rng_state(), "gen": self.gen.get_state(), "meta": json.dumps(meta)}, tmp)
        tmp.replace(path)  # never a half-written resume file

    def restore(self, path: Path, model: ParleyModel) -> int:
        """Loads ``path`` into the model, optimiser and rngs; returns the number of steps done."""
        st = torch.load(path, map_location="cpu", weights_only=True)
        meta = json.loads(st["meta"])
        model.load_state_dict(st["state_dict"])
        sd = self.opt.state_dict()
        state: dict[int, dict] = {}
        for key, v in st["moments"].items():
            i, name = key.split(".", 1)
            state.setdefault(int(i), {})[name] = v
        sd["state"] = state
        self.opt.load_state_dict(sd)
        self.rng.bit_generator.state = meta["rng"]
        self.gen.set_state(st["gen"])
        torch.set_rng_state(st["torch_rng"])
        return int(meta["step"])


def _train_loop(model: ParleyModel, params: list[torch.nn.Parameter], modules: tuple[torch.nn.Module, ...],
                losses_of: Callable[[np.random.Generator, torch.Generator], dict[str, torch.Tensor]], steps: int,
                seed: int, lr: float, label: str, log: Callable[[str], None], log_every: int,
                schedule_steps: int | None, on_step: Callable[[int], None] | None,
                resume: Path | None) -> list[dict[str, float]]:
    """Steps of AdamW on ``params`` with ``lr_factor``'s schedule; ``resume`` (a file) is read if it
    exists and written at every checkpoint ``on_step`` takes."""
    rng = np.random.default_rng(seed)
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=model.cfg.train.weight_decay)
    state = TrainingState(opt, rng, gen)
    total = schedule_steps or steps
    done = state.restore(resume, model) if resume is not None and resume.exists() else 0
    if done:
        log(f"{label}: resumed after step {done} from {resume}")
    model.eval()
    for m in modules:
        m.train()
    history = []
    for step in range(done, steps):
        for group in opt.param_groups:
            group["lr"] = lr * lr_factor(step, total, model.cfg)
        losses = losses_of(rng, gen)
        opt.zero_grad()
        losses["total"].backward()
        torch.nn.utils.clip_grad_norm_(params, model.cfg.train.grad_clip)
        opt.step()
        history.append({k: float(v) for k, v in losses.items()})
        if log_every and (step + 1) % log_every == 0:
            recent = history[-log_every:]
            means = " ".join(f"{k} {np.mean([h[k] for h in recent]):.4f}" for k in recent[-1])
            log(f"{label} step {step + 1}: {means}")
        if on_step is not None:
            model.eval()
            if on_step(step + 1) and resume is not None:
                state.save(resume, model, step + 1)
            for m in modules:
                m.train()
    model.eval()
    return history


def train_denoiser(model: ParleyModel, dataset: MotionDataset, mean: np.ndarray, std: np.ndarray, steps: int,
                   seed: int = 0, vertex_fn: VertexFn | None = None,
                   log: Callable[[str], None] = print, log_every: int = 50, schedule_steps: int | None = None,
                   on_step: Callable[[int], bool | None] | None = None, recipe: WindowRecipe | None = None,
                   resume: Path | None = None, freeze_audio: bool = False) -> list[dict[str, float]]:
    """Trains the denoiser and the audio encoder (with its phone head); returns losses per step.
    ``freeze_audio``: the audio encoder keeps its weights (no gradients through it) and only the
    denoiser learns, e.g. on an encoder pretrained for phones that the denoiser has to catch up with.

    The learning rate follows ``lr_factor`` over ``schedule_steps`` (default ``steps``): a shorter run
    with the same ``schedule_steps`` is exactly the longer run stopped early. ``on_step(n)`` is called
    after each of the n optimiser steps (checkpoints); where it returns True the loop also writes its
    state to ``resume``, from which a later call with the same arguments continues bit for bit."""
    schedule = Schedule.from_config(model.cfg.diffusion)
    for q in model.audio.parameters():
        q.requires_grad_(not freeze_audio)
    modules = (model.denoiser,) if freeze_audio else (model.audio, model.denoiser)
    params = [q for m in modules for q in m.parameters()]
    bs = model.cfg.train.batch_size

    def losses_of(rng: np.random.Generator, gen: torch.Generator) -> dict[str, torch.Tensor]:
        return denoiser_step(model, schedule, make_batch(dataset, model.cfg, mean, std, rng, bs, recipe), gen,
                             vertex_fn)

    try:
        return _train_loop(model, params, modules, losses_of, steps, seed, model.cfg.train.lr, "denoiser", log,
                           log_every, schedule_steps, on_step, resume)
    finally:
        for q in model.audio.parameters():
            q.requires_grad_(True)


def phone_step(model: ParleyModel, batch: dict[str, torch.Tensor], teacher: torch.Tensor | None = None,
               match_weight: float = 0.0) -> dict[str, torch.Tensor]:
    """Frame-level phone cross entropy of the audio encoder (and its phone head), with frame accuracy;
    ``batch["mel_mask"]`` (optional): SpecAugment masks. ``teacher``: features [B, T, Da] a frozen
    encoder gave for the clean windows; the mean squared distance to them, over the rows whose
    ``batch["match"]`` is 1, is added at ``match_weight``."""
    features = model.audio(batch["pcm"], mel_filterbanks(batch.get("vtlp"), model.cfg.audio), batch.get("mel_mask"))
    logits = model.audio.phone_logits(features)
    loss = phone_loss(logits, batch["phones"])
    known = batch["phones"] >= 0
    acc = (logits.argmax(-1) == batch["phones"])[known].float().mean() if bool(known.any()) else loss * 0.0
    out = {"phone": loss, "accuracy": acc.detach(), "total": loss}
    if teacher is not None:
        w = batch["match"] if "match" in batch else torch.ones(features.shape[0])
        per_row = ((features - teacher) ** 2).mean(dim=(1, 2))
        out["match"] = (w * per_row).sum() / w.sum().clamp(min=1.0)
        out["total"] = loss + match_weight * out["match"]
    return out


def train_phones(model: ParleyModel, dataset: MotionDataset, mean: np.ndarray, std: np.ndarray, steps: int,
                 seed: int = 0, lr: float = 5e-4, log: Callable[[str], None] = print, log_every: int = 50,
                 on_step: Callable[[int], bool | None] | None = None, recipe: WindowRecipe | None = None,
                 resume: Path | None = None, head_only: bool = False, match_weight: float = 0.0
                 ) -> list[dict[str, float]]:
    """Pretrains the audio encoder as a frame-level phone recogniser on the corpus's phone labels (the
    denoiser and the style encoder are untouched); the same windows, recipe and schedule as
    :func:`train_denoiser`, at learning rate ``lr``. ``head_only``: a linear probe, only the phone head
    learns on the frozen encoder's features (how phonetic an encoder already is, e.g. a pack's).
    ``match_weight`` > 0: the encoder as it was before this phase, frozen, is a teacher; on randomised
    windows the encoder learns to give the features the teacher gives for the clean window, so a
    denoiser trained on the teacher's features can read the new encoder's."""
    bs = model.cfg.train.batch_size
    teacher = None
    if match_weight > 0:
        teacher = copy.deepcopy(model.audio).eval()
        for q in teacher.parameters():
            q.requires_grad_(False)

    def losses_of(rng: np.random.Generator, gen: torch.Generator) -> dict[str, torch.Tensor]:
        batch = make_batch(dataset, model.cfg, mean, std, rng, bs, recipe, teacher is not None)
        if recipe is not None and recipe.spec_augment:
            a = model.cfg.audio
            batch["mel_mask"] = torch.from_numpy(spec_masks(rng, bs, a.n_mels, batch["pcm"].shape[1] // a.hop))
        if teacher is None:
            return phone_step(model, batch)
        with torch.no_grad():
            target = teacher(batch.get("pcm_clean", batch["pcm"]))
        return phone_step(model, batch, target, match_weight)

    params = list((model.audio.phone_head if head_only else model.audio).parameters())
    return _train_loop(model, params, () if head_only else (model.audio,), losses_of, steps, seed, lr, "phones",
                       log, log_every, None, on_step, resume)


def save_checkpoint(path: Path, model: ParleyModel, mean: np.ndarray, std: np.ndarray, **info) -> None:
    """Writes tensors plus one JSON string (config, normalisation, ``info``): torch 1.13's weights-only
    loader reads no pickled floats, and JSON keeps the file free of anything but data."""
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"config": model.cfg.to_dict(), "mean": np.asarray(mean).tolist(), "std": np.asarray(std).tolist(), **info}
    torch.save({"format": CHECKPOINT_FORMAT, "state_dict": model.state_dict(), "meta": json.dumps(meta)}, path)


def read_checkpoint(path: str | Path) -> dict:
    """The dict a checkpoint holds (config, state dict, normalisation, training info), read with torch's
    weights-only unpickler: a file that names any other global (code to run) is refused, naming the file.
    Checkpoints hold only tensors, numbers, strings, lists and dicts (:func:`save_checkpoint`)."""
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        raise UnsafePickleError(f"{path}: refused to load: not a plain Parley checkpoint (tensors, numbers, "
                                f"strings, lists and dicts only; nothing in the file was run; checkpoints "
                                f"written before {CHECKPOINT_FORMAT} need torch >= 2.0): {e}") from None
    if isinstance(ckpt, dict) and ckpt.get("format") == CHECKPOINT_FORMAT and isinstance(ckpt.get("meta"), str):
        ckpt = {"state_dict": ckpt.get("state_dict"), **json.loads(ckpt["meta"])}
    if not isinstance(ckpt, dict) or not {"config", "state_dict", "mean", "std"} <= set(ckpt):
        raise ValueError(f"{path}: not a Parley checkpoint (expected a dict with config, state_dict, mean, std)")
    return ckpt


def load_checkpoint(path: Path) -> tuple[ParleyModel, np.ndarray, np.ndarray]:
    ckpt = read_checkpoint(path)
    model = ParleyModel(config_from_dict(ckpt["config"]))
    model.load_state_dict(ckpt["state_dict"])
    return model.eval(), np.asarray(ckpt["mean"], np.float32), np.asarray(ckpt["std"], np.float32)


class SyntheticDataset:
    """Clips where motion follows the audio envelope (jaw, lips) plus a per-clip style offset: enough
    structure for smoke tests to see losses fall. Not a corpus."""

    def __init__(self, clips: int, frames: int = 150, seed: int = 0, n_phones: int = 8):
        rng = np.random.default_rng(seed)
        self.items = []
        for _ in range(clips):
            t = np.arange(frames * SAMPLES_PER_FRAME) / SAMPLE_RATE
            rate = rng.uniform(2.0, 5.0)
            env = np.clip(np.sin(2 * np.pi * rate * t + rng.uniform(0, 6.3)), 0, None)
            pcm = (0.3 * env * np.sin(2 * np.pi * rng.uniform(100, 250) * t)).astype(np.float32)
            frame_env = env[::SAMPLES_PER_FRAME][:frames]
            motion = np.zeros((frames, MOTION_DIM), np.float32)
            motion[:] = rng.normal(0, 0.3, MOTION_DIM)  # per-clip style offset
            motion[:, expression_index("lip_close")] -= frame_env  # lips open with the voice
            motion[:, JAW_OPEN] += 0.3 * frame_env
            motion[:, HEAD] += 0.05 * np.sin(np.arange(frames)[:, None] / 20.0 + rng.uniform(0, 6.3, 3))
            motion += rng.normal(0, 0.02, motion.shape).astype(np.float32)
            phones = np.minimum((frame_env * n_phones).astype(np.int64), n_phones - 1)
            self.items.append({"pcm": pcm, "motion": motion, "shape": rng.normal(0, 1, 100).astype(np.float32),
                               "phones": phones})

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return self.items[index]


def run_log(folder: Path) -> Callable[[str], None]:
    """A log of a run: each message printed and appended to ``folder``/train.log with the seconds since now."""
    folder.mkdir(parents=True, exist_ok=True)
    logfile = (folder / "train.log").open("a")
    t0 = time.time()

    def log(msg: str) -> None:
        line = f"[{time.time() - t0:7.0f} s] {msg}"
        print(line, flush=True)
        logfile.write(line + "\n")
        logfile.flush()

    return log


def _load_callable(spec: str) -> Callable:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m parley train", description=__doc__.split("\n\n")[0])
    p.add_argument("--config", default="base")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--dataset", help="module:callable taking --data and returning a dataset "
                                       "(the corpus: parley.model.data:train_split)")
    src.add_argument("--synthetic", type=int, metavar="CLIPS", help="train on a synthetic in-memory set (smoke test)")
    p.add_argument("--data", help="passed to the --dataset callable")
    p.add_argument("--vertex-weight", type=float, default=None,
                   help="weight of the vertex loss through the Parley head (default: the config's; 0: off)")
    p.add_argument("--style-steps", type=int, default=2000)
    p.add_argument("--steps", type=int, default=100000)
    p.add_argument("--schedule-steps", type=int, default=0,
                   help="length of the learning-rate schedule (default --steps; larger: stop a longer run early)")
    p.add_argument("--no-style", action="store_true", help="ablation: the denoiser never sees a style")
    p.add_argument("--no-align", action="store_true", help="ablation: no alignment mask in cross-attention")
    p.add_argument("--regression", action="store_true", help="baseline: deterministic regression, no diffusion")
    p.add_argument("--init-from", type=Path, help="start from this checkpoint's weights (all networks; a second "
                                                  "training phase), skipping style training")
    p.add_argument("--bilabial-weight", type=float, help="weight of p/b/m frames in the simple and vertex losses")
    p.add_argument("--sampler-states", type=float, metavar="SHARE",
                   help="share of each batch trained on the model's own DDIM states (TrainConfig.p_sampler_state)")
    p.add_argument("--lr", type=float, help="peak learning rate (default: the config's)")
    p.add_argument("--warmup", type=int, help="warm-up steps (default: the config's)")
    p.add_argument("--init-style", type=Path, help="take the trained style encoder from this checkpoint "
                                                   "(skips style training)")
    p.add_argument("--init-pack", type=Path, help="start from a pack's weights read back from its ONNX graphs "
                                                  "(export.load_pack_weights; the phone head starts afresh)")
    p.add_argument("--phone-steps", type=int, default=0,
                   help="first pretrain the audio encoder as a frame-level phone recogniser for so many steps")
    p.add_argument("--phone-lr", type=float, default=5e-4, help="peak learning rate of the phone pretraining")
    p.add_argument("--phone-real", type=Path, metavar="DIR",
                   help="mix a real-voice dataset's dev lines into the phone pretraining (docs/real-voices.md)")
    p.add_argument("--phone-real-share", type=float, default=0.25, help="share of phone windows from --phone-real")
    p.add_argument("--spec-augment", action="store_true", help="SpecAugment masks in the phone pretraining")
    p.add_argument("--phone-match", type=float, default=0.0, metavar="WEIGHT",
                   help="phone pretraining also matches the starting encoder's features on clean windows")
    p.add_argument("--speed-max", type=float, default=None,
                   help="fastest speed perturbation of randomised windows (default 1.18; ~1.5 for pitched-up voices)")
    p.add_argument("--pitch-max", type=int, default=0, metavar="CENTS",
                   help="half the randomised windows shift pitch and formants at constant tempo, up to CENTS")
    p.add_argument("--phone-head-only", action="store_true",
                   help="the phone steps train only the phone head on the frozen encoder (a linear probe)")
    p.add_argument("--freeze-audio", action="store_true",
                   help="the denoiser steps leave the audio encoder as it is (only the denoiser learns)")
    p.add_argument("--phone-weight", type=float, help="weight of the phone loss beside the denoiser's "
                                                      "(TrainConfig.w_phone)")
    p.add_argument("--randomise", type=float, default=0.0, metavar="SHARE",
                   help="share of windows whose audio is randomised (parley.model.randomise)")
    p.add_argument("--tail", type=float, default=0.0, metavar="SHARE",
                   help="share of windows that run past the line's end into silence, scored as rest")
    p.add_argument("--tight-start", type=float, default=0.0, metavar="SHARE",
                   help="share of first windows that start right on the line's first phone")
    p.add_argument("--rest-truncation", action="store_true",
                   help="score the silence after a truncated window's cut as rest (default: unscored)")
    p.add_argument("--first-window", type=float, help="share of windows that are a line's first "
                                                      "(TrainConfig.p_first_window)")
    p.add_argument("--resume", action="store_true",
                   help="continue from OUT/resume.pt where a previous run of the same command stopped; "
                        "do nothing if OUT/last.pt is already complete")
    p.add_argument("--audio-gate", type=float, metavar="DB",
                   help="train with this silence gate in front of the audio encoder (parley.model.audio.SilenceGate; "
                        "0: none; default: the config's); the checkpoint and its export carry it")
    p.add_argument("--checkpoint-every", type=int, default=0, help="also write step-NNNNNN.pt every so many steps")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    p.add_argument("--out", type=Path, required=True, help="run folder: last.pt is written there")
    a = p.parse_args(argv)
    if a.threads:
        torch.set_num_threads(a.threads)
    cfg = get_config(a.config)
    tr = cfg.train
    if a.vertex_weight is not None:
        tr = replace(tr, w_vertex=a.vertex_weight)
    tr = replace(tr, use_style=tr.use_style and not a.no_style, regression=tr.regression or a.regression)
    if a.bilabial_weight is not None:
        tr = replace(tr, w_bilabial=a.bilabial_weight)
    if a.sampler_states is not None:
        if not 0.0 <= a.sampler_states <= 1.0:
            p.error(f"--sampler-states must be in [0, 1] but got {a.sampler_states}")
        if tr.regression and a.sampler_states > 0:
            p.error("--sampler-states needs a diffusion model; the regression baseline has no sampler")
        tr = replace(tr, p_sampler_state=a.sampler_states)
    if a.phone_weight is not None:
        tr = replace(tr, w_phone=a.phone_weight)
    if a.first_window is not None:
        tr = replace(tr, p_first_window=a.first_window)
    for name in ("randomise", "tail", "tight_start", "first_window"):
        v = getattr(a, name)
        if v is not None and not 0.0 <= v <= 1.0:
            p.error(f"--{name.replace('_', '-')} must be in [0, 1] but got {v}")
    if a.phone_steps < 0:
        p.error(f"--phone-steps must be >= 0 but got {a.phone_steps}")
    if not 0 <= a.pitch_max <= 2400:
        p.error(f"--pitch-max must be in [0, 2400] cents but got {a.pitch_max}")
    recipe = WindowRecipe(randomise=a.randomise, p_tail=a.tail, p_tight_start=a.tight_start,
                          rest_truncation=a.rest_truncation, spec_augment=a.spec_augment,
                          pitch_max_cents=a.pitch_max,
                          **({} if a.speed_max is None else {"speed_max": a.speed_max}))
    if a.lr is not None:
        tr = replace(tr, lr=a.lr)
    if a.warmup is not None:
        tr = replace(tr, lr_warmup=a.warmup)
    cfg = replace(cfg, train=tr)
    if a.no_align:
        cfg = replace(cfg, denoiser=replace(cfg.denoiser, alignment_mask=False))
    if a.audio_gate is not None:
        if a.audio_gate < 0:
            p.error(f"--audio-gate must be >= 0 dB (0: none) but got {a.audio_gate}")
        cfg = replace(cfg, audio=replace(cfg.audio, gate_db=float(a.audio_gate)))
    if sum(x is not None for x in (a.init_from, a.init_pack, a.init_style)) > 1:
        p.error("--init-from, --init-pack and --init-style exclude each other")
    last = a.out / "last.pt"
    if a.resume and last.exists():
        done = read_checkpoint(last)
        if done.get("complete") and done.get("steps") == a.steps and done.get("phone_steps", 0) == a.phone_steps:
            print(f"{last} is complete ({a.steps} steps): nothing to do")
            return 0
    dataset = SyntheticDataset(a.synthetic, n_phones=cfg.audio.n_phones, seed=a.seed) if a.synthetic \
        else _load_callable(a.dataset)(a.data)
    model = build_model(cfg, a.seed)
    mean, std = motion_stats(dataset)
    vertex_fn = flame_vertex_fn(mean, std) if cfg.train.w_vertex > 0 else None
    log = run_log(a.out)
    t0 = time.time()
    log(f"config {cfg.name}: {len(dataset)} clips, params {model.parameter_counts()}")
    prior: dict | None = None
    if a.init_from:
        prior = read_checkpoint(a.init_from)
        model.load_state_dict(prior["state_dict"])
        mean, std = np.asarray(prior["mean"], np.float32), np.asarray(prior["std"], np.float32)
        vertex_fn = flame_vertex_fn(mean, std) if cfg.train.w_vertex > 0 else None
        model.style.eval()
        style_steps = int(prior.get("style_steps", 0))
        log(f"all weights from {a.init_from} (step {prior.get('steps')})")
    elif a.init_pack:
        import tempfile

        from .export import load_pack_weights
        with tempfile.TemporaryDirectory() as tmp:
            read, mean, std, man = load_pack_weights(a.init_pack, Path(tmp))
        state = {k: v for k, v in read.state_dict().items() if not k.startswith("audio.phone_head.")}
        model.load_state_dict(state, strict=False)  # the phone head is not in a pack: it keeps its init
        vertex_fn = flame_vertex_fn(mean, std) if cfg.train.w_vertex > 0 else None
        model.style.eval()
        training = man["architecture"].get("training", {})
        prior = {**training, "packVersion": man["packVersion"]}
        style_steps = int(training.get("style_steps", 0))
        log(f"all weights but the phone head from pack {a.init_pack.name} {man['packVersion']}")
    elif a.init_style:
        ckpt = read_checkpoint(a.init_style)
        model.style.load_state_dict({k[len("style."):]: v for k, v in ckpt["state_dict"].items() if k.startswith("style.")})
        model.style.eval()
        style_steps = int(ckpt.get("style_steps", 0))
        log(f"style encoder from {a.init_style}")
    else:
        style_steps = a.style_steps
        train_style(model, dataset, mean, std, a.style_steps, a.seed, log=log)
        save_checkpoint(a.out / "style.pt", model, mean, std, steps=0, style_steps=a.style_steps, seed=a.seed)
    info = dict(style_steps=style_steps, seed=a.seed, schedule_steps=a.schedule_steps or a.steps,
                data=data_reference(a.data) if a.data else f"synthetic:{a.synthetic}")
    if a.phone_steps or recipe.active:
        info.update(phone_steps=a.phone_steps, recipe=recipe.to_dict())
    if a.phone_real:
        info.update(phone_real=data_reference(str(a.phone_real)), phone_real_share=a.phone_real_share)
    if a.phone_match:
        info.update(phone_match=a.phone_match)
    if prior is not None:
        phase = {"steps": a.steps, "schedule_steps": a.schedule_steps or a.steps, "seed": a.seed, "lr": cfg.train.lr,
                 "w_bilabial": cfg.train.w_bilabial, "p_sampler_state": cfg.train.p_sampler_state}
        if a.freeze_audio:
            phase["freeze_audio"] = True
        if a.phone_steps or recipe.active:
            phase.update(phone_steps=a.phone_steps, phone_lr=a.phone_lr, phone_head_only=a.phone_head_only,
                         w_phone=cfg.train.w_phone,
                         p_first_window=cfg.train.p_first_window, recipe=recipe.to_dict())
        info["phases"] = prior.get("phases", [{k: prior.get(k) for k in ("steps", "schedule_steps", "seed")}]) + [phase]
    resume = a.out / "resume.pt" if a.resume else None

    def checkpoint(prefix: str, total: int) -> Callable[[int], bool]:
        def on_step(n: int) -> bool:
            if a.checkpoint_every and n % a.checkpoint_every == 0 and n < total:
                save_checkpoint(a.out / f"{prefix}{n:06d}.pt", model, mean, std, steps=n, **info)
                if prefix == "step-":
                    save_checkpoint(last, model, mean, std, steps=n, **info)
                return True
            return False
        return on_step

    if a.phone_steps:
        phone_resume = a.out / "resume-phones.pt" if a.resume else None
        if phone_resume is not None and (a.out / "phones.pt").exists():
            model.load_state_dict(read_checkpoint(a.out / "phones.pt")["state_dict"])
            log(f"phone pretraining from {a.out / 'phones.pt'} (complete)")
        else:
            phone_data = dataset
            if a.phone_real:
                from parley.realvoice.training import PhoneMix, RealPhoneLines
                phone_data = PhoneMix(dataset, RealPhoneLines(a.phone_real), a.phone_real_share)
                log(f"phone pretraining: {len(phone_data.real)} real dev lines at share {a.phone_real_share}")
            train_phones(model, phone_data, mean, std, a.phone_steps, a.seed, a.phone_lr, log=log,
                         on_step=checkpoint("phones-", a.phone_steps), recipe=recipe, resume=phone_resume,
                         head_only=a.phone_head_only, match_weight=a.phone_match)
            save_checkpoint(a.out / "phones.pt", model, mean, std, steps=0, **info)
    train_denoiser(model, dataset, mean, std, a.steps, a.seed, vertex_fn, log=log,
                   schedule_steps=a.schedule_steps or None, on_step=checkpoint("step-", a.steps), recipe=recipe,
                   resume=resume, freeze_audio=a.freeze_audio)
    save_checkpoint(last, model, mean, std, steps=a.steps, train_seconds=round(time.time() - t0), complete=True,
                    **info)
    log(f"wrote {last} after {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
