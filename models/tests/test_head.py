"""Tests of the procedural Parley head: committed assets, glb structure, torch model vs an
independent glTF evaluator, expression behaviour and the FLAME loader."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from parley.head.components import EXPRESSION_NAMES, JOINT_NAMES, JOINT_PARENTS
from parley.layout import MOTION_DIM
from parley.head.flame import DEFAULT_ASSETS, FlameHead, from_flame_arrays, load_parley_head, mouth_opening, rodrigues
from parley.head.gltf import read_glb

FILES = ("ParleyHead.glb", "ParleyHead.shape.bin", "ParleyHead.spec.json")
E = {n: i for i, n in enumerate(EXPRESSION_NAMES)}


@pytest.fixture(scope="module")
def head():
    h, spec = load_parley_head()
    return h, spec


@pytest.fixture(scope="module")
def glb():
    return read_glb(DEFAULT_ASSETS / "ParleyHead.glb")


def pose(h, psi=None, theta=None, beta=None):
    t = lambda a: None if a is None else torch.as_tensor(np.asarray(a), dtype=torch.float32)[None]  # noqa: E731
    with torch.no_grad():
        return h(t(beta), t(psi), t(theta))


def ex(**kw):
    p = np.zeros(50)
    for k, v in kw.items():
        p[E[k]] = v
    return p


def jaw(a):
    th = np.zeros(15)
    th[6] = a
    return th


# ------------------------------------------------------------------ assets

def test_build_regenerates_committed_assets(tmp_path):
    # Same structure exactly, same numbers to float rounding (CPUs differ in the last bits).
    from parley.head.build import main
    from parley.regen import glb_differences, json_file_differences, raw_float32_difference
    assert main(["--out", str(tmp_path)]) == 0
    new, old = tmp_path, DEFAULT_ASSETS
    assert glb_differences(new / FILES[0], old / FILES[0], atol=1e-6) == []
    assert raw_float32_difference(new / FILES[1], old / FILES[1], atol=1e-7) is None
    assert json_file_differences(new / FILES[2], old / FILES[2], atol=1e-6) == []


def test_spec_schema(head):
    _, spec = head
    assert spec["format"] == "parley-head-spec" and spec["version"] == 1
    assert (spec["units"], spec["up"], spec["forward"], spec["left"]) == ("meter", "+Y", "+Z", "+X")
    assert [c["name"] for c in spec["expression"]["components"]] == list(EXPRESSION_NAMES)
    assert [c["target"] for c in spec["expression"]["components"]] == list(EXPRESSION_NAMES)
    assert spec["shape"]["count"] == 100 and len(spec["shape"]["components"]) == 100
    assert [j["name"] for j in spec["joints"]] == list(JOINT_NAMES)
    assert [j["parent"] for j in spec["joints"]] == list(JOINT_PARENTS)
    assert spec["motion"]["dim"] == MOTION_DIM == 56
    assert [(s["name"], s["offset"], s["size"]) for s in spec["motion"]["layout"]] == \
        [("expression", 0, 50), ("jaw", 50, 3), ("head", 53, 3)]
    N = spec["mesh"]["vertexCount"]
    for name, ids in spec["regions"].items():
        assert ids and min(ids) >= 0 and max(ids) < N, name
    assert 200 <= len(spec["regions"]["lips"]) <= 400
    assert 5 <= len(spec["mouthOpening"]["pairs"]) <= 9
    shape_bytes = (DEFAULT_ASSETS / spec["shapeFile"]).stat().st_size
    assert shape_bytes == 4 * 100 * (N * 3 + 5 * 3)
    # joints: eyes on the correct side, jaw below the eyes
    rest = {j["name"]: np.array(j["rest"]) for j in spec["joints"]}
    assert rest["eye_L"][0] > 0 > rest["eye_R"][0]
    assert rest["jaw"][1] < rest["eye_L"][1]


# ------------------------------------------------------------------ glb structure

def test_glb_structure(glb, head):
    _, spec = head
    doc = glb.json
    assert len(doc["meshes"]) == 1 and len(doc["meshes"][0]["primitives"]) == 1
    mesh = doc["meshes"][0]
    prim = mesh["primitives"][0]
    for a in ("POSITION", "NORMAL", "COLOR_0", "TEXCOORD_1", "JOINTS_0", "WEIGHTS_0"):
        assert a in prim["attributes"], a
    assert "min" in doc["accessors"][prim["attributes"]["POSITION"]]
    assert mesh["extras"]["targetNames"] == list(EXPRESSION_NAMES)
    assert mesh["weights"] == [0.0] * 50
    assert len(prim["targets"]) == 50 and all(set(t) == {"POSITION", "NORMAL"} for t in prim["targets"])
    assert all("sparse" not in a for a in doc["accessors"])
    node = [n for n in doc["nodes"] if n.get("name") == "ParleyHead"]
    assert len(node) == 1 and node[0]["mesh"] == 0 and node[0]["skin"] == 0
    skin = doc["skins"][0]
    names = [doc["nodes"][j]["name"] for j in skin["joints"]]
    assert names == list(JOINT_NAMES)
    # hierarchy matches the parents
    child_of = {c: i for i, n in enumerate(doc["nodes"]) for c in n.get("children", [])}
    for j, p in zip(skin["joints"], JOINT_PARENTS):
        if p >= 0:
            assert child_of[j] == skin["joints"][p]
    # scene root holds the mesh node and the joint hierarchy
    root = doc["nodes"][doc["scenes"][0]["nodes"][0]]
    assert doc["nodes"].index(node[0]) in root["children"] and skin["joints"][0] in root["children"]
    mat = doc["materials"][prim["material"]]
    assert mat["pbrMetallicRoughness"]["metallicFactor"] == 0.0 and mat["doubleSided"] is False

    p = glb.mesh_primitive()
    N = len(p["POSITION"])
    assert N == spec["mesh"]["vertexCount"] and 5000 <= N <= 7000
    w = p["WEIGHTS_0"]
    assert np.allclose(w.sum(1), 1.0, atol=1e-5) and (w >= 0).all()
    assert p["JOINTS_0"].max() < 5
    idx = p["indices"].reshape(-1, 3)
    assert len(idx) == spec["mesh"]["triangleCount"]
    assert idx.min() >= 0 and idx.max() < N
    P = p["POSITION"].astype(np.float64)
    area = np.linalg.norm(np.cross(P[idx[:, 1]] - P[idx[:, 0]], P[idx[:, 2]] - P[idx[:, 0]]), axis=1)
    assert area.min() > 1e-10, "degenerate triangle"
    assert (idx[:, 0] != idx[:, 1]).all() and (idx[:, 1] != idx[:, 2]).all() and (idx[:, 0] != idx[:, 2]).all()
    col = p["COLOR_0"]
    assert col.shape[1] == 4 and col.min() >= 0 and col.max() <= 1
    assert 0 <= p["TEXCOORD_1"][:, 0].min() and p["TEXCOORD_1"][:, 0].max() <= 1


def _signed_volume(P, F):
    return np.einsum("ij,ij->i", P[F[:, 0]], np.cross(P[F[:, 1]], P[F[:, 2]])).sum() / 6


def test_winding_is_consistent_and_outward(glb, head):
    _, spec = head
    p = glb.mesh_primitive()
    P = p["POSITION"].astype(np.float64)
    F = p["indices"].reshape(-1, 3)
    # no directed edge twice: orientation is consistent across every shared edge
    e = np.concatenate([F[:, [0, 1]], F[:, [1, 2]], F[:, [2, 0]]])
    assert len(np.unique(e, axis=0)) == len(e)
    # closed parts (eyeballs, teeth) have positive volume: normals point out
    parts = {"eyeL": spec["regions"]["eyeL"], "eyeR": spec["regions"]["eyeR"]}
    for name, ids in parts.items():
        m = np.isin(F, ids).all(axis=1)
        assert _signed_volume(P - P[ids].mean(0), F[m]) > 0, name
    teeth = np.isin(F, spec["regions"]["teeth"]).all(axis=1)
    assert _signed_volume(P - P[spec["regions"]["teeth"]].mean(0), F[teeth]) > 0
    # skin + mouth bag: closed except the two eye openings, outward
    eyes_teeth = np.isin(F, spec["regions"]["eyeL"] + spec["regions"]["eyeR"] + spec["regions"]["teeth"]).any(axis=1)
    vol = _signed_volume(P - P.mean(0), F[~eyes_teeth])
    assert 1.5e-3 < vol < 5e-3  # a head and neck is a few litres


# ------------------------------------------------------------------ torch vs independent glTF evaluation

def _quat_from_axis_angle(aa):
    ang = np.linalg.norm(aa)
    if ang < 1e-12:
        return np.array([0, 0, 0, 1.0])
    ax = aa / ang
    return np.concatenate([ax * np.sin(ang / 2), [np.cos(ang / 2)]])


def _quat_matrix(q):
    x, y, z, w = q
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                     [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                     [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])


def gltf_evaluate(glb, psi, theta, beta=None, shape=None):
    """Pose the glb as a glTF viewer would: morph targets, then skinning through node world
    transforms and the inverse bind matrices. With beta, joint nodes move by the shape basis."""
    doc = glb.json
    p = glb.mesh_primitive()
    V = p["POSITION"].astype(np.float64).copy()
    for k, t in enumerate(p["targets"]):
        V += psi[k] * t["POSITION"].astype(np.float64)
    skin = glb.skin()
    joints = skin["joints"]
    ibm = skin["inverseBindMatrices"].astype(np.float64).copy()
    trans = {j: np.array(doc["nodes"][j].get("translation", [0, 0, 0]), float) for j in range(len(doc["nodes"]))}
    if beta is not None:
        sb, jb = shape
        V += np.einsum("k,knc->nc", beta, sb)
        dJ = np.einsum("k,kjc->jc", beta, jb)  # world offsets of the joints
        parent = {c: i for i, n in enumerate(doc["nodes"]) for c in n.get("children", [])}
        for s, j in enumerate(joints):
            par = parent.get(j)
            ps = joints.index(par) if par in joints else None
            trans[j] = trans[j] + dJ[s] - (dJ[ps] if ps is not None else 0)
        # inverse bind matrices of the shaped rest pose (translations only)
        world0 = {}
        for s, j in enumerate(joints):
            par = parent.get(j)
            world0[j] = trans[j] + (world0[par] if par in world0 else 0)
            ibm[s] = np.eye(4)
            ibm[s][:3, 3] = -world0[j]
    local = {}
    for i, n in enumerate(doc["nodes"]):
        M = np.eye(4)
        M[:3, 3] = trans[i]
        if i in joints:
            M[:3, :3] = _quat_matrix(_quat_from_axis_angle(theta[3 * joints.index(i): 3 * joints.index(i) + 3]))
        local[i] = M
    world = {}

    def walk(i, parentM):
        world[i] = parentM @ local[i]
        for c in doc["nodes"][i].get("children", []):
            walk(c, world[i])
    for r in doc["scenes"][0]["nodes"]:
        walk(r, np.eye(4))
    Jm = np.stack([world[j] @ ibm[s] for s, j in enumerate(joints)])
    W = p["WEIGHTS_0"].astype(np.float64)
    Ji = p["JOINTS_0"].astype(int)
    Vh = np.concatenate([V, np.ones((len(V), 1))], 1)
    out = np.zeros_like(V)
    for k in range(4):
        out += W[:, k:k + 1] * np.einsum("nij,nj->ni", Jm[Ji[:, k]], Vh)[:, :3]
    return out


def test_torch_matches_gltf_evaluator(glb, head):
    h, _ = head
    rng = np.random.default_rng(0)
    for _ in range(3):
        psi = rng.normal(0, 0.5, 50)
        theta = rng.normal(0, 0.2, 15)
        ref = gltf_evaluate(glb, psi, theta)
        got = pose(h, psi, theta)[0].numpy()
        assert np.abs(got - ref).max() < 1e-5


def test_torch_with_shape_matches_basis_by_hand(glb, head):
    h, spec = head
    N = spec["mesh"]["vertexCount"]
    raw = np.fromfile(DEFAULT_ASSETS / spec["shapeFile"], dtype="<f4").astype(np.float64)
    sb = raw[:100 * N * 3].reshape(100, N, 3)
    jb = raw[100 * N * 3:].reshape(100, 5, 3)
    rng = np.random.default_rng(1)
    beta = rng.normal(0, 1, 100)
    psi = rng.normal(0, 0.4, 50)
    # unposed: template + shape basis + expression by hand
    p = glb.mesh_primitive()
    by_hand = p["POSITION"] + np.einsum("k,knc->nc", beta, sb) + sum(psi[k] * t["POSITION"] for k, t in enumerate(p["targets"]))
    assert np.abs(pose(h, psi, None, beta)[0].numpy() - by_hand).max() < 1e-5
    # posed: joints move with the joint-shape basis
    theta = rng.normal(0, 0.2, 15)
    ref = gltf_evaluate(glb, psi, theta, beta, (sb, jb))
    assert np.abs(pose(h, psi, theta, beta)[0].numpy() - ref).max() < 1e-5
    J = h.posed_joints(torch.as_tensor(beta, dtype=torch.float32)[None])[0].numpy()
    rest = np.array([j["rest"] for j in spec["joints"]]) + np.einsum("k,kjc->jc", beta, jb)
    assert np.abs(J - rest).max() < 1e-5


def test_model_is_differentiable(head):
    h, spec = head
    psi = torch.zeros(2, 50, requires_grad=True)
    theta = torch.zeros(2, 15, requires_grad=True)
    v = h(None, psi, theta)
    mouth_opening(v, spec).sum().backward()
    assert torch.isfinite(theta.grad).all() and theta.grad[:, 6].abs().min() > 0
    assert psi.grad[:, E["lip_close"]].abs().min() > 0


# ------------------------------------------------------------------ behaviour

def test_neutral_mouth_is_closed_and_jaw_opens_monotonically(head):
    h, spec = head
    prev = -1.0
    for a in np.linspace(0, 0.4, 9):
        o = float(mouth_opening(pose(h, None, jaw(a)), spec)[0])
        if a == 0:
            assert abs(o) < 1e-7
        assert o > prev
        prev = o
    assert prev > 0.015  # jaw 0.4 rad opens the mouth by well over a centimetre


def test_lip_close_seals_with_jaw_slightly_open(head):
    h, spec = head
    for a in (0.0, 0.04, 0.08):
        o = float(mouth_opening(pose(h, ex(lip_close=1.0), jaw(a)), spec)[0])
        assert o < 0.001, (a, o)
    o = float(mouth_opening(pose(h, ex(lip_close=-1.0), jaw(0.0)), spec)[0])
    assert o > 0.004


def test_lips_part_center_and_lower_lip_tuck(head):
    h, spec = head
    o = float(mouth_opening(pose(h, ex(lips_part_center=1.0)), spec)[0])
    assert o > 0.002
    v0 = pose(h)[0].numpy()
    v = pose(h, ex(lower_lip_tuck=1.0))[0].numpy()
    lower = [q[1] for q in spec["mouthOpening"]["pairs"]]
    teeth = np.array(spec["regions"]["teeth"])
    upper_teeth = teeth[v0[teeth, 1] > v0[lower, 1].mean()]
    front = v0[upper_teeth, 2].max()
    bottom = v0[upper_teeth, 1].min()
    # the lower inner lip moves back to the incisors' front and stays at/below their biting edge
    assert (v[lower, 2] < front + 0.001).all()
    assert (v[lower, 1] < bottom + 0.003).all()
    assert (v0[lower, 2] - v[lower, 2]).mean() > 0.004


def test_round_and_protrude(head):
    h, spec = head
    v0 = pose(h)[0].numpy()
    lips = np.array(spec["regions"]["lips"])
    pairs = np.array(spec["mouthOpening"]["pairs"])
    width0 = np.ptp(v0[lips, 0])
    # mouth corner width: extreme seam vertices
    seam = np.concatenate([pairs[:, 0]])
    v = pose(h, ex(lip_round=1.0))[0].numpy()
    cR, cL = spec["mouthCorners"]
    assert v0[cL, 0] > v0[cR, 0]
    assert v[cL, 0] - v[cR, 0] < 0.78 * (v0[cL, 0] - v0[cR, 0])  # ~30% narrower
    assert (v[seam, 2] - v0[seam, 2]).mean() > 0.004
    v = pose(h, ex(lip_protrude=1.0))[0].numpy()
    assert (v[seam, 2] - v0[seam, 2]).mean() > 0.004
    assert width0 > 0


def test_asymmetric_components_move_only_their_side(head):
    h, _ = head
    P = h.v_template.numpy()
    for k, name in enumerate(EXPRESSION_NAMES):
        if not (name.endswith("_L") or name.endswith("_R")):
            continue
        d = np.abs(h.exprdirs[:, :, k].numpy()).max(axis=1)
        other = P[:, 0] < -1e-6 if name.endswith("_L") else P[:, 0] > 1e-6
        assert d.max() > 0.001, name
        assert d[other].max() == 0.0, name


def test_every_component_is_meaningful_and_smooth(head):
    h, _ = head
    for k, name in enumerate(EXPRESSION_NAMES):
        d = np.linalg.norm(h.exprdirs[:, :, k].numpy(), axis=1)
        assert 0.0015 < d.max() < 0.02, (name, d.max())


def _eye_pixels(verts, faces, eye_ids, yaw=0.0, pitch=0.0):
    from parley.head.preview import Camera, rasterize
    center = verts[eye_ids].mean(0)
    cam = Camera(yaw=yaw, pitch=pitch, size=160, center=tuple(center), extent=0.05)
    tri, _, _ = rasterize(verts, faces, cam)
    eye_face = np.isin(faces, eye_ids).all(axis=1)
    return int(eye_face[tri[tri >= 0]].sum())


def test_blink_closes_one_eye_only(head):
    h, spec = head
    F = h.faces.numpy()
    L, R = spec["regions"]["eyeL"], spec["regions"]["eyeR"]
    v0 = pose(h)[0].numpy()
    assert _eye_pixels(v0, F, L) > 500 and _eye_pixels(v0, F, R) > 500
    v = pose(h, ex(blink_L=1.0))[0].numpy()
    for yaw, pitch in ((0, 0), (0.3, 0.2), (-0.3, -0.2), (0, -0.35)):
        assert _eye_pixels(v, F, L, yaw, pitch) == 0, (yaw, pitch)
    assert _eye_pixels(v, F, R) == _eye_pixels(v0, F, R)
    # upper lid region of the right eye does not move
    assert np.abs(v[spec["regions"]["lidUpperR"]] - v0[spec["regions"]["lidUpperR"]]).max() == 0


def test_random_identities_stay_well_formed(head):
    h, spec = head
    F = h.faces.numpy()
    L = spec["regions"]["eyeL"]
    rng = np.random.default_rng(3)
    for _ in range(3):
        beta = np.clip(rng.normal(0, 1.5, 100), -3, 3)
        v = pose(h, None, None, beta)[0].numpy()
        n = _eye_pixels(v, F, L)
        assert 300 < n
        assert abs(float(mouth_opening(torch.as_tensor(v)[None], spec)[0])) < 1e-6
        vb = pose(h, ex(blink_L=1.0, blink_R=1.0), None, beta)[0].numpy()
        assert _eye_pixels(vb, F, L) == 0
        o = float(mouth_opening(pose(h, ex(lip_close=1.0), jaw(0.08), beta), spec)[0])
        assert o < 0.001


# ------------------------------------------------------------------ FLAME-style arrays

def test_from_flame_arrays_synthetic():
    import scipy.sparse as sp
    rng = np.random.default_rng(5)
    N, J = 12, 5
    v = rng.normal(0, 0.1, (N, 3))
    shapedirs = rng.normal(0, 0.01, (N, 3, 400))
    posedirs = rng.normal(0, 0.01, (N, 3, 36))
    Jreg = rng.random((J, N))
    Jreg /= Jreg.sum(1, keepdims=True)
    W = rng.random((N, J))
    W /= W.sum(1, keepdims=True)
    kt = np.array([[4294967295, 0, 1, 1, 1], [0, 1, 2, 3, 4]], dtype=np.int64)
    arrays = dict(v_template=v, shapedirs=shapedirs, posedirs=posedirs, J_regressor=sp.csc_matrix(Jreg),
                  weights=W, kintree_table=kt, f=np.array([[0, 1, 2]]))
    m = from_flame_arrays(arrays)
    assert m.parents == [-1, 0, 1, 1, 1]
    assert m.n_shape == 100 and m.n_expr == 50
    beta = torch.as_tensor(rng.normal(0, 1, (2, 100)), dtype=torch.float32)
    psi = torch.as_tensor(rng.normal(0, 1, (2, 50)), dtype=torch.float32)
    theta = torch.as_tensor(rng.normal(0, 0.3, (2, 15)), dtype=torch.float32)
    got = m(beta, psi, theta).numpy()
    # reference, written out longhand
    for b in range(2):
        vs = v + shapedirs[:, :, :100] @ beta[b].numpy() + shapedirs[:, :, 300:350] @ psi[b].numpy()
        Jr = Jreg @ vs
        R = [rodrigues(theta[b].reshape(5, 3)[j].double()).numpy() for j in range(5)]
        feat = np.concatenate([(R[j] - np.eye(3)).ravel() for j in range(1, 5)])
        vp = vs + (posedirs.reshape(N * 3, 36) @ feat).reshape(N, 3)
        G = [None] * 5
        for j, p in enumerate([-1, 0, 1, 1, 1]):
            T = np.eye(4)
            T[:3, :3] = R[j]
            T[:3, 3] = Jr[j] - (Jr[p] if p >= 0 else 0)
            G[j] = T if p < 0 else G[p] @ T
        out = np.zeros_like(vp)
        for j in range(5):
            A = G[j].copy()
            A[:3, 3] -= G[j][:3, :3] @ Jr[j]
            out += W[:, j:j + 1] * (vp @ A[:3, :3].T + A[:3, 3])
        assert np.abs(got[b] - out).max() < 1e-5
    # posedirs in FLAME's [P, N*3] layout give the same result; dense regressor too
    arrays2 = dict(arrays, posedirs=posedirs.reshape(N * 3, 36).T, J_regressor=Jreg)
    assert torch.allclose(from_flame_arrays(arrays2)(beta, psi, theta), torch.as_tensor(got), atol=1e-6)


def test_rodrigues_matches_known_rotation():
    R = rodrigues(torch.tensor([[0.0, 0.0, np.pi / 2]]))[0].numpy()
    assert np.allclose(R @ [1, 0, 0], [0, 1, 0], atol=1e-6)
    assert np.allclose(rodrigues(torch.zeros(1, 3))[0].numpy(), np.eye(3))


def test_pose_conventions(head):
    h, spec = head
    v0 = pose(h)[0].numpy()
    J = np.array([j["rest"] for j in spec["joints"]])
    front = np.where(v0[:, 2] > J[2, 2] + 0.05)[0]
    chin = int(front[np.argmin(v0[front, 1])])
    th = np.zeros(15)
    th[6] = 0.3  # jaw +x opens: chin goes down
    assert pose(h, None, th)[0].numpy()[chin, 1] < v0[chin, 1] - 0.01
    nose = int(np.argmax(v0[:, 2]))
    th = np.zeros(15)
    th[3] = 0.3  # neck +x nods down
    assert pose(h, None, th)[0].numpy()[nose, 1] < v0[nose, 1] - 0.01
    th = np.zeros(15)
    th[4] = 0.3  # neck +y turns to the character's left (+x)
    assert pose(h, None, th)[0].numpy()[nose, 0] > v0[nose, 0] + 0.01


def test_preview_cli_writes_sheet(tmp_path):
    from parley.head.preview import main
    assert main(["--out", str(tmp_path), "--size", "96", "--assets", str(DEFAULT_ASSETS)]) == 0
    assert (tmp_path / "head-sheet.png").stat().st_size > 1000
    assert json.loads((DEFAULT_ASSETS / "ParleyHead.spec.json").read_text())["name"] == "ParleyHead"
    assert Path(DEFAULT_ASSETS).is_dir()
