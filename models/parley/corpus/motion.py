"""Procedural ground-truth motion in the head's 56-d space at 25 fps.

Lips and jaw: Cohen-Massaro style coarticulation. Each phone has viseme
targets and dominance functions (a plateau over the segment, decaying
exponentially-ish outside it); every parameter is the dominance-weighted mean of
all targets. Three dominance groups (lips, rounding, jaw) let rounding anticipate
over consonants while bilabials dominate lip closure. Bilabial closure is then
enforced on the frames that cover each p/b/m, as an animator would key it.

Upper face and head: from prosody measured on the audio (pitch accents, F0,
energy, pauses), shaped by the speaker's style latents, with per-clip seeded
randomness for sway, blinks and micro-motion.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d

from ..head.components import N_EXPRESSION, expression_index as ix
from ..layout import HEAD, JAW_OPEN, MOTION_DIM, MOTION_FPS
from .phones import BILABIALS, SIL, PhoneSeg
from .prosody import Accent, Prosody, detect_accents, phrase_breaks
from .quirks import Quirks
from .style import Style

JAW_CAP = 0.32  # rad

LIP_NAMES = ("lip_close", "lip_press", "lip_spread", "upper_lip_raise", "lower_lip_depress", "lower_lip_tuck",
             "lips_part_center", "chin_raise", "mouth_corners_up", "upper_lip_tuck", "cheek_puff")
ROUND_NAMES = ("lip_round", "lip_protrude", "lip_funnel")
LIP_IDX = np.array([ix(n) for n in LIP_NAMES])
ROUND_IDX = np.array([ix(n) for n in ROUND_NAMES])

# Components that part the lips; held down on bilabial frames.
OPENERS = np.array([ix(n) for n in ("upper_lip_raise", "lower_lip_depress", "lower_lip_tuck", "lips_part_center",
                                    "lip_funnel", "upper_lip_raise_L", "upper_lip_raise_R", "lower_lip_depress_L",
                                    "lower_lip_depress_R")])


@dataclass(frozen=True)
class Viseme:
    lips: dict[str, float]  # targets of LIP_NAMES (missing = 0)
    rnd: dict[str, float]  # targets of ROUND_NAMES
    jaw: float  # radians
    a_lips: float  # dominance magnitudes
    a_round: float
    a_jaw: float
    second: "Viseme | None" = None  # diphthong glide target for the second half
    spread: float = 1.0  # scales the decay time: strong, brief gestures (p/b/m) fall off fast


def V(lips=None, rnd=None, jaw=0.0, a_lips=1.0, a_round=1.0, a_jaw=1.0, second=None, spread=1.0) -> Viseme:
    return Viseme(lips or {}, rnd or {}, jaw, a_lips, a_round, a_jaw, second, spread)


_OPEN = {"lip_close": -0.5}
VISEMES: dict[str, Viseme] = {
    # Bilabials close fully: high lip and jaw dominance.
    "P": V({"lip_close": 1.0, "lip_press": 0.45}, None, 0.02, 12.0, 0.4, 4.0, spread=0.4),
    "B": V({"lip_close": 1.0, "lip_press": 0.3}, None, 0.02, 12.0, 0.4, 4.0, spread=0.4),
    "M": V({"lip_close": 1.0, "lip_press": 0.15}, None, 0.02, 12.0, 0.4, 4.0, spread=0.4),
    # Labiodentals tuck the lower lip under the upper teeth.
    "F": V({"lower_lip_tuck": 1.0, "upper_lip_raise": 0.3, "lip_close": 0.1}, None, 0.03, 8.0, 0.5, 3.0, spread=0.5),
    "V": V({"lower_lip_tuck": 0.9, "upper_lip_raise": 0.25, "lip_close": 0.1}, None, 0.035, 8.0, 0.5, 3.0, spread=0.5),
    "TH": V({"lips_part_center": 0.35, "lip_close": -0.3, "upper_lip_raise": 0.15}, None, 0.06, 2.0, 0.3, 2.0),
    "DH": V({"lips_part_center": 0.3, "lip_close": -0.25, "upper_lip_raise": 0.1}, None, 0.055, 1.6, 0.3, 2.0),
    "S": V({"lip_spread": 0.35, "lip_close": -0.15, "upper_lip_raise": 0.15}, None, 0.02, 1.5, 0.4, 3.0),
    "Z": V({"lip_spread": 0.3, "lip_close": -0.15, "upper_lip_raise": 0.1}, None, 0.025, 1.3, 0.4, 3.0),
    # Postalveolars protrude and funnel.
    "SH": V({"lip_close": -0.2, "upper_lip_raise": 0.2}, {"lip_funnel": 0.9, "lip_protrude": 0.6, "lip_round": 0.35}, 0.035, 2.5, 4.0, 2.0),
    "ZH": V({"lip_close": -0.2, "upper_lip_raise": 0.2}, {"lip_funnel": 0.8, "lip_protrude": 0.55, "lip_round": 0.3}, 0.035, 2.5, 4.0, 2.0),
    "CH": V({"lip_close": -0.1, "upper_lip_raise": 0.2}, {"lip_funnel": 0.8, "lip_protrude": 0.5, "lip_round": 0.3}, 0.04, 2.5, 4.0, 2.0),
    "JH": V({"lip_close": -0.1, "upper_lip_raise": 0.15}, {"lip_funnel": 0.75, "lip_protrude": 0.5, "lip_round": 0.3}, 0.045, 2.5, 4.0, 2.0),
    "T": V({"lip_close": -0.25}, None, 0.05, 0.4, 0.15, 1.2),
    "D": V({"lip_close": -0.25}, None, 0.055, 0.4, 0.15, 1.2),
    "N": V({"lip_close": -0.2}, None, 0.05, 0.35, 0.15, 1.0),
    "L": V({"lip_close": -0.3}, None, 0.07, 0.4, 0.15, 1.0),
    "K": V({"lip_close": -0.2}, None, 0.07, 0.25, 0.1, 0.8),
    "G": V({"lip_close": -0.2}, None, 0.07, 0.25, 0.1, 0.8),
    "NG": V({"lip_close": -0.2}, None, 0.06, 0.25, 0.1, 0.8),
    "HH": V({"lip_close": -0.2}, None, 0.06, 0.1, 0.05, 0.3),
    "R": V({"lip_close": -0.15}, {"lip_round": 0.45, "lip_protrude": 0.35, "lip_funnel": 0.25}, 0.05, 0.8, 2.0, 1.0),
    "W": V({"lip_close": -0.05}, {"lip_round": 1.0, "lip_protrude": 0.8, "lip_funnel": 0.1}, 0.04, 2.5, 6.0, 1.5),
    "Y": V({"lip_spread": 0.45, "lip_close": -0.2}, None, 0.04, 1.2, 0.6, 1.2),
    # Vowels: open ones drop the jaw, front ones spread, back ones round.
    "AA": V({"lip_close": -0.6, "lower_lip_depress": 0.3}, None, 0.24, 1.0, 0.8, 1.6),
    "AE": V({"lip_close": -0.5, "lip_spread": 0.4, "lower_lip_depress": 0.3, "upper_lip_raise": 0.15}, None, 0.21, 1.0, 0.8, 1.6),
    "AH": V({"lip_close": -0.45, "lower_lip_depress": 0.15}, None, 0.16, 0.9, 0.6, 1.4),
    "AO": V({"lip_close": -0.45}, {"lip_round": 0.55, "lip_protrude": 0.35}, 0.19, 1.0, 1.2, 1.6),
    "EH": V({"lip_close": -0.45, "lip_spread": 0.35, "lower_lip_depress": 0.1}, None, 0.14, 1.0, 0.8, 1.4),
    "ER": V({"lip_close": -0.3}, {"lip_round": 0.4, "lip_protrude": 0.35, "lip_funnel": 0.3}, 0.09, 0.9, 1.5, 1.2),
    "IH": V({"lip_close": -0.4, "lip_spread": 0.5}, None, 0.08, 1.0, 0.8, 1.2),
    "IY": V({"lip_close": -0.35, "lip_spread": 0.85, "mouth_corners_up": 0.1}, None, 0.05, 1.2, 1.0, 1.2),
    "UH": V({"lip_close": -0.3}, {"lip_round": 0.6, "lip_protrude": 0.45}, 0.08, 1.0, 1.5, 1.2),
    "UW": V({"lip_close": -0.2}, {"lip_round": 1.0, "lip_protrude": 0.9, "lip_funnel": 0.15}, 0.06, 1.2, 2.5, 1.2),
    "OW": V({"lip_close": -0.4}, {"lip_round": 0.6, "lip_protrude": 0.4}, 0.15, 1.0, 1.5, 1.4,
            V({"lip_close": -0.25}, {"lip_round": 0.95, "lip_protrude": 0.8}, 0.08, 1.0, 2.0, 1.2)),
    "EY": V({"lip_close": -0.45, "lip_spread": 0.4}, None, 0.13, 1.0, 0.8, 1.4,
            V({"lip_close": -0.35, "lip_spread": 0.8}, None, 0.06, 1.0, 1.0, 1.2)),
    "AY": V({"lip_close": -0.6, "lower_lip_depress": 0.25}, None, 0.23, 1.0, 0.8, 1.6,
            V({"lip_close": -0.35, "lip_spread": 0.75}, None, 0.07, 1.0, 1.0, 1.2)),
    "AW": V({"lip_close": -0.6, "lower_lip_depress": 0.25}, None, 0.23, 1.0, 0.8, 1.6,
            V({"lip_close": -0.25}, {"lip_round": 0.85, "lip_protrude": 0.7}, 0.08, 1.0, 2.0, 1.2)),
    "OY": V({"lip_close": -0.4}, {"lip_round": 0.6, "lip_protrude": 0.45}, 0.17, 1.0, 1.5, 1.4,
            V({"lip_close": -0.35, "lip_spread": 0.7}, None, 0.06, 1.0, 1.0, 1.2)),
}


@dataclass
class MotionConfig:
    fps: int = MOTION_FPS
    subsamples: int = 4  # evaluate coarticulation at 100 Hz, box-average to frames
    tau_lips: float = 0.07  # s, decay of lip dominance outside a segment
    tau_round: float = 0.13  # rounding anticipates further
    tau_jaw: float = 0.08
    shape: float = 1.5  # exponent of the dominance decay
    closure_lip_close: float = 1.05
    closure_jaw_max: float = 0.05  # rad; the head keeps lips sealed up to 0.08
    # Muscle limits per frame, a margin inside the corpus quality bounds: strong articulators
    # closing fast from a wide vowel (or a 15 ms "b") would otherwise snap shut in one frame.
    expr_vel: float = 0.9
    expr_acc: float = 1.05
    jaw_vel: float = 0.11
    jaw_acc: float = 0.135
    expr_knee: float = 1.2  # expression weights above the knee saturate softly towards the limit
    expr_limit: float = 1.5


def n_frames_for(n_samples: int, sr: int, fps: int = MOTION_FPS) -> int:
    """Frames for an audio length; audio is padded/trimmed to exactly frames * sr / fps samples."""
    return max(1, int(round(n_samples * fps / sr)))


def _segments_expanded(phones: list[PhoneSeg]) -> list[tuple[Viseme, float, float, str]]:
    """Phones as (viseme, start, end, phone), diphthongs split into onset and glide halves."""
    out = []
    for p in phones:
        if p.phone == SIL:
            continue
        v = VISEMES[p.phone]
        if v.second is not None:
            mid = p.start + 0.45 * (p.end - p.start)
            out.append((v, p.start, mid, p.phone))
            out.append((v.second, mid, p.end, p.phone))
        else:
            out.append((v, p.start, p.end, p.phone))
    return out


def _dominance(t: np.ndarray, starts: np.ndarray, ends: np.ndarray, alpha: np.ndarray, tau: np.ndarray,
               c: float) -> np.ndarray:
    # Distance to the segment interval: 0 inside (a plateau), growing outside.
    dist = np.maximum(starts[None, :] - t[:, None], 0) + np.maximum(t[:, None] - ends[None, :], 0)
    return alpha[None, :] * np.exp(-((dist / tau[None, :]) ** c))


def articulation(phones: list[PhoneSeg], n_frames: int, style: Style, cfg: MotionConfig) -> tuple[np.ndarray, np.ndarray]:
    """Lip expression [T, 50] and jaw opening [T] from phones by coarticulation."""
    segs = _segments_expanded(phones)
    ss = cfg.subsamples
    t = (np.arange(n_frames * ss) + 0.5) / (cfg.fps * ss)
    expr = np.zeros((len(t), N_EXPRESSION))
    jaw = np.zeros(len(t))
    # Silence pulls to the speaker's rest: closed or slightly parted lips.
    rest_lips = {"lip_close": 0.35 * (1 - style.rest_open) - 0.5 * style.rest_open}
    rest_jaw = 0.008 + 0.045 * style.rest_open
    rest = V(rest_lips, None, rest_jaw, 0.6, 0.6, 0.6)
    sil = [(rest, p.start, p.end, SIL) for p in phones if p.phone == SIL]
    all_segs = segs + sil
    if not all_segs:
        all_segs = [(rest, 0.0, n_frames / cfg.fps, SIL)]
    starts = np.array([s for _, s, _, _ in all_segs])
    ends = np.array([e for _, _, e, _ in all_segs])
    k = style.coarticulation * np.array([v.spread for v, *_ in all_segs])
    for names, idx, attr_a, tau in ((LIP_NAMES, LIP_IDX, "a_lips", cfg.tau_lips),
                                     (ROUND_NAMES, ROUND_IDX, "a_round", cfg.tau_round)):
        alpha = np.array([getattr(v, attr_a) for v, *_ in all_segs])
        D = _dominance(t, starts, ends, alpha, tau * k, cfg.shape) + 1e-6
        src = "lips" if attr_a == "a_lips" else "rnd"
        T = np.array([[getattr(v, src).get(n, 0.0) for n in names] for v, *_ in all_segs])
        expr[:, idx] = (D @ T) / D.sum(1, keepdims=True)
    alpha = np.array([v.a_jaw for v, *_ in all_segs])
    D = _dominance(t, starts, ends, alpha, cfg.tau_jaw * k, cfg.shape) + 1e-6
    jaw = (D @ np.array([v.jaw for v, *_ in all_segs])) / D.sum(1)
    expr = expr.reshape(n_frames, ss, N_EXPRESSION).mean(1)
    jaw = jaw.reshape(n_frames, ss).mean(1)
    return expr, jaw


def bilabial_frames(phones: list[PhoneSeg], n_frames: int, fps: int = MOTION_FPS) -> list[tuple[int, list[int]]]:
    """(midpoint frame, frames to hold closed) per p/b/m; a frame holds when its centre lies in the phone."""
    out = []
    for p in phones:
        if p.phone not in BILABIALS:
            continue
        mid = int(np.clip(np.floor(0.5 * (p.start + p.end) * fps), 0, n_frames - 1))
        frames = [i for i in range(n_frames) if p.start <= (i + 0.5) / fps <= p.end]
        out.append((mid, sorted(set(frames) | {mid})))
    return out


def _bump(t: np.ndarray, t0: float, rise: float, fall: float) -> np.ndarray:
    """Smooth 0->1->0 pulse peaking at t0 (raised-cosine flanks)."""
    y = np.zeros_like(t)
    a = (t >= t0 - rise) & (t < t0)
    y[a] = 0.5 - 0.5 * np.cos(np.pi * (t[a] - (t0 - rise)) / rise)
    b = (t >= t0) & (t < t0 + fall)
    y[b] = 0.5 + 0.5 * np.cos(np.pi * (t[b] - t0) / fall)
    return y


def _smooth_noise(rng: np.random.Generator, n: int, sigma_frames: float) -> np.ndarray:
    """Low-passed Gaussian noise with unit std in expectation (slow sway, drifts).

    Scaled by the filter's known gain, not by the sample std: on a clip shorter than the
    sway period the sample std is tiny and dividing by it would blow up the offset.
    """
    pad = int(4 * sigma_frames) + 2
    x = gaussian_filter1d(rng.standard_normal(n + 2 * pad), sigma_frames, mode="reflect")[pad:pad + n]
    impulse = np.zeros(2 * pad + 1)
    impulse[pad] = 1.0
    gain = float(np.sqrt((gaussian_filter1d(impulse, sigma_frames, mode="constant") ** 2).sum()))
    return x / gain


def _blinks(rng: np.random.Generator, n: int, fps: int, style: Style, breaks: list[float],
            accents: list[Accent]) -> tuple[np.ndarray, np.ndarray, list[float]]:
    """Poisson blinks with a raised hazard just after pause onsets and on strong accents."""
    dt = 1.0 / fps
    t = (np.arange(n) + 0.5) * dt
    base = style.blink_rate / 60.0
    hazard = np.full(n, base * 0.7)
    for b in breaks:
        hazard += 2.5 * base * _bump(t, b + 0.15, 0.1, 0.35) / 0.25
    for a in accents:
        if not a.stressed_only:
            hazard += 0.6 * base * _bump(t, a.time, 0.1, 0.2) / 0.15
    times: list[float] = []
    last = -10.0
    for i in range(n):
        if t[i] - last > 0.5 and rng.random() < hazard[i] * dt:
            times.append(float(t[i]))
            last = t[i]
    left = np.zeros(n)
    right = np.zeros(n)
    for tb in times:
        close, opening = rng.uniform(0.07, 0.11), rng.uniform(0.14, 0.24)
        depth = rng.uniform(0.85, 1.0)
        shape = _bump(t, tb + close, close, opening) * depth
        lag = rng.normal(0, 0.008)
        left = np.maximum(left, shape)
        right = np.maximum(right, _bump(t, tb + close + lag, close, opening) * depth)
    return left, right, times


def soft_limit(x: np.ndarray, knee: float, limit: float) -> np.ndarray:
    """Identity below |knee|, then a smooth tanh shoulder that never exceeds |limit|."""
    a = np.abs(x)
    over = knee + (limit - knee) * np.tanh((a - knee) / (limit - knee))
    return np.where(a > knee, np.sign(x) * over, x)


def limit_rates(x: np.ndarray, held: np.ndarray, v_max: float, a_max: float, iters: int = 200) -> np.ndarray:
    """A curve [T] pulled within |velocity| <= v_max and |acceleration| <= a_max per frame.

    Frames where ``held`` is true keep their values (the keyed lip closures); each violation is
    removed by moving the free frames involved, which only ever narrows the step. Curves that
    already comply come back unchanged.
    """
    x = np.array(x, dtype=np.float64)
    free = ~np.asarray(held, bool)
    for _ in range(iters):
        d = np.diff(x)
        acc = x[:-2] - 2 * x[1:-1] + x[2:]
        bad_v = np.nonzero(np.abs(d) > v_max + 1e-9)[0]
        bad_a = np.nonzero(np.abs(acc) > a_max + 1e-9)[0]
        if not len(bad_v) and not len(bad_a):
            break
        for i in bad_v:
            ex = (x[i + 1] - x[i]) - np.sign(x[i + 1] - x[i]) * v_max  # the step's excess
            if free[i] and free[i + 1]:
                x[i] += 0.5 * ex
                x[i + 1] -= 0.5 * ex
            elif free[i + 1]:
                x[i + 1] -= ex
            elif free[i]:
                x[i] += ex
        for j in bad_a:
            ex = (x[j] - 2 * x[j + 1] + x[j + 2])
            ex -= np.sign(ex) * a_max
            if free[j + 1]:
                x[j + 1] += 0.5 * ex  # towards the neighbours' mean
            else:
                for k in (j, j + 2):
                    if free[k]:
                        x[k] -= 0.5 * ex
    return x


def generate(phones: list[PhoneSeg], pros: Prosody, n_frames: int, style: Style, rng: np.random.Generator,
             text: str = "", cfg: MotionConfig | None = None, quirks: Quirks | None = None) -> tuple[np.ndarray, dict]:
    """Motion [n_frames, 56] float32 and a dict of derived events (accents, blinks, breaks).

    ``quirks``: the speaker's habits beyond the style (parley.corpus.quirks), applied before the limits;
    None or all zero leaves the motion exactly as without them.
    """
    cfg = cfg or MotionConfig()
    quirks = quirks if quirks is not None and quirks.active() else None
    fps = cfg.fps
    t = (np.arange(n_frames) + 0.5) / fps
    m = np.zeros((n_frames, MOTION_DIM))
    deg = np.pi / 180

    # --- lips and jaw
    lips, jaw = articulation(phones, n_frames, style, cfg)
    rnd_gain = 1.0 + style.round_bias
    lips[:, ROUND_IDX] = lips[:, ROUND_IDX] * rnd_gain
    lips[:, LIP_IDX] *= style.articulation
    lips[:, ROUND_IDX] *= style.articulation
    accents = detect_accents(pros, phones)
    if quirks:
        lips = quirks.lips(lips, ROUND_IDX, phones, t)
    m[:, :N_EXPRESSION] = lips
    jaw = jaw * style.mouth_open
    f0, en = pros.at_fps(fps, n_frames)
    act = np.clip((en + 40) / 30, 0, 1)  # speech activity 0..1 from energy
    act_s = gaussian_filter1d(act, 3)
    # Louder speech opens the jaw a little more.
    jaw = jaw * (0.9 + 0.2 * act_s)
    if quirks:
        jaw = quirks.jaw(jaw, accents, t)
    m[:, JAW_OPEN] = JAW_CAP * np.tanh(jaw / JAW_CAP)  # soft limit: no speaker opens past ~18 degrees in speech
    m[:, JAW_OPEN + 1] = 0.01 * style.asymmetry * jaw / 0.2  # slight lateral jaw bias
    breaks, sp_start, sp_end = phrase_breaks(phones)
    question = text.strip().endswith("?")

    # --- lower-face expression
    smile = style.smile + 0.08 * _smooth_noise(rng, n_frames, 20)
    for a in accents:
        smile = smile + 0.06 * a.strength * max(style.smile, 0) * _bump(t, a.time, 0.15, 0.4)
    e = m[:, :N_EXPRESSION]
    e[:, ix("mouth_corners_up")] += smile
    e[:, ix("cheek_raise")] += 0.6 * np.maximum(smile, 0)
    e[:, ix("squint_L")] += 0.3 * np.maximum(smile, 0)
    e[:, ix("squint_R")] += 0.3 * np.maximum(smile, 0)
    e[:, ix("nasolabial_deepen")] += 0.3 * np.maximum(smile, 0)
    e[:, ix("lip_stretch_L")] += 0.15 * act_s * (1 + 0.5 * style.asymmetry)
    e[:, ix("lip_stretch_R")] += 0.15 * act_s * (1 - 0.5 * style.asymmetry)
    e[:, ix("mouth_corner_up_L")] += 0.2 * style.asymmetry
    e[:, ix("mouth_corner_up_R")] -= 0.2 * style.asymmetry
    e[:, ix("mouth_shift")] += 0.08 * style.asymmetry * act_s
    e[:, ix("chin_raise")] += 0.25 * np.clip(-smile, 0, None)
    # Breath before each phrase: nostrils flare slightly.
    for b in [sp_start] + [p for p in breaks]:
        e[:, ix("nostril_flare")] += 0.25 * _bump(t, b - 0.05 if b == sp_start else b + 0.2, 0.2, 0.3)

    # --- brows from pitch accents and the F0 contour
    voiced = f0[f0 > 0]
    ref = float(np.median(voiced)) if len(voiced) else 120.0
    st = np.where(f0 > 0, 12 * np.log2(np.maximum(f0, 1) / ref), 0.0)
    st = gaussian_filter1d(st, 2.5)
    raise_ = 0.04 * np.clip(st, -2, 6) * act_s
    lower = np.zeros(n_frames)
    for a in accents:
        amp = (0.35 if not a.stressed_only else 0.12) * a.strength * float(rng.uniform(0.7, 1.3))
        b = _bump(t, a.time + 0.03, 0.12, float(rng.uniform(0.3, 0.6)))
        if rng.random() < style.brow_frown:
            lower += amp * b
        else:
            raise_ += amp * b
    if question and sp_end > 0:
        raise_ += 0.35 * _bump(t, sp_end - 0.1, 0.5, 0.5)
    raise_ = 1.1 * np.tanh(raise_ * style.brow_activity / 1.1)  # brows saturate
    lower = 0.8 * np.tanh(lower * style.brow_activity / 0.8) + 0.25 * max(-style.smile, 0)
    e[:, ix("brow_inner_raise")] += raise_
    e[:, ix("brow_outer_raise")] += 0.8 * raise_
    e[:, ix("brow_lower")] += lower
    e[:, ix("brow_raise_L")] += 0.15 * style.asymmetry * (0.3 + raise_)
    e[:, ix("brow_raise_R")] -= 0.15 * style.asymmetry * (0.3 + raise_)
    for a in accents:
        if not a.stressed_only:
            w = 0.15 * a.strength * style.brow_activity * _bump(t, a.time, 0.1, 0.3)
            e[:, ix("eye_wide_L")] += w
            e[:, ix("eye_wide_R")] += w
    if quirks:
        quirks.face(e, m[:, JAW_OPEN], phones, accents, t)

    # --- blinks
    bl, br, blink_times = _blinks(rng, n_frames, fps, style, breaks, accents)
    e[:, ix("blink_L")] = np.maximum(e[:, ix("blink_L")], bl)
    e[:, ix("blink_R")] = np.maximum(e[:, ix("blink_R")], br)

    # --- head: bias + slow sway + accent nods + phrase-final settles + micro-motion (degrees)
    axes = np.array([style.axis_pitch, style.axis_yaw, style.axis_roll])
    sway_amp = np.array([1.6, 2.6, 1.1]) * axes * style.head_amp
    sway_sigma = fps / (2 * np.pi * 0.25 * style.head_freq)  # ~0.25 Hz sway scaled by style
    energy_gate = 0.55 + 0.45 * gaussian_filter1d(act, 8)
    head = np.zeros((n_frames, 3))
    for k in range(3):
        head[:, k] = sway_amp[k] * _smooth_noise(rng, n_frames, sway_sigma * rng.uniform(0.8, 1.25)) * energy_gate
    # Each accent nods (pitch), or for some speakers turns/tilts, on the favourite axes.
    pref = axes / axes.sum()
    nod_axis_w = np.array([0.55 + 0.45 * pref[0], 0.35 * pref[1], 0.5 * pref[2]])
    for a in accents:
        amp = 2.2 * style.nod_habit * style.head_amp * a.strength * (0.5 if a.stressed_only else 1.0)
        amp = 5.0 * np.tanh(amp / 5.0)  # nods stay within a few degrees even for animated speakers
        rise, fall = rng.uniform(0.12, 0.2), rng.uniform(0.25, 0.45)
        shape = _bump(t, a.time + 0.02, rise, fall) - 0.25 * _bump(t, a.time + fall + 0.15, 0.15, 0.3)
        head[:, 0] += amp * nod_axis_w[0] * shape
        head[:, 1] += amp * nod_axis_w[1] * rng.choice([-1, 1]) * shape
        head[:, 2] += amp * nod_axis_w[2] * rng.choice([-1, 1]) * shape
    if sp_end > 0:
        if question:  # chin up and a small tilt at the end of a question
            head[:, 0] -= 2.0 * style.head_amp * _bump(t, sp_end, 0.4, 0.8)
            head[:, 2] += 1.5 * style.head_amp * rng.choice([-1, 1]) * _bump(t, sp_end, 0.4, 0.8)
        else:  # statements settle downwards
            head[:, 0] += 1.2 * style.head_amp * _bump(t, sp_end, 0.3, 0.7)
    for b in breaks:
        head[:, 0] += 0.8 * style.head_amp * _bump(t, b + 0.1, 0.25, 0.5)
    head += 0.12 * style.micro * np.stack([_smooth_noise(rng, n_frames, 1.5) for _ in range(3)], 1)
    head += np.array([style.head_pitch_bias, style.head_yaw_bias, style.head_roll_bias])
    # Zero-phase low-pass keeps velocity and acceleration within a neck's range without lag.
    head = gaussian_filter1d(head, 1.5, axis=0, mode="nearest")
    m[:, HEAD] = head * deg

    # Mild smoothing of the lower face (not blinks) like muscle dynamics.
    keep = [ix("blink_L"), ix("blink_R")]
    sm = gaussian_filter1d(m[:, :N_EXPRESSION], 0.6, axis=0, mode="nearest")
    sm[:, keep] = m[:, keep]
    m[:, :N_EXPRESSION] = sm
    m[:, JAW_OPEN] = gaussian_filter1d(m[:, JAW_OPEN], 0.6, mode="nearest")

    m[:, :N_EXPRESSION] = soft_limit(m[:, :N_EXPRESSION], cfg.expr_knee, cfg.expr_limit)

    # Bilabial closure, keyed on the frames that cover each p/b/m. The correction is
    # spread over the neighbouring frames so the lips and jaw never jump.
    spread_w = {1: 0.5, 2: 0.15}
    close_i = ix("lip_close")
    for _, frames in bilabial_frames(phones, n_frames, fps):
        need_close = max(0.0, max(cfg.closure_lip_close - m[i, close_i] for i in frames))
        need_jaw = max(0.0, max(m[i, JAW_OPEN] - cfg.closure_jaw_max for i in frames))
        w = np.zeros(n_frames)
        w[frames] = 1.0
        for d, wd in spread_w.items():
            for i in (frames[0] - d, frames[-1] + d):
                if 0 <= i < n_frames:
                    w[i] = max(w[i], wd)
        m[:, close_i] += need_close * w
        m[:, JAW_OPEN] -= need_jaw * w
        need_open = np.maximum(0.0, np.max(m[frames][:, OPENERS], axis=0) - 0.05)
        m[:, OPENERS] -= need_open[None, :] * w[:, None]
        for i in frames:
            m[i, close_i] = max(m[i, close_i], cfg.closure_lip_close)
            m[i, JAW_OPEN] = min(m[i, JAW_OPEN], cfg.closure_jaw_max)
            m[i, OPENERS] = np.minimum(m[i, OPENERS], 0.05)
    _within_limits(m, phones, cfg)
    events = {
        "accents": [[a.time, a.strength, float(a.stressed_only)] for a in accents],
        "blinks": blink_times,
        "breaks": breaks,
        "speech": [sp_start, sp_end],
    }
    return m.astype(np.float32), events


def _within_limits(m: np.ndarray, phones: list[PhoneSeg], cfg: MotionConfig) -> None:
    """Rate-limit expression and jaw in place, keeping the keyed bilabial closures."""
    held = np.zeros(len(m), bool)
    for _, frames in bilabial_frames(phones, len(m), cfg.fps):
        held[frames] = True
    none_held = np.zeros(len(m), bool)
    keyed = set(OPENERS.tolist()) | {ix("lip_close"), JAW_OPEN}
    for c in list(range(N_EXPRESSION)) + [JAW_OPEN]:
        v, a = (cfg.jaw_vel, cfg.jaw_acc) if c == JAW_OPEN else (cfg.expr_vel, cfg.expr_acc)
        x = m[:, c]
        if len(x) > 2 and (np.abs(np.diff(x)).max() > v or np.abs(np.diff(x, 2)).max() > a):
            m[:, c] = limit_rates(x, held if c in keyed else none_held, v, a)
