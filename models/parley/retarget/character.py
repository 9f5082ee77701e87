"""``python3 -m parley arkit-character``: a second test character, not Parley's open head, with ARKit targets.

    python3 -m parley arkit-character --out ../assets/Models/ArkitHead            # ArkitHead.glb
    python3 -m parley arkit-character --out ../assets/Models/ArkitHead --vrm ../assets/Models/VrmHead

The mesh is a geodesic sphere (an icosahedron subdivided at frequency ``ICO_FREQUENCY``, its vertices drawn
toward the mouth) shrink-wrapped onto the open head: each vertex is cast from ``CENTER`` onto the open head's
outermost surface. So it follows the face but has another topology and vertex count. A fixed linear map
(``STYLE``: a wider, shorter cartoon head) then gives it its own proportions.

Correspondence: a vertex keeps the open-head triangle its ray hit and the barycentric coordinates of the hit.
Every target field of ``targets.py`` (ARKit 52, VRM 1.0 presets) is interpolated with those coordinates and
mapped by ``STYLE``, as are the open head's vertex colours (skin, eyes, lips). No joints, no skin: jaw motion
comes from the jawOpen shape. Triangles that straddle the lip seam get their own dark vertices, so the mouth
shows as a dark line at rest and opens dark when the jaw drops. Deterministic: a rerun writes the same bytes, on any CPU (posed in float64, rounded to float32 once).
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..head.flame import load_parley_head
from ..head.geometry import vertex_normals
from ..head.gltf import SkinnedMesh, write_glb
from .targets import HeadControls, TargetSet, arkit52, vrm10

REPO = Path(__file__).resolve().parents[3]
DEFAULT_OUT = REPO / "assets" / "Models" / "ArkitHead"
ICO_FREQUENCY = 11  # 10 f^2 + 2 = 1212 sphere vertices
CENTER = np.array([0.0, 0.15, 0.0])  # m, inside the open head: the rays' origin
MOUTH_DIR = np.array([0.0, -0.1, 1.0])  # vertices are drawn toward this direction (the mouth)
WARP = 2.0  # angle from MOUTH_DIR a -> pi (a / pi)^WARP: denser toward the mouth
STYLE = np.diag([1.08, 0.96, 1.0])  # the character's proportions relative to the open head
SEAM_JUMP = 0.5  # a triangle whose vertices' jaw weights differ by more than this straddles the lip seam
MOUTH_BOX = ((-0.035, 0.035), (0.124, 0.148), (0.08, 0.2))  # m, open-head frame: where the lip seam may split
MOUTH_COLOUR = (0.12, 0.03, 0.04, 1.0)


@dataclass(frozen=True)
class Character:
    """The character's rest mesh and its correspondence to the open head (one hit triangle + barycentrics)."""
    positions: np.ndarray  # [N, 3] rest, styled
    faces: np.ndarray  # [F, 3]
    colors: np.ndarray  # [N, 4]
    src_faces: np.ndarray  # [N, 3] open-head vertex ids of each vertex's source triangle
    bary: np.ndarray  # [N, 3] barycentric coordinates in it

    def transfer(self, field: np.ndarray) -> np.ndarray:
        """[N, 3] character displacement of an open-head displacement field [M, 3], in the styled frame."""
        d = np.einsum("nk,nkc->nc", self.bary, field[self.src_faces])
        return d @ STYLE.T


def geodesic_sphere(freq: int) -> tuple[np.ndarray, np.ndarray]:
    """Unit vertices and faces of an icosahedron whose triangles are split into freq^2 (10 freq^2 + 2 vertices)."""
    g = (1 + 5 ** 0.5) / 2
    v = np.array([[-1, g, 0], [1, g, 0], [-1, -g, 0], [1, -g, 0], [0, -1, g], [0, 1, g], [0, -1, -g], [0, 1, -g],
                  [g, 0, -1], [g, 0, 1], [-g, 0, -1], [-g, 0, 1]], float)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    ico = [(0, 11, 5), (0, 5, 1), (0, 1, 7), (0, 7, 10), (0, 10, 11), (1, 5, 9), (5, 11, 4), (11, 10, 2), (10, 7, 6),
           (7, 1, 8), (3, 9, 4), (3, 4, 2), (3, 2, 6), (3, 6, 8), (3, 8, 9), (4, 9, 5), (2, 4, 11), (6, 2, 10),
           (8, 6, 7), (9, 8, 1)]
    index: dict[tuple, int] = {}
    pts: list[np.ndarray] = []

    def vid(p: np.ndarray) -> int:
        p = p / np.linalg.norm(p)
        key = tuple(np.round(p, 9))
        if key not in index:
            index[key] = len(pts)
            pts.append(p)
        return index[key]

    faces = []
    for a, b, c in ico:
        grid = {(i, j): vid(v[a] * (freq - i - j) / freq + v[b] * i / freq + v[c] * j / freq)
                for i in range(freq + 1) for j in range(freq + 1 - i)}
        for i in range(freq):
            for j in range(freq - i):
                faces.append((grid[i, j], grid[i + 1, j], grid[i, j + 1]))
                if i + j < freq - 1:
                    faces.append((grid[i + 1, j], grid[i + 1, j + 1], grid[i, j + 1]))
    return np.array(pts), np.array(faces, np.int64)


def _warp(dirs: np.ndarray) -> np.ndarray:
    """Draw unit directions toward MOUTH_DIR: the angle a from it becomes pi (a / pi)^WARP."""
    m = MOUTH_DIR / np.linalg.norm(MOUTH_DIR)
    cos = np.clip(dirs @ m, -1.0, 1.0)
    a = np.arccos(cos)
    perp = dirs - cos[:, None] * m
    n = np.linalg.norm(perp, axis=1, keepdims=True)
    perp = np.where(n > 1e-12, perp / np.maximum(n, 1e-12), 0.0)
    a2 = np.pi * (a / np.pi) ** WARP
    return np.cos(a2)[:, None] * m + np.sin(a2)[:, None] * perp


def raycast(origin: np.ndarray, dirs: np.ndarray, verts: np.ndarray, faces: np.ndarray,
            chunk: int = 64) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Outermost hit of each ray on the triangle mesh: (distance, face index, barycentrics [K, 3]); -1 where none."""
    a, b, c = verts[faces[:, 0]], verts[faces[:, 1]], verts[faces[:, 2]]
    e1, e2 = b - a, c - a
    s = origin - a
    best_t = np.full(len(dirs), -1.0)
    best_f = np.full(len(dirs), -1, np.int64)
    best_uv = np.zeros((len(dirs), 2))
    for k in range(0, len(dirs), chunk):
        d = dirs[k:k + chunk]  # Moller-Trumbore, rays x triangles
        p = np.cross(d[:, None, :], e2[None])
        det = np.einsum("rfc,fc->rf", p, e1)
        ok = np.abs(det) > 1e-14
        inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
        u = np.einsum("rfc,fc->rf", p, s) * inv
        q = np.cross(s, e1)
        v = np.einsum("rc,fc->rf", d, q) * inv
        t = np.einsum("fc,fc->f", e2, q)[None] * inv
        hit = ok & (u >= 0) & (v >= 0) & (u + v <= 1) & (t > 0)
        t = np.where(hit, t, -1.0)
        f = t.argmax(axis=1)
        rows = np.arange(len(d))
        best_t[k:k + chunk] = t[rows, f]
        best_f[k:k + chunk] = np.where(t[rows, f] > 0, f, -1)
        best_uv[k:k + chunk] = np.stack([u[rows, f], v[rows, f]], 1)
    bary = np.stack([1 - best_uv.sum(1), best_uv[:, 0], best_uv[:, 1]], 1)
    return best_t, best_f, bary


def build_character(controls: HeadControls, colors: np.ndarray) -> Character:
    """Shrink-wrap the warped geodesic sphere onto the open head and split its lip seam (see the module doc)."""
    head = controls.head
    hv = controls.rest
    hf = head.faces.numpy().astype(np.int64)
    sph, faces = geodesic_sphere(ICO_FREQUENCY)
    dirs = _warp(sph)
    t, f, bary = raycast(CENTER, dirs, hv, hf)
    # rays that miss (down the open neck) take the surface point of the nearest ray that hit, kept at its distance
    miss = f < 0
    if miss.any():
        hits = np.flatnonzero(~miss)
        near = hits[np.argmax(dirs[miss] @ dirs[hits].T, axis=1)]
        t[miss], f[miss], bary[miss] = t[near], f[near], bary[near]
    src = hf[f]
    pos = CENTER + dirs * t[:, None]
    col = np.einsum("nk,nkc->nc", bary, colors[src])
    # split the lip seam: triangles whose corners follow the jaw unequally get dark copies of their corners
    jaw = np.einsum("nk,nk->n", bary, controls.jaw_weight[src])
    jf = jaw[faces]
    mid = pos[faces].mean(axis=1)
    in_box = np.all([(mid[:, i] > lo) & (mid[:, i] < hi) for i, (lo, hi) in enumerate(MOUTH_BOX)], axis=0)
    seam = np.flatnonzero((jf.max(1) - jf.min(1) > SEAM_JUMP) & in_box)
    if len(seam):
        old = faces[seam].reshape(-1)
        new = len(pos) + np.arange(len(old))
        faces = faces.copy()
        faces[seam] = new.reshape(-1, 3)
        pos = np.concatenate([pos, pos[old]])
        src = np.concatenate([src, src[old]])
        bary = np.concatenate([bary, bary[old]])
        col = np.concatenate([col, np.tile(MOUTH_COLOUR, (len(old), 1))])
    return Character((pos - CENTER) @ STYLE.T + CENTER, faces, col, src, bary)


def _mesh(name: str, ch: Character, tset: TargetSet, extensions: dict | None = None) -> SkinnedMesh:
    pos = ch.positions.astype(np.float32)
    material = {"name": f"{name}Skin", "pbrMetallicRoughness": {"baseColorFactor": [1.0, 1.0, 1.0, 1.0],
                "metallicFactor": 0.0, "roughnessFactor": 0.7}, "doubleSided": False}
    return SkinnedMesh(
        name=name, positions=pos, normals=vertex_normals(pos.astype(np.float64), ch.faces).astype(np.float32),
        colors=ch.colors.astype(np.float32), texcoord1=None, joints=None, weights=None,
        indices=ch.faces.reshape(-1), target_positions=[ch.transfer(t.field).astype(np.float32) for t in tset.targets],
        target_normals=[], target_names=tset.names, joint_names=[], joint_parents=[], joint_rest=None,
        material=material, extensions=extensions)


def vrm_extension(tset: TargetSet, name: str) -> dict:
    """The ``VRMC_vrm`` (VRM 1.0) extension: meta, and each preset bound to its morph target on node 1 (the mesh)."""
    preset = {n: {"morphTargetBinds": [{"node": 1, "index": k, "weight": 1.0}], "isBinary": False,
                  "overrideBlink": "none", "overrideLookAt": "none", "overrideMouth": "none"}
              for k, n in enumerate(tset.names)}
    return {"VRMC_vrm": {
        "specVersion": "1.0",
        "meta": {"name": name, "version": "1", "authors": ["Parley (generated test fixture)"],
                 "licenseUrl": "https://vrm.dev/licenses/1.0/", "avatarPermission": "everyone",
                 "commercialUsage": "corporation", "allowRedistribution": True, "modification": "allowModification"},
        "humanoid": {"humanBones": {"head": {"node": 0}}},
        "expressions": {"preset": preset},
    }}


def write(out: Path, vrm_out: Path | None = None) -> list[Path]:
    """Write ArkitHead.glb into out (and VrmHead.vrm.glb into vrm_out); returns the written paths."""
    head, _ = load_parley_head()
    head.double()  # float64 posing: float32 kernels round differently per CPU, and that reached the bytes
    from ..head.gltf import read_glb
    from ..head.flame import DEFAULT_ASSETS

    colors = read_glb(DEFAULT_ASSETS / "ParleyHead.glb").mesh_primitive()["COLOR_0"].astype(np.float64)
    controls = HeadControls(head)
    ch = build_character(controls, colors)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "ArkitHead.glb"]
    write_glb(paths[0], _mesh("ArkitHead", ch, arkit52(controls)))
    if vrm_out is not None:
        vrm_out.mkdir(parents=True, exist_ok=True)
        tset = vrm10(controls)
        paths.append(vrm_out / "VrmHead.vrm.glb")
        write_glb(paths[1], _mesh("VrmHead", ch, tset, vrm_extension(tset, "VrmHead")))
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m parley arkit-character", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(DEFAULT_OUT), help="output folder (default assets/Models/ArkitHead)")
    ap.add_argument("--vrm", help="also write the VRM 1.0 fixture VrmHead.vrm.glb into this folder")
    a = ap.parse_args(argv)
    for p in write(Path(a.out), Path(a.vrm) if a.vrm else None):
        print(f"{p}  {p.stat().st_size / 1e3:.0f} kB")
    return 0
