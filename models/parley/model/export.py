"""Export a model pack (docs/model-pack.md): three ONNX graphs, manifest.json, metrics.json, golden/.

    python3 -m parley export --config base --seed 0 --untrained --out packs/parley-base-v1
    python3 -m parley export --checkpoint runs/base/last.pt --out packs/parley-base-v1
    python3 -m parley export --from-pack packs/parley-base-v1 --out packs/parley-base-v1 --pack-version 1.4.0

The golden vectors come from PyTorch (there is no ONNX runtime in the Python environment): the Java
side runs the ONNX graphs with ONNX Runtime and checks parity against them.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import json
import math
import sys
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import onnx
from onnx import helper, numpy_helper
import torch
from torch import nn

from parley.layout import SAMPLE_RATE, SAMPLES_PER_FRAME, layout_json

from .audio import gate_off, make_gate
from .config import ModelConfig, get_config
from .diffusion import Schedule
from .network import ParleyModel, build_model
from .sampler import Conditions, ddim_sample, ddim_timesteps, folded_sample

OPSET = 17
# The graphs' tensor names (docs/model-pack.md). Since pack 1.4.0 the denoiser is two graphs: the audio memory
# (once per window) and the step (once per step), which reads the memory's keys and values.
AUDIO_MEMORY_INPUTS = ("audio_features", "audio_mask")
AUDIO_MEMORY = "audio_memory"  # [B, layers, 3 (keys, values, projected values), Tw, width]
DENOISER_INPUTS = ("x_t", "timestep", "prev_motion", "first_window", AUDIO_MEMORY, "style", "style_mask", "shape")
# The one-graph denoiser of packs before 1.4.0 (still read by load_pack_weights, and how training runs it).
ONE_GRAPH_DENOISER_INPUTS = ("x_t", "timestep", "prev_motion", "first_window", *AUDIO_MEMORY_INPUTS,
                             "style", "style_mask", "shape")
SPLIT_SINCE = "1.4.0"  # the first packVersion of parley-base-v1 with the two denoiser graphs
DEFAULT_STEPS = 10
DEFAULT_GUIDANCE = {"audio": 1.5, "style": 1.5, "rescale": 0.0}  # chosen on val (docs/model-card.md)
UNTRAINED_VERSION = "0.0.0-untrained"
# A distilled student (parley.model.distil): the denoiser's two graphs again, with the student's weights.
DISTILLED_FILES = {"distilledAudioMemory": "audio_memory_distilled.onnx",
                   "distilledDenoiser": "denoiser_distilled.onnx"}
# A streaming model (parley.model.stream): the audio encoder and the denoiser's two graphs for short windows.
STREAM_FILES = {"streamAudioEncoder": "stream_audio_encoder.onnx", "streamAudioMemory": "stream_audio_memory.onnx",
                "streamDenoiser": "stream_denoiser.onnx"}
_STREAM_SOURCES = {"streamAudioEncoder": "audioEncoder", "streamAudioMemory": "audioMemory",
                   "streamDenoiser": "denoiser"}


class _AudioMemoryGraph(nn.Module):
    """The exported audio memory: the denoiser's per-window work on the audio."""

    def __init__(self, model: ParleyModel):
        super().__init__()
        self.denoiser = model.denoiser

    def forward(self, audio_features: torch.Tensor, audio_mask: torch.Tensor) -> torch.Tensor:
        return self.denoiser.audio_memory(audio_features, audio_mask)


class _StepGraph(nn.Module):
    """The exported denoiser step on a window's audio memory."""

    def __init__(self, model: ParleyModel):
        super().__init__()
        self.denoiser = model.denoiser

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        return self.denoiser.step(*inputs)


class _AudioGraph(nn.Module):
    """The exported audio encoder: features only (the phone head is for training)."""

    def __init__(self, model: ParleyModel):
        super().__init__()
        self.audio = model.audio

    def forward(self, pcm: torch.Tensor) -> torch.Tensor:
        with gate_off(self.audio):
            return self.audio(pcm)


def _example_inputs(cfg: ModelConfig, batch: int = 3) -> dict[str, tuple[torch.Tensor, ...]]:
    g = torch.Generator().manual_seed(1234)
    m, tw, tp = cfg.motion_dim, cfg.window, cfg.previous
    den = (torch.randn(batch, tw, m, generator=g), torch.full((batch,), 7, dtype=torch.int64),
           torch.randn(batch, tp, m, generator=g), torch.zeros(batch), torch.randn(batch, tw, cfg.audio.width, generator=g),
           torch.ones(batch), torch.randn(batch, cfg.style.dim, generator=g), torch.ones(batch),
           torch.randn(batch, cfg.shape_dim, generator=g))
    return {
        "audio": (torch.randn(batch, tw * SAMPLES_PER_FRAME, generator=g) * 0.1,),
        "denoiser": den,
        "style": (torch.randn(batch, cfg.style.frames, m, generator=g),),
    }


HALF_MIN_SIZE = 1024  # tensors smaller than this stay float32 (they weigh nothing)


@torch.no_grad()
def round_weights_to_half(model: nn.Module) -> None:
    """Rounds every large float tensor (parameters and buffers) to the nearest float16 value, in place.

    The pack then stores those tensors as float16 (half the size) and casts them back to float32 in
    the graph: lossless, because the values are float16-exact, so PyTorch and ONNX still agree.
    """
    for t in list(model.parameters()) + list(model.buffers()):
        if t.dtype == torch.float32 and t.numel() >= HALF_MIN_SIZE and bool((t.abs() < 65504).all()):
            t.copy_(t.half().float())


def _store_half(model: onnx.ModelProto) -> None:
    """Stores float16-exact float32 initializers as float16 followed by a Cast to float32.

    ONNX Runtime folds the Casts when it loads the session, so inference runs in float32 at no cost.
    """
    casts = []
    for init in model.graph.initializer:
        if init.data_type != onnx.TensorProto.FLOAT:
            continue
        arr = numpy_helper.to_array(init)
        half = arr.astype(np.float16)
        if arr.size < HALF_MIN_SIZE or not np.array_equal(half.astype(np.float32), arr):
            continue
        name = init.name
        init.CopyFrom(numpy_helper.from_array(half, f"{name}__f16"))
        casts.append(helper.make_node("Cast", [f"{name}__f16"], [name], name=f"{name}__cast",
                                           to=onnx.TensorProto.FLOAT))
    nodes = casts + list(model.graph.node)
    del model.graph.node[:]
    model.graph.node.extend(nodes)


def _clean(path: Path, half: bool, outputs: dict[str, list[int | str]]) -> None:
    """Drop per-node doc strings (source locations) so the file depends on weights and graph only;
    declare the outputs' shapes as the contract states them (the exporter leaves some symbolic);
    optionally store weights as float16."""
    model = onnx.load(str(path))
    for out in model.graph.output:
        for dim, want in zip(out.type.tensor_type.shape.dim, outputs[out.name]):
            if isinstance(want, str):
                dim.dim_param = want
            else:
                dim.dim_value = want
    for node in model.graph.node:
        node.doc_string = ""
    model.doc_string = ""
    if half:
        _store_half(model)
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, str(path))


def audio_memory_shape(cfg: ModelConfig) -> list[int | str]:
    """The shape of ``audio_memory``: [B, layers, 3 (keys, values, projected values), Tw, denoiser width]."""
    return ["B", cfg.denoiser.layers, 3, cfg.window, cfg.denoiser.width]


def export_onnx(model: ParleyModel, out: Path, opset: int = OPSET, half: bool = True,
                one_graph: bool = False, student: nn.Module | None = None) -> dict[str, Path]:
    """Writes audio_encoder.onnx, audio_memory.onnx, denoiser.onnx, style_encoder.onnx into ``out``; checks
    each graph. ``one_graph`` writes the one-graph denoiser of packs before 1.4.0 instead of the two. A
    distilled ``student`` denoiser (parley.model.distil) adds its two graphs (DISTILLED_FILES): the
    denoiser's, with the student's weights.

    With ``half``, call round_weights_to_half(model) (and on the student) first so that the weights are
    stored losslessly.
    """
    model = model.eval()
    cfg = model.cfg
    ex = _example_inputs(cfg)
    out.mkdir(parents=True, exist_ok=True)
    files = {"audioEncoder": out / "audio_encoder.onnx", "denoiser": out / "denoiser.onnx",
             "styleEncoder": out / "style_encoder.onnx"}
    if not one_graph:
        files["audioMemory"] = out / "audio_memory.onnx"
    denoisers = {("audioMemory", "denoiser"): model}
    if student is not None:
        if one_graph:
            raise ValueError("a distilled student needs the two denoiser graphs (packs 1.4.0 on)")
        files.update({key: out / name for key, name in DISTILLED_FILES.items()})
        # The graph wrappers read only ``.denoiser``.
        denoisers[tuple(DISTILLED_FILES)] = SimpleNamespace(denoiser=student.eval())
    batch = {0: "B"}
    den_inputs = ex["denoiser"]
    with torch.no_grad(), warnings.catch_warnings():
        # torch 1.13 warns about Slice folding and prim::Constant shape inference; both are harmless.
        warnings.simplefilter("ignore", UserWarning)
        torch.onnx.export(_AudioGraph(model), ex["audio"], str(files["audioEncoder"]), opset_version=opset,
                          input_names=["pcm"], output_names=["audio_features"], do_constant_folding=True,
                          dynamic_axes={"pcm": {0: "B", 1: "S"}, "audio_features": {0: "B", 1: "T"}})
        if one_graph:
            torch.onnx.export(model.denoiser, den_inputs, str(files["denoiser"]), opset_version=opset,
                              input_names=list(ONE_GRAPH_DENOISER_INPUTS), output_names=["x0"],
                              do_constant_folding=True,
                              dynamic_axes={**{n: batch for n in ONE_GRAPH_DENOISER_INPUTS}, "x0": batch})
        else:
            memory_in = den_inputs[4:6]
            for (memory_key, step_key), net in denoisers.items():
                torch.onnx.export(_AudioMemoryGraph(net), memory_in, str(files[memory_key]), opset_version=opset,
                                  input_names=list(AUDIO_MEMORY_INPUTS), output_names=[AUDIO_MEMORY],
                                  do_constant_folding=True,
                                  dynamic_axes={**{n: batch for n in AUDIO_MEMORY_INPUTS}, AUDIO_MEMORY: batch})
                step_in = (*den_inputs[:4], net.denoiser.audio_memory(*memory_in), *den_inputs[6:])
                torch.onnx.export(_StepGraph(net), step_in, str(files[step_key]), opset_version=opset,
                                  input_names=list(DENOISER_INPUTS), output_names=["x0"], do_constant_folding=True,
                                  dynamic_axes={**{n: batch for n in DENOISER_INPUTS}, "x0": batch})
        torch.onnx.export(model.style, ex["style"], str(files["styleEncoder"]), opset_version=opset,
                          input_names=["motion"], output_names=["style"], do_constant_folding=True,
                          dynamic_axes={"motion": batch, "style": batch})
    shapes = {"audioEncoder": {"audio_features": ["B", "T", cfg.audio.width]},
              "denoiser": {"x0": ["B", cfg.window, cfg.motion_dim]},
              "styleEncoder": {"style": ["B", cfg.style.dim]},
              "audioMemory": {AUDIO_MEMORY: audio_memory_shape(cfg)}}
    shapes.update({"distilledDenoiser": shapes["denoiser"], "distilledAudioMemory": shapes["audioMemory"]})
    for key, path in files.items():
        _clean(path, half, shapes[key])
    return files


def export_stream_graphs(stream: ParleyModel, out: Path, half: bool = True) -> dict[str, Path]:
    """Writes a streaming model's graphs (STREAM_FILES) into ``out``: the pack's audio encoder, audio
    memory and denoiser step graphs, with the streaming weights and window."""
    import shutil
    import tempfile
    with tempfile.TemporaryDirectory(prefix="parley-stream-") as tmp:
        files = export_onnx(stream, Path(tmp), half=half)
        for key, name in STREAM_FILES.items():
            shutil.copyfile(files[_STREAM_SOURCES[key]], out / name)
    return {key: out / name for key, name in STREAM_FILES.items()}


def stream_section(stream: ParleyModel, steps: int, training: dict | None = None) -> dict:
    """The manifest's ``stream``: the window a stream is cut into and what the runtime keeps of it
    (parley.model.stream.StreamConfig); sampled with the pack's guided DDIM for ``steps`` steps."""
    sc = stream.stream
    return {"hop": sc.hop, "lookahead": sc.lookahead, "context": sc.context, "window": sc.window,
            "steps": steps, **({"training": training} if training else {})}


def manifest(cfg: ModelConfig, schedule: Schedule, pack_id: str, pack_version: str, mean: np.ndarray,
             std: np.ndarray, extra: dict | None = None, guidance: dict | None = None,
             one_graph: bool = False, distilled: dict | None = None, stream: dict | None = None) -> dict:
    man = {
        "format": "parley-model-pack", "version": 1,
        "id": pack_id, "packVersion": pack_version,
        "head": {"name": "ParleyHead", "spec": "ParleyHead.spec.json"},
        "motion": {"dim": cfg.motion_dim, "fps": cfg.fps,
                   "layout": layout_json(),
                   "mean": [float(v) for v in np.asarray(mean, np.float32)],
                   "std": [float(v) for v in np.asarray(std, np.float32)]},
        "audio": {"sampleRate": SAMPLE_RATE, "samplesPerFrame": SAMPLES_PER_FRAME, "featureDim": cfg.audio.width},
        "window": {"current": cfg.window, "previous": cfg.previous},
        "style": {"dim": cfg.style.dim, "frames": cfg.style.frames},
        "shape": {"dim": cfg.shape_dim},
        "diffusion": {"steps": schedule.steps, "schedule": cfg.diffusion.schedule, "prediction": "x0",
                      "alphasCumprod": [float(v) for v in schedule.alphas_cumprod]},
        "sampling": {"sampler": "ddim", "defaultSteps": DEFAULT_STEPS, "eta": 0.0, "guidance": dict(guidance or DEFAULT_GUIDANCE)},
        "audioMemory": {"layers": cfg.denoiser.layers, "width": cfg.denoiser.width},
        "models": {"audioEncoder": "audio_encoder.onnx", "audioMemory": "audio_memory.onnx",
                   "denoiser": "denoiser.onnx", "styleEncoder": "style_encoder.onnx"},
        **(extra or {}),
    }
    if one_graph:  # the layout of packs before 1.4.0
        del man["audioMemory"], man["models"]["audioMemory"]
    gate = make_gate(cfg.audio)
    if gate is not None:  # 1.7.0 on: the runtime gates the PCM before the audio encoder graphs
        man["audio"]["gate"] = gate.manifest()
    if distilled is not None:
        man["sampling"]["distilled"] = dict(distilled)
        man["models"].update(DISTILLED_FILES)
    if stream is not None:
        man["stream"] = dict(stream)
        man["models"].update(STREAM_FILES)
    return man


def distilled_section(steps: int, n: int, default: bool, teacher_steps: int = DEFAULT_STEPS) -> dict:
    """The manifest's ``sampling.distilled``: a guidance-folded student (parley.model.distil) run for
    ``steps`` DDIM steps at the timesteps of ddim_timesteps(N, steps), one row per window and step."""
    return {"steps": steps, "timesteps": ddim_timesteps(n, steps), "guidance": "folded",
            "teacherSteps": teacher_steps, "default": default}


def golden_pcm(samples: int) -> np.ndarray:
    """A deterministic speech-like test signal: a gliding harmonic voice, syllable-rate envelope, some noise."""
    t = np.arange(samples) / SAMPLE_RATE
    f0 = 140 + 30 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / SAMPLE_RATE
    voice = sum(np.sin(k * phase) / k for k in range(1, 12))
    envelope = np.clip(np.sin(2 * np.pi * 3.1 * t), 0, None) ** 2
    noise = np.random.default_rng(7).standard_normal(samples)
    return (0.3 * envelope * voice / 3 + 0.01 * noise).astype(np.float32)


class _Golden:
    def __init__(self, folder: Path):
        self.folder = folder
        self.tensors: dict[str, dict] = {}
        folder.mkdir(parents=True, exist_ok=True)

    def put(self, name: str, value: torch.Tensor | np.ndarray) -> str:
        arr = value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else np.asarray(value)
        dtype = "int64" if arr.dtype.kind in "iu" else "float32"
        arr = np.ascontiguousarray(arr.astype("<i8" if dtype == "int64" else "<f4"))
        (self.folder / f"{name}.bin").write_bytes(arr.tobytes())
        self.tensors[name] = {"file": f"{name}.bin", "dtype": dtype, "shape": list(arr.shape)}
        return name


@torch.no_grad()
def write_golden(model: ParleyModel, schedule: Schedule, folder: Path, seed: int,
                 guidance: dict | None = None, one_graph: bool = False, student: nn.Module | None = None,
                 distilled: dict | None = None, stream: ParleyModel | None = None,
                 stream_steps: int = DEFAULT_STEPS) -> dict:
    """Fixed-seed vectors for the Java parity tests; returns the index written to golden.json. With a
    distilled ``student`` (and its manifest section ``distilled``), also its graphs and sampler runs."""
    model = model.eval()
    # The denoiser as the pack's graphs compute it.
    denoise = model.denoiser if one_graph else model.denoiser.two_graphs
    cfg = model.cfg
    g = torch.Generator().manual_seed(seed)
    gold = _Golden(folder)
    m, tw, tp = cfg.motion_dim, cfg.window, cfg.previous
    spf = SAMPLES_PER_FRAME

    pcm = torch.from_numpy(golden_pcm(tw * spf)).unsqueeze(0)
    features = model.audio(pcm)
    short = pcm[:, : (tw // 5) * spf]
    audio_cases = [{"inputs": {"pcm": gold.put("pcm", pcm)}, "outputs": {"audio_features": gold.put("audio_features", features)}},
                   {"inputs": {"pcm": gold.put("pcm_short", short)},
                    "outputs": {"audio_features": gold.put("audio_features_short", model.audio(short))}}]
    if model.audio.gate is not None:  # speech, then the same 40 dB down: blocks the gate silences
        quiet = short.clone()  # short: the golden folder stays small
        quiet[:, quiet.shape[1] // 2:] *= 1e-2
        audio_cases.append({"inputs": {"pcm": gold.put("pcm_quiet_tail", quiet)},
                            "outputs": {"audio_features": gold.put("audio_features_quiet_tail", model.audio(quiet))}})

    style_motion = torch.randn(1, cfg.style.frames, m, generator=g)
    style = model.style(style_motion)
    style_cases = [{"inputs": {"motion": gold.put("style_motion", style_motion)}, "outputs": {"style": gold.put("style", style)}}]

    shape = torch.randn(1, cfg.shape_dim, generator=g)
    prev = torch.randn(1, tp, m, generator=g)
    noise = torch.randn(1, tw, m, generator=g)
    gold.put("shape", shape), gold.put("prev_motion", prev), gold.put("noise", noise)
    runs = []
    guidance = guidance or DEFAULT_GUIDANCE
    # The pack's guidance, then other scales with a guidance rescale (both paths of the Java sampler).
    for steps, first, wa, ws, phi in ((2, 1.0, guidance["audio"], guidance["style"], guidance.get("rescale", 0.0)),
                                      (5, 0.0, 2.0, 1.25, 0.7)):
        cond = Conditions(prev, torch.tensor([first]), features, style, shape)
        trace: list[dict] = []
        x = ddim_sample(denoise, noise, cond, schedule.alphas_cumprod, steps, wa, ws, trace, rescale=phi)
        name = f"ddim{steps}"
        runs.append({
            "steps": steps, "timesteps": ddim_timesteps(schedule.steps, steps), "audioScale": wa, "styleScale": ws,
            "guidanceRescale": phi,
            "firstWindow": bool(first),
            "inputs": {"noise": "noise", "prev_motion": "prev_motion", "audio_features": "audio_features",
                       "style": "style", "shape": "shape"},
            "firstStepBranches": gold.put(f"{name}_branches", trace[0]["branches"]),
            "firstStepX0": gold.put(f"{name}_x0_step0", trace[0]["x0"]),
            "output": gold.put(f"{name}_output", x),
        })

    # Denoiser alone: three rows covering every mask combination, first window, extreme timesteps.
    b = 3
    den = {
        "x_t": torch.randn(b, tw, m, generator=g), "timestep": torch.tensor([0, schedule.steps // 2, schedule.steps - 1]),
        "prev_motion": torch.randn(b, tp, m, generator=g), "first_window": torch.tensor([1.0, 0.0, 0.0]),
        "audio_features": torch.randn(b, tw, cfg.audio.width, generator=g), "audio_mask": torch.tensor([1.0, 0.0, 1.0]),
        "style": nn.functional.normalize(torch.randn(b, cfg.style.dim, generator=g), dim=-1),
        "style_mask": torch.tensor([0.0, 1.0, 1.0]), "shape": torch.randn(b, cfg.shape_dim, generator=g),
    }
    # Since 1.4.0 both graphs in turn, as the runtime runs them: audio_memory on the audio inputs, the step
    # on the rest.
    x0 = denoise(**den)
    den_inputs = {k: gold.put(f"denoiser_{k}", v) for k, v in den.items()}
    den_cases = [{"inputs": den_inputs, "outputs": {"x0": gold.put("denoiser_x0", x0)}}]
    student_cases, student_runs = [], []
    if student is not None:
        student = student.eval()
        student_cases = [{"inputs": den_inputs, "outputs": {"x0": gold.put("distilled_x0", student.two_graphs(**den))}}]
        # The runtime's distilled path: its step count and timesteps, a first window, then a continuation.
        for first in (1.0, 0.0):
            cond = Conditions(prev, torch.tensor([first]), features, style, shape)
            trace: list[dict] = []
            x = folded_sample(student.two_graphs, noise, cond, schedule.alphas_cumprod, distilled["timesteps"], trace)
            name = f"distilled{distilled['steps']}_{'first' if first else 'next'}"
            student_runs.append({
                "steps": distilled["steps"], "timesteps": list(distilled["timesteps"]), "firstWindow": bool(first),
                "inputs": {"noise": "noise", "prev_motion": "prev_motion", "audio_features": "audio_features",
                           "style": "style", "shape": "shape"},
                "firstStepX0": gold.put(f"{name}_x0_step0", trace[0]["x0"]),
                "output": gold.put(f"{name}_output", x),
            })

    stream_case = _stream_golden(stream, schedule, gold, seed, guidance, stream_steps) if stream is not None else None
    index = {
        "seed": seed,
        "encoding": "each tensor is a raw little-endian file, row-major (C order); dtype float32 or int64",
        "tolerance": {"network": 1e-4, "sampler": 1e-3, **({"distilled": 1e-4} if student is not None else {}),
                      "note": "max absolute difference ONNX Runtime vs these PyTorch values"},
        "tensors": gold.tensors,
        "audioEncoder": audio_cases,
        "styleEncoder": style_cases,
        "denoiser": den_cases,
        "ddim": runs,
        **({"distilledDenoiser": student_cases, "distilled": student_runs} if student is not None else {}),
        **({"stream": stream_case} if stream_case is not None else {}),
    }
    (folder / "golden.json").write_text(json.dumps(index, indent=1) + "\n")
    return index


def _stream_golden(stream: ParleyModel, schedule: Schedule, gold: "_Golden", seed: int, guidance: dict,
                   steps: int) -> dict:
    """A line streamed as the runtime streams it (parley.model.stream.stream_sample), every window's
    inputs and outputs: the Java stream path must reproduce the features within the network tolerance
    and the motion within the sampler's."""
    from .stream import stream_sample
    sc = stream.stream
    frames = 3 * sc.hop + sc.window + 1  # a first window, windows with growing context, a cut last one
    pcm = torch.from_numpy(golden_pcm(frames * SAMPLES_PER_FRAME - SAMPLES_PER_FRAME // 2)).unsqueeze(0)
    g = torch.Generator().manual_seed(seed + 1)
    style = nn.functional.normalize(torch.randn(1, stream.cfg.style.dim, generator=g), dim=-1)
    shape = torch.randn(1, stream.cfg.shape_dim, generator=g)
    trace: list[dict] = []
    wa, ws, phi = guidance["audio"], guidance["style"], guidance.get("rescale", 0.0)
    out = stream_sample(stream.eval(), pcm, frames, style, shape, schedule.alphas_cumprod, steps,
                        (wa, ws, phi), torch.Generator().manual_seed(seed + 2), trace)
    # A window's audio is the line's from frame start - context to start + window (silence past its end).
    windows = [{"start": w["start"], "context": w["context"], "firstWindow": bool(w["first"][0] > 0),
                "features": gold.put(f"stream_w{i}_features", w["features"]),
                "prevMotion": gold.put(f"stream_w{i}_prev", w["prev"]),
                "noise": gold.put(f"stream_w{i}_noise", w["noise"]),
                "x0": gold.put(f"stream_w{i}_x", w["x"])} for i, w in enumerate(trace)]
    return {"hop": sc.hop, "lookahead": sc.lookahead, "context": sc.context, "window": sc.window,
            "steps": steps, "audioScale": wa, "styleScale": ws, "guidanceRescale": phi, "frames": frames,
            "pcm": gold.put("stream_pcm", pcm), "style": gold.put("stream_style", style),
            "shape": gold.put("stream_shape", shape), "windows": windows,
            "output": gold.put("stream_output", out)}


TRAINING_KEYS = ("steps", "style_steps", "schedule_steps", "seed", "data", "train_seconds", "phases")


def _initializers(path: Path) -> dict[str, np.ndarray]:
    """Initializers of a graph by their float32 name (float16-stored ones decoded)."""
    out = {}
    for init in onnx.load(str(path)).graph.initializer:
        arr = numpy_helper.to_array(init)
        name = init.name[: -len("__f16")] if init.name.endswith("__f16") else init.name
        out[name] = arr.astype(np.float32) if arr.dtype == np.float16 else arr
    return out


def is_one_graph(man: dict) -> bool:
    """True for a pack with the one-graph denoiser of packs before 1.4.0 (no audio memory graph)."""
    return "audioMemory" not in man["models"]


def _graphs(one_graph: bool) -> dict[str, str]:
    """A pack's graph files -> the submodule whose parameters they hold."""
    graphs = {"audio_encoder.onnx": "audio", "denoiser.onnx": "denoiser", "style_encoder.onnx": "style"}
    return graphs if one_graph else {**graphs, "audio_memory.onnx": "denoiser"}


def _initializer_pairs(probe: Path, pack: Path) -> dict[str, str]:
    """Probe initializer name -> the pack's initializer feeding the same node input. The graphs have the
    same operators in the same order, but the exporter merges initializers with equal values (the
    merged names become Identity nodes), so names can differ where a pack's weights coincide."""
    graphs = [onnx.load(str(p)).graph for p in (probe, pack)]
    resolved, nodes = [], []
    for g in graphs:
        inits = {i.name[: -len("__f16")] if i.name.endswith("__f16") else i.name for i in g.initializer}
        alias = {n: n for n in inits}
        kept = []
        for n in g.node:
            if n.name.endswith("__cast"):
                continue
            if n.op_type == "Identity" and n.input[0] in alias:
                alias[n.output[0]] = alias[n.input[0]]
                continue
            kept.append(n)
        resolved.append(alias)
        nodes.append(kept)
    if [n.op_type for n in nodes[0]] != [n.op_type for n in nodes[1]]:
        raise ValueError(f"{pack.name}: the pack's graph has other operators than this code exports")
    pairs = {}
    for a, b in zip(*nodes):
        for x, y in zip(a.input, b.input):
            if x in resolved[0]:
                x, y = resolved[0][x], resolved[1].get(y)
                if y is None or pairs.get(x, y) != y:
                    raise ValueError(f"{pack.name}: initializer {x} has no consistent counterpart")
                pairs[x] = y
    return pairs


@torch.no_grad()
def _probe(cfg: ModelConfig) -> ParleyModel:
    """A model with distinct random float16-exact values in every parameter (to match by value)."""
    probe = build_model(cfg, 987654321)
    gen = torch.Generator().manual_seed(4321)
    for prm in probe.parameters():
        prm.copy_(torch.randn(prm.shape, generator=gen))
    round_weights_to_half(probe)
    return probe


@torch.no_grad()
def _read_graphs(pack: Path, workdir: Path, graphs: dict[str, tuple[nn.Module, nn.Module, str]]) -> None:
    """For each pack graph file -> (probe module, target module, the probe's graph file in ``workdir``):
    copies the graph's weights into the target, matching each initializer of the probe's export (distinct
    random values) to its parameter by value. Raises if a learnt tensor stays unmatched over all the
    graphs of a module (the phone head is not exported and keeps its probe values)."""
    done: dict[int, set[str]] = {}
    for graph, (probe, target, probe_graph) in graphs.items():
        found = done.setdefault(id(target), set())
        mine, theirs = _initializers(workdir / probe_graph), _initializers(pack / graph)
        pairs = _initializer_pairs(workdir / probe_graph, pack / graph)
        params = {n: prm for n, prm in probe.named_parameters() if not n.startswith("phone_head.")}
        targets = dict(target.named_parameters())
        by_value = {}
        for n, prm in params.items():
            v = prm.numpy()
            by_value[v.tobytes()] = (n, False)
            if v.ndim == 2:
                by_value[np.ascontiguousarray(v.T).tobytes()] = (n, True)
        for name, arr in mine.items():
            if name not in pairs:
                raise ValueError(f"{graph}: initializer {name} is not used by any node")
            other = theirs[pairs[name]]
            hit = by_value.get(np.ascontiguousarray(arr, np.float32).tobytes()) if arr.dtype == np.float32 else None
            if hit is None:  # a constant of the code (DFT kernels, masks, shapes): must be the same
                if not np.array_equal(arr, other):
                    raise ValueError(f"{graph}: constant {name} differs from this code's")
                continue
            n, transposed = hit
            value = torch.from_numpy(np.array(other.T if transposed else other, dtype=np.float32))
            targets[n].copy_(value.reshape(targets[n].shape))
            found.add(n)
    for graph, (probe, target, _) in graphs.items():
        missing = sorted(n for n, _ in probe.named_parameters()
                         if not n.startswith("phone_head.") and n not in done[id(target)])
        if missing:
            files = ", ".join(g for g, (_, t, _) in graphs.items() if t is target)
            raise ValueError(f"{files}: parameters not found in the graphs: {missing[:5]}")


@torch.no_grad()
def load_distilled_weights(pack: Path, workdir: Path, model: ParleyModel) -> nn.Module | None:
    """The distilled student denoiser of a pack (its DISTILLED_FILES graphs) read back into a copy of
    ``model.denoiser`` as load_pack_weights reads the others; None if the pack has none. Call
    load_pack_weights(pack, workdir) first: its probe graphs in ``workdir`` are reused."""
    man = json.loads((pack / "manifest.json").read_text())
    if "distilledDenoiser" not in man["models"]:
        return None
    probe = _probe(model.cfg).denoiser
    student = copy.deepcopy(model.denoiser)
    _read_graphs(pack, workdir, {man["models"]["distilledAudioMemory"]: (probe, student, "audio_memory.onnx"),
                                 man["models"]["distilledDenoiser"]: (probe, student, "denoiser.onnx")})
    return student.eval()


@torch.no_grad()
def load_stream_weights(pack: Path, workdir: Path, model: ParleyModel) -> ParleyModel | None:
    """The streaming model of a pack (its STREAM_FILES graphs and ``stream`` section) read back as
    load_pack_weights reads the others, the style encoder ``model``'s; None if the pack has none."""
    from .stream import StreamConfig, stream_model
    man = json.loads((pack / "manifest.json").read_text())
    if "stream" not in man:
        return None
    sc = man["stream"]
    target = stream_model(model, StreamConfig(sc["hop"], sc["lookahead"], sc["context"]))
    probe = _probe(target.cfg)
    folder = workdir / "stream"
    export_onnx(probe, folder)
    files = man["models"]
    _read_graphs(pack, folder, {files["streamAudioEncoder"]: (probe.audio, target.audio, "audio_encoder.onnx"),
                                files["streamAudioMemory"]: (probe.denoiser, target.denoiser, "audio_memory.onnx"),
                                files["streamDenoiser"]: (probe.denoiser, target.denoiser, "denoiser.onnx")})
    return target.eval()


@torch.no_grad()
def load_pack_weights(pack: Path, workdir: Path) -> tuple[ParleyModel, np.ndarray, np.ndarray, dict]:
    """The PyTorch model whose export is the pack's ONNX graphs, read back from the graphs' weights;
    with the manifest's mean and std and the manifest itself.

    The exporter renames some weights (MatMul operands are stored transposed under generated names),
    so a probe model of the same config with distinct random values is exported into ``workdir`` first
    and every initializer is matched to its parameter by value. Raises if any learnt tensor of the
    exported networks stays unmatched (the phone head is not exported and keeps its probe values). Reads
    packs with the two denoiser graphs (1.4.0 on) and with the one graph of packs before.
    """
    man = json.loads((pack / "manifest.json").read_text())
    from .config import config_from_dict
    cfg = config_from_dict(man["architecture"]["config"])
    probe = _probe(cfg)
    one_graph = is_one_graph(man)
    graphs = _graphs(one_graph)
    export_onnx(probe, workdir, one_graph=one_graph)
    model = build_model(cfg, 0)
    _read_graphs(pack, workdir, {graph: (getattr(probe, sub), getattr(model, sub), graph)
                                 for graph, sub in graphs.items()})
    man_mean = np.asarray(man["motion"]["mean"], np.float32)
    man_std = np.asarray(man["motion"]["std"], np.float32)
    return model.eval(), man_mean, man_std, man


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def export_pack(model: ParleyModel, out: Path, pack_id: str, pack_version: str, mean: np.ndarray | None = None,
                std: np.ndarray | None = None, seed: int = 0, trained: bool = False, half: bool = True,
                training: dict | None = None, guidance: dict | None = None, one_graph: bool = False,
                student: nn.Module | None = None, distilled: dict | None = None, stream: ParleyModel | None = None,
                stream_training: dict | None = None, stream_steps: int = DEFAULT_STEPS) -> dict:
    """Writes a whole pack into ``out``; returns the manifest. With ``half`` the model's large weights
    are rounded to float16 values in place (before export and golden vectors). ``one_graph`` writes the
    one-graph denoiser of packs before 1.4.0 (for the runtime's tests of such packs). A distilled
    ``student`` denoiser (parley.model.distil) goes with its manifest section ``distilled``
    (distilled_section)."""
    cfg = model.cfg
    if (student is None) != (distilled is None):
        raise ValueError("a distilled student needs its manifest section and the other way round")
    if half:
        round_weights_to_half(model)
        if student is not None:
            round_weights_to_half(student)
        if stream is not None:
            round_weights_to_half(stream)
    schedule = Schedule.from_config(cfg.diffusion)
    mean = np.zeros(cfg.motion_dim, np.float32) if mean is None else mean
    std = np.ones(cfg.motion_dim, np.float32) if std is None else std
    files = export_onnx(model, out, half=half, one_graph=one_graph, student=student)
    if stream is not None:
        files.update(export_stream_graphs(stream, out, half))
    counts = model.parameter_counts()
    extra = {"architecture": {"config": cfg.to_dict(), "parameters": counts, "seed": seed, "trained": trained,
                              "opset": OPSET, "weightStorage": "float16 cast to float32 in the graph" if half
                              else "float32", **({"training": training} if training else {})},
             "checksums": {p.name: sha256(p) for p in files.values()}}
    man = manifest(cfg, schedule, pack_id, pack_version, mean, std, extra, guidance, one_graph, distilled,
                   None if stream is None else stream_section(stream, stream_steps, stream_training))
    (out / "manifest.json").write_text(json.dumps(man, indent=1) + "\n")
    metrics = {"trained": trained, "packVersion": pack_version,
               "note": "untrained placeholder: random weights, no evaluation" if not trained
               else "not evaluated yet: python3 -m parley evaluate writes the metrics"}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    write_golden(model, schedule, out / "golden", seed, guidance or DEFAULT_GUIDANCE, one_graph, student, distilled,
                 stream, stream_steps)
    return man


def _reexport(pack: Path, out: Path, version: str | None, pack_id: str | None, half: bool,
              student: tuple[Path, int, bool] | None = None, stream_ckpt: Path | None = None,
              stream_steps: int | None = None, gate_db: float | None = None, denoiser: Path | None = None) -> int:
    """Exports a pack's weights again with this code (``out`` may be ``pack``); its metrics carry over. Its
    distilled student too, or the one of ``student`` = (checkpoint, step count, whether it is the default).
    ``gate_db`` (not None) gives the audio encoders that silence gate (0: none); ``denoiser`` (a checkpoint
    trained on from this pack with its encoders frozen) replaces the main denoiser's weights. After either the
    evaluation no longer holds, so metrics.json is not carried over."""
    import tempfile
    metrics = (pack / "metrics.json").read_bytes()
    with tempfile.TemporaryDirectory() as probe:
        model, mean, std, old = load_pack_weights(pack, Path(probe))
        net, distilled = load_distilled_weights(pack, Path(probe), model), old["sampling"].get("distilled")
        stream, stream_training = load_stream_weights(pack, Path(probe), model), old.get("stream", {}).get("training")
    if stream_ckpt is not None:
        stream, stream_training = _stream_from_checkpoint(stream_ckpt, model)
    arch = old["architecture"]
    training = arch.get("training")
    if denoiser is not None:
        training = _denoiser_from_checkpoint(denoiser, model, mean, std,
                                             model.cfg.audio.gate_db if gate_db is None else gate_db)
    if gate_db is not None:
        from .audio import set_gate
        for m in (model, stream):
            if m is not None:
                set_gate(m, gate_db)
    if student is not None:
        from .distil import read_distil_info
        from .train import load_checkpoint, read_checkpoint
        ckpt, steps, default = student
        info = read_distil_info(ckpt)
        if steps not in info["config"]["steps"]:
            raise ValueError(f"{ckpt}: trained for {info['config']['steps']} steps, not {steps}")
        net = load_checkpoint(ckpt)[0].denoiser
        distilled = {**distilled_section(steps, model.cfg.diffusion.steps, default, info["config"]["teacher_steps"]),
                     "training": {"steps": int(read_checkpoint(ckpt)["steps"]), "trainSeconds": info["train_seconds"],
                                  "stepCounts": info["config"]["steps"], "teacher": info["teacher"]}}
    version = version or old["packVersion"]
    export_pack(model, out, pack_id or old["id"], version, mean, std, arch["seed"], trained=arch["trained"],
                half=half, training=training, guidance=old["sampling"]["guidance"], student=net,
                distilled=distilled, stream=stream, stream_training=stream_training,
                stream_steps=stream_steps or old.get("stream", {}).get("steps", DEFAULT_STEPS))
    if arch["trained"] and gate_db is None and denoiser is None:
        (out / "metrics.json").write_bytes(metrics)  # the same weights: the evaluation still holds
    print(f"re-exported {old['id']} {old['packVersion']} as {version} into {out}")
    return 0


def _denoiser_from_checkpoint(path: Path, model: ParleyModel, mean: np.ndarray, std: np.ndarray,
                              gate_db: float) -> dict:
    """Puts a checkpoint's main denoiser into ``model`` (a pack read back) and returns the checkpoint's training
    record. The checkpoint must have trained on from this pack with its encoders frozen (``train --init-from``
    the pack's weights, ``--freeze-audio``): its audio and style encoders, normalisation, denoiser config and
    silence gate are the pack's, so the pack's student, stream graphs and pose adapters still read the same
    features. Anything else is refused, naming what differs."""
    from .train import load_checkpoint, read_checkpoint
    other, other_mean, other_std = load_checkpoint(path)
    for name in ("audio", "style"):
        mine, theirs = getattr(model, name).state_dict(), getattr(other, name).state_dict()
        differ = [k for k in mine if not k.startswith("phone_head.") and not torch.equal(mine[k], theirs[k])]
        if differ:
            raise ValueError(f"{path}: its {name} encoder is not the pack's ({len(differ)} tensors differ, first "
                             f"{differ[0]}); train the denoiser from this pack's weights with --freeze-audio")
    if not (np.array_equal(other_mean, mean) and np.array_equal(other_std, std)):
        raise ValueError(f"{path}: its motion normalisation is not the pack's")
    if other.cfg.denoiser != model.cfg.denoiser:
        raise ValueError(f"{path}: its denoiser config {other.cfg.denoiser} is not the pack's {model.cfg.denoiser}")
    if other.cfg.audio.gate_db != gate_db:
        raise ValueError(f"{path}: trained with a {other.cfg.audio.gate_db:g} dB silence gate, but the pack's is "
                         f"{gate_db:g} dB (0: none)")
    model.denoiser.load_state_dict(other.denoiser.state_dict())
    ckpt = read_checkpoint(path)
    return {k: ckpt[k] for k in TRAINING_KEYS if k in ckpt}


def _stream_from_checkpoint(path: Path, model: ParleyModel) -> tuple[ParleyModel, dict]:
    """A streaming checkpoint's model with ``model``'s style encoder (it trained with it frozen) and
    its training record for the manifest."""
    from .stream import load_stream_checkpoint
    from .train import read_checkpoint
    stream = load_stream_checkpoint(path)[0]
    if not all(torch.equal(a, b) for a, b in zip(stream.style.state_dict().values(), model.style.state_dict().values())):
        raise ValueError(f"{path}: its style encoder is not the pack's (fine-tune from this pack)")
    info = read_checkpoint(path)
    return stream, {"steps": int(info["steps"]), "trainSeconds": info.get("train_seconds"),
                    "basePackVersion": info.get("basePackVersion"), "config": info.get("stream_train")}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m parley export", description=__doc__.split("\n\n")[0])
    p.add_argument("--config", default="base", help="model config name (base, tiny)")
    p.add_argument("--seed", type=int, default=0, help="initialisation and golden seed")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--untrained", action="store_true", help="export randomly initialised weights")
    src.add_argument("--checkpoint", type=Path, help="a checkpoint written by parley.model.train")
    src.add_argument("--from-pack", type=Path, metavar="PACK",
                     help="re-export a pack's own weights (read back from its graphs; a pack before 1.4.0 gets the "
                          "two denoiser graphs), keeping its manifest's normalisation, guidance and metrics")
    p.add_argument("--student", type=Path, help="with --from-pack: a distilled student (python3 -m parley distil) "
                                                "to add, as the two graphs of " + " and ".join(DISTILLED_FILES.values())
                                                + " and the manifest section sampling.distilled")
    p.add_argument("--student-steps", type=int, help="the student's step count at run time (one it was trained for)")
    p.add_argument("--student-default", action="store_true",
                   help="the student is the pack's default sampler (the guided DDIM stays selectable)")
    p.add_argument("--stream", type=Path, metavar="CHECKPOINT",
                   help="with --from-pack: a streaming model (python3 -m parley stream-train from this pack) to add, "
                        "as the graphs " + ", ".join(STREAM_FILES.values()) + " and the manifest section stream")
    p.add_argument("--stream-steps", type=int, help="the stream model's guided DDIM steps at run time (default: the "
                                                    f"pack's, or {DEFAULT_STEPS})")
    p.add_argument("--audio-gate", type=float, metavar="DB",
                   help="with --from-pack: silence 10 ms blocks more than DB below the window's loudest in the audio "
                        "encoders (parley.model.audio.SilenceGate; 0: no gate); evaluate the pack again after")
    p.add_argument("--denoiser", type=Path, metavar="CHECKPOINT",
                   help="with --from-pack: the main denoiser's weights from this checkpoint, trained on from the pack "
                        "with its encoders frozen (train --init-from its weights --freeze-audio); the student, stream "
                        "graphs and encoders stay the pack's; evaluate the pack again after")
    p.add_argument("--out", type=Path, required=True, help="pack folder to write")
    p.add_argument("--id", help="pack id (default: the folder name)")
    p.add_argument("--float32", action="store_true", help="store weights as float32 (default: float16-exact weights)")
    p.add_argument("--pack-version", help=f"pack version (default {UNTRAINED_VERSION} when untrained)")
    p.add_argument("--guidance", type=float, nargs=2, metavar=("AUDIO", "STYLE"),
                   help=f"default guidance scales in the manifest (default {DEFAULT_GUIDANCE['audio']} "
                        f"{DEFAULT_GUIDANCE['style']})")
    p.add_argument("--guidance-rescale", type=float, default=DEFAULT_GUIDANCE["rescale"], metavar="PHI",
                   help="guidance rescale in the manifest, in [0, 1] (default %(default)s; 0: plain guidance)")
    a = p.parse_args(argv)
    mean = std = None
    if (a.student is None) != (a.student_steps is None) or (a.student_default and a.student is None) or \
            (a.student and not a.from_pack) or (a.stream and not a.from_pack) or \
            (a.audio_gate is not None and not a.from_pack) or (a.denoiser and not a.from_pack):
        p.error("--student and --student-steps go together, with --from-pack (and --student-default needs them); "
                "--stream, --audio-gate and --denoiser need --from-pack")
    if not 0.0 <= a.guidance_rescale <= 1.0:
        p.error(f"--guidance-rescale must be in [0, 1] but got {a.guidance_rescale}")
    wa, ws = a.guidance if a.guidance else (DEFAULT_GUIDANCE["audio"], DEFAULT_GUIDANCE["style"])
    guidance = {"audio": wa, "style": ws, "rescale": a.guidance_rescale}
    if a.from_pack:
        return _reexport(a.from_pack, a.out, a.pack_version, a.id, not a.float32,
                         (a.student, a.student_steps, a.student_default) if a.student else None, a.stream,
                         a.stream_steps, a.audio_gate, a.denoiser)
    if a.untrained:
        model = build_model(get_config(a.config), a.seed)
        version = a.pack_version or UNTRAINED_VERSION
    else:
        from .train import load_checkpoint, read_checkpoint
        model, mean, std = load_checkpoint(a.checkpoint)
        version = a.pack_version or "1.0.0"
        ckpt = read_checkpoint(a.checkpoint)
        training = {k: ckpt[k] for k in TRAINING_KEYS if k in ckpt}
    man = export_pack(model, a.out, a.id or a.out.resolve().name, version, mean, std, a.seed,
                      trained=not a.untrained, half=not a.float32, training=None if a.untrained else training,
                      guidance=guidance)
    sizes = {f: (a.out / f).stat().st_size for f in man["models"].values()}
    print(f"wrote {a.out}: " + ", ".join(f"{k} {v / 1e6:.2f} MB" for k, v in sizes.items()))
    print("parameters: " + ", ".join(f"{k} {v:,}" for k, v in man["architecture"]["parameters"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
