"""Expression adapters on unseen speakers (``python3 -m parley evaluate --adapt N``): for each of N
speakers of a split (the held-out voices by default), fit from about 10 s of the speaker's clips and score
on other clips of the same speaker, against the style-embedding-only path, a single-rank LoRA of the same
size and full fine-tuning of the denoiser on the same take (docs/adapters.md)::

    python3 -m parley evaluate --pack packs/parley-base-v1 --data ../corpus/full --adapt 10 --samples 1 \
        --out work/adapters.json

Every method samples the same test clips with the same noise (10-step DDIM at the pack's guidance) and the
take's style embedding. The per-speaker table and the means go into the metrics JSON, rewritten after
each speaker so that a run cut short still reports what it measured.

On the ``performers`` corpus (speakers with quirks, parley.corpus.quirks), ``--adapt-twin DIR`` scores the
same test clips of the corpus built with ``--no-quirks`` against the quirky ground truth instead: how far
the quirks alone move each metric.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from parley.corpus.dataset import Clip, Corpus, data_reference, load_clip

from .adapt import take_style
from .adapter import FitConfig, fit, take_loss
from .evaluate import HeadMetrics, Scorer, _round, sample_clips, write_results

METRICS = ("lve_mm", "mod_mm", "fdd_mm")  # lower is better
STYLE_ONLY = "style only"
TWIN = "ground truth without quirks"
TARGET = 0.10  # issue 19: MoLoRA improves LVE, MOD and FDD by at least 10% over the style-only path


def speaker_clips(corpus: Corpus, split: str, speakers: int, take_seconds: float, test_clips: int,
                  offset: int = 0) -> list[tuple[str, list[Clip], list[Clip]]]:
    """(speaker, take clips, test clips) for the ``speakers`` speakers of a split with the most clips (after
    the first ``offset`` of them): the take is the speaker's first clips (sorted ids) until ``take_seconds``,
    the tests up to ``test_clips`` of the rest."""
    by_speaker: dict[str, list[str]] = {}
    for c in corpus.manifest["clips"]:
        if c["split"] == split:
            by_speaker.setdefault(c["speaker"], []).append(c["id"])
    chosen = sorted(by_speaker.items(), key=lambda kv: (-len(kv[1]), kv[0]))[offset:offset + speakers]
    out = []
    for speaker, ids in chosen:
        ids = sorted(ids)
        take, frames = [], 0
        while ids and frames < take_seconds * 25:
            take.append(load_clip(corpus.path(ids.pop(0))))
            frames += take[-1].n_frames
        tests = [load_clip(corpus.path(cid)) for cid in ids[:test_clips]]
        if tests:
            out.append((speaker, take, tests))
    return out


def as_take(clips: list[Clip]) -> list[dict]:
    """Corpus clips as the training clips :func:`parley.model.adapter.fit` reads."""
    return [{"pcm": c.audio, "motion": c.motion, "shape": c.beta, "phones": np.asarray(c.frame_phones, np.int64)}
            for c in clips]


def methods(ranks: tuple[int, ...], steps: int) -> dict[str, FitConfig]:
    """The fitted methods: MoLoRA, a single-rank LoRA with as many parameters, full fine-tuning."""
    return {f"molora {'+'.join(map(str, ranks))}": FitConfig(ranks=ranks, steps=steps),
            f"lora {sum(ranks)}": FitConfig(ranks=(sum(ranks),), method="lora", steps=steps),
            "full fine-tuning": FitConfig(method="full", steps=steps)}


def summary(table: dict[str, dict[str, dict]]) -> dict[str, dict]:
    """Per method: the mean of each metric over speakers, and the mean relative change against the
    style-only path (negative: lower, better for LVE, MOD, FDD)."""
    names = list(next(iter(table.values())))
    out = {}
    for name in names:
        rows = [t[name] for t in table.values() if name in t]
        mean = {k: float(np.mean([r[k] for r in rows])) for k in (*METRICS, "closure", "fit_seconds", "fit_cpu_seconds")
                if all(k in r for r in rows)}
        if name != STYLE_ONLY:
            mean.update({f"{k}_change": float(np.mean([t[name][k] / t[STYLE_ONLY][k] - 1.0 for t in table.values()
                                                        if name in t])) for k in METRICS})
        out[name] = {"speakers": len(rows), **mean}
    return out


def acceptance(means: dict[str, dict]) -> dict:
    """Issue 19's targets for the MoLoRA row (means over speakers)."""
    molora = next((n for n in means if n.startswith("molora")), None)
    if molora is None:
        return {}
    m, base = means[molora], means[STYLE_ONLY]
    out = {f"MoLoRA improves {k} by >= 10% over style only": m[f"{k}_change"] <= -TARGET for k in METRICS}
    for other in [n for n in means if n not in (molora, STYLE_ONLY)]:
        out[f"MoLoRA beats {other} on LVE, MOD, FDD"] = all(m[k] < means[other][k] for k in METRICS)
    out["MoLoRA does not lower closure"] = m["closure"] >= base["closure"]
    return out


def evaluate_adapters(model, mean: np.ndarray, std: np.ndarray, guide: tuple[float, float, float], info: dict,
                      data: Path, out: Path, split: str, speakers: int, take_seconds: float, test_clips: int,
                      ranks: tuple[int, ...], steps: int, samples: int, seed: int,
                      log: Callable[[str], None], offset: int = 0) -> int:
    """Fits and scores every method per speaker; writes ``out`` after each speaker."""
    t0 = time.time()
    corpus = Corpus(data)
    head = HeadMetrics()
    fits = methods(ranks, steps)
    results: dict = {"trained": True, "checkpoint": info, "corpus": data_reference(data), "seed": seed,
                     "settings": {"split": split, "take_seconds": take_seconds,
                                  "test_clips": test_clips, "samples": samples, "guidance": list(guide),
                                  "ddim_steps": 10, "threads": torch.get_num_threads(),
                                  "fits": {n: {"method": c.method, "ranks": list(c.ranks), "steps": c.steps,
                                               "batch_size": c.batch_size,  # rates as text: metrics keep 4 decimals
                                               "lr": f"{c.full_lr if c.method == 'full' else c.lr:g}"}
                                           for n, c in fits.items()}},
                     "speakers": {}}
    for speaker, take_clips, tests in speaker_clips(corpus, split, speakers, take_seconds, test_clips, offset):
        take = as_take(take_clips)
        scorer = Scorer(head, tests)
        styles = take_style(model, take, mean, std)[None].expand(len(tests), -1)
        row: dict[str, dict] = {}

        def score(name: str, net, extra: dict) -> None:
            motions = sample_clips(net, mean, std, tests, styles, samples, 10, guide, seed=seed)
            row[name] = {**scorer.score(motions), **extra}
            log(f"{speaker} {name}: " + " ".join(f"{k} {row[name][k]:.4g}" for k in (*METRICS, "closure")))

        base_loss = take_loss(model, mean, std, take)
        score(STYLE_ONLY, model, {"take_loss": base_loss})
        for name, cfg in fits.items():
            result = fit(model, mean, std, take, cfg)
            score(name, result.model, {"take_loss": take_loss(result.model, mean, std, take),
                                       "fit_seconds": result.seconds, "fit_cpu_seconds": result.cpu_seconds})
        results["speakers"][speaker] = {"take_clips": [c.id for c in take_clips],
                                        "take_seconds": sum(c.n_frames for c in take_clips) / 25.0,
                                        "test_clips": [c.id for c in tests], "methods": row}
        table = {s: v["methods"] for s, v in results["speakers"].items()}
        results["means"] = summary(table)
        write_results(out, results, acceptance(results["means"]), t0, log)
    return 0


def score_twin(data: Path, twin: Path, out: Path, split: str, speakers: int, take_seconds: float,
               test_clips: int, log: Callable[[str], None], offset: int = 0) -> int:
    """Scores ``twin``'s motion (the same corpus without quirks) of each speaker's test clips against
    ``data``'s, per speaker; writes ``out``."""
    t0 = time.time()
    corpus, plain = Corpus(data), Corpus(twin)
    head = HeadMetrics()
    results: dict = {"corpus": data_reference(data), "twin": data_reference(twin),
                     "settings": {"split": split, "take_seconds": take_seconds, "test_clips": test_clips},
                     "speakers": {}}
    for speaker, _, tests in speaker_clips(corpus, split, speakers, take_seconds, test_clips, offset):
        twins = [load_clip(plain.path(c.id)) for c in tests]
        for c, t in zip(tests, twins):  # two builds' audio may differ by 1 LSB (sox), no more
            if c.audio.shape != t.audio.shape or np.abs(c.audio.astype(np.float64) - t.audio).max() > 1.5 / 32768:
                raise ValueError(f"{twin}: clip {c.id}: other audio than in {data} (not the same corpus's twin)")
        row = Scorer(head, tests).score([t.motion[None] for t in twins])
        results["speakers"][speaker] = {"test_clips": [c.id for c in tests], "methods": {TWIN: row}}
        log(f"{speaker} {TWIN}: " + " ".join(f"{k} {row[k]:.4g}" for k in (*METRICS, "closure")))
    results["means"] = {TWIN: {k: float(np.mean([v["methods"][TWIN][k] for v in results["speakers"].values()]))
                               for k in (*METRICS, "closure")}}
    return write_results(out, results, {}, t0, log)


def merge(parts: list[Path], out: Path) -> int:
    """Joins adapter evaluations of other speakers (same model and settings) into ``out``."""
    merged: dict = {}
    for path in parts:
        part = json.loads(path.read_text())
        if merged and (part["checkpoint"], part["settings"]) != (merged["checkpoint"], merged["settings"]):
            raise ValueError(f"{path}: another model or other settings than {parts[0]}")
        if set(part["speakers"]) & set(merged.get("speakers", {})):
            raise ValueError(f"{path}: speaker(s) already in an earlier file")
        merged = {**part, "speakers": {**merged.get("speakers", {}), **part["speakers"]},
                  "seconds": max(merged.get("seconds", 0), part.get("seconds", 0))}
    merged["means"] = summary({s: v["methods"] for s, v in merged["speakers"].items()})
    merged["acceptance"] = acceptance(merged["means"])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(_round(merged), indent=1) + "\n")
    print(f"wrote {out} ({len(merged['speakers'])} speakers)")
    return 0
