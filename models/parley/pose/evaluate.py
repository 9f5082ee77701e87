"""The pose adapter against the pack's diffusion pose on speakers never trained on
(``python3 -m parley evaluate --pose RUN --pack PACK --data CORPUS --out METRICS``).

For each of N speakers of a split (the held-out voices: the ones with the most clips, as
``parley.model.adapt_eval``): the take is the speaker's first clips (sorted ids) until 10 s, the test its next
clips. Methods, each on the test clips' speech:

- ``pose adapter``: the take's style matrix retrieves the nearest training style, which drives PoseGPT (greedy).
- ``pose adapter, oracle style``: PoseGPT driven by the training speaker whose generator head style (the
  corpus's hidden ``head_*``, ``axis_*``, ``nod_habit`` values, z-scored) is nearest the test speaker's: the
  best a retrieval of seen styles could hope for; it separates retrieval's errors from the limitation.
- ``pose adapter, top-8 sampling``: the same with each code drawn from PoseGPT's 8 likeliest (not AdaMesh's
  greedy decoding; ``samples`` samples): what the greedy choice costs in motion.
- ``pose adapter, retrieval by style embedding``: the training style retrieved by the pack's style encoder
  instead of the matrix (cosine between the take's embedding and each training speaker's, over its first
  clips): which key retrieves better.
- ``diffusion``: the pack's denoiser, 10-step DDIM at the pack's guidance, style embedding of the same take,
  ``samples`` samples (the first scored; all for sample diversity).
- ``ground truth``: the speaker's own recorded pose on the test clips (the reference for every statistic).

Metrics per speaker (pooled over its test clips; angles in degrees):

- ``ba``: beat alignment (parley.model.evaluate.beat_alignment: head-motion beats against audio onsets).
- ``div_samples_deg``: mean pairwise per-frame distance between samples of the same speech (greedy decoding
  is deterministic: 0 for the adapter, measured by decoding twice).
- ``div_clips_deg``: mean pairwise per-frame distance between the poses of different test clips (over their
  common length): how much the pose differs from line to line.
- ``d_mean_deg``, ``d_std_deg``, ``d_speed_deg_s``, ``d_velocity_std_deg_s``: distance of pose statistics
  to the speaker's own: |method - ground truth| of each angle's mean, standard deviation, mean absolute
  velocity and velocity standard deviation, averaged over pitch, yaw and roll.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Callable

import numpy as np

from parley.corpus.dataset import Corpus, data_reference, load_clip
from parley.layout import HEAD, MOTION_DIM, MOTION_FPS

from .data import POSE_NAMES, PoseClip, from_clip, speaker_clip_ids
from .style import style_matrix
from .train import PoseRun

HEAD_STYLE = ("head_amp", "head_freq", "axis_pitch", "axis_yaw", "axis_roll", "nod_habit", "head_pitch_bias",
              "head_yaw_bias", "head_roll_bias")
LOWER = ("d_mean_deg", "d_std_deg", "d_speed_deg_s", "d_velocity_std_deg_s")
ADAPTER, ORACLE, DIFFUSION, TRUTH = "pose adapter", "pose adapter, oracle style", "diffusion (pack)", "ground truth"
TOP_K = 8
SAMPLED = f"pose adapter, top-{TOP_K} sampling"
BY_EMBEDDING = "pose adapter, retrieval by style embedding"


def pose_stats(poses: list[np.ndarray]) -> dict[str, np.ndarray]:
    """Per angle (degrees): mean, std, mean |velocity| and velocity std (per second), pooled over clips."""
    a = np.degrees(np.concatenate(poses))
    v = np.degrees(np.concatenate([np.diff(p, axis=0) for p in poses])) * MOTION_FPS
    return {"mean": a.mean(0), "std": a.std(0), "speed": np.abs(v).mean(0), "velocity_std": v.std(0)}


def beat_alignment_of(poses: list[np.ndarray], clips: list[PoseClip]) -> float:
    from parley.model.evaluate import audio_beats, beat_alignment

    total, beats = 0.0, 0
    for p, c in zip(poses, clips):
        m = np.zeros((len(p), MOTION_DIM), np.float32)
        m[:, HEAD] = p
        s, n = beat_alignment(m, audio_beats(c.pcm, c.frames))
        total, beats = total + s, beats + n
    return total / max(beats, 1)


def pairwise_deg(poses: list[np.ndarray]) -> float:
    d = [np.degrees(np.linalg.norm(p[:n] - q[:n], axis=1)).mean()
         for i, p in enumerate(poses) for q in poses[i + 1:] for n in [min(len(p), len(q))]]
    return float(np.mean(d)) if d else 0.0


def score(samples: list[list[np.ndarray]], clips: list[PoseClip], truth: dict[str, np.ndarray]) -> dict[str, float]:
    """``samples[k][i]``: sample k of clip i's pose [T, 3] (radians)."""
    first = samples[0]
    st = pose_stats(first)
    out = {"ba": beat_alignment_of(first, clips),
           "div_samples_deg": float(np.mean([pairwise_deg([s[i] for s in samples]) for i in range(len(clips))]))
           if len(samples) > 1 else 0.0,
           "div_clips_deg": pairwise_deg(first)}
    for key, name in zip(LOWER, ("mean", "std", "speed", "velocity_std")):
        out[key] = float(np.abs(st[name] - truth[name]).mean())
    for name in ("mean", "std", "speed"):
        out.update({f"{name}_{a}": float(x) for a, x in zip(POSE_NAMES, st[name])})
    return out


def head_style(corpus: Corpus, speaker: str) -> np.ndarray:
    s = corpus.manifest["speakers"][speaker]["style"]
    return np.array([s[k] for k in HEAD_STYLE], np.float64)


def seen_retrieval(run: PoseRun, corpus: Corpus, per_speaker: int, speakers: int, take_seconds: float) -> dict:
    """Retrieval on training speakers from clips PoseGPT never saw (those after its first ``per_speaker``):
    how often the speaker's own style comes first (top 1) or in the first 5."""
    ids = speaker_clip_ids(corpus, "train")
    index = {s: i for i, s in enumerate(run.bank.names)}
    hits1 = hits5 = n = 0
    for speaker, clip_ids in ids.items():
        rest = clip_ids[per_speaker:]
        if speaker not in index or not rest:
            continue
        take, frames = [], 0
        while rest and frames < take_seconds * MOTION_FPS:
            take.append(from_clip(load_clip(corpus.path(rest.pop(0)))))
            frames += take[-1].frames
        rank = int(np.argsort(run.bank.distances(style_matrix(take))).tolist().index(index[speaker]))
        hits1, hits5, n = hits1 + (rank == 0), hits5 + (rank < 5), n + 1
        if n >= speakers:
            break
    return {"speakers": n, "top1": hits1 / max(n, 1), "top5": hits5 / max(n, 1), "styles": len(run.bank.names)}


def speaker_embeddings(model, mean: np.ndarray, std: np.ndarray, corpus: Corpus, names: list[str]) -> np.ndarray:
    """The pack's style embedding [S, Ds] of each training speaker: its first train clips, as a take."""
    from parley.model.adapt import take_style
    from parley.model.adapt_eval import as_take

    ids = speaker_clip_ids(corpus, "train")
    frames = model.cfg.style.frames
    out = []
    for name in names:
        clips, n = [], 0
        for cid in ids[name]:
            clips.append(load_clip(corpus.path(cid)))
            n += clips[-1].n_frames
            if n >= frames:
                break
        out.append(take_style(model, as_take(clips), mean, std).numpy())
    return np.stack(out)


def winners(means: dict[str, dict]) -> dict[str, str]:
    """Per metric, adapter against diffusion: lower distances win; BA and sample diversity: higher wins;
    clip diversity: nearer the ground truth's wins."""
    a, d, g = means[ADAPTER], means[DIFFUSION], means[TRUTH]
    out = {k: ADAPTER if a[k] < d[k] else DIFFUSION for k in LOWER}
    out["ba"] = ADAPTER if a["ba"] > d["ba"] else DIFFUSION
    out["div_samples_deg"] = ADAPTER if a["div_samples_deg"] > d["div_samples_deg"] else DIFFUSION
    out["div_clips_deg"] = ADAPTER if abs(a["div_clips_deg"] - g["div_clips_deg"]) < \
        abs(d["div_clips_deg"] - g["div_clips_deg"]) else DIFFUSION
    return out


def evaluate_pose(run_dir: Path, pack: Path, data: Path, out: Path, speakers: int, split: str, take_seconds: float,
                  test_clips: int, samples: int, seed: int, log: Callable[[str], None]) -> int:
    from parley.model.adapt import take_style
    from parley.model.adapt_eval import as_take, speaker_clips
    from parley.model.evaluate import _round, load_pack, pack_guidance, sample_clips

    from .cli import check_pack

    t0 = time.time()
    run = PoseRun.load(run_dir)
    model, mean, std, man = load_pack(pack)
    ident = check_pack(run_dir, run.info.get("pack", {}), pack, man)
    window = model.cfg.window
    guide = pack_guidance(man)
    corpus = Corpus(data)
    train_styles = np.stack([head_style(corpus, s) for s in run.bank.names])
    embeddings = speaker_embeddings(model, mean, std, corpus, run.bank.names)
    mu, sd = train_styles.mean(0), train_styles.std(0) + 1e-9
    results: dict = {"run": {k: run.info[k] for k in ("pack", "corpus", "perSpeaker", "train", "clips", "figures")
                             if k in run.info},
                     "pack": ident, "corpus": data_reference(data), "seed": seed,
                     "settings": {"split": split, "take_seconds": take_seconds, "test_clips": test_clips,
                                  "diffusion_samples": samples, "ddim_steps": 10, "guidance": list(guide)},
                     "speakers": {}}
    for speaker, take, tests in speaker_clips(corpus, split, speakers, take_seconds, test_clips):
        test_pc = [from_clip(c) for c in tests]
        truth = pose_stats([c.pose for c in test_pc])
        dist = run.bank.distances(style_matrix([from_clip(c) for c in take]))
        k = int(np.argmin(dist))
        oracle = int(np.argmin((((train_styles - mu) / sd - (head_style(corpus, speaker) - mu) / sd) ** 2).sum(1)))
        rows: dict[str, dict] = {}
        rows[TRUTH] = score([[c.pose for c in test_pc]], test_pc, truth)
        adapter = [run.generate(model.audio, window, c, k) for c in test_pc]
        again = run.generate(model.audio, window, test_pc[0], k)
        rows[ADAPTER] = score([adapter], test_pc, truth)
        rows[ADAPTER]["div_samples_deg"] = float(np.degrees(np.abs(again - adapter[0])).max())  # greedy: 0
        rows[SAMPLED] = score([[run.generate(model.audio, window, c, k, TOP_K, seed + j) for c in test_pc]
                               for j in range(samples)], test_pc, truth)
        rows[ORACLE] = score([[run.generate(model.audio, window, c, oracle) for c in test_pc]], test_pc, truth)
        styles = take_style(model, as_take(take), mean, std)[None].expand(len(tests), -1)
        by_embedding = int(np.argmax(embeddings @ styles[0].numpy()))
        rows[BY_EMBEDDING] = score([[run.generate(model.audio, window, c, by_embedding) for c in test_pc]], test_pc,
                                   truth)
        motions = sample_clips(model, mean, std, tests, styles, samples, 10, guide, seed=seed)
        rows[DIFFUSION] = score([[m[s][:, HEAD] for m in motions] for s in range(samples)], test_pc, truth)
        results["speakers"][speaker] = {
            "take_clips": [c.id for c in take], "take_seconds": sum(c.n_frames for c in take) / MOTION_FPS,
            "test_clips": [c.id for c in tests], "retrieved": run.bank.names[k], "retrieval_distance": float(dist[k]),
            "oracle": run.bank.names[oracle], "oracle_rank_in_retrieval": int(np.argsort(dist).tolist().index(oracle)),
            "retrieved_by_embedding": run.bank.names[by_embedding],
            "methods": rows}
        log(f"{speaker}: retrieved {run.bank.names[k]} (oracle {run.bank.names[oracle]}); " + "; ".join(
            f"{n}: BA {r['ba']:.3f} d_std {r['d_std_deg']:.2f} d_speed {r['d_speed_deg_s']:.2f}"
            for n, r in rows.items()))
        names = list(rows)
        results["means"] = {n: {key: float(np.mean([s["methods"][n][key] for s in results["speakers"].values()]))
                                for key in rows[n]} for n in names}
        results["winners"] = winners(results["means"])
        results["seconds"] = round(time.time() - t0)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(_round(results), indent=1) + "\n")
    results["seen_speaker_retrieval"] = seen_retrieval(run, corpus, int(run.info.get("perSpeaker", 0)), 40,
                                                       take_seconds)
    log(f"retrieval on seen speakers (unseen clips): {results['seen_speaker_retrieval']}")
    results["seconds"] = round(time.time() - t0)
    out.write_text(json.dumps(_round(results), indent=1) + "\n")
    log(f"wrote {out}; winners: {results['winners']}")
    return 0
