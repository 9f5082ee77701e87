"""Fixtures for the runtime's and the tools' tests.

    python3 -m parley.model.fixtures ../plugin/src/test/resources/packs/one-graph
    python3 -m parley.model.fixtures adapt-take DIR

The first is a small pack with the one-graph denoiser of packs before 1.4.0, so that the Java runtime's
support of such packs stays under golden parity. It holds the manifest, ``denoiser.onnx`` (one graph, a tiny
denoiser) and the golden vectors of the denoiser and the sampler. Its audio and style sizes are the base
pack's, whose encoder graphs the tests link in beside it (this fixture's own encoders are random and not kept).

The second writes a tiny pack (``DIR/tiny``, the TINY config, untrained) and a 4.8 s take of it
(``DIR/take.wav``, ``DIR/take.npz``): what ``parley adapt`` fits in seconds (parley-tool's AdaptTest).
"""
from __future__ import annotations

import json
import shutil
import wave
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

from parley.layout import SAMPLE_RATE

from .config import BASE, TINY, ModelConfig
from .export import export_pack
from .network import build_model

ONE_GRAPH_CONFIG: ModelConfig = replace(TINY, name="one-graph-fixture", audio=BASE.audio, style=BASE.style)
KEPT_CASES = ("denoiser", "ddim")


def _tensor_names(case: dict) -> set[str]:
    names = set()
    for value in case.values():
        if isinstance(value, dict):
            names |= _tensor_names(value)
        elif isinstance(value, str):
            names.add(value)
    return names


def write_one_graph_pack(out: Path) -> None:
    """Writes the fixture into ``out`` (replaced)."""
    with tempfile.TemporaryDirectory() as tmp:
        pack = Path(tmp) / "pack"
        export_pack(build_model(ONE_GRAPH_CONFIG, 0), pack, "one-graph-fixture", "1.3.0", seed=0, one_graph=True)
        index = json.loads((pack / "golden" / "golden.json").read_text())
        kept = {k: index[k] for k in ("seed", "encoding", "tolerance")}
        kept.update({k: index[k] for k in KEPT_CASES})
        used = set().union(*(_tensor_names(c) for k in KEPT_CASES for c in index[k]))
        kept["tensors"] = {n: t for n, t in index["tensors"].items() if n in used}
        if out.exists():
            shutil.rmtree(out)
        (out / "golden").mkdir(parents=True)
        for f in ("manifest.json", "denoiser.onnx"):
            shutil.copy(pack / f, out / f)
        for t in kept["tensors"].values():
            shutil.copy(pack / "golden" / t["file"], out / "golden" / t["file"])
        (out / "golden" / "golden.json").write_text(json.dumps(kept, indent=1) + "\n")


def write_take(folder: Path, clip: dict) -> tuple[Path, Path]:
    """Writes a training clip (``pcm``, ``motion``, ``shape``, ``phones``) as a take: ``folder/take.wav``
    (16-bit mono) and ``folder/take.npz`` (``motion``, ``beta``, ``frame_phones``). Returns both paths."""
    wav, npz = folder / "take.wav", folder / "take.npz"
    with wave.open(str(wav), "wb") as f:
        f.setnchannels(1), f.setsampwidth(2), f.setframerate(SAMPLE_RATE)
        f.writeframes(np.clip(np.round(clip["pcm"] * 32767), -32768, 32767).astype("<i2").tobytes())
    np.savez(npz, motion=clip["motion"], beta=clip["shape"], frame_phones=clip["phones"].astype(np.uint8))
    return wav, npz


def write_adapt_take(folder: Path) -> tuple[Path, Path, Path]:
    """A tiny pack (``folder/tiny``: TINY, untrained, seed 0) and a 120-frame take of synthetic speech and
    motion (train.SyntheticDataset, seed 0). Returns the pack, the WAV and the NPZ."""
    from .train import SyntheticDataset

    folder.mkdir(parents=True, exist_ok=True)
    pack = folder / "tiny"
    export_pack(build_model(TINY, 0), pack, "tiny", "0.0.0-untrained", seed=0)
    data = SyntheticDataset(3, frames=120, n_phones=TINY.audio.n_phones, seed=0)
    return (pack, *write_take(folder, data[0]))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "adapt-take":
        print("wrote", *write_adapt_take(Path(sys.argv[2])))
    elif len(sys.argv) == 2:
        write_one_graph_pack(Path(sys.argv[1]))
        print(f"wrote {sys.argv[1]}")
    else:
        sys.exit("usage: python3 -m parley.model.fixtures ONE_GRAPH_DIR | adapt-take DIR")
