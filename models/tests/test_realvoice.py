"""Real voices: pocketsphinx alignment of real hedgewars lines, the phone mapping, the split rule, the dataset.

These tests need Debian's hedgewars-data, pocketsphinx and pocketsphinx-en-us (scripts/setup-debian.sh);
without them they fail and say so, rather than skip.
"""
import shutil
from pathlib import Path

import numpy as np
import pytest

from parley.corpus.phones import PHONES, SIL, map_symbol
from parley.realvoice import lines
from parley.realvoice.align import AlignConfig, align, decode_audio
from parley.realvoice.dataset import RealVoices, build

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
    got = align([("Default__Comeonthen", pcm, "come on then")])["Default__Comeonthen"]
    assert not isinstance(got, str), got
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
    for pack, stem in (("Default", "Melon"), ("Default", "Laugh"), ("British", "Byebye")):
        (root / pack).mkdir(parents=True, exist_ok=True)
        shutil.copy(lines.VOICES_DIR / pack / f"{stem}.ogg", root / pack)
    man = build(tmp_path / "ds", ["Default", "British"], root, log=lambda _: None)
    assert man["skipped"] == [{"id": "Default__Laugh", "reason": lines.SKIPPED["Laugh"]}]
    assert {c["id"]: c["split"] for c in man["clips"]} == {"Default__Melon": "dev", "British__Byebye": "independent"}
    data = RealVoices(tmp_path / "ds")
    (melon,) = data.clips("dev")
    assert data.ids("eval") == [] and melon.text == "melon" and melon.audio.dtype == np.float32
    assert [p.phone for p in melon.words[0].phones] == ["M", "EH", "L", "AH", "N"]
    fp = melon.frame_phones()
    assert len(fp) == melon.n_frames and PHONES.index("M") in fp.tolist()
    with pytest.raises(ValueError, match="unknown real-voice split 'test'"):
        data.ids("test")
