"""Golden poses of the head for the Java rig: PyTorch head -> expected vertex positions.

The Java test poses the same glb through jME's loader, Parley's morph path and jME's skinning, and
compares against these positions, so both languages agree on morphs, joint conventions and skinning.

    cd models && /usr/bin/python3 -m parley.head.golden
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from parley.head.flame import load_parley_head

REPO = Path(__file__).resolve().parents[3]
DEFAULT_OUT = REPO / "plugin/src/test/resources/golden/head-pose.json"
SEED = 20261123
SAMPLED_VERTICES = 160


def cases(rng: np.random.Generator) -> list[dict]:
    """Five poses: signed expressions alone, expressions with jaw/neck/eyes, the jaw alone, and two
    identities (nonzero beta): one at rest, one talking with the jaw and neck turned, so the shaped
    joints' bind positions matter."""
    psi = rng.normal(0.0, 0.6, 50).astype(np.float32)
    psi[0], psi[1], psi[2] = -0.9, 0.003, -0.002  # negative and below jME MorphControl's 0.005 cut-off
    psi2 = rng.normal(0.0, 0.6, 50).astype(np.float32)
    pose2 = np.zeros(15, np.float32)
    pose2[3:6] = (0.1, 0.3, -0.05)   # neck
    pose2[6:9] = (0.25, 0.0, 0.0)    # jaw
    pose2[9:12] = (0.05, 0.12, 0.0)  # eye_L
    pose2[12:15] = (0.05, 0.12, 0.0)  # eye_R
    pose3 = np.zeros(15, np.float32)
    pose3[6] = 0.3
    beta4 = rng.normal(0.0, 1.0, 100).astype(np.float32)
    beta5 = np.zeros(100, np.float32)
    beta5[:20] = rng.normal(0.0, 1.5, 20)  # strong named shapes: face width, jaw, chin, eyes...
    psi5 = rng.normal(0.0, 0.4, 50).astype(np.float32)
    pose5 = pose2.copy()
    pose5[6] = 0.2
    return [
        {"name": "signed-expressions", "psi": psi, "theta": np.zeros(15, np.float32)},
        {"name": "expressions-jaw-neck-eyes", "psi": psi2, "theta": pose2},
        {"name": "jaw-only", "psi": np.zeros(50, np.float32), "theta": pose3},
        {"name": "identity-at-rest", "beta": beta4, "psi": np.zeros(50, np.float32), "theta": np.zeros(15, np.float32)},
        {"name": "identity-talking", "beta": beta5, "psi": psi5, "theta": pose5},
    ]


def build(asset_dir: Path | None = None) -> dict:
    """Golden poses of the head in ``asset_dir`` (default: the open head), as the Java rig evaluates it: an
    imported FLAME head without its pose correctives and expression joint basis (docs/head.md)."""
    head, spec = load_parley_head(asset_dir)
    head.posedirs = head.J_exprdirs = None
    rng = np.random.default_rng(SEED)
    lips = spec["regions"]["lips"]
    others = sorted(set(range(spec["mesh"]["vertexCount"])) - set(lips))
    sample = sorted(rng.choice(others, min(SAMPLED_VERTICES, len(others)), replace=False).tolist())
    vertices = sorted(set(lips) | set(sample))
    out = {"format": "parley-head-golden", "version": 1, "seed": SEED, "vertices": vertices, "cases": []}
    with torch.no_grad():
        for case in cases(rng):
            beta = torch.from_numpy(case["beta"])[None] if "beta" in case else None
            v = head(beta=beta, psi=torch.from_numpy(case["psi"])[None], theta=torch.from_numpy(case["theta"])[None])[0]
            entry = {"name": case["name"]}
            if "beta" in case:
                entry["beta"] = [round(float(x), 7) for x in case["beta"]]
            out["cases"].append(entry | {
                "psi": [round(float(x), 7) for x in case["psi"]],
                "theta": [round(float(x), 7) for x in case["theta"]],
                "positions": [round(float(x), 7) for x in v[vertices].reshape(-1).tolist()],
            })
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m parley.head.golden", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(build(), separators=(",", ":")) + "\n")
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
