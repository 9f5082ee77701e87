"""The FLAME-structured parameter space of the Parley head.

This module is the single source of truth for component and joint names; the
motion vector layout built on them is in :mod:`parley.layout`. The head generator
writes both into the head spec JSON, and the Java rig reads the spec.

Expression weights are signed. 1.0 is a full, natural articulation of the named
action and -1.0 its opposite where one exists (for example lips parted for
``lip_close``); values stay roughly within [-1.5, 1.5].
"""
from __future__ import annotations

from dataclasses import dataclass

N_SHAPE = 100
N_EXPRESSION = 50
N_POSE = 15  # 5 joints x axis-angle


@dataclass(frozen=True)
class Component:
    name: str
    description: str


EXPRESSION_COMPONENTS: tuple[Component, ...] = (
    # --- speech articulation (0-17) ---
    Component("lip_close", "lips meet and seal (+); lips part at rest (-)"),
    Component("lip_press", "closed lips press together and thin"),
    Component("lip_round", "lips round and narrow as for 'oo' (+); slack (-)"),
    Component("lip_protrude", "lips push forward"),
    Component("lip_spread", "mouth corners pull wide as for 'ee' (+); narrow (-)"),
    Component("upper_lip_raise", "upper lip lifts and shows the upper teeth"),
    Component("lower_lip_depress", "lower lip pulls down and shows the lower teeth"),
    Component("lip_funnel", "lips flare outward in a funnel as for 'sh'"),
    Component("mouth_corners_up", "both mouth corners rise, smile (+); fall, frown (-)"),
    Component("cheek_raise", "cheeks lift toward the eyes"),
    Component("lower_lip_tuck", "lower lip rolls in under the upper teeth as for 'f' and 'v'"),
    Component("upper_lip_tuck", "upper lip rolls inward over the teeth"),
    Component("mouth_shift", "whole mouth slides to the character's left (+) or right (-)"),
    Component("chin_raise", "chin boss pushes the lower lip up"),
    Component("cheek_puff", "cheeks puff out (+); suck in (-)"),
    Component("mouth_corner_up_L", "left mouth corner rises (+) or falls (-)"),
    Component("mouth_corner_up_R", "right mouth corner rises (+) or falls (-)"),
    Component("lips_part_center", "lips part in the middle while the corners stay together"),
    # --- upper face (18-32) ---
    Component("brow_inner_raise", "inner brows rise"),
    Component("brow_outer_raise", "outer brows rise"),
    Component("brow_lower", "brows draw down and together"),
    Component("brow_raise_L", "left brow rises (+) or lowers (-)"),
    Component("brow_raise_R", "right brow rises (+) or lowers (-)"),
    Component("blink_L", "left upper lid closes over the eye (1 = closed)"),
    Component("blink_R", "right upper lid closes over the eye (1 = closed)"),
    Component("squint_L", "left lower lid rises, eye narrows"),
    Component("squint_R", "right lower lid rises, eye narrows"),
    Component("eye_wide_L", "left upper lid lifts, eye widens"),
    Component("eye_wide_R", "right upper lid lifts, eye widens"),
    Component("nose_wrinkle", "nose bridge wrinkles and nose lifts"),
    Component("nostril_flare", "nostrils widen"),
    Component("sneer_L", "left upper lip and nostril lift"),
    Component("sneer_R", "right upper lip and nostril lift"),
    # --- lower face detail and asymmetry (33-49) ---
    Component("upper_lip_raise_L", "left half of the upper lip lifts"),
    Component("upper_lip_raise_R", "right half of the upper lip lifts"),
    Component("lower_lip_depress_L", "left half of the lower lip pulls down"),
    Component("lower_lip_depress_R", "right half of the lower lip pulls down"),
    Component("lip_stretch_L", "left corner stretches sideways and down"),
    Component("lip_stretch_R", "right corner stretches sideways and down"),
    Component("dimple_L", "left corner tucks back into a dimple"),
    Component("dimple_R", "right corner tucks back into a dimple"),
    Component("lip_press_L", "left half of the lips presses"),
    Component("lip_press_R", "right half of the lips presses"),
    Component("jaw_clench", "masseters bulge as the jaw clenches"),
    Component("lower_lip_roll_out", "lower lip everts and pouts"),
    Component("upper_lip_roll_out", "upper lip everts"),
    Component("nasolabial_deepen", "folds from nose to mouth corners deepen"),
    Component("mouth_up", "whole mouth moves up (+) or down (-)"),
    Component("mouth_forward", "whole mouth region moves forward (+) or back (-)"),
    Component("throat_swallow", "throat and under-chin tighten"),
)
assert len(EXPRESSION_COMPONENTS) == N_EXPRESSION

EXPRESSION_NAMES: tuple[str, ...] = tuple(c.name for c in EXPRESSION_COMPONENTS)

# FLAME joint order: global (root), neck, jaw, left eye, right eye.
JOINT_NAMES: tuple[str, ...] = ("root", "neck", "jaw", "eye_L", "eye_R")
JOINT_PARENTS: tuple[int, ...] = (-1, 0, 1, 1, 1)



def expression_index(name: str) -> int:
    """Index of an expression component by name; raises KeyError naming the known set."""
    try:
        return EXPRESSION_NAMES.index(name)
    except ValueError:
        raise KeyError(f"unknown expression component '{name}'; known: {', '.join(EXPRESSION_NAMES)}") from None
