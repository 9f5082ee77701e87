"""Run an exported graph with ONNX Runtime through Java (the Python environment has no ONNX runtime).

A development check only: used by the parity tests when ``java`` and the ONNX Runtime jar from the
local Maven repository are present, skipped otherwise.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

RUNNER = Path(__file__).with_name("ort") / "OrtRun.java"


def find_jar() -> Path | None:
    root = Path.home() / ".m2/repository/com/microsoft/onnxruntime/onnxruntime"
    jars = sorted(root.glob("*/onnxruntime-*.jar")) if root.is_dir() else []
    return jars[-1] if jars and shutil.which("java") else None


def run(model: Path, inputs: dict[str, np.ndarray], threads: int = 1, repeat: int = 0,
        timings: dict[str, float] | None = None) -> tuple[dict[str, np.ndarray], float]:
    """(outputs by name as float32 arrays, mean ms per run when repeat > 0); ``timings`` (if given)
    receives ``mean``, ``median`` and ``min`` ms per run."""
    jar = find_jar()
    if jar is None:
        raise RuntimeError("java or the onnxruntime jar (~/.m2) is missing")
    with tempfile.TemporaryDirectory() as tmp:
        specs = []
        for name, value in inputs.items():
            arr = np.ascontiguousarray(value)
            dtype = "int64" if arr.dtype.kind in "iu" else "float32"
            arr = arr.astype("<i8" if dtype == "int64" else "<f4")
            path = Path(tmp) / f"in_{name}.bin"
            path.write_bytes(arr.tobytes())
            specs.append(f"{name}={path}:{dtype}:{','.join(str(d) for d in arr.shape)}")
        proc = subprocess.run(["java", "-cp", str(jar), str(RUNNER), str(model), tmp, str(threads), str(repeat), *specs],
                              capture_output=True, text=True, timeout=300)
        if proc.returncode:
            raise RuntimeError(f"OrtRun failed:\n{proc.stdout}\n{proc.stderr}")
        outputs, ms = {}, 0.0
        for line in proc.stdout.splitlines():
            parts = line.split(" ", 2)
            if parts[0] == "output":
                shape = [int(d) for d in parts[2].strip("[]").split(",")]
                outputs[parts[1]] = np.fromfile(Path(tmp) / f"{parts[1]}.bin", dtype="<f4").reshape(shape)
            elif parts[0] == "ms_per_run":
                ms = float(parts[1])
            elif parts[0] in ("ms_median", "ms_min") and timings is not None:
                timings[parts[0][3:]] = float(parts[1])
        if timings is not None:
            timings["mean"] = ms
        return outputs, ms
