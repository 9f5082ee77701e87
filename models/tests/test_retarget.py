"""Tests of the retarget targets (ARKit-52, Oculus visemes, VRM 1.0) authored on the open head and their solves:
names, constraints, rest, locality of the fields, the committed assets against a regeneration, and fidelity on
clips the committed pack generates."""
import json
from pathlib import Path

import numpy as np
import pytest

from parley.head.flame import load_parley_head
from parley.layout import JAW_OPEN, MOTION_DIM
from parley.regen import json_differences
from parley.retarget import build as rt_build
from parley.retarget import solve
from parley.retarget.fidelity import EXTRA_LINES, Fidelity, eval_clips, eval_lines
from parley.retarget.targets import MIDLINE_HALF_WIDTH, HeadControls, all_sets

REPO = Path(__file__).resolve().parents[2]
ASSETS = REPO / "assets" / "Retargets"

ARKIT_PAIRS = ("eyeBlink", "eyeLookDown", "eyeLookIn", "eyeLookOut", "eyeLookUp", "eyeSquint", "eyeWide",
               "mouthSmile", "mouthFrown", "mouthDimple", "mouthStretch", "mouthPress", "mouthLowerDown",
               "mouthUpperUp", "browDown", "browOuterUp", "cheekSquint", "noseSneer")
ARKIT_SINGLES = ("jawForward", "jawLeft", "jawRight", "jawOpen", "mouthClose", "mouthFunnel", "mouthPucker",
                 "mouthLeft", "mouthRight", "mouthRollLower", "mouthRollUpper", "mouthShrugLower", "mouthShrugUpper",
                 "browInnerUp", "cheekPuff", "tongueOut")
OCULUS = ["sil", "PP", "FF", "TH", "DD", "kk", "CH", "SS", "nn", "RR", "aa", "E", "I", "O", "U"]
VRM = ["aa", "ih", "ou", "ee", "oh", "blink", "blinkLeft", "blinkRight", "lookUp", "lookDown", "lookLeft",
       "lookRight", "happy", "angry", "sad", "relaxed", "surprised", "neutral"]


@pytest.fixture(scope="module")
def head():
    return load_parley_head()


@pytest.fixture(scope="module")
def sets(head):
    return {s.id: s for s in all_sets(HeadControls(head[0]))}


@pytest.fixture(scope="module")
def committed(sets):
    return {sid: solve.load(ASSETS / f"{sid}.retarget.json", s) for sid, s in sets.items()}


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("retargets")
    assert rt_build.main(["--out", str(out)]) == 0
    return out


def test_names_and_counts_are_arkit_oculus_and_vrm(sets):
    arkit = sets["arkit52"].names
    assert len(arkit) == 52 == len(set(arkit))
    assert set(arkit) == {p + s for p in ARKIT_PAIRS for s in ("Left", "Right")} | set(ARKIT_SINGLES)
    assert sets["oculus15"].names == OCULUS
    assert sets["vrm10"].names == VRM
    assert [s.constraint for s in sets.values()] == ["box", "convex", "box"]


def test_left_and_right_shapes_stay_on_their_side(head, sets):
    x = head[0].v_template.numpy()[:, 0]
    checked = 0
    for s in sets.values():
        for t in s.targets:
            side = 1 if t.name.endswith("Left") else -1 if t.name.endswith("Right") else 0
            if side == 0 or t.name.startswith(("jaw", "mouthLeft", "mouthRight", "look")):
                continue  # whole-jaw and whole-mouth moves, gaze of both eyes: not split shapes
            far = -side * x > MIDLINE_HALF_WIDTH
            assert np.abs(t.field[far]).max() == 0.0, t.name
            assert np.abs(t.field[~far]).max() > 5e-4, t.name  # and it does move its own side
            checked += 1
    assert checked == 36 + 2  # ARKit's 18 pairs, VRM's blinkLeft/blinkRight


def test_mouth_shapes_leave_the_brows_and_brow_shapes_leave_the_lips(head, sets):
    regions = head[1]["regions"]
    lips, brows = np.asarray(regions["lips"]), np.asarray(regions["upperFace"])
    y = head[0].v_template.numpy()[:, 1]
    brows = brows[y[brows] > np.median(y[brows])]  # the upper half: brows and forehead
    for t in sets["arkit52"].targets:
        move = lambda ids: float(np.linalg.norm(t.field[ids], axis=1).max())  # noqa: E731
        if t.name.startswith(("mouth", "jaw")):
            assert move(brows) < 1e-4, t.name
            assert move(lips) > 1e-3 or t.name in ("mouthDimpleLeft", "mouthDimpleRight"), t.name
        if t.name.startswith(("brow", "eye")):
            assert move(lips) < 1e-4, t.name
    for t in sets["oculus15"].targets:
        assert np.linalg.norm(t.field[brows], axis=1).max() < 1e-4, t.name


def test_the_rest_frame_retargets_to_zero_and_silence(committed):
    rest = np.zeros((1, MOTION_DIM))
    for sid, rt in committed.items():
        w = rt.weights(rest)[0]
        if sid == "oculus15":
            assert w[OCULUS.index("sil")] == 1.0 and np.all(w[1:] == 0.0)
        else:
            assert np.all(w == 0.0), sid


def test_weights_are_bounded_and_visemes_convex_even_far_out(committed):
    man = json.loads((rt_build.PACK / "manifest.json").read_text())
    mean, std = np.asarray(man["motion"]["mean"]), np.asarray(man["motion"]["std"])
    frames = solve.fit_frames(mean, 3.0 * std, n=400, seed=7)  # three times the model's spread: clamps bite
    for sid, rt in committed.items():
        w = rt.weights(frames)
        assert w.min() >= 0.0 and w.max() <= 1.0, sid
        if sid == "oculus15":
            assert np.abs(w.sum(1) - 1.0).max() < 1e-12
        assert (w.max(0) > 0.5).sum() >= 5, sid  # not a degenerate solve


def test_projection_onto_the_capped_simplex():
    w = solve.project(np.array([[0.8, 0.6, -0.1], [0.2, -0.3, 0.4], [2.0, 0.0, 0.0]]), "convex")
    assert np.allclose(w, [[0.6, 0.4, 0.0], [0.2, 0.0, 0.4], [1.0, 0.0, 0.0]], atol=1e-15)
    assert np.array_equal(solve.project(np.array([-0.5, 0.5, 1.5]), "box"), [0.0, 0.5, 1.0])
    with pytest.raises(ValueError, match="unknown constraint 'simplex'"):
        solve.project(np.zeros(3), "simplex")


def test_committed_assets_equal_the_regenerated_ones(regenerated, sets):
    # the matrices are compared through what they compute: G^-1 (condition 1e7) can magnify last-bit differences
    # of float64 posing in single entries without changing any solved weight
    man = json.loads((rt_build.PACK / "manifest.json").read_text())
    frames = solve.fit_frames(np.asarray(man["motion"]["mean"]), np.asarray(man["motion"]["std"]), n=300, seed=3)
    for sid in ("arkit52", "oculus15", "vrm10"):
        a = json.loads((ASSETS / f"{sid}.retarget.json").read_text())
        b = json.loads((regenerated / f"{sid}.retarget.json").read_text())
        assert json_differences(a, b, 1e-5, skip=("A", "C", "G", "weights")) == [], sid
        wa, wb = (solve.from_json(d, sets[sid]).weights(frames) for d in (a, b))
        assert np.abs(wa - wb).max() < 1e-5, sid
        assert a["head"] == {"name": "ParleyHead", "vertexCount": 5970}
        assert (ASSETS / f"{sid}.retarget.json").stat().st_size < 200_000


def test_the_assets_golden_weights_follow_from_the_asset_alone(committed):
    for sid, rt in committed.items():
        g = json.loads((ASSETS / f"{sid}.retarget.json").read_text())["golden"]
        w = rt.weights(np.asarray(g["motion"]))
        assert np.abs(w - np.asarray(g["weights"])).max() < 1e-8, sid
        assert np.asarray(g["motion"])[2, JAW_OPEN] > 0.2 and w[2].max() > 0.3


def test_a_broken_asset_is_refused_by_name(sets, committed):
    d = json.loads((ASSETS / "vrm10.retarget.json").read_text())
    with pytest.raises(ValueError, match="expected format parley-retarget version 1 but got parley-head-spec"):
        solve.from_json(d | {"format": "parley-head-spec"}, sets["vrm10"])
    with pytest.raises(ValueError, match="are not set arkit52's"):
        solve.from_json(d, sets["arkit52"])
    with pytest.raises(ValueError, match=r"motion must be \[frames, 56\] but got \[3, 53\]"):
        committed["vrm10"].weights(np.zeros((3, 53)))


def test_fidelity_on_clips_the_pack_generates(head, sets, committed):
    lines = [x for x in eval_lines() if x[0] == "bilabial-pie"] + [x for x in EXTRA_LINES if x[0] == "mum"]
    clips = eval_clips(lines, seed=1)
    fid = Fidelity(solve.DirectFace(head[0]), head[1])
    score = {sid: fid.score(committed[sid], sets[sid].fields() * 1000.0, [(c.model, c.phones) for c in clips])
             for sid in ("arkit52", "oculus15")}
    assert score["arkit52"]["direct_closed"] >= 8  # the clips do close the lips on their p/b/m
    assert score["arkit52"]["lve_mm"] <= 1.0
    assert score["arkit52"]["closure_kept"] >= 0.98
    assert score["oculus15"]["closure_kept"] >= 0.95


def test_shapes_move_the_way_their_names_say(head, sets):
    spec = head[1]
    P = head[0].v_template.numpy()
    f = {t.name: t.field for t in sets["arkit52"].targets}
    lower = np.asarray(spec["regions"]["lowerLip"])
    mean = lambda name, ids, axis: float(f[name][ids, axis].mean())  # noqa: E731
    assert mean("jawOpen", lower, 1) < -0.003
    assert mean("jawLeft", lower, 0) > 0.0 > mean("jawRight", lower, 0)  # +X is the character's left
    assert mean("mouthLeft", lower, 0) > 0.0 > mean("mouthRight", lower, 0)
    for side, sgn in (("Left", 1.0), ("Right", -1.0)):
        eye = np.asarray(spec["regions"]["eye" + side[0]])
        front = eye[P[eye, 2] > np.percentile(P[eye, 2], 90)]  # the cornea
        assert mean(f"eyeLookDown{side}", front, 1) < -0.002 and mean(f"eyeLookUp{side}", front, 1) > 0.002
        assert sgn * mean(f"eyeLookOut{side}", front, 0) > 0.002 and sgn * mean(f"eyeLookIn{side}", front, 0) < -0.002
        corner = [c for c in spec["mouthCorners"] if sgn * P[c, 0] > 0]
        assert mean(f"mouthSmile{side}", corner, 1) > 0.002 and mean(f"mouthFrown{side}", corner, 1) < -0.002
        lid = np.asarray(spec["regions"]["lidUpper" + side[0]])
        assert mean(f"eyeBlink{side}", lid, 1) < -0.002
    pairs = np.asarray(spec["mouthOpening"]["pairs"])
    opening = lambda fld: float((fld[pairs[:, 0], 1] - fld[pairs[:, 1], 1]).mean())  # noqa: E731
    assert opening(f["mouthClose"]) < -0.005 and opening(f["jawOpen"]) > 0.01
    assert opening(sets["oculus15"].targets[OCULUS.index("aa")].field) > 0.005
