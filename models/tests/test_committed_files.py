"""Committed artifacts carry no path of the machine that built them."""
import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ARTIFACT_DIRS = ("models/packs", "docs", "assets")
# A POSIX absolute path, a home-relative one or a Windows drive path.
MACHINE_PATH = re.compile(r"^(/[^/\s]+/|~/|[A-Za-z]:[\\/])|(^|[\s=:'\"])/(work|root|home|tmp|Users|mnt)/")


def _strings(node, where):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(k, f"{where}.{k}")
            yield from _strings(v, f"{where}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _strings(v, f"{where}[{i}]")
    elif isinstance(node, str):
        yield where, node


def machine_paths(path: Path) -> list[str]:
    """'field: value' for each string in the JSON file that holds an absolute machine path."""
    return [f"{where}: {s}" for where, s in _strings(json.loads(path.read_text()), "$") if MACHINE_PATH.search(s)]


def test_the_detector_finds_machine_paths(tmp_path):
    f = tmp_path / "m.json"
    f.write_text(json.dumps({"a": {"data": "/work/corpus/v3"}, "b": ["C:\\Users\\x"], "c": "run in /home/me/x",
                             "d": "~/corpus", "ok": ["Models/ParleyHead/x.glb", "audio_encoder.onnx", "1/25 s",
                                                     "float32 [T, 56]", "https://example.org/a/b"]}))
    assert machine_paths(f) == ["$.a.data: /work/corpus/v3", "$.b[0]: C:\\Users\\x", "$.c: run in /home/me/x",
                                "$.d: ~/corpus"]


def test_committed_json_has_no_machine_paths():
    files = sorted(p for d in ARTIFACT_DIRS for p in (REPO / d).rglob("*.json"))
    assert any(p.name == "manifest.json" for p in files) and any(p.name == "metrics.json" for p in files)
    found = {str(p.relative_to(REPO)): machine_paths(p) for p in files}
    assert {k: v for k, v in found.items() if v} == {}
