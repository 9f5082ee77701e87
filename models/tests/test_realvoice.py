"""Real voices: pocketsphinx alignment of real hedgewars lines, the phone mapping, the split rule, the dataset.

These tests need Debian's hedgewars-data, pocketsphinx and pocketsphinx-en-us (scripts/setup-debian.sh);
without them they fail and say so, rather than skip.
"""
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from parley.corpus.phones import PHONES, SIL, map_symbol
from parley.realvoice import lines
from parley.realvoice.align import AlignConfig, align, decode_audio
from parley.realvoice.dataset import RealVoices, build
from parley.model.randomise import pitch_shift as randomise_pitch_shift
from parley.realvoice.probe import SPHINX_NAME

CFG = AlignConfig()


@pytest.fixture(scope="module")
def tools():
    missing = [b for b in ("pocketsphinx_batch", "sox") if shutil.which(b) is None]
    missing += [str(p) for p in (CFG.model_dir / CFG.acoustic_model, lines.VOICES_DIR / "Default") if not p.exists()]
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: run scripts/setup-debian.sh (hedgewars-data, pocketsphinx, "
                    "pocketsphinx-en-us, sox)")


def test_every_pocketsphinx_phone_maps_to_the_corpus_set(tools):
    dict_phones = set()
    for line in (CFG.model_dir / CFG.dictionary).read_text().splitlines():
        dict_phones.update(line.split()[1:])
    assert len(dict_phones) == 39
    for p in dict_phones:
        assert map_symbol(p, "pocketsphinx") == (p,) and p in PHONES
    fillers = [line.split()[1] for line in (CFG.model_dir / CFG.acoustic_model / "noisedict").read_text().splitlines()]
    assert fillers and all(map_symbol(f, "pocketsphinx") == (SIL,) for f in fillers)
    assert map_symbol("AX", "pocketsphinx") is None  # not a phone of this model


def test_alignment_of_a_real_hedgewars_line(tools):
    pcm = decode_audio(lines.VOICES_DIR / "Default" / "Comeonthen.ogg")
    assert len(pcm) == 20032 and np.array_equal(pcm, decode_audio(lines.VOICES_DIR / "Default" / "Comeonthen.ogg"))
    # As decoded (0 cents) the alignment fits the file's energy; pitched down 400 cents pocketsphinx puts
    # "then" 0.26 s later, so with every pitch shift no second alignment agrees and the file is dropped.
    both = align([("Default__Comeonthen", pcm, "come on then")])["Default__Comeonthen"]
    assert isinstance(both, str) and "[disagreement]" in both, both
    got = align([("Default__Comeonthen", pcm, "come on then")], AlignConfig(pitch_shifts=(0,)))["Default__Comeonthen"]
    assert not isinstance(got, str), got
    assert got.quality.disagreement is None and got.quality.loud_silence < 0.1 and not got.quality.clipped
    assert [w.word for w in got.words] == ["come", "on", "then"]
    starts = [w.start for w in got.words]
    assert starts == sorted(starts) and all(w.end > w.start for w in got.words)
    # The file is cut tight: "come" starts at once; a -46 dB dip at 0.67-0.70 s is the /dh/ of "then".
    assert starts[0] < 0.1 and 0.55 < starts[2] < 0.8 and got.words[2].end <= len(pcm) / 16000
    come = [p.phone for p in got.words[0].phones]
    assert come == ["K", "AH", "M"]
    m = got.words[0].phones[2]
    assert 0.25 < m.start < m.end < 0.55  # the nasal murmur: voiced, low energy and centroid at 0.30-0.44 s
    assert got.phones[0].start == 0.0 and got.phones[-1].end == pytest.approx(len(pcm) / 16000)
    assert all(a.end == pytest.approx(b.start) for a, b in zip(got.phones, got.phones[1:]))


def test_a_file_that_does_not_fit_its_words_fails_with_a_reason(tools):
    pcm = decode_audio(lines.VOICES_DIR / "Default" / "Drat.ogg")  # 0.4 s cannot hold a long sentence
    got = align([("x", pcm, "reinforcements this one is mine you'll regret that")])["x"]
    assert isinstance(got, str) and ("returned" in got or "outside the file" in got)


def test_split_rule_keeps_independent_packs_out_of_dev_and_eval():
    assert not set(lines.DEV_PACKS) & set(lines.INDEPENDENT_PACKS)
    for pack in lines.INDEPENDENT_PACKS:
        assert {lines.split_of(pack, s) for s in lines.TRANSCRIPTS} == {"independent"}
    for pack in lines.DEV_PACKS:
        assert {lines.split_of(pack, s) for s in lines.TRANSCRIPTS} == {"dev", "eval"}
    by_stem = {s: {lines.split_of(p, s) for p in lines.DEV_PACKS} for s in lines.TRANSCRIPTS}
    assert all(len(v) == 1 for v in by_stem.values())  # a sentence is dev or eval in every pack
    with pytest.raises(ValueError, match="Default_es"):
        lines.split_of("Default_es", "Hello")


def test_every_stem_on_disk_is_transcribed_or_skipped_with_a_reason(tools):
    for pack in lines.DEV_PACKS + lines.INDEPENDENT_PACKS:
        for stem, _ in lines.pack_lines(pack):
            reason = lines.skip_reason(stem)
            assert reason is None or reason != "no transcript for this file name", f"{pack}/{stem}"


def test_dataset_written_and_read_back(tools, tmp_path):
    root = tmp_path / "voices"
    for pack, stem in (("Default", "Bugger"), ("Default", "Laugh"), ("Default", "Boring"), ("Default", "Firstblood"),
                       ("British", "Hello")):
        (root / pack).mkdir(parents=True, exist_ok=True)
        shutil.copy(lines.VOICES_DIR / pack / f"{stem}.ogg", root / pack)
    man = build(tmp_path / "ds", ["Default", "British"], root, log=lambda _: None)
    assert man["skipped"] == [{"id": "Default__Laugh", "reason": lines.SKIPPED["Laugh"]}]
    assert {c["id"]: c["split"] for c in man["clips"]} == {"Default__Bugger": "eval", "British__Hello": "independent"}
    # Dropped with the reason: "boring" is four bursts of voice; "first blood" is pushed off the file's start
    # at its best pitch shift, and the other shifts leave most of "blood" in silence.
    dropped = {d["id"]: d["reason"] for d in man["dropped"]}
    assert set(dropped) == {"Default__Boring", "Default__Firstblood"}
    assert "[bursts] 4 bursts of voice for 2 syllable(s)" in dropped["Default__Boring"]
    assert "[clipped] F ER S squashed" in dropped["Default__Firstblood"]
    by_check = man["quality"]["dropped_by_check"]["dev"]
    assert by_check["bursts"] == 1 and by_check["clipped"] == 1 and man["yield"]["dev"] == {"aligned": 0, "dropped": 2}
    data = RealVoices(tmp_path / "ds")
    (bugger,) = data.clips("eval")
    assert data.ids("dev") == [] and bugger.text == "bugger" and bugger.audio.dtype == np.float32
    assert [p.phone for p in bugger.words[0].phones] == ["B", "AH", "G", "ER"]
    fp = bugger.frame_phones()
    assert len(fp) == bugger.n_frames and PHONES.index("B") in fp.tolist()
    kept = json.loads((tmp_path / "ds" / "clips" / "Default__Bugger.json").read_text())["quality"]
    assert kept["disagreement_s"] <= 0.04 and kept["loud_silence"] <= 0.25 and kept["clipped"] == []
    with pytest.raises(ValueError, match="unknown real-voice split 'test'"):
        data.ids("test")


# ------------------------------------------------------------------ metrics and probe
def _seg(phone, start, end):
    from parley.corpus.phones import PhoneSeg
    return PhoneSeg(phone, start, end)


def _line():
    """'bam' (its /b/ cut off at the file's start, /m/ after a vowel), a pause, 'kit', 1 s = 25 frames."""
    from parley.realvoice.align import WordSeg
    bam = [_seg("B", 0.0, 0.0), _seg("AE", 0.0, 0.3), _seg("M", 0.3, 0.4)]
    kit = [_seg("K", 0.6, 0.68), _seg("IH", 0.68, 0.8), _seg("T", 0.8, 0.9)]
    phones = bam + [_seg("SIL", 0.4, 0.6)] + kit + [_seg("SIL", 0.9, 1.0)]
    return phones, [WordSeg("bam", 0.0, 0.4, bam), WordSeg("kit", 0.6, 0.9, kit)]


def test_phone_frames_widen_by_one_frame_and_keep_a_cut_phone():
    from parley.realvoice.metrics import phone_frames
    assert list(phone_frames(0.3, 0.4, 35)) == [6, 7, 8, 9, 10]  # 0.3-0.4 s lies in frames 7-9; +-1 frame
    assert list(phone_frames(0.0, 0.0, 35)) == [0]
    assert list(phone_frames(1.4, 1.5, 35)) == [34]


def test_real_voice_metrics_on_constructed_motion_through_the_head():
    from parley.layout import JAW
    from parley.model.evaluate import HeadMetrics
    from parley.realvoice.metrics import score_clip

    head = HeadMetrics()
    phones, words = _line()
    closed_mm = head.closed_below * 1000.0

    def gaps(jaw):
        m = np.zeros((len(jaw), 56), np.float32)
        m[:, JAW.start] = jaw
        return head.opening(head.vertices(m, np.zeros(100, np.float32))).numpy()

    good = np.zeros(35)  # silence and the tail at rest (gap 0 mm: closed, not pressed)
    good[1:7] = good[15:22] = 0.1  # open on the vowel and on "kit"; closed at frame 0 (/b/), 7-14 (/m/, pause)
    s = score_clip(gaps(good), phones, words, 25, closed_mm).summary()
    assert (s["closure"], s["closure_m_after_voiced"], s["closure_initial_bilabial"]) == (1.0, 1.0, 1.0)
    assert (s["bilabials"], s["m_after_voiced"], s["initial_bilabials"], s["no_labial_words"]) == (2, 1, 1, 1)
    assert s["false_closure"] == 0.0 and s["silence_pressed"] == 0.0 and s["silence_rest"] == 1.0
    assert s["tail_frames"] == 10 and s["silence_frames"] == 5 + 3 + 10 and s["after_line_frames"] == 3

    bad = np.full(35, 0.1)  # never closes on the bilabials
    bad[18] = 0.0  # closes inside 'kit' (frame centre 0.74 s)
    bad[25:] = -0.05  # pressed after the line
    s = score_clip(gaps(bad), phones, words, 25, closed_mm).summary()
    assert (s["closure"], s["closure_m_after_voiced"], s["closure_initial_bilabial"]) == (0.0, 0.0, 0.0)
    assert s["false_closure"] == 1.0 and s["tail_pressed"] == 1.0 and s["tail_rest"] == 0.0
    assert s["after_line_pressed"] == 0.0 and s["after_line_rest"] == 0.0  # open in the file's last frames
    assert s["silence_pressed"] == pytest.approx(10 / 18)
    # An open mouth (7.8 mm) is neither pressed nor at rest; the pause frames 10-14 are open here.
    assert s["silence_rest"] == 0.0


def test_linear_probe_reads_phones_from_features_and_not_from_shuffled_labels():
    import torch
    from parley.model.audio import LogMel
    from parley.model.config import AudioConfig
    from parley.realvoice.probe import ProbeConfig, accuracy, encode, train_probe

    logmel = LogMel(AudioConfig())

    def encoder(pcm):  # log-mel averaged to 25 fps: a real, frozen feature extractor
        x = logmel(pcm)
        return torch.nn.functional.avg_pool1d(x, 4).transpose(1, 2)

    rng = np.random.default_rng(0)
    freqs = {PHONES.index("AA"): 300.0, PHONES.index("IY"): 2500.0, PHONES.index("S"): 6000.0}
    labels = rng.choice(list(freqs), size=200)
    t = np.arange(640) / 16000
    pcm = np.concatenate([np.sin(2 * np.pi * freqs[k] * t) * 0.3 for k in labels]).astype(np.float32)
    pcm += rng.standard_normal(len(pcm)).astype(np.float32) * 0.01
    feats = encode(encoder, pcm, 200, window=100)
    assert feats.shape == (200, 80)
    probe = train_probe(feats[:100], labels[:100], ProbeConfig(iterations=50))
    assert accuracy(probe, feats[100:], labels[100:])["frame_accuracy"] > 0.95
    shuffled = train_probe(feats[:100], rng.permutation(labels[:100]), ProbeConfig(iterations=50))
    assert accuracy(shuffled, feats[100:], labels[100:])["frame_accuracy"] < 0.7


# ------------------------------------------------------------------ alignment checks against the energy
def _bursts(spans, duration=1.0, sr=16000):
    """A 200 Hz tone at -6 dBFS in each (start, end) span, faint noise (-70 dBFS) elsewhere."""
    rng = np.random.default_rng(0)
    pcm = rng.standard_normal(int(duration * sr)) * 10 ** (-70 / 20)
    t = np.arange(len(pcm)) / sr
    for a, b in spans:
        inside = (t >= a) & (t < b)
        pcm[inside] += 0.7 * np.sin(2 * np.pi * 200 * t[inside])
    return pcm.astype(np.float32)


def test_energy_checks_pass_a_fitting_alignment_and_name_each_failure():
    from parley.realvoice.quality import QualityConfig, measure, problems
    cfg = QualityConfig()
    pcm = _bursts([(0.1, 0.4), (0.5, 0.8)])  # two syllables, a 100 ms closure between them: one burst
    good = [_seg("SIL", 0.0, 0.1), _seg("B", 0.1, 0.13), _seg("AA", 0.13, 0.4), _seg("K", 0.4, 0.5),
            _seg("IY", 0.5, 0.8), _seg("SIL", 0.8, 1.0)]
    q = measure(pcm, good, cfg)
    assert (q.loud_silence, q.loud_stop, q.clipped, q.bursts, q.syllables) == (0, 0, [], 1, 2)
    assert q.quiet_speech == pytest.approx(10 / 70)  # the closure of /k/
    assert problems(q, cfg) == []

    # The words pushed off the file's start (as Default's "first blood" at -800 cents): speech phones of
    # zero length at 0 s, silence over the second burst, a stop over the first vowel.
    pushed = [_seg("B", 0.0, 0.0), _seg("AA", 0.0, 0.01), _seg("K", 0.01, 0.35), _seg("IY", 0.35, 0.5),
              _seg("SIL", 0.5, 1.0)]
    q = measure(pcm, pushed, cfg)
    assert q.clipped == ["AA"]  # the stop /b/ may lie before the file; the vowel may not
    assert q.loud_silence == pytest.approx(30 / 60) and q.loud_stop == pytest.approx(25 / 34)
    assert q.quiet_speech == pytest.approx(20 / 50)  # the lead-in and the closure, aligned as speech
    names = [r.split("]")[0][1:] for r in problems(q, cfg)]
    assert names == ["loud_silence", "quiet_speech", "loud_stop", "clipped"]

    # Four bursts for the same two syllables (as Default's "boring"): the file says more than its name.
    four = _bursts([(0.05, 0.15), (0.32, 0.4), (0.57, 0.75), (0.92, 0.98)])
    q = measure(four, good, cfg)
    assert (q.bursts, q.syllables) == (4, 2) and any(r.startswith("[bursts]") for r in problems(q, cfg))
    # Gaps shorter than burst_gap_s (a stop closure) do not split a burst.
    assert measure(_bursts([(0.1, 0.3), (0.4, 0.6)]), good, cfg).bursts == 1


def test_alignments_at_two_pitch_shifts_compare_by_their_boundaries():
    from parley.realvoice.align import WordSeg
    from parley.realvoice.quality import Quality, boundary_distance, problems
    phones, words = _line()
    later = [WordSeg(w.word, w.start + 0.1, w.end + 0.1, [_seg(p.phone, p.start + 0.1, p.end + 0.1)
                                                         for p in w.phones]) for w in words]
    assert boundary_distance(words, words) == 0.0
    assert boundary_distance(words, later) == pytest.approx(0.1)
    other = [WordSeg("bam", 0.0, 0.5, [_seg("B", 0.0, 0.1), _seg("AA", 0.1, 0.4), _seg("M", 0.4, 0.5)]), words[1]]
    # "bam" has other phones here: its start and end count, not its phones' (mean of |0|, |0.1|, 0, 0, 0, 0)
    assert boundary_distance(words, other) == pytest.approx(0.1 / 6)
    with pytest.raises(ValueError, match="different words"):
        boundary_distance(words, words[:1])
    q = Quality(0.0, 0.0, 0.0, [], 1, 2, disagreement=0.1)
    assert [r.split("]")[0] for r in problems(q)] == ["[disagreement"]
    q.disagreement = 0.03
    assert problems(q) == []


def test_phone_head_accuracy_reads_bilabials_found_and_false():
    import torch
    from parley.realvoice.probe import head_accuracy

    b, m, aa, s = (PHONES.index(p) for p in ("B", "M", "AA", "S"))
    labels = np.array([0, b, m, aa, aa, s, s, s])
    said = np.array([0, b, aa, aa, m, s, aa, s])  # finds 1 of 2 bilabials, calls 1 of 5 others one

    def head(feats):
        return torch.nn.functional.one_hot(torch.from_numpy(said), len(PHONES)).float() + feats[:, :1] * 0

    got = head_accuracy(head, np.zeros((8, 4), np.float32), labels)
    assert got == {"head_speech_frame_accuracy": pytest.approx(4 / 7), "bilabial_found": 0.5, "bilabial_false": 0.2}


def test_phone_probe_job_scores_a_checkpoint_and_a_pack(tools, tmp_path, monkeypatch):
    from parley.__main__ import main as parley_main
    from parley.corpus import build as corpus_build
    from parley.model.config import TINY
    from parley.model.export import export_pack
    from parley.model.network import build_model
    from parley.model.train import save_checkpoint

    corpus_build.build("tiny", tmp_path / "corpus", seed=3, workers=1, quiet=True)
    root = tmp_path / "voices"
    for pack, stem in (("Default", "Bugger"), ("British", "Hello")):
        (root / pack).mkdir(parents=True, exist_ok=True)
        shutil.copy(lines.VOICES_DIR / pack / f"{stem}.ogg", root / pack)
    build(tmp_path / "real", ["Default", "British"], root, log=lambda _: None)
    model = build_model(TINY, 0)
    save_checkpoint(tmp_path / "run" / "last.pt", model, np.zeros(1), np.ones(1))
    export_pack(model, tmp_path / "pack", "tiny", "0.0.0-untrained", seed=0)
    out = tmp_path / "probes.json"
    assert parley_main(["phone-probe", str(tmp_path / "run" / "last.pt"), str(tmp_path / "pack"), "--data",
                        str(tmp_path / "corpus"), "--real-voices", str(tmp_path / "real"), "--train-clips", "4",
                        "--sphinx", "--out", str(out)]) == 0
    got = json.loads(out.read_text())
    assert got["train_clips"] == 4 and list(got["encoders"]) == ["run/last.pt", "pack", SPHINX_NAME]
    ckpt, pack = got["encoders"]["run/last.pt"], got["encoders"]["pack"]
    real = RealVoices(tmp_path / "real")
    (bugger,) = real.clips("eval")
    assert ckpt["real eval"]["frames"] == bugger.n_frames and "real dev" not in ckpt  # dev has no clip here
    assert ckpt["train"]["clips"] == 4
    assert 0.0 <= ckpt["real eval"]["head_speech_frame_accuracy"] <= 1.0
    assert ckpt["real eval"]["bilabial_found"] is not None  # "bugger" opens on its /b/
    assert "head_speech_frame_accuracy" not in pack["real eval"] and pack["corpus heldout"]["frames"] > 0
    sphinx = got["encoders"][SPHINX_NAME]
    assert sphinx["real eval"]["frames"] == bugger.n_frames and sphinx["train"]["clips"] == 4
    assert 0.0 <= sphinx["real eval"]["speech_frame_accuracy"] <= 1.0
    # Pitched down as the aligner tries it: every real line (not the corpus) goes through sox first.
    import parley.model.randomise as randomise
    shifted = []
    monkeypatch.setattr(randomise, "pitch_shift", lambda pcm, cents: shifted.append((len(pcm), cents))
                        or randomise_pitch_shift(pcm, cents))
    assert parley_main(["phone-probe", "--sphinx", "--real-cents", "-400", "--data", str(tmp_path / "corpus"),
                        "--real-voices", str(tmp_path / "real"), "--train-clips", "4", "--out", str(out)]) == 0
    lower = json.loads(out.read_text())
    assert lower["real_cents"] == -400 and got["real_cents"] == 0 and list(lower["encoders"]) == [SPHINX_NAME]
    assert sorted(shifted) == sorted((len(c.audio), -400) for s in ("eval", "independent") for c in real.clips(s))
    assert lower["encoders"][SPHINX_NAME]["real eval"]["frames"] == bugger.n_frames
    assert lower["encoders"][SPHINX_NAME]["corpus heldout"] == sphinx["corpus heldout"]  # TTS is not shifted
    with pytest.raises(SystemExit):  # nothing to probe
        parley_main(["phone-probe", "--data", str(tmp_path / "corpus"), "--real-voices", str(tmp_path / "real"),
                     "--out", str(out)])
