"""Streaming with bounded lookahead: short windows that hop as streamed audio arrives (issue 18).

    python3 -m parley stream-train --pack packs/parley-base-v1 --data ../corpus/full --out runs/stream

A streaming window is ``hop + lookahead`` frames. The runtime cuts one as soon as the audio of its last
frame has arrived, keeps its first ``hop`` frames of motion and drops the rest (the next window makes
them again, with more audio). The audio encoder hears the window's frames and up to ``context`` frames
of earlier audio of the line, and nothing after the window: its receptive field into the future is the
window's end, ``lookahead`` frames (80 ms by default) past the last frame kept, ``hop + lookahead``
frames past the first. The denoiser sees the last ``previous`` frames of motion so far, as in full
windows. Both networks start from a pack's weights (the window's positions are the first of the full
window's) and are fine-tuned on windows cut exactly as the runtime cuts them (:func:`stream_batch`);
the style encoder is the pack's, frozen.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from parley.layout import SAMPLES_PER_FRAME

from .config import ModelConfig
from .diffusion import Schedule
from .network import ParleyModel
from .sampler import Conditions, ddim_sample, history
from .train import _fit, _train_loop, denoiser_step, flame_vertex_fn, run_log, save_checkpoint


@dataclass(frozen=True)
class StreamConfig:
    """The streaming contract: what a window holds and what the runtime keeps of it."""
    hop: int = 2  # frames of motion kept per window (80 ms)
    lookahead: int = 2  # frames of audio past the last frame kept (80 ms)
    context: int = 50  # frames of the line's earlier audio the encoder hears (2 s)

    def __post_init__(self) -> None:
        if self.hop < 1 or self.lookahead < 0 or self.context < 0:
            raise ValueError(f"hop must be >= 1, lookahead and context >= 0 but got {self}")

    @property
    def window(self) -> int:
        return self.hop + self.lookahead


@dataclass(frozen=True)
class StreamTrainConfig:
    steps: int = 1500
    batch: int = 32
    lr: float = 1e-4
    # Shares of batches: a line's first window (no context, the learnt start motion), a window in the
    # line's first ``context`` frames (context from the line's start), and a line's last window (the
    # audio ends inside it; frames after the end are not kept, so not scored).
    p_first: float = 0.1
    p_early: float = 0.2
    p_end: float = 0.1
    w_phone: float = 0.0  # the pack has no phone head; a fresh one would pull the encoder about
    seed: int = 0


def stream_model(model: ParleyModel, scfg: StreamConfig) -> ParleyModel:
    """A copy of ``model`` whose denoiser takes ``scfg.window`` current frames: the full window's
    positions cut to the first ones, every other weight the same."""
    if scfg.window > model.cfg.window:
        raise ValueError(f"stream window must be at most {model.cfg.window} frames but is {scfg.window}")
    cfg = replace(model.cfg, window=scfg.window)
    out = ParleyModel(cfg)
    state = dict(model.state_dict())
    state["denoiser.pos"] = state["denoiser.pos"][: 1 + cfg.previous + cfg.window].clone()
    state["denoiser.audio_pos"] = state["denoiser.audio_pos"][: cfg.window].clone()
    out.load_state_dict(state)
    out.stream = scfg
    return out.eval()


def previous_frames(motion: np.ndarray, start: int, tp: int) -> np.ndarray:
    """The last ``tp`` frames before ``start`` (start >= 1); fewer than ``tp`` repeat the line's first
    frame, as the runtime's LineGenerator does."""
    done = motion[max(0, start - tp):start]
    return np.concatenate([np.repeat(motion[:1], tp - len(done), 0), done]) if len(done) < tp else done


def stream_window(clip: dict[str, Any], cfg: ModelConfig, scfg: StreamConfig, context: int, start: int | None,
                  end: int | None, mean: np.ndarray, std: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """One streaming window of a clip as the runtime cuts it: ``context`` frames of audio before
    ``start`` (None: a random start with that much audio before it), ``scfg.window`` frames after it;
    audio after ``end`` frames into the window is silence (the line ended), and those frames are not scored."""
    k, tp, spf = scfg.window, cfg.previous, SAMPLES_PER_FRAME
    motion = ((np.asarray(clip["motion"], np.float32) - mean) / std).astype(np.float32)
    frames = motion.shape[0]
    if start is None:
        start = int(rng.integers(max(context, 1), frames - k + 1))
    n = k if end is None else end
    pcm = np.zeros((context + k) * spf, np.float32)
    src = np.asarray(clip["pcm"], np.float32)[(start - context) * spf:(start + n) * spf]
    pcm[: len(src)] = src
    phones = np.asarray(clip["phones"], np.int64) if clip.get("phones") is not None else np.full(frames, -1, np.int64)
    s0 = int(rng.integers(0, max(1, frames - cfg.style.frames + 1)))
    first = start == 0
    valid = (np.arange(k) < n).astype(np.float32)
    return {
        "pcm": pcm,
        "motion": motion[start:start + k],
        "prev": np.zeros((tp, motion.shape[1]), np.float32) if first else previous_frames(motion, start, tp),
        "first_window": np.float32(first),
        "valid": valid,
        "phones": np.where(valid > 0, phones[start:start + k], -1),
        "style_motion": _fit(motion[s0:s0 + cfg.style.frames], cfg.style.frames, None),
        "shape": np.asarray(clip["shape"], np.float32),
    }


def stream_batch(dataset, cfg: ModelConfig, scfg: StreamConfig, tcfg: StreamTrainConfig, mean: np.ndarray,
                 std: np.ndarray, rng: np.random.Generator) -> dict[str, torch.Tensor]:
    """A batch of streaming windows sharing one context length (the encoder runs them as one tensor)."""
    k = scfg.window
    u = rng.random()
    if u < tcfg.p_first:
        context, start = 0, 0
    elif u < tcfg.p_first + tcfg.p_early and scfg.context > 1:
        context = int(rng.integers(1, scfg.context))
        start = context  # early in a line the encoder hears the line from its start
    else:
        context, start = scfg.context, None
    items = []
    while len(items) < tcfg.batch:
        clip = dataset[int(rng.integers(len(dataset)))]
        if len(clip["motion"]) < max(context, 1) + k:
            continue
        end = int(rng.integers(1, k + 1)) if rng.random() < tcfg.p_end else None
        items.append(stream_window(clip, cfg, scfg, context, start, end, mean, std, rng))
    return {key: torch.from_numpy(np.stack([it[key] for it in items])) for key in items[0]}


def train_stream(model: ParleyModel, dataset, mean: np.ndarray, std: np.ndarray, tcfg: StreamTrainConfig,
                 vertex_fn=None, log=print, on_step=None, resume: Path | None = None) -> list[dict[str, float]]:
    """Fine-tunes a :func:`stream_model`'s audio encoder and denoiser on streaming windows with
    train.py's own losses (``denoiser_step``); the style encoder stays frozen."""
    schedule = Schedule.from_config(model.cfg.diffusion)
    scfg: StreamConfig = model.stream
    params = list(model.audio.parameters()) + list(model.denoiser.parameters())

    def losses_of(rng: np.random.Generator, gen: torch.Generator) -> dict[str, torch.Tensor]:
        batch = stream_batch(dataset, model.cfg, scfg, tcfg, mean, std, rng)
        return denoiser_step(model, schedule, batch, gen, vertex_fn)

    return _train_loop(model, params, (model.audio, model.denoiser), losses_of, tcfg.steps, tcfg.seed, tcfg.lr,
                       "stream", log, 25, tcfg.steps, on_step, resume)


@torch.no_grad()
def stream_sample(model: ParleyModel, pcm: torch.Tensor, frames: int, style: torch.Tensor, shape: torch.Tensor,
                  alphas_cumprod: np.ndarray, steps: int, guidance: tuple[float, float, float],
                  gen: torch.Generator, trace: list[dict] | None = None) -> torch.Tensor:
    """Normalised motion [B, frames, M] of B lines streamed as the runtime streams them: window w starts
    at frame s = w * hop, its encoder hears the line's audio from frame max(0, s - context) to s + window
    (silence past the line's end), its denoiser the last ``previous`` frames kept so far; it keeps its
    first ``hop`` frames. pcm [B, S]; noise [B, window, M] per window from ``gen``. ``trace`` (a list)
    gets per window {start, context, pcm, features, prev, first, noise, x} (golden vectors)."""
    scfg: StreamConfig = model.stream
    cfg = model.cfg
    k, tp, spf = scfg.window, cfg.previous, SAMPLES_PER_FRAME
    b = pcm.shape[0]
    wa, ws, phi = guidance
    padded = torch.zeros(b, (frames + k) * spf)
    n = min(pcm.shape[1], frames * spf)
    padded[:, :n] = pcm[:, :n]
    kept: list[torch.Tensor] = []
    prev = torch.zeros(b, tp, cfg.motion_dim)
    for start in range(0, frames, scfg.hop):
        context = min(scfg.context, start)
        chunk = padded[:, (start - context) * spf:(start + k) * spf]
        features = model.audio(chunk)[:, -k:]
        first = torch.full((b,), 1.0 if start == 0 else 0.0)
        noise = torch.randn(b, k, cfg.motion_dim, generator=gen)
        cond = Conditions(prev, first, features, style, shape)
        x = ddim_sample(model.denoiser.two_graphs, noise, cond, alphas_cumprod, steps, wa, ws, rescale=phi)
        if trace is not None:
            trace.append({"start": start, "context": context, "pcm": chunk.clone(), "features": features,
                          "prev": prev.clone(), "first": first, "noise": noise, "x": x})
        kept.append(x[:, :scfg.hop])
        prev = history(torch.cat(kept, 1), tp)  # as stream_window trains
    return torch.cat(kept, 1)[:, :frames]


def stream_label(scfg: StreamConfig) -> str:
    """How evaluations name a streaming model."""
    return f"parley stream (hop {scfg.hop}, lookahead {scfg.lookahead}, context {scfg.context})"


def load_stream_checkpoint(path: Path) -> tuple[ParleyModel, np.ndarray, np.ndarray]:
    """A streaming checkpoint's model (with its ``stream`` contract), mean and std."""
    from .train import load_checkpoint, read_checkpoint
    info = read_checkpoint(path)
    if "stream" not in info:
        raise ValueError(f"{path}: not a streaming checkpoint (no 'stream' entry)")
    model, mean, std = load_checkpoint(path)
    model.stream = StreamConfig(**info["stream"])
    return model, mean, std


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m parley stream-train", description=__doc__.split("\n\n")[0])
    p.add_argument("--pack", type=Path, required=True, help="the pack to start from (its style encoder stays)")
    p.add_argument("--data", required=True, help="a built corpus (its train split)")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--hop", type=int, default=StreamConfig.hop)
    p.add_argument("--lookahead", type=int, default=StreamConfig.lookahead)
    p.add_argument("--context", type=int, default=StreamConfig.context)
    p.add_argument("--steps", type=int, default=StreamTrainConfig.steps)
    p.add_argument("--batch", type=int, default=StreamTrainConfig.batch)
    p.add_argument("--lr", type=float, default=StreamTrainConfig.lr)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--max-clips", type=int, default=0, help="read only the first N train clips (tests)")
    p.add_argument("--checkpoint-every", type=int, default=100)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    from .data import CorpusDataset
    from .export import load_pack_weights
    log = run_log(a.out)
    t0 = time.time()
    last = a.out / "last.pt"
    if last.is_file():
        from .train import read_checkpoint
        done = read_checkpoint(last)
        if done.get("complete") and done.get("steps") == a.steps:
            log(f"{last} is complete ({a.steps} steps): nothing to do")
            return 0
    with tempfile.TemporaryDirectory() as tmp:
        base, mean, std, man = load_pack_weights(a.pack, Path(tmp))
    scfg = StreamConfig(a.hop, a.lookahead, a.context)
    tcfg = StreamTrainConfig(steps=a.steps, batch=a.batch, lr=a.lr, seed=a.seed)
    model = stream_model(base, scfg)
    model.cfg = replace(model.cfg, train=replace(model.cfg.train, w_phone=tcfg.w_phone))
    dataset = CorpusDataset(a.data, ("train",), a.max_clips)
    vertex_fn = flame_vertex_fn(mean, std) if model.cfg.train.w_vertex > 0 else None
    info = {"stream": asdict(scfg), "stream_train": asdict(tcfg), "basePack": man["id"],
            "basePackVersion": man["packVersion"]}
    log(f"stream fine-tune from {man['id']} {man['packVersion']}: window {scfg.window} (hop {scfg.hop}, "
        f"lookahead {scfg.lookahead}), context {scfg.context}, {len(dataset)} clips")

    def on_step(n: int) -> bool:
        if n % a.checkpoint_every == 0 and n < tcfg.steps:
            save_checkpoint(last, model, mean, std, steps=n, **info)
            return True
        return False

    train_stream(model, dataset, mean, std, tcfg, vertex_fn, log, on_step, a.out / "resume.pt")
    save_checkpoint(last, model, mean, std, steps=tcfg.steps, complete=True, train_seconds=round(time.time() - t0),
                    **info)
    log(f"wrote {last} after {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
