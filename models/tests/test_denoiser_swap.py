"""``export --from-pack PACK --denoiser CHECKPOINT``: a denoiser trained on from a pack with its encoders frozen
replaces the pack's, and everything that reads the encoders' features (student, stream graphs, pose adapters)
stays as it was; a checkpoint whose encoders moved is refused (docs/model-card.md, pack 1.8.0)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from parley.model.config import TINY
from parley.model.export import export_pack, main as export_main
from parley.model.network import build_model
from parley.model.train import main as train_main

ENCODERS = ("audio_encoder.onnx", "style_encoder.onnx")
DENOISER = ("audio_memory.onnx", "denoiser.onnx")


@pytest.fixture(scope="module")
def trained_on(tmp_path_factory) -> tuple[Path, Path, Path]:
    """A tiny trained pack and two checkpoints trained on from it: encoders frozen, and not."""
    root = tmp_path_factory.mktemp("swap")
    pack = root / "pack"
    export_pack(build_model(TINY, 3), pack, "p", "1.0.0", seed=3, trained=True)
    (pack / "metrics.json").write_text(json.dumps({"trained": True, "splits": {"heldout": {}}}))
    runs = []
    for run, extra in (("frozen", ["--freeze-audio"]), ("moved", [])):
        assert train_main(["--config", "tiny", "--synthetic", "2", "--init-pack", str(pack), "--steps", "2",
                           "--lr", "1e-2", "--seed", "5", "--out", str(root / run), *extra]) == 0
        runs.append(root / run / "last.pt")
    return pack, runs[0], runs[1]


def test_the_denoiser_is_replaced_and_the_encoders_are_kept(trained_on, tmp_path):
    pack, frozen, _ = trained_on
    out = tmp_path / "new"
    assert export_main(["--from-pack", str(pack), "--denoiser", str(frozen), "--out", str(out),
                        "--pack-version", "1.1.0"]) == 0
    for graph in ENCODERS:
        assert (out / graph).read_bytes() == (pack / graph).read_bytes(), graph
    for graph in DENOISER:
        assert (out / graph).read_bytes() != (pack / graph).read_bytes(), graph
    man = json.loads((out / "manifest.json").read_text())
    assert man["packVersion"] == "1.1.0"
    assert man["architecture"]["training"]["phases"][-1]["freeze_audio"] is True
    assert man["architecture"]["training"]["steps"] == 2
    assert "splits" not in json.loads((out / "metrics.json").read_text())  # new weights: evaluate again


def test_a_checkpoint_whose_audio_encoder_moved_is_refused(trained_on, tmp_path):
    pack, _, moved = trained_on
    with pytest.raises(ValueError, match=r"moved/last.pt: its audio encoder is not the pack's .* --freeze-audio"):
        export_main(["--from-pack", str(pack), "--denoiser", str(moved), "--out", str(tmp_path / "x")])
    assert not (tmp_path / "x").exists()


def test_a_checkpoint_with_another_gate_is_refused(trained_on, tmp_path):
    pack, frozen, _ = trained_on
    with pytest.raises(ValueError, match="trained with a 0 dB silence gate, but the pack's is 25 dB"):
        export_main(["--from-pack", str(pack), "--denoiser", str(frozen), "--audio-gate", "25", "--out",
                     str(tmp_path / "x")])
    with pytest.raises(SystemExit):
        export_main(["--checkpoint", str(frozen), "--denoiser", str(frozen), "--out", str(tmp_path / "y")])
