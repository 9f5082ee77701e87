"""``python3 -m parley retarget``: author the target sets on the open head, fit their solves, write the assets.

    python3 -m parley retarget --out ../assets/Retargets            # the three .retarget.json assets
    python3 -m parley retarget --out ../assets/Retargets --evaluate  # and score them on held-out clips

Everything is seeded (fit frames: solve.FIT_SEED; evaluation clips: --seed), so a rerun writes the same bytes.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from ..head.flame import load_parley_head
from . import solve
from .targets import HeadControls, TargetSet, all_sets

REPO = Path(__file__).resolve().parents[3]
DEFAULT_OUT = REPO / "assets" / "Retargets"
PACK = REPO / "models" / "packs" / "parley-base-v1"


def asset_name(tset: TargetSet) -> str:
    return f"{tset.id}.retarget.json"


def build(pack: Path = PACK) -> tuple[dict, list[TargetSet], dict[str, solve.Retarget], solve.DirectFace, np.ndarray]:
    """(head spec, target sets, fitted solves by set id, the direct face, golden frames) for the committed
    open head, fitted on the pack's motion statistics."""
    head, spec = load_parley_head()
    head.double()  # float64 posing: float32 kernels round differently per CPU and the fit magnifies that
    sets = all_sets(HeadControls(head))
    face = solve.DirectFace(head)
    man = json.loads((pack / "manifest.json").read_text())
    frames = solve.fit_frames(np.asarray(man["motion"]["mean"]), np.asarray(man["motion"]["std"]))
    disp = face.displacement(frames)
    fitted = {s.id: solve.fit(s, face, spec, frames, displacement=disp) for s in sets}
    return spec, sets, fitted, face, solve.golden_frames(frames)


def write(out: Path, spec: dict, fitted: dict[str, solve.Retarget], golden: np.ndarray, pack: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for rt in fitted.values():
        p = out / asset_name(rt.set)
        p.write_text(solve.dump(solve.to_json(rt, spec["name"], spec["mesh"]["vertexCount"], pack, golden)))
        paths.append(p)
    return paths


def evaluate(spec: dict, sets: list[TargetSet], fitted: dict[str, solve.Retarget], face: solve.DirectFace,
             seed: int = 0) -> dict:
    """Fidelity of each set on the held-out clips, for the model's output and the procedural motion."""
    from .fidelity import Fidelity, eval_clips

    clips = eval_clips(seed=seed)
    fid = Fidelity(face, spec)
    return {s.id: {src: fid.score(fitted[s.id], s.fields() * 1000.0,
                                  [(getattr(c, src), c.phones) for c in clips]) for src in ("model", "procedural")}
            for s in sets}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m parley retarget", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(DEFAULT_OUT), help="output folder (default assets/Retargets)")
    ap.add_argument("--evaluate", action="store_true", help="also score the retargets on held-out clips")
    ap.add_argument("--seed", type=int, default=0, help="seed of the evaluation clips")
    ap.add_argument("--report", help="write the evaluation as JSON here")
    a = ap.parse_args(argv)
    t0 = time.time()
    spec, sets, fitted, face, golden = build()
    for p in write(Path(a.out), spec, fitted, golden, PACK.name):
        print(f"{p}  {p.stat().st_size / 1e3:.0f} kB")
    if a.evaluate:
        res = evaluate(spec, sets, fitted, face, a.seed)
        for sid, by_src in res.items():
            for src, r in by_src.items():
                print(f"{sid:9s} {src:10s} LVE {r['lve_mm']:.3f} mm (p95 {r['lve_p95_mm']:.3f}), closures kept "
                      f"{r['kept']}/{r['direct_closed']} = {100 * r['closure_kept']:.1f}%")
        if a.report:
            Path(a.report).write_text(json.dumps(res, indent=1) + "\n")
    print(f"{time.time() - t0:.1f} s")
    return 0
