"""Forced alignment of known words with pocketsphinx (0.8+5prealpha, Debian's pocketsphinx-en-us model).

Two ``pocketsphinx_batch`` passes over all files at once, each file with its own grammar (``-fsgctl``):

1. words: a chain of the transcript's words (pocketsphinx adds optional silences and noises between
   them, and every cmudict pronunciation of each word): picks each word's pronunciation;
2. phones: a dictionary in which each phone is its own "word" and a chain of the chosen pronunciations'
   phones with an optional silence only at word boundaries (automatic fillers off: they put silences
   inside words): phone times (100 frames per second); words are the runs of their phones.

Every file is aligned as decoded and pitched down (``pitch_shifts``): the model's silence absorbs much of
the pitched-up cartoon voices. Each alignment is checked against the file's own energy and against the
other pitch shifts' alignments (:mod:`parley.realvoice.quality`); of those that pass, the one that leaves
the least loud audio in silence and quiet audio in speech is kept.
A file fails when a pass returns nothing (the search found no path through the grammar) or other words
or phones than asked, when more than ``max_outside`` of its phones fall wholly outside the file
(into the padding), or when no alignment passes the checks. Stops outside the file may be: game lines
are cut tight, and a line's first /b/ closure or last /t/ release often lies outside the recording;
such a phone is kept with zero length at the file's edge.
Checking that a file says its words was tried and dropped: free phone decoding (``-allphone``) took
about 10 s of CPU per file and scored below the forced alignment on correct files; identifying the line
among all 46 with one grammar picked the right one for 1 of Default's 46 files (and 3 of 5 espeak
lines). The acoustic model hears these pitched-up cartoon voices poorly, so the times are the best
path through known words, not a check of them (docs/real-voices.md).

Each file is padded with ``pad_s`` of faint noise on both sides first: pocketsphinx normalises the
cepstra over the whole file, and a game line cut tight around its words, normalised on speech alone,
makes its quiet voiced sounds (a nasal murmur) look like silence.
"""
from __future__ import annotations

import subprocess
import tempfile
import wave
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from parley.corpus.phones import SIL, PhoneSeg, map_symbol
from parley.layout import SAMPLE_RATE
from parley.model.randomise import pitch_shift

from .lines import EXTRA_PRONUNCIATIONS
from .quality import Quality, QualityConfig, boundary_distance, measure, problems

SPHINX_FPS = 100  # pocketsphinx's frame rate (-frate)
PHONE_WORD = "ph_"  # prefix of the phone "words" of the phone pass
SILENCE = "<sil>"  # pocketsphinx's silence word (noisedict)


@dataclass
class AlignConfig:
    model_dir: Path = Path("/usr/share/pocketsphinx/model/en-us")
    acoustic_model: str = "en-us"
    dictionary: str = "cmudict-en-us.dict"
    phone_lm: str = "en-us-phone.lm.bin"
    binary: str = "pocketsphinx_batch"
    pad_s: float = 0.5  # faint noise around each file (see the module's doc)
    pad_db: float = -60.0  # its level, dB re full scale
    max_outside: int = 2  # more speech phones than this wholly outside the file (in the padding): fail
    # Each file is aligned as decoded and pitched down by these shifts (cents; sox pitch keeps the timing);
    # the result whose silences cover the least loud audio wins. The acoustic model's silence absorbs
    # pitched-up cartoon voices (Default: 30% of loud frames aligned as silence, 20% at -800 cents).
    pitch_shifts: tuple[int, ...] = (0, -400, -800)
    quality: QualityConfig = field(default_factory=QualityConfig)  # checks against the file's energy
    # Search beams wider than pocketsphinx's defaults (1e-48, 1e-48, 7e-29), which lost the grammar's
    # path on 9% of the development files ("Final result does not match the grammar").
    beams: tuple[str, ...] = ("-beam", "1e-80", "-pbeam", "1e-80", "-wbeam", "1e-60")


@dataclass
class WordSeg:
    word: str
    start: float  # seconds
    end: float
    phones: list[PhoneSeg] = field(default_factory=list)


@dataclass
class Alignment:
    words: list[WordSeg]
    phones: list[PhoneSeg]  # every phone of the file in order, silences included, covering [0, duration]
    acoustic_per_frame: float  # the forced phones' acoustic score per 10 ms frame (log base 1.0001)
    pitch_shift: int = 0  # cents the audio was shifted for this alignment
    quality: Quality | None = None  # its checks against the file's energy (parley.realvoice.quality)


# ------------------------------------------------------------------ audio
def decode_audio(path: Path) -> np.ndarray:
    """A sound file as 16 kHz mono float32, decoded by ``sox -D`` (no dither: the same samples every
    time) with ``-G`` (gain lowered where resampling would clip)."""
    cmd = ["sox", "-D", "-G", str(path), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", "-e", "signed-integer",
           "-t", "raw", "-"]
    res = subprocess.run(cmd, capture_output=True, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"sox could not decode {path}: {res.stderr.decode(errors='replace').strip()}")
    return np.frombuffer(res.stdout, "<i2").astype(np.float32) / 32768.0


def write_wav(path: Path, pcm: np.ndarray) -> None:
    """16-bit mono 16 kHz WAV (a 44-byte header, as pocketsphinx_batch's -adchdr expects)."""
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(SAMPLE_RATE)
        f.writeframes(np.clip(np.round(np.asarray(pcm) * 32768.0), -32768, 32767).astype("<i2").tobytes())


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as f:
        if (f.getnchannels(), f.getsampwidth(), f.getframerate()) != (1, 2, SAMPLE_RATE):
            raise ValueError(f"{path}: expected 16-bit mono {SAMPLE_RATE} Hz WAV, got {f.getnchannels()} "
                             f"channel(s), {8 * f.getsampwidth()} bit, {f.getframerate()} Hz")
        return np.frombuffer(f.readframes(f.getnframes()), "<i2").astype(np.float32) / 32768.0


def _padded(pcm: np.ndarray, cfg: AlignConfig, seed: int) -> np.ndarray:
    n = int(round(cfg.pad_s * SAMPLE_RATE))
    rng = np.random.default_rng(seed)
    level = 10 ** (cfg.pad_db / 20)
    return np.concatenate([rng.standard_normal(n) * level, pcm, rng.standard_normal(n) * level]).astype(np.float32)


# ------------------------------------------------------------------ dictionaries and grammars
def read_cmudict(path: Path, words: set[str]) -> dict[str, list[tuple[str, ...]]]:
    """Pronunciations (phone tuples, variants in file order) of the given words, with the extra ones."""
    out: dict[str, list[tuple[str, ...]]] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            base = parts[0].split("(")[0]
            if base in words:
                out.setdefault(base, []).append(tuple(parts[1:]))
    for word, prons in EXTRA_PRONUNCIATIONS.items():
        if word in words:
            out.setdefault(word, []).extend(tuple(p.split()) for p in prons)
    return out


def _variant_name(word: str, k: int) -> str:
    return word if k == 0 else f"{word}({k + 1})"


def _chain_fsg(tokens: list[str]) -> str:
    n = len(tokens)
    lines = ["FSG_BEGIN align", f"NUM_STATES {n + 1}", "START_STATE 0", f"FINAL_STATE {n}"]
    lines += [f"TRANSITION {i} {i + 1} 1.0 {t}" for i, t in enumerate(tokens)]
    return "\n".join(lines + ["FSG_END"]) + "\n"


def _phone_fsg(words: list[list[str]]) -> str:
    """Each word's phones in a chain, an optional silence before, between and after words and nowhere
    else (the phone pass runs without automatic fillers, which put silences inside words)."""
    trans, state = [], 0

    def optional_silence() -> None:
        nonlocal state
        trans.extend([f"TRANSITION {state} {state + 1} 0.5 {SILENCE}", f"TRANSITION {state} {state + 1} 0.5"])
        state += 1

    for phones in words:
        optional_silence()
        for p in phones:
            trans.append(f"TRANSITION {state} {state + 1} 1.0 {p}")
            state += 1
    optional_silence()
    return "\n".join(["FSG_BEGIN align", f"NUM_STATES {state + 1}", "START_STATE 0", f"FINAL_STATE {state}",
                      *trans, "FSG_END"]) + "\n"


# ------------------------------------------------------------------ running pocketsphinx
def _run(cfg: AlignConfig, work: Path, ids: list[str], tag: str, search: list[str], dictionary: Path) -> dict:
    """One pocketsphinx_batch pass; returns {utterance id: (total acoustic score, [(token, start, end)])}
    with start and end in frames."""
    ctl = work / f"{tag}.ctl"
    ctl.write_text("".join(f"{u}\n" for u in ids))
    out = work / f"{tag}.hypseg"
    cmd = [cfg.binary, "-ctl", str(ctl), "-cepdir", str(work / "wav"), "-cepext", ".wav", "-adcin", "yes",
           "-adchdr", "44", "-hmm", str(cfg.model_dir / cfg.acoustic_model), "-dict", str(dictionary),
           "-hypseg", str(out), "-logfn", str(work / f"{tag}.log"), *cfg.beams, *search]
    res = subprocess.run(cmd, capture_output=True, check=False)
    if res.returncode != 0 or not out.is_file():
        raise RuntimeError(f"{cfg.binary} failed (exit {res.returncode}); see {work / f'{tag}.log'}: "
                           f"{res.stderr.decode(errors='replace').strip()[-400:]}")
    return parse_hypseg(out.read_text())


def parse_hypseg(text: str) -> dict[str, tuple[int, list[tuple[str, int, int]]]]:
    """pocketsphinx's -hypseg lines: ``id S scale T total A acoustic L lm {start ascr lscr token}* end``."""
    out = {}
    for line in text.splitlines():
        t = line.split()
        if len(t) < 9 or t[1] != "S":
            continue
        acoustic = int(t[6])
        rest = t[9:]
        segs = []
        for i in range(0, len(rest) - 1, 4):
            start, token = int(rest[i]), rest[i + 3]
            end = int(rest[i + 4]) if i + 4 < len(rest) else start
            segs.append((token, start, end))
        out[t[0]] = (acoustic, segs)
    return out


def _is_filler(token: str) -> bool:
    """Silence, noise, and the "(NULL)" that -hypseg prints for a grammar's empty transition."""
    return token.startswith(("<", "[", "+", "(")) or token in ("SIL",)


def align(items: list[tuple[str, np.ndarray, str]], cfg: AlignConfig | None = None,
          workdir: Path | None = None) -> dict[str, Alignment | str]:
    """Aligns each (id, 16 kHz PCM, words) item; returns id -> Alignment, or id -> why it failed.

    Ids must be usable as file names. Raises when pocketsphinx cannot run or a word has no
    pronunciation (cmudict and :data:`~parley.realvoice.lines.EXTRA_PRONUNCIATIONS`)."""
    cfg = cfg or AlignConfig()
    if not (cfg.model_dir / cfg.acoustic_model).is_dir():
        raise FileNotFoundError(f"no pocketsphinx model at {cfg.model_dir / cfg.acoustic_model}: install "
                                "pocketsphinx and pocketsphinx-en-us (scripts/setup-debian.sh)")
    with tempfile.TemporaryDirectory(prefix="parley-align-") as tmp:
        work = Path(workdir or tmp)
        tried: dict[str, list[Alignment]] = {uid: [] for uid, _, _ in items}
        failed: dict[str, str] = {}
        for cents in cfg.pitch_shifts:
            shifted = [(uid, pitch_shift(pcm, cents), words) for uid, pcm, words in items]
            for uid, got in _align(shifted, cfg, work / f"pitch{cents}").items():
                if isinstance(got, str):
                    failed.setdefault(uid, got)
                else:
                    got.pitch_shift = cents
                    tried[uid].append(got)
        pcm_of = {uid: pcm for uid, pcm, _ in items}
        return {uid: choose(pcm_of[uid], tried[uid], cfg.quality) if tried[uid] else failed[uid] for uid in tried}


def choose(pcm: np.ndarray, candidates: list[Alignment], cfg: QualityConfig) -> Alignment | str:
    """The candidate (one file at several pitch shifts) that passes the energy checks and leaves the least
    loud audio in silence and quiet audio in speech; or why none passes (the best one's problems)."""
    for a in candidates:
        a.quality = measure(pcm, a.phones, cfg)
        others = [boundary_distance(a.words, b.words) for b in candidates if b is not a]
        a.quality.disagreement = min(others) if others else None
    best = min(candidates, key=lambda a: (len(problems(a.quality, cfg)) > 0,
                                          a.quality.loud_silence + a.quality.quiet_speech))
    why = problems(best.quality, cfg)
    if why:
        return f"alignment fails the checks at best ({best.pitch_shift} cents): {'; '.join(why)}"
    return best


def _align(items: list[tuple[str, np.ndarray, str]], cfg: AlignConfig, work: Path) -> dict[str, Alignment | str]:
    (work / "wav").mkdir(parents=True, exist_ok=True)
    (work / "fsg").mkdir(exist_ok=True)
    vocabulary = {w for _, _, line in items for w in line.split()}
    prons = read_cmudict(cfg.model_dir / cfg.dictionary, vocabulary)
    unknown = sorted(vocabulary - set(prons))
    if unknown:
        raise ValueError(f"no pronunciation for {', '.join(unknown)} in cmudict or EXTRA_PRONUNCIATIONS")
    result: dict[str, Alignment | str] = {}
    if not items:
        return result
    for uid, pcm, _ in items:  # the padding's noise is seeded by the id: a file aligns alike in any batch
        write_wav(work / "wav" / f"{uid}.wav", _padded(pcm, cfg, seed=zlib.crc32(uid.encode("utf-8"))))
    word_dict = work / "words.dict"
    word_dict.write_text("".join(f"{_variant_name(w, k)} {' '.join(p)}\n"
                                 for w in sorted(prons) for k, p in enumerate(prons[w])))
    ids = [u for u, _, _ in items]
    expected = {u: w.split() for u, _, w in items}
    word_pass = _run(cfg, work, ids, "words", _grammars(work, "words", {u: _chain_fsg(expected[u]) for u in ids}),
                     word_dict)

    chosen: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for uid in ids:
        words = expected[uid]
        got = [tok for tok, _, _ in word_pass.get(uid, (0, []))[1] if not _is_filler(tok)]
        if [tok.split("(")[0] for tok in got] != words:
            result[uid] = f"word pass returned '{' '.join(got) or 'nothing'}', expected '{' '.join(words)}'"
            continue
        variants = [int(tok[tok.index("(") + 1:-1]) - 1 if "(" in tok else 0 for tok in got]
        chosen[uid] = [(w, prons[w][v]) for w, v in zip(words, variants)]
    if not chosen:
        return result
    phone_set = sorted({p for pr in prons.values() for pron in pr for p in pron})
    phone_dict = work / "phones.dict"
    phone_dict.write_text("".join(f"{PHONE_WORD}{p} {p}\n" for p in phone_set))
    want = {u: [p for _, pron in chosen[u] for p in pron] for u in chosen}
    grammars = {u: _phone_fsg([[PHONE_WORD + p for p in pron] for _, pron in chosen[u]]) for u in chosen}
    phone_pass = _run(cfg, work, list(chosen), "phones", _grammars(work, "phones", grammars) + ["-fsgusefiller", "no"],
                      phone_dict)
    pcm_of = {u: p for u, p, _ in items}
    for uid in chosen:
        acoustic, segs = phone_pass.get(uid, (0, []))
        got = [tok[len(PHONE_WORD):] for tok, _, _ in segs if not _is_filler(tok)]
        if got != want[uid]:
            result[uid] = f"phone pass returned '{' '.join(got) or 'nothing'}', expected '{' '.join(want[uid])}'"
            continue
        frames = max(1, segs[-1][2])
        aligned = _build(segs, chosen[uid], len(pcm_of[uid]) / SAMPLE_RATE, cfg.pad_s, acoustic / frames)
        outside = [p.phone for p in aligned.phones if p.phone != SIL and p.end <= p.start]
        if len(outside) > cfg.max_outside:
            result[uid] = (f"{len(outside)} phones ({' '.join(outside)}) aligned outside the file "
                           f"(limit {cfg.max_outside}): the file may not say all of '{' '.join(expected[uid])}'")
            continue
        result[uid] = aligned
    return result


def _grammars(work: Path, tag: str, grammars: dict[str, str]) -> list[str]:
    """Writes one grammar per utterance and their control file; returns the search arguments."""
    for uid, text in grammars.items():
        (work / "fsg" / f"{uid}.{tag}.fsg").write_text(text)
    ctl = work / f"{tag}.fsgctl"
    ctl.write_text("".join(f"{work / 'fsg' / uid}.{tag}.fsg\n" for uid in grammars))
    return ["-fsgctl", str(ctl)]


def _build(segs: list[tuple[str, int, int]], words: list[tuple[str, tuple[str, ...]]], duration: float,
           pad_s: float, acoustic_per_frame: float) -> Alignment:
    """Phone and word segments in seconds of the unpadded file; fillers and the edges become silence."""
    def sec(frame: int) -> float:
        return float(min(max(frame / SPHINX_FPS - pad_s, 0.0), duration))

    phones: list[PhoneSeg] = []
    for tok, s, e in segs:
        start, end = sec(s), sec(e)
        phone = SIL if _is_filler(tok) else tok[len(PHONE_WORD):]
        mapped = map_symbol(phone, "pocketsphinx")
        if mapped is None:
            raise ValueError(f"pocketsphinx phone '{phone}' has no entry in POCKETSPHINX_MAP")
        phone = mapped[0]
        if end <= start and phone == SIL:
            continue
        if phones and phone == SIL and phones[-1].phone == SIL:
            phones[-1].end = end
        else:
            phones.append(PhoneSeg(phone, start, end))
    if phones and phones[0].start > 0:
        phones.insert(0, PhoneSeg(SIL, 0.0, phones[0].start))
    if phones and phones[-1].end < duration:
        if phones[-1].phone == SIL:
            phones[-1].end = duration
        else:
            phones.append(PhoneSeg(SIL, phones[-1].end, duration))
    speech = iter([p for p in phones if p.phone != SIL])
    out = []
    for word, pron in words:
        own = [next(speech) for _ in pron]
        out.append(WordSeg(word, own[0].start, own[-1].end, own))
    return Alignment(out, phones, float(acoustic_per_frame))
