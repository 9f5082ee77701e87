"""Sampler distillation: a 1-4 step, guidance-folded student of the pack's 10-step guided DDIM.

    python3 -m parley distil --teacher-pack packs/parley-base-v1 --data CORPUS --steps 2 4 --out runs/distil

The teacher is the pack's own model, read back from its ONNX graphs (``export.load_pack_weights``; no
checkpoint is needed). The student is a copy of the teacher's denoiser (same architecture, so it
exports through the same graph) that runs ONE row per step with audio and style on and whose output
is taken as the guided x0: classifier-free guidance is folded into its weights (Meng et al. 2023).
The audio and style encoders stay the teacher's, frozen, so a pack keeps one of each.

Method (model card, "Distilled sampler"): trajectory distillation with the student's own states. For
a training window and noise z the teacher's 10-step guided DDIM gives its sample x0_T(z) (no
gradients). The student runs its own K-step DDIM from the same z (no gradients) to collect the state
x_{t_i} it reaches before each of its steps, and learns to predict x0_T(z) from every one of them in
one batched pass. DDIM is deterministic, so x0_T is a function of (z, conditions) and the student
learns that map directly: one stage instead of progressive distillation's log2(10) halvings, and no
consistency bootstrapping (which needs far more steps than a shared 2-core CPU gives), and because
the states are the student's own it never meets states it was not trained on (as phase 3 of the
teacher's training, for the same reason). Every step count in ``--steps`` learns from each teacher
sample, so one student serves each of them; the manifest names the one the runtime uses.

Fixed seeds: step n draws its windows and noise from generators seeded with (seed, n), so a run
resumed from its checkpoint continues exactly as an uninterrupted run would.
"""
from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from .diffusion import Schedule
from .network import ParleyModel
from .sampler import Conditions, ddim_sample, ddim_timesteps, folded_inputs, folded_sample
from .train import make_batch, read_checkpoint, run_log, save_checkpoint

DISTIL_FORMAT = "parley-distil/1"


@dataclass(frozen=True)
class DistilConfig:
    """What a distillation run does; written into its checkpoints."""
    steps: tuple[int, ...] = (2, 4)  # student step counts, all trained on every teacher sample
    teacher_steps: int = 10  # the teacher's DDIM step count (its runtime default)
    guidance: tuple[float, float] = (1.5, 1.5)  # the teacher's (w_a, w_s): the pack's default
    batch_size: int = 16
    lr: float = 1e-4  # constant after warm-up: a time-capped run then ends at any step with the same rate
    warmup: int = 20
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    w_velocity: float = 0.5  # frame-to-frame velocity matching (normalised units), as in training
    seed: int = 0

    def timesteps(self, n: int, k: int) -> list[int]:
        return ddim_timesteps(n, k)


def student_losses(student: torch.nn.Module, teacher: ParleyModel, schedule: Schedule, batch: dict[str, torch.Tensor],
                   cfg: DistilConfig, gen: torch.Generator) -> dict[str, torch.Tensor]:
    """Losses of one distillation step on one batch of windows: the teacher samples once, and every
    student step count of ``cfg.steps`` learns from that sample (the teacher's 30 rows per window are
    most of the cost). ``final K=k``: the mean squared error of the K-step student's last prediction
    (its sample) to the teacher's, before this step's update."""
    with torch.no_grad():
        cond = Conditions(batch["prev"], batch["first_window"], teacher.audio(batch["pcm"]),
                          teacher.style(batch["style_motion"]), batch["shape"])
        noise = torch.randn(batch["motion"].shape, generator=gen)
        wa, ws = cfg.guidance
        target = ddim_sample(teacher.denoiser, noise, cond, schedule.alphas_cumprod, cfg.teacher_steps, wa, ws)
        trace: list[dict] = []
        for k in cfg.steps:
            folded_sample(student, noise, cond, schedule.alphas_cumprod, cfg.timesteps(schedule.steps, k), trace)
    b = noise.shape[0]
    rows = len(trace)  # one per student step, over all step counts; row = step * B + window
    states = torch.cat([s["x_t"] for s in trace])
    t = torch.cat([torch.full((b,), s["t"], dtype=torch.int64) for s in trace])
    rep = lambda v: v.repeat(rows, *([1] * (v.dim() - 1)))  # noqa: E731
    big = Conditions(rep(cond.prev_motion), rep(cond.first_window), rep(cond.audio_features), rep(cond.style),
                     rep(cond.shape))
    pred = student(**folded_inputs(states, t, big))
    goal = rep(target)
    simple = ((pred - goal) ** 2).mean()
    velocity = (((pred[:, 1:] - pred[:, :-1]) - (goal[:, 1:] - goal[:, :-1])) ** 2).mean()
    out = {"total": simple + cfg.w_velocity * velocity, "simple": simple, "velocity": velocity}
    last = 0
    for k in cfg.steps:  # each count's last step: the trace's x0 there is its sample
        last += k
        out[f"final K={k}"] = ((trace[last - 1]["x0"] - target) ** 2).mean()
    return out


def load_teacher(pack: Path, workdir: Path) -> tuple[ParleyModel, np.ndarray, np.ndarray, dict]:
    """The pack's model read back from its graphs (export.load_pack_weights), frozen, in eval mode."""
    from .export import load_pack_weights

    model, mean, std, man = load_pack_weights(pack, workdir)
    for prm in model.parameters():
        prm.requires_grad_(False)
    return model.eval(), mean, std, man


def student_model(teacher: ParleyModel) -> ParleyModel:
    """A model that shares the teacher's encoders and holds a trainable copy of its denoiser."""
    student = copy.deepcopy(teacher)
    for prm in student.denoiser.parameters():
        prm.requires_grad_(True)
    return student.eval()  # no dropout: the student matches a deterministic map


def distil(teacher: ParleyModel, student: ParleyModel, dataset, mean: np.ndarray, std: np.ndarray,
           cfg: DistilConfig, max_steps: int, start: int = 0, opt_state: dict | None = None,
           deadline: float | None = None, log=print, on_step=None) -> int:
    """Trains ``student.denoiser`` from optimiser step ``start`` until ``max_steps`` or the wall-clock
    ``deadline`` (time.time()); returns the steps done in all. ``on_step(n, optimiser)`` after each."""
    schedule = Schedule.from_config(teacher.cfg.diffusion)
    params = list(student.denoiser.parameters())
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    if opt_state is not None:
        opt.load_state_dict(opt_state)
    recent: list[dict[str, float]] = []
    n = start
    while n < max_steps and (deadline is None or time.time() < deadline):
        rng = np.random.default_rng([cfg.seed, n])
        gen = torch.Generator().manual_seed(cfg.seed * 1_000_003 + n)
        for group in opt.param_groups:
            group["lr"] = cfg.lr * min(1.0, (n + 1) / max(1, cfg.warmup))
        batch = make_batch(dataset, teacher.cfg, mean, std, rng, cfg.batch_size)
        losses = student_losses(student.denoiser, teacher, schedule, batch, cfg, gen)
        opt.zero_grad()
        losses["total"].backward()
        torch.nn.utils.clip_grad_norm_(params, cfg.grad_clip)
        opt.step()
        n += 1
        recent.append({key: float(v) for key, v in losses.items()})
        if len(recent) == 10:
            log(f"distil step {n}: " + " ".join(f"{key} {np.mean([r[key] for r in recent]):.4f}" for key in recent[0]))
            recent = []
        if on_step is not None:
            on_step(n, opt)
    return n


def save(out: Path, student: ParleyModel, mean: np.ndarray, std: np.ndarray, cfg: DistilConfig, steps: int,
         opt: torch.optim.Optimizer, teacher_info: dict, seconds: float) -> None:
    """last.pt (a plain Parley checkpoint: evaluate and export read it) and optimizer.pt (to resume)."""
    info = {"steps": steps, "seed": cfg.seed, "distil": {"format": DISTIL_FORMAT, "config": asdict(cfg),
                                                         "teacher": teacher_info, "train_seconds": round(seconds)}}
    save_checkpoint(out / "last.tmp", student, mean, std, **info)
    state = opt.state_dict()  # tensors as tensors, the hyper-parameters (floats) as JSON: see save_checkpoint
    torch.save({"format": DISTIL_FORMAT, "steps": steps, "state": state["state"],
                "param_groups": json.dumps(state["param_groups"])}, out / "optimizer.tmp")
    (out / "last.tmp").replace(out / "last.pt")
    (out / "optimizer.tmp").replace(out / "optimizer.pt")


def read_distil_info(checkpoint: Path) -> dict:
    """The ``distil`` entry of a student checkpoint (config, teacher, time); raises if it has none."""
    ckpt = read_checkpoint(checkpoint)
    info = ckpt.get("distil")
    if not isinstance(info, dict) or info.get("format") != DISTIL_FORMAT:
        raise ValueError(f"{checkpoint}: not a distilled student (no '{DISTIL_FORMAT}' entry): "
                         f"write one with python3 -m parley distil")
    return info


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m parley distil", description=__doc__.split("\n\n")[0])
    p.add_argument("--teacher-pack", type=Path, required=True, help="the pack whose 10-step sampler is distilled")
    p.add_argument("--data", required=True, help="a built corpus (its train split is used)")
    p.add_argument("--steps", type=int, nargs="+", default=list(DistilConfig.steps),
                   help="student step counts, each in [1, 4], all trained together (default %(default)s)")
    p.add_argument("--out", type=Path, required=True, help="run folder: last.pt, optimizer.pt, train.log")
    p.add_argument("--max-steps", type=int, default=100_000, help="optimiser steps in all (resumed runs included)")
    p.add_argument("--max-minutes", type=float, default=0.0,
                   help="stop (and save) once this run has taken so many minutes of wall time, loading included")
    p.add_argument("--checkpoint-every", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=DistilConfig.batch_size)
    p.add_argument("--lr", type=float, default=DistilConfig.lr)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--max-clips", type=int, default=0, help="use only the first clips of the split (smoke tests)")
    a = p.parse_args(argv)
    if any(not 1 <= k <= 4 for k in a.steps):
        p.error(f"--steps must each be in [1, 4] but got {a.steps}")
    torch.set_num_threads(a.threads)
    t0 = time.time()
    log = run_log(a.out)

    teacher, mean, std, man = load_teacher(a.teacher_pack, a.out / "teacher-probe")
    g = man["sampling"]["guidance"]
    if g.get("rescale", 0.0):
        p.error(f"{a.teacher_pack}: the teacher's guidance has a rescale ({g['rescale']}); distillation "
                f"folds plain guidance only")
    cfg = DistilConfig(steps=tuple(a.steps), teacher_steps=int(man["sampling"]["defaultSteps"]),
                       guidance=(float(g["audio"]), float(g["style"])), batch_size=a.batch_size, lr=a.lr, seed=a.seed)
    teacher_info = {"id": man["id"], "packVersion": man["packVersion"],
                    "denoiserSha256": man.get("checksums", {}).get(man["models"]["denoiser"])}
    student = student_model(teacher)
    start, opt_state, seconds = 0, None, 0.0
    if (a.out / "last.pt").exists():
        ckpt = read_checkpoint(a.out / "last.pt")
        info = read_distil_info(a.out / "last.pt")
        if info["config"] != json.loads(json.dumps(asdict(cfg))) or info["teacher"] != teacher_info:
            p.error(f"{a.out / 'last.pt'}: a run with another config or teacher; use another --out")
        student.load_state_dict(ckpt["state_dict"])
        start, seconds = int(ckpt["steps"]), float(info.get("train_seconds", 0))
        saved = torch.load(a.out / "optimizer.pt", map_location="cpu", weights_only=True)
        if saved.get("steps") != start:
            p.error(f"{a.out / 'optimizer.pt'} is of step {saved.get('steps')} but last.pt of step {start}")
        opt_state = {"state": saved["state"], "param_groups": json.loads(saved["param_groups"])}
        log(f"resumed from {a.out / 'last.pt'} at step {start}")
    from .data import CorpusDataset
    dataset = CorpusDataset(a.data, ("train",), a.max_clips)
    log(f"distil {man['id']} {man['packVersion']} ({cfg.teacher_steps}-step DDIM, guidance {cfg.guidance}) into "
        f"a {cfg.steps}-step folded student; {len(dataset)} train clips; batch {cfg.batch_size}")
    run0 = time.time()
    deadline = t0 + 60.0 * a.max_minutes if a.max_minutes > 0 else None

    def on_step(n: int, opt: torch.optim.Optimizer) -> None:
        if n % a.checkpoint_every == 0:
            save(a.out, student, mean, std, cfg, n, opt, teacher_info, seconds + time.time() - run0)

    holder: dict = {}

    def keep(n: int, opt: torch.optim.Optimizer) -> None:
        holder["opt"] = opt
        on_step(n, opt)

    done = distil(teacher, student, dataset, mean, std, cfg, a.max_steps, start, opt_state, deadline, log, keep)
    if "opt" in holder:
        save(a.out, student, mean, std, cfg, done, holder["opt"], teacher_info, seconds + time.time() - run0)
    log(f"wrote {a.out / 'last.pt'} at step {done} ({(seconds + time.time() - run0) / 60:.1f} min of training)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
