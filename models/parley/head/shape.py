"""100 identity (shape) components: smooth deformation fields, ordered by importance.

The first 20 are named anatomical variations; the rest are small, smooth, mostly symmetric
random low-frequency fields from a seeded generator, with amplitude decaying with index.
beta ~ N(0,1) per component gives a plausible face. Eyes stay rigid: the eyeballs and the
skin hugging them move with the field evaluated at the eye centre, so lids keep fitting.
The joints move with the field as well (the [100,5,3] joint-shape basis).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .components import N_SHAPE
from .geometry import EYE_L, EYE_R, SKIN, HeadMesh
from .geometry import smoothstep as _smooth

Field = Callable[[np.ndarray], np.ndarray]  # positions [M,3] -> deltas [M,3]

SEED = 20240601


def _blob(p, c, r, mirror=False):
    x = np.abs(p[:, 0]) if mirror else p[:, 0]
    q = (np.stack([x, p[:, 1], p[:, 2]], 1) - np.asarray(c, float)) / np.asarray(r, float)
    return np.exp(-np.sum(q * q, axis=1))


def _named_fields(mesh: HeadMesh) -> list[tuple[str, Field]]:
    info = mesh.info
    O = mesh.offset                     # centre of the cranium in the final frame
    mc = info["mouth_center"]
    El = info["El"]
    neck_y = mesh.joints[1][1]

    def head(p):                        # 1 on the head, fading down the neck
        return np.clip((p[:, 1] - (neck_y - 0.03)) / 0.05, 0, 1)

    def rel(p):
        return p - O

    def v(w, dx=0.0, dy=0.0, dz=0.0):
        return w[:, None] * np.array([dx, dy, dz])

    sx = lambda p: np.sign(p[:, 0])  # noqa: E731
    chin = lambda p: _blob(p, mc + [0, -0.034, -0.006], (0.022, 0.016, 0.03))  # noqa: E731
    nose_tip = lambda p: _blob(p, mc + [0, 0.032, 0.010], (0.012, 0.012, 0.02))  # noqa: E731
    bridge = lambda p: _blob(p, El * [0, 1, 1] + [0, -0.006, 0.018], (0.008, 0.018, 0.02))  # noqa: E731
    lips = lambda p: _blob(p, mc, (0.030, 0.011, 0.02))  # noqa: E731
    mouth = lambda p: _blob(p, mc + [0, 0, -0.01], (0.035, 0.018, 0.035))  # noqa: E731
    brow = lambda p: _blob(p, (El[0] - 0.004, El[1] + 0.022, El[2] + 0.012), (0.022, 0.010, 0.02), True)  # noqa: E731
    cheekbone = lambda p: _blob(p, (El[0] + 0.012, El[1] - 0.024, El[2] - 0.01), (0.018, 0.014, 0.025), True)  # noqa: E731
    eyes = lambda p: _blob(p, El, (0.024, 0.022, 0.03), True)  # noqa: E731
    ear_c = O + [0.076, 0.0, -0.012]
    ear = lambda p: _blob(p, ear_c, (0.02, 0.036, 0.026), True)  # noqa: E731
    def mirrored(c, p):  # c on the side of each point
        return np.stack([np.sign(p[:, 0]) * c[0], np.full(len(p), c[1]), np.full(len(p), c[2])], 1)

    jaw = lambda p: _blob(p, (0.042, mc[1] - 0.028, mc[2] - 0.06), (0.03, 0.03, 0.05), True)  # noqa: E731
    fullc = lambda p: _blob(p, (0.040, mc[1] + 0.006, mc[2] - 0.03), (0.02, 0.022, 0.025), True)  # noqa: E731
    fore = lambda p: np.clip((p[:, 1] - (El[1] + 0.02)) / 0.05, 0, 1) * np.clip((p[:, 2] - O[2]) / 0.06, 0, 1)  # noqa: E731
    neck = lambda p: np.clip(((neck_y + 0.02) - p[:, 1]) / 0.05, 0, 1)  # noqa: E731
    back = lambda p: np.clip(((O[2] - 0.01) - p[:, 2]) / 0.08, 0, 1) * np.clip((p[:, 1] - (neck_y - 0.02)) / 0.06, 0, 1)  # noqa: E731

    return [
        ("face width", lambda p: v(head(p) * rel(p)[:, 0] * 0.05, dx=1.0)),
        ("head height", lambda p: v(head(p) * rel(p)[:, 1] * 0.04, dy=1.0)),
        ("head depth", lambda p: v(head(p) * rel(p)[:, 2] * 0.04, dz=1.0)),
        ("jaw width", lambda p: v(jaw(p) * p[:, 0] * 0.10, dx=1.0)),
        ("chin length", lambda p: v(chin(p), dy=-0.0045)),
        ("chin protrusion", lambda p: v(chin(p), dz=0.0040)),
        ("nose length", lambda p: v(nose_tip(p), dy=-0.0025, dz=0.0018)),
        ("nose width", lambda p: v(nose_tip(p) * p[:, 0] * 0.16, dx=1.0)),
        ("nose bridge height", lambda p: v(bridge(p), dz=0.0022)),
        ("lip thickness", lambda p: v(lips(p) * (p[:, 1] - mc[1]) * 0.22, dy=1.0) + v(lips(p), dz=0.0008)),
        ("mouth width", lambda p: v(mouth(p) * (p[:, 0] - mc[0]) * 0.10, dx=1.0)),
        ("brow ridge", lambda p: v(brow(p), dz=0.0026)),
        ("cheekbones", lambda p: v(cheekbone(p) * sx(p), dx=0.0024) + v(cheekbone(p), dz=0.0015)),
        ("eye spacing", lambda p: v(eyes(p) * sx(p), dx=0.0022)),
        ("eye height", lambda p: v(eyes(p), dy=0.0025)),
        ("ear size", lambda p: ear(p)[:, None] * (p - mirrored(ear_c, p)) * 0.14),
        ("forehead height", lambda p: v(fore(p), dy=0.0050, dz=-0.0015)),
        ("cheek fullness", lambda p: v(fullc(p) * sx(p), dx=0.0035) + v(fullc(p), dz=0.0012)),
        ("neck thickness", lambda p: neck(p)[:, None] * (p - [0, 0, O[2]]) * [0.08, 0, 0.08]),
        ("back of the skull", lambda p: v(back(p), dz=-0.0060)),
    ]


def _random_field(rng: np.random.Generator, anchors: np.ndarray, amp: float) -> Field:
    """A few Gaussian displacement blobs on the head; mostly mirrored for symmetry."""
    k = 3
    centers = anchors[rng.integers(0, len(anchors), k)]
    radii = rng.uniform(0.02, 0.05, k)
    disp = rng.standard_normal((k, 3)) * amp
    symmetric = rng.random() < 0.85

    def field(p):
        out = np.zeros_like(p)
        for c, r, d in zip(centers, radii, disp):
            w = np.exp(-np.sum((p - c) ** 2, axis=1) / r ** 2)
            out += w[:, None] * d
            if symmetric:
                cm = c * [-1, 1, 1]
                wm = np.exp(-np.sum((p - cm) ** 2, axis=1) / r ** 2)
                out += wm[:, None] * (d * [-1, 1, 1])
        return out
    return field


def shape_fields(mesh: HeadMesh) -> list[tuple[str, Field]]:
    named = _named_fields(mesh)
    rng = np.random.default_rng(SEED)
    skin = mesh.positions[mesh.part == SKIN]
    front = skin[(skin[:, 2] > mesh.offset[2] - 0.02) & (skin[:, 1] > mesh.joints[1][1])]
    out = list(named)
    for i in range(len(named), N_SHAPE):
        amp = 0.0016 * (i / len(named)) ** -0.7
        out.append((f"random low-frequency variation {i - len(named) + 1}", _random_field(rng, front, amp)))
    return out


def shape_basis(mesh: HeadMesh) -> tuple[np.ndarray, np.ndarray]:
    """([N,3,100] vertex basis, [5,3,100] joint basis)."""
    P = mesh.positions
    info = mesh.info
    N = len(P)
    w_eye = info["w_eye"]
    eye_side = info["eye_side"]
    El, Er = info["El"], info["Er"]
    # rigid zone around each eye: the lid-hugging skin plus a margin where lid and eyeball are close
    w_rigid = []
    for sgn, c in ((1, El), (-1, Er)):
        q = P - c
        ang = np.arctan2(np.hypot(q[:, 0] * 0.85, q[:, 1] * 1.1), q[:, 2])
        dist = np.linalg.norm(q, axis=1)
        w = (1 - _smooth(1.0, 1.8, ang)) * (1 - _smooth(0.024, 0.040, dist)) * (mesh.part == SKIN)
        w_rigid.append(np.maximum(w, w_eye * (eye_side == sgn)))
    S = np.zeros((N, 3, N_SHAPE))
    J = np.zeros((5, 3, N_SHAPE))
    for k, (_, fld) in enumerate(shape_fields(mesh)):
        d = fld(P)
        dE = fld(np.stack([El, Er]))
        # skin around each eye moves rigidly with its eyeball
        for w, de in zip(w_rigid, dE):
            d = d * (1 - w[:, None]) + de[None] * w[:, None]
        d[mesh.part == EYE_L] = dE[0]
        d[mesh.part == EYE_R] = dE[1]
        S[:, :, k] = d
        jd = fld(mesh.joints)
        jd[0] = 0.0  # the root stays at the origin
        jd[3], jd[4] = dE[0], dE[1]
        J[:, :, k] = jd
    return S, J


def shape_names(mesh: HeadMesh) -> list[str]:
    return [n for n, _ in shape_fields(mesh)]
