"""The streaming model (parley.model.stream): windows cut as the runtime cuts them, bounded lookahead,
fine-tuning, and its graphs in a pack."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from parley.layout import SAMPLES_PER_FRAME
from parley.model import ort_java
from parley.model.config import TINY
from parley.model.diffusion import Schedule
from parley.model.export import export_pack, load_pack_weights, load_stream_weights, round_weights_to_half
from parley.model.network import build_model
from parley.model.stream import (StreamConfig, StreamTrainConfig, previous_frames, stream_model, stream_sample,
                                 stream_window, train_stream)
from parley.model.train import SyntheticDataset

SPF = SAMPLES_PER_FRAME
SCFG = StreamConfig(hop=2, lookahead=2, context=6)
GUIDE = (1.5, 1.5, 0.0)


@pytest.fixture(scope="module")
def streamed():
    return stream_model(build_model(TINY, 0), SCFG)


def _clip(frames: int = 40) -> dict:
    rng = np.random.default_rng(3)
    return {"pcm": rng.standard_normal(frames * SPF).astype(np.float32) * 0.1,
            "motion": np.arange(frames, dtype=np.float32)[:, None].repeat(56, 1),
            "phones": np.arange(frames) % 7, "shape": np.zeros(100, np.float32)}


def test_the_stream_model_is_the_pack_model_on_a_shorter_window(streamed):
    base = build_model(TINY, 0)
    assert streamed.cfg.window == SCFG.window == 4 and streamed.stream == SCFG
    full, short = base.state_dict(), streamed.state_dict()
    assert torch.equal(short["denoiser.pos"], full["denoiser.pos"][: 1 + TINY.previous + 4])
    assert torch.equal(short["denoiser.audio_pos"], full["denoiser.audio_pos"][:4])
    assert all(torch.equal(v, full[k]) for k, v in short.items() if k not in ("denoiser.pos", "denoiser.audio_pos"))
    with pytest.raises(ValueError, match="at most 20 frames but is 24"):
        stream_model(base, StreamConfig(hop=20, lookahead=4))


def test_a_training_window_is_cut_as_the_runtime_cuts_it():
    clip, mean, std = _clip(), np.zeros(56, np.float32), np.ones(56, np.float32)
    rng = np.random.default_rng(0)
    w = stream_window(clip, TINY, SCFG, 6, 12, None, mean, std, rng)
    assert np.array_equal(w["pcm"], clip["pcm"][6 * SPF:16 * SPF])  # 6 frames of context, the 4-frame window
    assert np.array_equal(w["motion"][:, 0], [12, 13, 14, 15]) and w["first_window"] == 0
    assert np.array_equal(w["prev"][:, 0], np.arange(8, 12)) and w["valid"].tolist() == [1, 1, 1, 1]
    # The line ends 3 frames into the window: silence after, that frame not scored, no phone label.
    end = stream_window(clip, TINY, SCFG, 6, 12, 3, mean, std, rng)
    assert np.array_equal(end["pcm"][:9 * SPF], clip["pcm"][6 * SPF:15 * SPF]) and not end["pcm"][9 * SPF:].any()
    assert end["valid"].tolist() == [1, 1, 1, 0] and end["phones"][3] == -1
    first = stream_window(clip, TINY, SCFG, 0, 0, None, mean, std, rng)
    assert first["first_window"] == 1 and not first["prev"].any() and len(first["pcm"]) == 4 * SPF
    # Two frames into a line: the first frame repeated in front, as the runtime pads its previous frames.
    assert np.array_equal(previous_frames(clip["motion"], 2, 4)[:, 0], [0, 0, 0, 1])


def test_a_kept_frame_never_hears_audio_past_its_window(streamed):
    frames = 16
    gen = torch.Generator().manual_seed(0)
    a = torch.randn(1, frames * SPF, generator=gen) * 0.1
    b = a.clone()
    b[:, 8 * SPF:] = torch.randn(1, (frames - 8) * SPF, generator=gen)  # other audio from frame 8 on
    style, shape = torch.nn.functional.normalize(torch.randn(1, TINY.style.dim), dim=-1), torch.zeros(1, 100)
    ab = Schedule.from_config(TINY.diffusion).alphas_cumprod
    x = [stream_sample(streamed, p, frames, style, shape, ab, 3, GUIDE, torch.Generator().manual_seed(1))
         for p in (a, b)]
    # Windows starting at 0, 2, 4 end by frame 8: their kept frames 0-5 are the same; frame 6's window
    # (frames 6-9) hears the new audio.
    assert torch.equal(x[0][:, :6], x[1][:, :6])
    assert not torch.allclose(x[0][:, 6:], x[1][:, 6:])
    assert x[0].shape == (1, frames, 56)


def test_fine_tuning_lowers_the_streaming_loss():
    torch.manual_seed(0)
    model = stream_model(build_model(TINY, 0), SCFG)
    data = SyntheticDataset(8, frames=60)
    mean, std = np.zeros(56, np.float32), np.ones(56, np.float32)
    history = train_stream(model, data, mean, std, StreamTrainConfig(steps=60, batch=8, lr=2e-3), log=lambda m: None)
    first, last = np.mean([h["total"] for h in history[:10]]), np.mean([h["total"] for h in history[-10:]])
    assert last < 0.8 * first, (first, last)
    assert not any(p.grad is not None and p.requires_grad for p in model.style.parameters())


@pytest.fixture(scope="module")
def stream_pack(tmp_path_factory, streamed) -> Path:
    folder = tmp_path_factory.mktemp("packs") / "tiny-stream"
    export_pack(build_model(TINY, 0), folder, folder.name, "0.0.0-untrained", stream=stream_model(build_model(TINY, 0), SCFG),
                stream_steps=3)
    return folder


def test_a_pack_carries_the_stream_graphs_and_reads_them_back(stream_pack, tmp_path):
    man = json.loads((stream_pack / "manifest.json").read_text())
    assert {k: man["stream"][k] for k in ("hop", "lookahead", "context", "window", "steps")} == \
        {"hop": 2, "lookahead": 2, "context": 6, "window": 4, "steps": 3}
    model, _, _, _ = load_pack_weights(stream_pack, tmp_path)
    back = load_stream_weights(stream_pack, tmp_path, model)
    expected = stream_model(build_model(TINY, 0), SCFG)
    round_weights_to_half(expected)
    assert back.stream == SCFG
    for k, v in expected.state_dict().items():
        if not k.startswith("audio.phone_head."):
            assert torch.equal(back.state_dict()[k], v), k


def _golden_stream(pack: Path):
    """The pack's golden stream entry and a reader of its tensors."""
    index = json.loads((pack / "golden" / "golden.json").read_text())

    def load(name):
        t = index["tensors"][name]
        return np.fromfile(pack / "golden" / t["file"], dtype="<f4").reshape(t["shape"])
    return index["stream"], load


def test_the_golden_stream_is_the_stream_sampler(stream_pack):
    st, load = _golden_stream(stream_pack)
    out = load(st["output"])
    assert st["steps"] == 3  # the manifest's stream.steps
    assert out.shape == (1, st["frames"], 56) and [w["start"] for w in st["windows"]] == list(range(0, st["frames"], 2))
    assert [w["context"] for w in st["windows"]] == [min(6, w["start"]) for w in st["windows"]]
    assert st["windows"][0]["firstWindow"] and not st["windows"][1]["firstWindow"]
    for w in st["windows"]:  # each window keeps its first hop frames of what it sampled
        s = w["start"]
        kept = load(w["x0"])[:, : min(2, st["frames"] - s)]
        assert np.array_equal(out[:, s:s + kept.shape[1]], kept)
    last = st["windows"][-1]
    assert np.array_equal(load(last["prevMotion"])[0, -2:], out[0, last["start"] - 2:last["start"]])


@pytest.mark.skipif(ort_java.find_jar() is None, reason="needs java and the ONNX Runtime jar in ~/.m2")
def test_onnx_runtime_runs_the_stream_graphs_as_pytorch(stream_pack):
    st, load = _golden_stream(stream_pack)
    pcm = load(st["pcm"])
    padded = np.zeros((1, (st["frames"] + st["window"]) * SPF), np.float32)
    padded[:, : pcm.shape[1]] = pcm
    for w in st["windows"][:3]:
        s, c = w["start"], w["context"]
        chunk = padded[:, (s - c) * SPF:(s + st["window"]) * SPF]
        out, _ = ort_java.run(stream_pack / "stream_audio_encoder.onnx", {"pcm": chunk})
        np.testing.assert_allclose(out["audio_features"][:, -st["window"]:], load(w["features"]), atol=1e-4)
