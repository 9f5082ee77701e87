"""Evaluation on the corpus: Parley against baselines, ablations and the ground-truth noise floor.

    python3 -m parley evaluate --checkpoint runs/base/last.pt --data ../corpus/full \
        --regression runs/regression/last.pt --ablation no-style=runs/no-style/last.pt \
        --out packs/parley-base-v1/metrics.json --images ../docs/images

Splits can run in separate processes (``--splits test``, ``--splits heldout``; each split samples with
its own seeded generator, so the numbers are the same) and be joined with ``--merge``.

Splits: ``test`` (speakers never trained on, voices seen in training) and ``heldout`` (voices never
heard in training). Face metrics are on the Parley head with each clip's own shape (beta), in head coordinates (the
neck rotation left out: head pose is scored by BA and diversity; with it, a few degrees of different
sway would dominate every lip distance):

- ``lve_mm``: lip vertex error, the maximum L2 error over the head's lip vertices per frame, averaged
  over frames (mm).
- ``fdd_mm``: upper-face dynamics deviation: per upper-face vertex, the standard deviation over time
  of its displacement from the clip's neutral face, predicted minus ground truth in absolute value,
  averaged over vertices and clips (mm).
- ``mod_mm``: mouth-opening difference, mean absolute difference of the head's mouth opening (the
  spec's inner-lip gap) per frame (mm).
- ``ba``: beat alignment (Bailando's): for each head-motion beat (a local minimum of head angular
  speed) exp(-d^2 / 2 sigma^2), d the distance in frames to the nearest audio beat (an onset of the
  frame energy), sigma 3 frames, averaged over motion beats.
- ``div_expr`` / ``div_head_deg``: diversity over repeated samples of the same input: the mean pairwise
  L2 distance per frame between samples of expression + jaw (56-dim units) and of head pose (degrees).
- ``closure``: share of p/b/m phones whose midpoint frame has the lips closed, with the corpus's own
  criterion (``parley.corpus.quality.HeadCloser``: mouth opening below the spec's ``closedBelow``).

Real voices (``--real-voices DIR``, a dataset of ``python3 -m parley realvoice``; docs/real-voices.md):
reference-free lip metrics (parley.realvoice.metrics) and the linear-probe frame phone accuracy of the
audio encoder (parley.realvoice.probe), for the evaluated model and each ``--baseline-pack`` in the same
run. ``--pack`` evaluates a shipped pack's ONNX weights instead of a checkpoint::

    python3 -m parley evaluate --checkpoint runs/v2/last.pt --baseline-pack packs/parley-base-v1 \
        --data ../corpus/full --splits --real-voices ../work/realvoice --real-split dev eval \
        --out work/real.json
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import torch

from parley.corpus.dataset import Clip, Corpus, data_reference, load_clip
from parley.corpus.motion import bilabial_frames
from parley.head.components import N_POSE
from parley.layout import EXPRESSION, FACE as EXPR_JAW, HEAD, JAW, SAMPLE_RATE, SAMPLES_PER_FRAME, pose_slots
from parley.levels import power_db

from .diffusion import Schedule
from .network import ParleyModel
from .sampler import Conditions, ancestral_sample, ddim_sample, ddim_timesteps, folded_sample, history
from .train import load_checkpoint, read_checkpoint

BA_SIGMA = 3.0
GUIDANCE = (1.5, 1.5, 0.0)  # audio, style, rescale: the pack defaults (parley.model.export)
ALT_RESCALE = 0.7  # also scored at the pack scales, for the model card


# ------------------------------------------------------------------ the head, for metrics
class HeadMetrics:
    """Lip, upper-face and mouth-opening vertices of the Parley head for motion [T, 56] and a beta."""

    def __init__(self) -> None:
        from parley.head.flame import FlameHead, load_parley_head

        head, spec = load_parley_head()
        self.spec = spec
        pairs = np.asarray(spec["mouthOpening"]["pairs"], np.int64)
        lips, upper = list(spec["regions"]["lips"]), list(spec["regions"]["upperFace"])
        idx = sorted(set(lips) | set(upper) | set(pairs.ravel().tolist()))
        pos = {v: i for i, v in enumerate(idx)}
        self.lips = torch.tensor([pos[v] for v in lips])
        self.upper = torch.tensor([pos[v] for v in upper])
        self.pairs = torch.tensor([[pos[a], pos[b]] for a, b in pairs])
        self.sub = FlameHead(head.v_template[idx], head.shapedirs[idx], head.exprdirs[idx], head.lbs_weights[idx],
                             head.parents, J_template=head.J_template, J_shapedirs=head.J_shapedirs)
        self.closed_below = float(spec["mouthOpening"]["closedBelow"])

    @torch.no_grad()
    def vertices(self, motion: np.ndarray, beta: np.ndarray, head_pose: bool = False) -> torch.Tensor:
        """[T, V, 3] in mm (V: the subset above). Without ``head_pose`` the neck stays at rest: the face in
        head coordinates, so that face metrics measure the face (head pose is scored on its own)."""
        m = torch.as_tensor(np.asarray(motion, np.float32))
        theta = torch.zeros(len(m), N_POSE)
        for dst, src in pose_slots(head_pose):
            theta[:, dst] = m[:, src]
        out = []
        for s in range(0, len(m), 256):
            b = torch.as_tensor(np.asarray(beta, np.float32)).expand(len(m[s:s + 256]), -1)
            out.append(self.sub(b, m[s:s + 256, EXPRESSION], theta[s:s + 256]))
        return torch.cat(out) * 1000.0

    def opening(self, v: torch.Tensor) -> torch.Tensor:
        """Mouth opening [T] in mm, as parley.head.flame.mouth_opening."""
        return (v[:, self.pairs[:, 0], 1] - v[:, self.pairs[:, 1], 1]).mean(-1)


# ------------------------------------------------------------------ beats
def frame_energy_db(pcm: np.ndarray, frames: int) -> np.ndarray:
    """Mean power per motion frame in dB re full scale, padded with silence to ``frames``."""
    return power_db(pcm, SAMPLES_PER_FRAME, frames)


def audio_beats(pcm: np.ndarray, frames: int) -> np.ndarray:
    """Onsets: peaks of the rise in frame energy (dB), at least 5 frames (0.2 s) apart."""
    from scipy.signal import find_peaks

    e = frame_energy_db(pcm, frames)
    e = np.maximum(e, e.max() - 50.0)
    rise = np.maximum(np.diff(e, prepend=e[0]), 0.0)
    peaks, _ = find_peaks(rise, height=3.0, distance=5)
    return peaks


def motion_beats(motion: np.ndarray) -> np.ndarray:
    """Local minima of head angular speed (the head pauses), ignoring near-still stretches."""
    from scipy.ndimage import gaussian_filter1d
    from scipy.signal import find_peaks

    speed = np.linalg.norm(np.diff(motion[:, HEAD], axis=0), axis=1)
    speed = gaussian_filter1d(speed, 1.0)
    peaks, _ = find_peaks(-speed, prominence=0.1 * (speed.max() + 1e-9), distance=3)
    return peaks + 1


def beat_alignment(motion: np.ndarray, a_beats: np.ndarray) -> tuple[float, int]:
    m_beats = motion_beats(motion)
    if len(m_beats) == 0 or len(a_beats) == 0:
        return 0.0, len(m_beats)
    d = np.abs(m_beats[:, None] - a_beats[None]).min(1)
    return float(np.exp(-d ** 2 / (2 * BA_SIGMA ** 2)).sum()), len(m_beats)


# ------------------------------------------------------------------ generators
def normalise(m: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    return ((np.asarray(m, np.float32) - mean) / std).astype(np.float32)


def style_window(motion: np.ndarray, frames: int) -> np.ndarray:
    if len(motion) >= frames:
        return motion[:frames]
    return np.concatenate([motion, np.repeat(motion[-1:], frames - len(motion), 0)])


@torch.no_grad()
def sample_clips(model: ParleyModel, mean: np.ndarray, std: np.ndarray, clips: list[Clip], styles: torch.Tensor,
                 samples: int, steps: int | None, guidance: tuple[float, ...] = GUIDANCE, seed: int = 0,
                 mode: str = "diffusion", hop: int | None = None) -> list[np.ndarray]:
    """Raw motion [samples, T, 56] per clip, window after window as the runtime does, all clips and
    samples batched. guidance: (w_a, w_s) or (w_a, w_s, rescale). steps None: the reference ancestral
    sampler (N steps). mode "regression": one deterministic pass per window (x_t = 0, t = 0, audio and
    style on); mode "folded": a distilled student (parley.model.distil), ``steps`` DDIM steps of one row
    (guidance ignored: it is in the weights). hop k: as the runtime samples a stream cut every k frames
    (ServiceSettings.streamChunkFrames): each window holds the next k frames of audio, silence after them,
    and keeps its first k frames of motion, conditioned on the last Tp frames so far."""
    wa, ws, phi = (tuple(guidance) + (0.0,))[:3]
    cfg = model.cfg
    tw, tp, spf = cfg.window, cfg.previous, SAMPLES_PER_FRAME
    if getattr(model, "stream", None) is not None:  # a streaming model (parley.model.stream) streams
        if mode != "diffusion" or steps is None or hop is not None:
            raise ValueError("a streaming model samples with the guided DDIM in its own hops only")
        from .stream import stream_sample
        longest = max(c.n_frames for c in clips)
        pcm = torch.zeros(len(clips), longest * spf)
        for i, c in enumerate(clips):
            audio = np.asarray(c.audio, np.float32)[: longest * spf]
            pcm[i, : len(audio)] = torch.from_numpy(audio)
        shape = torch.stack([torch.from_numpy(np.asarray(c.beta, np.float32)) for c in clips])
        x = stream_sample(model, pcm.repeat_interleave(samples, 0), longest, styles.repeat_interleave(samples, 0),
                          shape.repeat_interleave(samples, 0), Schedule.from_config(cfg.diffusion).alphas_cumprod,
                          steps, (wa, ws, phi), torch.Generator().manual_seed(seed))
        motion = x.numpy().reshape(len(clips), samples, longest, -1) * std + mean
        return [motion[i, :, : c.n_frames].astype(np.float32) for i, c in enumerate(clips)]
    step = tw if hop is None else hop
    if not 1 <= step <= tw:
        raise ValueError(f"hop must be in [1, {tw}] but is {hop}")
    n = len(clips)
    frames = [c.n_frames for c in clips]
    n_windows = max(-(-f // step) for f in frames)
    pcm = torch.zeros(n, (n_windows * step + tw) * spf)
    for i, c in enumerate(clips):
        pcm[i, : len(c.audio)] = torch.from_numpy(np.asarray(c.audio, np.float32))
    rows = n * samples
    shape = torch.stack([torch.from_numpy(np.asarray(c.beta, np.float32)) for c in clips]).repeat_interleave(samples, 0)
    style = styles.repeat_interleave(samples, 0)
    ab = Schedule.from_config(cfg.diffusion).alphas_cumprod
    gen = torch.Generator().manual_seed(seed)
    prev = torch.zeros(rows, tp, cfg.motion_dim)
    out = []
    for w in range(n_windows):
        chunk = torch.zeros(n, tw * spf)
        chunk[:, : step * spf] = pcm[:, w * step * spf:(w + 1) * step * spf]
        feats = model.audio(chunk).repeat_interleave(samples, 0)
        cond = Conditions(prev, torch.full((rows,), 1.0 if w == 0 else 0.0), feats, style, shape)
        if mode == "regression":
            ones = torch.ones(rows)
            x = model.denoiser(torch.zeros(rows, tw, cfg.motion_dim), torch.zeros(rows, dtype=torch.int64), prev,
                               cond.first_window, feats, ones, style, ones, shape)
        else:
            noise = torch.randn(rows, tw, cfg.motion_dim, generator=gen)
            if mode == "folded":
                x = folded_sample(model.denoiser, noise, cond, ab, ddim_timesteps(len(ab), steps))
            elif steps is None:
                x = ancestral_sample(model.denoiser, noise, cond, ab, wa, ws, gen, rescale=phi)
            else:
                x = ddim_sample(model.denoiser, noise, cond, ab, steps, wa, ws, rescale=phi)
        out.append(x[:, :step])
        prev = history(torch.cat(out, 1), tp)
    motion = torch.cat(out, 1).numpy().reshape(n, samples, n_windows * step, -1) * std + mean
    return [motion[i, :, : frames[i]].astype(np.float32) for i in range(n)]


def energy_jaw(clip: Clip, mean: np.ndarray, max_jaw: float = 0.25) -> np.ndarray:
    """The game heuristic: the mean face, with the jaw opened by the frame energy (no training).
    Opening = max_jaw * clip((dB - (peak - 40)) / 30, 0, 1), smoothed with fast attack, slower release.
    The evaluation sets max_jaw to the training corpus's jaw mean + 2 std (its only calibration)."""
    e = frame_energy_db(clip.audio, clip.n_frames)
    level = np.clip((e - (e.max() - 40.0)) / 30.0, 0.0, 1.0)
    out, y = np.zeros_like(level), 0.0
    for i, x in enumerate(level):
        y += (0.6 if x > y else 0.3) * (x - y)
        out[i] = y
    m = np.repeat(mean[None].astype(np.float32), clip.n_frames, 0)
    m[:, JAW] = 0.0
    m[:, JAW.start] = max_jaw * out
    m[:, HEAD] = 0.0
    return m


def regenerate_ground_truth(clip: Clip, seed: int) -> np.ndarray:
    """The corpus generator again for the same audio, phones and style with another random seed."""
    from parley.corpus import motion as motion_mod
    from parley.corpus import prosody
    from parley.corpus.style import Style

    pros = prosody.analyse(np.asarray(clip.audio, np.float32), SAMPLE_RATE)
    m, _ = motion_mod.generate(clip.phones, pros, clip.n_frames, Style.from_vector(clip.style),
                               np.random.default_rng(seed), text=clip.meta.get("text", ""))
    return np.asarray(m, np.float32)


# ------------------------------------------------------------------ metrics
class Scorer:
    def __init__(self, head: HeadMetrics, clips: list[Clip]):
        self.head = head
        self.clips = clips
        self.gt = []
        for c in clips:
            v = head.vertices(c.motion, c.beta)
            neutral = head.vertices(np.zeros((1, c.motion.shape[1]), np.float32), c.beta)[0]
            self.gt.append({"v": v, "open": head.opening(v), "neutral": neutral,
                            "beats": audio_beats(c.audio, c.n_frames),
                            "mids": [mid for mid, _ in bilabial_frames(c.phones, c.n_frames)]})

    def score(self, motions: list[np.ndarray]) -> dict[str, float]:
        """motions: per clip [K, T, 56] (K >= 1 samples; the first is scored against the ground truth)."""
        lve, mod, fdd, ba, nbeats, closed, total = [], [], [], 0.0, 0, 0, 0
        div_e, div_h = [], []
        for c, g, ms in zip(self.clips, self.gt, motions):
            m = ms[0]
            v = self.head.vertices(m, c.beta)
            lve.append((v[:, self.head.lips] - g["v"][:, self.head.lips]).norm(dim=-1).max(dim=1).values.numpy())
            op = self.head.opening(v)
            mod.append((op - g["open"]).abs().numpy())
            dyn = lambda vv: (vv[:, self.head.upper] - g["neutral"][self.head.upper]).norm(dim=-1).std(0)  # noqa: E731
            fdd.append(float((dyn(v) - dyn(g["v"])).abs().mean()))
            s, nb = beat_alignment(m, g["beats"])
            ba, nbeats = ba + s, nbeats + nb
            if g["mids"]:
                closed += int((op[g["mids"]] < self.head.closed_below * 1000.0).sum())
                total += len(g["mids"])
            if ms.shape[0] > 1:
                k = ms.shape[0]
                pe, ph = [], []
                for i in range(k):
                    for j in range(i + 1, k):
                        pe.append(np.linalg.norm(ms[i][:, EXPR_JAW] - ms[j][:, EXPR_JAW], axis=1).mean())
                        ph.append(np.degrees(np.linalg.norm(ms[i][:, HEAD] - ms[j][:, HEAD], axis=1)).mean())
                div_e.append(np.mean(pe))
                div_h.append(np.mean(ph))
        return {
            "lve_mm": float(np.concatenate(lve).mean()),
            "fdd_mm": float(np.mean(fdd)),
            "mod_mm": float(np.concatenate(mod).mean()),
            "ba": float(ba / max(nbeats, 1)),
            "div_expr": float(np.mean(div_e)) if div_e else 0.0,
            "div_head_deg": float(np.mean(div_h)) if div_h else 0.0,
            "closure": float(closed / max(total, 1)),
            "bilabials": int(total),
        }


# ------------------------------------------------------------------ clip choice and styles
def pick_clips(corpus: Corpus, split: str, n: int) -> list[Clip]:
    """Up to n clips of a split, spread over its speakers (round robin over speakers, sorted ids)."""
    by_speaker: dict[str, list[str]] = {}
    for c in corpus.manifest["clips"]:
        if c["split"] == split:
            by_speaker.setdefault(c["speaker"], []).append(c["id"])
    order, rnd = [], 0
    while len(order) < n and any(len(v) > rnd for v in by_speaker.values()):
        order += [v[rnd] for _, v in sorted(by_speaker.items()) if len(v) > rnd]
        rnd += 1
    return [load_clip(corpus.path(cid)) for cid in order[:n]]


def split_setups(corpus: Corpus, splits: list[str], n: int, head: HeadMetrics, model: ParleyModel,
                 mean: np.ndarray, std: np.ndarray) -> Iterator[tuple[str, list[Clip], Scorer, torch.Tensor]]:
    """For each split with clips: its name, up to ``n`` clips (:func:`pick_clips`), their scorer and their
    reference styles (:func:`reference_styles`)."""
    for split in splits:
        clips = pick_clips(corpus, split, n)
        if clips:
            yield split, clips, Scorer(head, clips), reference_styles(model, corpus, clips, mean, std)


def reference_styles(model: ParleyModel, corpus: Corpus, clips: list[Clip], mean: np.ndarray, std: np.ndarray
                     ) -> torch.Tensor:
    """Each clip's style from another clip of the same speaker (as a game would: a reference recording),
    falling back to the clip itself when the speaker has only one."""
    others: dict[str, list[str]] = {}
    for c in corpus.manifest["clips"]:
        others.setdefault(c["speaker"], []).append(c["id"])
    ts = model.cfg.style.frames
    windows = []
    for c in clips:
        ref = next((o for o in others.get(c.speaker, []) if o != c.id), None)
        motion = load_clip(corpus.path(ref)).motion if ref else c.motion
        windows.append(style_window(normalise(motion, mean, std), ts))
    with torch.no_grad():
        return model.style(torch.from_numpy(np.stack(windows)))


# ------------------------------------------------------------------ plots
def plot_clip(path: Path, clip: Clip, head: HeadMetrics, curves: dict[str, np.ndarray]) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = np.arange(clip.n_frames) / 25.0
    fig, ax = plt.subplots(2, 1, figsize=(7.5, 4.2), sharex=True, dpi=80)
    for name, m in curves.items():
        style = dict(color="k", lw=2.0) if name == "ground truth" else dict(lw=1.2)
        ax[0].plot(t, head.opening(head.vertices(m, clip.beta)).numpy(), label=name, **style)
        ax[1].plot(t, np.degrees(m[:, HEAD.start]), label=name, **style)
    for mid in [mid for mid, _ in bilabial_frames(clip.phones, clip.n_frames)]:
        ax[0].axvline(mid / 25.0, color="0.8", lw=0.8, zorder=0)
    ax[0].set_ylabel("mouth opening (mm)")
    ax[1].set_ylabel("head pitch (deg)")
    ax[1].set_xlabel(f"time (s), held-out voice clip {clip.id}; grey lines: p/b/m midpoints")
    ax[0].legend(fontsize=7, ncol=4, loc="upper right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_styles(path: Path, model: ParleyModel, corpus: Corpus, mean: np.ndarray, std: np.ndarray,
                splits: tuple[str, ...] = ("test", "heldout"), speakers: int = 12, per_speaker: int = 8) -> float:
    """PCA of style embeddings of 100-frame windows, coloured by speaker; returns the nearest-neighbour
    speaker retrieval accuracy of those embeddings (cosine)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    by_speaker: dict[str, list[str]] = {}
    for c in corpus.manifest["clips"]:
        if c["split"] in splits:
            by_speaker.setdefault(c["speaker"], []).append(c["id"])
    chosen = [s for s, v in sorted(by_speaker.items(), key=lambda kv: (-len(kv[1]), kv[0]))][:speakers]
    if len(chosen) < 2:
        return float("nan")
    rng = np.random.default_rng(0)
    ts = model.cfg.style.frames
    wins, labels = [], []
    for k, s in enumerate(chosen):
        clips = [load_clip(corpus.path(cid)).motion for cid in by_speaker[s]]
        for j in range(per_speaker):
            m = clips[j % len(clips)]
            s0 = int(rng.integers(0, max(1, len(m) - ts + 1)))
            wins.append(style_window(normalise(m[s0:s0 + ts], mean, std), ts))
            labels.append(k)
    with torch.no_grad():
        z = model.style(torch.from_numpy(np.stack(wins))).numpy()
    labels = np.array(labels)
    sim = z @ z.T
    np.fill_diagonal(sim, -np.inf)
    retrieval = float((labels[sim.argmax(1)] == labels).mean())
    zc = z - z.mean(0)
    _, _, vt = np.linalg.svd(zc, full_matrices=False)
    p = zc @ vt[:2].T
    fig, ax = plt.subplots(figsize=(4.5, 4.0), dpi=80)
    cmap = plt.get_cmap("tab20")
    for k in range(len(chosen)):
        ax.scatter(p[labels == k, 0], p[labels == k, 1], s=14, color=cmap(k % 20), label=chosen[k])
    ax.set_title(f"style embeddings, unseen speakers (PCA)\nnearest-neighbour speaker retrieval {retrieval:.0%}",
                 fontsize=9)
    ax.set_xticks([]), ax.set_yticks([])
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return retrieval


# ------------------------------------------------------------------ main
def _round(d):
    if isinstance(d, dict):
        return {k: _round(v) for k, v in d.items()}
    if isinstance(d, float):
        return round(d, 4)
    return d


def load_pack(pack: Path) -> tuple[ParleyModel, np.ndarray, np.ndarray, dict]:
    """A shipped pack's model (its ONNX weights read back, parley.model.export.load_pack_weights)."""
    import tempfile

    from .export import load_pack_weights

    if not (pack / "manifest.json").is_file():
        raise FileNotFoundError(f"{pack} is not a model pack (no manifest.json)")
    with tempfile.TemporaryDirectory(prefix="parley-pack-") as tmp:
        return load_pack_weights(pack, Path(tmp))


def load_pack_stream(pack: Path, model: ParleyModel) -> ParleyModel | None:
    """A shipped pack's streaming model read back from its graphs, with ``model``'s style encoder and config (so
    its silence gate, as the runtime's stream encoder has it); None for a pack without one."""
    import tempfile

    from .export import load_stream_weights

    with tempfile.TemporaryDirectory(prefix="parley-stream-") as tmp:
        return load_stream_weights(pack, Path(tmp), model)


def pack_guidance(man: dict) -> tuple[float, float, float]:
    g = man["sampling"]["guidance"]
    return float(g["audio"]), float(g["style"]), float(g.get("rescale", 0.0))


def real_voices(a, name: str, model: ParleyModel, mean: np.ndarray, std: np.ndarray,
                guide: tuple[float, float, float], corpus: Corpus, head: HeadMetrics, log) -> dict:
    """The real-voice splits for the model and each --baseline-pack (docs/real-voices.md)."""
    from parley.corpus.dataset import data_reference as ref
    from parley.realvoice import evaluate as rv
    from parley.realvoice.dataset import RealVoices
    from parley.realvoice.probe import ProbeConfig

    data = RealVoices(a.real_voices)
    clips = {split: [c.pitched(a.real_cents) for c in data.clips(split)] for split in a.real_split}
    models = [(name, model, mean, std, guide)]
    for pack in a.baseline_pack:
        m2, mean2, std2, man2 = load_pack(pack)
        label = f"{man2['id']} {man2['packVersion']}"
        models.append((label + (" (baseline)" if label == name else ""), m2, mean2, std2, pack_guidance(man2)))
    if getattr(a, "stream_model", None):
        label, sm, smean, sstd = a.stream_model
        models.append((label, sm, smean, sstd, guide))
    settings = rv.RealVoiceSettings(a.real_styles, tuple(a.real_seeds), a.real_steps, a.real_tail)
    out: dict = {"dataset": ref(a.real_voices), "real_cents": a.real_cents,
                 "settings": {**settings.__dict__, "seeds": list(settings.seeds)},
                 "models": {n: {"guidance": list(g)} for n, _, _, _, g in models}, "splits": {}}
    for split, cl in clips.items():
        methods: dict = {}
        for n, m, mu, sd, g in models:
            styles, names = rv.corpus_styles(m, corpus, mu, sd, settings.styles)
            log(f"real {split} ({len(cl)} clips) {n}:")
            saved = f"{split}__{n.replace(' ', '_')}.npz"
            if a.real_gaps_in:  # score the gaps of earlier runs instead of sampling
                gaps = {}
                for folder in a.real_gaps_in:
                    if (folder / saved).is_file():
                        with np.load(folder / saved) as z:
                            gaps.update({k: z[k] for k in z.files})
                if not gaps:
                    raise FileNotFoundError(f"no {saved} in {', '.join(map(str, a.real_gaps_in))}")
                methods[n] = rv.score_gaps(head, cl, gaps, settings.tail_s)
                continue
            methods[n], gaps = rv.evaluate_model(m, mu, sd, g, cl, head, styles, names, settings, log)
            if a.real_gaps is not None:
                a.real_gaps.mkdir(parents=True, exist_ok=True)
                np.savez(a.real_gaps / saved, **gaps)
        methods["energy-jaw heuristic"] = rv.evaluate_energy_jaw(cl, head, mean, std, settings)
        chosen = [c for c in cl if c.id == rv.PLOT_CLIP]
        if a.images and chosen:
            a.images.mkdir(parents=True, exist_ok=True)
            curves = {}
            for n, m, mu, sd, g in models:
                styles, _ = rv.corpus_styles(m, corpus, mu, sd, 1)
                pad = rv.padded(chosen, settings.tail_s)
                motion = sample_clips(m, mu, sd, pad, styles, 1, settings.steps, g, seed=settings.seeds[0])
                curves[n] = rv.openings(head, pad, motion)[0]
            pad = rv.padded(chosen, settings.tail_s)
            jaw = energy_jaw(pad[0], mean, float(mean[JAW.start] + 2 * std[JAW.start]))
            curves["energy-jaw heuristic"] = rv.openings(head, pad, [jaw])[0]
            rv.plot_gaps(a.images / "real-voice-gap.png", chosen[0], curves, head.closed_below * 1000.0,
                         settings.tail_s)
        out["splits"][split] = {"clips": len(cl), "frames": int(sum(c.n_frames for c in cl)), "methods": methods}
    if a.probe_clips > 0:
        out["phone_probe"] = {}
        for n, m, _, _, _ in models:
            out["phone_probe"][n] = rv.probe_encoder(m.audio, m.cfg.window, corpus, clips,
                                                     ProbeConfig(train_clips=a.probe_clips))
            log(f"phone probe {n}: " + " ".join(f"{k} {v['frame_accuracy']:.3f}"
                                                for k, v in out["phone_probe"][n].items()))
    out["acceptance"] = real_acceptance(out, name)
    return out


def real_acceptance(real: dict, name: str) -> dict:
    """The issue's real-voice targets for the evaluated model, and whether it beats each baseline."""
    out: dict = {}
    def beats(p: dict, q: dict, key: str, higher: bool) -> bool:
        if p[key] is None or q[key] is None:
            return p[key] is None and q[key] is None
        return p[key] > q[key] if higher else p[key] < q[key]

    def at_least(p: dict, key: str, bound: float) -> bool | None:
        return None if p[key] is None else p[key] >= bound

    for split, s in real["splits"].items():
        p = s["methods"][name]["pooled"]
        out[f"{split}: closure >= 0.92"] = at_least(p, "closure", 0.92)
        out[f"{split}: /m/ after voiced closure >= 0.92"] = at_least(p, "closure_m_after_voiced", 0.92)
        out[f"{split}: line-initial bilabial closure >= 0.92"] = at_least(p, "closure_initial_bilabial", 0.92)
        out[f"{split}: false closure <= 0.15"] = None if p["false_closure"] is None else p["false_closure"] <= 0.15
        out[f"{split}: silence pressed <= 0.03"] = p["silence_pressed"] <= 0.03
        out[f"{split}: silence at rest >= 0.85"] = at_least(p, "silence_rest", 0.85)
        for other, m in s["methods"].items():
            if other in (name, "energy-jaw heuristic"):
                continue
            q = m["pooled"]
            out[f"{split}: beats {other} on all"] = all(
                [beats(p, q, k, True) for k in ("closure", "closure_m_after_voiced", "closure_initial_bilabial",
                                                 "silence_rest")]
                + [beats(p, q, k, False) for k in ("false_closure", "silence_pressed")])
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m parley evaluate", description=__doc__.split("\n\n")[0])
    p.add_argument("--checkpoint", type=Path, help="the model to evaluate (parley.model.train; required unless --merge)")
    p.add_argument("--pack", type=Path, help="or a shipped pack folder: its ONNX weights, guidance and version")
    p.add_argument("--audio-gate", type=float, metavar="DB",
                   help="the evaluated model with this silence gate instead of its own (0: none; "
                        "parley.model.audio.SilenceGate): to choose a pack's gate")
    p.add_argument("--data", type=Path, help="a built corpus (required unless --merge)")
    p.add_argument("--regression", type=Path, help="checkpoint of the regression baseline (train --regression)")
    p.add_argument("--ablation", action="append", default=[], metavar="NAME=CHECKPOINT",
                   help="extra checkpoints: no-style (sampled without style guidance), no-align, or any name")
    p.add_argument("--clips", type=int, default=32, help="clips per split")
    p.add_argument("--samples", type=int, default=3, help="samples per clip (diversity)")
    p.add_argument("--steps", type=int, nargs="+", default=[5, 10, 25], help="DDIM step counts")
    p.add_argument("--reference-clips", type=int, default=8, help="clips per split for the N-step reference sampler")
    p.add_argument("--splits", nargs="*", default=["test", "heldout"], help="corpus splits (none: only real voices)")
    p.add_argument("--real-voices", type=Path, help="a real-voice dataset (python3 -m parley realvoice)")
    p.add_argument("--real-split", nargs="+", default=["dev"], choices=["dev", "eval", "independent"],
                   help="real-voice splits to score (tune on dev only; eval and independent to report)")
    p.add_argument("--real-cents", type=int, default=0,
                   help="shift the real lines' pitch and formants by this much first (sox pitch, timing kept)")
    p.add_argument("--baseline-pack", type=Path, action="append", default=[],
                   help="a shipped pack scored beside on the real voices (e.g. packs/parley-base-v1 for 1.3.0)")
    p.add_argument("--real-styles", type=int, default=3, help="reference styles (first clips of test speakers)")
    p.add_argument("--real-seeds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--real-steps", type=int, default=10, help="DDIM steps on the real voices")
    p.add_argument("--real-tail", type=float, default=0.6, help="seconds of silence scored after each line")
    p.add_argument("--real-gaps", type=Path, help="folder for each run's inner-lip gaps per clip (.npz, mm)")
    p.add_argument("--real-gaps-in", type=Path, nargs="+",
                   help="score the gaps that earlier runs saved with --real-gaps (their runs joined) instead of "
                        "sampling again")
    p.add_argument("--probe-clips", type=int, default=240,
                   help="corpus train clips for the phone probe of each encoder (0: no probe)")
    p.add_argument("--guidance", type=float, nargs=2, default=list(GUIDANCE[:2]), metavar=("AUDIO", "STYLE"),
                   help="guidance scales for Parley's samples (the pack's defaults: %(default)s)")
    p.add_argument("--guidance-rescale", type=float, default=GUIDANCE[2], metavar="PHI",
                   help="guidance rescale for Parley's samples (the pack's default: %(default)s; 0: plain guidance)")
    p.add_argument("--stream", metavar="CHECKPOINT",
                   help="also score a streaming model (python3 -m parley stream-train) beside, on every split and "
                        "on the real voices; 'pack': the --pack's own stream graphs, read back, behind its gate")
    p.add_argument("--stream-steps", type=int, nargs="+", default=[10], metavar="STEPS",
                   help="guided DDIM steps of the --stream model on the corpus splits (the real voices: "
                        "--real-steps)")
    p.add_argument("--stream-hop", type=int, nargs="*", default=[], metavar="FRAMES",
                   help="also sample as the runtime does a stream cut every FRAMES frames (windows of that much "
                        "new audio, silence after it); compare with 'parley ddim-10'")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", type=Path, required=True, help="metrics.json to write")
    p.add_argument("--images", type=Path, help="folder for the plots (PNG)")
    p.add_argument("--compare-samplers", type=float, nargs=2, metavar=("AUDIO", "STYLE"),
                   help="also compare 10-step DDIM with the reference sampler on the reference subset at these "
                        "guidance scales")
    p.add_argument("--add", action="store_true",
                   help="only evaluate --regression / --ablation checkpoints and add their rows to an existing --out")
    p.add_argument("--merge", type=Path, nargs="+", metavar="METRICS",
                   help="only join these metrics files of other splits of one evaluation into --out")
    p.add_argument("--teacher-pack", type=Path, help="with --student: the teacher is this pack's model, read back "
                                                     "from its graphs (no checkpoint needed)")
    p.add_argument("--student", type=Path, help="a distilled student (python3 -m parley distil): only compare it "
                                                "with the teacher's 10-step DDIM, side by side, same noise")
    p.add_argument("--student-steps", type=int, nargs="+", default=[2, 4], help="the student's step counts to score")
    p.add_argument("--reuse", type=Path, metavar="METRICS",
                   help="with --student: take the teacher's rows from this earlier comparison (same teacher, corpus, "
                        "clips, samples, guidance and seed: the same numbers) and sample only the student")
    p.add_argument("--adapt", type=int, metavar="SPEAKERS", help="only evaluate expression adapters "
                   "(parley.model.adapt_eval): fit on a take of each of so many speakers, score on their other clips")
    p.add_argument("--adapt-split", default="heldout", help="the speakers' split (tune on val; default: %(default)s)")
    p.add_argument("--adapt-seconds", type=float, default=10.0, help="seconds of the take (default: %(default)s)")
    p.add_argument("--adapt-test-clips", type=int, default=6, help="test clips per speaker (default: %(default)s)")
    p.add_argument("--adapt-ranks", type=int, nargs="+", default=[2, 8, 32], help="MoLoRA ranks (default: %(default)s)")
    p.add_argument("--adapt-steps", type=int, default=80, help="fit steps of every method (default: %(default)s)")
    p.add_argument("--adapt-offset", type=int, default=0, help="skip the split's first so many speakers (to run "
                                                              "speakers in several processes)")
    p.add_argument("--adapt-twin", type=Path, metavar="CORPUS", help="with --adapt on a corpus with quirks: only score "
                   "this corpus (the same built with --no-quirks) on the same test clips against --data's motion")
    p.add_argument("--pose", type=Path, metavar="RUN", help="only evaluate a pose adapter run (python3 -m parley pose "
                   "train) against --pack's diffusion pose on --adapt-split's speakers (parley.pose.evaluate)")
    p.add_argument("--pose-speakers", type=int, default=10, help="with --pose: so many speakers (%(default)s)")
    p.add_argument("--adapt-merge", type=Path, nargs="+", metavar="METRICS",
                   help="only join adapter evaluations of other speakers into --out")
    a = p.parse_args(argv)
    if a.adapt_merge:
        from .adapt_eval import merge as adapt_merge
        return adapt_merge(a.adapt_merge, a.out)
    if a.merge:
        return merge(a.merge, a.out)
    if a.student:
        if (a.teacher_pack is None) == (a.checkpoint is None) or a.data is None:
            p.error("--student needs --data and one teacher: --teacher-pack or --checkpoint")
        return compare_student(a)
    if a.adapt and a.adapt_twin:
        if a.data is None:
            p.error("--adapt-twin needs --data")
        from .adapt_eval import score_twin
        log = lambda msg: print(msg, flush=True)  # noqa: E731
        return score_twin(a.data, a.adapt_twin, a.out, a.adapt_split, a.adapt, a.adapt_seconds, a.adapt_test_clips,
                          log, a.adapt_offset)
    if a.pose and (a.pack is None or a.data is None):
        p.error("--pose needs --pack and --data")
    if not a.pose and ((a.checkpoint is None) == (a.pack is None) or a.data is None):
        p.error("--data and one of --checkpoint or --pack are required (unless --merge)")
    if a.stream == "pack" and a.pack is None:
        p.error("--stream pack scores the --pack's own streaming model: give --pack")
    torch.set_num_threads(a.threads)
    t0 = time.time()
    log = lambda msg: print(f"[{time.time() - t0:6.0f} s] {msg}", flush=True)  # noqa: E731
    if a.pose:
        from parley.pose.evaluate import evaluate_pose
        return evaluate_pose(a.pose, a.pack, a.data, a.out, a.pose_speakers, a.adapt_split, a.adapt_seconds,
                             a.adapt_test_clips, a.samples, a.seed, log)
    corpus = Corpus(a.data)
    if a.pack is not None:
        model, mean, std, man = load_pack(a.pack)
        ckpt_info = {"pack": man["id"], "packVersion": man["packVersion"]}
        name = f"{man['id']} {man['packVersion']}"
        a.guidance, a.guidance_rescale = list(pack_guidance(man)[:2]), pack_guidance(man)[2]
    else:
        model, mean, std = load_checkpoint(a.checkpoint)
        ckpt_info = {k: v for k, v in read_checkpoint(a.checkpoint).items()
                     if k not in ("state_dict", "mean", "std", "config")}
        name = "parley"
    if a.audio_gate is not None:
        from .audio import set_gate
        set_gate(model, a.audio_gate)
        ckpt_info["audioGate"] = a.audio_gate
        name += f" gate {a.audio_gate:g} dB" if a.audio_gate > 0 else " no gate"
    if a.adapt:
        from .adapt_eval import evaluate_adapters
        return evaluate_adapters(model, mean, std, (a.guidance[0], a.guidance[1], a.guidance_rescale), ckpt_info,
                                 a.data, a.out, a.adapt_split, a.adapt, a.adapt_seconds, a.adapt_test_clips,
                                 tuple(a.adapt_ranks), a.adapt_steps, a.samples, a.seed, log, a.adapt_offset)
    others = {"regression": a.regression} if a.regression else {}
    for spec in a.ablation:
        label, _, path = spec.partition("=")  # not ``name``: the evaluated model's name, for the real voices
        others[label] = Path(path)
    loaded = {name: load_checkpoint(path) for name, path in others.items()}
    if a.stream:
        from .stream import load_stream_checkpoint, stream_label
        if a.stream == "pack":
            streamed = (load_pack_stream(a.pack, model), mean, std)
            if streamed[0] is None:
                p.error(f"--stream pack: {a.pack} has no streaming model (no 'stream' section in its manifest)")
        else:
            streamed = load_stream_checkpoint(Path(a.stream))
        a.stream_model = (stream_label(streamed[0].stream), *streamed)
    head = HeadMetrics()
    max_jaw = float(mean[JAW.start] + 2 * std[JAW.start])
    default_steps = 10
    guide = (a.guidance[0], a.guidance[1], a.guidance_rescale)
    previous = json.loads(a.out.read_text()) if a.add else None
    results: dict = {"trained": True, "checkpoint": ckpt_info, "corpus": data_reference(a.data), "seed": a.seed,
                     "settings": {"clips_per_split": a.clips, "samples": a.samples, "guidance": list(guide),
                                  "reference_clips": a.reference_clips, "ba_sigma_frames": BA_SIGMA},
                     "splits": {}}
    for split, clips, scorer, styles in split_setups(corpus, a.splits, a.clips, head, model, mean, std):
        methods: dict[str, dict] = {}
        if previous is not None:
            methods.update(previous["splits"][split]["methods"])

        def run(name: str, motions: list[np.ndarray], sc: Scorer = scorer) -> None:
            methods[name] = sc.score(motions)
            log(f"{split} {name}: " + " ".join(f"{k} {v:.4g}" for k, v in methods[name].items()))

        parley = {}
        if previous is None:
            run("ground truth (self)", [c.motion[None] for c in clips])
            run("ground-truth noise floor", [np.stack([regenerate_ground_truth(c, a.seed + 1000 + k) for k in range(2)])
                                             for c in clips])
            run("energy-jaw heuristic", [energy_jaw(c, mean, max_jaw)[None] for c in clips])
            for steps in a.steps:
                parley[steps] = sample_clips(model, mean, std, clips, styles, a.samples, steps, guide, seed=a.seed)
                run(f"parley ddim-{steps}", parley[steps])
            run("parley ddim-10, no guidance (w_a = w_s = 1)",
                sample_clips(model, mean, std, clips, styles, a.samples, default_steps, (1.0, 1.0), seed=a.seed))
            alt = 0.0 if guide[2] > 0 else ALT_RESCALE
            run(f"parley ddim-10, guidance rescale {alt:g}",
                sample_clips(model, mean, std, clips, styles, a.samples, default_steps, (guide[0], guide[1], alt),
                             seed=a.seed))
            ref = clips[: a.reference_clips]
            if ref and default_steps in parley:
                sub = Scorer(head, ref)
                ref_styles = styles[: len(ref)]
                methods["parley ddim-10 (reference subset)"] = sub.score(parley[default_steps][: len(ref)])
                run(f"parley ancestral-{model.cfg.diffusion.steps} (reference subset)",
                    sample_clips(model, mean, std, ref, ref_styles, 1, None, guide, seed=a.seed), sub)
        for hop in a.stream_hop:
            run(f"parley ddim-{default_steps}, stream windows every {hop} frames",
                sample_clips(model, mean, std, clips, styles, a.samples, default_steps, guide, seed=a.seed, hop=hop))
        if getattr(a, "stream_model", None):
            label, sm, smean, sstd = a.stream_model
            stream_styles = reference_styles(sm, corpus, clips, smean, sstd)
            for k in a.stream_steps:
                run(f"{label} ddim-{k}", sample_clips(sm, smean, sstd, clips, stream_styles, a.samples, k, guide,
                                                      seed=a.seed))
        if a.compare_samplers and a.reference_clips:
            g2 = tuple(a.compare_samplers)
            ref = clips[: a.reference_clips]
            sub = Scorer(head, ref)
            tag = f"reference subset, w_a {g2[0]:g} w_s {g2[1]:g}"
            run(f"parley ddim-10 ({tag})", sample_clips(model, mean, std, ref, styles[: len(ref)], 1, default_steps, g2,
                                                       seed=a.seed), sub)
            run(f"parley ancestral-{model.cfg.diffusion.steps} ({tag})",
                sample_clips(model, mean, std, ref, styles[: len(ref)], 1, None, g2, seed=a.seed), sub)
        for name, (m2, mean2, std2) in loaded.items():
            st2 = reference_styles(m2, corpus, clips, mean2, std2)
            if m2.cfg.train.regression:
                run(name, sample_clips(m2, mean2, std2, clips, st2, 1, None, mode="regression"))
            else:
                guidance = (guide[0], 0.0, guide[2]) if not m2.cfg.train.use_style else guide
                run(f"{name} ddim-{default_steps}",
                    sample_clips(m2, mean2, std2, clips, st2, a.samples, default_steps, guidance, seed=a.seed))
        results["splits"][split] = {"clips": len(clips), "speakers": len({c.speaker for c in clips}),
                                    "frames": int(sum(c.n_frames for c in clips)), "methods": methods}
        if split == "heldout" and a.images and parley:
            a.images.mkdir(parents=True, exist_ok=True)
            i = max(range(len(clips)), key=lambda k: len(scorer.gt[k]["mids"]) if clips[k].n_frames <= 300 else -1)
            curves = {"ground truth": clips[i].motion, "parley (10-step DDIM)": parley[min(parley, key=lambda k: abs(k - default_steps))][i][0]}
            if "regression" in loaded:
                m2, mean2, std2 = loaded["regression"]
                curves["regression"] = sample_clips(m2, mean2, std2, [clips[i]],
                                                    reference_styles(m2, corpus, [clips[i]], mean2, std2), 1, None,
                                                    mode="regression")[0][0]
            curves["energy-jaw heuristic"] = energy_jaw(clips[i], mean, max_jaw)
            plot_clip(a.images / "model-clip.png", clips[i], head, curves)
    if previous is not None:
        for key in ("style_retrieval_unseen_speakers", "settings", "checkpoint"):
            if key in previous:
                results[key] = previous[key]
    elif a.images and a.splits:
        a.images.mkdir(parents=True, exist_ok=True)
        results["style_retrieval_unseen_speakers"] = plot_styles(a.images / "model-styles.png", model, corpus, mean, std)
    if a.real_voices is not None:
        results["real_voices"] = real_voices(a, name, model, mean, std, guide, corpus, head, log)
    return write_results(a.out, results, acceptance(results), t0, log)


def write_results(out: Path, results: dict, accepted: dict, t0: float, log: Callable[[str], None]) -> int:
    """Writes ``results`` with their acceptance and the run's seconds to ``out`` and logs the acceptance."""
    results["acceptance"] = accepted
    results["seconds"] = round(time.time() - t0)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(_round(results), indent=1) + "\n")
    log(f"wrote {out}")
    for k, v in results["acceptance"].items():
        log(f"acceptance {k}: {v}")
    return 0


def compare_student(a: argparse.Namespace) -> int:
    """A distilled student against its teacher on the same clips, styles and noise: the teacher's 10-step
    DDIM at the guidance of ``a``, the teacher cut to the student's step counts, and the student."""
    from .distil import read_distil_info
    torch.set_num_threads(a.threads)
    t0 = time.time()
    log = lambda msg: print(f"[{time.time() - t0:6.0f} s] {msg}", flush=True)  # noqa: E731
    if a.teacher_pack:
        teacher, mean, std, man = load_pack(a.teacher_pack)
        teacher_info = {"pack": man["id"], "packVersion": man["packVersion"],
                        "denoiserSha256": man.get("checksums", {}).get(man["models"]["denoiser"])}
    else:
        teacher, mean, std = load_checkpoint(a.checkpoint)
        teacher_info = {k: v for k, v in read_checkpoint(a.checkpoint).items()
                        if k not in ("state_dict", "mean", "std", "config")}
    student = load_checkpoint(a.student)[0]
    info = read_distil_info(a.student)
    corpus = Corpus(a.data)
    head = HeadMetrics()
    guide = (a.guidance[0], a.guidance[1], a.guidance_rescale)
    settings = {"clips_per_split": a.clips, "samples": a.samples, "guidance": list(guide), "ba_sigma_frames": BA_SIGMA}
    reuse = json.loads(a.reuse.read_text()) if a.reuse else None
    same = lambda t: {k: v for k, v in t.items() if k != "packVersion"}  # noqa: E731  (weights, not the label)
    if reuse and (same(reuse["teacher"]), reuse["corpus"], reuse["seed"], reuse["settings"]) != \
            (same(teacher_info), data_reference(a.data), a.seed, json.loads(json.dumps(_round(settings)))):
        raise ValueError(f"{a.reuse}: another teacher, corpus, seed or settings; its rows cannot be reused")
    results: dict = {"trained": True, "teacher": teacher_info,
                     "student": {"steps": int(read_checkpoint(a.student)["steps"]), **info},
                     "corpus": data_reference(a.data), "seed": a.seed, "settings": settings, "splits": {}}
    for split, clips, scorer, styles in split_setups(corpus, a.splits, a.clips, head, teacher, mean, std):
        methods: dict[str, dict] = {}
        reused = reuse["splits"][split]["methods"] if reuse else {}

        def run(name: str, motions: Callable[[], list[np.ndarray]]) -> None:
            if name in reused and not name.startswith("distilled-"):  # the student's rows are always sampled
                methods[name] = reused[name]
                log(f"{split} {name}: reused from {a.reuse}")
                return
            methods[name] = scorer.score(motions())
            log(f"{split} {name}: " + " ".join(f"{k} {v:.4g}" for k, v in methods[name].items()))

        run("ground truth (self)", lambda: [c.motion[None] for c in clips])
        run("parley ddim-10", lambda: sample_clips(teacher, mean, std, clips, styles, a.samples, 10, guide,
                                                   seed=a.seed))
        for k in a.student_steps:
            run(f"parley ddim-{k}", lambda: sample_clips(teacher, mean, std, clips, styles, a.samples, k, guide,
                                                         seed=a.seed))
            run(f"distilled-{k}", lambda: sample_clips(student, mean, std, clips, styles, a.samples, k,
                                                       mode="folded", seed=a.seed))
        results["splits"][split] = {"clips": len(clips), "speakers": len({c.speaker for c in clips}),
                                    "frames": int(sum(c.n_frames for c in clips)), "methods": methods}
    return write_results(a.out, results, student_acceptance(results), t0, log)


STUDENT_TOLERANCE = 0.05  # issue 18: within 5% of the 10-step teacher


def student_acceptance(results: dict) -> dict:
    """Per student step count, on held-out voices: within 5% of the 10-step teacher on LVE, MOD (lower
    is better: at most 5% above), closure and BA (higher is better: at most 5% below), diversity above 0."""
    h = results["splits"].get("heldout")
    if not h or "parley ddim-10" not in h["methods"]:
        return {}
    m = h["methods"]
    ref = m["parley ddim-10"]
    out = {}
    for name in [n for n in m if n.startswith("distilled-")]:
        s = m[name]
        ratios = {key: s[key] / ref[key] if ref[key] else float("inf") for key in ("lve_mm", "mod_mm", "closure", "ba")}
        out[f"{name} / ddim-10"] = {k: round(v, 4) for k, v in ratios.items()}
        ok = ratios["lve_mm"] <= 1 + STUDENT_TOLERANCE and ratios["mod_mm"] <= 1 + STUDENT_TOLERANCE and \
            ratios["closure"] >= 1 - STUDENT_TOLERANCE and ratios["ba"] >= 1 - STUDENT_TOLERANCE
        out[f"{name} within 5% of ddim-10 on LVE, MOD, closure, BA"] = ok
        out[f"{name} diversity above zero"] = s["div_expr"] > 0 and s["div_head_deg"] > 0
    return out


def merge(parts: list[Path], out: Path) -> int:
    """Joins metrics files that each hold other splits of one evaluation (same checkpoint and settings)
    into ``out``, with the acceptance recomputed; top-level entries come from the first file that has
    them."""
    merged: dict = {}
    seconds = 0
    for path in parts:
        part = json.loads(path.read_text())
        seconds = max(seconds, part.get("seconds", 0))
        if merged.get("checkpoint", part.get("checkpoint")) != part.get("checkpoint") or \
                merged.get("settings", part.get("settings")) != part.get("settings"):
            raise ValueError(f"{path}: another checkpoint or other settings than {parts[0]}")
        for key, value in part.items():  # the first file's key order
            merged.setdefault(key, {} if key == "splits" else value)
        clash = set(merged["splits"]) & set(part["splits"])
        if clash:
            raise ValueError(f"{path}: split(s) {', '.join(sorted(clash))} already in an earlier file")
        merged["splits"].update(part["splits"])
    merged["acceptance"] = acceptance(merged)
    merged["seconds"] = seconds
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(_round(merged), indent=1) + "\n")
    print(f"wrote {out} ({', '.join(merged['splits'])})")
    return 0


def acceptance(results: dict) -> dict:
    """The issue's targets on held-out voices."""
    h = results["splits"].get("heldout")
    if not h:
        return {}
    m = h["methods"]
    p = m.get("parley ddim-10")
    out = {}
    if p is None:
        return out
    if "regression" in m:
        r = m["regression"]
        out["beats regression on FDD"] = p["fdd_mm"] < r["fdd_mm"]
        out["beats regression on MOD"] = p["mod_mm"] < r["mod_mm"]
        out["beats regression on diversity"] = p["div_expr"] > r["div_expr"] and p["div_head_deg"] > r["div_head_deg"]
    e = m["energy-jaw heuristic"]
    out["beats energy heuristic on LVE"] = p["lve_mm"] < e["lve_mm"]
    out["beats energy heuristic on closure"] = p["closure"] > e["closure"]
    out["closure >= 0.85"] = p["closure"] >= 0.85
    for key in [k for k in m if k.startswith("parley ancestral")]:
        tag = key[key.index("("):]
        few = m.get(f"parley ddim-10 {tag}")
        if few is None:
            continue
        ratio = few["lve_mm"] / m[key]["lve_mm"]
        out[f"10-step / reference LVE {tag}"] = round(ratio, 4)
        out[f"10-step LVE at most 5% above reference {tag}"] = ratio <= 1.05
        out[f"10-step LVE within +-5% of reference {tag}"] = abs(ratio - 1.0) <= 0.05
    return out


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
