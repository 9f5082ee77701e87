"""ONNX export of the pose adapter: PoseGPT's step graph, the VQ-VAE decoder, and ``pose.json``.

``pose_gpt.onnx``: ``tokens`` int64 [B, n] (the start symbol, then the codes so far), ``audio_features``
[B, 4N, Da] (the pack's ``audio_encoder.onnx`` output for the line, padded with silence to whole codes,
N >= n, n <= ``maxCodes``), ``style`` [B, S] (one-hot over the training styles) -> ``logits`` [B, n, K]. A
runtime runs it once per code, appends the last position's argmax (greedy) and stops after N codes.

``pose_decoder.onnx``: ``codes`` int64 [B, L] -> ``pose`` [B, 4L, 3]: the neck's axis-angle (radians,
the motion layout's ``head`` slice) at 25 fps; the frames past the speech are dropped.

``pose.json``: sizes, the start symbol, the style bank (names, matrices, scale: parley.pose.style) and
the pack whose audio encoder the graphs expect (id, version, the encoder's SHA-256).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import torch
from torch import nn

from parley.layout import MOTION_FPS, SAMPLE_RATE, SAMPLES_PER_FRAME

from .train import PoseRun

OPSET = 17
GPT_FILE, DECODER_FILE = "pose_gpt.onnx", "pose_decoder.onnx"
TOLERANCE = 1e-4


class _Decoder(nn.Module):
    def __init__(self, run: PoseRun):
        super().__init__()
        self.vq = run.vq

    def forward(self, codes: torch.Tensor) -> torch.Tensor:
        return self.vq.decode(codes)


def probe_inputs(run: PoseRun, batch: int = 2, codes: int = 12, seed: int = 0) -> dict[str, np.ndarray]:
    """Fixed-seed inputs of both graphs (tokens, features, a one-hot style per row, codes); at most
    ``maxCodes`` tokens."""
    g = np.random.default_rng(seed)
    cfg = run.gpt.cfg
    codes = min(codes, cfg.max_codes)
    tokens = g.integers(0, cfg.codes, (batch, codes))
    tokens[:, 0] = cfg.codes
    style = np.zeros((batch, cfg.styles), np.float32)
    style[np.arange(batch), g.integers(0, cfg.styles, batch)] = 1.0
    return {"tokens": tokens.astype(np.int64),
            "audio_features": g.normal(0, 1, (batch, cfg.downsample * (codes + 3), cfg.audio_dim)).astype(np.float32),
            "style": style, "codes": g.integers(0, cfg.codes, (batch, codes)).astype(np.int64)}


def export_onnx(run: PoseRun, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    x = {k: torch.from_numpy(v) for k, v in probe_inputs(run).items()}
    with torch.no_grad():
        torch.onnx.export(run.gpt.eval(), (x["tokens"], x["audio_features"], x["style"]), str(out / GPT_FILE),
                          input_names=["tokens", "audio_features", "style"], output_names=["logits"],
                          dynamic_axes={"tokens": {0: "B", 1: "n"}, "audio_features": {0: "B", 1: "F"},
                                        "style": {0: "B"}, "logits": {0: "B", 1: "n"}}, opset_version=OPSET)
        torch.onnx.export(_Decoder(run).eval(), (x["codes"],), str(out / DECODER_FILE), input_names=["codes"],
                          output_names=["pose"], dynamic_axes={"codes": {0: "B", 1: "L"}, "pose": {0: "B", 1: "T"}},
                          opset_version=OPSET)


def manifest(run: PoseRun, out: Path) -> dict:
    cfg = run.gpt.cfg
    sha = {f: hashlib.sha256((out / f).read_bytes()).hexdigest() for f in (GPT_FILE, DECODER_FILE)}
    return {"format": "parley-pose-adapter", "version": 1, "fps": MOTION_FPS, "framesPerCode": cfg.downsample,
            "codes": cfg.codes, "startToken": cfg.codes, "maxCodes": cfg.max_codes, "audioFeatureDim": cfg.audio_dim,
            "pose": {"slice": "head", "joint": "neck", "representation": "axis-angle", "unit": "radians"},
            "pack": run.info.get("pack", {}), "graphs": {"gpt": GPT_FILE, "decoder": DECODER_FILE},
            "checksums": sha, "styles": run.bank.to_json()}


@torch.no_grad()
def parity(run: PoseRun, out: Path) -> dict[str, float]:
    """Max absolute difference between ONNX Runtime (through Java, parley.model.ort_java) and PyTorch on
    :func:`probe_inputs` of other sizes than the traced ones (the axes are dynamic), per graph; and whether the
    greedy choice (argmax) agrees at every position."""
    from parley.model import ort_java

    x = probe_inputs(run, batch=3, codes=probe_inputs(run)["tokens"].shape[1] - 1, seed=1)
    t = {k: torch.from_numpy(v) for k, v in x.items()}
    ref_logits = run.gpt(t["tokens"], t["audio_features"], t["style"]).numpy()
    ref_pose = run.vq.decode(t["codes"]).numpy()
    got_logits = ort_java.run(out / GPT_FILE, {k: x[k] for k in ("tokens", "audio_features", "style")})[0]["logits"]
    got_pose = ort_java.run(out / DECODER_FILE, {"codes": x["codes"]})[0]["pose"]
    return {"gpt_max_abs_diff": float(np.abs(got_logits - ref_logits).max()),
            "decoder_max_abs_diff": float(np.abs(got_pose - ref_pose).max()),
            "argmax_agrees": bool((got_logits.argmax(-1) == ref_logits.argmax(-1)).all())}


def export_run(run: PoseRun, out: Path, check: bool = True) -> dict:
    """Writes the two graphs and pose.json into ``out``; with ``check``, ONNX Runtime parity (raises if a graph
    differs from PyTorch by more than 1e-4). Returns the sizes and the parity figures."""
    export_onnx(run, out)
    (out / "pose.json").write_text(json.dumps(manifest(run, out)) + "\n")
    report: dict = {f: (out / f).stat().st_size for f in (GPT_FILE, DECODER_FILE, "pose.json")}
    if check:
        report.update(parity(run, out))
        worst = max(report["gpt_max_abs_diff"], report["decoder_max_abs_diff"])
        if worst > TOLERANCE:
            raise AssertionError(f"{out}: ONNX Runtime differs from PyTorch by {worst:.3g} (> {TOLERANCE:g})")
    return report


GOLDEN_SECONDS = 2.5  # 62 frames: 16 codes, the last one half past the speech


@torch.no_grad()
def write_golden(run: PoseRun, encoder: nn.Module, window: int, out: Path, style: int = 0) -> dict:
    """The Java parity test's vectors (``golden.json`` and raw little-endian tensors, as the pack's golden):
    a fixed speech-like PCM (parley.model.export.golden_pcm), its audio features as the runtime encodes them
    (window by window, padded to whole codes), and the greedy codes and head pose [T, 3] for style ``style``;
    and, since greedy codes repeat (docs/adapters.md), the step graph's logits on random tokens and the
    decoder's pose of random codes."""
    from parley.model.export import _Golden, golden_pcm

    from .data import PoseClip, audio_features
    from .train import padded_pcm

    pcm = golden_pcm(int(GOLDEN_SECONDS * SAMPLE_RATE))
    frames = len(pcm) // SAMPLES_PER_FRAME
    clip = PoseClip("golden", "golden", pcm, np.zeros((frames, 3), np.float32), None)
    d = run.gpt.cfg.downsample
    feats = audio_features(encoder, padded_pcm(clip, d), window)
    onehot = torch.nn.functional.one_hot(torch.tensor([style]), run.gpt.cfg.styles).float()
    codes = run.gpt.generate(torch.from_numpy(feats)[None], onehot, feats.shape[0] // d)
    pose = run.vq.decode(codes)[0, :frames].numpy()
    g = np.random.default_rng(3)
    probe = np.concatenate([[run.gpt.start], g.integers(0, run.gpt.cfg.codes, len(codes[0]) - 1)])[None]
    logits = run.gpt(torch.from_numpy(probe), torch.from_numpy(feats)[None], onehot)[0]
    probe_codes = g.integers(0, run.gpt.cfg.codes, (1, len(codes[0])))
    gold = _Golden(out)
    index = {"probeTokens": gold.put("probe_tokens", probe[0]), "probeLogits": gold.put("probe_logits", logits),
             "probeCodes": gold.put("probe_codes", probe_codes[0]),
             "probePose": gold.put("probe_pose", run.vq.decode(torch.from_numpy(probe_codes))[0]),
             "encoding": "raw little-endian, row-major", "style": style, "styleName": run.bank.names[style],
             "frames": frames, "pcm": gold.put("pcm", pcm), "audioFeatures": gold.put("audio_features", feats),
             "codes": gold.put("codes", codes[0]), "pose": gold.put("pose", pose), "tolerance": TOLERANCE}
    index["tensors"] = gold.tensors
    (out / "golden.json").write_text(json.dumps(index, indent=1) + "\n")
    return index
