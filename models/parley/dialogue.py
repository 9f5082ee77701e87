"""``python3 -m parley dialogue-lines``: the demo's dialogue lines, spoken by the project's own TTS.

Each line is synthesised by one of the corpus engines (espeak-ng, flite, festival), converted with
sox to 16 kHz mono Ogg Vorbis, and listed in ``lines.json`` (id, text, voice, file, seconds) beside
the files. The texts are varied on purpose: greetings, questions, exclamations, a whisper-quiet
line and a bilabial-heavy one (m/b/p close the lips, which a lip-sync model must get right).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from parley.corpus.tts import SynthRequest, Voice, synthesize
from parley.layout import SAMPLE_RATE

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO / "assets" / "Sounds" / "Dialogue"


@dataclass(frozen=True)
class Line:
    id: str
    text: str
    voice: Voice
    rate: float = 1.0


@dataclass
class DialogueConfig:
    out: Path = DEFAULT_OUT
    quality: int = 2  # oggenc/sox Vorbis quality (-1..10); 2 keeps speech clear at ~40 kbit/s
    lines: list[Line] = field(default_factory=lambda: list(LINES))


LINES: tuple[Line, ...] = (
    Line("greeting", "Hello there, traveller! Welcome to the Copper Kettle.", Voice("espeak", "en-us+m3")),
    Line("question-daughter", "Have you seen the blacksmith's daughter anywhere?", Voice("flite", "slt")),
    Line("warning-bridge", "Watch out! The bridge is about to collapse!", Voice("espeak", "en+f3"), 1.1),
    Line("bilabial-pie", "My mum makes marvellous plum pie, but Bob buys the bread.", Voice("flite", "rms")),
    Line("pass-closed", "I'm afraid the mountain pass is closed until spring.", Voice("festival", "kal_diphone")),
    Line("question-midnight", "Why would anyone wander the woods at midnight?", Voice("espeak", "en-gb-x-rp+m1")),
    Line("thanks", "Thank you, friend. I owe you one.", Voice("flite", "awb")),
    Line("refusal", "No, no, no. That is not how we do things here.", Voice("espeak", "en-us+f2"), 0.95),
    Line("hush", "Quiet now. Did you hear that?", Voice("flite", "kal16"), 0.9),
    Line("gold", "Oh wow, look at all that gold!", Voice("espeak", "en-us-nyc+m2"), 1.05),
    Line("weather", "Good morning! Lovely weather for a walk, isn't it?", Voice("festival", "ked_diphone")),
    Line("sword", "Fine. Take the sword, but bring it back by sunset.", Voice("espeak", "en-gb-scotland+m4")),
)


def encode_ogg(audio: np.ndarray, sample_rate: int, out: Path, quality: int) -> float:
    """Resample to 16 kHz mono, normalise the peak to -1 dBFS and write Ogg Vorbis; returns seconds.

    sox runs with -R (repeatable: fixed dither seed); the TTS engines are seeded per request."""
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()
    fmt = ["-t", "raw", "-e", "signed", "-b", "16", "-c", "1"]
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "line.wav"
        subprocess.run(["sox", "-V1", "-R", *fmt, "-r", str(sample_rate), "-", "-r", str(SAMPLE_RATE), str(wav),
                        "rate", "-h", "norm", "-1"], input=pcm, check=True, capture_output=True)
        subprocess.run(["sox", "-V1", "-R", str(wav), "-C", str(quality), str(out)], check=True, capture_output=True)
        seconds = float(subprocess.run(["soxi", "-D", str(wav)], check=True, capture_output=True, text=True).stdout)
    return seconds


def build(cfg: DialogueConfig) -> list[dict]:
    """Synthesise, encode and list every line; returns the entries written to lines.json."""
    cfg.out.mkdir(parents=True, exist_ok=True)
    results = synthesize([SynthRequest(line.text, line.voice, rate=line.rate) for line in cfg.lines])
    entries = []
    for line, res in zip(cfg.lines, results):
        file = f"{line.id}.ogg"
        seconds = encode_ogg(res.audio, res.sample_rate, cfg.out / file, cfg.quality)
        entries.append({"id": line.id, "text": line.text, "voice": line.voice.id, "file": file,
                        "seconds": round(seconds, 3)})
    (cfg.out / "lines.json").write_text(json.dumps({"format": "parley-dialogue-lines", "version": 1,
                                                     "sampleRate": SAMPLE_RATE, "lines": entries}, indent=1) + "\n")
    return entries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m parley dialogue-lines", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: assets/Sounds/Dialogue)")
    parser.add_argument("--quality", type=int, default=DialogueConfig.quality, help="Vorbis quality -1..10")
    args = parser.parse_args(argv)
    entries = build(DialogueConfig(out=args.out, quality=args.quality))
    total = sum((args.out / e["file"]).stat().st_size for e in entries)
    print(f"wrote {len(entries)} lines, {sum(e['seconds'] for e in entries):.1f} s, {total // 1024} KB into {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
