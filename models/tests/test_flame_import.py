"""``python3 -m parley flame-import`` on a FLAME-format model the test writes: what Parley's head evaluation makes
of the imported head matches FLAME's own evaluation of the model, and a pickle that would run code is refused."""
from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from parley.head.components import JOINT_NAMES, JOINT_PARENTS
from parley.head.flame import load_parley_head, mouth_opening
from parley.head.flame_fixture import COLUMNS, LOWER_ROWS, NECK_ROWS, UPPER_ROWS, flame_fixture, flame_vertices
from parley.head.flame_import import FlameImportError, import_flame
from parley.head.gltf import read_glb
from parley.layout import MOTION_DIM
from parley.safe_pickle import UnsafePickleError

MODELS = Path(__file__).resolve().parents[1]


def _imported_vertices(head, beta, psi, pose):
    t = lambda a: torch.as_tensor(a, dtype=torch.float32)[None]  # noqa: E731
    with torch.no_grad():
        return head(t(beta), t(psi), t(pose))[0].double().numpy()


def _write(path: Path, model: dict, protocol: int = pickle.HIGHEST_PROTOCOL) -> Path:
    path.write_bytes(pickle.dumps(model, protocol=protocol))
    return path


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    d = tmp_path_factory.mktemp("flame")
    model = flame_fixture()
    spec = import_flame(_write(d / "generic_model.pkl", model), d / "out")
    return model, spec, d / "out"


def test_import_writes_a_head_folder(imported):
    model, spec, out = imported
    n = len(model["v_template"])
    assert sorted(p.name for p in out.iterdir()) == \
        ["FlameHead.flame.bin", "FlameHead.glb", "FlameHead.shape.bin", "FlameHead.spec.json"]
    on_disk = json.loads((out / "FlameHead.spec.json").read_text())
    assert on_disk == {k: v for k, v in spec.items() if k != "report"}
    assert spec["mesh"]["vertexCount"] == n and spec["mesh"]["triangleCount"] == len(model["f"])
    assert spec["expression"]["count"] == 50 and spec["shape"]["count"] == 100
    assert [j["name"] for j in spec["joints"]] == list(JOINT_NAMES)
    assert [j["parent"] for j in spec["joints"]] == list(JOINT_PARENTS)
    assert spec["motion"]["dim"] == MOTION_DIM
    np.testing.assert_allclose([j["rest"] for j in spec["joints"]], model["J_regressor"] @ model["v_template"])
    assert (out / "FlameHead.shape.bin").stat().st_size == 4 * 100 * (n + 5) * 3
    assert (out / "FlameHead.flame.bin").stat().st_size == 4 * (50 * 5 * 3 + 36 * n * 3)
    assert spec["report"] == {"identityDropped": 200, "expressionDropped": 50, "verticesOverFourJoints": 0,
                              "largestWeightDropped": 0.0}
    g = read_glb(out / "FlameHead.glb")
    assert g.json["meshes"][0]["extras"]["targetNames"] == [c["target"] for c in spec["expression"]["components"]]
    assert [g.nodes[i]["name"] for i in g.skin(0)["joints"]] == list(JOINT_NAMES)


def test_regions_come_from_the_skinning(imported):
    model, spec, _ = imported
    c, n_face = len(COLUMNS), (len(UPPER_ROWS) + len(LOWER_ROWS)) * len(COLUMNS)
    upper_edge = (len(UPPER_ROWS) - 1) * c  # first vertex of the upper lip's inner row
    lower_edge = len(UPPER_ROWS) * c
    # the seven seam pairs nearest the middle, left to right in x (FLAME's +x is the head's left)
    assert spec["mouthOpening"]["pairs"] == [[upper_edge + k, lower_edge + k] for k in range(2, 9)]
    assert spec["mouthCorners"] == [upper_edge + c - 1, upper_edge]
    eye0 = n_face + len(NECK_ROWS) * c
    assert spec["regions"]["eyeL"] == list(range(eye0, eye0 + 6))
    assert spec["regions"]["eyeR"] == list(range(eye0 + 6, eye0 + 12))
    lips = set(spec["regions"]["lips"])
    assert set(range(upper_edge, upper_edge + c)) | set(range(lower_edge, lower_edge + c)) <= lips
    assert lips == set(spec["regions"]["upperLip"]) | set(spec["regions"]["lowerLip"])
    assert not lips & set(range(n_face, len(model["v_template"])))  # nor neck nor eyes
    assert spec["regions"]["upperFace"] and max(spec["regions"]["upperFace"]) < upper_edge


def test_parley_evaluation_matches_flame(imported):
    # The imported head, through Parley's own head evaluation, against FLAME's LBS on the fixture.
    model, _, out = imported
    head, spec = load_parley_head(out)
    rng = np.random.default_rng(7)
    worst = 0.0
    for case in range(4):
        beta, psi, pose = np.zeros(300), np.zeros(100), np.zeros(15)
        if case > 0:
            beta[:100] = rng.normal(size=100)
            psi[:50] = rng.normal(size=50) * 2
            pose = rng.normal(size=15) * 0.3 * case / 3
        ref = flame_vertices(model, beta, psi, pose)
        got = _imported_vertices(head, beta[:100], psi[:50], pose)
        worst = max(worst, float(np.abs(got - ref).max()))
        # the pose correctives and the expression's pull on the joints are part of what matches
        assert case == 0 or np.abs(ref - flame_vertices(model, beta, psi, np.zeros(15))).max() > 1e-3
    assert worst < 1e-6, f"max vertex difference {worst:.3g} m"
    # the mouth measure of the spec: closed at rest, open when the jaw opens
    v = torch.as_tensor(np.stack([flame_vertices(model, np.zeros(300), np.zeros(100), np.zeros(15)),
                                  flame_vertices(model, np.zeros(300), np.zeros(100),
                                                 np.r_[0, 0, 0, 0, 0, 0, 0.2, 0, 0, 0, 0, 0, 0, 0, 0])]))
    rest, opened = mouth_opening(v, spec).tolist()
    assert rest < spec["mouthOpening"]["closedBelow"] < opened


def test_chumpy_model_imports_the_same(imported, fake_chumpy, tmp_path):
    # FLAME 2020's pickles: Python 2 protocol, chumpy arrays for the template, blendshapes and weights.
    model, spec, out = imported
    ch = {k: fake_chumpy(x=model[k], _dirty_vars={"x"}, _itr=None, _depends_on_deps={}, _make_dense=False,
                         _make_sparse=False) for k in ("v_template", "shapedirs", "weights")}
    again = import_flame(_write(tmp_path / "generic_model.pkl", {**model, **ch}, protocol=2), tmp_path / "out")
    assert again == spec
    for name in ("FlameHead.glb", "FlameHead.shape.bin", "FlameHead.flame.bin"):
        assert (tmp_path / "out" / name).read_bytes() == (out / name).read_bytes(), name


class _System:
    """Unpickling this runs ``os.system(command)``: what a crafted file does."""

    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return os.system, (self.command,)


def test_malicious_model_is_refused_and_does_not_run(tmp_path):
    marker = tmp_path / "ran"
    model = flame_fixture()
    model["weights"] = _System(f"touch {marker}")  # hidden in an otherwise valid model
    path = _write(tmp_path / "generic_model.pkl", model, protocol=2)
    with pytest.raises(UnsafePickleError, match="posix.system"):
        import_flame(path, tmp_path / "in-process")
    cli = subprocess.run([sys.executable, "-m", "parley", "flame-import", str(path), "--out", str(tmp_path / "out")],
                         cwd=MODELS, capture_output=True, text=True, timeout=120)
    assert cli.returncode == 1, cli.stdout + cli.stderr
    assert str(path) in cli.stderr and "refused to load" in cli.stderr and "'posix.system'" in cli.stderr
    assert not marker.exists()
    assert not (tmp_path / "out").exists() and not (tmp_path / "in-process").exists()
    pickle.loads(pickle.dumps(_System(f"touch {marker}")))  # the control: plain pickle does run it
    assert marker.exists()


@pytest.mark.parametrize("field, value, message", [
    ("shapedirs", np.zeros((5, 3, 150)), r"'shapedirs' has shape 5x3x150, expected \d+x3x\?"),
    ("kintree_table", np.array([[-1, 0, 0, 1, 1], [0, 1, 2, 3, 4]]), r"'kintree_table' has parents \[-1, 0, 0, 1, 1\]"),
    ("J_regressor", None, r"field 'J_regressor' is missing"),
])
def test_a_model_that_is_not_flame_names_the_field(tmp_path, field, value, message):
    model = flame_fixture()
    if value is None:
        del model[field]
    else:
        model[field] = value
    with pytest.raises(FlameImportError, match=message):
        import_flame(_write(tmp_path / "m.pkl", model), tmp_path / "out")
    assert not (tmp_path / "out").exists()
