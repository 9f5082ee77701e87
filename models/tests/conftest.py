"""Make ``import parley`` work when pytest runs from the repository root."""
import sys
from pathlib import Path

MODELS = Path(__file__).resolve().parents[1]
if str(MODELS) not in sys.path:
    sys.path.insert(0, str(MODELS))
