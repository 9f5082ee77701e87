"""``python3 -m parley flame-import MODEL.pkl --out DIR``: a licensed FLAME model as a Parley head.

Reads a FLAME 2020/2023 model pickle (``generic_model.pkl``, ``flame2023.pkl``) with the restricted unpickler
(:mod:`parley.safe_pickle`; nothing in the file is run) and writes the three files of a head, as the open head
has them (:mod:`parley.head.build`), plus one FLAME-only file:

- ``NAME.glb``: the template mesh, FLAME's first 50 expression components as morph targets ``exp000``..``exp049``,
  the five joints (FLAME's global, neck, jaw, eye_L, eye_R as ``root``, ``neck``, ``jaw``, ``eye_L``, ``eye_R``)
  with FLAME's skinning weights;
- ``NAME.shape.bin``: FLAME's first 100 identity components, with the joints' motion ``J_regressor·shapedirs``;
- ``NAME.spec.json``: components, joints, the motion layout, and regions derived from the skinning;
- ``NAME.flame.bin``: what FLAME has and the open head has not, read by :func:`parley.head.flame.load_parley_head`:
  the joints' motion with expression and the pose correctives (``posedirs``). The Java rig skips it.

FLAME evaluates ``v = LBS(v_template + shapedirs·[beta, psi] + posedirs·(R(theta) - I), J_regressor·v_shaped)``;
``load_parley_head`` on the output reproduces that for the kept components (tests/test_flame_import.py).
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..safe_pickle import FLAME_MODEL, UnsafePickleError, safe_load
from .build import shape_bytes, skinned_mesh
from .components import JOINT_NAMES, JOINT_PARENTS, N_EXPRESSION, N_SHAPE
from .gltf import write_glb
from .spec import MOUTH_CLOSED_BELOW, MOUTH_OPENING_DEFINITION, base_spec, dump_spec

FLAME_EXPRESSION_TOTAL = 100  # FLAME stores its identity components, then 100 expression components
N_POSE_CORRECTIVE = 9 * (len(JOINT_NAMES) - 1)  # (R - I) of every joint but the root
JAW, EYE_L, EYE_R = (JOINT_NAMES.index(n) for n in ("jaw", "eye_L", "eye_R"))
SKIN_RGBA = (0.80, 0.62, 0.52, 1.0)  # FLAME's textures are a separate download: a flat skin tone
EYE_RGBA = (0.92, 0.92, 0.90, 1.0)


class FlameImportError(ValueError):
    """The file is not a FLAME model Parley can import; the message names the file and the field."""


@dataclass
class FlameModel:
    """A FLAME model's arrays, checked: N vertices, K = identity + expression components, 5 joints."""

    v_template: np.ndarray   # [N,3] meters
    faces: np.ndarray        # [F,3]
    shapedirs: np.ndarray    # [N,3,K]
    n_identity: int          # identity components in shapedirs; the rest are expression
    posedirs: np.ndarray     # [N,3,36]
    J_regressor: np.ndarray  # [5,N] dense
    weights: np.ndarray      # [N,5]

    @property
    def exprdirs(self) -> np.ndarray:
        return self.shapedirs[..., self.n_identity:]


def _array(src: str, data: dict, key: str, shape: tuple, kinds: str = "fiu") -> np.ndarray:
    """data[key] as an ndarray of the given shape (-1: any size) and dtype kind, or a FlameImportError."""
    if key not in data:
        raise FlameImportError(f"{src}: field '{key}' is missing (fields: {sorted(data)}); is this a FLAME model?")
    v = data[key]
    if hasattr(v, "toarray"):  # scipy sparse (J_regressor)
        v = v.toarray()
    if not isinstance(v, np.ndarray) or v.dtype.kind not in kinds:
        raise FlameImportError(f"{src}: field '{key}' must be a numeric array, got {type(v).__name__}")
    if v.ndim != len(shape) or any(want not in (-1, got) for want, got in zip(shape, v.shape)):
        want = "x".join("?" if n == -1 else str(n) for n in shape)
        raise FlameImportError(f"{src}: field '{key}' has shape {'x'.join(map(str, v.shape))}, expected {want}")
    if v.dtype.kind == "f" and not np.all(np.isfinite(v)):
        raise FlameImportError(f"{src}: field '{key}' has non-finite values")
    return v


def read_flame_model(path: str | Path) -> FlameModel:
    """Reads and checks a FLAME model pickle through the restricted unpickler.

    @param path the model pickle (not null)
    @return the checked arrays (float64)
    @raises UnsafePickleError if the pickle names anything but numpy, scipy-sparse or chumpy data
    @raises FlameImportError naming the field if the content is not a FLAME model
    """
    src = str(path)
    data: Any = safe_load(path, FLAME_MODEL)
    if not isinstance(data, dict):
        raise FlameImportError(f"{src}: expected a dict of FLAME arrays, got {type(data).__name__}")
    f64 = lambda a: np.asarray(a, dtype=np.float64)  # noqa: E731
    v = f64(_array(src, data, "v_template", (-1, 3)))
    n = len(v)
    faces = _array(src, data, "f", (-1, 3), "iu").astype(np.int64)
    if faces.size and (faces.min() < 0 or faces.max() >= n):
        raise FlameImportError(f"{src}: field 'f' has vertex indices outside [0, {n})")
    sd = f64(_array(src, data, "shapedirs", (n, 3, -1)))
    k = sd.shape[2]
    if k - FLAME_EXPRESSION_TOTAL < N_SHAPE:
        raise FlameImportError(f"{src}: field 'shapedirs' has {k} components; FLAME has identity components then "
                               f"{FLAME_EXPRESSION_TOTAL} expression components, and Parley needs at least "
                               f"{N_SHAPE} + {FLAME_EXPRESSION_TOTAL}")
    pd = f64(_array(src, data, "posedirs", (-1, -1) if np.ndim(data.get("posedirs")) == 2 else (n, 3, -1)))
    if pd.ndim == 2:  # [P, N*3], as some converted models store it
        pd = pd.T.reshape(n, 3, -1) if pd.shape[1] == 3 * n else pd
    if pd.shape != (n, 3, N_POSE_CORRECTIVE):
        raise FlameImportError(f"{src}: field 'posedirs' has shape {'x'.join(map(str, pd.shape))}, expected "
                               f"{n}x3x{N_POSE_CORRECTIVE} (9 per non-root joint)")
    nj = len(JOINT_NAMES)
    jreg = f64(_array(src, data, "J_regressor", (nj, n)))
    kt = _array(src, data, "kintree_table", (2, nj), "iu")
    parents = [-1 if p < 0 or p >= nj else int(p) for p in kt[0].astype(np.int64)]
    parents[0] = -1  # the root's parent is stored as -1 or as uint32's 4294967295
    if tuple(parents) != JOINT_PARENTS:
        raise FlameImportError(f"{src}: field 'kintree_table' has parents {parents}, expected FLAME's "
                               f"{list(JOINT_PARENTS)} (global, neck, jaw, eye_L, eye_R)")
    w = f64(_array(src, data, "weights", (n, nj)))
    if np.any(w < 0) or not np.allclose(w.sum(axis=1), 1.0, atol=1e-4):
        raise FlameImportError(f"{src}: field 'weights' must be non-negative and sum to 1 per vertex")
    return FlameModel(v, faces, sd, k - FLAME_EXPRESSION_TOTAL, pd, jreg, w)


def _regions(m: FlameModel, rest: np.ndarray, n_pairs: int = 7) -> dict:
    """Regions and mouth measures from the skinning, FLAME having no region labels in the model file.

    The lips meet where jaw-skinned and head-skinned vertices are closest in front of the jaw joint; mouth
    pairs are the mutually nearest (upper, lower) vertices along that seam, the corners its ends. The lips
    reach as far around the seam as the open head's do (:func:`parley.head.spec.regions`), in meters.
    """
    from scipy.spatial import cKDTree

    v, w = m.v_template, m.weights
    eye_l, eye_r = w[:, EYE_L] >= 0.5, w[:, EYE_R] >= 0.5
    skin = ~(eye_l | eye_r)
    front = skin & (v[:, 2] > rest[JAW, 2] + 0.03)
    lower = np.where(front & (w[:, JAW] >= 0.5))[0]
    upper = np.where(front & (w[:, JAW] < 0.5))[0]
    if len(lower) < n_pairs or len(upper) < n_pairs:
        raise FlameImportError("cannot find the mouth: too few jaw-skinned and head-skinned vertices in front of "
                               f"the jaw joint ({len(lower)}, {len(upper)})")
    d_up, i_up = cKDTree(v[upper]).query(v[lower])   # each lower vertex's nearest upper one
    _, i_lo = cKDTree(v[lower]).query(v[upper])
    mutual = np.where(i_lo[i_up] == np.arange(len(lower)))[0]
    d = d_up[mutual]
    seam = mutual[d <= 1.5 * d.min() + 1e-4]
    lo, up = lower[seam], upper[i_up[seam]]
    mid = (v[lo] + v[up]) / 2
    centre = np.array([mid[:, 0].mean(), mid[:, 1].mean(), mid[:, 2].max()])
    pick = np.argsort(np.abs(mid[:, 0] - centre[0]), kind="stable")[:n_pairs]
    pick = pick[np.argsort(mid[pick, 0], kind="stable")]
    half_width = max(float(np.abs(mid[:, 0] - centre[0]).max()), 1e-3)
    du, dy = (v[:, 0] - centre[0]) / half_width, v[:, 1] - centre[1]
    lips = skin & (np.abs(du) < 1.45) & (dy < 0.0125) & (dy > -0.0145) & (v[:, 2] > mid[:, 2].min() - 0.005)
    eye_y = rest[[EYE_L, EYE_R], 1].mean()
    upper_face = skin & (v[:, 1] > eye_y - 0.012) & (v[:, 1] < eye_y + 0.075) & (np.abs(v[:, 0]) < 0.062) \
        & (v[:, 2] > rest[JAW, 2] + 0.035)
    ids = lambda mask: [int(i) for i in np.where(mask)[0]]  # noqa: E731
    jawed = w[:, JAW] >= 0.5
    return {
        "regions": {"lips": ids(lips), "upperLip": ids(lips & ~jawed), "lowerLip": ids(lips & jawed),
                    "upperFace": ids(upper_face), "eyeL": ids(eye_l), "eyeR": ids(eye_r),
                    "mouthInterior": [], "teeth": []},
        "mouthCorners": [int(up[np.argmax(mid[:, 0])]), int(up[np.argmin(mid[:, 0])])],
        "mouthOpening": {"pairs": [[int(up[k]), int(lo[k])] for k in pick], "closedBelow": MOUTH_CLOSED_BELOW,
                         "definition": MOUTH_OPENING_DEFINITION},
    }


def import_flame(model_path: str | Path, out: str | Path, name: str = "FlameHead") -> dict:
    """Converts a FLAME model pickle into a head folder (see the module doc).

    @param model_path the FLAME model pickle (not null)
    @param out the folder to write into, created if needed (not null)
    @param name the head's name and file stem
    @return the spec written, plus a ``report`` of what was dropped (not written)
    @raises UnsafePickleError or FlameImportError before anything is written
    """
    m = read_flame_model(model_path)
    rest = m.J_regressor @ m.v_template
    exprdirs = m.exprdirs[..., :N_EXPRESSION]
    shapedirs = m.shapedirs[..., :N_SHAPE]
    # Five joints, four glTF influences: a vertex skinned to all five loses its smallest (reported).
    dropped = np.sort(m.weights, axis=1)[:, 0] if m.weights.shape[1] > 4 else np.zeros(len(m.weights))
    eye = (m.weights[:, EYE_L] >= 0.5) | (m.weights[:, EYE_R] >= 0.5)
    targets = [f"exp{k:03d}" for k in range(N_EXPRESSION)]
    material = {"name": f"{name}Skin", "pbrMetallicRoughness": {"baseColorFactor": [1.0, 1.0, 1.0, 1.0],
                "metallicFactor": 0.0, "roughnessFactor": 0.6}, "doubleSided": False}
    colors = np.where(eye[:, None], np.array(EYE_RGBA), np.array(SKIN_RGBA))
    mesh = skinned_mesh(name, m.v_template, m.faces, colors, np.where(eye, 0.8, 0.0), m.weights, exprdirs,
                        targets, rest, material, weight_floor=0.0)
    spec = base_spec(
        name, len(m.v_template), len(m.faces),
        [{"name": t, "description": f"FLAME expression component {k}", "target": t} for k, t in enumerate(targets)],
        [{"name": f"shape{k:03d}", "description": f"FLAME identity component {k}"} for k in range(N_SHAPE)], rest)
    spec |= _regions(m, rest) | {"flame": {
        "file": f"{name}.flame.bin", "poseCount": N_POSE_CORRECTIVE,
        "layout": "little-endian float32 [expression.count][joints][3] joint basis of the expression components, "
                  "then [poseCount][vertexCount][3] pose correctives (FLAME posedirs) on (R - I) of joints 1..4",
        "source": Path(model_path).name}}
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_glb(out / spec["model"], mesh)
    (out / spec["shapeFile"]).write_bytes(
        shape_bytes(shapedirs, np.einsum("jn,nck->jck", m.J_regressor, shapedirs)))
    jexpr = np.einsum("jn,nck->kjc", m.J_regressor, exprdirs)  # [E, joints, 3]
    (out / spec["flame"]["file"]).write_bytes(
        jexpr.astype("<f4").tobytes() + m.posedirs.transpose(2, 0, 1).astype("<f4").tobytes())
    (out / f"{name}.spec.json").write_text(dump_spec(spec))
    return spec | {"report": {
        "identityDropped": m.n_identity - N_SHAPE, "expressionDropped": m.exprdirs.shape[-1] - N_EXPRESSION,
        "verticesOverFourJoints": int(np.sum(dropped > 0)), "largestWeightDropped": float(dropped.max())}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m parley flame-import", description=__doc__.split("\n\n")[0])
    ap.add_argument("model", help="FLAME model pickle (generic_model.pkl, flame2023.pkl); not shipped with Parley")
    ap.add_argument("--out", required=True, help="output folder for NAME.glb, NAME.shape.bin, NAME.spec.json, "
                                                 "NAME.flame.bin")
    ap.add_argument("--name", default="FlameHead", help="head name and file stem (default FlameHead)")
    args = ap.parse_args(argv)
    try:
        spec = import_flame(args.model, args.out, args.name)
    except (UnsafePickleError, FlameImportError, OSError) as e:
        print(f"flame-import: {e}", file=sys.stderr)
        return 1
    r = spec["report"]
    print(f"{args.out}: {spec['mesh']['vertexCount']} vertices, {spec['mesh']['triangleCount']} triangles, "
          f"{N_SHAPE} identity and {N_EXPRESSION} expression components, {len(spec['mouthOpening']['pairs'])} "
          f"mouth pairs, {len(spec['regions']['lips'])} lip vertices")
    print(f"dropped: {r['identityDropped']} identity and {r['expressionDropped']} expression components; "
          f"{r['verticesOverFourJoints']} vertices lost a fifth joint influence "
          f"(largest {r['largestWeightDropped']:.2g})")
    return 0
