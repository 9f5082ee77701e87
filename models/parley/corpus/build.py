"""Build the synthetic corpus: ``python3 -m parley corpus --preset small|full --out DIR --seed N --workers 2``.

``--preset performers`` builds an evaluation population instead: 12 speakers on held-out voices, each with
per-speaker quirks (parley.corpus.quirks) on top of the style, 10 clips each (a 10 s take and test clips
for ``python3 -m parley evaluate --adapt``); ``--no-quirks`` builds the same speakers, clips and audio without
their quirks, as a control.

Planning (voices, personas, speakers, styles, texts, splits) happens up front in
one process from the seed; rendering runs per persona in a multiprocessing pool.
The same seed gives the same corpus.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing as mp
import sys
import time
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ..head.components import EXPRESSION_NAMES
from ..layout import MOTION_DIM, MOTION_FPS, SAMPLE_RATE, SAMPLES_PER_FRAME, SLICES
from . import augment, motion as motion_mod, prosody, tts
from .dataset import Clip, save_clip
from .phones import PHONES, PhoneSeg, frame_labels
from .quirks import sample_quirks
from .style import STYLE_NAMES, Style, sample_beta, sample_style
from .text import load_lines


@dataclass
class Preset:
    speakers: int
    seconds_per_speaker: float  # estimated speech per speaker (clip count follows from text length)
    max_clips_per_speaker: int = 60
    engine_share: tuple[tuple[str, float], ...] = (("espeak", 0.74), ("flite", 0.16), ("festival", 0.10))
    heldout_share: float = 0.08  # personas drawn from held-out voices
    speakers_per_persona: tuple[int, ...] = (1, 2, 2, 3)
    shared_text_share: float = 0.3  # of a speaker's lines, shared with persona siblings (same audio)
    max_words: int = 30
    beta_scale: float = 1.0
    cycle_engines: bool = False  # tiny corpora: persona i uses engine i % 3 so all engines appear
    heldout_every: int = 0  # >0: persona i is held out iff i % heldout_every == 1 (deterministic)
    eval_every: int = 0  # >0: other personas with i % eval_every == 3 go to val, == 4 to test (deterministic)
    quirks: bool = False  # per-speaker habits beyond the style (parley.corpus.quirks), drawn from their own seed


PRESETS: dict[str, Preset] = {
    "tiny": Preset(speakers=8, seconds_per_speaker=9, max_clips_per_speaker=3, max_words=14,
                   speakers_per_persona=(1, 2), cycle_engines=True, heldout_every=4),
    "small": Preset(speakers=30, seconds_per_speaker=40, max_words=24, cycle_engines=True, heldout_every=5,
                    eval_every=12),
    "medium": Preset(speakers=80, seconds_per_speaker=60),
    # The per-speaker budget is a word-count estimate; 80 s came out at 7.9 h, 90 s gives ~8.9 h.
    "full": Preset(speakers=440, seconds_per_speaker=90),
    # Held-out voices only, one speaker per voice persona, quirks on: the adapters' evaluation population.
    "performers": Preset(speakers=12, seconds_per_speaker=80, max_clips_per_speaker=10, heldout_share=1.0,
                         speakers_per_persona=(1,), max_words=20, quirks=True),
}

# Voices that never appear in train/val/test: one whole festival voice, one whole
# flite voice, one whole espeak accent and several espeak variants in every accent.
HELDOUT_VOICE_RULES = {
    "festival": ("ked_diphone",),
    "flite": ("rms",),
    "espeak_accents": ("en-gb-x-gbcwmd",),
    "espeak_variants": ("f4", "Andy", "grandma", "klatt3", "m6", "zac"),
}


def is_heldout(v: tts.Voice) -> bool:
    if v.engine in ("festival", "flite"):
        return v.name in HELDOUT_VOICE_RULES[v.engine]
    acc, _, var = v.name.partition("+")
    return acc in HELDOUT_VOICE_RULES["espeak_accents"] or var in HELDOUT_VOICE_RULES["espeak_variants"]


@dataclass
class ClipPlan:
    id: str
    speaker: str
    text_id: int
    text: str
    seed: int


@dataclass
class PersonaPlan:
    id: str
    voice: tts.Voice
    rate: float
    pitch: float
    split: str
    seed: int
    speakers: dict[str, dict] = field(default_factory=dict)  # id -> {"style": Style, "beta": array}
    clips: list[ClipPlan] = field(default_factory=list)


def _seed(*parts) -> int:
    return zlib.crc32("/".join(map(str, parts)).encode()) & 0x7FFFFFFF


def _split_of(persona_id: str, heldout: bool, index: int = 0, eval_every: int = 0) -> str:
    if heldout:
        return "heldout"
    if eval_every:
        r = index % eval_every
        return "val" if r == 3 else ("test" if r == 4 else "train")
    h = int(hashlib.md5(persona_id.encode()).hexdigest(), 16) % 100
    return "train" if h < 90 else ("val" if h < 95 else "test")


def plan(preset: Preset, seed: int) -> list[PersonaPlan]:
    rng = np.random.default_rng(seed)
    voices = tts.all_voices()
    lines = [s for s in load_lines() if len(s.split()) <= preset.max_words]
    order = rng.permutation(len(lines))
    cursor = 0
    personas: list[PersonaPlan] = []
    n_spk = 0
    engines = [e for e, _ in preset.engine_share]
    weights = np.array([w for _, w in preset.engine_share])
    while n_spk < preset.speakers:
        pid = f"p{len(personas):04d}"
        held = rng.random() < preset.heldout_share
        eng = engines[rng.choice(len(engines), p=weights / weights.sum())]
        if preset.cycle_engines:
            eng = engines[len(personas) % len(engines)]
        if preset.heldout_every:
            held = len(personas) % preset.heldout_every == 1
        pool = [v for v in voices if v.engine == eng and is_heldout(v) == held]
        voice = pool[int(rng.integers(len(pool)))]
        per = PersonaPlan(pid, voice, rate=float(np.exp(rng.normal(0, 0.08))), pitch=float(rng.normal(0, 2.0)),
                          split=_split_of(pid, held, len(personas), preset.eval_every), seed=_seed(seed, pid))
        k = int(rng.choice(preset.speakers_per_persona))
        k = min(k, preset.speakers - n_spk)
        shared: list[int] = []
        tempo = float(np.exp(rng.normal(0, 0.1)))  # siblings share tempo so shared lines are the same audio
        for _ in range(k):
            sid = f"spk{n_spk:04d}"
            n_spk += 1
            st = sample_style(rng)
            st.tempo = tempo
            per.speakers[sid] = {"style": st, "beta": sample_beta(rng, scale=preset.beta_scale)}
            if preset.quirks:  # their own generator: the plan's draws stay those of a corpus without quirks
                per.speakers[sid]["quirks"] = sample_quirks(np.random.default_rng(_seed(seed, sid, "quirks")))
            budget = preset.seconds_per_speaker
            n_clip = 0
            while budget > 0 and n_clip < preset.max_clips_per_speaker:
                use_shared = k > 1 and rng.random() < preset.shared_text_share
                if use_shared and shared and rng.random() < 0.7:
                    cands = [t for t in shared if all(c.text_id != t or c.speaker != sid for c in per.clips)]
                    tid = cands[int(rng.integers(len(cands)))] if cands else None
                else:
                    tid = None
                if tid is None:
                    tid = int(order[cursor % len(order)])
                    cursor += 1
                    if use_shared:
                        shared.append(tid)
                text = lines[tid]
                per.clips.append(ClipPlan(f"{sid}_{n_clip:03d}", sid, tid, text, _seed(seed, sid, n_clip)))
                n_clip += 1
                budget -= 0.35 * len(text.split()) / (per.rate * tempo) + 0.5
        personas.append(per)
    return personas


def _render_persona(args: tuple[PersonaPlan, str]) -> list[dict]:
    per, out_dir = args
    clips_dir = Path(out_dir) / "clips"
    # One TTS render per distinct line: siblings saying the same line get identical audio.
    texts = sorted({c.text_id: c.text for c in per.clips}.items())
    st0 = next(iter(per.speakers.values()))["style"]
    reqs = [tts.SynthRequest(t, per.voice, rate=per.rate, pitch=per.pitch) for _, t in texts]
    results = dict(zip([tid for tid, _ in texts], tts.synthesize(reqs)))
    rendered: dict[int, tuple] = {}
    summaries = []
    for c in per.clips:
        if c.text_id not in rendered:
            res = results[c.text_id]
            arng = np.random.default_rng(_seed(per.seed, "aug", c.text_id))
            ap = augment.sample_augment(arng)
            ap.tempo = ap.tempo * st0.tempo
            ap.pitch_semitones += per.pitch - res.pitch_done
            audio = augment.apply(res.audio, res.sample_rate, ap, arng)
            n_frames = motion_mod.n_frames_for(len(audio), SAMPLE_RATE)
            n = n_frames * SAMPLES_PER_FRAME
            audio = audio[:n] if len(audio) >= n else np.pad(audio, (0, n - len(audio)))
            # Engine times are at the engine's tempo; sox tempo scales them by 1/tempo.
            dur = n / SAMPLE_RATE
            phones = [PhoneSeg(p.phone, min(p.start / ap.tempo, dur), min(p.end / ap.tempo, dur)) for p in res.phones]
            phones = [p for p in phones if p.end > p.start]
            if phones and phones[-1].end < dur:
                if phones[-1].phone == "SIL":
                    phones[-1].end = dur
                else:
                    phones.append(PhoneSeg("SIL", phones[-1].end, dur))
            pros = prosody.analyse(audio, SAMPLE_RATE)
            rendered[c.text_id] = (audio, phones, pros, n_frames, ap)
        audio, phones, pros, n_frames, ap = rendered[c.text_id]
        spk = per.speakers[c.speaker]
        style: Style = spk["style"]
        mrng = np.random.default_rng(c.seed)
        quirks = spk.get("quirks")
        mot, events = motion_mod.generate(phones, pros, n_frames, style, mrng, text=c.text, quirks=quirks)
        f0, en = pros.at_fps(MOTION_FPS, n_frames)
        meta = {
            "id": c.id, "speaker": c.speaker, "persona": per.id, "voice": per.voice.id, "engine": per.voice.engine,
            "split": per.split, "text": c.text, "text_id": c.text_id,
            "tts": {"rate": per.rate, "pitch": per.pitch}, "augment": ap.to_dict(), "events": events,
        }
        if quirks is not None:
            meta["quirks"] = quirks.to_dict()
        clip = Clip(c.id, audio, mot, spk["beta"], phones, np.array(frame_labels(phones, n_frames, MOTION_FPS)),
                    style.vector(), c.speaker, meta)
        save_clip(clips_dir / f"{c.id}.npz", clip, f0, en)
        summaries.append({"id": c.id, "speaker": c.speaker, "persona": per.id, "split": per.split,
                          "voice": per.voice.id, "engine": per.voice.engine, "frames": n_frames,
                          "duration": n_frames / MOTION_FPS, "text_id": c.text_id})
    return summaries


def _fmt_time(s: float) -> str:
    return f"{int(s // 60)}m{int(s % 60):02d}s"


def build(preset_name: str, out: Path, seed: int, workers: int, quiet: bool = False,
          no_quirks: bool = False) -> dict:
    """Plans and renders a preset into ``out``; ``no_quirks`` drops the preset's quirks (a control)."""
    preset = replace(PRESETS[preset_name], quirks=False) if no_quirks else PRESETS[preset_name]
    t0 = time.time()
    personas = plan(preset, seed)
    out.mkdir(parents=True, exist_ok=True)
    (out / "clips").mkdir(exist_ok=True)
    # Largest jobs first, so the pool does not wait on a long festival batch at the end.
    cost = {"espeak": 1.0, "flite": 1.5, "festival": 4.0}
    jobs = sorted(personas, key=lambda p: -len(p.clips) * cost[p.voice.engine])
    n_clips_total = sum(len(p.clips) for p in personas)
    done: list[dict] = []
    speech = 0.0

    def progress(final: bool = False) -> None:
        if quiet:
            return
        el = time.time() - t0
        rate = speech / el if el > 0 else 0.0
        frac = len(done) / max(n_clips_total, 1)
        eta = el / frac - el if frac > 0 else 0.0
        sys.stderr.write(f"\r[corpus] {len(done)}/{n_clips_total} clips  {speech / 3600:.2f} h speech  "
                         f"{rate:.1f} s/s  elapsed {_fmt_time(el)}  eta {_fmt_time(eta)}   ")
        if final:
            sys.stderr.write("\n")
        sys.stderr.flush()

    args = [(p, str(out)) for p in jobs]
    if workers <= 1:
        for a in args:
            res = _render_persona(a)
            done += res
            speech += sum(r["duration"] for r in res)
            progress()
    else:
        ctx = mp.get_context("fork")
        with ctx.Pool(workers) as pool:
            for res in pool.imap_unordered(_render_persona, args):
                done += res
                speech += sum(r["duration"] for r in res)
                progress()
    progress(final=True)
    elapsed = time.time() - t0
    done.sort(key=lambda r: r["id"])
    speakers = {}
    splits: dict[str, list[str]] = {"train": [], "val": [], "test": [], "heldout": []}
    for p in personas:
        for sid, spk in p.speakers.items():
            speakers[sid] = {"persona": p.id, "voice": p.voice.id, "engine": p.voice.engine, "split": p.split,
                             "style": spk["style"].to_dict(), "beta": [round(float(x), 5) for x in spk["beta"]]}
            if "quirks" in spk:
                speakers[sid]["quirks"] = spk["quirks"].to_dict()
            splits[p.split].append(sid)
    voices_used = sorted({p.voice.id for p in personas})
    summary = {
        "preset": preset_name, "seed": seed, "workers": workers,
        "hours": round(speech / 3600, 3), "clips": len(done), "speakers": len(speakers),
        "voices": len(voices_used), "engines": sorted({p.voice.engine for p in personas}),
        "hours_by_engine": {e: round(sum(r["duration"] for r in done if r["engine"] == e) / 3600, 3)
                            for e in sorted({r["engine"] for r in done})},
        "hours_by_split": {s: round(sum(r["duration"] for r in done if r["split"] == s) / 3600, 3) for s in splits},
        "speakers_by_split": {s: len(v) for s, v in splits.items()},
        "elapsed_s": round(elapsed, 1),
        "speech_s_per_wall_s": round(speech / max(elapsed, 1e-9), 2),
    }
    heldout_voices = sorted({p.voice.id for p in personas if p.split == "heldout"})
    train_voices = {p.voice.id for p in personas if p.split != "heldout"}
    assert not (set(heldout_voices) & train_voices)
    manifest = {
        "format": "parley-corpus/1",
        "sample_rate": SAMPLE_RATE, "fps": MOTION_FPS, "motion_dim": MOTION_DIM,
        "motion_layout": {name: [sl.start, sl.stop] for name, sl in SLICES.items()},
        "expression_names": list(EXPRESSION_NAMES), "phones": list(PHONES), "style_names": list(STYLE_NAMES),
        "splits": splits, "heldout_voice_rules": {k: list(v) for k, v in HELDOUT_VOICE_RULES.items()},
        "heldout_voices": heldout_voices, "voices": voices_used,
        "speakers": speakers, "clips": done, "summary": summary,
        "ground_truth": "procedural (designed target from TTS phone timing and measured prosody), not measured faces",
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m parley corpus", description=__doc__)
    ap.add_argument("--preset", choices=sorted(PRESETS), default="small")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--no-quirks", action="store_true",
                    help="without the preset's per-speaker quirks (performers: the same speakers as a control)")
    a = ap.parse_args(argv)
    s = build(a.preset, a.out, a.seed, a.workers, quiet=a.quiet, no_quirks=a.no_quirks)
    print(f"corpus: {s['hours']:.2f} h, {s['clips']} clips, {s['speakers']} speakers, {s['voices']} voices, "
          f"{len(s['engines'])} engines ({', '.join(s['engines'])}) in {_fmt_time(s['elapsed_s'])} "
          f"({s['speech_s_per_wall_s']:.1f} s speech per wall s) -> {a.out}")
    print(json.dumps(s, indent=1))
    return 0
