"""A FLAME-format model written by code, FLAME's own evaluation of it, and the Java fixture made from it.

Parley cannot ship FLAME, so the importer (:mod:`parley.head.flame_import`) is tested on this: a small face with a
closed mouth, a neck and two eyeballs, in FLAME's field layout (shapedirs 300 + 100 components, posedirs for 4
joints, a sparse J_regressor, kintree_table, weights). :func:`flame_vertices` is FLAME's LBS written out in numpy.

``cd models && /usr/bin/python3 -m parley.head.flame_fixture`` writes the imported fixture and its golden poses
for the Java tests (plugin/src/test/resources/FlameFixture/, golden/flame-fixture-pose.json).
"""
from __future__ import annotations

import argparse
import json
import pickle
import tempfile
from pathlib import Path

import numpy as np
import scipy.sparse as sp

REPO = Path(__file__).resolve().parents[3]
JAVA_FIXTURE = REPO / "plugin/src/test/resources/FlameFixture"
JAVA_GOLDEN = REPO / "plugin/src/test/resources/golden/flame-fixture-pose.json"
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


def rotation(aa: np.ndarray) -> np.ndarray:
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
    R = np.stack([rotation(pose[3 * j:3 * j + 3]) for j in range(5)])
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




def write_java_fixture(out: Path = JAVA_FIXTURE, golden_out: Path = JAVA_GOLDEN) -> None:
    """Imports :func:`flame_fixture` into ``out`` and writes the golden poses of it for the Java rig."""
    from .flame_import import import_flame
    from .golden import build

    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "generic_model.pkl"
        model.write_bytes(pickle.dumps(flame_fixture(), protocol=pickle.HIGHEST_PROTOCOL))
        import_flame(model, out)
    golden_out.parent.mkdir(parents=True, exist_ok=True)
    golden_out.write_text(json.dumps(build(out), separators=(",", ":")) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m parley.head.flame_fixture", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=JAVA_FIXTURE)
    ap.add_argument("--golden", type=Path, default=JAVA_GOLDEN)
    args = ap.parse_args(argv)
    write_java_fixture(args.out, args.golden)
    print(f"wrote {args.out} and {args.golden}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
