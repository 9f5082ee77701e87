"""The motion layout is declared once (parley.layout) and agrees with what Java reads: the head spec and the pack."""
import json
import tokenize
from pathlib import Path

import numpy as np

from parley import layout
from parley.corpus.phones import PHONES
from parley.head.components import JOINT_NAMES, N_EXPRESSION

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "assets" / "Models" / "ParleyHead" / "ParleyHead.spec.json"
MANIFEST = REPO / "models" / "packs" / "parley-base-v1" / "manifest.json"
JAVA_LAYOUT = REPO / "plugin" / "src" / "main" / "java" / "dev" / "parley" / "head" / "MotionLayout.java"


def test_committed_head_spec_and_pack_carry_the_python_layout():
    # Java's MotionLayout.read builds its slices from exactly these JSON objects.
    assert "f.array(node, \"layout\"" in JAVA_LAYOUT.read_text() and "\"offset\"" in JAVA_LAYOUT.read_text()
    for source, motion in ((SPEC, json.loads(SPEC.read_text())["motion"]),
                           (MANIFEST, json.loads(MANIFEST.read_text())["motion"])):
        assert (motion["dim"], motion["fps"]) == (layout.MOTION_DIM, layout.MOTION_FPS), source
        assert motion["layout"] == layout.layout_json(), source
    audio = json.loads(MANIFEST.read_text())["audio"]
    assert (audio["sampleRate"], audio["samplesPerFrame"]) == (layout.SAMPLE_RATE, layout.SAMPLES_PER_FRAME)


def test_named_slices_follow_the_declaration():
    assert layout.EXPRESSION == slice(0, N_EXPRESSION)
    assert (layout.JAW, layout.HEAD) == (slice(50, 53), slice(53, 56))
    assert layout.FACE == slice(0, layout.JAW.stop) and layout.JAW_OPEN == 50
    assert layout.SAMPLES_PER_FRAME * layout.MOTION_FPS == layout.SAMPLE_RATE


def test_bilabial_codes_are_p_b_m_as_the_pack_was_trained():
    assert layout.BILABIAL_CODES == (16, 26, 29)
    assert sorted(PHONES[c] for c in layout.BILABIAL_CODES) == ["B", "M", "P"]


def test_flame_pose_puts_jaw_and_head_on_their_joints():
    m = np.arange(2 * layout.MOTION_DIM, dtype=np.float32).reshape(2, -1)
    pose = layout.flame_pose(m)
    neck, jaw = JOINT_NAMES.index("neck"), JOINT_NAMES.index("jaw")
    np.testing.assert_array_equal(pose[:, 3 * neck:3 * neck + 3], m[:, layout.HEAD])
    np.testing.assert_array_equal(pose[:, 3 * jaw:3 * jaw + 3], m[:, layout.JAW])
    assert np.count_nonzero(pose) == np.count_nonzero(m[:, 50:56])  # root and eyes at rest
    assert not layout.flame_pose(m, head_pose=False)[:, 3 * neck:3 * neck + 3].any()


def _code_tokens(path: Path) -> list[tokenize.TokenInfo]:
    """The file's tokens without comments and strings (docstrings may say "[T, 56]")."""
    with path.open("rb") as f:
        return [t for t in tokenize.tokenize(f.readline) if t.type in (tokenize.NAME, tokenize.NUMBER, tokenize.OP)]


def test_no_other_module_declares_the_layout():
    # The constants live in parley/layout.py only; literal offsets elsewhere would drift from it.
    names = {"SAMPLE_RATE", "SAMPLES_PER_FRAME", "MOTION_DIM", "MOTION_FPS", "MOTION_LAYOUT", "BILABIAL_CODES", "JAW",
             "HEAD", "FACE", "SLICES", "_SLICES", "_SL"}
    found = []
    for f in sorted((REPO / "models" / "parley").rglob("*.py")):
        if f.name == "layout.py":
            continue
        toks = _code_tokens(f)
        for i, t in enumerate(toks):
            prev, nxt = toks[i - 1].string if i else "", toks[i + 1].string if i + 1 < len(toks) else ""
            if t.string in names and t.start[1] == 0 and nxt in ("=", ":"):
                found.append(f"{f.name}:{t.start[0]}: declares {t.string}")
            in_subscript = prev in ("[", ":", ",") and nxt in ("]", ":", ",") and prev + nxt != ",,"
            if t.type == tokenize.NUMBER and (t.string in ("53", "56", "640", "16000")
                                              or t.string == "50" and in_subscript):
                found.append(f"{f.name}:{t.start[0]}: literal {t.string}")
    assert found == []
