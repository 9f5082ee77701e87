"""Plots of a corpus for docs/: ``python3 -m parley corpus-plots --corpus DIR --out docs/images``.

* ``corpus-clip.png``: one clip's waveform and phone timeline over its motion curves
  (lip closure with the p/b/m phones marked, jaw, rounding and lip tuck, brows and
  blinks, head rotation in degrees).
* ``corpus-styles.png``: the distribution of the style latents over the corpus's
  speakers, and how two of them show up in the motion (jaw opening vs ``mouth_open``,
  head motion vs ``head_amp``).

Without ``--corpus`` the small preset is built into a temporary folder first.
"""
from __future__ import annotations

import argparse
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..head.components import expression_index as ix
from ..layout import HEAD, JAW_OPEN, MOTION_FPS, SAMPLE_RATE
from .dataset import Clip, Corpus, load_clip
from .phones import BILABIALS, SIL

DOCS_IMAGES = Path(__file__).resolve().parents[3] / "docs" / "images"


@dataclass
class PlotConfig:
    dpi: int = 80
    clip_min_s: float = 3.0
    clip_max_s: float = 5.5
    style_sample: int = 400  # clips measured for the latent-vs-motion scatters


def _mpl():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def pick_clip(corpus: Corpus, cfg: PlotConfig) -> str:
    """A held-out (or else any) clip of moderate length with the most p/b/m per second."""
    rows = [c for c in corpus.manifest["clips"] if cfg.clip_min_s <= c["duration"] <= cfg.clip_max_s]
    if not rows:
        rows = corpus.manifest["clips"]
    if not rows:
        raise ValueError(f"{corpus.root}: the corpus has no clips")
    held = [c for c in rows if c["split"] == "heldout"] or rows
    best, best_score = held[0]["id"], -1.0
    for c in held[:200]:
        clip = load_clip(corpus.path(c["id"]))
        n_b = sum(p.phone in BILABIALS for p in clip.phones)
        score = n_b / clip.duration + 0.5 * clip.meta["text"].strip().endswith("?")
        if score > best_score:
            best, best_score = c["id"], score
    return best


def plot_clip(clip: Clip, path: Path, cfg: PlotConfig) -> None:
    plt = _mpl()
    m = clip.motion
    t = (np.arange(clip.n_frames) + 0.5) / MOTION_FPS
    fig, axes = plt.subplots(6, 1, figsize=(9, 8.2), sharex=True,
                             gridspec_kw={"height_ratios": [1.0, 0.55, 1.2, 1.2, 1.2, 1.2]})
    ta = np.arange(len(clip.audio)) / SAMPLE_RATE
    axes[0].plot(ta, clip.audio, lw=0.3, color="0.3")
    axes[0].set_ylabel("audio")
    axes[0].set_yticks([])
    title = f"{clip.id}  ({clip.meta.get('voice', '')}, {clip.meta.get('split', '')})  \"{clip.meta.get('text', '')}\""
    axes[0].set_title(title if len(title) < 110 else title[:107] + '..."', fontsize=8)
    ax = axes[1]
    for k, p in enumerate(clip.phones):
        color = "#d62728" if p.phone in BILABIALS else ("0.92" if p.phone == SIL else ("0.8" if k % 2 else "0.7"))
        ax.axvspan(p.start, p.end, color=color, lw=0)
        if p.phone != SIL and p.end - p.start > 0.035:
            ax.text(0.5 * (p.start + p.end), 0.5, p.phone, ha="center", va="center", fontsize=6, rotation=90)
    ax.set_yticks([])
    ax.set_ylabel("phones")
    bil = [p for p in clip.phones if p.phone in BILABIALS]

    def mark(a) -> None:
        for p in bil:
            a.axvspan(p.start, p.end, color="#d62728", alpha=0.12, lw=0)

    a = axes[2]
    mark(a)
    a.plot(t, m[:, ix("lip_close")], label="lip_close")
    a.plot(t, m[:, JAW_OPEN] / 0.3, label="jaw open (rad / 0.3)")
    a.axhline(1.0, color="0.5", lw=0.5, ls=":")
    a.set_ylabel("lips, jaw")
    a.legend(fontsize=7, loc="upper right", ncol=2)
    a = axes[3]
    mark(a)
    for n in ("lip_round", "lip_protrude", "lower_lip_tuck", "lip_spread"):
        a.plot(t, m[:, ix(n)], label=n)
    a.set_ylabel("shape")
    a.legend(fontsize=7, loc="upper right", ncol=4)
    a = axes[4]
    for n in ("brow_inner_raise", "brow_lower", "blink_L", "mouth_corners_up"):
        a.plot(t, m[:, ix(n)], label=n)
    for ev in clip.meta.get("events", {}).get("accents", []):
        a.axvline(ev[0], color="0.6", lw=0.6, ls="--" if ev[2] else "-")
    a.set_ylabel("upper face")
    a.legend(fontsize=7, loc="upper right", ncol=4)
    a = axes[5]
    for k, n in enumerate(("pitch (nod)", "yaw (turn)", "roll (tilt)")):
        a.plot(t, np.rad2deg(m[:, HEAD.start + k]), label=n)
    a.set_ylabel("head (deg)")
    a.set_xlabel("seconds")
    a.legend(fontsize=7, loc="upper right", ncol=3)
    axes[-1].set_xlim(0, clip.duration)
    fig.tight_layout(h_pad=0.3)
    fig.savefig(path, dpi=cfg.dpi)
    plt.close(fig)


STYLE_PANELS = ("articulation", "mouth_open", "round_bias", "smile", "asymmetry", "brow_activity",
                "blink_rate", "head_amp", "head_freq", "nod_habit", "tempo", "coarticulation")


def plot_styles(corpus: Corpus, path: Path, cfg: PlotConfig) -> None:
    plt = _mpl()
    spk = corpus.manifest["speakers"]
    styles = {n: np.array([s["style"][n] for s in spk.values()]) for n in STYLE_PANELS}
    fig = plt.figure(figsize=(10, 6.4))
    gs = fig.add_gridspec(3, 6)
    for k, n in enumerate(STYLE_PANELS):
        a = fig.add_subplot(gs[k // 6, k % 6])
        a.hist(styles[n], bins=24, color="#4c72b0")
        a.set_title(n, fontsize=8)
        a.tick_params(labelsize=6)
        a.set_yticks([])
    # Latent vs measured motion statistic, one point per clip (a sample).
    rows = corpus.manifest["clips"]
    step = max(1, len(rows) // cfg.style_sample)
    mo, jaw90, ha, hstd = [], [], [], []
    for c in rows[::step]:
        clip = load_clip(corpus.path(c["id"]))
        st = spk[c["speaker"]]["style"]
        mo.append(st["mouth_open"])
        jaw90.append(np.percentile(clip.motion[:, JAW_OPEN], 90))
        h = np.rad2deg(clip.motion[:, HEAD])
        ha.append(st["head_amp"])
        hstd.append(np.sqrt(((h - h.mean(0)) ** 2).sum(1).mean()))
    a = fig.add_subplot(gs[2, 0:3])
    a.scatter(mo, np.rad2deg(jaw90), s=5, alpha=0.6)
    a.set_xlabel("mouth_open latent", fontsize=8)
    a.set_ylabel("jaw opening, 90th pct (deg)", fontsize=8)
    a.tick_params(labelsize=7)
    a = fig.add_subplot(gs[2, 3:6])
    a.scatter(ha, hstd, s=5, alpha=0.6, color="#dd8452")
    a.set_xlabel("head_amp latent", fontsize=8)
    a.set_ylabel("head rotation RMS (deg)", fontsize=8)
    a.tick_params(labelsize=7)
    fig.suptitle(f"style latents of {len(spk)} speakers, and what they do to {len(mo)} clips", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=cfg.dpi)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m parley corpus-plots", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, help="a built corpus (default: build the small preset into a temp dir)")
    ap.add_argument("--out", type=Path, default=DOCS_IMAGES)
    ap.add_argument("--clip", help="clip id for corpus-clip.png (default: a held-out clip rich in p/b/m)")
    ap.add_argument("--styles-corpus", type=Path, help="corpus for corpus-styles.png (default: --corpus)")
    a = ap.parse_args(argv)
    cfg = PlotConfig()
    with tempfile.TemporaryDirectory(prefix="parley-plots-") as tmp:
        root = a.corpus
        if root is None:
            from .build import build
            root = Path(tmp) / "small"
            build("small", root, seed=0, workers=2)
        if not (root / "manifest.json").exists():
            ap.error(f"{root} is not a corpus (no manifest.json); build one with python3 -m parley corpus")
        corpus = Corpus(root)
        cid = a.clip or pick_clip(corpus, cfg)
        if not corpus.path(cid).exists():
            ap.error(f"clip {cid} is not in {root}")
        a.out.mkdir(parents=True, exist_ok=True)
        plot_clip(load_clip(corpus.path(cid)), a.out / "corpus-clip.png", cfg)
        plot_styles(Corpus(a.styles_corpus) if a.styles_corpus else corpus, a.out / "corpus-styles.png", cfg)
    print(f"wrote {a.out / 'corpus-clip.png'} (clip {cid}) and {a.out / 'corpus-styles.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
