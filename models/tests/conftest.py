"""Make ``import parley`` work when pytest runs from the repository root; fixtures shared by test modules."""
import sys
import types
from pathlib import Path

import pytest

MODELS = Path(__file__).resolve().parents[1]
if str(MODELS) not in sys.path:
    sys.path.insert(0, str(MODELS))


@pytest.fixture
def fake_chumpy(monkeypatch):
    """A module named chumpy.ch with a class Ch, so the test can write pickles like FLAME 2020's."""
    pkg, mod = types.ModuleType("chumpy"), types.ModuleType("chumpy.ch")

    class Ch:
        def __init__(self, **state):
            self.__dict__.update(state)

    Ch.__module__, Ch.__qualname__ = "chumpy.ch", "Ch"
    mod.Ch, pkg.ch = Ch, mod
    monkeypatch.setitem(sys.modules, "chumpy", pkg)
    monkeypatch.setitem(sys.modules, "chumpy.ch", mod)
    return Ch
