"""Scoring models on the real-voice splits: the part of ``python3 -m parley evaluate --real-voices``.

Each model samples every clip of a split with the runtime's windowed sampler
(parley.model.evaluate.sample_clips: its pack's guidance, 10-step DDIM by default), once per style and
seed; each clip is followed by ``tail_s`` of silence (as the runtime pads a line's last window), so that
rest after a line is scored. Styles come from the model's own style encoder on the first clip of each
of the first ``styles`` speakers (sorted) of the corpus's ``test`` split, so a new pack with a new style
encoder is scored the same way. The energy-jaw heuristic (no training) is scored beside.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from parley.corpus.dataset import Corpus, load_clip
from parley.layout import JAW, MOTION_FPS, SAMPLE_RATE, SAMPLES_PER_FRAME

from .dataset import RealClip
from .metrics import Counts, score_clip
from .probe import ProbeConfig, accuracy, encode, head_accuracy, train_probe


@dataclass
class RealVoiceSettings:
    styles: int = 3
    seeds: tuple[int, ...] = (0, 1)
    steps: int = 10
    tail_s: float = 0.6


@dataclass
class _Padded:
    """A real clip as sample_clips and energy_jaw read it: audio, beta and frames with the tail."""
    audio: np.ndarray
    beta: np.ndarray
    n_frames: int
    source: RealClip = field(repr=False, default=None)


def padded(clips: list[RealClip], tail_s: float) -> list[_Padded]:
    tail = int(round(tail_s * MOTION_FPS))
    return [_Padded(c.audio, c.beta, c.n_frames + tail, c) for c in clips]


def corpus_styles(model, corpus: Corpus, mean: np.ndarray, std: np.ndarray, n: int) -> tuple[torch.Tensor, list[str]]:
    """[n, D] style embeddings from the first clip of the first n test speakers (sorted), and their names.
    A corpus without a test split (the tests' tiny one) lends its val, then its train speakers."""
    from parley.model.evaluate import normalise, style_window

    first: dict[str, str] = {}
    for split in ("test", "val", "train"):
        for c in corpus.manifest["clips"]:
            if c["split"] == split:
                first.setdefault(c["speaker"], c["id"])
        if first:
            break
    speakers = sorted(first)[:n]
    if not speakers:
        raise ValueError(f"{corpus.root}: no test, val or train clips to take reference styles from")
    wins = [style_window(normalise(load_clip(corpus.path(first[s])).motion, mean, std), model.cfg.style.frames)
            for s in speakers]
    with torch.no_grad():
        return model.style(torch.from_numpy(np.stack(wins))), speakers


def openings(head, clips: list[_Padded], motions: list[np.ndarray]) -> list[np.ndarray]:
    """The inner-lip gap [T] in mm of each clip's motion [T, 56] (or [1, T, 56])."""
    return [head.opening(head.vertices(m[0] if m.ndim == 3 else m, c.beta)).numpy() for c, m in zip(clips, motions)]


def score_openings(head, clips: list[_Padded], gaps: list[np.ndarray]) -> Counts:
    total = Counts()
    for c, op in zip(clips, gaps):
        total.add(score_clip(op, c.source.phones, c.source.words, c.source.n_frames, head.closed_below * 1000.0))
    return total


def evaluate_model(model, mean: np.ndarray, std: np.ndarray, guidance: tuple[float, float, float],
                   clips: list[RealClip], head, styles: torch.Tensor, style_names: list[str],
                   settings: RealVoiceSettings, log=print) -> tuple[dict, dict[str, np.ndarray]]:
    """(pooled metrics over every style and seed with each run's, the inner-lip gaps [T] in mm by
    "style:seed:clip id"). The gaps can be saved and scored again with :func:`score_gaps`."""
    from parley.model.evaluate import sample_clips

    pad = padded(clips, settings.tail_s)
    gaps: dict[str, np.ndarray] = {}
    for k, name in enumerate(style_names):
        for seed in settings.seeds:
            motions = sample_clips(model, mean, std, pad, styles[k:k + 1].expand(len(pad), -1), 1, settings.steps,
                                   guidance, seed=seed)
            run = openings(head, pad, motions)
            gaps.update({f"{name}:{seed}:{c.source.id}": g for c, g in zip(pad, run)})
            log(f"  style {name} seed {seed}: " + _brief(score_openings(head, pad, run).summary()))
    return score_gaps(head, clips, gaps, settings.tail_s), gaps


def score_gaps(head, clips: list[RealClip], gaps: dict[str, np.ndarray], tail_s: float) -> dict:
    """Pooled and per-run metrics of gaps keyed "style:seed:clip id" (every run must hold every clip)."""
    pad = padded(clips, tail_s)
    runs_keys = sorted({tuple(k.split(":")[:2]) for k in gaps}, key=lambda r: (r[0], int(r[1])))
    pooled, runs = Counts(), []
    for style, seed in runs_keys:
        missing = [c.id for c in clips if f"{style}:{seed}:{c.id}" not in gaps]
        if missing:
            raise ValueError(f"saved gaps of style {style} seed {seed} lack clip(s) {missing[:3]}")
        counts = score_openings(head, pad, [gaps[f"{style}:{seed}:{c.id}"] for c in clips])
        pooled.add(counts)
        runs.append({"style": style, "seed": int(seed), **counts.summary()})
    return {"pooled": pooled.summary(), "runs": runs}


def evaluate_energy_jaw(clips: list[RealClip], head, mean: np.ndarray, std: np.ndarray,
                        settings: RealVoiceSettings) -> dict:
    from parley.model.evaluate import energy_jaw

    pad = padded(clips, settings.tail_s)
    max_jaw = float(mean[JAW.start] + 2 * std[JAW.start])
    motions = [energy_jaw(c, mean, max_jaw) for c in pad]
    return {"pooled": score_openings(head, pad, openings(head, pad, motions)).summary()}


def _brief(s: dict) -> str:
    keys = ("closure", "closure_m_after_voiced", "closure_initial_bilabial", "false_closure", "silence_pressed",
            "silence_rest", "after_line_pressed")
    return " ".join(f"{k} {s[k]:.3f}" if s[k] is not None else f"{k} -" for k in keys)


# ------------------------------------------------------------------ probe
def probe_encoder(encoder, window: int, corpus: Corpus, real: dict[str, list[RealClip]],
                  cfg: ProbeConfig = ProbeConfig(), head=None) -> dict:
    """Linear-probe frame phone accuracy of ``encoder`` (frozen) on the corpus's heldout split and on each
    real-voice split; trained on ``cfg.train_clips`` train clips (round robin over speakers). ``head``
    (features -> phone logits, e.g. a checkpoint's phone head): each split also gets :func:`head_accuracy`."""
    from parley.model.evaluate import pick_clips

    def feats_labels(items):
        f, y = [], []
        for pcm, frames, labels in items:
            f.append(encode(encoder, pcm, frames, window, cfg.batch_windows))
            y.append(labels[:frames])
        return np.concatenate(f), np.concatenate(y)

    def scored(items) -> dict:
        x, y = feats_labels(items)
        return {"clips": len(items), **accuracy(probe, x, y), **(head_accuracy(head, x, y) if head else {})}

    train = pick_clips(corpus, "train", cfg.train_clips)
    x, y = feats_labels([(c.audio, c.n_frames, c.frame_phones) for c in train])
    probe = train_probe(x, y, cfg)
    out = {"train": {"clips": len(train), **accuracy(probe, x, y)}}
    held = pick_clips(corpus, "heldout", 64)
    if held:
        out["corpus heldout"] = scored([(c.audio, c.n_frames, c.frame_phones) for c in held])
    for split, clips in real.items():
        out[f"real {split}"] = scored([(c.audio, c.n_frames, c.frame_phones()) for c in clips])
    return out


# ------------------------------------------------------------------ plot
PLOT_CLIP = "Classic__Comeonthen"  # eval split: /m/ after a vowel, a quiet /dh/ (Default's take fails the checks)


def plot_gaps(path, clip: RealClip, curves: dict[str, np.ndarray], closed_below_mm: float,
              tail_s: float) -> None:
    """Inner-lip gap over time for each curve, the words marked, p/b/m phones shaded, the silence after
    the line hatched."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from parley.corpus.phones import BILABIALS

    fig, ax = plt.subplots(figsize=(7.5, 3.2), dpi=80)
    for name, gap in curves.items():
        ax.plot(np.arange(len(gap)) / MOTION_FPS + 0.5 / MOTION_FPS, gap, lw=1.4, label=name)
    for p in clip.phones:
        if p.phone in BILABIALS:
            ax.axvspan(p.start - 1 / MOTION_FPS, p.end + 1 / MOTION_FPS, color="0.85", zorder=0)
    for w in clip.words:
        ax.axvline(w.start, color="0.6", lw=0.6, zorder=0)
        ax.text((w.start + w.end) / 2, 0.97, w.word, transform=ax.get_xaxis_transform(), ha="center", va="top",
                fontsize=8)
    end = len(clip.audio) / SAMPLE_RATE
    ax.axvspan(end, end + tail_s, color="0.93", hatch="//", zorder=0)
    ax.axhline(closed_below_mm, color="k", lw=0.6, ls=":")
    ax.axhline(-3.0, color="r", lw=0.6, ls=":")
    ax.set_ylabel("inner-lip gap (mm)")
    ax.set_xlabel(f"time (s): {clip.pack} '{clip.text}' ({clip.split}); grey: p/b/m +-1 frame; hatched: after "
                  "the line; dotted: closed (black), pressed (red)", fontsize=7)
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
