"""The machine-readable head spec (ParleyHead.spec.json) and its deterministic serialisation."""
from __future__ import annotations

import json

import numpy as np

from ..layout import MOTION_DIM, MOTION_FPS, layout_json
from .components import EXPRESSION_COMPONENTS, JOINT_NAMES, JOINT_PARENTS, N_POSE, N_SHAPE
from .geometry import BAG, EYE_L, EYE_R, SKIN, TEETH_L, TEETH_U, HeadMesh


MOUTH_CLOSED_BELOW = 0.001  # meters: lips closer than this count as closed
MOUTH_OPENING_DEFINITION = "mean over pairs of the vertical (y) distance upper minus lower, in meters, after posing"


def regions(mesh: HeadMesh) -> dict[str, list[int]]:
    P = mesh.positions
    info = mesh.info
    skin = mesh.part == SKIN
    mc = info["mouth_center"]
    El = info["El"]
    u = (P[:, 0] - mc[0]) / info["mouth_half_width"]
    dy = P[:, 1] - mc[1]
    side = np.where(info["side"] != 0, info["side"], np.sign(dy))
    lips = skin & (np.abs(u) < 1.45) & (dy < 0.0125) & (dy > -0.0145) & (P[:, 2] > mc[2] - 0.014)
    lips |= (mesh.part == BAG) & (info["bag_depth"] == 1)  # the wet inner lip
    upper_face = skin & (P[:, 1] > El[1] - 0.012) & (P[:, 1] < El[1] + 0.075) & (P[:, 2] > mesh.offset[2] + 0.035) \
        & (np.abs(P[:, 0]) < 0.062)
    ids = lambda m: [int(i) for i in np.where(m)[0]]  # noqa: E731
    lid = info["lid_rot"]
    es = info["eye_side"]
    return {
        "lips": ids(lips),
        "upperLip": ids(lips & (side > 0)),
        "lowerLip": ids(lips & (side < 0)),
        "upperFace": ids(upper_face),
        "eyeL": ids(mesh.part == EYE_L),
        "eyeR": ids(mesh.part == EYE_R),
        "lidUpperL": ids(skin & (lid > 0) & (es == 1)),
        "lidUpperR": ids(skin & (lid > 0) & (es == -1)),
        "mouthInterior": ids(mesh.part == BAG),
        "teeth": ids((mesh.part == TEETH_U) | (mesh.part == TEETH_L)),
    }


def mouth_pairs(mesh: HeadMesh, n: int = 7) -> list[list[int]]:
    """Inner-lip seam pairs (upper copy, lower copy) nearest the mouth centre, left to right."""
    info = mesh.info
    up, lo = info["seam_upper"], info["seam_lower"]
    x = mesh.positions[up, 0] - info["mouth_center"][0]
    pick = np.sort(np.argsort(np.abs(x), kind="stable")[:n])
    pick = pick[np.argsort(x[pick])]
    return [[int(up[k]), int(lo[k])] for k in pick]


def base_spec(name: str, vertex_count: int, triangle_count: int, expression: list[dict], shape: list[dict],
              rest: np.ndarray) -> dict:
    """The fields every head spec has: files, axes, mesh size, expression and shape components, joints, motion.

    @param name the head's name; its files are ``name.glb`` and ``name.shape.bin``
    @param expression one {name, description, target} per expression component, in order
    @param shape one {name, description} per identity component, in order
    @param rest [joints, 3] world bind positions in JOINT_NAMES order (meters)
    """
    return {
        "format": "parley-head-spec", "version": 1, "name": name,
        "model": f"{name}.glb", "shapeFile": f"{name}.shape.bin",
        "units": "meter", "up": "+Y", "forward": "+Z", "left": "+X",
        "mesh": {"node": name, "vertexCount": int(vertex_count), "triangleCount": int(triangle_count)},
        "expression": {"count": len(expression), "components": expression},
        "shape": {"count": len(shape), "components": shape,
                  "layout": "little-endian float32 [count][vertexCount][3] vertex basis, "
                            "then [count][joints][3] joint basis"},
        "joints": [{"name": n, "parent": p, "rest": [float(v) for v in rest[j]]}
                   for j, (n, p) in enumerate(zip(JOINT_NAMES, JOINT_PARENTS))],
        "pose": {"count": N_POSE, "layout": "axis-angle per joint in joint order"},
        "motion": {"dim": MOTION_DIM, "fps": MOTION_FPS, "layout": layout_json()},
    }


def make_spec(mesh: HeadMesh, model: dict, rest: np.ndarray) -> dict:
    from .shape import shape_names
    names = shape_names(mesh)
    spec = base_spec("ParleyHead", len(mesh.positions), len(mesh.faces),
                     [{"name": c.name, "description": c.description, "target": c.name} for c in EXPRESSION_COMPONENTS],
                     [{"name": f"shape{k:03d}", "description": names[k]} for k in range(N_SHAPE)], rest)
    return spec | {
        "regions": regions(mesh),
        "mouthCorners": [int(c) for c in mesh.info["corners"]],
        "mouthOpening": {"pairs": mouth_pairs(mesh), "closedBelow": MOUTH_CLOSED_BELOW,
                         "definition": MOUTH_OPENING_DEFINITION},
    }


def dump_spec(spec: dict) -> str:
    """Indented JSON with short numeric lists kept on one line; stable key order."""
    def fmt(o, ind):
        pad = "  " * ind
        if isinstance(o, dict):
            if not o:
                return "{}"
            items = [f'{pad}  {json.dumps(k)}: {fmt(v, ind + 1)}' for k, v in o.items()]
            return "{\n" + ",\n".join(items) + "\n" + pad + "}"
        if isinstance(o, list):
            if all(isinstance(v, (int, float)) for v in o) or all(
                    isinstance(v, list) and all(isinstance(w, (int, float)) for w in v) for v in o):
                return json.dumps(o, separators=(",", ":"))
            if all(isinstance(v, dict) and len(json.dumps(v)) < 160 for v in o):
                return "[\n" + ",\n".join(f"{pad}  {json.dumps(v)}" for v in o) + "\n" + pad + "]"
            return "[\n" + ",\n".join(f"{pad}  {fmt(v, ind + 1)}" for v in o) + "\n" + pad + "]"
        return json.dumps(o)
    return fmt(spec, 0) + "\n"
