"""Fit an expression adapter (MoLoRA, parley.model.adapter) to one reference take of a character.

    python3 -m parley adapt --pack packs/parley-base-v1 take.wav take.npz --out Npc.adapter

A take is a WAV (any rate, mono or stereo) and an .npz with ``motion`` float32 [T, 56] at 25 fps in the
head's layout, and optionally ``beta`` [100] (the face's shape) and ``frame_phones`` [T] (corpus phone
indices: bilabials weigh more in the loss). A corpus clip's .npz is such a file. Several WAV/NPZ pairs
of one speaker make one take. About 10 s is enough: the 80 steps of a fit take 33 to 42 s of CPU
(one thread; docs/adapters.md has the figures and the shared machine's wall clock).

``--progress-json`` (for front ends such as ``parley-tool adapt``) replaces the progress bar and the summary
on stderr by one JSON object a line on stdout: ``{"event": "phase", "phase": ...}`` as each phase starts,
``start`` (pack, take seconds, clips, ranks, steps), ``step`` (step, steps, loss, seconds) after each step,
``done`` (out, bytes, ranks, takeLoss, fit and CPU seconds, seconds), or ``error`` with the message naming
the file, the field, what was expected and what was found (exit status 1).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import wave
import time
from pathlib import Path

import numpy as np
import torch

from parley.layout import MOTION_DIM, SAMPLES_PER_FRAME

from .adapter import FitConfig, fit, pack_identity, take_loss, write_adapter

TOLERANCE_FRAMES = 2  # audio and motion of a take may differ by this much (a capture's rounding)


def read_take(wav: Path, npz: Path) -> dict:
    """One take as a training clip (``pcm``, ``motion``, ``shape``, ``phones``) plus its provenance."""
    from parley.corpus.dataset import _read_audio, _resample_audio

    try:
        pcm, rate = _read_audio(wav)
    except KeyError as e:  # the wave module reads any sample width; the conversion knows 1, 2 and 4 bytes
        raise ValueError(f"{wav}: sample width: expected 1, 2 or 4 bytes (8, 16 or 32-bit PCM) but got {e}") from None
    except (wave.Error, EOFError) as e:
        raise ValueError(f"{wav}: format: expected a PCM WAV file but got {e or 'a truncated file'}") from None
    pcm = _resample_audio(pcm, rate)
    with np.load(npz, allow_pickle=False) as z:
        if "motion" not in z.files:
            raise ValueError(f"{npz}: field 'motion': expected float32 [T, {MOTION_DIM}] but the file has only "
                             f"{', '.join(z.files) or 'nothing'}")
        motion = np.asarray(z["motion"], np.float32)
        beta = np.asarray(z["beta"], np.float32) if "beta" in z.files else np.zeros(100, np.float32)
        phones = np.asarray(z["frame_phones"], np.int64) if "frame_phones" in z.files else None
        meta = str(z["meta"]) if "meta" in z.files else "{}"
    if motion.ndim != 2 or motion.shape[1] != MOTION_DIM or len(motion) < 2:
        raise ValueError(f"{npz}: field 'motion': expected float32 [T, {MOTION_DIM}] but got {list(motion.shape)}")
    if not np.isfinite(motion).all():
        raise ValueError(f"{npz}: field 'motion': expected finite values but got NaN or infinite ones")
    if beta.shape != (100,):
        raise ValueError(f"{npz}: field 'beta': expected [100] but got {list(beta.shape)}")
    frames = len(motion)
    audio_frames = len(pcm) / SAMPLES_PER_FRAME
    if abs(audio_frames - frames) > TOLERANCE_FRAMES:
        raise ValueError(f"{wav}: length: expected {frames} frames ({frames / 25:.2f} s) as {npz.name}'s motion "
                         f"but got {audio_frames:.1f} frames ({len(pcm) / 16000:.2f} s)")
    pcm = np.pad(pcm, (0, max(0, frames * SAMPLES_PER_FRAME - len(pcm))))[:frames * SAMPLES_PER_FRAME]
    if phones is not None and phones.shape != (frames,):
        raise ValueError(f"{npz}: field 'frame_phones': expected [{frames}] but got {list(phones.shape)}")
    speaker = json.loads(meta).get("speaker", "") if meta.startswith("{") else ""
    from .adapter import file_sha256
    record = {"audio": wav.name, "audioSha256": file_sha256(wav), "motion": npz.name,
              "motionSha256": file_sha256(npz), "frames": frames, **({"speaker": speaker} if speaker else {})}
    return {"pcm": pcm.astype(np.float32), "motion": motion, "shape": beta, "phones": phones, "record": record}


def take_style(model, clips: list[dict], mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """The take's style embedding: the style encoder on its first frames (the clips end to end)."""
    from .evaluate import normalise, style_window
    motion = np.concatenate([c["motion"] for c in clips])
    with torch.no_grad():
        window = style_window(normalise(motion, mean, std), model.cfg.style.frames)
        return model.style(torch.from_numpy(window)[None])[0]


class Progress:
    """A one-line progress bar on stderr: steps, loss, seconds."""

    def __init__(self, width: int = 30, stream=None):
        self.width, self.stream, self.t0 = width, stream or sys.stderr, time.time()

    def __call__(self, step: int, steps: int, loss: float) -> None:
        filled = int(self.width * step / max(steps, 1))
        self.stream.write(f"\r[{'#' * filled}{'-' * (self.width - filled)}] {step}/{steps} "
                          f"loss {loss:.4f} {time.time() - self.t0:.0f} s")
        if step == steps:
            self.stream.write("\n")
        self.stream.flush()


class JsonProgress:
    """The machine-readable feed of ``--progress-json``: one JSON object a line on stdout."""

    def __init__(self, stream=None):
        self.stream, self.t0 = stream or sys.stdout, time.time()

    def event(self, event: str, **fields) -> None:
        self.stream.write(json.dumps({"event": event, **fields}) + "\n")
        self.stream.flush()

    def phase(self, phase: str) -> None:
        self.event("phase", phase=phase)

    def __call__(self, step: int, steps: int, loss: float) -> None:
        self.event("step", step=step, steps=steps, loss=loss if math.isfinite(loss) else None,
                   seconds=round(time.time() - self.t0, 2))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m parley adapt", description=__doc__.split("\n\n")[0])
    p.add_argument("--pack", type=Path, required=True, help="the model pack the adapter is for")
    p.add_argument("take", nargs="+", type=Path, help="TAKE.wav TAKE.npz, one pair or more of one speaker")
    p.add_argument("--out", type=Path, required=True, help="the .adapter file to write")
    p.add_argument("--ranks", type=int, nargs="+", default=list(FitConfig.ranks),
                   help="ranks mixed (default: %(default)s; one rank: a plain LoRA)")
    p.add_argument("--steps", type=int, default=FitConfig.steps, help="optimiser steps (default: %(default)s)")
    p.add_argument("--batch", type=int, default=FitConfig.batch_size, help="windows per step (default: %(default)s)")
    p.add_argument("--lr", type=float, default=FitConfig.lr, help="learning rate (default: %(default)s)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1, help="torch threads (default: %(default)s; on a shared machine "
                                                          "a second thread spins more than it computes)")
    p.add_argument("--progress-json", action="store_true",
                   help="JSON lines on stdout instead of the progress bar (for parley-tool adapt)")
    a = p.parse_args(argv)
    if len(a.take) % 2:
        p.error("takes come in pairs: TAKE.wav TAKE.npz")
    pairs = [(a.take[i], a.take[i + 1]) for i in range(0, len(a.take), 2)]
    for wav, npz in pairs:
        if wav.suffix.lower() != ".wav" or npz.suffix.lower() != ".npz":
            p.error(f"expected a .wav then an .npz, got {wav.name} {npz.name}")
    if not a.progress_json:
        return fit_take(a, pairs, None)
    feed = JsonProgress()
    try:
        return fit_take(a, pairs, feed)
    except ValueError as e:  # a bad take or pack (AdapterError included): the message names file and field
        feed.event("error", message=str(e))
    except OSError as e:
        feed.event("error", message=f"{e.filename}: {e.strerror}" if e.filename else str(e))
    return 1


def fit_take(a: argparse.Namespace, pairs: list[tuple[Path, Path]], feed: JsonProgress | None) -> int:
    """The job after its arguments are parsed; ``feed``: the JSON lines, or None for the progress bar."""
    def phase(text: str) -> None:
        if feed is not None:
            feed.phase(text)

    torch.set_num_threads(a.threads)
    from .evaluate import load_pack
    t0 = time.time()
    phase("reading the pack")
    model, mean, std, man = load_pack(a.pack)
    phase("reading the take")
    clips = [read_take(w, n) for w, n in pairs]
    seconds = sum(len(c["motion"]) for c in clips) / 25.0
    if feed is not None:
        feed.event("start", pack=man["id"], packVersion=man["packVersion"], seconds=seconds, clips=len(clips),
                   ranks=list(a.ranks), steps=a.steps)
    else:
        print(f"pack {man['id']} {man['packVersion']}; take {seconds:.1f} s in {len(clips)} clip(s); "
              f"ranks {a.ranks}, {a.steps} steps", file=sys.stderr)
    cfg = FitConfig(ranks=tuple(a.ranks), method="molora" if len(a.ranks) > 1 else "lora", steps=a.steps,
                    batch_size=a.batch, lr=a.lr, seed=a.seed)
    phase("measuring the take's loss")
    before = take_loss(model, mean, std, clips)
    phase("fitting")
    result = fit(model, mean, std, clips, cfg, feed if feed is not None else Progress())
    phase("measuring the adapted loss")
    after = take_loss(result.model, mean, std, clips)
    record = {"method": cfg.method, "steps": cfg.steps, "batch": cfg.batch_size, "lr": cfg.lr, "seed": cfg.seed,
              "threads": a.threads, "seconds": round(result.seconds, 1),
              "cpuSeconds": round(result.cpu_seconds, 1),
              "takeLoss": {"base": round(before, 5), "adapted": round(after, 5)}}
    phase("writing the adapter")
    write_adapter(a.out, result.factors(), model.cfg, pack_identity(a.pack), cfg.ranks,
                  result.adapter.mixing().detach().numpy(), {"seconds": seconds, "clips": [c["record"] for c in clips]},
                  record, take_style(model, clips, mean, std).numpy())
    if feed is not None:
        feed.event("done", out=str(a.out), bytes=a.out.stat().st_size, ranks=list(cfg.ranks),
                   takeLoss=record["takeLoss"], fitSeconds=record["seconds"], cpuSeconds=record["cpuSeconds"],
                   seconds=round(time.time() - t0, 1))
        return 0
    print(f"wrote {a.out} ({a.out.stat().st_size / 1e3:.0f} kB): take loss {before:.4f} -> {after:.4f}, "
          f"fit {result.seconds:.0f} s ({result.cpu_seconds:.0f} s of CPU), total {time.time() - t0:.0f} s",
          file=sys.stderr)
    return 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
