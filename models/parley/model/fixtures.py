"""A fixture for the runtime's tests: a small pack with the one-graph denoiser of packs before 1.4.0, so
that the Java runtime's support of such packs stays under golden parity.

    python3 -m parley.model.fixtures ../plugin/src/test/resources/packs/one-graph

It holds the manifest, ``denoiser.onnx`` (one graph, a tiny denoiser) and the golden vectors of the
denoiser and the sampler. Its audio and style sizes are the base pack's, whose encoder graphs the tests
link in beside it (this fixture's own encoders are random and not kept).
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

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


if __name__ == "__main__":
    write_one_graph_pack(Path(sys.argv[1]))
    print(f"wrote {sys.argv[1]}")
