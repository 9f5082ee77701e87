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
import scipy.sparse as sp
import torch

from parley.head.components import JOINT_NAMES, JOINT_PARENTS
from parley.head.flame import load_parley_head, mouth_opening
from parley.head.flame_import import FlameImportError, import_flame
from parley.head.gltf import read_glb
from parley.layout import MOTION_DIM
from parley.safe_pickle import UnsafePickleError

MODELS = Path(__file__).resolve().parents[1]
COLUMNS = np.linspace(-0.05, 0.05, 11)
UPPER_ROWS = (0.06, 0.045, 0.03, 0.015, 0.0002)  # the last is the upper lip's inner edge
LOWER_ROWS = (-0.0002, -0.015, -0.03, -0.045)  # the first is the lower lip's inner edge
NECK_ROWS = (-0.06, -0.075)
EYES = ((0.03, 0.035, 0.07), (-0.03, 0.035, 0.07))  # FLAME's left eye (+x), then the right


def _grid(rows, z):
    return np.array([[x, y, z(x)] for y in rows for x in COLUMNS])


def _quads(first_row, n_rows):
    c = len(COLUMNS)
    out = []
    for r in range(first_row, first_row + n_rows - 1):
        for k in range(c - 1):
            a, b = r * c + k, r * c + k + 1
            out += [[a, a + c, b], [b, a + c, b + c]]
    return out


def flame_fixture(seed: int = 0) -> dict:
    """A small FLAME-format model: a face with a closed mouth, a neck, two eyeballs; FLAME's field layout
    (shapedirs 300 + 100 components, posedirs for 4 joints, a sparse J_regressor, kintree_table, weights)."""
    rng = np.random.default_rng(seed)
    face = lambda x: 0.09 - 6 * x * x  # noqa: E731
    c = len(COLUMNS)
    parts = [_grid(UPPER_ROWS, face), _grid(LOWER_ROWS, face), _grid(NECK_ROWS, lambda x: 0.02 - 2 * x * x)]
    octa = np.array([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]]) * 0.012
    parts += [octa + e for e in EYES]
    v = np.concatenate(parts)
    n = len(v)
    n_face = len(UPPER_ROWS) * c + len(LOWER_ROWS) * c
    eye0 = n_face + len(NECK_ROWS) * c
    faces = _quads(0, len(UPPER_ROWS)) + _quads(len(UPPER_ROWS), len(LOWER_ROWS) + len(NECK_ROWS))
    octa_faces = [[0, 2, 4], [2, 1, 4], [1, 3, 4], [3, 0, 4], [2, 0, 5], [1, 2, 5], [3, 1, 5], [0, 3, 5]]
    faces += [[eye0 + 6 * e + i for i in f] for e in range(2) for f in octa_faces]

    w = np.zeros((n, 5))
    upper = slice(0, len(UPPER_ROWS) * c)
    lower = slice(len(UPPER_ROWS) * c, n_face)
    w[upper, 1] = 1 - rng.uniform(0, 0.3, len(UPPER_ROWS) * c)  # neck, some root
    w[upper, 0] = 1 - w[upper, 1]
    w[lower, 2] = rng.uniform(0.7, 1.0, len(LOWER_ROWS) * c)  # jaw, then neck and root: three influences
    w[lower, 1] = (1 - w[lower, 2]) * 0.6
    w[lower, 0] = 1 - w[lower, 2] - w[lower, 1]
    w[n_face:eye0, 0], w[n_face:eye0, 1] = 0.6, 0.4
    w[eye0:eye0 + 6, 3] = 1
    w[eye0 + 6:, 4] = 1

    # Joints regressed as FLAME's are: convex combinations of vertices (inside the head, and the eye centres).
    neck_ids = np.arange(n_face, eye0)
    rows, cols, vals = [], [], []
    for j in range(3):
        pick = rng.choice(neck_ids, 4, replace=False)
        share = rng.uniform(0.5, 1.5, 4)
        rows += [j] * 4
        cols += list(pick)
        vals += list(share / share.sum())
    for e in range(2):
        rows += [3 + e] * 6
        cols += list(range(eye0 + 6 * e, eye0 + 6 * e + 6))
        vals += [1 / 6] * 6
    jreg = sp.csc_matrix((vals, (rows, cols)), shape=(5, n))
    return {"v_template": v, "f": np.array(faces, dtype=np.uint32),
            "shapedirs": rng.normal(size=(n, 3, 400)) * 1e-3, "posedirs": rng.normal(size=(n, 3, 36)) * 1e-3,
            "J_regressor": jreg, "kintree_table": np.array([[4294967295, 0, 1, 1, 1], [0, 1, 2, 3, 4]]),
            "weights": w, "bs_style": "lbs", "bs_type": "lrotmin"}


# ---------------------------------------------------------------- FLAME's evaluation, written out in numpy

def _rotation(aa: np.ndarray) -> np.ndarray:
    angle = np.linalg.norm(aa)
    if angle < 1e-12:
        return np.eye(3)
    k = aa / angle
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + np.sin(angle) * K + (1 - np.cos(angle)) * K @ K


def flame_vertices(model: dict, beta: np.ndarray, psi: np.ndarray, pose: np.ndarray) -> np.ndarray:
    """FLAME's LBS in float64: shape and expression blendshapes, joints regressed from that mesh, pose
    correctives on (R - I) of the non-root joints, then skinning down the kinematic tree."""
    v_t, sd = np.asarray(model["v_template"]), np.asarray(model["shapedirs"])
    n = len(v_t)
    v_shaped = v_t + sd @ np.concatenate([beta, psi])
    J = model["J_regressor"] @ v_shaped
    R = np.stack([_rotation(pose[3 * j:3 * j + 3]) for j in range(5)])
    feature = (R[1:] - np.eye(3)).reshape(-1)
    v_posed = v_shaped + (model["posedirs"].reshape(n * 3, -1) @ feature).reshape(n, 3)
    parents = model["kintree_table"][0]
    G = np.zeros((5, 4, 4))
    for j in range(5):
        local = np.eye(4)
        local[:3, :3] = R[j]
        local[:3, 3] = J[j] - (J[parents[j]] if j else 0)
        G[j] = local if j == 0 else G[parents[j]] @ local
    A = G.copy()
    A[:, :3, 3] -= np.einsum("jab,jb->ja", G[:, :3, :3], J)
    T = np.einsum("nj,jab->nab", np.asarray(model["weights"]), A)
    return np.einsum("nab,nb->na", T[:, :3, :3], v_posed) + T[:, :3, 3]


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
