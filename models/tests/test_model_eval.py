"""Training on a corpus and evaluation, end to end on a tiny corpus and the tiny config (fast)."""
from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import numpy as np
import pytest
import torch

from parley.corpus import build
from parley.corpus.dataset import Corpus, load_clip
from parley.corpus.quality import HeadCloser
from parley.model.config import BASE, TINY
from parley.model.data import CorpusDataset
from parley.model.evaluate import HeadMetrics, beat_alignment, energy_jaw, main as evaluate_main
from parley.model.network import build_model
from parley.model.train import (load_checkpoint, lr_factor, main as train_main, motion_stats, read_checkpoint,
                                sample_window, style_pairs)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus") / "tiny"
    build.build("tiny", out, seed=3, workers=1, quiet=True)
    return out


def test_corpus_dataset_windows(corpus):
    data = CorpusDataset(corpus, "train")
    assert len(data) == len(Corpus(corpus).clip_ids("train"))
    clip = data[0]
    assert clip["motion"].shape[1] == 56 and clip["pcm"].dtype == np.float32
    assert len(clip["pcm"]) == len(clip["motion"]) * 640 and len(clip["phones"]) == len(clip["motion"])
    assert np.abs(clip["pcm"]).max() <= 1.0 and clip["phones"].min() >= 0
    mean, std = motion_stats(data)
    w = sample_window(clip, TINY, mean, std, np.random.default_rng(0))
    assert w["phones"].shape == (TINY.window,) and w["pcm"].shape == (TINY.window * 640,)


def test_style_positives_come_from_the_two_halves():
    frames, ts = 300, 100
    motion = np.arange(frames, dtype=np.float32)[:, None].repeat(56, 1)
    data = [{"motion": motion}]
    cfg = replace(BASE, style=replace(BASE.style, frames=ts))
    a, b = style_pairs(data, cfg, np.zeros(56, np.float32), np.ones(56, np.float32), np.random.default_rng(0), 16)
    assert (a[:, -1, 0] < frames // 2).all() and (b[:, 0, 0] >= frames // 2).all()


def test_learning_rate_schedule():
    cfg = replace(BASE, train=replace(BASE.train, lr_warmup=10, lr_final_ratio=0.1))
    f = [lr_factor(s, 100, cfg) for s in range(100)]
    assert f[0] == pytest.approx(0.1) and f[9] == pytest.approx(1.0) and f[-1] == pytest.approx(0.1, abs=1e-3)
    assert all(x >= y for x, y in zip(f[9:], f[10:]))


def test_metrics_head_matches_the_corpus_closure_criterion(corpus):
    clip = next(Corpus(corpus).clips("train"))
    hm, hc = HeadMetrics(), HeadCloser()
    rows = np.arange(0, clip.n_frames, 7)
    ref = hc.opening(np.asarray(clip.beta, np.float32), clip.motion[rows] * np.r_[np.ones(53), np.zeros(3)])
    mine = hm.opening(hm.vertices(clip.motion[rows], clip.beta)).numpy() / 1000.0
    np.testing.assert_allclose(mine, ref, atol=1e-7)
    assert hm.closed_below == hc.closed_below


def test_beat_alignment_of_a_motion_with_its_own_beats():
    t = np.arange(200)
    motion = np.zeros((200, 56), np.float32)
    motion[:, 53] = np.sin(2 * np.pi * t / 40.0)  # speed minima every 20 frames (turning points)
    score, n = beat_alignment(motion, np.arange(10, 200, 20))
    assert n > 5 and score / n > 0.9
    score, n = beat_alignment(motion, np.arange(0, 200, 20))
    assert score / n < 0.01


def test_train_and_evaluate_end_to_end(corpus, tmp_path):
    common = ["--config", "tiny", "--dataset", "parley.model.data:train_split", "--data", str(corpus),
              "--threads", "1", "--vertex-weight", "0.01"]
    assert train_main(common + ["--style-steps", "3", "--steps", "4", "--checkpoint-every", "2",
                                "--out", str(tmp_path / "main")]) == 0
    assert (tmp_path / "main" / "step-000002.pt").exists()
    assert train_main(common + ["--steps", "2", "--regression", "--init-style", str(tmp_path / "main" / "style.pt"),
                                "--out", str(tmp_path / "reg")]) == 0
    assert train_main(common + ["--steps", "2", "--no-style", "--no-align", "--init-style",
                                str(tmp_path / "main" / "style.pt"), "--out", str(tmp_path / "abl")]) == 0
    assert train_main(common + ["--steps", "2", "--init-from", str(tmp_path / "main" / "last.pt"), "--seed", "1",
                                "--bilabial-weight", "5", "--lr", "1e-4", "--out", str(tmp_path / "phase2")]) == 0
    phase2 = read_checkpoint(tmp_path / "phase2" / "last.pt")
    assert [p["steps"] for p in phase2["phases"]] == [4, 2] and phase2["config"]["train"]["w_bilabial"] == 5
    # The data is named, not located: no path of this machine goes into a pack.
    corpus_ref = {"name": "tiny", "manifest_sha256": hashlib.sha256((corpus / "manifest.json").read_bytes())
                  .hexdigest()}
    assert phase2["data"] == corpus_ref
    model, _, _ = load_checkpoint(tmp_path / "abl" / "last.pt")
    assert not model.cfg.train.use_style and not model.cfg.denoiser.alignment_mask
    assert not model.denoiser.cross_bias.any()
    reg, _, _ = load_checkpoint(tmp_path / "reg" / "last.pt")
    assert reg.cfg.train.regression
    main, _, _ = load_checkpoint(tmp_path / "main" / "last.pt")
    torch.testing.assert_close(reg.style.state_dict(), main.style.state_dict())

    out = tmp_path / "metrics.json"
    assert evaluate_main(["--checkpoint", str(tmp_path / "main" / "last.pt"), "--data", str(corpus),
                          "--regression", str(tmp_path / "reg" / "last.pt"),
                          "--clips", "2", "--samples", "2", "--steps", "2", "10", "--reference-clips", "1",
                          "--out", str(out), "--images", str(tmp_path / "img")]) == 0
    assert "no-style ddim-10" not in json.loads(out.read_text())["splits"]["heldout"]["methods"]
    assert evaluate_main(["--checkpoint", str(tmp_path / "main" / "last.pt"), "--data", str(corpus), "--add",
                          "--ablation", f"no-style={tmp_path / 'abl' / 'last.pt'}", "--clips", "2", "--samples", "2",
                          "--out", str(out)]) == 0
    metrics = json.loads(out.read_text())
    assert metrics["corpus"] == metrics["checkpoint"]["data"] == corpus_ref
    # The splits evaluated in separate runs and merged: the same numbers.
    common_eval = ["--checkpoint", str(tmp_path / "main" / "last.pt"), "--data", str(corpus), "--clips", "2",
                   "--samples", "2", "--steps", "10", "--reference-clips", "0"]
    for split in ("train", "heldout"):  # the tiny corpus has no test split
        assert evaluate_main(common_eval + ["--splits", split, "--out", str(tmp_path / f"{split}.json")]) == 0
    assert evaluate_main(common_eval + ["--splits", "train", "heldout", "--out", str(tmp_path / "both.json")]) == 0
    assert evaluate_main(["--merge", str(tmp_path / "train.json"), str(tmp_path / "heldout.json"),
                          "--out", str(tmp_path / "merged.json")]) == 0
    merged, both = (json.loads((tmp_path / f"{n}.json").read_text()) for n in ("merged", "both"))
    assert list(merged["splits"]) == ["train", "heldout"] and merged["splits"] == both["splits"]
    assert merged["acceptance"] == both["acceptance"] and merged["acceptance"]
    with pytest.raises(ValueError, match="split.s. train already in an earlier file"):
        evaluate_main(["--merge", str(tmp_path / "train.json"), str(tmp_path / "train.json"), "--out", str(out)])
    held = metrics["splits"]["heldout"]["methods"]
    for name in ("ground truth (self)", "ground-truth noise floor", "energy-jaw heuristic", "parley ddim-10",
                 "parley ddim-2", "regression", "no-style ddim-10"):
        assert set(held[name]) >= {"lve_mm", "fdd_mm", "mod_mm", "ba", "div_expr", "div_head_deg", "closure"}, name
    assert held["ground truth (self)"]["lve_mm"] == 0 and held["ground truth (self)"]["closure"] == 1.0
    assert held["regression"]["div_expr"] == 0 and held["parley ddim-10"]["div_expr"] > 0
    assert "closure >= 0.85" in metrics["acceptance"]
    assert (tmp_path / "img" / "model-clip.png").exists() and (tmp_path / "img" / "model-styles.png").exists()


def test_energy_heuristic_opens_the_jaw_with_the_voice(corpus):
    clip = next(Corpus(corpus).clips("train"))
    m = energy_jaw(clip, np.zeros(56, np.float32))
    assert m[:, 50].max() > 0.1 and m[:, 50].min() >= 0 and not m[:, 53:].any()


def test_evaluate_scores_a_shipped_pack_and_a_baseline_on_real_voices(corpus, tmp_path, capsys):
    """evaluate --pack with --baseline-pack on a two-line real-voice set (hedgewars + pocketsphinx: needs
    scripts/setup-debian.sh) and the tiny corpus for styles and the phone probe."""
    import shutil
    from pathlib import Path

    from parley.realvoice import lines
    from parley.realvoice.dataset import build as build_real

    voices = tmp_path / "voices"
    # eval lines that pass the alignment checks: /m/ after a vowel; a line that starts on /b/
    for pack, stem in (("Classic", "Comeonthen"), ("Default", "Bugger")):
        (voices / pack).mkdir(parents=True, exist_ok=True)
        shutil.copy(lines.VOICES_DIR / pack / f"{stem}.ogg", voices / pack)
    man = build_real(tmp_path / "real", ["Classic", "Default"], voices, log=lambda _: None)
    assert man["yield"]["eval"] == {"aligned": 2, "dropped": 0}
    pack = Path(__file__).resolve().parents[1] / "packs" / "parley-base-v1"
    out = tmp_path / "real.json"
    assert evaluate_main(["--pack", str(pack), "--baseline-pack", str(pack), "--data", str(corpus), "--splits",
                          "--real-voices", str(tmp_path / "real"), "--real-split", "eval", "--real-styles", "1",
                          "--real-seeds", "0", "--probe-clips", "4", "--images", str(tmp_path / "img"),
                          "--out", str(out)]) == 0
    real = json.loads(out.read_text())["real_voices"]
    methods = real["splits"]["eval"]["methods"]
    name = f"parley-base-v1 {json.loads((pack / 'manifest.json').read_text())['packVersion']}"
    assert set(methods) == {name, f"{name} (baseline)", "energy-jaw heuristic"}
    pooled = methods[name]["pooled"]
    assert methods[f"{name} (baseline)"]["pooled"] == pooled  # the same weights and seeds: the same motion
    assert pooled["bilabials"] == 2 and pooled["m_after_voiced"] == 1 and pooled["initial_bilabials"] == 1
    assert 0.0 <= pooled["silence_rest"] <= 1.0 and pooled["tail_frames"] == 2 * 15
    assert methods[name]["runs"][0]["closure"] == pooled["closure"]
    assert 0.0 <= real["phone_probe"][name]["real eval"]["frame_accuracy"] <= 1.0
    assert "eval: closure >= 0.92" in real["acceptance"]
    assert (tmp_path / "img" / "real-voice-gap.png").stat().st_size > 10_000
    # --audio-gate: the same pack without its silence gate (how docs/model-card.md chose it), named so, beside
    # the pack as shipped
    ungated = tmp_path / "ungated.json"
    assert evaluate_main(["--pack", str(pack), "--audio-gate", "0", "--baseline-pack", str(pack), "--data", str(corpus),
                          "--splits", "--real-voices", str(tmp_path / "real"), "--real-split", "eval",
                          "--real-styles", "1", "--real-seeds", "0", "--probe-clips", "4", "--out", str(ungated)]) == 0
    result = json.loads(ungated.read_text())
    assert result["checkpoint"]["audioGate"] == 0
    assert set(result["real_voices"]["splits"]["eval"]["methods"]) == \
        {f"{name} no gate", name, "energy-jaw heuristic"}
    # --stream pack: the pack's own stream graphs read back and scored beside it, as the runtime streams a line
    streamed = tmp_path / "streamed.json"
    assert evaluate_main(["--pack", str(pack), "--stream", "pack", "--data", str(corpus), "--splits",
                          "--real-voices", str(tmp_path / "real"), "--real-split", "eval", "--real-styles", "1",
                          "--real-seeds", "0", "--probe-clips", "0", "--real-gaps", str(tmp_path / "gaps"),
                          "--out", str(streamed)]) == 0
    stream = json.loads((pack / "manifest.json").read_text())["stream"]
    label = f"parley stream (hop {stream['hop']}, lookahead {stream['lookahead']}, context {stream['context']})"
    methods = json.loads(streamed.read_text())["real_voices"]["splits"]["eval"]["methods"]
    assert set(methods) == {name, label, "energy-jaw heuristic"}
    assert methods[label]["pooled"]["bilabials"] == 2
    gaps = {n: np.load(tmp_path / "gaps" / f"eval__{n.replace(' ', '_')}.npz") for n in (name, label)}
    assert set(gaps[name].files) == set(gaps[label].files)  # the same lines, each sampled by both networks
    for f in gaps[name].files:
        assert gaps[name][f].shape == gaps[label][f].shape and np.isfinite(gaps[label][f]).all()
        assert not np.allclose(gaps[name][f], gaps[label][f], atol=0.05), f  # mm: another network's lips
    # --real-cents: the lines pitched down first, as the aligner tries the acted voices; timing and phones kept
    lowered = tmp_path / "lowered.json"
    assert evaluate_main(["--pack", str(pack), "--real-cents", "-400", "--data", str(corpus), "--splits",
                          "--real-voices", str(tmp_path / "real"), "--real-split", "eval", "--real-styles", "1",
                          "--real-seeds", "0", "--probe-clips", "0", "--real-gaps", str(tmp_path / "gaps-400"),
                          "--out", str(lowered)]) == 0
    low = json.loads(lowered.read_text())["real_voices"]
    assert low["real_cents"] == -400 and json.loads(streamed.read_text())["real_voices"]["real_cents"] == 0
    assert low["splits"]["eval"]["methods"][name]["pooled"]["bilabials"] == 2
    with np.load(tmp_path / "gaps-400" / f"eval__{name.replace(' ', '_')}.npz") as shifted:
        for f in gaps[name].files:
            assert shifted[f].shape == gaps[name][f].shape
            assert not np.allclose(shifted[f], gaps[name][f], atol=0.05), f  # heard differently
    with pytest.raises(SystemExit):  # a checkpoint has no stream graphs of its own
        evaluate_main(["--checkpoint", str(tmp_path / "none.pt"), "--stream", "pack", "--data", str(corpus),
                       "--splits", "--out", str(tmp_path / "x.json")])
    assert capsys.readouterr().err.endswith("--stream pack scores the --pack's own streaming model: give --pack\n")


def test_stream_windows_sample_every_hop_of_new_audio(corpus):
    """sample_clips with a hop samples as the runtime does a stream cut every hop frames: motion for every
    frame, the first window's frames equal to a full window's (same noise, same first audio), the rest not."""
    from parley.model.evaluate import sample_clips
    model = build_model(TINY, 0).eval()
    clips = list(Corpus(corpus).clips("train"))[:2]
    styles = torch.zeros(len(clips), TINY.style.dim)
    mean, std = np.zeros(56, np.float32), np.ones(56, np.float32)
    full = sample_clips(model, mean, std, clips, styles, 1, 2)
    hop = sample_clips(model, mean, std, clips, styles, 1, 2, hop=TINY.window)
    for a, b, c in zip(full, hop, clips):
        assert a.shape == b.shape == (1, c.n_frames, 56)
        np.testing.assert_array_equal(a, b)  # a hop of a whole window is the full-window path
    short = sample_clips(model, mean, std, clips, styles, 1, 2, hop=6)
    for a, b, c in zip(full, short, clips):
        assert b.shape == (1, c.n_frames, 56) and np.isfinite(b).all()
        assert np.abs(a - b).max() > 1e-3  # other windows: other motion
