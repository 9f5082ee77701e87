"""Checks that a regenerated artifact matches the committed one.

Regeneration is deterministic on one machine, but float results can differ in the last bits
between CPUs (vectorised kernels sum in different orders). So generated artifacts are compared
by structure exactly and by numbers within a tolerance, never byte for byte.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

from .head.gltf import read_glb


def json_differences(a, b, atol: float, path: str = "$", skip: tuple[str, ...] = ()) -> list[str]:
    """Where two JSON values differ: structure and strings exactly, numbers within ``atol``
    (relative to magnitude for large values). Keys in ``skip`` are ignored at any depth."""
    if isinstance(a, dict) and isinstance(b, dict):
        keys = (set(a) | set(b)) - set(skip)
        out = [f"{path}.{k}: missing on one side" for k in sorted(keys) if (k in a) != (k in b)]
        for k in sorted(keys & set(a) & set(b)):
            out += json_differences(a[k], b[k], atol, f"{path}.{k}", skip)
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: length {len(a)} vs {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in json_differences(x, y, atol, f"{path}[{i}]", skip)]
    numeric = (int, float)
    if isinstance(a, numeric) and isinstance(b, numeric) and not isinstance(a, bool) and not isinstance(b, bool):
        if math.isclose(a, b, rel_tol=atol, abs_tol=atol):
            return []
        return [f"{path}: {a} vs {b}"]
    return [] if a == b else [f"{path}: {a!r} vs {b!r}"]


def array_difference(a: np.ndarray, b: np.ndarray, name: str, atol: float) -> str | None:
    """None when equal in shape and dtype, integers exactly and floats within ``atol``."""
    if a.shape != b.shape or a.dtype != b.dtype:
        return f"{name}: shape/dtype {a.shape} {a.dtype} vs {b.shape} {b.dtype}"
    if np.issubdtype(a.dtype, np.floating):
        d = float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)), initial=0.0))
        return None if d <= atol else f"{name}: max difference {d:.3g} > {atol:g}"
    return None if np.array_equal(a, b) else f"{name}: integer values differ"


def glb_differences(a: Path, b: Path, atol: float = 1e-6) -> list[str]:
    ga, gb = read_glb(a), read_glb(b)
    out = json_differences(ga.json, gb.json, atol)
    if out:
        return out
    for i in range(len(ga.json.get("accessors", []))):
        d = array_difference(ga.accessor(i), gb.accessor(i), f"{a.name} accessor {i}", atol)
        out += [d] if d else []
    return out


def raw_float32_difference(a: Path, b: Path, atol: float) -> str | None:
    return array_difference(np.fromfile(a, "<f4"), np.fromfile(b, "<f4"), a.name, atol)


def onnx_differences(a: Path, b: Path, atol: float) -> list[str]:
    """Same graph (nodes, inputs, outputs) and initialisers within ``atol``."""
    ma, mb = onnx.load(str(a)), onnx.load(str(b))
    out = []
    if ma.graph.node != mb.graph.node or ma.graph.input != mb.graph.input or ma.graph.output != mb.graph.output:
        out.append(f"{a.name}: graph structure differs")
    ia = {t.name: numpy_helper.to_array(t) for t in ma.graph.initializer}
    ib = {t.name: numpy_helper.to_array(t) for t in mb.graph.initializer}
    if set(ia) != set(ib):
        return out + [f"{a.name}: initialiser names differ"]
    for name in sorted(ia):
        d = array_difference(ia[name], ib[name], f"{a.name}:{name}", atol)
        out += [d] if d else []
    return out


def json_file_differences(a: Path, b: Path, atol: float, skip: tuple[str, ...] = ()) -> list[str]:
    return json_differences(json.loads(a.read_text()), json.loads(b.read_text()), atol, a.name, skip)
