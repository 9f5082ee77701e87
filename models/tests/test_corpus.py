"""Synthetic corpus: builds the small preset for real and checks the quality items of the issue on it;
the tiny preset serves the manifest, reproducibility and CLI checks."""
from __future__ import annotations

import json
import pickle
import wave
from pathlib import Path

import numpy as np
import pytest

from parley.corpus import build, motion, prosody, quality
from parley.corpus.dataset import Corpus, RealFlameDataset, load_flame_clip
from parley.corpus.phones import BILABIALS, ESPEAK_MAP, PHONES, VOWELS, convert, map_symbol
from parley.corpus.style import Style, sample_style
from parley.corpus.text import load_lines
from parley.head.components import expression_index
from parley.layout import HEAD, JAW_OPEN, SAMPLES_PER_FRAME

ASSETS = Path(__file__).resolve().parents[2] / "assets" / "Models" / "ParleyHead"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Corpus:
    out = tmp_path_factory.mktemp("corpus") / "tiny"
    build.build("tiny", out, seed=7, workers=2, quiet=True)
    return Corpus(out)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Corpus:
    out = tmp_path_factory.mktemp("corpus") / "small"
    build.build("small", out, seed=7, workers=2, quiet=True)
    return Corpus(out)


@pytest.fixture(scope="module")
def clips(small):
    """The quality checks run on the small preset (~0.3 h, 30 speakers, all engines)."""
    return list(small.clips())


def test_manifest_summary_and_splits(tiny):
    m = tiny.manifest
    s = m["summary"]
    assert s["engines"] == ["espeak", "festival", "flite"]
    assert s["clips"] == len(m["clips"]) == len(list((tiny.root / "clips").glob("*.npz")))
    assert s["speakers"] == 8 and s["hours"] > 0
    assert m["splits"]["heldout"], "tiny preset holds out some voices"
    held = {v["voice"] for v in m["speakers"].values() if v["split"] == "heldout"}
    seen = {v["voice"] for v in m["speakers"].values() if v["split"] != "heldout"}
    assert held and not (held & seen)
    assert all(build.is_heldout(build.tts.Voice(*v.split(":", 1))) for v in held)
    # speakers are in exactly one split, and all of a persona's speakers share it
    ids = [i for sp in m["splits"].values() for i in sp]
    assert len(ids) == len(set(ids)) == s["speakers"]


def test_shapes_durations_and_no_nans(clips):
    for c in clips:
        T = c.n_frames
        assert c.motion.shape == (T, 56)
        assert len(c.audio) == T * SAMPLES_PER_FRAME
        assert np.isfinite(c.motion).all() and np.isfinite(c.audio).all()
        assert c.beta.shape == (100,) and c.style.shape == (len(Style().vector()),)
        assert len(c.frame_phones) == T and len(c.meta["f0"]) == T
        assert c.phones[0].start == pytest.approx(0.0, abs=0.05)
        assert c.phones[-1].end == pytest.approx(c.duration, abs=1e-3)
        assert all(p.end > p.start for p in c.phones)
        assert any(p.phone in VOWELS for p in c.phones)


def test_lip_closure_at_bilabial_midpoints(clips):
    close, jaw = expression_index("lip_close"), JAW_OPEN
    n = 0
    for c in clips:
        for mid in quality.bilabial_mid_frames(c):
            n += 1
            assert c.motion[mid, close] >= 1.0
            assert c.motion[mid, jaw] <= 0.08
            assert (c.motion[mid, motion.OPENERS] <= 0.05 + 1e-6).all()
    assert n >= 10
    # ...and the mouth is open on vowels: closure is specific to p/b/m
    vj, vc = [], []
    for c in clips:
        for p in c.phones:
            if p.phone in ("AA", "AE", "AH", "AO", "AY", "AW") and p.end - p.start > 0.06:
                i = int(0.5 * (p.start + p.end) * 25)
                vj.append(c.motion[i, jaw])
                vc.append(c.motion[i, close])
    assert np.mean(vj) > 0.09 and np.mean(vc) < 0.2


def test_audio_aligned_with_phones(clips):
    # Stop closures of p/b are near-silent in the audio; vowels are loud.
    b, v = [], []
    for c in clips:
        pb, pv = quality.energy_alignment(c)
        if np.isfinite(pb):
            b.append(pb)
        v.append(pv)
    assert np.median(b) < np.median(v) - 6.0


def test_nothing_jumps(clips):
    for c in clips:
        for name, (vel, acc) in quality.smoothness(c.motion).items():
            assert vel <= quality.MAX_VEL[name], (c.id, name, vel)
            assert acc <= quality.MAX_ACC[name], (c.id, name, acc)
        for name, x in quality.ranges(c.motion).items():
            assert x <= quality.MAX_ABS[name], (c.id, name, x)


def test_rate_limiter_keeps_held_frames_and_compliant_curves():
    # A strong speaker's lip_close: wide open, a one-frame "b" keyed shut, wide open again.
    x = np.array([-0.9, -0.9, -0.9, 1.05, -0.9, -0.9, -0.9, -0.9])
    held = np.zeros(len(x), bool)
    held[3] = True
    y = motion.limit_rates(x, held, 0.9, 1.05)
    assert y[3] == 1.05
    assert np.abs(np.diff(y)).max() <= 0.9 + 1e-6 and np.abs(np.diff(y, 2)).max() <= 1.05 + 1e-6
    smooth = np.sin(np.linspace(0, 3, 50)) * 0.5
    assert np.array_equal(motion.limit_rates(smooth, np.zeros(50, bool), 0.9, 1.05), smooth)
    s = motion.soft_limit(np.array([-3.0, -1.0, 0.5, 1.2, 1.4, 9.0]), 1.2, 1.5)
    assert s[1] == -1.0 and s[2] == 0.5 and s[3] == 1.2
    assert 1.2 < s[4] < 1.4 and s[5] <= 1.5 and s[0] >= -1.5


def test_style_latents_drive_motion_statistics(clips):
    c = max(clips, key=lambda c: c.n_frames)
    pros = prosody.analyse(c.audio, 16000)
    rng = np.random.default_rng(0)
    styles = [sample_style(rng) for _ in range(24)]
    jaw_mean, head_std = [], []
    for k, st in enumerate(styles):
        m, _ = motion.generate(c.phones, pros, c.n_frames, st, np.random.default_rng(k), c.meta["text"])
        jaw_mean.append(np.percentile(m[:, JAW_OPEN], 90))
        h = m[:, HEAD]
        head_std.append(np.sqrt(((h - h.mean(0)) ** 2).sum(1).mean()))

    def spearman(a, b):
        ra, rb = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
        return np.corrcoef(ra, rb)[0, 1]

    assert spearman([s.mouth_open for s in styles], jaw_mean) > 0.8
    assert spearman([s.head_amp for s in styles], head_std) > 0.6
    # Same style, same audio, different seeds: stochastic parts differ, lips do not.
    st = Style()
    m1, _ = motion.generate(c.phones, pros, c.n_frames, st, np.random.default_rng(1), c.meta["text"])
    m2, _ = motion.generate(c.phones, pros, c.n_frames, st, np.random.default_rng(2), c.meta["text"])
    assert not np.allclose(m1[:, HEAD.start:], m2[:, HEAD.start:])
    assert np.allclose(m1[:, JAW_OPEN], m2[:, JAW_OPEN])


def test_build_is_reproducible(tiny, tmp_path):
    out = tmp_path / "again"
    build.build("tiny", out, seed=7, workers=1, quiet=True)
    again = Corpus(out)
    # Two workers vs one: each worker renders personas in a different order, so any
    # per-process state (e.g. libc rand() inside the TTS libraries) would show here.
    assert again.clip_ids() == tiny.clip_ids()
    assert again.manifest["clips"] == tiny.manifest["clips"]
    for cid in tiny.clip_ids():
        a, b = np.load(tiny.path(cid)), np.load(again.path(cid))
        for k in a.files:
            assert np.array_equal(a[k], b[k]), (cid, k)


@pytest.mark.skipif(not (ASSETS / "ParleyHead.spec.json").exists(), reason="head assets not built yet")
def test_heldout_voice_closure_on_head(small):
    hc = quality.HeadCloser()
    closed = total = 0
    for c in small.clips("heldout"):
        k, n, _ = hc.closure(c)
        closed, total = closed + k, total + n
    assert total > 0 and closed / total >= 0.95


def test_tts_output_does_not_depend_on_history():
    # espeak-ng keeps state across utterances; a batch must give the same audio whatever
    # was synthesised before it (else corpus builds depend on the worker's history).
    from parley.corpus import tts
    x = tts.SynthRequest("Maybe we should bring the map back home.", tts.Voice("espeak", "en-gb-x-rp+linda"), 0.94, -3.4)
    y = tts.SynthRequest("Where did you put it?", tts.Voice("espeak", "en-us-nyc+steph"), 1.1, 2.0)
    f = tts.SynthRequest(x.text, tts.Voice("flite", "slt"), 0.9)
    a = tts.synthesize([x, f])
    tts.synthesize([y, y, x, tts.SynthRequest(y.text, f.voice)])
    b = tts.synthesize([x, f])
    for r1, r2 in zip(a, b):
        assert np.array_equal(r1.audio, r2.audio) and r1.raw == r2.raw
    assert any(p.phone == "M" for p in a[0].phones) and any(p.phone == "M" for p in a[1].phones)


def test_phone_mapping_and_text():
    assert set(p for v in ESPEAK_MAP.values() for p in v) <= set(PHONES)
    for sym in ("@", "aI@", "tS", "_:", "3:", "n-"):
        assert map_symbol(sym, "espeak")
    assert map_symbol(";", "espeak") is None
    segs = convert([("pau", 0, 0.2), ("hh", 0.2, 0.3), ("el", 0.3, 0.5), ("pau", 0.5, 0.7), ("h#", 0.7, 0.8)], "festival")
    assert [s.phone for s in segs] == ["SIL", "HH", "AH", "L", "SIL"]
    assert segs[-1].end == pytest.approx(0.8)
    lines = load_lines()
    assert len(lines) > 5000
    assert any(s.endswith("?") for s in lines) and any(s.endswith("!") for s in lines)


def _write_wav(path: Path, x: np.ndarray, sr: int) -> None:
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(sr)
        f.writeframes((x * 32767).astype("<i2").tobytes())


def test_real_flame_loader(tmp_path):
    rng = np.random.default_rng(0)
    T = 60
    # DiffPoseTalk-style npz at 30 fps: exp [T,100], pose [T,6] = head then jaw, shape [T,300], inline audio.
    exp = rng.normal(size=(T, 100)).astype(np.float32)
    pose = np.zeros((T, 6), np.float32)
    pose[:, 0] = 0.1
    pose[:, 3] = np.linspace(0, 0.2, T)
    sr = 22050
    audio = (0.1 * np.sin(np.arange(int(T / 30 * sr)) * 0.05)).astype(np.float32)
    np.savez(tmp_path / "a.npz", exp=exp, pose=pose, shape=rng.normal(size=(T, 300)), fps=30,
             audio=(audio * 32767).astype(np.int16), sample_rate=sr)
    c = load_flame_clip(tmp_path / "a.npz")
    assert c.motion.shape == (50, 56)  # 2 s at 25 fps
    assert len(c.audio) == 50 * SAMPLES_PER_FRAME
    assert c.beta.shape == (100,)
    np.testing.assert_allclose(c.motion[:, HEAD.start], 0.1, atol=1e-5)
    assert c.motion[-1, JAW_OPEN] > 0.18 and c.motion[0, JAW_OPEN] < 0.02
    # pkl with FLAME's full pose [T,15] (root, neck, jaw, eyes) and a WAV next to it, at 25 fps.
    full = np.zeros((T, 15), np.float32)
    full[:, 0] = 0.05
    full[:, 3] = 0.07
    full[:, 6] = 0.12
    with open(tmp_path / "b.pkl", "wb") as f:
        pickle.dump({"exp": exp[:, :50], "pose": full, "shape": np.zeros(100)}, f)
    _write_wav(tmp_path / "b.wav", np.zeros(T * 640 + 100, np.float32), 16000)
    c2 = load_flame_clip(tmp_path / "b.pkl")
    assert c2.motion.shape == (T, 56) and len(c2.audio) == T * SAMPLES_PER_FRAME
    np.testing.assert_allclose(c2.motion[:, HEAD.start], 0.12, atol=1e-5)  # root and neck compose
    np.testing.assert_allclose(c2.motion[:, JAW_OPEN], 0.12, atol=1e-6)
    np.testing.assert_allclose(c2.motion[:, :50], exp[:, :50], atol=1e-6)
    ds = RealFlameDataset(tmp_path)
    assert len(ds) == 2 and [x.motion.shape[1] for x in ds] == [56, 56]


def test_real_flame_loader_rejects_bad_input(tmp_path):
    np.savez(tmp_path / "noexp.npz", pose=np.zeros((4, 6)))
    with pytest.raises(ValueError, match="no expression sequence"):
        load_flame_clip(tmp_path / "noexp.npz")
    np.savez(tmp_path / "badpose.npz", exp=np.zeros((4, 50)), pose=np.zeros((4, 7)), audio=np.zeros(640 * 4, np.int16))
    with pytest.raises(ValueError, match=r"pose must be \[T,6\] or \[T,15\]"):
        load_flame_clip(tmp_path / "badpose.npz")
    np.savez(tmp_path / "noaudio.npz", exp=np.zeros((4, 50)), pose=np.zeros((4, 6)))
    with pytest.raises(FileNotFoundError, match="no inline 'audio'"):
        load_flame_clip(tmp_path / "noaudio.npz")
    with pytest.raises(FileNotFoundError, match="not a Parley corpus"):
        Corpus(tmp_path)


def test_quality_cli_and_plots(tiny, tmp_path, capsys):
    from parley.corpus import plots
    assert quality.main([str(tiny.root), "--split", "heldout"]) == 0
    out = capsys.readouterr().out
    assert "bilabial closure (heldout):" in out
    closed, total = map(int, out.split(":")[1].split("=")[0].split("/"))
    assert total > 0 and closed / total >= 0.95
    assert plots.main(["--corpus", str(tiny.root), "--out", str(tmp_path)]) == 0
    for name in ("corpus-clip.png", "corpus-styles.png"):
        png = (tmp_path / name).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    with pytest.raises(SystemExit):
        plots.main(["--corpus", str(tmp_path), "--out", str(tmp_path)])


def test_short_clips_stay_in_range(clips):
    # Sway noise on a clip shorter than the sway period must not blow up (it once
    # normalised by the sample std, sending heads of sub-second clips to hundreds of degrees).
    from parley.corpus.phones import PhoneSeg
    for c in clips:
        for name, x in quality.ranges(c.motion).items():
            assert x <= quality.MAX_ABS[name], (c.id, name, x)
    rng = np.random.default_rng(3)
    for k in range(40):
        n = int(rng.integers(3, 30))
        dur = n / 25
        phones = [PhoneSeg("SIL", 0, 0.2 * dur), PhoneSeg("M", 0.2 * dur, 0.4 * dur), PhoneSeg("AA", 0.4 * dur, dur)]
        audio = (0.1 * np.sin(np.arange(n * SAMPLES_PER_FRAME) * 0.07)).astype(np.float32)
        st = sample_style(rng)
        st.head_amp, st.head_freq = 2.2, 0.5
        m, _ = motion.generate(phones, prosody.analyse(audio, 16000), n, st, np.random.default_rng(k))
        head_dev = np.abs(m[:, HEAD]
                          - np.deg2rad([st.head_pitch_bias, st.head_yaw_bias, st.head_roll_bias])).max()
        assert head_dev < np.deg2rad(25), (n, np.rad2deg(head_dev))
        for name, x in quality.ranges(m).items():
            assert x <= quality.MAX_ABS[name] + (abs(np.deg2rad(max(abs(st.head_pitch_bias), abs(st.head_yaw_bias)))) if name == "head" else 0), (n, name, x)
