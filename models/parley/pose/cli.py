"""``python3 -m parley pose <train|export>``: the pose adapter's jobs (docs/adapters.md, "Pose adapter");
its evaluation is ``python3 -m parley evaluate --pose RUN`` (parley.pose.evaluate).

    python3 -m parley pose train --pack packs/parley-base-v1 --data ../corpus/full --out runs/pose
    python3 -m parley pose export --run runs/pose --out packs/pose-adapter-v1
    python3 -m parley pose golden --run runs/pose --pack packs/parley-base-v1 --out packs/pose-adapter-v1/golden
    python3 -m parley evaluate --pose runs/pose --pack packs/parley-base-v1 --data ../corpus/full \
        --out ../docs/pose-adapter.json
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch


def _log():
    t0 = time.time()
    return lambda msg: print(f"[{time.time() - t0:6.0f} s] {msg}", flush=True)


def encoder_identity(pack: Path, man: dict) -> dict:
    """What a pose run records of the pack whose audio encoder drives it: id, version, the encoder's SHA-256."""
    from parley.model.export import sha256

    return {"id": man["id"], "packVersion": man["packVersion"],
            "audioEncoderSha256": sha256(pack / man["models"]["audioEncoder"])}


def check_pack(run_dir: Path, recorded: dict, pack: Path, man: dict) -> dict:
    """The pack's identity (:func:`encoder_identity`); raises, naming both, if the run was trained on the
    features of another audio encoder."""
    ident = encoder_identity(pack, man)
    if recorded.get("audioEncoderSha256") != ident["audioEncoderSha256"]:
        raise ValueError(f"{run_dir}: pack.audioEncoderSha256: expected {ident['audioEncoderSha256']} ({pack}) "
                         f"but got {recorded.get('audioEncoderSha256')}")
    return ident


def train(a: argparse.Namespace) -> int:
    from dataclasses import replace

    from .data import load_split
    from .gpt import GPTConfig
    from .train import PoseTrainConfig, train_run
    from .vqvae import VQConfig

    torch.set_num_threads(a.threads)
    log = _log()
    cfg = PoseTrainConfig(vq=VQConfig(codes=a.codes), gpt=replace(GPTConfig(), layers=a.layers, width=a.width),
                          vq_steps=a.vq_steps, gpt_steps=a.gpt_steps, seed=a.seed)
    clips = load_split(a.data, "train", a.per_speaker)
    val = load_split(a.data, "val", 4)
    log(f"{len(clips)} training clips of {len({c.speaker for c in clips})} speakers, {len(val)} val clips")
    from parley.model.evaluate import load_pack
    model, _, _, man = load_pack(a.pack)
    encoder, window, ident = model.audio.eval(), model.cfg.window, encoder_identity(a.pack, man)
    from parley.corpus.dataset import data_reference
    info = {"format": "parley-pose-adapter", "version": 1, "pack": ident, "corpus": data_reference(a.data),
            "perSpeaker": a.per_speaker, "threads": a.threads}
    run = train_run(clips, encoder, window, cfg, info, log, val)
    run.save(a.out)
    log(f"wrote {a.out}")
    return 0


def export(a: argparse.Namespace) -> int:
    from .export import export_run
    from .train import PoseRun

    torch.set_num_threads(a.threads)
    report = export_run(PoseRun.load(a.run), a.out, check=not a.no_check)
    for k, v in report.items():
        print(f"{k}: {v}")
    return 0


def golden(a: argparse.Namespace) -> int:
    from parley.model.evaluate import load_pack

    from .export import write_golden
    from .train import PoseRun

    torch.set_num_threads(a.threads)
    run = PoseRun.load(a.run)
    model, _, _, man = load_pack(a.pack)
    check_pack(a.run, run.info.get("pack", {}), a.pack, man)
    index = write_golden(run, model.audio.eval(), model.cfg.window, a.out, a.style)
    print(f"wrote {a.out}: {index['frames']} frames, style {index['styleName']}")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m parley pose", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="job", required=True)
    t = sub.add_parser("train", help="train the VQ-VAE and PoseGPT on the corpus's train split")
    t.add_argument("--pack", type=Path, required=True, help="the pack whose audio encoder drives PoseGPT")
    t.add_argument("--data", type=Path, required=True, help="a built corpus")
    t.add_argument("--out", type=Path, required=True, help="the run folder to write")
    t.add_argument("--per-speaker", type=int, default=6, help="training clips per train speaker (%(default)s)")
    t.add_argument("--codes", type=int, default=256, help="codebook size (%(default)s)")
    t.add_argument("--vq-steps", type=int, default=1500)
    t.add_argument("--gpt-steps", type=int, default=1000)
    t.add_argument("--layers", type=int, default=3, help="PoseGPT layers (%(default)s)")
    t.add_argument("--width", type=int, default=128, help="PoseGPT width (%(default)s)")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--threads", type=int, default=1)
    t.set_defaults(func=train)
    e = sub.add_parser("export", help="PoseGPT's step graph, the VQ-VAE decoder and pose.json, checked in ONNX "
                                      "Runtime against PyTorch")
    e.add_argument("--run", type=Path, required=True)
    e.add_argument("--out", type=Path, required=True)
    e.add_argument("--no-check", action="store_true", help="skip the ONNX Runtime parity check")
    e.add_argument("--threads", type=int, default=1)
    e.set_defaults(func=export)
    g = sub.add_parser("golden", help="the Java parity test's vectors: a fixed PCM, its features, greedy codes, pose")
    g.add_argument("--run", type=Path, required=True)
    g.add_argument("--pack", type=Path, required=True, help="the pack whose audio encoder the run was trained on")
    g.add_argument("--out", type=Path, required=True)
    g.add_argument("--style", type=int, default=0, help="the style's index in the bank (%(default)s)")
    g.add_argument("--threads", type=int, default=1)
    g.set_defaults(func=golden)
    a = p.parse_args(argv)
    return int(a.func(a) or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
