"""``python3 -m parley head``: generate ParleyHead.glb, ParleyHead.shape.bin and ParleyHead.spec.json."""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from .components import EXPRESSION_NAMES, JOINT_NAMES, JOINT_PARENTS, N_EXPRESSION, N_SHAPE
from .geometry import HeadConfig, build_head, vertex_normals
from .gltf import SkinnedMesh, write_glb

REPO = Path(__file__).resolve().parents[3]
DEFAULT_OUT = REPO / "assets" / "Models" / "ParleyHead"


def build_model(cfg: HeadConfig | None = None) -> dict:
    """Everything the writers and the preview need, as float64 numpy arrays."""
    mesh = build_head(cfg)
    N = len(mesh.positions)
    try:
        from .expressions import expression_basis
        exprdirs = expression_basis(mesh)
    except ImportError:
        exprdirs = np.zeros((N, 3, N_EXPRESSION))
    try:
        from .shape import shape_basis
        shapedirs, jshapedirs = shape_basis(mesh)
    except ImportError:
        shapedirs, jshapedirs = np.zeros((N, 3, N_SHAPE)), np.zeros((5, 3, N_SHAPE))
    return dict(mesh=mesh, template=mesh.positions, faces=mesh.faces, colors=mesh.colors, gloss=mesh.gloss,
                weights=mesh.weights, joints=mesh.joints, exprdirs=exprdirs, shapedirs=shapedirs,
                jshapedirs=jshapedirs)


def _top4(W: np.ndarray, floor: float = 1e-4) -> tuple[np.ndarray, np.ndarray]:
    """At most four influences per vertex, those at or below ``floor`` dropped, renormalised; slots sorted by
    weight (stable)."""
    order = np.argsort(-W, axis=1, kind="stable")[:, :4]
    w = np.take_along_axis(W, order, axis=1)
    w = np.where(w > floor, w, 0.0)
    w /= w.sum(axis=1, keepdims=True)
    order = np.where(w > 0, order, 0)
    return order.astype(np.uint8), w


def skinned_mesh(name: str, template: np.ndarray, faces: np.ndarray, colors: np.ndarray, gloss: np.ndarray,
                 weights: np.ndarray, exprdirs: np.ndarray, target_names: list[str], rest: np.ndarray,
                 material: dict, weight_floor: float = 1e-4) -> SkinnedMesh:
    """The head's glb content: bind pose, one morph target per expression component (normals follow), skin.

    @param template [N,3] bind-pose positions; exprdirs [N,3,E] target displacements; weights [N,joints]
    @param rest [joints,3] world bind positions in JOINT_NAMES order
    """
    P = template.astype(np.float32).astype(np.float64)
    nrm = vertex_normals(P, faces)
    tpos, tnrm = [], []
    for k in range(exprdirs.shape[-1]):
        d = exprdirs[:, :, k].astype(np.float32)
        tpos.append(d)
        dn = vertex_normals(P + d, faces) - nrm
        dn[np.abs(d).max(axis=1) == 0] = 0.0  # exact zeros where nothing moves
        tnrm.append(dn.astype(np.float32))
    joints4, w4 = _top4(weights, weight_floor)
    return SkinnedMesh(
        name=name, positions=P.astype(np.float32), normals=nrm.astype(np.float32),
        colors=colors.astype(np.float32),
        texcoord1=np.stack([gloss, np.zeros(len(P))], 1).astype(np.float32),
        joints=joints4, weights=w4.astype(np.float32), indices=faces.reshape(-1),
        target_positions=tpos, target_normals=tnrm, target_names=list(target_names),
        joint_names=list(JOINT_NAMES), joint_parents=list(JOINT_PARENTS),
        joint_rest=rest.astype(np.float32).astype(np.float64), material=material)


def shape_bytes(shapedirs: np.ndarray, jshapedirs: np.ndarray) -> bytes:
    """The shape.bin content: [N,3,S] vertex basis and [joints,3,S] joint basis as the spec's layout says."""
    return shapedirs.transpose(2, 0, 1).astype("<f4").tobytes() + jshapedirs.transpose(2, 0, 1).astype("<f4").tobytes()


def write_assets(out: Path, model: dict | None = None) -> dict:
    """Write the three asset files into out; returns the spec dict."""
    from .spec import dump_spec, make_spec

    model = model or build_model()
    out.mkdir(parents=True, exist_ok=True)
    rest = model["joints"].astype(np.float32)
    material = {"name": "ParleyHeadSkin", "pbrMetallicRoughness": {"baseColorFactor": [1.0, 1.0, 1.0, 1.0],
                "metallicFactor": 0.0, "roughnessFactor": 0.6}, "doubleSided": False}
    sm = skinned_mesh("ParleyHead", model["template"], model["faces"], model["colors"], model["gloss"],
                      model["weights"], model["exprdirs"], list(EXPRESSION_NAMES), rest, material)
    write_glb(out / "ParleyHead.glb", sm)
    (out / "ParleyHead.shape.bin").write_bytes(shape_bytes(model["shapedirs"], model["jshapedirs"]))
    spec = make_spec(model["mesh"], model, rest)
    (out / "ParleyHead.spec.json").write_text(dump_spec(spec))
    return spec


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m parley head", description=__doc__)
    ap.add_argument("--out", default=str(DEFAULT_OUT), help="output directory (default assets/Models/ParleyHead)")
    args = ap.parse_args(argv)
    t0 = time.time()
    out = Path(args.out)
    spec = write_assets(out)
    for name in ("ParleyHead.glb", "ParleyHead.shape.bin", "ParleyHead.spec.json"):
        print(f"{out / name}  {(out / name).stat().st_size / 1e6:.2f} MB")
    print(f"{spec['mesh']['vertexCount']} vertices, {spec['mesh']['triangleCount']} triangles, {time.time() - t0:.1f} s")
    return 0
