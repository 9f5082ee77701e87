"""The per-frame retarget solve: a Parley motion frame -> a target set's weights, and its runtime asset.

The solve matches vertex displacements: it minimises ``|| sqrt(V) (T w - d(x)) ||^2`` over the weights ``w``,
plus ``OPENING_WEIGHT * (o'w - o(x))^2`` on the mouth opening (the spec's inner-lip pairs) so closures survive,
where ``d(x)`` is the open head's displacement for motion frame ``x`` (expression, jaw; head pose left out),
``T`` the set's target fields and ``V`` per-vertex weights (lips weigh :data:`LIP_WEIGHT`, every other vertex 1),
under the set's constraint: ARKit and VRM weights in [0, 1] (box), visemes a convex mix.

The runtime needs no vertices. With the normal equations ``G = T'VT + ridge I`` and ``T'V d(x) ~= C phi(x)``,
``phi`` the :func:`features` of the frame (fitted by least squares on sampled frames), a frame is solved by

    phi = features(x);  c = C phi;  w = P(A phi);  y = w;  t = 1       (A = G^-1 C: the unconstrained optimum)
    repeat ``iterations`` times:                                       (FISTA: accelerated projected gradient)
        w' = P(y - step * (G y - c));  t' = (1 + sqrt(1 + 4 t^2)) / 2;  y = w' + ((t - 1) / t') (w' - w)
        w = w';  t = t'

in float64, with ``P`` the projection onto the constraint set (:func:`project`). That is what the asset stores
(``A``, ``C``, ``G``, ``step``, ``iterations``) and what :func:`apply` computes from the asset.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..head.components import EXPRESSION_NAMES, N_POSE
from ..layout import EXPRESSION, JAW, MOTION_DIM, pose_slots
from .targets import TargetSet

FORMAT = "parley-retarget"
VERSION = 1
LIP_WEIGHT = 40.0  # lips weigh this much more than the rest of the face in the solve
RIDGE = 1e-6  # times the mean diagonal of T'VT: keeps G invertible where targets never move (tongueOut)
OPENING_WEIGHT = 8000.0  # weight of the mouth-opening row (mm), next to the lips' 40 per coordinate
ITERATIONS = 60
FIT_SAMPLES = 3000
FIT_SEED = 20261205
DIGITS = 9  # significant digits of the stored matrices

JAW_QUADRATIC = ((0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2))


def feature_names() -> list[str]:
    """Names of :func:`features`' entries, in order (stored in the asset)."""
    jaw = ("jaw.x", "jaw.y", "jaw.z")
    return ([f"expression.{n}" for n in EXPRESSION_NAMES] + list(jaw)
            + [f"{jaw[i]}*{jaw[j]}" for i, j in JAW_QUADRATIC]
            + [f"expression.{n}*jaw.x" for n in EXPRESSION_NAMES])


def features(motion: np.ndarray) -> np.ndarray:
    """Motion frames [T, MOTION_DIM] -> phi [T, F] float64: the 50 expression weights, the jaw axis-angle, its
    six quadratic terms and each expression weight times the jaw's opening (x) angle."""
    m = np.asarray(motion, np.float64)
    if m.ndim != 2 or m.shape[1] != MOTION_DIM:
        raise ValueError(f"motion must be [frames, {MOTION_DIM}] but got {list(m.shape)}")
    psi, jaw = m[:, EXPRESSION], m[:, JAW]
    quad = np.stack([jaw[:, i] * jaw[:, j] for i, j in JAW_QUADRATIC], 1)
    return np.concatenate([psi, jaw, quad, psi * jaw[:, :1]], 1)


def project(w: np.ndarray, constraint: str) -> np.ndarray:
    """Euclidean projection of each row onto the constraint set.

    ``box``: clamp to [0, 1]. ``convex`` (over the non-rest targets, the rest weight is 1 - sum): clamp below at 0;
    rows summing to more than 1 go onto the simplex instead: sort descending, ``k`` = the largest index with
    ``u_k - (sum_{i<=k} u_i - 1) / k > 0``, ``tau = (sum_{i<=k} u_i - 1) / k``, ``w = max(w - tau, 0)``."""
    if constraint == "box":
        return np.clip(w, 0.0, 1.0)
    if constraint != "convex":
        raise ValueError(f"unknown constraint '{constraint}' (expected box or convex)")
    out = np.maximum(w, 0.0)
    over = out.sum(-1) > 1.0
    if np.any(over):
        u = -np.sort(-w[over], axis=-1)
        css = np.cumsum(u, axis=-1) - 1.0
        k = np.arange(1, u.shape[-1] + 1)
        rho = np.sum(u - css / k > 0, axis=-1)
        tau = css[np.arange(len(u)), rho - 1] / rho
        out[over] = np.maximum(w[over] - tau[:, None], 0.0)
    return out


class DirectFace:
    """The open head driven directly: displacement [T, N, 3] (mm) of motion frames, head pose left out."""

    def __init__(self, head) -> None:
        self.head = head
        with torch.no_grad():
            self.rest = head()[0].double()

    @torch.no_grad()
    def displacement(self, motion: np.ndarray, batch: int = 250) -> np.ndarray:
        m = torch.as_tensor(np.asarray(motion), dtype=self.head.v_template.dtype)
        out = []
        for s in range(0, len(m), batch):
            x = m[s:s + batch]
            theta = torch.zeros(len(x), N_POSE, dtype=m.dtype)
            for dst, src in pose_slots(head_pose=False):
                theta[:, dst] = x[:, src]
            out.append(((self.head(None, x[:, EXPRESSION], theta).double() - self.rest) * 1000.0).numpy())
        return np.concatenate(out)


def vertex_weights(spec: dict, n: int) -> np.ndarray:
    v = np.ones(n)
    v[spec["regions"]["lips"]] = LIP_WEIGHT
    return v


def opening_row(spec: dict, n: int) -> np.ndarray:
    """[3N] row vector: flattened displacement -> change of the mouth opening (mean upper minus lower y)."""
    o = np.zeros((n, 3))
    pairs = spec["mouthOpening"]["pairs"]
    for a, b in pairs:
        o[a, 1] += 1.0 / len(pairs)
        o[b, 1] -= 1.0 / len(pairs)
    return o.ravel()


def fit_frames(mean: np.ndarray, std: np.ndarray, n: int = FIT_SAMPLES, seed: int = FIT_SEED) -> np.ndarray:
    """Frames the feature regression is fitted on: each channel drawn from the pack's motion statistics
    (normal, mean and std of the manifest, clipped at 2.5 std), plus the rest frame; head pose zero."""
    rng = np.random.default_rng(seed)
    z = np.clip(rng.standard_normal((n, MOTION_DIM)), -2.5, 2.5)
    x = mean[None, :] + std[None, :] * z
    x[0] = 0.0
    x[:, JAW.stop:] = 0.0
    return x


@dataclass
class Retarget:
    """A fitted solve for one target set (the runtime asset's content)."""
    set: TargetSet
    active: list[str]  # the targets the solve moves (the rest target of a convex set is 1 - sum)
    A: np.ndarray  # [K, F]
    C: np.ndarray  # [K, F]
    G: np.ndarray  # [K, K]
    step: float
    iterations: int

    def weights(self, motion: np.ndarray, iterations: int | None = None) -> np.ndarray:
        """Weights [T, len(set.targets)] of motion frames [T, MOTION_DIM], in the set's target order."""
        phi = features(motion)
        c = phi @ self.C.T
        w = project(phi @ self.A.T, self.set.constraint)
        y, t = w, 1.0
        for _ in range(self.iterations if iterations is None else iterations):
            w_next = project(y - self.step * (y @ self.G.T - c), self.set.constraint)
            t_next = (1.0 + np.sqrt(1.0 + 4.0 * t * t)) / 2.0
            y = w_next + ((t - 1.0) / t_next) * (w_next - w)
            w, t = w_next, t_next
        out = np.zeros((len(phi), len(self.set.targets)))
        idx = [self.set.names.index(n) for n in self.active]
        out[:, idx] = w
        if self.set.rest:
            out[:, self.set.names.index(self.set.rest)] = np.maximum(1.0 - w.sum(-1), 0.0)
        return out


def fit(tset: TargetSet, face: DirectFace, spec: dict, frames: np.ndarray, iterations: int = ITERATIONS,
        displacement: np.ndarray | None = None) -> Retarget:
    """Fit the solve of a target set on sampled frames (see the module doc); ``displacement`` [S, N, 3] mm is
    the frames' direct displacement when the caller already has it."""
    n = face.rest.shape[0]
    T = tset.fields().reshape(n * 3, -1) * 1000.0  # mm
    active = [t for t in tset.names if t != tset.rest]
    T = T[:, [tset.names.index(a) for a in active]]
    o = opening_row(spec, n)
    T = np.vstack([T, o @ T])  # the mouth opening as one more "coordinate"
    v = np.append(np.repeat(vertex_weights(spec, n), 3), OPENING_WEIGHT)
    VT = T * v[:, None]
    G = T.T @ VT
    G += RIDGE * float(np.mean(np.diag(G))) * np.eye(len(G))
    D = (face.displacement(frames) if displacement is None else displacement).reshape(len(frames), -1)
    B = np.hstack([D, (D @ o)[:, None]]) @ VT  # [S, K]: T'V d per frame
    phi = features(frames)
    C = np.linalg.lstsq(phi, B, rcond=None)[0].T  # [K, F]
    C, G = _round(C), _round(G)
    A = _round(np.linalg.solve(G, C))
    step = float(_round(np.array(1.0 / np.linalg.eigvalsh(G).max()))) * 0.999
    return Retarget(tset, active, A, C, G, step, iterations)


def _round(a: np.ndarray) -> np.ndarray:
    """Rounded to DIGITS significant digits, as stored: the Python solve uses exactly the asset's numbers."""
    return np.array([float(f"{x:.{DIGITS}g}") for x in np.asarray(a, np.float64).ravel()]).reshape(np.shape(a))


# ------------------------------------------------------------------ the asset
def golden_frames(frames: np.ndarray) -> np.ndarray:
    """Three frames whose weights the asset carries for a port to check against: rest, the first fit frame
    and a wide-open, rounded one."""
    wide = np.zeros(MOTION_DIM)
    wide[EXPRESSION] = 0.3 * np.sign(frames[1, EXPRESSION])
    wide[JAW.start] = 0.3
    return np.stack([np.zeros(MOTION_DIM), frames[1], wide])


def to_json(rt: Retarget, head_name: str, head_vertices: int, pack: str, golden: np.ndarray) -> dict:
    t = rt.set
    gm = _round(golden)
    return {
        "format": FORMAT, "version": VERSION, "id": t.id, "title": t.title,
        "head": {"name": head_name, "vertexCount": int(head_vertices)},
        "targets": [{"name": x.name, "description": x.description} for x in t.targets],
        "constraint": t.constraint, "rest": t.rest,
        "input": {"motionDim": MOTION_DIM, "features": feature_names(),
                  "definition": "phi = features(motion frame): expression[50], jaw[3], jaw quadratic "
                                "(xx,yy,zz,xy,xz,yz), expression[50]*jaw.x"},
        "solve": {
            "method": "FISTA (accelerated projected gradient), fixed iterations, float64",
            "steps": ["c = C phi", "w = P(A phi); y = w; t = 1",
                      "repeat iterations: w' = P(y - step * (G y - c)); t' = (1 + sqrt(1 + 4 t^2)) / 2; "
                      "y = w' + ((t - 1) / t') (w' - w); w = w'; t = t'", "output w"],
            "projection": "box: clamp each weight to [0,1]" if t.constraint == "box" else
                          "convex: clamp below at 0; if the sum exceeds 1, project onto the simplex (sort "
                          "descending, k = largest with u_k - (cumsum_k - 1)/k > 0, tau = (cumsum_k - 1)/k, "
                          "w = max(w - tau, 0)); the rest target's weight is max(1 - sum, 0)",
            "active": rt.active, "iterations": rt.iterations, "step": rt.step,
            "lipWeight": LIP_WEIGHT, "openingWeight": OPENING_WEIGHT, "ridge": RIDGE, "units": "millimeters",
            "fit": {"samples": FIT_SAMPLES, "seed": FIT_SEED, "pack": pack,
                    "distribution": "per channel normal(mean, std) of the pack's motion statistics, clipped at "
                                    "2.5 std; head pose zero"},
            "A": rt.A.tolist(), "C": rt.C.tolist(), "G": rt.G.tolist(),
        },
        "golden": {"motion": _round(gm).tolist(), "weights": _round(rt.weights(gm)).tolist()},
    }


def from_json(d: dict, tset: TargetSet) -> Retarget:
    if d.get("format") != FORMAT or d.get("version") != VERSION:
        raise ValueError(f"retarget asset: expected format {FORMAT} version {VERSION} but got "
                         f"{d.get('format')} version {d.get('version')}")
    names = [t["name"] for t in d["targets"]]
    if names != tset.names:
        raise ValueError(f"retarget asset '{d.get('id')}': its targets {names} are not set {tset.id}'s {tset.names}")
    s = d["solve"]
    return Retarget(tset, list(s["active"]), np.asarray(s["A"]), np.asarray(s["C"]), np.asarray(s["G"]),
                    float(s["step"]), int(s["iterations"]))


def dump(d: dict) -> str:
    """Deterministic JSON: one matrix row per line."""
    def fmt(o, ind):
        pad = "  " * ind
        if isinstance(o, dict):
            return "{\n" + ",\n".join(f"{pad}  {json.dumps(k)}: {fmt(v, ind + 1)}" for k, v in o.items()) \
                + "\n" + pad + "}"
        if isinstance(o, list) and o and all(isinstance(v, list) for v in o):
            return "[\n" + ",\n".join(f"{pad}  {json.dumps(v, separators=(',', ':'))}" for v in o) + "\n" + pad + "]"
        if isinstance(o, list) and o and all(isinstance(v, dict) for v in o):
            return "[\n" + ",\n".join(f"{pad}  {json.dumps(v)}" for v in o) + "\n" + pad + "]"
        return json.dumps(o)
    return fmt(d, 0) + "\n"


def load(path: Path, tset: TargetSet) -> Retarget:
    return from_json(json.loads(Path(path).read_text()), tset)
