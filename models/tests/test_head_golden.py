"""The committed Java golden file must match the current head (regenerate with python3 -m parley.head.golden)."""
import json

from parley.head import golden


def test_committed_golden_is_current():
    committed = json.loads(golden.DEFAULT_OUT.read_text())
    assert committed == json.loads(json.dumps(golden.build(), separators=(",", ":"))), \
        "stale golden: run 'cd models && /usr/bin/python3 -m parley.head.golden'"
