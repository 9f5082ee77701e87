"""Reading pickles from users without running their code.

``pickle.load`` calls whatever global a file names, so a crafted ``.pkl`` runs any command. FLAME data
(DiffPoseTalk/TFHP clips) and FLAME models (``generic_model.pkl``) are only arrays, so
:func:`safe_load` admits the globals of an allow-list and refuses every other one before it is called,
with an error naming the file and the global.

Allow-lists (compose them as dicts: ``{**NUMPY, **SCIPY_SPARSE}``):

- :data:`NUMPY`: ndarrays, dtypes and numpy scalars; what FLAME clip pickles hold.
- :data:`SCIPY_SPARSE`: csc/csr/coo matrices (FLAME's ``J_regressor``). The pickle never touches a scipy
  class: it fills a stand-in, and the matrix is rebuilt with scipy's constructor from the checked arrays.
- :data:`CHUMPY`: chumpy's ``Ch``, as in the original FLAME 2020 pickles. chumpy is not needed and never
  imported: a terminal ``Ch`` becomes the plain ndarray it wraps (its ``x``); anything else chumpy pickles
  (an expression of other ``Ch`` objects) is refused.
- :data:`FLAME_MODEL`: all three.

Python 2 pickles (FLAME 2020) need ``encoding="latin1"``, the default here.
"""
from __future__ import annotations

import _compat_pickle
import collections
import io
import pickle
from pathlib import Path
from typing import Any, Mapping

import numpy as np

__all__ = ["UnsafePickleError", "safe_load", "safe_loads", "NUMPY", "SCIPY_SPARSE", "CHUMPY", "FLAME_MODEL"]


class UnsafePickleError(pickle.UnpicklingError):
    """A pickle named a global outside the allow-list, or its content is not what a stand-in accepts."""


def _numpy_global(name: str) -> Any:
    # numpy 2 moved numpy.core to numpy._core; pickles written by either name the module they saw.
    core = getattr(np, "_core", None) or np.core
    module, _, attr = name.rpartition(".")
    return getattr(getattr(core, module), attr)


def _guarded_reconstructor(cls: type, base: type, state: Any) -> Any:
    # copyreg._reconstructor as protocol 0/1 pickles call it, limited to our stand-ins on object.
    if not (isinstance(cls, type) and issubclass(cls, _StandIn)) or base is not object or state is not None:
        raise UnsafePickleError(f"copyreg._reconstructor({cls!r}, {base!r}, ...) is not an allowed object")
    return object.__new__(cls)


def _guarded_encode(text: str, encoding: str = "utf-8") -> bytes:
    # How Python 3 writes bytes in protocols 0-2: _codecs.encode(str, "latin1"); no other codec.
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise UnsafePickleError(f"_codecs.encode({type(text).__name__}, {encoding!r}) is not an allowed call")
    return text.encode("latin1")


# What ndarray and numpy scalar pickles call (protocol 5 arrays go through _frombuffer).
_NUMPY_NAMES = ("multiarray._reconstruct", "multiarray.scalar", "numeric._frombuffer")

NUMPY: dict[str, Any] = {
    "numpy.ndarray": np.ndarray,
    "numpy.dtype": np.dtype,
    **{f"numpy.{pkg}.{name}": _numpy_global(name) for pkg in ("core", "_core") for name in _NUMPY_NAMES},
    # Basic containers that older pickles name as globals; they run no code of the file's.
    "builtins.set": set,
    "builtins.frozenset": frozenset,
    "builtins.object": object,
    "collections.OrderedDict": collections.OrderedDict,
    "copyreg._reconstructor": _guarded_reconstructor,
    "_codecs.encode": _guarded_encode,
}


class _StandIn:
    """Receives a pickled object's state in place of a third-party class; :meth:`build` makes the real value."""

    source = "a stand-in"

    def __setstate__(self, state: Any) -> None:
        if isinstance(state, tuple) and len(state) == 2:  # (dict state, slot state)
            state = {**(state[0] or {}), **(state[1] or {})}
        if not isinstance(state, dict):
            raise UnsafePickleError(f"{self.source}: expected a dict state, got {type(state).__name__}")
        self.state = state

    def build(self) -> Any:
        raise NotImplementedError

    def _array(self, key: str) -> np.ndarray:
        v = getattr(self, "state", {}).get(key)
        if not isinstance(v, np.ndarray) or v.dtype.kind not in "biuf":
            raise UnsafePickleError(f"{self.source}: field '{key}' must be a numeric ndarray, got {type(v).__name__}")
        return v


class _SparseStandIn(_StandIn):
    fmt = ""

    def build(self) -> Any:
        import scipy.sparse as sp
        shape = self.state.get("_shape", self.state.get("shape"))
        if not (isinstance(shape, tuple) and len(shape) == 2 and all(isinstance(n, int) and n >= 0 for n in shape)):
            raise UnsafePickleError(f"{self.source}: sparse matrix shape must be two sizes, got {shape!r}")
        if self.fmt == "coo":
            return sp.coo_matrix((self._array("data"), (self._array("row"), self._array("col"))), shape=shape)
        cls = sp.csc_matrix if self.fmt == "csc" else sp.csr_matrix
        return cls((self._array("data"), self._array("indices"), self._array("indptr")), shape=shape)


def _sparse(fmt: str) -> type:
    return type(f"{fmt}_matrix", (_SparseStandIn,), {"fmt": fmt, "source": f"scipy.sparse {fmt}_matrix"})


SCIPY_SPARSE: dict[str, Any] = {
    f"scipy.sparse{mod}.{fmt}_{kind}": _sparse(fmt)
    for fmt in ("csc", "csr", "coo") for kind in ("matrix", "array")
    for mod in ("", f".{fmt}", f"._{fmt}")
}


class _ChStandIn(_StandIn):
    source = "chumpy.ch.Ch"

    def build(self) -> np.ndarray:
        if set(self.state) & {"a", "b", "x_"} or "x" not in self.state:
            raise UnsafePickleError(f"{self.source}: only terminal Ch values (an array 'x') are read; this one is an "
                                    f"expression of others (fields {sorted(self.state)})")
        return np.array(self._array("x"))


CHUMPY: dict[str, Any] = {"chumpy.ch.Ch": _ChStandIn}

FLAME_MODEL: dict[str, Any] = {**NUMPY, **SCIPY_SPARSE, **CHUMPY}


class _Unpickler(pickle.Unpickler):
    def __init__(self, f: Any, source: str, allowed: Mapping[str, Any], encoding: str) -> None:
        super().__init__(f, encoding=encoding)
        self.source = source
        self.allowed = allowed

    def find_class(self, module: str, name: str) -> Any:
        # Python 2 names (copy_reg, __builtin__), as pickle's own fix_imports maps them.
        module, name = _compat_pickle.NAME_MAPPING.get((module, name), (module, name))
        module = _compat_pickle.IMPORT_MAPPING.get(module, module)
        qualified = f"{module}.{name}"
        if qualified not in self.allowed:
            raise UnsafePickleError(f"{self.source}: refused to load: the pickle names the global '{qualified}', "
                                    "which is not an allowed data type (only arrays and the types listed in "
                                    "parley.safe_pickle are read; nothing in the file was run)")
        return self.allowed[qualified]


def _resolve(obj: Any, source: str, active: set[int] | None = None) -> Any:
    """Replaces stand-ins by the values they describe, through dicts, lists, tuples and sets."""
    active = set() if active is None else active
    if isinstance(obj, _StandIn) and hasattr(obj, "value"):  # a pickle may refer to one object twice
        return obj.value
    if not isinstance(obj, (_StandIn, dict, list, tuple, set, frozenset)):
        if isinstance(obj, np.ndarray) and obj.dtype == object:
            raise UnsafePickleError(f"{source}: object arrays are not read (numeric arrays only)")
        return obj
    if id(obj) in active:
        raise UnsafePickleError(f"{source}: a {type(obj).__name__} contains itself; FLAME data has no cycles")
    active.add(id(obj))
    if isinstance(obj, _StandIn):
        obj.source = f"{source}: {obj.source}"
        if not hasattr(obj, "state"):
            raise UnsafePickleError(f"{obj.source}: pickled without a state")
        obj.state = {k: _resolve(v, source, active) for k, v in obj.state.items()}
        obj.value = obj.build()
        out = obj.value
    elif isinstance(obj, dict):
        out = type(obj)((k, _resolve(v, source, active)) for k, v in obj.items())
    else:
        out = type(obj)(_resolve(v, source, active) for v in obj)
    active.discard(id(obj))
    return out


def safe_loads(data: bytes, allowed: Mapping[str, Any] = NUMPY, source: str = "<bytes>",
               encoding: str = "latin1") -> Any:
    """Unpickles ``data`` admitting only the globals in ``allowed``.

    @param data the pickle (not null, unaffected)
    @param allowed qualified global name ("module.name") to the object to use for it (not null); the presets
        of this module are safe, anything added is the caller's to vet
    @param source what to call the data in messages, usually its file
    @param encoding how Python 2 ``str`` objects decode (latin1 keeps numpy's raw bytes intact)
    @return the unpickled value, stand-ins replaced by arrays and sparse matrices
    @raises UnsafePickleError naming ``source`` and the refused global; nothing it names is called
    """
    obj = _Unpickler(io.BytesIO(data), source, allowed, encoding).load()
    return _resolve(obj, source)


def safe_load(path: str | Path, allowed: Mapping[str, Any] = NUMPY, encoding: str = "latin1") -> Any:
    """:func:`safe_loads` on the file at ``path``; messages name the file.

    @param path the pickle file (not null)
    @param allowed see :func:`safe_loads`
    @param encoding see :func:`safe_loads`
    @return the unpickled value
    @raises UnsafePickleError naming the file and the refused global
    """
    path = Path(path)
    return safe_loads(path.read_bytes(), allowed, str(path), encoding)

