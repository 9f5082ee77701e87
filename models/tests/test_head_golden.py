"""The committed Java golden file must match the current head (regenerate with python3 -m parley.head.golden)."""
import json

import numpy as np

from parley.head import golden

# Positions are float32 sums rounded to 7 decimals: another CPU's BLAS kernels can flip the last digit
# (seen: 1e-7 m on 2 to 12 of ~500 coordinates). A stale golden moves by far more; Java checks at 1e-5 m.
POSITION_TOLERANCE_M = 1e-6


def test_committed_golden_is_current():
    committed = json.loads(golden.DEFAULT_OUT.read_text())
    current = json.loads(json.dumps(golden.build(), separators=(",", ":")))
    stale = "stale golden: run 'cd models && /usr/bin/python3 -m parley.head.golden'"
    assert {k: v for k, v in committed.items() if k != "cases"} == {k: v for k, v in current.items() if k != "cases"}, stale
    assert len(committed["cases"]) == len(current["cases"]) > 0, stale
    for old, new in zip(committed["cases"], current["cases"]):
        assert {k: v for k, v in old.items() if k != "positions"} == {k: v for k, v in new.items() if k != "positions"}, stale
        assert len(old["positions"]) == len(new["positions"]), stale
        worst = float(np.max(np.abs(np.array(old["positions"]) - np.array(new["positions"]))))
        assert worst <= POSITION_TOLERANCE_M, f"{old['name']}: positions differ by {worst:.2e} m; {stale}"
