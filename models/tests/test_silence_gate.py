"""The silence gate (pack 1.7.0 on): what it keeps, that the graphs stay ungated, and that the manifest
carries it to the runtime (docs/model-pack.md, ``audio.gate``)."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from parley.model import ort_java
from parley.model.audio import SilenceGate, set_gate
from parley.model.config import TINY
from parley.model.export import export_pack, load_pack_weights, main as export_main
from parley.model.network import build_model

from test_model_export import _golden

BLOCK = 160


def tone_in_noise() -> np.ndarray:
    """20 blocks of noise 60 dB down, 10 blocks of a loud tone, 30 blocks of the noise again."""
    i = np.arange(60 * BLOCK)
    noise = 3e-4 * np.random.default_rng(3).standard_normal(len(i))
    tone = 0.5 * np.sin(2 * np.pi * 220 * i / 16000)
    return np.where((i >= 20 * BLOCK) & (i < 30 * BLOCK), tone, noise).astype(np.float32)


def test_the_noise_around_a_line_is_silenced_and_the_line_is_not():
    gate = SilenceGate(30.0, -20.0, BLOCK)
    pcm = torch.from_numpy(tone_in_noise())[None]
    gains = gate.gains(pcm)[0].numpy()
    # kept: the tone (blocks 20-29), 2 blocks before it and 5 after; the 3-block average softens each edge
    expected = np.zeros(60, np.float32)
    expected[18:35] = 1.0
    expected[[17, 35]], expected[[18, 34]] = 1 / 3, 2 / 3
    np.testing.assert_array_equal(gains, expected)
    out = gate(pcm)[0].numpy()
    np.testing.assert_array_equal(out, pcm[0].numpy() * np.repeat(expected, BLOCK))


def test_a_window_of_noise_alone_is_silenced_by_the_floor():
    gate = SilenceGate(30.0, -20.0, BLOCK)
    noise = torch.from_numpy((1e-3 * np.random.default_rng(5).standard_normal((2, 20 * BLOCK))).astype(np.float32))
    noise[1] *= 100  # -20 dBFS: its own reference, kept whole
    out = gate(noise)
    assert float(out[0].abs().max()) == 0.0
    assert torch.equal(out[1], noise[1])


def test_bad_gate_settings_are_refused():
    for args in ((0.0, -20.0, BLOCK), (30.0, -20.0, 0)):
        with pytest.raises(ValueError, match="gate needs"):
            SilenceGate(*args)
    with pytest.raises(ValueError, match="gate_db must be >= 0"):
        set_gate(build_model(TINY, 0), -1.0)


def test_the_gate_is_in_the_manifest_not_in_the_graph(tmp_path):
    """The same weights gated and not: byte-identical graphs (assets checked against the encoder's SHA-256 still
    fit), the gate only in the manifest, and reading the pack back gives the gated model again."""
    plain = build_model(TINY, 2)
    gated = build_model(TINY, 2)
    set_gate(gated, 30.0)
    export_pack(plain, tmp_path / "plain", "p", "0.0.0-untrained", seed=2)
    export_pack(gated, tmp_path / "gated", "p", "0.0.0-untrained", seed=2)
    for graph in ("audio_encoder.onnx", "audio_memory.onnx", "denoiser.onnx", "style_encoder.onnx"):
        assert (tmp_path / "plain" / graph).read_bytes() == (tmp_path / "gated" / graph).read_bytes(), graph
    man = json.loads((tmp_path / "gated" / "manifest.json").read_text())
    assert "gate" not in json.loads((tmp_path / "plain" / "manifest.json").read_text())["audio"]
    assert man["audio"]["gate"] == {"belowPeakDb": 30.0, "floorDbfs": -20.0, "blockSamples": 160, "holdBlocks": 5,
                                    "leadBlocks": 2}
    back, *_ = load_pack_weights(tmp_path / "gated", tmp_path / "work")
    assert back.cfg.audio.gate_db == 30.0 and back.audio.gate is not None
    index, load = _golden(tmp_path / "gated")
    assert [c["inputs"]["pcm"] for c in index["audioEncoder"]] == ["pcm", "pcm_short", "pcm_quiet_tail"]


def test_re_exporting_a_pack_with_a_gate_drops_its_evaluation(tmp_path):
    model = build_model(TINY, 4)
    export_pack(model, tmp_path / "old", "old", "1.0.0", seed=4, trained=True)
    (tmp_path / "old" / "metrics.json").write_text(json.dumps({"trained": True, "splits": {"heldout": {}}}))
    assert export_main(["--from-pack", str(tmp_path / "old"), "--out", str(tmp_path / "new"), "--audio-gate", "30",
                        "--pack-version", "1.1.0"]) == 0
    man = json.loads((tmp_path / "new" / "manifest.json").read_text())
    assert man["packVersion"] == "1.1.0" and man["audio"]["gate"]["belowPeakDb"] == 30.0
    assert "splits" not in json.loads((tmp_path / "new" / "metrics.json").read_text())  # evaluate again
    with pytest.raises(SystemExit):
        export_main(["--untrained", "--out", str(tmp_path / "x"), "--audio-gate", "30"])


@pytest.mark.skipif(ort_java.find_jar() is None, reason="needs java and the ONNX Runtime jar in ~/.m2")
def test_onnx_runtime_on_gated_pcm_matches_pytorch(tmp_path):
    """The graph run on the PCM gated first (as the runtime does) gives the golden features; on the PCM as it
    came, the quiet tail's features are off: the golden case does test the gate."""
    model = build_model(TINY, 6)
    set_gate(model, 30.0)
    pack = tmp_path / "gated"
    export_pack(model, pack, "g", "0.0.0-untrained", seed=6)
    index, load = _golden(pack)
    for case in index["audioEncoder"]:
        pcm = load(case["inputs"]["pcm"])
        want = load(case["outputs"]["audio_features"])
        with torch.no_grad():
            gated = model.audio.gate(torch.from_numpy(pcm)).numpy()
        out, _ = ort_java.run(pack / "audio_encoder.onnx", {"pcm": gated})
        assert np.abs(out["audio_features"] - want).max() < index["tolerance"]["network"], case["inputs"]["pcm"]
        if case["inputs"]["pcm"] == "pcm_quiet_tail":
            raw, _ = ort_java.run(pack / "audio_encoder.onnx", {"pcm": pcm})
            assert np.abs(raw["audio_features"] - want).max() > 10 * index["tolerance"]["network"]
