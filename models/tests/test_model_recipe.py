"""Pack 2.0's training: randomised audio, the window recipe (rest after a line, tight starts), phone
pretraining and resumable runs."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from parley.layout import FACE, HEAD, SAMPLE_RATE
from parley.model.audio import mel_filterbank, warped_filterbank
from parley.model.config import TINY
from parley.model.network import build_model
from parley.model.randomise import (SPEEDS, WindowRecipe, apply_chain, draw_chain, pitch_shift, rest_pose,
                                    resample_speed)
import parley.model.train as train_module
from parley.model.train import (SyntheticDataset, main as train_main, make_batch, motion_stats, phone_step,
                                read_checkpoint, recipe_window, train_denoiser, train_phones)

CFG = TINY
SPF = 640


def _clip(frames: int = 60, seed: int = 0) -> tuple[dict, np.ndarray, np.ndarray]:
    data = SyntheticDataset(1, frames=frames, seed=seed, n_phones=CFG.audio.n_phones)
    mean, std = motion_stats(data)
    return data[0], mean, std


def test_warped_filterbank_hears_formants_scaled():
    plain = mel_filterbank(512, 80)
    assert np.array_equal(warped_filterbank(1.0, 512, 80), plain)
    for alpha in (0.85, 1.2):
        warped = warped_filterbank(alpha, 512, 80)
        for hz in (500.0, 1500.0, 3000.0):
            # A tone at f through the warped filters lands where a tone at alpha f lands in the plain ones.
            got = int(np.argmax(warped[:, int(round(hz / 31.25))]))
            want = int(np.argmax(plain[:, int(round(alpha * hz / 31.25))]))
            assert abs(got - want) <= 1, (alpha, hz, got, want)


def test_audio_chain_keeps_length_and_is_deterministic():
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    x = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    outs = []
    for _ in range(2):
        rng = np.random.default_rng(5)
        outs.append([apply_chain(x, draw_chain(rng), rng) for _ in range(12)])
    for a, b in zip(*outs):
        assert a.shape == x.shape and a.dtype == np.float32 and np.isfinite(a).all() and np.abs(a).max() <= 1.0
        assert np.array_equal(a, b)
    assert any(not np.allclose(a, x, atol=1e-3) for a in outs[0])
    assert len(resample_speed(x, 1.25)) == round(len(x) / 1.25)


def _f0(x: np.ndarray) -> float:
    """The strongest spectral peak of a tone, in Hz."""
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.argmax(spec) * SAMPLE_RATE / len(x))


def test_pitch_shift_moves_pitch_at_constant_tempo():
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    x = (0.3 * np.sin(2 * np.pi * 200 * t)).astype(np.float32)
    up = pitch_shift(x, 700)  # a fifth up: 200 Hz -> 300 Hz, same duration
    assert up.shape == x.shape
    assert abs(_f0(up[2000:-2000]) - 200 * 2 ** (700 / 1200)) < 4.0
    assert pitch_shift(x, 0) is x


def test_pitch_draws_only_when_asked_and_leave_the_other_effects_alone():
    rng_a, rng_b = np.random.default_rng(9), np.random.default_rng(9)
    a = [draw_chain(rng_a) for _ in range(40)]
    b = [draw_chain(rng_b, SPEEDS, 0) for _ in range(40)]
    assert [repr(c) for c in a] == [repr(c) for c in b] and all(c.pitch_cents == 0 for c in a)
    cents = []
    for seed in range(40):  # a chain's other effects are drawn before its pitch: the same as without
        c, d = draw_chain(np.random.default_rng(seed)), draw_chain(np.random.default_rng(seed), SPEEDS, 1100)
        assert repr(replace(d, pitch_cents=0)) == repr(c)
        cents.append(d.pitch_cents)
    shifted = [c for c in cents if c != 0]
    assert 8 <= len(shifted) <= 32 and all(-300 <= c <= 1100 for c in shifted)


def test_windows_past_the_line_end_relax_to_the_speakers_rest():
    clip, mean, std = _clip()
    rest = np.zeros(56, np.float32)
    rest[FACE] = 2.0  # far from anything the clip does
    clip = dict(clip, rest=rest * std + mean, pcm=np.full_like(clip["pcm"], 0.1))  # audible to its last sample
    cfg = replace(CFG, train=replace(CFG.train, p_first_window=0.0, p_truncate=0.0))
    recipe = WindowRecipe(p_tail=1.0)
    for seed in range(4):
        w = recipe_window(clip, cfg, mean, std, np.random.default_rng(seed), recipe)
        n = int(np.flatnonzero(w["phones"] >= 0).size)  # synthetic phones: all known, silence is 0 too
        assert w["valid"].all() and n == cfg.window
        audio = np.flatnonzero(np.abs(w["pcm"]) > 0)
        end = (audio[-1] // SPF + 1) if len(audio) else 0
        assert 0 < end < cfg.window  # the line ends inside the window; digital silence follows
        gap = np.abs(w["motion"][end:, FACE] - 2.0).max(1)
        assert np.all(np.diff(gap) <= 1e-6) and gap[-1] < 0.5 * gap[0] + 1e-6  # relaxing towards rest
        assert np.allclose(w["motion"][end:, HEAD], w["motion"][end - 1, HEAD])  # the head holds still


def test_truncated_windows_score_their_silence_only_with_rest_truncation():
    clip, mean, std = _clip()
    cfg = replace(CFG, train=replace(CFG.train, p_first_window=0.0, p_truncate=1.0))
    off = recipe_window(clip, cfg, mean, std, np.random.default_rng(3), WindowRecipe(p_tail=1e-9))
    on = recipe_window(clip, cfg, mean, std, np.random.default_rng(3), WindowRecipe(p_tail=1e-9, rest_truncation=True))
    n = int(off["valid"].sum())
    assert 0 < n < cfg.window and (off["phones"][n:] == -1).all() and on["valid"].all()
    assert np.array_equal(off["pcm"], on["pcm"]) and not on["pcm"][n * SPF:].any()


def test_tight_starts_begin_on_the_first_phone():
    clip, mean, std = _clip(frames=80)
    onset = 0.3
    clip = dict(clip, onset=onset)
    cfg = replace(CFG, train=replace(CFG.train, p_first_window=1.0, p_truncate=0.0))
    for seed in range(4):
        w = recipe_window(clip, cfg, mean, std, np.random.default_rng(seed), WindowRecipe(p_tight_start=1.0))
        assert w["first_window"] == 1 and not w["prev"].any()
        # The window's audio is the clip's from at most half a frame before the onset.
        hits = [s for s in range(int(onset * SAMPLE_RATE) - SPF // 2, int(onset * SAMPLE_RATE) + 1)
                if np.array_equal(w["pcm"][:SPF], clip["pcm"][s:s + SPF])]
        assert len(hits) == 1, seed
        # Its motion is the clip's at the same time (interpolated between frames).
        s0 = hits[0] / SPF
        pos = s0 + np.arange(3)
        lo = np.floor(pos).astype(int)
        norm = (clip["motion"] - mean) / std
        want = norm[lo] + (norm[lo + 1] - norm[lo]) * (pos - lo)[:, None]
        assert np.allclose(w["motion"][:3], want, atol=2e-3)


def test_without_a_recipe_batches_are_those_of_packs_1x():
    data = SyntheticDataset(3, frames=60, n_phones=CFG.audio.n_phones)
    mean, std = motion_stats(data)
    a = make_batch(data, CFG, mean, std, np.random.default_rng(1), 4)
    b = make_batch(data, CFG, mean, std, np.random.default_rng(1), 4, WindowRecipe())
    assert set(a) == set(b) and "vtlp" not in a and all(torch.equal(a[k], b[k]) for k in a)


def test_teacher_audio_only_in_batches_a_teacher_reads(monkeypatch):
    """Regression: every recipe batch stacked a clean copy of its audio (``pcm_clean``) and ``match``,
    though only teacher-matched phone pretraining reads them; the other keys must not change."""
    data = SyntheticDataset(3, frames=80, n_phones=CFG.audio.n_phones)
    mean, std = motion_stats(data)
    recipe = WindowRecipe(randomise=1.0)
    plain = make_batch(data, CFG, mean, std, np.random.default_rng(4), 6, recipe)
    taught = make_batch(data, CFG, mean, std, np.random.default_rng(4), 6, recipe, for_teacher=True)
    assert set(taught) - set(plain) == {"pcm_clean", "match"} and all(torch.equal(plain[k], taught[k]) for k in plain)

    seen: dict[str, set[str]] = {}

    def spy(name, step):
        def wrapped(model, *args, **kwargs):
            batch = args[1] if name == "denoiser" else args[0]
            seen[name] = set(batch)
            return step(model, *args, **kwargs)
        monkeypatch.setattr(train_module, f"{name}_step", wrapped)

    spy("denoiser", train_module.denoiser_step)
    spy("phone", train_module.phone_step)
    train_denoiser(build_model(CFG, 0), data, mean, std, 1, log=lambda _: None, recipe=recipe)
    assert seen["denoiser"] == set(plain)
    train_phones(build_model(CFG, 0), data, mean, std, 1, log=lambda _: None, recipe=recipe)
    assert seen["phone"] == set(plain)
    train_phones(build_model(CFG, 0), data, mean, std, 1, log=lambda _: None, recipe=recipe, match_weight=1.0)
    assert seen["phone"] == set(taught)


def test_rest_pose_reads_deep_silence():
    motion = np.zeros((20, 56), np.float32)
    motion[:, 0] = np.arange(20)
    phones = np.zeros(20, np.int64)
    phones[8:12] = 5
    assert rest_pose(motion, phones)[0] == pytest.approx(np.mean([0, 1, 2, 3, 4, 15, 16, 17, 18, 19]))


def test_phone_pretraining_learns_the_phones_and_leaves_the_denoiser():
    data = SyntheticDataset(6, frames=60, n_phones=CFG.audio.n_phones)
    mean, std = motion_stats(data)
    model = build_model(CFG, 0)
    denoiser = {k: v.clone() for k, v in model.denoiser.state_dict().items()}
    batch = make_batch(data, CFG, mean, std, np.random.default_rng(7), 6)
    with torch.no_grad():
        before = float(phone_step(model.eval(), batch)["phone"])
    history = train_phones(model, data, mean, std, steps=40, lr=3e-3, log_every=0,
                           recipe=WindowRecipe(randomise=0.5))
    with torch.no_grad():
        after = phone_step(model, batch)
    assert float(after["phone"]) < 0.7 * before and len(history) == 40
    assert all(torch.equal(v, model.denoiser.state_dict()[k]) for k, v in denoiser.items())

    encoder = {k: v.clone() for k, v in model.audio.state_dict().items() if not k.startswith("phone_head.")}
    train_phones(model, data, mean, std, steps=3, lr=3e-3, log_every=0, head_only=True)
    assert all(torch.equal(v, model.audio.state_dict()[k]) for k, v in encoder.items())


def _run(out, steps: int) -> list[str]:
    return ["--config", "tiny", "--synthetic", "4", "--style-steps", "3", "--steps", str(steps),
            "--schedule-steps", "6", "--phone-steps", "2", "--randomise", "0.5", "--tail", "0.2",
            "--checkpoint-every", "2", "--resume", "--seed", "2", "--out", str(out)]


def test_an_interrupted_run_resumes_bit_for_bit(tmp_path):
    assert train_main(_run(tmp_path / "straight", 6)) == 0
    # "Interrupted" after 4 of 6 steps (its resume file is from step 2), then the full command again.
    assert train_main(_run(tmp_path / "resumed", 4)) == 0
    assert train_main(_run(tmp_path / "resumed", 6)) == 0
    a, b = read_checkpoint(tmp_path / "straight" / "last.pt"), read_checkpoint(tmp_path / "resumed" / "last.pt")
    assert a["complete"] and b["complete"] and a["steps"] == b["steps"] == 6
    assert all(torch.equal(v, b["state_dict"][k]) for k, v in a["state_dict"].items())
    assert "resumed after step 2" in (tmp_path / "resumed" / "train.log").read_text()
    # A complete run is not redone.
    stamp = (tmp_path / "resumed" / "last.pt").stat().st_mtime_ns
    assert train_main(_run(tmp_path / "resumed", 6)) == 0
    assert (tmp_path / "resumed" / "last.pt").stat().st_mtime_ns == stamp


@pytest.mark.parametrize("args, message", [
    (["--randomise", "1.5"], "--randomise must be in [0, 1] but got 1.5"),
    (["--tail", "-0.1"], "--tail must be in [0, 1] but got -0.1"),
    (["--phone-steps", "-3"], "--phone-steps must be >= 0 but got -3"),
    (["--pitch-max", "3000"], "--pitch-max must be in [0, 2400] cents but got 3000"),
])
def test_train_cli_refuses_bad_recipes(tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as exit_info:
        train_main(["--config", "tiny", "--synthetic", "2", "--steps", "1", "--out", str(tmp_path / "run"), *args])
    assert exit_info.value.code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "run").exists()
