"""Reading the corpus, and loading real FLAME data into the same clip shape.

Corpus on disk (see docs/corpus.md)::

    DIR/manifest.json          splits, speakers (voice, style, beta), clip list, build summary
    DIR/clips/<clip_id>.npz    one clip (np.savez, uncompressed):
        audio        int16 [N]      16 kHz mono PCM, N = frames * 640 exactly
        motion       float32 [T,56] 25 fps: expression(50) | jaw axis-angle(3) | neck axis-angle(3)
        beta         float32 [100]  speaker shape
        style        float32 [S]    style latents, names in manifest["style_names"]
        phones       uint8 [P]      indices into manifest["phones"]
        phone_start, phone_end float32 [P] seconds
        frame_phones uint8 [T]      phone at each frame centre ((i + 0.5) / 25 s)
        f0, energy   float32 [T]    prosody per frame (Hz, 0 unvoiced; dB re clip max)
        meta         str (JSON)     clip id, speaker, voice, engine, split, text, TTS and sox settings, events
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np

from ..head.components import N_EXPRESSION, N_SHAPE
from ..layout import EXPRESSION, HEAD, JAW, MOTION_DIM, MOTION_FPS, SAMPLE_RATE, SAMPLES_PER_FRAME
from ..safe_pickle import NUMPY, safe_load
from .phones import PHONES, PhoneSeg


@dataclass
class Clip:
    id: str
    audio: np.ndarray  # float32 [N] 16 kHz
    motion: np.ndarray  # float32 [T, 56]
    beta: np.ndarray  # float32 [100]
    phones: list[PhoneSeg] = field(default_factory=list)
    frame_phones: np.ndarray | None = None  # int [T] or None for real data without phones
    style: np.ndarray | None = None
    speaker: str = ""
    meta: dict = field(default_factory=dict)

    @property
    def n_frames(self) -> int:
        return int(self.motion.shape[0])

    @property
    def duration(self) -> float:
        return len(self.audio) / SAMPLE_RATE


def save_clip(path: Path, clip: Clip, f0: np.ndarray, energy: np.ndarray) -> None:
    assert len(clip.audio) == clip.n_frames * SAMPLES_PER_FRAME, "audio and motion lengths disagree"
    idx = {p: i for i, p in enumerate(PHONES)}
    np.savez(
        path,
        audio=np.clip(np.round(clip.audio * 32767), -32768, 32767).astype(np.int16),
        motion=clip.motion.astype(np.float32),
        beta=clip.beta.astype(np.float32),
        style=(clip.style if clip.style is not None else np.zeros(0)).astype(np.float32),
        phones=np.array([idx[p.phone] for p in clip.phones], np.uint8),
        phone_start=np.array([p.start for p in clip.phones], np.float32),
        phone_end=np.array([p.end for p in clip.phones], np.float32),
        frame_phones=np.asarray(clip.frame_phones, np.uint8),
        f0=f0.astype(np.float32),
        energy=energy.astype(np.float32),
        meta=np.array(json.dumps(clip.meta)),
    )


def load_clip(path: str | Path) -> Clip:
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        phones = [PhoneSeg(PHONES[i], float(s), float(e))
                  for i, s, e in zip(z["phones"], z["phone_start"], z["phone_end"])]
        return Clip(
            id=meta.get("id", Path(path).stem),
            audio=z["audio"].astype(np.float32) / 32768.0,
            motion=z["motion"],
            beta=z["beta"],
            phones=phones,
            frame_phones=z["frame_phones"].astype(np.int64),
            style=z["style"],
            speaker=meta.get("speaker", ""),
            meta={**meta, "f0": z["f0"], "energy": z["energy"]},
        )


class Corpus:
    """A built corpus directory: ``Corpus(dir).clips("train")`` iterates clips of a split."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        mf = self.root / "manifest.json"
        if not mf.is_file():
            raise FileNotFoundError(f"{self.root} is not a Parley corpus (no manifest.json); "
                                    "build one with: python3 -m parley corpus --preset small --out DIR")
        self.manifest = json.loads(mf.read_text())

    @property
    def splits(self) -> dict[str, list[str]]:
        return self.manifest["splits"]

    def clip_ids(self, split: str | None = None) -> list[str]:
        return [c["id"] for c in self.manifest["clips"] if split is None or c["split"] == split]

    def path(self, clip_id: str) -> Path:
        return self.root / "clips" / f"{clip_id}.npz"

    def clips(self, split: str | None = None) -> Iterator[Clip]:
        for cid in self.clip_ids(split):
            yield load_clip(self.path(cid))

    def __len__(self) -> int:
        return len(self.manifest["clips"])


def data_reference(root: str | Path) -> dict:
    """What a training or evaluation record says about its data: the folder's name and, for a corpus, the
    SHA-256 of its manifest. No absolute path: records are committed with packs and read on other machines."""
    root = Path(root)
    ref = {"name": root.resolve().name}
    if (root / "manifest.json").is_file():
        ref["manifest_sha256"] = hashlib.sha256((root / "manifest.json").read_bytes()).hexdigest()
    return ref


# ------------------------------------------------------------------ real FLAME data
def _axis_angle_compose(outer: np.ndarray, inner: np.ndarray) -> np.ndarray:
    """Rotation outer * inner as axis-angle, per frame (root then neck -> one head rotation)."""
    from scipy.spatial.transform import Rotation as R
    return (R.from_rotvec(outer) * R.from_rotvec(inner)).as_rotvec()


def _read_audio(path: Path) -> tuple[np.ndarray, int]:
    import wave
    with wave.open(str(path), "rb") as f:
        sr, n, ch, width = f.getframerate(), f.getnframes(), f.getnchannels(), f.getsampwidth()
        raw = f.readframes(n)
    dtype = {1: np.uint8, 2: np.int16, 4: np.int32}[width]
    x = np.frombuffer(raw, dtype=dtype).astype(np.float64)
    if width == 1:
        x = (x - 128) / 128
    else:
        x = x / float(2 ** (8 * width - 1))
    if ch > 1:
        x = x.reshape(-1, ch).mean(1)
    return x.astype(np.float32), sr


def _resample_audio(x: np.ndarray, sr: int) -> np.ndarray:
    if sr == SAMPLE_RATE:
        return x.astype(np.float32)
    from math import gcd
    from scipy.signal import resample_poly
    g = gcd(sr, SAMPLE_RATE)
    return resample_poly(x, SAMPLE_RATE // g, sr // g).astype(np.float32)


def _resample_motion(m: np.ndarray, fps: float) -> np.ndarray:
    if abs(fps - MOTION_FPS) < 1e-6:
        return m
    n_out = max(1, int(round(len(m) * MOTION_FPS / fps)))
    t_in = (np.arange(len(m)) + 0.5) / fps
    t_out = (np.arange(n_out) + 0.5) / MOTION_FPS
    # Linear interpolation; fine for the small per-frame rotations of talking heads.
    return np.stack([np.interp(t_out, t_in, m[:, k]) for k in range(m.shape[1])], 1)


def load_flame_clip(path: str | Path, audio_path: str | Path | None = None, fps: float | None = None,
                    pose_order: str = "head_jaw") -> Clip:
    """One real clip in DiffPoseTalk/TFHP style into the corpus clip shape.

    Accepts ``.npz`` or ``.pkl`` (read by :mod:`parley.safe_pickle`: arrays only, never code)
    holding ``exp`` [T, >=50 or fewer], ``pose`` [T, 6] or [T, 15]
    (or ``jaw_pose``/``global_pose``/``neck_pose`` [T, 3] keys), ``shape`` [100] or [T, 100],
    optional ``fps`` (default 25) and the audio either inline (``audio`` + ``sample_rate``)
    or as a WAV next to it with the same stem (or ``audio_path``).
    ``pose_order`` for [T, 6]: ``"head_jaw"`` (FLAME/DiffPoseTalk: global rotation then jaw)
    or ``"jaw_head"``. [T, 15] is FLAME's root, neck, jaw, eye_L, eye_R; root and neck
    compose into the one head rotation.
    """
    path = Path(path)
    if path.suffix == ".pkl":
        data = safe_load(path, NUMPY)  # arrays only: a pickle that names code to run is refused
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a dict of arrays, got {type(data).__name__}")
    else:
        with np.load(path, allow_pickle=False) as z:
            data = {k: z[k] for k in z.files}
    if "exp" not in data and "expression" not in data:
        raise ValueError(f"{path}: no expression sequence (expected key 'exp' or 'expression'); "
                         f"keys are {sorted(data)}")
    exp = np.asarray(data.get("exp", data.get("expression")), np.float32)
    if exp.ndim != 2:
        raise ValueError(f"{path}: expression must be [T, K], got shape {exp.shape}")
    T = exp.shape[0]
    expr = np.zeros((T, N_EXPRESSION), np.float32)
    k = min(N_EXPRESSION, exp.shape[1])
    expr[:, :k] = exp[:, :k]
    zeros3 = np.zeros((T, 3), np.float32)
    if "pose" in data:
        pose = np.asarray(data["pose"], np.float64).reshape(T, -1)
        if pose.shape[1] == 6:
            head, jaw = (pose[:, :3], pose[:, 3:6]) if pose_order == "head_jaw" else (pose[:, 3:6], pose[:, :3])
        elif pose.shape[1] == 15:
            head, jaw = _axis_angle_compose(pose[:, 0:3], pose[:, 3:6]), pose[:, 6:9]
        else:
            raise ValueError(f"{path}: pose must be [T,6] or [T,15], got {pose.shape}")
    else:
        jaw = np.asarray(data.get("jaw_pose", zeros3), np.float64)
        root = np.asarray(data.get("global_pose", data.get("global_orient", zeros3)), np.float64)
        neck = np.asarray(data.get("neck_pose", zeros3), np.float64)
        head = _axis_angle_compose(root, neck)
    motion = np.zeros((T, MOTION_DIM), np.float32)
    motion[:, EXPRESSION], motion[:, JAW], motion[:, HEAD] = expr, jaw, head
    shape = np.asarray(data.get("shape", data.get("beta", np.zeros(N_SHAPE))), np.float32)
    if shape.ndim == 2:
        shape = shape.mean(0)
    beta = np.zeros(N_SHAPE, np.float32)
    beta[: min(N_SHAPE, len(shape))] = shape[:N_SHAPE]
    src_fps = float(fps or np.asarray(data.get("fps", MOTION_FPS)))
    motion = _resample_motion(motion, src_fps).astype(np.float32)
    if "audio" in data:
        audio = np.asarray(data["audio"])
        audio = audio.astype(np.float32) / 32768.0 if audio.dtype == np.int16 else audio.astype(np.float32)
        sr = int(np.asarray(data.get("sample_rate", SAMPLE_RATE)))
    else:
        wav = Path(audio_path) if audio_path else path.with_suffix(".wav")
        if not wav.is_file():
            raise FileNotFoundError(f"{path}: no inline 'audio' and no WAV at {wav}")
        audio, sr = _read_audio(wav)
    audio = _resample_audio(audio, sr)
    # Same contract as the corpus: exactly 640 samples per motion frame.
    n = motion.shape[0] * SAMPLES_PER_FRAME
    audio = audio[:n] if len(audio) >= n else np.pad(audio, (0, n - len(audio)))
    return Clip(id=path.stem, audio=audio, motion=motion, beta=beta, speaker=str(data.get("speaker", path.parent.name)),
                meta={"source": str(path), "real": True})


class RealFlameDataset:
    """All ``*.npz``/``*.pkl`` FLAME clips under a folder, loaded like corpus clips."""

    def __init__(self, root: str | Path, pose_order: str = "head_jaw") -> None:
        self.root = Path(root)
        self.pose_order = pose_order
        self.files = sorted(p for p in self.root.rglob("*") if p.suffix in (".npz", ".pkl"))

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, i: int) -> Clip:
        return load_flame_clip(self.files[i], pose_order=self.pose_order)

    def __iter__(self) -> Iterator[Clip]:
        for i in range(len(self)):
            yield self[i]
