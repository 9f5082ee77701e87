"""Export: the pack follows docs/model-pack.md, is reproducible, and its golden vectors hold."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch

from parley.layout import MOTION_LAYOUT
from parley.model import ort_java
from parley.model.audio import make_gate
from parley.model.config import BASE, TINY, config_from_dict
from parley.model.export import (AUDIO_MEMORY, DEFAULT_GUIDANCE, DEFAULT_STEPS, audio_memory_shape, export_onnx,
                                  export_pack, load_distilled_weights, load_pack_weights, load_stream_weights,
                                  main as export_main, round_weights_to_half)
from parley.model.fixtures import write_one_graph_pack
from parley.model.network import build_model
from parley.model.sampler import ddim_timesteps
from parley.regen import json_file_differences, onnx_differences, raw_float32_difference

PACK = Path(__file__).resolve().parents[1] / "packs" / "parley-base-v1"
GRAPHS = ("audio_encoder.onnx", "audio_memory.onnx", "denoiser.onnx", "style_encoder.onnx")


def _export(folder: Path, cfg=TINY, seed: int = 0) -> Path:
    export_pack(build_model(cfg, seed), folder, folder.name, "0.0.0-untrained", seed=seed)
    return folder


@pytest.fixture(scope="module")
def tiny_pack(tmp_path_factory) -> Path:
    return _export(tmp_path_factory.mktemp("packs") / "tiny")


def _golden(pack: Path):
    index = json.loads((pack / "golden" / "golden.json").read_text())

    def load(name: str) -> np.ndarray:
        t = index["tensors"][name]
        return np.fromfile(pack / "golden" / t["file"], dtype="<i8" if t["dtype"] == "int64" else "<f4").reshape(t["shape"])
    return index, load


def _dims(value_info) -> list:
    return [d.dim_param or d.dim_value for d in value_info.type.tensor_type.shape.dim]


def check_contract(pack: Path, cfg) -> dict:
    man = json.loads((pack / "manifest.json").read_text())
    assert man["format"] == "parley-model-pack" and man["version"] == 1
    m = man["motion"]
    assert m["dim"] == 56 and m["fps"] == 25 and len(m["mean"]) == 56 and min(m["std"]) > 0
    assert [(s["name"], s["offset"], s["size"], s.get("joint")) for s in m["layout"]] == \
        [(s.name, s.offset, s.size, s.joint) for s in MOTION_LAYOUT]
    assert man["audio"]["samplesPerFrame"] * m["fps"] == man["audio"]["sampleRate"] == 16000
    ab = np.array(man["diffusion"]["alphasCumprod"])
    assert len(ab) == man["diffusion"]["steps"] == cfg.diffusion.steps
    assert np.array_equal(ab.astype(np.float32), ab)  # float32 values, as Java reads them
    assert (ab > 0).all() and (ab < 1).all() and (np.diff(ab) < 0).all()
    assert man["diffusion"]["prediction"] == "x0" and man["sampling"]["sampler"] == "ddim"
    tw, tp, da, ds = man["window"]["current"], man["window"]["previous"], man["audio"]["featureDim"], man["style"]["dim"]
    expected = {
        "audio_encoder.onnx": ({"pcm": ["B", "S"]}, {"audio_features": ["B", "T", da]}),
        "audio_memory.onnx": ({"audio_features": ["B", tw, da], "audio_mask": ["B"]},
                              {AUDIO_MEMORY: audio_memory_shape(cfg)}),
        "denoiser.onnx": ({"x_t": ["B", tw, 56], "timestep": ["B"], "prev_motion": ["B", tp, 56], "first_window": ["B"],
                           AUDIO_MEMORY: audio_memory_shape(cfg), "style": ["B", ds], "style_mask": ["B"],
                           "shape": ["B", 100]}, {"x0": ["B", tw, 56]}),
        "style_encoder.onnx": ({"motion": ["B", man["style"]["frames"], 56]}, {"style": ["B", ds]}),
    }
    if "distilledDenoiser" in man["models"]:  # the distilled student: the denoiser's own two graphs
        expected[man["models"]["distilledDenoiser"]] = expected["denoiser.onnx"]
        expected[man["models"]["distilledAudioMemory"]] = expected["audio_memory.onnx"]
        d = man["sampling"]["distilled"]
        assert d["guidance"] == "folded" and d["timesteps"] == ddim_timesteps(cfg.diffusion.steps, d["steps"])
    if "stream" in man:  # the streaming model: the same graphs on windows of stream.window frames
        st = man["stream"]
        k = st["window"]
        assert k == st["hop"] + st["lookahead"] and st["context"] >= 0 and st["steps"] >= 1
        memory = audio_memory_shape(replace(cfg, window=k))
        expected[man["models"]["streamAudioEncoder"]] = expected["audio_encoder.onnx"]
        expected[man["models"]["streamAudioMemory"]] = ({"audio_features": ["B", k, da], "audio_mask": ["B"]},
                                                        {AUDIO_MEMORY: memory})
        expected[man["models"]["streamDenoiser"]] = (
            {**expected["denoiser.onnx"][0], "x_t": ["B", k, 56], AUDIO_MEMORY: memory}, {"x0": ["B", k, 56]})
    assert sorted(man["models"].values()) == sorted(expected)
    shape = audio_memory_shape(cfg)
    assert [man["audioMemory"]["layers"], man["audioMemory"]["width"]] == [shape[1], shape[4]]
    for name, (inputs, outputs) in expected.items():
        graph = onnx.load(str(pack / name))
        onnx.checker.check_model(graph, full_check=True)
        assert 14 <= graph.opset_import[0].version <= 17
        assert {i.name: _dims(i) for i in graph.graph.input} == inputs
        assert {o.name: _dims(o) for o in graph.graph.output} == outputs
        ts = {i.name: i.type.tensor_type.elem_type for i in graph.graph.input}
        assert ts.pop("timestep", onnx.TensorProto.INT64) == onnx.TensorProto.INT64
        assert set(ts.values()) == {onnx.TensorProto.FLOAT}
    return man


def test_tiny_pack_follows_the_contract(tiny_pack):
    check_contract(tiny_pack, TINY)


def test_export_is_byte_reproducible(tiny_pack, tmp_path):
    again = _export(tmp_path / "tiny")
    files = sorted(p.relative_to(tiny_pack) for p in tiny_pack.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for f in files:
        assert (tiny_pack / f).read_bytes() == (again / f).read_bytes(), f


def test_golden_vectors_reproduce_in_pytorch(tiny_pack):
    index, load = _golden(tiny_pack)
    for name, t in index["tensors"].items():
        assert (tiny_pack / "golden" / t["file"]).stat().st_size == int(np.prod(t["shape"])) * (8 if t["dtype"] == "int64" else 4)
    model = build_model(TINY, 0).eval()
    round_weights_to_half(model)
    nets = {"audioEncoder": model.audio, "styleEncoder": model.style, "denoiser": model.denoiser.two_graphs}
    with torch.no_grad():
        for key, net in nets.items():
            for case in index[key]:
                out = net(**{k: torch.from_numpy(load(v)) for k, v in case["inputs"].items()})
                (ref,) = case["outputs"].values()
                assert torch.equal(out, torch.from_numpy(load(ref))), key
    run = index["ddim"][0]
    assert run["timesteps"] == [TINY.diffusion.steps - 1, TINY.diffusion.steps // 2 - 1]
    assert run["guidanceRescale"] == DEFAULT_GUIDANCE["rescale"]
    assert index["ddim"][1]["guidanceRescale"] == 0.7  # the second run continues a line with a rescale
    for run in index["ddim"]:
        branches = load(run["firstStepBranches"])
        wa, ws, phi = run["audioScale"], run["styleScale"], run["guidanceRescale"]
        x0 = branches[:, 0] + wa * (branches[:, 1] - branches[:, 0]) + ws * (branches[:, 2] - branches[:, 1])
        if phi > 0:
            mu = x0.mean(1, keepdims=True)
            gain = phi * branches[:, 2].std(1, ddof=1, keepdims=True) / x0.std(1, ddof=1, keepdims=True) + 1 - phi
            x0 = mu + (x0 - mu) * gain
        np.testing.assert_allclose(load(run["firstStepX0"]), x0, atol=1e-5)


@pytest.mark.skipif(ort_java.find_jar() is None, reason="needs java and the ONNX Runtime jar in ~/.m2")
def test_onnx_runtime_matches_pytorch(tiny_pack):
    index, load = _golden(tiny_pack)
    for key, graph in (("audioEncoder", "audio_encoder.onnx"), ("styleEncoder", "style_encoder.onnx"),
                       ("denoiser", "denoiser.onnx")):
        for case in index[key]:
            inputs = {k: load(v) for k, v in case["inputs"].items()}
            if key == "denoiser":  # the audio memory graph first, as the runtime runs them
                memory, _ = ort_java.run(tiny_pack / "audio_memory.onnx",
                                         {k: inputs.pop(k) for k in ("audio_features", "audio_mask")})
                inputs[AUDIO_MEMORY] = memory[AUDIO_MEMORY]
            outputs, _ = ort_java.run(tiny_pack / graph, inputs)
            for name, ref in case["outputs"].items():
                assert np.abs(outputs[name] - load(ref)).max() < index["tolerance"]["network"], (key, name)


@pytest.mark.parametrize("cfg", [TINY, BASE], ids=["tiny", "base"])
def test_two_denoiser_graphs_compute_the_one_graph_model(cfg):
    """The audio memory once per window and the step on it give the one-graph denoiser's x0: every mask
    combination, first windows or not, the null audio row's memory the same whatever features it is given."""
    model = build_model(cfg, 3).eval()
    g = torch.Generator().manual_seed(5)
    b, m = 4, cfg.motion_dim
    inputs = {"x_t": torch.randn(b, cfg.window, m, generator=g), "timestep": torch.tensor([0, 1, 17, 49]),
              "prev_motion": torch.randn(b, cfg.previous, m, generator=g),
              "first_window": torch.tensor([1.0, 0.0, 0.0, 1.0]),
              "audio_features": torch.randn(b, cfg.window, cfg.audio.width, generator=g),
              "audio_mask": torch.tensor([0.0, 1.0, 1.0, 0.0]), "style": torch.randn(b, cfg.style.dim, generator=g),
              "style_mask": torch.tensor([0.0, 0.0, 1.0, 1.0]), "shape": torch.randn(b, cfg.shape_dim, generator=g)}
    with torch.no_grad():
        one = model.denoiser(**inputs)
        two = model.denoiser.two_graphs(**inputs)
        memory = model.denoiser.audio_memory(inputs["audio_features"], inputs["audio_mask"])
        alone = [model.denoiser.audio_memory(inputs["audio_features"][i:i + 1], inputs["audio_mask"][i:i + 1])
                 for i in (0, 3)]
    assert list(memory.shape) == [b, *audio_memory_shape(cfg)[1:]]
    assert torch.equal(alone[0], alone[1])  # the null row: constant per pack, whatever features it is given
    # In one batch, equal rows at other positions can take other GEMM kernel paths (1 ulp apart on some CPUs)
    assert float((memory[0] - memory[3]).abs().max()) <= 1e-6 * float(memory.abs().max())
    assert float((one - two).abs().max()) < 1e-5
    assert float((one[1] - one[2]).abs().max()) > 1e-3  # the rows differ: the check is not vacuous


def test_a_pack_before_1_4_is_re_exported_with_two_denoiser_graphs(tmp_path):
    """A one-graph pack (as every pack before 1.4.0) is read back and written with the two graphs, the
    same weights: the same golden vectors as the pack exported directly."""
    model = build_model(TINY, 4)
    direct = tmp_path / "direct"
    export_pack(model, direct, "old", "0.9.0", seed=4)
    old = tmp_path / "old"
    export_pack(model, old, "old", "0.9.0", seed=4)
    (old / "audio_memory.onnx").unlink()
    export_onnx(model, old, one_graph=True)
    man = json.loads((old / "manifest.json").read_text())
    del man["models"]["audioMemory"], man["audioMemory"]
    (old / "manifest.json").write_text(json.dumps(man, indent=1) + "\n")
    new = tmp_path / "new"
    assert export_main(["--from-pack", str(old), "--out", str(new), "--pack-version", "1.4.0"]) == 0
    check_contract(new, TINY)
    assert json.loads((new / "manifest.json").read_text())["packVersion"] == "1.4.0"
    for f in sorted(p.relative_to(direct) for p in (direct / "golden").iterdir()):
        assert raw_float32_difference(direct / f, new / f, atol=1e-6) is None, f


def test_committed_base_pack_is_current(tmp_path):
    """The pack in the repository is what this code exports. A trained pack cannot be retrained in CI,
    so its weights are read back from its own ONNX graphs into the PyTorch model, and exporting that
    model must reproduce every file (graphs, manifest, golden vectors): the graphs, the manifest and
    the golden vectors agree with each other and with this code. An untrained pack is regenerated
    from its seed. If this fails, re-export the pack (docs/model-card.md, "Reproducing the pack")."""
    man = check_contract(PACK, BASE)
    arch = man["architecture"]
    # The networks are BASE's; the training recipe (config "train") may be a later phase's (model card), and
    # the silence gate in front of the encoder (1.7.0 on) is the pack's, in its manifest as in its config.
    gate_fields = ("gate_db", "gate_floor_dbfs")

    def networks(config: dict) -> dict:
        return {k: ({f: x for f, x in v.items() if f not in gate_fields} if k == "audio" else v)
                for k, v in config.items() if k != "train"}
    assert networks(arch["config"]) == networks(BASE.to_dict())
    gate = make_gate(config_from_dict(arch["config"]).audio)
    assert man["audio"].get("gate") == (gate.manifest() if gate is not None else None)
    assert sum(p.stat().st_size for p in PACK.rglob("*") if p.is_file()) < 30_000_000
    # About 0.9 MB for the three networks and the DDIM runs, 0.2 MB more for a distilled student and its runs,
    # 0.07 MB for a streamed line, 0.06 MB for the silence gate's quiet-tail case.
    assert sum(p.stat().st_size for p in (PACK / "golden").iterdir()) < 1_250_000
    out = tmp_path / "parley-base-v1"
    skip = ()
    if arch["trained"]:
        assert man["packVersion"] != "0.0.0-untrained" and float(np.max(man["motion"]["std"])) > 1e-3
        metrics = json.loads((PACK / "metrics.json").read_text())
        assert metrics["trained"] and {"test", "heldout"} <= set(metrics["splits"])
        model, mean, std, _ = load_pack_weights(PACK, tmp_path / "probe")
        student = load_distilled_weights(PACK, tmp_path / "probe", model)  # None for a pack without one
        stream = load_stream_weights(PACK, tmp_path / "probe", model)  # None for a pack without one
        export_pack(model, out, man["id"], man["packVersion"], mean, std, arch["seed"], trained=True,
                    training=arch.get("training"), guidance=man["sampling"]["guidance"], student=student,
                    distilled=man["sampling"].get("distilled"), stream=stream,
                    stream_training=man.get("stream", {}).get("training"),
                    stream_steps=man.get("stream", {}).get("steps", DEFAULT_STEPS))
        skip = ("metrics.json",)  # written by python3 -m parley evaluate
    else:
        assert man["packVersion"] == "0.0.0-untrained"
        assert export_main(["--config", "base", "--seed", "0", "--untrained", "--out", str(out)]) == 0
    # golden/adapter is not the exporter's: python3 -m parley.model.adapter golden writes it, and
    # test_adapter's test_the_java_runtimes_adapted_golden_is_current checks it against the pack.
    assert_same_files(PACK, out, skip, "regenerate the pack", others=("golden/adapter",))


def assert_same_files(committed: Path, out: Path, skip: tuple[str, ...], fix: str,
                      others: tuple[str, ...] = ()) -> None:
    """The same files, their numbers equal to float rounding (CPUs differ in the last bits); ``others``:
    folders of ``committed`` that another command writes (not compared here)."""
    def files(root: Path) -> list[Path]:
        return sorted(p.relative_to(root) for p in root.rglob("*")
                      if not any(p.relative_to(root).is_relative_to(o) for o in others))
    assert files(committed) == files(out)
    for f in [f for f in files(committed) if (committed / f).is_file()]:
        if str(f) in skip:
            continue
        # Checksums follow the bytes.
        if f.suffix == ".onnx":
            diffs = onnx_differences(committed / f, out / f, atol=1e-6)
        elif f.suffix == ".json":
            diffs = json_file_differences(committed / f, out / f, atol=1e-5, skip=("checksums",))
        else:
            diffs = [d for d in [raw_float32_difference(committed / f, out / f, atol=1e-4)] if d]
        assert diffs == [], f"{f} differs, {fix}: {diffs[:3]}"


def test_one_graph_fixture_is_current(tmp_path):
    """The runtime's one-graph pack fixture (packs before 1.4.0) is what this code exports."""
    committed = Path(__file__).resolve().parents[2] / "plugin/src/test/resources/packs/one-graph"
    write_one_graph_pack(tmp_path / "one-graph")
    assert "audioMemory" not in json.loads((committed / "manifest.json").read_text())["models"]
    assert_same_files(committed, tmp_path / "one-graph", (),
                      "regenerate it: python3 -m parley.model.fixtures ../plugin/src/test/resources/packs/one-graph")
