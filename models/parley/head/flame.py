"""A FLAME-structured head model in PyTorch, plus loaders for the Parley assets and FLAME-style arrays.

vertices = LBS( v_template + shapedirs . beta + exprdirs . psi (+ posedirs . pose_feature), joints(beta), theta )

Joints come either from a joint-shape basis (``J_template + J_shapedirs . beta``, what Parley
ships) or from a regressor applied to the shaped mesh (``J_regressor @ v_shaped``, what FLAME
ships). Rodrigues and the kinematic chain are written here from the textbook formulas.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .components import JOINT_NAMES, JOINT_PARENTS, N_EXPRESSION, N_SHAPE

REPO = Path(__file__).resolve().parents[3]
DEFAULT_ASSETS = REPO / "assets" / "Models" / "ParleyHead"


def rodrigues(aa: torch.Tensor) -> torch.Tensor:
    """Axis-angle [...,3] -> rotation matrices [...,3,3]; smooth at zero angle."""
    angle = torch.sqrt((aa * aa).sum(-1, keepdim=True) + 1e-16)  # eps keeps the gradient finite at 0
    axis = aa / angle
    x, y, z = axis.unbind(-1)
    zero = torch.zeros_like(x)
    K = torch.stack([zero, -z, y, z, zero, -x, -y, x, zero], -1).reshape(*aa.shape[:-1], 3, 3)
    s = torch.sin(angle)[..., None]
    c = torch.cos(angle)[..., None]
    eye = torch.eye(3, dtype=aa.dtype, device=aa.device).expand_as(K)
    return eye + s * K + (1 - c) * (K @ K)


class FlameHead(torch.nn.Module):
    """Shape/expression blendshapes followed by linear blend skinning over a joint tree."""

    def __init__(self, v_template, shapedirs, exprdirs, lbs_weights, parents, faces=None,
                 J_template=None, J_shapedirs=None, J_regressor=None, posedirs=None, J_exprdirs=None):
        super().__init__()
        f32 = lambda a: torch.as_tensor(np.asarray(a), dtype=torch.float32)  # noqa: E731
        self.register_buffer("v_template", f32(v_template))
        self.register_buffer("shapedirs", f32(shapedirs))
        self.register_buffer("exprdirs", f32(exprdirs))
        self.register_buffer("lbs_weights", f32(lbs_weights))
        self.parents = [int(p) for p in parents]
        self.register_buffer("faces", torch.as_tensor(np.asarray(faces if faces is not None else np.zeros((0, 3))), dtype=torch.long))
        if J_regressor is None and J_template is None:
            raise ValueError("need J_template (+J_shapedirs) or J_regressor")
        self.register_buffer("J_template", f32(J_template) if J_template is not None else None)
        self.register_buffer("J_shapedirs", f32(J_shapedirs) if J_shapedirs is not None else None)
        self.register_buffer("J_regressor", f32(J_regressor) if J_regressor is not None else None)
        self.register_buffer("posedirs", f32(posedirs) if posedirs is not None else None)
        # joints move with expression too where they were regressed from the expressive mesh (imported FLAME)
        self.register_buffer("J_exprdirs", f32(J_exprdirs) if J_exprdirs is not None else None)

    @property
    def n_shape(self) -> int:
        return self.shapedirs.shape[-1]

    @property
    def n_expr(self) -> int:
        return self.exprdirs.shape[-1]

    @property
    def n_joints(self) -> int:
        return len(self.parents)

    def _batch(self, beta, psi, theta):
        B = next((t.shape[0] for t in (beta, psi, theta) if t is not None), 1)
        z = lambda n: torch.zeros(B, n, dtype=self.v_template.dtype, device=self.v_template.device)  # noqa: E731
        beta = z(self.n_shape) if beta is None else beta
        psi = z(self.n_expr) if psi is None else psi
        theta = z(3 * self.n_joints) if theta is None else theta
        return beta, psi, theta

    def shaped(self, beta, psi):
        return self.v_template + torch.einsum("nck,bk->bnc", self.shapedirs, beta) + \
            torch.einsum("nck,bk->bnc", self.exprdirs, psi)

    def rest_joints(self, beta, v_shaped=None, psi=None):
        if self.J_regressor is not None:
            return torch.einsum("jn,bnc->bjc", self.J_regressor, v_shaped)
        J = self.J_template.expand(beta.shape[0], -1, -1)
        if self.J_shapedirs is not None:
            J = J + torch.einsum("jck,bk->bjc", self.J_shapedirs, beta)
        if self.J_exprdirs is not None and psi is not None:
            J = J + torch.einsum("jck,bk->bjc", self.J_exprdirs, psi)
        return J

    def _chain(self, theta, J):
        """World transforms [B,J,4,4] of the posed joints."""
        B, nj = J.shape[:2]
        R = rodrigues(theta.reshape(B, nj, 3))
        rel = J.clone()
        par = torch.tensor([max(p, 0) for p in self.parents], device=J.device)
        has_parent = torch.tensor([p >= 0 for p in self.parents], device=J.device)[None, :, None]
        rel = torch.where(has_parent, J - J[:, par], J)
        local = torch.zeros(B, nj, 4, 4, dtype=J.dtype, device=J.device)
        local[..., :3, :3] = R
        local[..., :3, 3] = rel
        local[..., 3, 3] = 1
        world = []
        for j, p in enumerate(self.parents):
            world.append(local[:, j] if p < 0 else world[p] @ local[:, j])
        return torch.stack(world, 1), R

    def forward(self, beta=None, psi=None, theta=None) -> torch.Tensor:
        """beta [B,Ns], psi [B,Ne], theta [B,3J] (axis-angle per joint) -> vertices [B,N,3]."""
        beta, psi, theta = self._batch(beta, psi, theta)
        v = self.shaped(beta, psi)
        J = self.rest_joints(beta, v, psi)
        G, R = self._chain(theta, J)
        if self.posedirs is not None:
            eye = torch.eye(3, dtype=R.dtype, device=R.device)
            feat = (R[:, 1:] - eye).reshape(R.shape[0], -1)
            v = v + (feat @ self.posedirs).reshape(v.shape)
        # skinning transform of each joint: world pose times the inverse rest translation
        A = G.clone()
        A[..., :3, 3] = G[..., :3, 3] - torch.einsum("bjik,bjk->bji", G[..., :3, :3], J)
        T = torch.einsum("nj,bjik->bnik", self.lbs_weights, A)
        return torch.einsum("bnik,bnk->bni", T[..., :3, :3], v) + T[..., :3, 3]

    def posed_joints(self, beta=None, psi=None, theta=None) -> torch.Tensor:
        """World positions [B,J,3] of the posed joints."""
        beta, psi, theta = self._batch(beta, psi, theta)
        v = self.shaped(beta, psi) if self.J_regressor is not None else None
        J = self.rest_joints(beta, v, psi)
        G, _ = self._chain(theta, J)
        return G[..., :3, 3]


# ---------------------------------------------------------------- loaders

def find_spec(asset_dir: str | Path) -> Path:
    """The head spec of a folder: ParleyHead.spec.json, else its only ``*.spec.json`` (an imported head)."""
    d = Path(asset_dir)
    specs = [d / "ParleyHead.spec.json"] if (d / "ParleyHead.spec.json").exists() else sorted(d.glob("*.spec.json"))
    if len(specs) != 1:
        raise FileNotFoundError(f"{d}: expected one head spec (*.spec.json) but found "
                                f"{[s.name for s in specs] or 'none'}")
    return specs[0]


def load_parley_head(asset_dir: str | Path | None = None) -> tuple[FlameHead, dict]:
    """Build a FlameHead from a head folder's glb + shape.bin + spec.json (default: the committed open head),
    with an imported FLAME head's expression joint basis and pose correctives where its spec names them."""
    from .gltf import read_glb

    d = Path(asset_dir) if asset_dir is not None else DEFAULT_ASSETS
    spec = json.loads(find_spec(d).read_text())
    g = read_glb(d / spec["model"])
    prim = g.mesh_primitive(0, 0)
    pos = prim["POSITION"].astype(np.float64)
    N = len(pos)
    targets = prim["targets"]
    exprdirs = np.stack([t["POSITION"] for t in targets], axis=-1)  # [N,3,50]
    joints4 = prim["JOINTS_0"].astype(np.int64)
    w4 = prim["WEIGHTS_0"]
    skin = g.skin(0)
    # glb joint slots -> spec joint order
    names = [g.nodes[i]["name"] for i in skin["joints"]]
    slot_to_joint = np.array([JOINT_NAMES.index(n) for n in names])
    W = np.zeros((N, len(JOINT_NAMES)))
    for k in range(4):
        np.add.at(W, (np.arange(N), slot_to_joint[joints4[:, k]]), w4[:, k])
    raw = np.fromfile(d / spec["shapeFile"], dtype="<f4")
    nj = len(JOINT_NAMES)
    ns = spec["shape"]["count"]
    sb = raw[: ns * N * 3].reshape(ns, N, 3)
    jb = raw[ns * N * 3:].reshape(ns, nj, 3)
    J = np.array([j["rest"] for j in spec["joints"]], dtype=np.float64)
    jexpr = posedirs = None
    if "flame" in spec:  # see parley.head.flame_import
        ne, npose = spec["expression"]["count"], spec["flame"]["poseCount"]
        extra = np.fromfile(d / spec["flame"]["file"], dtype="<f4")
        jexpr = extra[: ne * nj * 3].reshape(ne, nj, 3).transpose(1, 2, 0)
        posedirs = extra[ne * nj * 3:].reshape(npose, N * 3)
    head = FlameHead(pos, sb.transpose(1, 2, 0), exprdirs, W, [j["parent"] for j in spec["joints"]],
                     faces=prim["indices"].reshape(-1, 3), J_template=J, J_shapedirs=jb.transpose(1, 2, 0),
                     posedirs=posedirs, J_exprdirs=jexpr)
    return head, spec


def from_flame_arrays(arrays: dict[str, Any], n_shape: int = N_SHAPE, n_expr: int = N_EXPRESSION) -> FlameHead:
    """FLAME-style dict (v_template, shapedirs [N,3,300+100], posedirs [N,3,P] or [P,N*3],
    J_regressor dense or scipy sparse, weights, kintree_table, f) -> FlameHead."""
    v = np.asarray(arrays["v_template"], dtype=np.float64)
    N = len(v)
    sd = np.asarray(arrays["shapedirs"], dtype=np.float64)
    n_id_full = int(arrays.get("n_shape_total", 300))  # FLAME stores 300 identity then 100 expression components
    shapedirs = sd[..., :min(n_shape, n_id_full)]
    exprdirs = sd[..., n_id_full:n_id_full + n_expr]
    J = arrays["J_regressor"]
    J = J.toarray() if hasattr(J, "toarray") else np.asarray(J, dtype=np.float64)
    kt = np.asarray(arrays["kintree_table"])
    parents = [int(p) if i > 0 else -1 for i, p in enumerate(kt[0])]
    parents = [-1 if (p < 0 or p >= len(parents) or p > 2 ** 31) else p for p in parents]
    pd = arrays.get("posedirs")
    if pd is not None:
        pd = np.asarray(pd, dtype=np.float64)
        if pd.ndim == 3:  # [N,3,P] -> [P, N*3]
            pd = pd.reshape(N * 3, -1).T
    return FlameHead(v, shapedirs, exprdirs, np.asarray(arrays["weights"]), parents,
                     faces=np.asarray(arrays.get("f", np.zeros((0, 3))), dtype=np.int64), J_regressor=J, posedirs=pd)


def mouth_opening(vertices: torch.Tensor, spec: dict) -> torch.Tensor:
    """Mean vertical gap (upper minus lower lip y) over the spec's inner-lip pairs -> [B]."""
    pairs = torch.as_tensor(spec["mouthOpening"]["pairs"], dtype=torch.long, device=vertices.device)
    return (vertices[:, pairs[:, 0], 1] - vertices[:, pairs[:, 1], 1]).mean(-1)


# ---------------------------------------------------------------- numpy helpers (previews)

def model_arrays_from_torch(head: FlameHead) -> dict:
    return dict(template=head.v_template.numpy().astype(np.float64), faces=head.faces.numpy(),
                _torch=head, joints=head.J_template.numpy())


def pose_numpy(model: dict, beta, psi, theta) -> np.ndarray:
    """Pose a model dict (from build.build_model or model_arrays_from_torch) -> vertices [N,3]."""
    head = model.get("_torch")
    if head is None:
        head = torch_from_model(model)
        model["_torch"] = head
    with torch.no_grad():
        t = lambda a: torch.as_tensor(np.asarray(a), dtype=torch.float32)[None]  # noqa: E731
        return head(t(beta), t(psi), t(theta))[0].numpy().astype(np.float64)


def torch_from_model(model: dict) -> FlameHead:
    return FlameHead(model["template"], model["shapedirs"], model["exprdirs"], model["weights"], JOINT_PARENTS,
                     faces=model["faces"], J_template=model["joints"], J_shapedirs=model["jshapedirs"])
