"""Per-speaker quirks in the corpus generator (parley.corpus.quirks): off leaves the motion as it was, on is
deterministic, within the corpus's bounds, and shows on the phone class or moment each habit targets."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from parley.corpus import build, motion, quality
from parley.corpus.dataset import Corpus
from parley.corpus.phones import BILABIALS
from parley.corpus.prosody import detect_accents
from parley.corpus.quirks import LIMITS, ROUNDED, SPREAD, Quirks, sample_quirks
from parley.head.components import expression_index as ix
from parley.layout import JAW_OPEN, SLICES
from parley.model import evaluate
from parley.model.adapt_eval import TWIN

from quirk_lines import line

GOLDEN = Path(__file__).parent / "data" / "quirks-off-golden.npz"  # written by the generator before quirks existed
_MOTION = json.loads((Path(__file__).resolve().parents[1] / "packs" / "parley-base-v1" / "manifest.json").read_text())
PACK_MEAN, PACK_STD = (np.array(_MOTION["motion"][k]) for k in ("mean", "std"))


def frames_of(phones, names, n: int) -> np.ndarray:
    """Frames whose centre lies inside a phone of ``names``."""
    t = (np.arange(n) + 0.5) / 25
    return np.array([i for i in range(n) if any(p.phone in names and p.start <= t[i] <= p.end for p in phones)])


def generate(k: int, quirks: Quirks | None) -> np.ndarray:
    phones, pros, n, text, style = line(k)
    return motion.generate(phones, pros, n, style, np.random.default_rng(k), text=text, quirks=quirks)[0]


def test_quirks_off_leave_the_motion_as_before():
    golden = np.load(GOLDEN)
    for k in range(3):
        plain = generate(k, None)
        np.testing.assert_allclose(plain, golden[f"motion{k}"], rtol=0, atol=1e-6)
        assert np.array_equal(generate(k, Quirks()), plain)  # all-zero quirks are no quirks, bit for bit


def test_quirks_are_deterministic_and_within_the_corpus_bounds():
    assert sample_quirks(np.random.default_rng(3)) == sample_quirks(np.random.default_rng(3))
    assert sample_quirks(np.random.default_rng(3)) != sample_quirks(np.random.default_rng(4))
    strongest = Quirks(**LIMITS)
    opposite = Quirks(**{name: (limit if name == "bilabial_press" else -limit) for name, limit in LIMITS.items()})
    for k in range(3):
        for quirks in (sample_quirks(np.random.default_rng(k)), strongest, opposite):
            m = generate(k, quirks)
            assert np.array_equal(m, generate(k, quirks))
            assert not np.array_equal(m, generate(k, None))
            for name, (vel, acc) in quality.smoothness(m).items():
                assert vel <= quality.MAX_VEL[name] and acc <= quality.MAX_ACC[name], (k, quirks, name)
            for name, value in quality.ranges(m).items():
                assert value <= quality.MAX_ABS[name], (k, quirks, name)
            # Per channel within the corpus's range, in the base pack's normalised units (the corpus's own
            # largest |z| is 9.9, on brow_lower), and the channels the corpus never moves stay as they were.
            z = np.abs((m - PACK_MEAN) / PACK_STD)
            assert z.max() <= 10.0, (k, quirks, int(z.max(0).argmax()))
            still = PACK_STD <= 0.0011
            assert np.array_equal(m[:, still], generate(k, None)[:, still])
            phones, _, n, _, _ = line(k)
            for _, held in motion.bilabial_frames(phones, n):  # the keyed closures still hold
                assert (m[held, ix("lip_close")] >= motion.MotionConfig().closure_lip_close - 1e-6).all()
                assert (m[held, JAW_OPEN] <= motion.MotionConfig().closure_jaw_max + 1e-6).all()


def test_quirks_refuse_values_beyond_their_limits():
    with pytest.raises(ValueError, match=r"Quirks.lopsided: expected a value in \[-0.1, 0.1\] but got 0.3"):
        Quirks(lopsided=0.3)
    with pytest.raises(ValueError, match="Quirks.bilabial_press: expected a value >= 0"):
        Quirks(bilabial_press=-0.1)
    with pytest.raises(ValueError, match="Quirks.iy_spread"):
        Quirks(iy_spread=float("nan"))


def mean_change(k: int, quirks: Quirks, channel: int, frames: np.ndarray) -> float:
    return float((generate(k, quirks)[frames, channel] - generate(k, None)[frames, channel]).mean())


@pytest.mark.parametrize("k", range(3))
def test_each_quirk_shows_where_it_should(k):
    """Each habit at a typical size moves its channel on its phone class or accents, and little elsewhere."""
    phones, pros, n, _, _ = line(k)
    rounded, spread, bilabial = (frames_of(phones, names, n) for names in (ROUNDED, SPREAD, BILABIALS))
    elsewhere = np.setdiff1d(np.arange(n), frames_of(phones, ROUNDED | SPREAD | BILABIALS, n))
    # Rounded vowels round more (or less); the other frames' rounding moves far less.
    more, less = (mean_change(k, Quirks(rounded_vowels=s), ix("lip_round"), rounded) for s in (0.3, -0.3))
    assert more > 0.1 and less < -0.1
    assert abs(mean_change(k, Quirks(rounded_vowels=0.3), ix("lip_round"), elsewhere)) < 0.3 * more
    # /iy/ spreads wider (or narrower).
    wider = mean_change(k, Quirks(iy_spread=0.35), ix("lip_spread"), spread)
    assert wider > 0.07 and mean_change(k, Quirks(iy_spread=-0.35), ix("lip_spread"), spread) < -0.07
    assert abs(mean_change(k, Quirks(iy_spread=0.35), ix("lip_spread"), elsewhere)) < 0.1 * wider
    # The jaw opens more (or less) at accented syllables.
    accents = detect_accents(pros, phones)
    peaks = np.array(sorted({min(int(a.time * 25), n - 1) for a in accents}))
    assert len(peaks) >= 3
    assert mean_change(k, Quirks(stress_jaw=0.3), JAW_OPEN, peaks) > 0.002
    assert mean_change(k, Quirks(stress_jaw=-0.3), JAW_OPEN, peaks) < -0.002
    # One mouth corner stretches as the mouth opens: left for +, right for -.
    plain, left, right = generate(k, None), generate(k, Quirks(lopsided=0.06)), generate(k, Quirks(lopsided=-0.06))
    side = lambda m: m[:, ix("lip_stretch_L")] - m[:, ix("lip_stretch_R")]  # noqa: E731
    opened = np.nonzero(plain[:, JAW_OPEN] > 0.08)[0]
    assert (side(left) - side(plain))[opened].mean() > 0.03 and (side(right) - side(plain))[opened].mean() < -0.03
    # Lips press on p/b/m.
    assert mean_change(k, Quirks(bilabial_press=0.15), ix("lip_press"), bilabial) > 0.1
    assert abs(mean_change(k, Quirks(bilabial_press=0.15), ix("lip_press"), elsewhere)) < 0.05
    # One brow goes up on emphasis (pitch accents; line 1 has stressed syllables only: no brow).
    strong = np.array(sorted({min(int(a.time * 25), n - 1) for a in accents if not a.stressed_only}), int)
    assert len(strong) == (0 if k == 1 else 1)
    if len(strong):
        assert mean_change(k, Quirks(emphasis_brow=0.08), ix("brow_raise_L"), strong) > 0.05
        assert mean_change(k, Quirks(emphasis_brow=-0.08), ix("brow_raise_R"), strong) > 0.05
    assert np.array_equal(generate(k, Quirks(emphasis_brow=0.08)), plain) == (k == 1)


@pytest.fixture(scope="module")
def tiny_pair(tmp_path_factory) -> tuple[Corpus, Corpus]:
    """The tiny preset (seed 7) built without and with quirks."""
    out = tmp_path_factory.mktemp("quirks")
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(build.PRESETS, "tiny-quirks", replace(build.PRESETS["tiny"], quirks=True))
        build.build("tiny", out / "plain", seed=7, workers=1, quiet=True)
        build.build("tiny-quirks", out / "quirks", seed=7, workers=1, quiet=True)
    return Corpus(out / "plain"), Corpus(out / "quirks")


def test_corpus_with_quirks_changes_only_the_motion(tiny_pair):
    """Same plan, audio, styles and phones as without quirks; the motion differs; the quirks are recorded."""
    plain, quirky = tiny_pair
    assert [c["id"] for c in plain.manifest["clips"]] == [c["id"] for c in quirky.manifest["clips"]]
    for sid, spk in quirky.manifest["speakers"].items():
        assert "quirks" not in plain.manifest["speakers"][sid]
        assert Quirks(**spk["quirks"]).active()
        assert {k: v for k, v in spk.items() if k != "quirks"} == plain.manifest["speakers"][sid]
    for a, b in zip(plain.clips(), quirky.clips()):
        assert np.array_equal(a.audio, b.audio) and np.array_equal(a.style, b.style)
        assert np.array_equal(a.frame_phones, b.frame_phones)
        assert "quirks" not in a.meta and b.meta["quirks"] == quirky.manifest["speakers"][b.speaker]["quirks"]
        assert not np.array_equal(a.motion, b.motion)
        assert np.array_equal(a.motion[:, SLICES["head"]], b.motion[:, SLICES["head"]])  # quirks leave the head


def test_twin_scoring_measures_what_the_quirks_move(tiny_pair, tmp_path):
    """evaluate --adapt-twin: the quirky corpus against itself scores 0, against its plain twin more."""
    plain, quirky = tiny_pair
    args = ["--data", str(quirky.root), "--adapt", "2", "--adapt-seconds", "2", "--adapt-test-clips", "2"]
    assert evaluate.main([*args, "--adapt-twin", str(quirky.root), "--out", str(tmp_path / "self.json")]) == 0
    assert evaluate.main([*args, "--adapt-twin", str(plain.root), "--out", str(tmp_path / "twin.json")]) == 0
    same, twin = (json.loads((tmp_path / f).read_text()) for f in ("self.json", "twin.json"))
    assert len(twin["speakers"]) == 2 and list(twin["speakers"]) == list(same["speakers"])
    assert same["means"][TWIN]["lve_mm"] == 0 and same["means"][TWIN]["fdd_mm"] == 0
    assert twin["means"][TWIN]["lve_mm"] > 0.2 and twin["means"][TWIN]["mod_mm"] > 0.05


def test_twin_scoring_refuses_another_corpus(tiny_pair, tmp_path):
    other = tmp_path / "other"
    build.build("tiny", other, seed=8, workers=1, quiet=True)
    with pytest.raises(ValueError, match="other audio than in"):
        evaluate.main(["--data", str(tiny_pair[1].root), "--adapt", "2", "--adapt-seconds", "2",
                       "--adapt-test-clips", "2", "--adapt-twin", str(other), "--out", str(tmp_path / "x.json")])


def test_performers_preset_plans_held_out_speakers_with_quirks():
    personas = build.plan(build.PRESETS["performers"], seed=0)
    speakers = [s for p in personas for s in p.speakers.values()]
    assert len(speakers) >= 10 and all(p.split == "heldout" and build.is_heldout(p.voice) for p in personas)
    assert all(s["quirks"].active() for s in speakers)
    assert all(len([c for c in p.clips if c.speaker == sid]) == 10 for p in personas for sid in p.speakers)
    assert not any("quirks" in s for p in build.plan(build.PRESETS["small"], seed=0) for s in p.speakers.values())
