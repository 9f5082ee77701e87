"""Quality measures on corpus clips: closure on bilabials (with the head's lip spec), smoothness, alignment."""
from __future__ import annotations

import numpy as np

from ..layout import EXPRESSION, MOTION_FPS, SLICES, flame_pose
from .dataset import Clip
from .motion import bilabial_frames
from .phones import BILABIALS, VOWELS

# Per-frame bounds at 25 fps that the procedural target must respect.
# Lips close from wide open within ~2 frames (like real bilabial gestures, ~200 mm/s);
# the jaw moves at most ~3 rad/s; heads turn at most ~75 deg/s in conversation.
MAX_VEL = {"expression": 1.0, "jaw": 0.12, "head": np.deg2rad(3.0)}  # per frame
MAX_ACC = {"expression": 1.2, "jaw": 0.15, "head": np.deg2rad(1.5)}  # per frame^2
# Ranges: expression weights stay near [-1, 1]; the jaw opens at most ~20 degrees in speech;
# a speaker's head stays within ~30 degrees of straight ahead.
MAX_ABS = {"expression": 1.6, "jaw": 0.36, "head": np.deg2rad(30.0)}


def ranges(m: np.ndarray) -> dict[str, float]:
    """Max |value| for expression, jaw and head rotation."""
    return {name: float(np.abs(m[:, sl]).max()) for name, sl in SLICES.items()}


def smoothness(m: np.ndarray) -> dict[str, tuple[float, float]]:
    """Max |velocity| and |acceleration| per frame for expression, jaw opening and head rotation."""
    out = {}
    for name, sl in SLICES.items():
        x = m[:, sl]
        v = np.abs(np.diff(x, axis=0)).max() if len(x) > 1 else 0.0
        a = np.abs(np.diff(x, 2, axis=0)).max() if len(x) > 2 else 0.0
        out[name] = (float(v), float(a))
    return out


def bilabial_mid_frames(clip: Clip) -> list[int]:
    return [mid for mid, _ in bilabial_frames(clip.phones, clip.n_frames)]


class HeadCloser:
    """Mouth opening on the Parley head (parley.head.flame) for chosen frames."""

    def __init__(self) -> None:
        import torch
        from ..head.flame import load_parley_head, mouth_opening
        self.torch = torch
        self.head, self.spec = load_parley_head()
        self._mouth_opening = mouth_opening
        self.closed_below = float(self.spec["mouthOpening"]["closedBelow"])

    def opening(self, beta: np.ndarray, motion_rows: np.ndarray, batch: int = 64) -> np.ndarray:
        torch = self.torch
        out = []
        with torch.no_grad():
            for s in range(0, len(motion_rows), batch):
                m = motion_rows[s:s + batch]
                b = torch.as_tensor(np.repeat(beta[None], len(m), 0), dtype=torch.float32)
                v = self.head(b, torch.as_tensor(m[:, EXPRESSION], dtype=torch.float32),
                              torch.as_tensor(flame_pose(m), dtype=torch.float32))
                out.append(self._mouth_opening(v, self.spec).numpy())
        return np.concatenate(out) if out else np.zeros(0)

    def closure(self, clip: Clip) -> tuple[int, int, np.ndarray]:
        """(closed, total) over the clip's p/b/m midpoint frames, and the openings there."""
        mids = bilabial_mid_frames(clip)
        if not mids:
            return 0, 0, np.zeros(0)
        op = self.opening(np.asarray(clip.beta, np.float32), clip.motion[mids])
        return int((op < self.closed_below).sum()), len(mids), op


def energy_alignment(clip: Clip) -> tuple[float, float]:
    """Median frame energy (dB) at p/b midpoints vs at vowel midpoints: stop closures are quiet."""
    en = clip.meta["energy"]
    b, v = [], []
    for p in clip.phones:
        i = min(int(0.5 * (p.start + p.end) * MOTION_FPS), clip.n_frames - 1)
        if p.phone in ("P", "B"):
            b.append(en[i])
        elif p.phone in VOWELS:
            v.append(en[i])
    return (float(np.median(b)) if b else float("nan"), float(np.median(v)) if v else float("nan"))


def main(argv: list[str] | None = None) -> int:
    """python3 -m parley corpus-quality DIR [--split heldout]: closure rate and smoothness report."""
    import argparse
    from .dataset import Corpus
    ap = argparse.ArgumentParser(prog="python3 -m parley corpus-quality",
                                 description="Bilabial closure on the Parley head (its lip spec) and smoothness.")
    ap.add_argument("corpus")
    ap.add_argument("--split", default=None)
    ap.add_argument("--max-clips", type=int, default=0)
    a = ap.parse_args(argv)
    C = Corpus(a.corpus)
    hc = HeadCloser()
    closed = total = 0
    worst = {"expression": [0, 0], "jaw": [0, 0], "head": [0, 0]}
    per_engine: dict[str, list[int]] = {}
    over: dict[str, list[str]] = {k: [] for k in worst}
    out_of_range: dict[str, list[str]] = {k: [] for k in worst}
    worst_abs = {k: 0.0 for k in worst}
    n_clips = 0
    for k, clip in enumerate(C.clips(a.split)):
        if a.max_clips and k >= a.max_clips:
            break
        c, t, _ = hc.closure(clip)
        closed, total = closed + c, total + t
        pe = per_engine.setdefault(clip.meta["engine"], [0, 0])
        pe[0] += c
        pe[1] += t
        n_clips += 1
        for n, (v, acc) in smoothness(clip.motion).items():
            worst[n] = [max(worst[n][0], v), max(worst[n][1], acc)]
            if v > MAX_VEL[n] or acc > MAX_ACC[n]:
                over[n].append(clip.id)
        for n, x in ranges(clip.motion).items():
            worst_abs[n] = max(worst_abs[n], x)
            if x > MAX_ABS[n]:
                out_of_range[n].append(clip.id)
    print(f"bilabial closure ({a.split or 'all'}): {closed}/{total} = {closed / max(total, 1):.4f}")
    for e, (c, t) in sorted(per_engine.items()):
        print(f"  {e}: {c}/{t} = {c / max(t, 1):.4f}")
    print("max |vel|, |acc| per frame:", {k: [round(x, 4) for x in v] for k, v in worst.items()})
    print("bounds |vel|, |acc|:", {k: [round(float(MAX_VEL[k]), 4), round(float(MAX_ACC[k]), 4)] for k in worst})
    print(f"clips over a velocity/acceleration bound (of {n_clips}):",
          {k: f"{len(v)} {v[:4]}" for k, v in over.items()})
    print("max |value|:", {k: round(v, 4) for k, v in worst_abs.items()},
          "bounds:", {k: round(float(v), 4) for k, v in MAX_ABS.items()})
    print("clips out of range:", {k: f"{len(v)} {v[:4]}" for k, v in out_of_range.items()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
