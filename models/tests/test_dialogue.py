"""The demo's dialogue lines: a tiny real build (two lines) and the committed set's contract."""
import json
import subprocess

from parley import dialogue


def test_two_lines_become_16k_mono_ogg_and_a_listing(tmp_path):
    cfg = dialogue.DialogueConfig(out=tmp_path, lines=list(dialogue.LINES[:2]))
    entries = dialogue.build(cfg)
    listing = json.loads((tmp_path / "lines.json").read_text())
    assert listing["lines"] == entries and [e["id"] for e in entries] == ["greeting", "question-daughter"]
    for e in entries:
        info = subprocess.run(["soxi", str(tmp_path / e["file"])], capture_output=True, text=True, check=True).stdout
        assert "Vorbis" in info and "16000" in info and "Channels       : 1" in info
        assert 0.5 < e["seconds"] < 8


def test_committed_lines_are_a_dozen_varied_and_small():
    listing = json.loads((dialogue.DEFAULT_OUT / "lines.json").read_text())
    lines = listing["lines"]
    assert len(lines) == len(dialogue.LINES) >= 12
    assert any(line["text"].endswith("?") for line in lines) and any(line["text"].endswith("!") for line in lines)
    assert len({line["voice"].split(":")[0] for line in lines}) == 3  # espeak, flite and festival
    assert sum((dialogue.DEFAULT_OUT / line["file"]).stat().st_size for line in lines) < 500_000
