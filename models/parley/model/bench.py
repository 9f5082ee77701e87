"""Denoiser speed in ONNX Runtime (through Java): the budget is one window with its 3 guidance
branches batched, at most 15 ms per pass on the 2-core target machine.

    python3 -m parley bench --pack packs/parley-base-v1 [--threads 1 2] [--repeat 200]

Prints median / mean / min milliseconds per run for the denoiser step (batch 3 = one DDIM step of one
character), the audio memory (one window, once per window since pack 1.4.0), the audio encoder (one 4 s
window) and the style encoder (batch 1). ``--adapters C`` instead times C characters' batched step with
0..C of them adapted (the adapted step graph, parley.model.adapter) against the alternative of merged
weights per adapted character (one more plain run each). Needs ``java`` and
the ONNX Runtime jar in ~/.m2 (the plugin's Maven build puts it there). The machine is shared, so
the median over many runs is the figure to quote; other jobs inflate the mean.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from . import ort_java
from .export import AUDIO_MEMORY, is_one_graph

PACKS = Path(__file__).resolve().parents[2] / "packs"


def inputs_for(man: dict, batch: int = 3) -> dict[str, dict[str, np.ndarray]]:
    rng = np.random.default_rng(0)
    m, tw, tp = man["motion"]["dim"], man["window"]["current"], man["window"]["previous"]
    da, ds, spf = man["audio"]["featureDim"], man["style"]["dim"], man["audio"]["samplesPerFrame"]
    f = lambda *s: rng.standard_normal(s).astype(np.float32)  # noqa: E731
    style = f(batch, ds)
    style /= np.linalg.norm(style, axis=1, keepdims=True)
    audio_mask = np.array([0, 1, 1] * batch, np.float32)[:batch]
    if is_one_graph(man):  # a pack before 1.4.0: the features and mask go into the one denoiser graph
        audio = {"audio_features": f(batch, tw, da), "audio_mask": audio_mask}
    else:
        audio = {AUDIO_MEMORY: f(batch, man["audioMemory"]["layers"], 3, tw, man["audioMemory"]["width"])}
    graphs = {
        "denoiser.onnx": {"x_t": f(batch, tw, m), "timestep": np.array([499, 449, 399][:batch] * (batch // 3 + 1))[:batch],
                          "prev_motion": f(batch, tp, m), "first_window": np.zeros(batch, np.float32), **audio,
                          "style": style, "style_mask": np.array([0, 0, 1] * batch, np.float32)[:batch],
                          "shape": f(batch, man["shape"]["dim"])},
        "audio_memory.onnx": {"audio_features": f(1, tw, da), "audio_mask": np.ones(1, np.float32)},
        "audio_encoder.onnx": {"pcm": 0.1 * f(1, tw * spf)},
        "style_encoder.onnx": {"motion": f(1, man["style"]["frames"], m)},
    }
    if is_one_graph(man):
        del graphs["audio_memory.onnx"]
    return graphs


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m parley bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--pack", type=Path, default=PACKS / "parley-base-v1")
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--repeat", type=int, default=200)
    p.add_argument("--json", type=Path, help="also write the figures here")
    p.add_argument("--adapters", type=int, metavar="CHARACTERS", help="time adapted and plain characters batched")
    p.add_argument("--rank", type=int, default=42, help="with --adapters: the adapters' total rank (default 2+8+32)")
    a = p.parse_args(argv)
    if ort_java.find_jar() is None:
        print("needs java and the ONNX Runtime jar in ~/.m2 (run the plugin's Maven build once)", file=sys.stderr)
        return 1
    man = json.loads((a.pack / "manifest.json").read_text())
    if a.adapters:
        return adapter_costs(a.pack, man, a.adapters, a.rank, a.threads, a.repeat, a.json)
    arch = man.get("architecture", {}).get("config", {}).get("denoiser", {})
    print(f"pack {man['id']} {man['packVersion']}: denoiser width {arch.get('width')}, layers {arch.get('layers')}, "
          f"ffn {arch.get('ffn')}, heads {arch.get('heads')}")
    results = {}
    for graph, inputs in inputs_for(man).items():
        for threads in a.threads:
            t: dict[str, float] = {}
            ort_java.run(a.pack / graph, inputs, threads=threads, repeat=a.repeat, timings=t)
            results[f"{graph}:{threads}"] = t
            batch = next(iter(inputs.values())).shape[0]
            print(f"{graph:<20} batch {batch}  {threads} thread{'s' if threads > 1 else ' '}: median {t['median']:6.2f} ms"
                  f"  mean {t['mean']:6.2f}  min {t['min']:6.2f}", flush=True)
    budget = min(results[f"denoiser.onnx:{n}"]["median"] for n in a.threads)
    print(f"denoiser pass (3 guidance branches): {budget:.2f} ms median, budget 15 ms: "
          f"{'OK' if budget <= 15.0 else 'OVER'}")
    if a.json:
        a.json.write_text(json.dumps(results, indent=1) + "\n")
    return 0


def adapter_costs(pack: Path, man: dict, characters: int, rank: int, threads: list[int], repeat: int,
                  out: Path | None) -> int:
    """Milliseconds (min and median over ``repeat`` runs) of one DDIM step of ``characters`` characters
    (3 guidance rows each) with a = 0..characters adapted, three ways: ``one graph`` (every row in the
    adapted step graph, plain rows on a zero adapter), ``split`` (plain rows in the pack's graph, adapted
    rows in the adapted graph) and ``merged`` (the plain rows in the pack's graph plus one run of a graph
    with merged weights per adapted character, timed as the pack's graph at 3 rows: the same operators)."""
    import tempfile

    from .adapter import export_adapted_denoiser, row_width
    from .config import config_from_dict
    from .evaluate import load_pack

    cfg = config_from_dict(man["architecture"]["config"])
    rows = 3 * characters
    results: dict = {"rank": rank, "characters": characters, "repeat": repeat, "ms": {}}
    with tempfile.TemporaryDirectory() as tmp:
        graph = export_adapted_denoiser(load_pack(pack)[0], Path(tmp) / "denoiser_adapted.onnx")
        rng = np.random.default_rng(1)
        for n in threads:
            def time_it(path: Path, batch: int, adapted: int | None = None) -> dict[str, float]:
                feeds = dict(inputs_for(man, batch)["denoiser.onnx"])
                if adapted is not None:
                    k = adapted + 1
                    factors = rng.normal(0, 0.01, (k, rank, row_width(cfg))).astype(np.float32)
                    factors[0] = 0.0
                    plain = batch // 3 - adapted
                    feeds.update(adapter_index=np.repeat(np.r_[np.arange(1, k), np.zeros(plain, np.int64)], 3),
                                 adapters=factors)
                t: dict[str, float] = {}
                ort_java.run(path, feeds, threads=n, repeat=repeat, timings=t)
                return {"min": t["min"], "median": t["median"]}

            def add(*parts: dict[str, float]) -> dict[str, float]:
                return {k: round(sum(p[k] for p in parts), 3) for k in ("min", "median")}

            plain = {b: time_it(pack / "denoiser.onnx", b) for b in range(3, rows + 1, 3)}
            none = {"min": 0.0, "median": 0.0}
            ms = {"plain graph, no adapter": plain[rows]}
            for a in range(characters + 1):
                ms[f"one graph, {a} adapted"] = time_it(graph, rows, a)
                if a:
                    alone = time_it(graph, 3 * a, a)
                    ms[f"split, {a} adapted"] = add(plain.get(rows - 3 * a, none), alone)
                    ms[f"merged, {a} adapted"] = add(plain.get(rows - 3 * a, none), *[plain[3]] * a)
            results["ms"][f"{n} threads"] = ms
            for name, v in ms.items():
                print(f"{characters} characters, {n} thread{'s' if n > 1 else ''}: {name:<26} min {v['min']:6.2f} ms"
                      f"  median {v['median']:6.2f} ms", flush=True)
    if out:
        out.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
