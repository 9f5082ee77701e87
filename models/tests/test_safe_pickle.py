"""Pickles from users are read without running their code: FLAME clips, FLAME models, checkpoints."""
import builtins
import os
import pickle
import subprocess

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from parley.corpus.dataset import RealFlameDataset, load_flame_clip
from parley.model.config import get_config
from parley.model.network import build_model
from parley.model.train import load_checkpoint, read_checkpoint, save_checkpoint
from parley.safe_pickle import FLAME_MODEL, NUMPY, UnsafePickleError, safe_load, safe_loads


class _Payload:
    """Unpickling this calls ``fn(*args)``: what a crafted file does."""

    def __init__(self, fn, *args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


def _payloads(marker):
    """Three ways a pickle runs code, each of which would create ``marker``."""
    return {
        "posix.system": _Payload(os.system, f"touch {marker}"),
        "io.open": _Payload(builtins.open, str(marker), "w"),
        "subprocess.call": _Payload(subprocess.call, ["touch", str(marker)]),
    }


def _clip(T=10):
    rng = np.random.default_rng(0)
    return {"exp": rng.normal(size=(T, 50)).astype(np.float32), "pose": np.zeros((T, 15), np.float32),
            "shape": np.zeros(100, np.float32), "audio": np.zeros(T * 640, np.int16), "sample_rate": 16000}


def test_the_payload_fixture_runs_code_under_plain_pickle(tmp_path):
    # The control: without the restriction, this file does create the marker.
    marker = tmp_path / "ran"
    pickle.loads(pickle.dumps(_payloads(marker)["io.open"]))
    assert marker.exists()


@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
@pytest.mark.parametrize("name", ["posix.system", "io.open", "subprocess.call"])
def test_malicious_flame_clip_is_refused_and_does_not_run(tmp_path, name, protocol):
    marker = tmp_path / "ran"
    data = _clip()
    data["exp"] = _payloads(marker)[name]  # hidden inside an otherwise valid clip
    path = tmp_path / "clips" / "evil.pkl"
    path.parent.mkdir()
    path.write_bytes(pickle.dumps(data, protocol=protocol))
    for load in (lambda: load_flame_clip(path), lambda: list(RealFlameDataset(path.parent)),
                 lambda: safe_load(path, FLAME_MODEL)):
        with pytest.raises(UnsafePickleError) as e:
            load()
        assert str(path) in str(e.value) and f"'{name}'" in str(e.value), str(e.value)
    assert not marker.exists()


def test_allowed_reconstructor_cannot_build_other_classes(tmp_path):
    # copyreg._reconstructor(set, object, None) names only allowed globals but is not a stand-in.
    data = b"ccopy_reg\n_reconstructor\n(c__builtin__\nset\nc__builtin__\nobject\nNtR."
    with pytest.raises(UnsafePickleError, match="_reconstructor"):
        safe_loads(data, NUMPY, source="x.pkl")


def test_cyclic_containers_are_refused(tmp_path):
    loop = [np.zeros(2)]
    loop.append(loop)
    with pytest.raises(UnsafePickleError, match=r"loop\.pkl: a list contains itself"):
        safe_loads(pickle.dumps({"exp": loop}), NUMPY, source="loop.pkl")
    shared = np.ones(3)  # one array referred to twice is fine
    got = safe_loads(pickle.dumps({"a": [shared], "b": [shared]}), NUMPY)
    assert got["a"][0] is got["b"][0]


def test_flame_clip_pickle_loads(tmp_path):
    data = _clip()
    for protocol in (0, 2, pickle.HIGHEST_PROTOCOL):
        path = tmp_path / f"p{protocol}.pkl"
        path.write_bytes(pickle.dumps({**data, "fps": np.float64(25.0), "speaker": "kim"}, protocol=protocol))
        clip = load_flame_clip(path)
        np.testing.assert_array_equal(clip.motion[:, :50], data["exp"])
        assert clip.speaker == "kim" and clip.n_frames == 10


def _flame_model(Ch):
    """A FLAME-format model dict: arrays, a sparse J_regressor, chumpy shapedirs (as FLAME 2020 ships; the Ch
    state is what chumpy's ``Ch.__getstate__`` keeps: its __dict__ without the weak-reference caches)."""
    rng = np.random.default_rng(1)
    V = 30
    j = sp.random(5, V, density=0.2, format="csc", random_state=2)
    shapedirs = rng.normal(size=(V, 3, 400))
    ch = Ch(x=shapedirs, _dirty_vars={"x"}, _itr=None, _depends_on_deps={}, _make_dense=False, _make_sparse=False)
    return {"f": rng.integers(0, V, (40, 3)).astype(np.uint32), "v_template": rng.normal(size=(V, 3)),
            "shapedirs": ch, "posedirs": rng.normal(size=(V, 3, 36)),
            "J_regressor": j, "J_regressor_csr": j.tocsr(), "lmk_coo": j.tocoo(),
            "kintree_table": np.array([[-1, 0, 1, 1, 1], [0, 1, 2, 3, 4]]), "weights": rng.random((V, 5)),
            "bs_style": "lbs", "bs_type": "lrotmin"}, shapedirs, j


@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_flame_model_fixture_loads(tmp_path, fake_chumpy, protocol):
    model, shapedirs, j = _flame_model(fake_chumpy)
    path = tmp_path / "generic_model.pkl"
    path.write_bytes(pickle.dumps(model, protocol=protocol))
    got = safe_load(path, FLAME_MODEL)
    assert isinstance(got["shapedirs"], np.ndarray)  # the chumpy wrapper becomes its array
    np.testing.assert_array_equal(got["shapedirs"], shapedirs)
    assert isinstance(got["J_regressor"], sp.csc_matrix) and isinstance(got["J_regressor_csr"], sp.csr_matrix)
    assert isinstance(got["lmk_coo"], sp.coo_matrix)
    for k in ("J_regressor", "J_regressor_csr", "lmk_coo"):
        np.testing.assert_array_equal(got[k].toarray(), j.toarray())
    for k in ("f", "v_template", "posedirs", "kintree_table", "weights"):
        np.testing.assert_array_equal(got[k], model[k])
    assert got["bs_style"] == "lbs"
    # The clip preset admits no sparse matrices or chumpy: a model is not a clip.
    with pytest.raises(UnsafePickleError, match="chumpy.ch.Ch|scipy.sparse"):
        safe_load(path, NUMPY)


def test_chumpy_expressions_are_refused(tmp_path, fake_chumpy):
    a = fake_chumpy(x=np.ones(3))
    path = tmp_path / "expr.pkl"
    path.write_bytes(pickle.dumps({"shapedirs": fake_chumpy(a=a, b=a)}, protocol=2))
    with pytest.raises(UnsafePickleError, match=r"expr\.pkl.*only terminal Ch"):
        safe_load(path, FLAME_MODEL)


def test_sparse_stand_in_rejects_non_arrays(tmp_path):
    j = sp.random(3, 4, density=0.5, format="csc", random_state=0)
    j.indices = [0, 1]  # what a crafted file could put there
    path = tmp_path / "j.pkl"
    path.write_bytes(pickle.dumps(j, protocol=2))
    with pytest.raises(UnsafePickleError, match=r"j\.pkl.*'indices' must be a numeric ndarray"):
        safe_load(path, FLAME_MODEL)


def _tiny_checkpoint(path):
    model = build_model(get_config("tiny"), 0)
    save_checkpoint(path, model, np.zeros(56), np.ones(56), steps=3, data={"corpus": "small"})
    return model


def test_checkpoint_round_trips_through_the_weights_only_loader(tmp_path):
    model = _tiny_checkpoint(tmp_path / "last.pt")
    ckpt = read_checkpoint(tmp_path / "last.pt")
    assert ckpt["steps"] == 3 and ckpt["data"] == {"corpus": "small"}
    loaded, _, std = load_checkpoint(tmp_path / "last.pt")
    assert np.all(std == 1)
    for (k, v), w in zip(model.state_dict().items(), loaded.state_dict().values()):
        assert torch.equal(v, w), k


@pytest.mark.parametrize("name", ["posix.system", "io.open", "subprocess.call"])
def test_malicious_checkpoint_is_refused_and_does_not_run(tmp_path, name):
    marker = tmp_path / "ran"
    _tiny_checkpoint(tmp_path / "good.pt")
    ckpt = torch.load(tmp_path / "good.pt", weights_only=True)
    ckpt["meta"] = _payloads(marker)[name]
    torch.save(ckpt, tmp_path / "evil.pt")
    for load in (read_checkpoint, load_checkpoint):
        with pytest.raises(UnsafePickleError) as e:
            load(tmp_path / "evil.pt")
        assert str(tmp_path / "evil.pt") in str(e.value) and "refused" in str(e.value)
    assert not marker.exists()
