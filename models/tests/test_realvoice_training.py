"""Real dev lines in the phone pretraining, SpecAugment masks and the wider speed range."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from parley.corpus.phones import PHONES
from parley.layout import SAMPLE_RATE
from parley.model.config import TINY
from parley.model.network import build_model
from parley.model.randomise import SPEEDS, WindowRecipe, draw_chain, spec_masks, speeds_up_to
from parley.model.train import SyntheticDataset, make_batch, motion_stats, phone_step, train_phones
from parley.realvoice.align import write_wav
from parley.realvoice.training import PhoneMix, RealPhoneLines


def _dataset(root, clips: dict[str, str], file_split: dict[str, str] | None = None):
    """A real-voice dataset folder: each clip 'bam', 0.6 s of a tone, in the manifest's split."""
    (root / "clips").mkdir(parents=True)
    t = np.arange(int(0.6 * SAMPLE_RATE)) / SAMPLE_RATE
    for cid, split in clips.items():
        write_wav(root / "clips" / f"{cid}.wav", (0.3 * np.sin(2 * np.pi * 180 * t)).astype(np.float32))
        phones = [("SIL", 0.0, 0.1), ("B", 0.1, 0.16), ("AE", 0.16, 0.4), ("M", 0.4, 0.5), ("SIL", 0.5, 0.6)]
        rec = {"id": cid, "pack": cid.split("__")[0], "stem": cid.split("__")[1],
               "split": (file_split or {}).get(cid, split), "text": "bam",
               "words": [{"word": "bam", "start": 0.1, "end": 0.5, "phones": ["B", "AE", "M"]}],
               "phones": [{"phone": p, "start": s, "end": e} for p, s, e in phones]}
        (root / "clips" / f"{cid}.json").write_text(json.dumps(rec))
    man = {"format": "parley-realvoice", "clips": [{"id": c, "split": s} for c, s in clips.items()]}
    (root / "manifest.json").write_text(json.dumps(man))
    return root


def test_only_dev_lines_are_taken_and_a_mislabelled_clip_is_refused(tmp_path):
    root = _dataset(tmp_path / "a", {"Default__Bam": "dev", "Default__Bim": "eval", "British__Bom": "independent"})
    lines = RealPhoneLines(root)
    assert [it["id"] for it in lines.items] == ["Default__Bam"]
    item = lines[0]
    assert item["pcm"].dtype == np.float32 and item["motion"].shape == (15, item["motion"].shape[1])
    assert PHONES.index("B") in item["phones"].tolist() and abs(item["onset"] - 0.1) < 1e-9
    bad = _dataset(tmp_path / "b", {"Default__Bam": "dev"}, file_split={"Default__Bam": "eval"})
    with pytest.raises(ValueError, match="clip Default__Bam is in split 'eval', expected 'dev'"):
        RealPhoneLines(bad)
    none = _dataset(tmp_path / "c", {"Default__Bim": "eval"})
    with pytest.raises(ValueError, match="no 'dev' lines to train on"):
        RealPhoneLines(none)


def test_phone_mix_draws_real_lines_at_its_share(tmp_path):
    real = RealPhoneLines(_dataset(tmp_path, {"Default__Bam": "dev", "Classic__Bam": "dev"}))
    corpus = SyntheticDataset(30, frames=60, seed=0, n_phones=TINY.audio.n_phones)
    mix = PhoneMix(corpus, real, 0.25)
    rng = np.random.default_rng(0)
    drawn = [mix[int(rng.integers(len(mix)))] for _ in range(4000)]
    share = np.mean([d.get("id", "").startswith(("Default__", "Classic__")) for d in drawn])
    assert abs(share - 0.25) < 0.03, share
    with pytest.raises(ValueError, match="share must be in"):
        PhoneMix(corpus, real, 1.0)


def test_phone_pretraining_on_mixed_real_lines_runs_with_masks(tmp_path):
    real = RealPhoneLines(_dataset(tmp_path, {"Default__Bam": "dev"}))
    corpus = SyntheticDataset(4, frames=120, seed=0, n_phones=TINY.audio.n_phones)
    mean, std = motion_stats(corpus)
    model = build_model(TINY, 0)
    recipe = WindowRecipe(randomise=0.5, spec_augment=True, speed_max=1.5)
    denoiser = {k: v.clone() for k, v in model.denoiser.state_dict().items()}
    hist = train_phones(model, PhoneMix(corpus, real, 0.5), mean, std, 3, seed=0, lr=1e-3, log=lambda _: None,
                        recipe=recipe)
    assert len(hist) == 3 and all(np.isfinite(h["phone"]) for h in hist)
    assert all(torch.equal(v, model.denoiser.state_dict()[k]) for k, v in denoiser.items())


def test_spec_masks_zero_bands_and_spans_within_their_widths():
    m = spec_masks(np.random.default_rng(1), 64, 80, 400, freq_width=12, time_width=10)
    assert m.shape == (64, 80, 400) and set(np.unique(m)) <= {0.0, 1.0}
    for row in m:
        masked_bins = int((row == 0).all(axis=1).sum())
        masked_frames = int((row == 0).all(axis=0).sum())
        assert masked_bins <= 24 and masked_frames <= 20
    assert (m == 0).any() and np.array_equal(m, spec_masks(np.random.default_rng(1), 64, 80, 400))


def test_mel_mask_reaches_the_encoder_and_a_full_mask_changes_nothing():
    model = build_model(TINY, 0).eval()
    pcm = torch.from_numpy(np.random.default_rng(0).normal(0, 0.1, (2, 100 * 640)).astype(np.float32))
    frames = pcm.shape[1] // TINY.audio.hop
    plain = model.audio(pcm)
    assert torch.equal(plain, model.audio(pcm, None, torch.ones(2, TINY.audio.n_mels, frames)))
    half = torch.ones(2, TINY.audio.n_mels, frames)
    half[:, :40] = 0.0
    assert not torch.allclose(plain, model.audio(pcm, None, half))
    batch = {"pcm": pcm, "phones": torch.zeros(2, 100, dtype=torch.int64), "mel_mask": half}
    assert torch.isfinite(phone_step(model, batch)["phone"])


def test_speed_range_widens_only_when_asked():
    assert speeds_up_to(SPEEDS[0]) == SPEEDS
    wide = speeds_up_to(1.5)
    assert max(wide) == pytest.approx(20 / 14) and min(wide) == pytest.approx(20 / 24) and set(SPEEDS) < set(wide)
    with pytest.raises(ValueError, match=r"speed_max must be in \[0.83, 2.0\] but got 3"):
        speeds_up_to(3)
    # The default draws are those of the recipe before the option existed.
    a, b = draw_chain(np.random.default_rng(5)), draw_chain(np.random.default_rng(5), speeds_up_to(SPEEDS[0]))
    assert a.speed == b.speed and a.vtlp == b.vtlp


def test_matching_the_starting_encoder_keeps_clean_features_and_skips_real_rows(tmp_path):
    real = RealPhoneLines(_dataset(tmp_path, {"Default__Bam": "dev"}))
    corpus = SyntheticDataset(4, frames=120, seed=0, n_phones=TINY.audio.n_phones)
    mean, std = motion_stats(corpus)
    recipe = WindowRecipe(randomise=1.0)
    batch = make_batch(PhoneMix(corpus, real, 0.5), TINY, mean, std, np.random.default_rng(2), 16, recipe,
                       for_teacher=True)
    assert set(batch["match"].tolist()) == {0.0, 1.0} and batch["pcm_clean"].shape == batch["pcm"].shape
    assert not torch.equal(batch["pcm_clean"], batch["pcm"])  # the chain ran on some rows
    model = build_model(TINY, 0).eval()
    with torch.no_grad():
        same = phone_step(model, batch, model.audio(batch["pcm"]), 1.0)
        other = phone_step(model, batch, model.audio(batch["pcm_clean"]), 1.0)
    assert float(same["match"]) < 1e-10 and float(other["match"]) > 1e-4  # float rounding only
    assert float(other["total"]) == pytest.approx(float(other["phone"] + other["match"]))
    hist = train_phones(build_model(TINY, 0), corpus, mean, std, 2, seed=0, log=lambda _: None, recipe=recipe,
                        match_weight=1.0)
    assert all(np.isfinite(h["match"]) for h in hist)
