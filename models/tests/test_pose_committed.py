"""The committed pose adapter (packs/pose-adapter-v1, docs/adapters.md "Pose adapter in the runtime"): its
graphs are the ones pose.json names by SHA-256, it expects the committed pack's audio encoder, and the graphs
in ONNX Runtime reproduce the PyTorch golden that ``python3 -m parley pose golden`` wrote (greedy codes
teacher-forced through the step graph, the decoder's pose) within the export's 1e-4."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from parley.model import ort_java
from parley.pose.export import DECODER_FILE, GPT_FILE, TOLERANCE

MODELS = Path(__file__).resolve().parents[1]
ADAPTER = MODELS / "packs" / "pose-adapter-v1"
PACK = MODELS / "packs" / "parley-base-v1"


def _golden(name: str) -> np.ndarray:
    index = json.loads((ADAPTER / "golden" / "golden.json").read_text())
    t = index["tensors"][index[name]]
    dtype = "<i8" if t["dtype"] == "int64" else "<f4"
    return np.fromfile(ADAPTER / "golden" / t["file"], dtype).reshape(t["shape"])


def test_the_graphs_and_the_pack_are_the_ones_pose_json_names():
    man = json.loads((ADAPTER / "pose.json").read_text())
    assert man["graphs"] == {"gpt": GPT_FILE, "decoder": DECODER_FILE}
    for f, sha in man["checksums"].items():
        assert hashlib.sha256((ADAPTER / f).read_bytes()).hexdigest() == sha, f
    pack = json.loads((PACK / "manifest.json").read_text())
    encoder = hashlib.sha256((PACK / pack["models"]["audioEncoder"]).read_bytes()).hexdigest()
    assert man["pack"]["audioEncoderSha256"] == encoder
    size = sum(p.stat().st_size for p in ADAPTER.iterdir() if p.is_file())
    assert size < 4_000_000, f"the adapter's files are {size} bytes"


def test_the_committed_graphs_reproduce_the_golden_in_onnx_runtime():
    man = json.loads((ADAPTER / "pose.json").read_text())
    index = json.loads((ADAPTER / "golden" / "golden.json").read_text())
    codes, feats = _golden("codes"), _golden("audioFeatures")
    style = np.zeros((1, len(man["styles"]["names"])), np.float32)
    style[0, index["style"]] = 1.0
    tokens = np.concatenate([[man["startToken"]], codes[:-1]])[None].astype(np.int64)
    logits = ort_java.run(ADAPTER / GPT_FILE, {"tokens": tokens, "audio_features": feats[None],
                                               "style": style})[0]["logits"][0]
    # Causal: the step graph on its own greedy prefix picks the same code at every position.
    assert (logits.argmax(-1) == codes).all()
    pose = ort_java.run(ADAPTER / DECODER_FILE, {"codes": codes[None]})[0]["pose"][0, : index["frames"]]
    assert np.abs(pose - _golden("pose")).max() <= TOLERANCE
