"""Expression adapters (AdaMesh's MoLoRA): low-rank adapters of several ranks on the denoiser's linear
layers, mixed per layer by learnt softmax gates, fitted to one reference take with the base weights
frozen, and saved as a small pickle-free ``.adapter`` file that the Java runtime reads (docs/adapters.md).

Which layers: every step-graph linear of each block (self-attention q, kv, out; cross-attention q; the
feed-forward's two). The cross-attention's kv and output projections are left alone: they run in the
``audio_memory`` graph, which then stays the pack's own for every character.

The runtime form of an adapter is one factor matrix F [R, S], R the sum of the ranks: row j holds, for
each target layer in :func:`layout` order, a_j (the layer's input width) then b_j (its output width), the
gates and scales already folded into b. A layer's output becomes base(x) + (x A^T) B with A, B the
layer's columns of F. Zero factors (or no adapter) leave the base exactly as it was.

Since the factors are plain inputs, one graph (:func:`export_adapted_denoiser`) serves adapted and
plain characters in one batch: ``adapters`` [K, R, S] holds the batch's K adapters (a zero one for
plain rows) and ``adapter_index`` [B] picks one per row.
"""
from __future__ import annotations

import copy
import hashlib
import json
import math
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch
from torch import nn

from .config import ModelConfig
from .denoiser import Denoiser

FORMAT = "parley-adapter"
VERSION = 1
MAGIC = b"PARLEYAD"  # then uint32 LE header length, the UTF-8 JSON header, then the float32 LE factors
# The linears of each denoiser block that an adapter changes (paths inside ``blocks.<i>``).
TARGETS = ("self_attn.q", "self_attn.kv", "self_attn.out", "cross_attn.q", "ffn.0", "ffn.3")
ADAPTED_INPUTS = ("adapter_index", "adapters")  # the adapted step graph's inputs after the denoiser's


class AdapterError(ValueError):
    """A refused adapter file: the message names the file, the field, what was expected and what was found."""


@dataclass(frozen=True)
class Target:
    """One adapted linear: its module path in the denoiser and its columns in a factor row."""
    name: str
    fan_in: int
    fan_out: int
    offset: int  # a_j at [offset, offset + fan_in), b_j right after it

    def to_dict(self) -> dict:
        return {"name": self.name, "in": self.fan_in, "out": self.fan_out, "offset": self.offset}


def layout(cfg: ModelConfig) -> list[Target]:
    """The adapted linears of a denoiser config, in factor-row order (blocks, then TARGETS)."""
    d, f = cfg.denoiser.width, cfg.denoiser.ffn
    sizes = {"self_attn.q": (d, d), "self_attn.kv": (d, 2 * d), "self_attn.out": (d, d), "cross_attn.q": (d, d),
             "ffn.0": (d, f), "ffn.3": (f, d)}
    out, offset = [], 0
    for i in range(cfg.denoiser.layers):
        for name in TARGETS:
            fan_in, fan_out = sizes[name]
            out.append(Target(f"blocks.{i}.{name}", fan_in, fan_out, offset))
            offset += fan_in + fan_out
    return out


def row_width(cfg: ModelConfig) -> int:
    """S, the length of one factor row."""
    last = layout(cfg)[-1]
    return last.offset + last.fan_in + last.fan_out


# ------------------------------------------------------------------ the adapted denoiser
class FactorSlot:
    """The factors every wrapped linear of one denoiser reads: None (the base), [R, S] (one adapter for
    the whole batch) or [B, R, S] (one per row). Set by whoever runs the denoiser, read during its pass."""

    def __init__(self) -> None:
        self.factors: torch.Tensor | None = None


class LowRankLinear(nn.Module):
    """A frozen linear plus the low-rank path of its slot's factors."""

    def __init__(self, base: nn.Linear, slot: FactorSlot, target: Target):
        super().__init__()
        self.base, self.target = base, target
        self.slot = slot  # a plain object, not a submodule: one slot is shared by every wrapper

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.base(x)
        f = self.slot.factors
        if f is None:
            return y
        t = self.target
        a = f[..., t.offset:t.offset + t.fan_in]  # [(B,) R, in]
        b = f[..., t.offset + t.fan_in:t.offset + t.fan_in + t.fan_out]  # [(B,) R, out]
        return y + torch.matmul(torch.matmul(x, a.transpose(-1, -2)), b)


def attach(denoiser: Denoiser) -> FactorSlot:
    """Wraps the denoiser's target linears (in place) around one new slot, empty: the base as it was."""
    slot = FactorSlot()
    for t in layout(denoiser.cfg):
        parent, leaf = t.name.rsplit(".", 1)
        module = denoiser.get_submodule(parent)
        base = getattr(module, leaf)
        if not isinstance(base, nn.Linear):
            raise TypeError(f"{t.name} is a {type(base).__name__}, not a linear: attached twice?")
        setattr(module, leaf, LowRankLinear(base, slot, t))
    return slot


class MoLoRA(nn.Module):
    """The learnt adapter: per rank group k, down factors a [r_k, in] and up factors b [r_k, out] for each
    target, and per target softmax gates over the groups. Up factors start at zero (the base exactly)."""

    def __init__(self, cfg: ModelConfig, ranks: tuple[int, ...], seed: int = 0):
        super().__init__()
        if not ranks or any(r < 1 for r in ranks):
            raise ValueError(f"ranks must be positive integers, got {ranks}")
        self.targets, self.ranks = layout(cfg), tuple(ranks)
        gen = torch.Generator().manual_seed(seed)
        self.down = nn.ParameterList(
            nn.Parameter(torch.randn(r, t.fan_in, generator=gen) / math.sqrt(t.fan_in))
            for r in ranks for t in self.targets)
        self.up = nn.ParameterList(nn.Parameter(torch.zeros(r, t.fan_out)) for r in ranks for t in self.targets)
        self.gates = nn.Parameter(torch.zeros(len(self.targets), len(ranks)))
        # rsLoRA's 1/sqrt(r): every group learns at a comparable pace whatever its rank.
        self.scales = [1.0 / math.sqrt(r) for r in ranks]

    def mixing(self) -> torch.Tensor:
        """Gate weights [targets, groups], each row summing to 1."""
        return torch.softmax(self.gates, dim=-1)

    def factors(self) -> torch.Tensor:
        """F [R, S]: the runtime form (gates and scales folded into the up factors)."""
        g, n = self.mixing(), len(self.targets)
        rows = []
        for k in range(len(self.ranks)):
            parts = []
            for i in range(n):
                parts += [self.down[k * n + i], self.up[k * n + i] * (g[i, k] * self.scales[k])]
            rows.append(torch.cat(parts, dim=1))
        return torch.cat(rows, dim=0)


# ------------------------------------------------------------------ fitting
@dataclass(frozen=True)
class FitConfig:
    """How an adapter is fitted. ``method``: molora (several ranks, gates), lora (one rank: ``ranks`` must
    hold one) or full (every denoiser weight, no adapter: the evaluation's comparison)."""
    ranks: tuple[int, ...] = (2, 8, 32)
    method: str = "molora"
    # Chosen on val speakers (docs/adapters.md): held-out loss falls for about 40 steps at 2e-4, then flat;
    # at 2e-3 the adapter overfits the take within 20 steps.
    steps: int = 80
    batch_size: int = 8
    lr: float = 2e-4
    full_lr: float = 3e-5  # chosen on val too: at 1e-4 full fine-tuning overfits the take within 20 steps
    vertex: bool = False  # the vertex loss (w_vertex of the pack's recipe) costs a head LBS per window
    seed: int = 0

    def __post_init__(self) -> None:
        if self.method not in ("molora", "lora", "full"):
            raise ValueError(f"method must be molora, lora or full, got {self.method!r}")
        if self.method == "lora" and len(self.ranks) != 1:
            raise ValueError(f"a single-rank LoRA needs one rank, got {self.ranks}")
        if self.steps < 0 or self.batch_size < 1:
            raise ValueError(f"steps must be >= 0 and batch_size >= 1, got {self.steps}, {self.batch_size}")


@dataclass
class Fit:
    """A fitted adapter (or, for ``full``, the fine-tuned model) and its record."""
    model: Any  # the ParleyModel the adapter is attached to (for full: a fine-tuned copy)
    slot: FactorSlot | None
    adapter: MoLoRA | None
    losses: list[float]  # total loss per step
    seconds: float  # wall clock
    cpu_seconds: float  # this process's CPU time: on a shared machine, wall clock says little

    def factors(self) -> np.ndarray:
        """F [R, S] float32 of the fitted adapter."""
        if self.adapter is None:
            raise ValueError("full fine-tuning has no adapter factors")
        with torch.no_grad():
            return self.adapter.factors().numpy().astype(np.float32)


class _RowCache(nn.Module):
    """A frozen encoder that computes each distinct input row once: a take has few distinct windows, and
    its encoders (audio, style) cost as much per step as the adapted denoiser's forward and backward."""

    def __init__(self, encoder: nn.Module):
        super().__init__()
        self.encoder = encoder
        self.rows: dict[bytes, torch.Tensor] = {}

    def forward(self, x: torch.Tensor, *rest: Any) -> torch.Tensor:
        if any(r is not None for r in rest):
            return self.encoder(x, *rest)
        keys = [hashlib.sha1(row.numpy().tobytes()).digest() for row in x]
        missing = sorted({i for i, k in enumerate(keys) if k not in self.rows}, key=keys.__getitem__)
        if missing:
            with torch.no_grad():
                out = self.encoder(x[missing])
            for i, row in zip(missing, out):
                self.rows[keys[i]] = row
        return torch.stack([self.rows[k] for k in keys])

    def __getattr__(self, name: str) -> Any:
        try:
            return super().__getattr__(name)
        except AttributeError:  # e.g. the audio encoder's phone_logits
            return getattr(self.encoder, name)


def adapted_copy(model) -> tuple[Any, FactorSlot]:
    """A copy of a ParleyModel whose denoiser has the adapter wrappers (empty: the base)."""
    clone = copy.deepcopy(model).eval()
    for p in clone.parameters():
        p.requires_grad_(False)
    return clone, attach(clone.denoiser)


def _fit_config(model_cfg: ModelConfig, batch_size: int) -> ModelConfig:
    """The model's own training recipe for a take: its losses and condition dropout, without the phone loss
    (the audio encoder stays frozen) and without sampler-state rows (a guided DDIM per step is not in a
    2-minute budget)."""
    from dataclasses import replace
    return replace(model_cfg, train=replace(model_cfg.train, w_phone=0.0, p_sampler_state=0.0, batch_size=batch_size))


def take_loss(model, mean: np.ndarray, std: np.ndarray, take, batches: int = 4, batch_size: int = 8,
              seed: int = 1234) -> float:
    """The fit loss on fixed windows, noise and timesteps of a take (the same for every model it is asked
    of): mean total of :func:`parley.model.train.denoiser_step` over ``batches`` batches."""
    from .diffusion import Schedule
    from .train import denoiser_step, make_batch

    saved = model.cfg
    model.cfg = _fit_config(saved, batch_size)
    try:
        rng, gen = np.random.default_rng(seed), torch.Generator().manual_seed(seed)
        schedule = Schedule.from_config(model.cfg.diffusion)
        with torch.no_grad():
            return float(np.mean([float(denoiser_step(model, schedule, make_batch(take, model.cfg, mean, std, rng,
                                                                                   batch_size), gen)["total"])
                                  for _ in range(batches)]))
    finally:
        model.cfg = saved


def fit(model, mean: np.ndarray, std: np.ndarray, take, cfg: FitConfig,
        progress: Callable[[int, int, float], None] | None = None,
        watch: Callable[[int, Any], None] | None = None) -> Fit:
    """Fits an adapter (or the whole denoiser, method ``full``) to a take (a MotionDataset: one or a few
    clips of one speaker) with :func:`parley.model.train.denoiser_step`'s losses in
    :func:`parley.model.train._train_loop`; ``model`` itself is not changed. ``progress(step, steps,
    loss)`` is called after each step, ``watch(step, adapted model)`` too (to score it while it learns)."""
    import time

    from .diffusion import Schedule
    from .train import _train_loop, denoiser_step, flame_vertex_fn, make_batch

    t0, c0 = time.time(), time.process_time()
    work, slot = adapted_copy(model)
    work.cfg = _fit_config(model.cfg, cfg.batch_size)
    work.audio, work.style = _RowCache(work.audio), _RowCache(work.style)
    adapter = None
    if cfg.method == "full":
        params = list(work.denoiser.parameters())
        for p in params:
            p.requires_grad_(True)
        slot = None
        lr = cfg.full_lr
    else:
        adapter = MoLoRA(work.cfg, cfg.ranks, cfg.seed)
        params, lr = list(adapter.parameters()), cfg.lr
    vertex_fn = flame_vertex_fn(mean, std) if cfg.vertex and work.cfg.train.w_vertex > 0 else None
    schedule = Schedule.from_config(work.cfg.diffusion)

    def losses_of(rng: np.random.Generator, gen: torch.Generator) -> dict[str, torch.Tensor]:
        if slot is not None:
            slot.factors = adapter.factors()  # rebuilt each step: gradients reach the parameters
        return denoiser_step(work, schedule, make_batch(take, work.cfg, mean, std, rng, cfg.batch_size), gen,
                             vertex_fn)

    done: list[float] = []

    def on_step(n: int) -> bool:
        if progress is not None:
            progress(n, cfg.steps, done[-1] if done else float("nan"))
        if watch is not None:
            with torch.no_grad():
                if slot is not None:
                    slot.factors = adapter.factors()
                watch(n, work)
        return False

    def record(rng: np.random.Generator, gen: torch.Generator) -> dict[str, torch.Tensor]:
        losses = losses_of(rng, gen)
        done.append(float(losses["total"]))
        return losses

    _train_loop(work, params, (), record, cfg.steps, cfg.seed, lr, f"adapt ({cfg.method})", lambda _: None, 0,
                None, on_step, None)
    if slot is not None:
        with torch.no_grad():
            slot.factors = adapter.factors()
    for p in work.parameters():
        p.requires_grad_(False)
    work.cfg, work.audio, work.style = model.cfg, work.audio.encoder, work.style.encoder
    return Fit(work, slot, adapter, done, time.time() - t0, time.process_time() - c0)


# ------------------------------------------------------------------ the .adapter file
def pack_identity(pack: Path) -> dict:
    """What an adapter records of its base: the pack's id, version and its denoiser graph's SHA-256 (the
    manifest's checksum, which the runtime already holds)."""
    man = json.loads((pack / "manifest.json").read_text())
    graph = man["models"]["denoiser"]
    return {"id": man["id"], "packVersion": man["packVersion"], "denoiserSha256": man["checksums"][graph]}


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def write_adapter(path: Path, factors: np.ndarray, cfg: ModelConfig, base: dict, ranks: tuple[int, ...],
                  gates: np.ndarray | None = None, take: dict | None = None, fit_record: dict | None = None,
                  style: np.ndarray | None = None) -> dict:
    """Writes an adapter file: MAGIC, uint32 LE header length, the JSON header, F [R, S] float32 LE.
    Returns the header. ``base``: :func:`pack_identity`; ``style``: the take's style embedding."""
    f = np.ascontiguousarray(np.asarray(factors, np.float32))
    if f.shape != (sum(ranks), row_width(cfg)):
        raise ValueError(f"factors have shape {list(f.shape)} but ranks {list(ranks)} and this config need "
                         f"[{sum(ranks)}, {row_width(cfg)}]")
    header = {
        "format": FORMAT, "version": VERSION,
        "pack": dict(base),
        "ranks": [int(r) for r in ranks],
        "rowWidth": row_width(cfg),
        "targets": [t.to_dict() for t in layout(cfg)],
        "factors": {"dtype": "float32", "shape": list(f.shape), "sha256": hashlib.sha256(f.tobytes()).hexdigest()},
        **({"gates": np.asarray(gates, np.float32).round(5).tolist()} if gates is not None else {}),
        **({"style": [float(v) for v in np.asarray(style, np.float32)]} if style is not None else {}),
        "take": take or {},
        "fit": fit_record or {},
    }
    blob = json.dumps(header, indent=1).encode("utf-8")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_bytes(MAGIC + struct.pack("<I", len(blob)) + blob + f.astype("<f4").tobytes())
    return header


@dataclass
class Adapter:
    """An adapter file read back and checked: its header and F [R, S]."""
    header: dict
    factors: np.ndarray

    @property
    def ranks(self) -> tuple[int, ...]:
        return tuple(self.header["ranks"])


def read_adapter(path: Path, cfg: ModelConfig, base: dict) -> Adapter:
    """Reads and validates an adapter file for a pack (``base``: :func:`pack_identity`, ``cfg``: its
    config). Raises AdapterError naming the file, the field, the expected and the found value."""
    path = Path(path)

    def fail(field: str, expected: Any, got: Any) -> AdapterError:
        return AdapterError(f"{path}: {field}: expected {expected} but got {got}")

    raw = path.read_bytes()
    if raw[:len(MAGIC)] != MAGIC:
        raise fail("magic", MAGIC.decode(), repr(raw[:len(MAGIC)]))
    if len(raw) < len(MAGIC) + 4:
        raise fail("header length", "4 bytes", f"{len(raw) - len(MAGIC)} (truncated file)")
    (n,) = struct.unpack_from("<I", raw, len(MAGIC))
    start = len(MAGIC) + 4
    if start + n > len(raw):
        raise fail("header", f"{n} bytes", f"{len(raw) - start} (truncated file)")
    try:
        header = json.loads(raw[start:start + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise fail("header", "UTF-8 JSON", f"unreadable text ({e})") from None
    if not isinstance(header, dict):
        raise fail("header", "a JSON object", type(header).__name__)
    for key, want in (("format", FORMAT), ("version", VERSION)):
        if header.get(key) != want:
            raise fail(key, repr(want), repr(header.get(key)))
    pack = header.get("pack") if isinstance(header.get("pack"), dict) else {}
    for key in ("id", "packVersion", "denoiserSha256"):
        if pack.get(key) != base[key]:
            raise fail(f"pack.{key}", repr(base[key]), repr(pack.get(key)))
    ranks = header.get("ranks")
    if not isinstance(ranks, list) or not ranks or not all(isinstance(r, int) and r >= 1 for r in ranks):
        raise fail("ranks", "a non-empty list of positive integers", repr(ranks))
    if header.get("rowWidth") != row_width(cfg):
        raise fail("rowWidth", row_width(cfg), header.get("rowWidth"))
    targets = [t.to_dict() for t in layout(cfg)]
    if header.get("targets") != targets:
        raise fail("targets", f"the pack's {len(targets)} layers", f"{len(header.get('targets') or [])} other ones")
    shape = [sum(ranks), row_width(cfg)]
    fac = header.get("factors") if isinstance(header.get("factors"), dict) else {}
    if fac.get("dtype") != "float32" or fac.get("shape") != shape:
        raise fail("factors", f"float32 {shape} (the sum of the ranks by rowWidth)",
                   f"{fac.get('dtype')} {fac.get('shape')}")
    body = raw[start + n:]
    if len(body) != 4 * shape[0] * shape[1]:
        raise fail("factor data", f"{4 * shape[0] * shape[1]} bytes", f"{len(body)}"
                   + (" (truncated file)" if len(body) < 4 * shape[0] * shape[1] else ""))
    factors = np.frombuffer(body, "<f4").reshape(shape).astype(np.float32)
    if not np.isfinite(factors).all():
        bad = int((~np.isfinite(factors)).sum())
        raise fail("factor data", "finite values", f"{bad} NaN or infinite")
    if "sha256" in fac and hashlib.sha256(factors.tobytes()).hexdigest() != fac["sha256"]:
        raise fail("factors.sha256", fac["sha256"], "the data's own hash (the file was altered)")
    style = header.get("style")
    if style is not None and (not isinstance(style, list) or len(style) != cfg.style.dim):
        raise fail("style", f"{cfg.style.dim} numbers", f"{len(style) if isinstance(style, list) else style!r}")
    return Adapter(header, factors)


# ------------------------------------------------------------------ the runtime graph
class _AdaptedStepGraph(nn.Module):
    """The exported adapted step: the denoiser's step graph plus ADAPTED_INPUTS, one adapter per row."""

    def __init__(self, denoiser: Denoiser, slot: FactorSlot):
        super().__init__()
        self.denoiser, self.slot = denoiser, slot

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        *step_inputs, index, adapters = inputs
        self.slot.factors = adapters[index]  # [B, R, S]
        try:
            return self.denoiser.step(*step_inputs)
        finally:
            self.slot.factors = None


def run_rows(model, step_inputs: dict[str, torch.Tensor], index: torch.Tensor, adapters: torch.Tensor,
             slot: FactorSlot) -> torch.Tensor:
    """What the adapted step graph computes, in PyTorch: ``model`` has ``slot`` attached (adapted_copy)."""
    with torch.no_grad():
        return _AdaptedStepGraph(model.denoiser, slot)(*step_inputs.values(), index, adapters)


def export_adapted_denoiser(model, path: Path, half: bool = True) -> Path:
    """Writes the adapted step graph of a model (the pack's ``denoiser.onnx`` inputs, then ``adapter_index``
    [B] int64 and ``adapters`` [K, R, S] float32; output x0 [B, Tw, M]). B, K and R are dynamic."""
    import warnings

    from .export import DENOISER_INPUTS, OPSET, _clean, _example_inputs

    clone, slot = adapted_copy(model)
    cfg = clone.cfg
    den = _example_inputs(cfg)["denoiser"]
    step_in = (*den[:4], clone.denoiser.audio_memory(*den[4:6]), *den[6:])
    gen = torch.Generator().manual_seed(77)
    adapters = torch.randn(2, 3, row_width(cfg), generator=gen) * 0.01
    adapters[0] = 0.0
    example = (*step_in, torch.tensor([0, 1, 0]), adapters)
    batch = {0: "B"}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        torch.onnx.export(_AdaptedStepGraph(clone.denoiser, slot), example, str(path), opset_version=OPSET,
                          input_names=[*DENOISER_INPUTS, *ADAPTED_INPUTS], output_names=["x0"],
                          do_constant_folding=True,
                          dynamic_axes={**{n: batch for n in DENOISER_INPUTS}, "x0": batch,
                                        "adapter_index": batch, "adapters": {0: "K", 1: "R"}})
    _clean(path, half, {"x0": ["B", cfg.window, cfg.motion_dim]})
    return path


def merged_copy(model, factors: np.ndarray):
    """A copy of a ParleyModel with an adapter merged into its weights (W + B^T A per target): the plain step
    graph of this copy computes what the adapted graph computes for the adapter's rows. The other way to run
    adapted characters: one more session per adapter, no low-rank work per row (docs/adapters.md)."""
    clone = copy.deepcopy(model).eval()
    f = torch.from_numpy(np.asarray(factors, np.float32))
    with torch.no_grad():
        for t in layout(clone.cfg):
            a = f[:, t.offset:t.offset + t.fan_in]
            b = f[:, t.offset + t.fan_in:t.offset + t.fan_in + t.fan_out]
            clone.denoiser.get_submodule(t.name).weight += b.T @ a
    return clone


# ------------------------------------------------------------------ the Java runtime's fixture
FIXTURE_BASE = {"id": "tiny", "packVersion": "0.0.0-untrained", "denoiserSha256": "ab" * 32}
FIXTURE_RANKS = (1, 2)


def write_fixture(path: Path) -> dict:
    """The adapter file the Java reader's tests read (plugin/src/test/resources/adapters/tiny.adapter): the
    tiny config, ranks 1 and 2, factor i = ((i mod 17) - 8) / 8 (exact in float32, so Java can recompute it)."""
    from .config import TINY

    n = sum(FIXTURE_RANKS) * row_width(TINY)
    factors = (((np.arange(n) % 17) - 8) / 8.0).astype(np.float32).reshape(sum(FIXTURE_RANKS), row_width(TINY))
    style = (np.arange(TINY.style.dim) / 16.0).astype(np.float32)
    return write_adapter(path, factors, TINY, FIXTURE_BASE, FIXTURE_RANKS, take={"seconds": 4.8, "clips": []},
                         style=style)


# ------------------------------------------------------------------ the Java runtime's adapted golden
GOLDEN_RANKS = (2,)
GOLDEN_SEED = 19


def golden_factors(cfg: ModelConfig, ranks: tuple[int, ...] = GOLDEN_RANKS, seed: int = GOLDEN_SEED) -> np.ndarray:
    """A deterministic adapter F [R, S] that moves the motion visibly: down factors of unit scale per input
    (randn / sqrt(in)), up factors randn * 0.05 (a fitted adapter's are smaller; this one must show)."""
    rng = np.random.default_rng(seed)
    f = np.zeros((sum(ranks), row_width(cfg)), np.float32)
    for t in layout(cfg):
        f[:, t.offset:t.offset + t.fan_in] = rng.standard_normal((sum(ranks), t.fan_in)) / math.sqrt(t.fan_in)
        f[:, t.offset + t.fan_in:t.offset + t.fan_in + t.fan_out] = rng.standard_normal((sum(ranks), t.fan_out)) * 0.05
    return f


@torch.no_grad()
def write_golden(pack: Path, out: Path | None = None, seed: int = GOLDEN_SEED) -> dict:
    """The adapted character's golden vectors for the Java parity test (AdaptedGoldenParityTest), into
    ``pack/golden/adapter`` (or ``out``): ``golden.adapter`` (golden_factors, ranks 2, the pack's identity), the
    inputs, and what the pack's denoiser with the adapter merged (merged_copy) computes in two DDIM runs (the pack's guidance from a first window; 5 steps at 2.0 / 1.25, rescale 0.7). Writes
    ``golden.json``, the index, in the format of the pack's own golden vectors."""
    from .evaluate import load_pack
    from .export import _Golden, golden_pcm
    from .diffusion import Schedule
    from .sampler import Conditions, ddim_sample, ddim_timesteps
    from parley.layout import SAMPLES_PER_FRAME

    pack = Path(pack)
    out = Path(out) if out is not None else pack / "golden" / "adapter"
    model, _, _, man = load_pack(pack)
    cfg = model.cfg
    factors = golden_factors(cfg, GOLDEN_RANKS, seed)
    out.mkdir(parents=True, exist_ok=True)
    write_adapter(out / "golden.adapter", factors, cfg, pack_identity(pack), GOLDEN_RANKS,
                  take={"seconds": 0.0, "clips": [], "note": f"golden_factors(seed={seed}): not fitted"})
    merged = merged_copy(model, factors).denoiser.two_graphs
    gold = _Golden(out)
    g = torch.Generator().manual_seed(seed)
    m, tw, tp = cfg.motion_dim, cfg.window, cfg.previous
    features = model.audio(torch.from_numpy(golden_pcm(tw * SAMPLES_PER_FRAME)).unsqueeze(0))
    style = nn.functional.normalize(torch.randn(1, cfg.style.dim, generator=g), dim=-1)
    shape = torch.randn(1, cfg.shape_dim, generator=g)
    prev = torch.randn(1, tp, m, generator=g)
    noise = torch.randn(1, tw, m, generator=g)
    inputs = {k: gold.put(k, v) for k, v in (("noise", noise), ("prev_motion", prev), ("audio_features", features),
                                                ("style", style), ("shape", shape))}
    schedule = Schedule.from_config(cfg.diffusion)
    guide = man["sampling"]["guidance"]
    runs = []
    for steps, first, wa, ws, phi in ((2, 1.0, guide["audio"], guide["style"], guide.get("rescale", 0.0)),
                                      (5, 0.0, 2.0, 1.25, 0.7)):
        cond = Conditions(prev, torch.tensor([first]), features, style, shape)
        x = ddim_sample(merged, noise, cond, schedule.alphas_cumprod, steps, wa, ws, rescale=phi)
        runs.append({"steps": steps, "timesteps": ddim_timesteps(schedule.steps, steps), "audioScale": wa,
                     "styleScale": ws, "guidanceRescale": phi, "firstWindow": bool(first), "inputs": inputs,
                     "output": gold.put(f"ddim{steps}_output", x)})
    index = {
        "seed": seed,
        "adapter": "golden.adapter",
        "encoding": "each tensor is a raw little-endian file, row-major (C order); dtype float32 or int64",
        "command": "cd models && python3 -m parley.model.adapter golden packs/parley-base-v1",
        "note": "the pack's denoiser with golden.adapter merged (merged_copy: W + B^T A per target), in PyTorch",
        "tensors": gold.tensors,
        "ddim": runs,
    }
    (out / "golden.json").write_text(json.dumps(index, indent=1) + "\n")
    return index


if __name__ == "__main__":
    import sys

    if len(sys.argv) == 3 and sys.argv[1] == "golden":
        write_golden(Path(sys.argv[2]))
        print(f"wrote {Path(sys.argv[2]) / 'golden' / 'adapter'}")
    elif len(sys.argv) == 2:
        write_fixture(Path(sys.argv[1]))
        print(f"wrote {sys.argv[1]}")
    else:
        sys.exit("usage: python3 -m parley.model.adapter FIXTURE.adapter | golden PACK")
