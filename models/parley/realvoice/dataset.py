"""The real-voice dataset: hedgewars voice lines decoded, aligned and written with their split.

    python3 -m parley realvoice --out work/realvoice               # every dev and independent pack
    python3 -m parley realvoice --out DIR --packs Default Classic   # some packs only

On disk (docs/real-voices.md)::

    DIR/manifest.json             format, split rule, packs, clips (id, pack, stem, split), dropped and
                                  skipped files with the reason, yield per split
    DIR/clips/<pack>__<stem>.wav  16 kHz mono 16-bit, as ``sox -D -G`` decodes the OGG (deterministic)
    DIR/clips/<pack>__<stem>.json id, pack, stem, split, text, duration, words and phones with times (s)

Real voices have no ground-truth motion: parley.realvoice.metrics scores motion on them without one.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from parley.corpus.phones import PHONE_INDEX, PhoneSeg, frame_labels
from parley.layout import MOTION_FPS, SAMPLE_RATE, SAMPLES_PER_FRAME

from .align import AlignConfig, Alignment, WordSeg, align, decode_audio, read_wav, write_wav
from .quality import CHECKS, checks_failed, report
from .lines import DEV_PACKS, EVAL_BELOW, INDEPENDENT_PACKS, SPLITS, TRANSCRIPTS, VOICES_DIR, pack_lines, \
    skip_reason, split_of

FORMAT = "parley-realvoice"


@dataclass
class RealClip:
    """One aligned real-voice line. ``audio`` is the file's samples, not padded."""
    id: str
    pack: str
    stem: str
    split: str
    text: str
    audio: np.ndarray  # float32 [N] 16 kHz
    words: list[WordSeg]
    phones: list[PhoneSeg]  # silences included, covering the file
    beta: np.ndarray = field(default_factory=lambda: np.zeros(100, np.float32))  # the mean head

    @property
    def n_frames(self) -> int:
        """Motion frames (25 fps) that cover the audio."""
        return -(-len(self.audio) // SAMPLES_PER_FRAME)

    def frame_phones(self, n_frames: int | None = None) -> np.ndarray:
        """Phone index (parley.corpus.phones.PHONES) at each frame centre; silence past the file."""
        return np.asarray(frame_labels(self.phones, n_frames or self.n_frames, MOTION_FPS), np.int64)

    def pitched(self, cents: int) -> RealClip:
        """This line with its pitch and formants shifted by ``cents`` (``sox pitch``: the same length and
        timing, so the phones still hold), as the aligner tries the acted voices; itself at 0."""
        from parley.model.randomise import pitch_shift

        return self if cents == 0 else replace(self, audio=pitch_shift(self.audio, cents))


# ------------------------------------------------------------------ writing
def build(out: Path, packs: list[str], root: Path = VOICES_DIR, cfg: AlignConfig | None = None,
          log=print) -> dict:
    """Decodes, aligns and writes every transcribed line of ``packs``; returns the manifest."""
    for pack in packs:
        split_of(pack, next(iter(TRANSCRIPTS)))  # raises for a pack in neither list
    (out / "clips").mkdir(parents=True, exist_ok=True)
    items, meta, skipped = [], {}, []
    for pack in packs:
        for stem, path in pack_lines(pack, root):
            uid = f"{pack}__{stem}"
            reason = skip_reason(stem)
            if reason is not None:
                skipped.append({"id": uid, "reason": reason})
                continue
            pcm = decode_audio(path)
            items.append((uid, pcm, TRANSCRIPTS[stem]))
            meta[uid] = {"id": uid, "pack": pack, "stem": stem, "split": split_of(pack, stem),
                         "text": TRANSCRIPTS[stem], "source": f"{pack}/{path.name}"}
    cfg = cfg or AlignConfig()
    t0 = time.time()
    result = align(items, cfg)
    log(f"aligned {len(items)} files in {time.time() - t0:.0f} s")
    clips, dropped = [], []
    pcm_of = {uid: pcm for uid, pcm, _ in items}
    for uid, _, _ in items:
        got = result[uid]
        if isinstance(got, str):
            dropped.append({"id": uid, "split": meta[uid]["split"], "reason": got})
            continue
        write_wav(out / "clips" / f"{uid}.wav", pcm_of[uid])
        record = {**meta[uid], "duration": round(len(pcm_of[uid]) / SAMPLE_RATE, 5), **_alignment_json(got)}
        (out / "clips" / f"{uid}.json").write_text(json.dumps(record, indent=1) + "\n")
        clips.append({k: meta[uid][k] for k in ("id", "pack", "stem", "split")})
    counts = {s: {"aligned": sum(c["split"] == s for c in clips), "dropped": sum(d["split"] == s for d in dropped)}
              for s in SPLITS}
    # A file can fail several checks: each one it fails is counted.
    why = {s: {k: sum(k in checks_failed(d["reason"]) for d in dropped if d["split"] == s)
               for k in (*CHECKS, "outside", "no_path")} for s in SPLITS}
    manifest = {
        "format": FORMAT, "version": 2,
        "rule": {"dev_packs": list(DEV_PACKS), "independent_packs": list(INDEPENDENT_PACKS),
                 "eval": f"dev packs' lines whose SHA-256(stem) first byte < {EVAL_BELOW}; the rest dev",
                 "independent": "never used for development or tuning"},
        "decoder": f"sox -D -G <ogg> -r {SAMPLE_RATE} -c 1 -b 16",
        "aligner": "pocketsphinx_batch (en-us), parley.realvoice.align",
        "packs": {p: ("independent" if p in INDEPENDENT_PACKS else "dev/eval") for p in packs},
        "quality": {"config": asdict(cfg.quality), "dropped_by_check": why},
        "yield": counts, "clips": clips, "dropped": dropped, "skipped": skipped,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def _alignment_json(a: Alignment) -> dict:
    r = lambda x: round(float(x), 3)  # noqa: E731
    return {"words": [{"word": w.word, "start": r(w.start), "end": r(w.end),
                       "phones": [p.phone for p in w.phones]} for w in a.words],
            "phones": [{"phone": p.phone, "start": r(p.start), "end": r(p.end)} for p in a.phones],
            "acoustic_per_frame": r(a.acoustic_per_frame), "pitch_shift_cents": a.pitch_shift,
            "quality": a.quality.as_json() if a.quality else None}


# ------------------------------------------------------------------ reading
class RealVoices:
    """A real-voice dataset folder: ``RealVoices(dir).clips("dev")``."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        mf = self.root / "manifest.json"
        if not mf.is_file():
            raise FileNotFoundError(f"{self.root} is not a real-voice dataset (no manifest.json); "
                                    "build one with: python3 -m parley realvoice --out DIR")
        self.manifest = json.loads(mf.read_text())
        if self.manifest.get("format") != FORMAT:
            raise ValueError(f"{mf}: format '{self.manifest.get('format')}', expected '{FORMAT}'")

    def ids(self, split: str) -> list[str]:
        if split not in SPLITS:
            raise ValueError(f"unknown real-voice split '{split}'; expected one of {SPLITS}")
        return [c["id"] for c in self.manifest["clips"] if c["split"] == split]

    def clips(self, split: str) -> list[RealClip]:
        return [self.load(uid) for uid in self.ids(split)]

    def load(self, uid: str) -> RealClip:
        path = self.root / "clips" / f"{uid}.json"
        rec = json.loads(path.read_text())
        phones = []
        for p in rec["phones"]:
            if p["phone"] not in PHONE_INDEX:
                raise ValueError(f"{path}: phone '{p['phone']}' is not in parley.corpus.phones.PHONES")
            phones.append(PhoneSeg(p["phone"], float(p["start"]), float(p["end"])))
        speech = iter([p for p in phones if p.phone != "SIL"])
        words = [WordSeg(w["word"], float(w["start"]), float(w["end"]), [next(speech) for _ in w["phones"]])
                 for w in rec["words"]]
        return RealClip(rec["id"], rec["pack"], rec["stem"], rec["split"], rec["text"],
                        read_wav(self.root / "clips" / f"{uid}.wav"), words, phones)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m parley realvoice", description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, required=True, help="dataset folder to write")
    p.add_argument("--packs", nargs="+", default=list(DEV_PACKS + INDEPENDENT_PACKS),
                   help="hedgewars voice packs (default: the dev packs and the independent ones)")
    p.add_argument("--voices", type=Path, default=VOICES_DIR, help="hedgewars' voices folder (default %(default)s)")
    a = p.parse_args(argv)
    try:
        man = build(a.out, a.packs, a.voices)
    except (ValueError, FileNotFoundError, RuntimeError) as e:
        print(f"realvoice: {e}", file=sys.stderr)
        return 2
    for split, c in man["yield"].items():
        checks = ", ".join(f"{k} {n}" for k, n in man["quality"]["dropped_by_check"][split].items() if n)
        print(f"{split}: {c['aligned']} clips aligned, {c['dropped']} dropped ({checks or 'none'})")
    print(report(a.out))
    print(f"wrote {a.out}/manifest.json ({len(man['skipped'])} non-speech files skipped)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
