"""Minimal binary glTF 2.0 writer (deterministic bytes) and reader for the Parley head.

Only what the heads need: one mesh with one indexed primitive, dense morph targets, and
either a joint hierarchy with inverse bind matrices or no skin at all (no joint names). Dense accessors only (jME 3.9's
loader does not read sparse accessors).
"""
from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

GLB_MAGIC = 0x46546C67
CHUNK_JSON = 0x4E4F534A
CHUNK_BIN = 0x004E4942

FLOAT, UBYTE, USHORT, UINT = 5126, 5121, 5123, 5125
_NP = {FLOAT: np.float32, UBYTE: np.uint8, USHORT: np.uint16, UINT: np.uint32, 5120: np.int8, 5122: np.int16}
_NCOMP = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT4": 16}
ARRAY_BUFFER, ELEMENT_ARRAY_BUFFER = 34962, 34963


@dataclass
class SkinnedMesh:
    name: str
    positions: np.ndarray        # [N,3]
    normals: np.ndarray          # [N,3]
    colors: np.ndarray           # [N,4]
    texcoord1: np.ndarray | None  # [N,2], or None
    joints: np.ndarray | None    # [N,4] int (skin joint slots); None without a skin
    weights: np.ndarray | None   # [N,4]; None without a skin
    indices: np.ndarray          # [F*3]
    target_positions: list[np.ndarray]
    target_normals: list[np.ndarray]  # one per target, or empty: targets without NORMAL
    target_names: list[str]
    joint_names: list[str]       # empty: a plain mesh, no skin
    joint_parents: list[int]
    joint_rest: np.ndarray | None  # [J,3] world bind positions (identity rotations)
    material: dict
    extensions: dict | None = None  # top-level glTF extensions (listed in extensionsUsed)


class _Bin:
    def __init__(self):
        self.data = bytearray()
        self.views: list[dict] = []
        self.accessors: list[dict] = []

    def add(self, arr: np.ndarray, ctype: int, atype: str, target: int | None = None, minmax: bool = False) -> int:
        arr = np.ascontiguousarray(arr, dtype=_NP[ctype])
        while len(self.data) % 4:
            self.data.append(0)
        view = {"buffer": 0, "byteOffset": len(self.data), "byteLength": arr.nbytes}
        if target is not None:
            view["target"] = target
        self.data += arr.astype(arr.dtype.newbyteorder("<")).tobytes()
        self.views.append(view)
        count = arr.shape[0] if atype != "SCALAR" else arr.size
        acc = {"bufferView": len(self.views) - 1, "componentType": ctype, "count": int(count), "type": atype}
        if minmax:
            flat = arr.reshape(count, -1)
            acc["min"] = [float(v) for v in flat.min(axis=0)]
            acc["max"] = [float(v) for v in flat.max(axis=0)]
        self.accessors.append(acc)
        return len(self.accessors) - 1


def write_glb(path: Path | str, m: SkinnedMesh) -> None:
    b = _Bin()
    n = len(m.positions)
    attrs = {
        "POSITION": b.add(m.positions, FLOAT, "VEC3", ARRAY_BUFFER, minmax=True),
        "NORMAL": b.add(m.normals, FLOAT, "VEC3", ARRAY_BUFFER),
        "COLOR_0": b.add(m.colors, FLOAT, "VEC4", ARRAY_BUFFER),
    }
    if m.texcoord1 is not None:
        attrs["TEXCOORD_1"] = b.add(m.texcoord1, FLOAT, "VEC2", ARRAY_BUFFER)
    J = len(m.joint_names)
    if J:
        attrs["JOINTS_0"] = b.add(m.joints, UBYTE if J < 256 else USHORT, "VEC4", ARRAY_BUFFER)
        attrs["WEIGHTS_0"] = b.add(m.weights, FLOAT, "VEC4", ARRAY_BUFFER)
    itype = USHORT if n < 65536 else UINT
    ind = b.add(m.indices.reshape(-1), itype, "SCALAR", ELEMENT_ARRAY_BUFFER)
    targets = []
    for k, tp in enumerate(m.target_positions):
        t = {"POSITION": b.add(tp, FLOAT, "VEC3", ARRAY_BUFFER, minmax=True)}
        if m.target_normals:
            t["NORMAL"] = b.add(m.target_normals[k], FLOAT, "VEC3", ARRAY_BUFFER)
        targets.append(t)

    # nodes: 0 scene root, 1 mesh, 2.. joints
    nodes: list[dict] = [{"name": m.name + "Root", "children": [1]}, {"name": m.name, "mesh": 0}]
    skins = []
    if J:
        ibm = np.zeros((J, 4, 4), np.float32)
        for j in range(J):
            mat = np.eye(4)
            mat[:3, 3] = -m.joint_rest[j]
            ibm[j] = mat.T  # glTF matrices are column-major
        ibm_acc = b.add(ibm.reshape(J, 16), FLOAT, "MAT4")
        for j, (name, parent) in enumerate(zip(m.joint_names, m.joint_parents)):
            local = m.joint_rest[j] - (m.joint_rest[parent] if parent >= 0 else 0.0)
            node = {"name": name, "translation": [float(v) for v in local]}
            kids = [2 + k for k, p in enumerate(m.joint_parents) if p == j]
            if kids:
                node["children"] = kids
            nodes.append(node)
        roots = [2 + j for j, p in enumerate(m.joint_parents) if p < 0]
        nodes[0]["children"] = [1] + roots
        nodes[1]["skin"] = 0
        skins = [{"name": m.name + "Skin", "joints": [2 + j for j in range(J)], "inverseBindMatrices": ibm_acc,
                  "skeleton": roots[0]}]
    doc = {
        "asset": {"version": "2.0", "generator": "parley.head"},
        "scene": 0,
        "scenes": [{"name": m.name, "nodes": [0]}],
        "nodes": nodes,
        "meshes": [{
            "name": m.name,
            "primitives": [{"attributes": attrs, "indices": ind, "material": 0, "mode": 4, "targets": targets}],
            "weights": [0.0] * len(targets),
            "extras": {"targetNames": list(m.target_names)},
        }],
        **({"skins": skins} if skins else {}),
        "materials": [m.material],
        "accessors": b.accessors,
        "bufferViews": b.views,
        "buffers": [{"byteLength": len(b.data)}],
    }
    if m.extensions:
        doc["extensionsUsed"] = sorted(m.extensions)
        doc["extensions"] = m.extensions
    js = json.dumps(doc, separators=(",", ":")).encode("utf-8")
    js += b" " * ((4 - len(js) % 4) % 4)
    binary = bytes(b.data) + b"\0" * ((4 - len(b.data) % 4) % 4)
    total = 12 + 8 + len(js) + 8 + len(binary)
    out = struct.pack("<III", GLB_MAGIC, 2, total) + struct.pack("<II", len(js), CHUNK_JSON) + js + \
        struct.pack("<II", len(binary), CHUNK_BIN) + binary
    Path(path).write_bytes(out)


class GlbFile:
    """Parsed glb: ``json`` document plus typed accessor reads."""

    def __init__(self, data: bytes):
        magic, version, length = struct.unpack_from("<III", data, 0)
        if magic != GLB_MAGIC or version != 2:
            raise ValueError("not a glTF 2.0 binary")
        off = 12
        self.json: dict = {}
        self.bin = b""
        while off < length:
            clen, ctype = struct.unpack_from("<II", data, off)
            chunk = data[off + 8: off + 8 + clen]
            if ctype == CHUNK_JSON:
                self.json = json.loads(chunk.decode("utf-8"))
            elif ctype == CHUNK_BIN:
                self.bin = bytes(chunk)
            off += 8 + clen

    @property
    def nodes(self) -> list[dict]:
        return self.json["nodes"]

    def accessor(self, i: int) -> np.ndarray:
        a = self.json["accessors"][i]
        v = self.json["bufferViews"][a["bufferView"]]
        dt = np.dtype(_NP[a["componentType"]]).newbyteorder("<")
        nc = _NCOMP[a["type"]]
        start = v.get("byteOffset", 0) + a.get("byteOffset", 0)
        stride = v.get("byteStride", 0)
        if stride and stride != nc * dt.itemsize:
            raw = np.frombuffer(self.bin, np.uint8, a["count"] * stride, start).reshape(a["count"], stride)
            arr = raw[:, : nc * dt.itemsize].copy().view(dt)
        else:
            arr = np.frombuffer(self.bin, dt, a["count"] * nc, start).copy()
        arr = arr.reshape(a["count"], nc) if nc > 1 else arr
        if a["type"] == "MAT4":
            arr = arr.reshape(-1, 4, 4).transpose(0, 2, 1)  # column-major -> row-major matrices
        return arr

    def mesh_primitive(self, mesh: int = 0, prim: int = 0) -> dict:
        p = self.json["meshes"][mesh]["primitives"][prim]
        out = {k: self.accessor(i) for k, i in p["attributes"].items()}
        out["indices"] = self.accessor(p["indices"]).astype(np.int64)
        out["targets"] = [{k: self.accessor(i) for k, i in t.items()} for t in p.get("targets", [])]
        return out

    def skin(self, i: int = 0) -> dict:
        s = self.json["skins"][i]
        return {"joints": s["joints"], "inverseBindMatrices": self.accessor(s["inverseBindMatrices"])}


def read_glb(path: Path | str) -> GlbFile:
    return GlbFile(Path(path).read_bytes())
