"""The pose adapter (parley.pose) on a synthetic fixture and the tiny audio encoder: the VQ-VAE learns to
reconstruct, the style matrix is what docs/adapters.md defines, retrieval finds the style a take came from,
PoseGPT learns and its output has the speech's length, the run folder round-trips, ONNX Runtime matches
PyTorch."""
from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
import torch

from parley.corpus.phones import PHONES
from parley.layout import SAMPLE_RATE, SAMPLES_PER_FRAME
from parley.model import ort_java
from parley.model.config import TINY
from parley.model.network import build_model
from parley.pose.cli import main as pose_main
from parley.pose.data import PoseClip
from parley.pose.export import export_run
from parley.pose.gpt import GPTConfig
from parley.pose.style import SPEECH_NAMES, ROW_NAMES, StyleBank, speaker_matrices, style_matrix
from parley.pose.train import PoseRun, PoseTrainConfig, reconstruction, train_run, train_vqvae
from parley.pose.vqvae import VQConfig

SPEAKERS = 4
CONFIG = PoseTrainConfig(vq=VQConfig(codes=64, code_dim=8, width=32), vq_steps=400, vq_batch=16, vq_window=32,
                         gpt=GPTConfig(width=32, layers=1, heads=2, ffn=64, max_codes=8), gpt_steps=80,
                         gpt_batch=8, gpt_codes=8, gpt_lr=2e-3, gpt_warmup=10)
VOWEL, CONSONANT = PHONES.index("AA"), PHONES.index("T")


def synthetic_clip(speaker: int, k: int, frames: int = 100) -> PoseClip:
    """Speech bursts (tones under an envelope; vowel phones where loud, consonants at the edges, silence
    between) and a head whose rest pose, sway and nods on the bursts depend on the speaker."""
    rng = np.random.default_rng(1000 * speaker + k)
    t = np.arange(frames * SAMPLES_PER_FRAME) / SAMPLE_RATE
    env = np.clip(np.sin(2 * np.pi * rng.uniform(1.0, 2.0) * t + rng.uniform(0, 6.3)), 0, None)
    pcm = (0.3 * env * np.sin(2 * np.pi * (120 + 30 * speaker) * t)).astype(np.float32)
    fe = env[::SAMPLES_PER_FRAME][:frames]
    phones = np.where(fe > 0.5, VOWEL, np.where(fe > 0.05, CONSONANT, 0)).astype(np.int64)
    deg = np.radians(1.0)
    rest = np.array([4.0 * (speaker % 2) - 2.0, 3.0 * (speaker // 2) - 1.5, 0.5 * speaker]) * deg
    sway = (1.0 + speaker) * deg * np.sin(np.arange(frames)[:, None] / (6.0 + 2 * speaker) + rng.uniform(0, 6.3, 3))
    nod = (2.0 + 2.0 * speaker) * deg * fe[:, None] * np.array([[1.0, 0.3 * (speaker % 2), 0.0]])
    pose = (rest + sway + nod + rng.normal(0, 0.05 * deg, (frames, 3))).astype(np.float32)
    return PoseClip(f"s{speaker}c{k}", f"spk{speaker}", pcm, pose, phones)


@pytest.fixture(scope="module")
def clips() -> list[PoseClip]:
    return [synthetic_clip(s, k) for s in range(SPEAKERS) for k in range(4)]


@pytest.fixture(scope="module")
def encoder():
    torch.manual_seed(0)
    return build_model(TINY, 0).audio.eval()


@pytest.fixture(scope="module")
def run(clips, encoder) -> PoseRun:
    torch.set_num_threads(1)
    return train_run(clips, encoder, TINY.window, CONFIG, {"pack": {"id": "tiny"}}, lambda msg: None)


def test_vqvae_training_reduces_reconstruction_error(clips):
    untrained = train_vqvae(clips, replace(CONFIG, vq_steps=0), lambda msg: None)[0]
    trained, curve = train_vqvae(clips, CONFIG, lambda msg: None)
    before, after = reconstruction(untrained, clips), reconstruction(trained, clips)
    assert curve[-1] < curve[0]
    assert after["mae_deg"] < 0.5 * before["mae_deg"], (before, after)
    assert after["codes_used"] > 1


def test_style_matrix_is_the_documented_one():
    """Pitch 3 degrees above its mean on silence only, yaw following the loudness: the pause column and the
    loudness covariance say so; a still head has zero speeds."""
    c = synthetic_clip(0, 0, frames=120)
    pause = c.phones == 0
    pose = np.zeros_like(c.pose)
    pose[:, 0] = np.radians(np.where(pause, 3.0, 0.0))
    from parley.pose.style import speech_columns
    s = speech_columns(c)
    pose[:, 1] = np.radians(s[:, 1])  # yaw in degrees = z-scored loudness
    m = style_matrix([replace(c, pose=pose)])
    assert m.shape == (len(ROW_NAMES), len(SPEECH_NAMES))
    pitch, yaw = ROW_NAMES.index("pitch angle"), ROW_NAMES.index("yaw angle")
    assert m[pitch, 0] == pytest.approx(3.0 * pause.mean(), abs=1e-4)
    assert m[pitch, SPEECH_NAMES.index("pause")] == pytest.approx(3.0 - 3.0 * pause.mean(), abs=1e-4)
    assert m[yaw, SPEECH_NAMES.index("loudness")] == pytest.approx(1.0, abs=1e-3)  # var of a z-score
    still = style_matrix([replace(c, pose=np.zeros_like(pose))])
    assert np.abs(still).max() == 0.0


def test_retrieval_picks_the_style_a_take_was_drawn_from(clips):
    names, matrices, spread = speaker_matrices(clips)
    bank = StyleBank.build(names, matrices, spread)
    for s in range(SPEAKERS):
        take = [synthetic_clip(s, k) for k in (10, 11)]  # clips not in the bank
        assert bank.names[bank.retrieve(style_matrix(take))] == f"spk{s}"
    assert StyleBank.from_json(bank.to_json()).retrieve(style_matrix([synthetic_clip(2, 12)])) == 2


def test_posegpt_learns_and_output_length_equals_speech(run, clips, encoder):
    figures = run.info["figures"]
    assert figures["gpt_loss_every_100_steps"][-1] < np.log(CONFIG.vq.codes)  # below a uniform guess
    for frames in (37, 50, 81):  # not multiples of 4; 81 frames = 21 codes: three segments of at most 8
        clip = synthetic_clip(1, 20, frames)
        pose = run.generate(encoder, TINY.window, clip, 1)
        assert pose.shape == (frames, 3) and np.isfinite(pose).all()
        assert np.array_equal(pose, run.generate(encoder, TINY.window, clip, 1))  # greedy: deterministic


def test_run_folder_round_trips(run, encoder, tmp_path):
    run.save(tmp_path / "run")
    back = PoseRun.load(tmp_path / "run")
    clip = synthetic_clip(3, 21, 60)
    assert np.array_equal(back.generate(encoder, TINY.window, clip, 2), run.generate(encoder, TINY.window, clip, 2))
    assert back.bank.names == run.bank.names
    info = json.loads((tmp_path / "run" / "run.json").read_text())
    info["styles"]["names"] = info["styles"]["names"][:-1]
    (tmp_path / "run" / "run.json").write_text(json.dumps(info))
    with pytest.raises(ValueError, match=r"run.json: matrices: expected \[3, 9, 7\] but got \[4, 9, 7\]"):
        PoseRun.load(tmp_path / "run")


def test_a_missing_run_is_refused_by_name(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not a pose adapter run"):
        pose_main(["export", "--run", str(tmp_path), "--out", str(tmp_path / "onnx")])


@pytest.mark.skipif(ort_java.find_jar() is None, reason="java or the onnxruntime jar is missing")
def test_onnx_runtime_matches_pytorch(run, encoder, tmp_path):
    report = export_run(run, tmp_path, check=True)
    assert report["gpt_max_abs_diff"] < 1e-4 and report["decoder_max_abs_diff"] < 1e-4 and report["argmax_agrees"]
    manifest = json.loads((tmp_path / "pose.json").read_text())
    assert manifest["codes"] == CONFIG.vq.codes and manifest["styles"]["names"] == run.bank.names
    # Greedy decoding through the step graph, code by code, gives PyTorch's codes and pose.
    from parley.pose.data import audio_features
    from parley.pose.train import padded_pcm
    clip = synthetic_clip(0, 30, 24)
    feats = audio_features(encoder, padded_pcm(clip, 4), TINY.window)[None]
    style = np.eye(SPEAKERS, dtype=np.float32)[[0]]
    tokens = np.array([[run.gpt.start]], np.int64)
    for _ in range(feats.shape[1] // 4):
        logits = ort_java.run(tmp_path / "pose_gpt.onnx", {"tokens": tokens, "audio_features": feats,
                                                           "style": style})[0]["logits"]
        tokens = np.concatenate([tokens, logits[:, -1].argmax(-1)[:, None].astype(np.int64)], 1)
    expected = run.gpt.generate(torch.from_numpy(feats), torch.from_numpy(style), feats.shape[1] // 4).numpy()
    assert np.array_equal(tokens[:, 1:], expected)
    pose = ort_java.run(tmp_path / "pose_decoder.onnx", {"codes": tokens[:, 1:]})[0]["pose"][0, : clip.frames]
    assert np.abs(pose - run.generate(encoder, TINY.window, clip, 0)).max() < 1e-4


def test_top_k_sampling_draws_other_codes_than_greedy(run, encoder):
    clip = synthetic_clip(2, 22, 64)
    greedy = run.generate(encoder, TINY.window, clip, 2)
    draws = [run.generate(encoder, TINY.window, clip, 2, top_k=8, seed=s) for s in range(3)]
    assert all(d.shape == (64, 3) for d in draws)
    assert np.array_equal(draws[0], run.generate(encoder, TINY.window, clip, 2, top_k=8, seed=0))  # seeded
    assert not all(np.array_equal(d, greedy) for d in draws)
    assert not np.array_equal(draws[0], draws[1]) or not np.array_equal(draws[1], draws[2])


def test_winners_follow_the_documented_rules():
    from parley.pose.evaluate import ADAPTER, DIFFUSION, TRUTH, winners
    base = {"ba": 0.7, "div_samples_deg": 1.0, "div_clips_deg": 4.0, "d_mean_deg": 1.0, "d_std_deg": 1.0,
            "d_speed_deg_s": 1.0, "d_velocity_std_deg_s": 1.0}
    adapter = {**base, "ba": 0.8, "d_mean_deg": 2.0, "div_clips_deg": 5.0, "d_std_deg": 0.5}
    diffusion = {**base, "div_clips_deg": 2.0}
    w = winners({ADAPTER: adapter, DIFFUSION: diffusion, TRUTH: {**base, "div_clips_deg": 4.0}})
    assert w["ba"] == ADAPTER and w["d_mean_deg"] == DIFFUSION and w["d_std_deg"] == ADAPTER
    assert w["div_clips_deg"] == ADAPTER  # |5 - 4| < |2 - 4|: nearer the ground truth's
    assert w["div_samples_deg"] == DIFFUSION  # a tie is not a win


def test_a_run_of_another_audio_encoder_is_refused(tmp_path):
    from pathlib import Path
    from parley.pose.cli import check_pack, encoder_identity
    pack = Path(__file__).resolve().parents[1] / "packs" / "parley-base-v1"
    man = json.loads((pack / "manifest.json").read_text())
    ident = encoder_identity(pack, man)
    assert check_pack(tmp_path, ident, pack, man) == ident
    with pytest.raises(ValueError, match=rf"pack.audioEncoderSha256: expected {ident['audioEncoderSha256']} .* "
                                         rf"but got {'ab' * 32}"):
        check_pack(tmp_path, {**ident, "audioEncoderSha256": "ab" * 32}, pack, man)
