"""The head's parameter-space contract that the corpus, the models and the Java rig all read."""
import pytest

from parley import layout
from parley.head import components as c


def test_expression_names_are_unique_and_fifty():
    assert len(c.EXPRESSION_NAMES) == c.N_EXPRESSION == 50
    assert len(set(c.EXPRESSION_NAMES)) == 50


def test_speech_components_come_first():
    # The first components carry articulation; downstream code relies on these indices.
    assert c.EXPRESSION_NAMES[:3] == ("lip_close", "lip_press", "lip_round")
    assert c.expression_index("blink_L") == 23 and c.expression_index("blink_R") == 24


def test_motion_layout_tiles_the_vector():
    offset = 0
    for s in layout.MOTION_LAYOUT:
        assert s.offset == offset
        assert s.size == (c.N_EXPRESSION if s.joint is None else 3)
        offset += s.size
    assert offset == layout.MOTION_DIM == 56


def test_motion_joints_exist():
    for s in layout.MOTION_LAYOUT:
        assert s.joint is None or s.joint in c.JOINT_NAMES
    assert len(c.JOINT_NAMES) * 3 == c.N_POSE
    assert all(p < i for i, p in enumerate(c.JOINT_PARENTS))


def test_unknown_component_names_the_known_ones():
    with pytest.raises(KeyError, match="unknown expression component 'jaw_open'.*lip_close"):
        c.expression_index("jaw_open")
