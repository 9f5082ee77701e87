"""The three retarget target sets, authored by code on the open head as per-vertex displacement fields.

Each target is built from the head's own controls: its named expression components (``exprdirs``), its jaw
joint (rotations at a standard angle) and its eye joints. Shapes with a Left and a Right variant split a
symmetric field with a smooth mask across the face midline (the two halves sum to the whole); "Left" is the
character's left, +X in head coordinates, as in ARKit. Fields are in meters, [N, 3] per target.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..corpus.motion import VISEMES, Viseme
from ..head.components import EXPRESSION_NAMES, JOINT_NAMES, N_POSE, expression_index
from ..head.flame import FlameHead

MIDLINE_HALF_WIDTH = 0.012  # m: the Left/Right masks blend over x in [-12, 12] mm
JAW_OPEN_ANGLE = 0.35  # rad (20 degrees): jawOpen = 1, a wide-open mouth
JAW_SIDE_ANGLE = 0.10  # rad: jawLeft / jawRight = 1
JAW_FORWARD = 0.004  # m: jawForward = 1 slides the jaw this far forward
MOUTH_CLOSE = 1.5  # lip_close at mouthClose = 1: the firm seal of a p/b/m (the model reaches ~1.5)
EYE_PITCH = 0.35  # rad: eyeLookUp / eyeLookDown = 1 (about 20 degrees)
EYE_YAW = 0.45  # rad: eyeLookIn / eyeLookOut = 1 (about 26 degrees)


@dataclass(frozen=True)
class Target:
    name: str
    description: str
    field: np.ndarray  # [N, 3] meters


@dataclass(frozen=True)
class TargetSet:
    """An ordered set of targets and how its weights are constrained: ``box`` (each in [0, 1]) or ``convex``
    (non-negative, summing to 1; the rest target ``rest`` has no displacement and takes up the slack)."""
    id: str
    title: str
    targets: tuple[Target, ...]
    constraint: str
    rest: str | None = None

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.targets]

    def fields(self) -> np.ndarray:
        """[N, 3, K] displacements in target order."""
        return np.stack([t.field for t in self.targets], axis=-1)


class HeadControls:
    """Displacement fields of the open head's controls: expression components, jaw and eye rotations."""

    def __init__(self, head: FlameHead):
        self.head = head
        self.exprdirs = head.exprdirs.numpy().astype(np.float64)
        with torch.no_grad():
            self.rest = head()[0].numpy().astype(np.float64)
        x = head.v_template.numpy()[:, 0].astype(np.float64)
        t = np.clip((x + MIDLINE_HALF_WIDTH) / (2 * MIDLINE_HALF_WIDTH), 0.0, 1.0)
        self.left = t * t * (3 - 2 * t)  # smoothstep: 1 on the character's left, 0 on the right
        self.right = 1.0 - self.left
        self.jaw_weight = head.lbs_weights[:, JOINT_NAMES.index("jaw")].numpy().astype(np.float64)

    def expr(self, **weights: float) -> np.ndarray:
        """Sum of weighted expression component fields, by component name."""
        out = np.zeros_like(self.rest)
        for name, w in weights.items():
            out += w * self.exprdirs[:, :, expression_index(name)]
        return out

    def posed(self, psi: dict[str, float] | None = None, **rotations: tuple[float, float, float]) -> np.ndarray:
        """Displacement of the head posed with expression weights and joint axis-angles (by joint name)."""
        p = torch.zeros(1, len(EXPRESSION_NAMES), dtype=self.head.v_template.dtype)
        for name, w in (psi or {}).items():
            p[0, expression_index(name)] = w
        theta = torch.zeros(1, N_POSE, dtype=p.dtype)
        for joint, aa in rotations.items():
            j = JOINT_NAMES.index(joint)
            theta[0, 3 * j:3 * j + 3] = torch.tensor(aa)
        with torch.no_grad():
            v = self.head(None, p, theta)[0].numpy().astype(np.float64)
        return v - self.rest

    def viseme(self, v: Viseme) -> np.ndarray:
        """The corpus's articulation target of a phone (lips, rounding, jaw) posed on the head."""
        return self.posed({**v.lips, **v.rnd}, jaw=(v.jaw, 0.0, 0.0))

    def mask(self, field: np.ndarray, side: str) -> np.ndarray:
        return field * (self.left if side == "Left" else self.right)[:, None]


def _sides(c: HeadControls, name: str, desc: str, field: np.ndarray) -> list[Target]:
    """A symmetric field split into its Left and Right halves by the smooth midline mask."""
    return [Target(f"{name}{s}", f"{desc} ({s.lower()} side)", c.mask(field, s)) for s in ("Left", "Right")]


def _lr(name: str, desc: str, left: np.ndarray, right: np.ndarray) -> list[Target]:
    return [Target(f"{name}Left", f"{desc} (left side)", left), Target(f"{name}Right", f"{desc} (right side)", right)]


def _eye(c: HeadControls, joint: str, pitch: float, yaw: float) -> np.ndarray:
    return c.posed(**{joint: (pitch, yaw, 0.0)})


# ARKit's order (ARFaceAnchor.BlendShapeLocation, as Apple lists it)
ARKIT_NAMES: tuple[str, ...] = (
    "eyeBlinkLeft", "eyeLookDownLeft", "eyeLookInLeft", "eyeLookOutLeft", "eyeLookUpLeft", "eyeSquintLeft",
    "eyeWideLeft", "eyeBlinkRight", "eyeLookDownRight", "eyeLookInRight", "eyeLookOutRight", "eyeLookUpRight",
    "eyeSquintRight", "eyeWideRight", "jawForward", "jawLeft", "jawRight", "jawOpen", "mouthClose", "mouthFunnel",
    "mouthPucker", "mouthLeft", "mouthRight", "mouthSmileLeft", "mouthSmileRight", "mouthFrownLeft",
    "mouthFrownRight", "mouthDimpleLeft", "mouthDimpleRight", "mouthStretchLeft", "mouthStretchRight",
    "mouthRollLower", "mouthRollUpper", "mouthShrugLower", "mouthShrugUpper", "mouthPressLeft", "mouthPressRight",
    "mouthLowerDownLeft", "mouthLowerDownRight", "mouthUpperUpLeft", "mouthUpperUpRight", "browDownLeft",
    "browDownRight", "browInnerUp", "browOuterUpLeft", "browOuterUpRight", "cheekPuff", "cheekSquintLeft",
    "cheekSquintRight", "noseSneerLeft", "noseSneerRight", "tongueOut",
)


def arkit52(c: HeadControls) -> TargetSet:
    """The 52 ARKit blendshapes with ARKit's names and meanings, each at its full articulation (weight 1)."""
    e = c.expr
    t: list[Target] = []
    for side, joint, sgn in (("Left", "eye_L", 1.0), ("Right", "eye_R", -1.0)):
        # +x pitch looks down; +y yaw turns the gaze to the character's left (+X), "out" for the left eye
        t += [Target(f"eyeBlink{side}", "upper lid closes over the eye", e(**{f"blink_{side[0]}": 1.0})),
              Target(f"eyeLookDown{side}", "eyeball looks down", _eye(c, joint, EYE_PITCH, 0.0)),
              Target(f"eyeLookIn{side}", "eyeball looks toward the nose", _eye(c, joint, 0.0, -sgn * EYE_YAW)),
              Target(f"eyeLookOut{side}", "eyeball looks away from the nose", _eye(c, joint, 0.0, sgn * EYE_YAW)),
              Target(f"eyeLookUp{side}", "eyeball looks up", _eye(c, joint, -EYE_PITCH, 0.0)),
              Target(f"eyeSquint{side}", "lower lid rises, eye narrows", e(**{f"squint_{side[0]}": 1.0})),
              Target(f"eyeWide{side}", "upper lid lifts, eye widens", e(**{f"eye_wide_{side[0]}": 1.0}))]
    jaw_fwd = np.zeros_like(c.rest)
    jaw_fwd[:, 2] = JAW_FORWARD * c.jaw_weight
    t += [Target("jawForward", "jaw slides forward", jaw_fwd),
          Target("jawLeft", "jaw swings to the character's left", c.posed(jaw=(0.0, JAW_SIDE_ANGLE, 0.0))),
          Target("jawRight", "jaw swings to the character's right", c.posed(jaw=(0.0, -JAW_SIDE_ANGLE, 0.0))),
          Target("jawOpen", f"jaw opens {np.degrees(JAW_OPEN_ANGLE):.0f} degrees", c.posed(jaw=(JAW_OPEN_ANGLE, 0, 0))),
          Target("mouthClose", "lips close and seal, whatever the jaw does", e(lip_close=MOUTH_CLOSE)),
          Target("mouthFunnel", "lips flare into a funnel ('sh')", e(lip_funnel=1.0)),
          Target("mouthPucker", "lips round, narrow and push forward ('oo')", e(lip_round=1.0, lip_protrude=0.5)),
          Target("mouthLeft", "whole mouth slides to the character's left", e(mouth_shift=1.0)),
          Target("mouthRight", "whole mouth slides to the character's right", e(mouth_shift=-1.0))]
    t += _sides(c, "mouthSmile", "mouth corner rises and widens, cheek lifts", e(mouth_corners_up=1.0))
    t += _lr("mouthFrown", "mouth corner falls", e(mouth_corner_up_L=-1.0), e(mouth_corner_up_R=-1.0))
    t += _lr("mouthDimple", "mouth corner tucks back", e(dimple_L=1.0), e(dimple_R=1.0))
    t += [Target(f"mouthStretch{s}", f"mouth corner stretches sideways and down ({s.lower()} side)",
                 e(**{f"lip_stretch_{s[0]}": 1.0}) + c.mask(e(lip_spread=0.5), s)) for s in ("Left", "Right")]
    t += [Target("mouthRollLower", "lower lip rolls in over the teeth", e(lower_lip_tuck=1.0)),
          Target("mouthRollUpper", "upper lip rolls in over the teeth", e(upper_lip_tuck=1.0)),
          Target("mouthShrugLower", "lower lip pushes out and up (chin raise)",
                 e(chin_raise=1.0, lower_lip_roll_out=0.5)),
          Target("mouthShrugUpper", "upper lip pushes out and up", e(upper_lip_roll_out=1.0, mouth_up=0.3))]
    t += _lr("mouthPress", "lips press together", e(lip_press_L=1.0), e(lip_press_R=1.0))
    t += _lr("mouthLowerDown", "lower lip pulls down", e(lower_lip_depress_L=1.0), e(lower_lip_depress_R=1.0))
    t += _lr("mouthUpperUp", "upper lip lifts", e(upper_lip_raise_L=1.0), e(upper_lip_raise_R=1.0))
    t += _sides(c, "browDown", "brow draws down and in", e(brow_lower=1.0))
    t += [Target("browInnerUp", "inner brows rise", e(brow_inner_raise=1.0))]
    t += _sides(c, "browOuterUp", "outer brow rises", e(brow_outer_raise=1.0))
    t += [Target("cheekPuff", "cheeks puff out", e(cheek_puff=1.0))]
    t += _sides(c, "cheekSquint", "cheek lifts toward the eye", e(cheek_raise=1.0))
    t += [Target(f"noseSneer{s}", f"nostril and upper lip lift, nose wrinkles ({s.lower()} side)",
                 e(**{f"sneer_{s[0]}": 1.0}) + c.mask(e(nose_wrinkle=1.0), s)) for s in ("Left", "Right")]
    # the open head has no tongue: the target exists (so a rig binds it) but moves nothing and is never driven
    t += [Target("tongueOut", "tongue out (the open head has no tongue: zero field)", np.zeros_like(c.rest))]
    by_name = {x.name: x for x in t}
    return TargetSet("arkit52", "ARKit 52 blendshapes", tuple(by_name[n] for n in ARKIT_NAMES), "box")


# Oculus (Meta) viseme -> the corpus phone whose articulation target it is (parley.corpus.motion.VISEMES)
OCULUS_PHONES: tuple[tuple[str, str | None, str], ...] = (
    ("sil", None, "silence, the mouth at rest"), ("PP", "P", "p, b, m: lips closed and pressed"),
    ("FF", "F", "f, v: lower lip under the upper teeth"), ("TH", "TH", "th: tongue between the teeth"),
    ("DD", "D", "t, d"), ("kk", "K", "k, g"), ("CH", "CH", "ch, j, sh: lips funnel forward"),
    ("SS", "S", "s, z: teeth close, lips spread"), ("nn", "N", "n, l"), ("RR", "R", "r: lips slightly rounded"),
    ("aa", "AA", "a as in 'car': jaw open"), ("E", "EH", "e as in 'bed'"), ("I", "IH", "i as in 'tip'"),
    ("O", "OW", "o as in 'toe': rounded, jaw half open"), ("U", "UW", "u as in 'book': rounded and protruded"),
)


def oculus15(c: HeadControls) -> TargetSet:
    """The 15 Oculus visemes as mouth shapes: each is the corpus's articulation target of its phone."""
    t = [Target(n, d, np.zeros_like(c.rest) if p is None else c.viseme(VISEMES[p])) for n, p, d in OCULUS_PHONES]
    return TargetSet("oculus15", "Oculus 15 visemes", tuple(t), "convex", rest="sil")


VRM_NAMES: tuple[str, ...] = ("aa", "ih", "ou", "ee", "oh", "blink", "blinkLeft", "blinkRight", "lookUp", "lookDown",
                              "lookLeft", "lookRight", "happy", "angry", "sad", "relaxed", "surprised", "neutral")


def vrm10(c: HeadControls) -> TargetSet:
    """The VRM 1.0 expression presets: five vowels, blinks, look directions, five emotions and neutral."""
    e = c.expr
    both = lambda pitch, yaw: c.posed(eye_L=(pitch, yaw, 0.0), eye_R=(pitch, yaw, 0.0))  # noqa: E731
    t = [Target("aa", "vowel 'a': jaw open", c.viseme(VISEMES["AA"])),
         Target("ih", "vowel 'i': lips spread, jaw a little open", c.viseme(VISEMES["IY"])),
         Target("ou", "vowel 'u': lips rounded and pushed forward", c.viseme(VISEMES["UW"])),
         Target("ee", "vowel 'e': lips spread, jaw half open", c.viseme(VISEMES["EH"])),
         Target("oh", "vowel 'o': lips rounded, jaw half open", c.viseme(VISEMES["OW"])),
         Target("blink", "both eyes close", e(blink_L=1.0, blink_R=1.0)),
         Target("blinkLeft", "left eye closes", e(blink_L=1.0)),
         Target("blinkRight", "right eye closes", e(blink_R=1.0)),
         Target("lookUp", "both eyes look up", both(-EYE_PITCH, 0.0)),
         Target("lookDown", "both eyes look down", both(EYE_PITCH, 0.0)),
         Target("lookLeft", "both eyes look to the character's left", both(0.0, EYE_YAW)),
         Target("lookRight", "both eyes look to the character's right", both(0.0, -EYE_YAW)),
         Target("happy", "smile: corners up, cheeks lift, eyes narrow",
                e(mouth_corners_up=1.0, cheek_raise=0.8, squint_L=0.4, squint_R=0.4)),
         Target("angry", "brows down, lips pressed, nose wrinkled",
                e(brow_lower=1.0, lip_press=0.6, nose_wrinkle=0.4, squint_L=0.3, squint_R=0.3)),
         Target("sad", "inner brows up, mouth corners down",
                e(brow_inner_raise=1.0, mouth_corners_up=-0.8, chin_raise=0.3)),
         Target("relaxed", "soft smile, lids a little lowered",
                e(mouth_corners_up=0.4, blink_L=0.25, blink_R=0.25)),
         Target("surprised", "brows up, eyes wide, jaw dropped",
                e(brow_inner_raise=1.0, brow_outer_raise=1.0, eye_wide_L=1.0, eye_wide_R=1.0)
                + c.posed({"lip_close": -0.4}, jaw=(0.2, 0.0, 0.0))),
         Target("neutral", "the face at rest (zero field)", np.zeros_like(c.rest))]
    return TargetSet("vrm10", "VRM 1.0 expression presets", tuple(t), "box")


def all_sets(c: HeadControls) -> list[TargetSet]:
    return [arkit52(c), oculus15(c), vrm10(c)]
