"""What a retarget keeps, on held-out clips: lip-vertex error and p/b/m closures against the direct face.

Clips: the demo's dialogue lines (assets/Sounds/Dialogue/lines.json: text and voice, spoken again by the same TTS
engine, which gives the phone timing the OGG files lack) and a few more p/b/m-rich lines, none of them corpus
text, driven two ways: by the committed pack's model through the Python sampler (DDIM, the pack's default steps and
guidance, a style from assets/Styles; the held-out figure) and by the corpus's procedural motion generator.

- ``lve_mm``: per frame, the largest distance over the head's lip vertices between the retargeted face
  (rest + sum of target weight x target field) and the direct face (the head posed with the frame's
  expression and jaw; head pose left out), averaged over frames, as ``parley.model.evaluate``.
- ``closure_kept``: of the p/b/m midpoint frames where the direct face's lips are closed (mouth opening
  below the spec's ``closedBelow``, the evaluation's criterion), the share where the retargeted face's are too.
"""
from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from math import gcd
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

from ..corpus import motion as motion_mod
from ..corpus import prosody, tts
from ..corpus.dataset import Clip
from ..corpus.phones import PhoneSeg, frame_labels
from ..corpus.style import Style
from ..layout import MOTION_FPS, SAMPLE_RATE, SAMPLES_PER_FRAME
from .solve import DirectFace, Retarget

REPO = Path(__file__).resolve().parents[3]
PACK = REPO / "models" / "packs" / "parley-base-v1"
STYLES = REPO / "assets" / "Styles"

DIALOGUE = REPO / "assets" / "Sounds" / "Dialogue" / "lines.json"
# More held-out lines (not corpus text), rich in p/b/m: (id, text, voice, style)
EXTRA_LINES: tuple[tuple[str, str, str, str], ...] = (
    ("pie", "Bring the big brown map back before the bells ring at nine.", "espeak:en-us+m3", "calm"),
    ("bob", "Poor Bob maybe bumped his boat upon the pebble bank.", "flite:slt", "animated"),
    ("mum", "My mum made some plum jam, but the pot broke.", "espeak:en+f3", "emphatic"),
    ("ember", "Remember the number seven, Pip, and keep the lamp lit by the bridge.", "flite:kal", "cheerful"),
)


def eval_lines() -> list[tuple[str, str, str, str]]:
    """(id, text, voice, style) of the dialogue lines, styles taken in turn from assets/Styles, then EXTRA_LINES."""
    styles = sorted(p.name.removesuffix(".style.json") for p in STYLES.glob("*.style.json"))
    lines = json.loads(DIALOGUE.read_text())["lines"]
    return [(x["id"], x["text"], x["voice"], styles[i % len(styles)]) for i, x in enumerate(lines)] + list(EXTRA_LINES)


@dataclass
class EvalClip:
    id: str
    phones: list[PhoneSeg]
    model: np.ndarray  # [T, 56] the pack's output
    procedural: np.ndarray  # [T, 56] the corpus generator's


def _voice(v: str) -> tts.Voice:
    engine, name = v.split(":", 1)
    return tts.Voice(engine, name)


def _to_16k(audio: np.ndarray, sr: int) -> np.ndarray:
    g = gcd(SAMPLE_RATE, sr)
    return resample_poly(audio, SAMPLE_RATE // g, sr // g).astype(np.float32)


def eval_clips(lines: list[tuple[str, str, str, str]] | None = None, seed: int = 0, pack: Path = PACK
               ) -> list[EvalClip]:
    """Speak the lines and drive them through the pack and the procedural generator (seeded)."""
    import torch

    from ..model.evaluate import sample_clips
    from ..model.export import load_pack_weights

    lines = eval_lines() if lines is None else lines
    results = tts.synthesize([tts.SynthRequest(text, _voice(v)) for _, text, v, _ in lines])
    clips, procedural = [], []
    for k, ((cid, text, _, _), res) in enumerate(zip(lines, results)):
        audio = _to_16k(res.audio, res.sample_rate)
        n_frames = motion_mod.n_frames_for(len(audio), SAMPLE_RATE)
        audio = np.pad(audio, (0, max(0, n_frames * SAMPLES_PER_FRAME - len(audio))))[: n_frames * SAMPLES_PER_FRAME]
        scale = SAMPLE_RATE / res.sample_rate * len(res.audio) / max(len(audio), 1)
        dur = n_frames / MOTION_FPS
        phones = [PhoneSeg(p.phone, min(p.start * scale, dur), min(p.end * scale, dur)) for p in res.phones]
        phones = [p for p in phones if p.end > p.start]
        pros = prosody.analyse(audio, SAMPLE_RATE)
        mot, _ = motion_mod.generate(phones, pros, n_frames, Style(), np.random.default_rng(seed + k), text=text)
        procedural.append(mot.astype(np.float32))
        clips.append(Clip(cid, audio, mot.astype(np.float32), np.zeros(100, np.float32), phones,
                          np.array(frame_labels(phones, n_frames, MOTION_FPS))))
    with tempfile.TemporaryDirectory() as tmp:
        model, mean, std, man = load_pack_weights(pack, Path(tmp))
    styles = torch.stack([torch.tensor(json.loads((STYLES / f"{s}.style.json").read_text())["embedding"],
                                       dtype=torch.float32) for *_, s in lines])
    g = man["sampling"]["guidance"]
    sampled = sample_clips(model, mean, std, clips, styles, 1, int(man["sampling"]["defaultSteps"]),
                           (g["audio"], g["style"], g["rescale"]), seed=seed)
    return [EvalClip(c.id, c.phones, s[0], p) for c, s, p in zip(clips, sampled, procedural)]


class Fidelity:
    """Scores retargets against the direct face on the head's lip vertices and mouth-opening pairs."""

    def __init__(self, face: DirectFace, spec: dict):
        self.face = face
        self.lips = np.asarray(spec["regions"]["lips"])
        self.pairs = np.asarray(spec["mouthOpening"]["pairs"])
        self.closed_mm = float(spec["mouthOpening"]["closedBelow"]) * 1000.0

    def opening(self, disp: np.ndarray) -> np.ndarray:
        """Mouth opening [T] in mm of displacements [T, N, 3] in mm (the rest face's opening added)."""
        rest = self.face.rest.numpy() * 1000.0
        v = disp[:, :, 1] + rest[None, :, 1]
        return (v[:, self.pairs[:, 0]] - v[:, self.pairs[:, 1]]).mean(-1)

    def score(self, rt: Retarget, fields_mm: np.ndarray, clips: list[tuple[np.ndarray, list[PhoneSeg]]]) -> dict:
        """fields_mm [N, 3, K]; clips: (motion [T, 56], phones). -> lve_mm, closures (direct, kept), share kept."""
        lve, direct_closed, kept, mids = [], 0, 0, 0
        for motion, phones in clips:
            d = self.face.displacement(motion)
            w = rt.weights(motion)
            r = np.einsum("nck,tk->tnc", fields_mm, w)
            lve.append(np.linalg.norm(r[:, self.lips] - d[:, self.lips], axis=-1).max(1))
            od, orr = self.opening(d), self.opening(r)
            for mid, _ in motion_mod.bilabial_frames(phones, len(motion)):
                mids += 1
                if od[mid] < self.closed_mm:
                    direct_closed += 1
                    kept += int(orr[mid] < self.closed_mm)
        lv = np.concatenate(lve)
        return {"lve_mm": round(float(lv.mean()), 4), "lve_p95_mm": round(float(np.percentile(lv, 95)), 4),
                "frames": int(len(lv)), "bilabials": mids, "direct_closed": direct_closed, "kept": kept,
                "closure_kept": round(kept / max(direct_closed, 1), 4)}
