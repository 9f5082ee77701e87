"""Model pieces: shapes, the log-mel front end, masks, guidance, schedule, samplers, losses."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from parley.model.audio import LogMel, dft_kernels, mel_filterbank
from parley.model.config import TINY, DenoiserConfig, config_from_dict
from parley.model.denoiser import alignment_bias
from parley.model.diffusion import Schedule, condition_dropout, cosine_alphas_cumprod, diffusion_losses
from parley.model.network import build_model
from parley.model.sampler import (BRANCHES, Conditions, ancestral_sample, combine, ddim_sample, ddim_timesteps,
                                  guidance_inputs, guided_x0)
from parley.model.style import nt_xent

CFG = TINY
M, TW, TP = CFG.motion_dim, CFG.window, CFG.previous


@pytest.fixture(scope="module")
def model():
    return build_model(CFG, 0).eval()


def denoiser_inputs(b: int = 2, seed: int = 0, cfg=CFG) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return {
        "x_t": torch.randn(b, cfg.window, M, generator=g), "timestep": torch.randint(0, cfg.diffusion.steps, (b,), generator=g),
        "prev_motion": torch.randn(b, cfg.previous, M, generator=g), "first_window": torch.zeros(b),
        "audio_features": torch.randn(b, cfg.window, cfg.audio.width, generator=g), "audio_mask": torch.ones(b),
        "style": torch.nn.functional.normalize(torch.randn(b, cfg.style.dim, generator=g), dim=-1),
        "style_mask": torch.ones(b), "shape": torch.randn(b, cfg.shape_dim, generator=g),
    }


def test_shapes(model):
    with torch.no_grad():
        for frames in (4, TW):
            assert model.audio(torch.randn(2, frames * 640) * 0.1).shape == (2, frames, CFG.audio.width)
        style = model.style(torch.randn(3, CFG.style.frames, M))
        assert style.shape == (3, CFG.style.dim)
        assert torch.allclose(style.norm(dim=-1), torch.ones(3), atol=1e-5)
        assert model.denoiser(**denoiser_inputs(2)).shape == (2, TW, M)


def test_stft_kernels_match_numpy_fft():
    n_fft = 512
    frame = np.random.default_rng(0).standard_normal(n_fft)
    k = dft_kernels(n_fft)[:, 0].astype(np.float64)
    hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)
    ref = np.fft.rfft(frame * hann)
    bins = n_fft // 2 + 1
    np.testing.assert_allclose(k[:bins] @ frame, ref.real, atol=1e-3)
    np.testing.assert_allclose(k[bins:] @ frame, ref.imag, atol=1e-3)


def test_mel_filters_cover_every_band():
    fb = mel_filterbank(512, 80)
    assert fb.shape == (80, 257)
    assert (fb.max(axis=1) > 0).all()  # no empty filter at this FFT size


def test_logmel_frames_and_per_window_normalisation():
    logmel = LogMel(CFG.audio)
    pcm = torch.randn(1, 16000, generator=torch.Generator().manual_seed(0)) * torch.linspace(0.1, 0.5, 16000)
    out = logmel(pcm)
    assert out.shape == (1, 80, 100)
    assert out.mean(-1).abs().max() < 1e-4
    assert (out.std(-1, unbiased=False) - 1).abs().max() < 1e-3
    # Each call is normalised on its own: scaling the input changes nothing, up to the log floor
    # (which matters in the rare near-empty bins of narrow low-frequency filters).
    assert (logmel(pcm * 0.5) - out).abs().mean() < 1e-3


def test_alignment_bias_structure():
    bias = alignment_bias(3, 5)
    assert bias.shape == (1 + 3 + 5, 5)
    assert (bias[:4] == 0).all()  # person and previous tokens see every audio frame
    assert torch.equal(bias[4:] == 0, torch.eye(5, dtype=torch.bool))


def test_motion_frame_sees_only_its_audio_frame():
    # One layer: self-attention runs before cross-attention, so audio reaches frame t only through
    # its own (masked) cross-attention. Deeper stacks mix it further through later self-attention.
    cfg = replace(CFG, denoiser=replace(CFG.denoiser, layers=1))
    den = build_model(cfg, 1).denoiser.eval()
    inp = denoiser_inputs(1, cfg=cfg)
    with torch.no_grad():
        base = den(**inp)
        for t in (0, 7, TW - 1):
            changed = dict(inp, audio_features=inp["audio_features"].clone())
            changed["audio_features"][0, t] += 1.0
            diff = (den(**changed) - base).abs().amax(dim=-1)[0]
            assert diff[t] > 1e-4
            assert torch.count_nonzero(diff) == 1, f"audio frame {t} reached frames {torch.nonzero(diff).flatten().tolist()}"


@pytest.mark.parametrize("mask,value", [("audio_mask", "audio_features"), ("style_mask", "style"),
                                        ("first_window", "prev_motion")])
def test_null_conditions_ignore_their_input(model, mask, value):
    inp = denoiser_inputs(2)
    other = denoiser_inputs(2, seed=5)[value]
    off = 1.0 if mask == "first_window" else 0.0
    with torch.no_grad():
        a = model.denoiser(**dict(inp, **{mask: torch.full((2,), off)}))
        b = model.denoiser(**dict(inp, **{mask: torch.full((2,), off), value: other}))
        assert torch.equal(a, b)
        c = model.denoiser(**dict(inp, **{mask: torch.full((2,), 1.0 - off)}))
        d = model.denoiser(**dict(inp, **{mask: torch.full((2,), 1.0 - off), value: other}))
        assert (c - d).abs().max() > 1e-4


def test_input_scaling_feeds_the_prior_estimate_of_x0(model):
    """With input_scaling the network sees sqrt(ab_t) x_t: exactly the unscaled network fed that, and at
    the last timestep (pure noise) all but blind to x_t."""
    assert CFG.denoiser.input_scaling
    plain = build_model(replace(CFG, denoiser=replace(CFG.denoiser, input_scaling=False)), 0).denoiser.eval()
    inputs = denoiser_inputs(3)
    inputs["timestep"] = torch.tensor([0, CFG.diffusion.steps // 2, CFG.diffusion.steps - 1])
    ab = torch.from_numpy(cosine_alphas_cumprod(CFG.diffusion.steps)).float()[inputs["timestep"]].reshape(-1, 1, 1)
    other = {**inputs, "x_t": inputs["x_t"] + torch.randn(inputs["x_t"].shape)}
    with torch.no_grad():
        got, moved = model.denoiser(**inputs), model.denoiser(**other)
        torch.testing.assert_close(got, plain(**{**inputs, "x_t": ab.sqrt() * inputs["x_t"]}))
    change = (moved - got).abs().amax(dim=(1, 2))
    assert change[2] < 0.01 * change[0], change


def test_guidance_batch_layout_and_combination(model):
    inp = denoiser_inputs(2)
    cond = Conditions(inp["prev_motion"], inp["first_window"], inp["audio_features"], inp["style"], inp["shape"])
    batch = guidance_inputs(inp["x_t"], 42, cond)
    assert batch["x_t"].shape[0] == 6
    assert batch["timestep"].tolist() == [42] * 6
    assert list(zip(batch["audio_mask"].tolist(), batch["style_mask"].tolist())) == list(BRANCHES) * 2
    assert torch.equal(batch["style"][3], inp["style"][1])
    x0, branches = guided_x0(model.denoiser, inp["x_t"], 42, cond, 1.5, 2.0)
    assert branches.shape == (2, 3, TW, M)
    with torch.no_grad():  # each branch is the plain denoiser with that branch's masks
        solo = model.denoiser(**dict(inp, timestep=torch.tensor([42, 42]), audio_mask=torch.ones(2), style_mask=torch.zeros(2)))
    assert torch.allclose(branches[:, 1], solo, atol=1e-5)
    for wa, ws, k in ((0.0, 0.0, 0), (1.0, 0.0, 1), (1.0, 1.0, 2)):
        assert torch.allclose(combine(branches, wa, ws), branches[:, k], atol=1e-6)
    expected = branches[:, 0] + 1.5 * (branches[:, 1] - branches[:, 0]) + 2.0 * (branches[:, 2] - branches[:, 1])
    assert torch.allclose(x0, expected, atol=1e-6)
    # Rescale: each channel keeps the guided window mean; phi 1 takes the conditional branch's spread
    # over time, phi 0.5 half way between (in the gain), and plain guidance is untouched by phi 0.
    full = combine(branches, 1.5, 2.0, rescale=1.0)
    assert torch.allclose(full.mean(1), expected.mean(1), atol=1e-5)
    assert torch.allclose(full.std(1), branches[:, 2].std(1), atol=1e-5)
    half = combine(branches, 1.5, 2.0, rescale=0.5)
    gain = 0.5 * branches[:, 2].std(1, keepdim=True) / expected.std(1, keepdim=True) + 0.5
    assert torch.allclose(half - half.mean(1, keepdim=True), (expected - expected.mean(1, keepdim=True)) * gain, atol=1e-5)
    assert torch.equal(combine(branches, 1.5, 2.0, rescale=0.0), combine(branches, 1.5, 2.0))
    x0r, _ = guided_x0(model.denoiser, inp["x_t"], 42, cond, 1.5, 2.0, rescale=0.5)
    assert torch.allclose(x0r, half, atol=1e-6)


def test_ddim_timesteps():
    assert ddim_timesteps(500, 10) == [499, 449, 399, 349, 299, 249, 199, 149, 99, 49]
    assert ddim_timesteps(500, 2) == [499, 249]
    assert ddim_timesteps(500, 3) == [499, 333, 166]
    assert ddim_timesteps(500, 500) == list(range(499, -1, -1))
    for bad in (0, 501):
        with pytest.raises(ValueError):
            ddim_timesteps(500, bad)


def test_cosine_schedule():
    ab = Schedule.from_config(replace(CFG.diffusion, steps=500)).alphas_cumprod
    assert ab.dtype == np.float32 and ab.shape == (500,)
    assert (ab > 0).all() and (ab < 1).all() and (np.diff(ab) < 0).all()
    assert ab[0] > 0.999 and ab[-1] < 1e-6
    # alphas_cumprod[t] = f(t + 1) / f(0): the product of (1 - beta) up to and including step t.
    np.testing.assert_allclose(cosine_alphas_cumprod(500)[250], np.cos((251 / 500 + 0.008) / 1.008 * np.pi / 2) ** 2 /
                               np.cos(0.008 / 1.008 * np.pi / 2) ** 2, rtol=1e-6)


def test_ddim_follows_the_contract(model):
    inp = denoiser_inputs(1)
    cond = Conditions(inp["prev_motion"], inp["first_window"], inp["audio_features"], inp["style"], inp["shape"])
    ab = Schedule.from_config(CFG.diffusion).alphas_cumprod
    noise = inp["x_t"]
    trace: list[dict] = []
    out = ddim_sample(model.denoiser, noise, cond, ab, 3, 1.5, 1.5, trace)
    # Redo the update by hand from the traced x0s.
    x = noise.double()
    ts = ddim_timesteps(len(ab), 3)
    for i, step in enumerate(trace):
        assert step["t"] == ts[i]
        a = float(ab[ts[i]])
        a_next = float(ab[ts[i + 1]]) if i + 1 < 3 else 1.0
        eps = (x - a ** 0.5 * step["x0"].double()) / (1 - a) ** 0.5
        x = (a_next ** 0.5 * step["x0"].double() + (1 - a_next) ** 0.5 * eps).float().double()
    assert torch.equal(out, x.float())
    assert torch.equal(out, trace[-1]["x0"])  # the last step lands on x0 exactly
    # Stopping early gives the state that step sees.
    for k in range(3):
        assert torch.equal(ddim_sample(model.denoiser, noise, cond, ab, 3, 1.5, 1.5, stop=k), trace[k]["x_t"])
    with pytest.raises(ValueError, match="stop must be in"):
        ddim_sample(model.denoiser, noise, cond, ab, 3, 1.5, 1.5, stop=3)


def test_ancestral_sampler_runs(model):
    inp = denoiser_inputs(1)
    cond = Conditions(inp["prev_motion"], inp["first_window"], inp["audio_features"], inp["style"], inp["shape"])
    ab = Schedule.from_config(CFG.diffusion).alphas_cumprod
    out = ancestral_sample(model.denoiser, inp["x_t"], cond, ab, 1.5, 1.5, torch.Generator().manual_seed(0))
    assert out.shape == (1, TW, M) and torch.isfinite(out).all()


def test_nt_xent():
    z = torch.nn.functional.normalize(torch.ones(4, 8), dim=-1)
    assert abs(float(nt_xent(z, z, 0.1)) - np.log(7)) < 1e-5  # all equal: uniform over 2B-1 candidates
    eye = torch.eye(4, 8)
    assert float(nt_xent(eye, eye, 0.1)) < 1e-3  # positives match, negatives orthogonal


def test_condition_dropout_rates():
    audio, style = condition_dropout(20000, CFG.train, torch.Generator().manual_seed(0))
    assert abs((1 - audio.mean()) - 0.1) < 0.01
    assert abs((1 - style.mean()) - 0.55) < 0.015
    assert not ((audio == 0) & (style == 1)).any()  # style never kept without audio


def test_losses_vanish_at_the_target_and_skip_first_windows():
    g = torch.Generator().manual_seed(0)
    target, prev = torch.randn(2, TW, M, generator=g), torch.randn(2, TP, M, generator=g)
    valid, first = torch.ones(2, TW), torch.tensor([1.0, 0.0])
    losses = diffusion_losses(target, target, valid, prev, first, CFG.train)
    assert all(float(v) == 0 or k == "smooth" for k, v in losses.items() if k != "total")
    pred = target.clone()
    pred[0, 0, 53:] += 1.0  # a seam error in the first window (no previous window) only
    assert float(diffusion_losses(pred, target, valid, prev, first, CFG.train)["transition"]) == 0
    pred[1, 0, 53:] += 1.0
    assert float(diffusion_losses(pred, target, valid, prev, first, CFG.train)["transition"]) > 0
    invalid = valid.clone()
    invalid[:, 0] = 0  # truncated frames are not scored
    assert float(diffusion_losses(pred, target, invalid, prev, torch.ones(2), CFG.train)["head"]) == 0


def test_config_round_trip():
    assert config_from_dict(CFG.to_dict()) == CFG
    assert isinstance(config_from_dict(CFG.to_dict()).denoiser, DenoiserConfig)
