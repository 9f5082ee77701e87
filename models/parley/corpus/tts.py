"""Three TTS engines behind one interface: text -> PCM + phone segments with times.

* espeak-ng: in-process through its C library (ctypes); phone times come from
  ``espeakEVENT_PHONEME`` events with their sample positions.
* flite: in-process through libflite (ctypes); phone ends are the ``end``
  feature of the utterance's ``Segment`` relation.
* festival: one ``festival --batch`` process per batch of utterances; a Scheme
  script saves each wave and prints the ``Segment`` names and ends.

Engines return native-rate float PCM in [-1, 1]; :mod:`augment` resamples to 16 kHz.
"""
from __future__ import annotations

import ctypes
import os
import pickle
import re
import subprocess
import tempfile
import traceback
import wave
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .phones import PhoneSeg, convert

LIBDIR = "/usr/lib/x86_64-linux-gnu"


@dataclass(frozen=True)
class Voice:
    engine: str  # "espeak" | "flite" | "festival"
    name: str  # engine-specific, e.g. "en-us+f3", "slt", "kal_diphone"

    @property
    def id(self) -> str:
        return f"{self.engine}:{self.name}"


@dataclass
class SynthRequest:
    text: str
    voice: Voice
    rate: float = 1.0  # speaking-rate multiplier (1 = engine default)
    pitch: float = 0.0  # semitones; only espeak applies it natively (see SynthResult.pitch_done)


@dataclass
class SynthResult:
    audio: np.ndarray  # float32 mono, native rate
    sample_rate: int
    phones: list[PhoneSeg]
    raw: list[tuple[str, float, float]] = field(default_factory=list)  # engine symbols
    pitch_done: float = 0.0  # semitones the engine already applied


class TTSError(RuntimeError):
    pass


# ---------------------------------------------------------------- espeak-ng
class _EspeakEvent(ctypes.Structure):
    class _Id(ctypes.Union):
        _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]

    _fields_ = [
        ("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint), ("text_position", ctypes.c_int),
        ("length", ctypes.c_int), ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p), ("id", _Id),
    ]


_EV_LIST_TERMINATED, _EV_PHONEME = 0, 7
_AUDIO_OUTPUT_SYNCHRONOUS, _INIT_PHONEME_EVENTS = 2, 1
_P_RATE, _P_PITCH = 1, 3


class EspeakEngine:
    """espeak-ng via libespeak-ng; one instance per process (the library is global)."""

    name = "espeak"
    _CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_EspeakEvent))

    def __init__(self) -> None:
        self.lib = ctypes.CDLL("libespeak-ng.so.1")
        self.sample_rate = self.lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, None, _INIT_PHONEME_EVENTS)
        if self.sample_rate <= 0:
            raise TTSError("espeak_Initialize failed")
        self._chunks: list[np.ndarray] = []
        self._events: list[tuple[str, int]] = []
        self._cb = self._CB(self._callback)  # keep a reference: the library holds the pointer
        self.lib.espeak_SetSynthCallback(self._cb)
        self.lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                          ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]

    def _callback(self, wav, n, events) -> int:
        if n > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, (n,)).copy())
        i = 0
        while events[i].type != _EV_LIST_TERMINATED:
            ev = events[i]
            if ev.type == _EV_PHONEME:
                self._events.append((ev.id.string.decode("ascii", "replace"), ev.sample))
            i += 1
        return 0

    def synth(self, req: SynthRequest) -> SynthResult:
        lib = self.lib
        if lib.espeak_SetVoiceByName(req.voice.name.encode()) != 0:
            raise TTSError(f"espeak voice {req.voice.name} not found")
        lib.espeak_SetParameter(_P_RATE, int(round(175 * req.rate)), 0)
        # espeak pitch is 0-100 around 50; roughly 2.5 units per semitone there.
        lib.espeak_SetParameter(_P_PITCH, int(np.clip(50 + 2.5 * req.pitch, 5, 95)), 0)
        self._chunks, self._events = [], []
        b = req.text.encode("utf-8")
        lib.espeak_Synth(b, len(b) + 1, 0, 0, 0, 1, None, None)  # 1 = espeakCHARS_UTF8
        lib.espeak_Synchronize()
        if not self._chunks:
            raise TTSError("espeak produced no audio")
        pcm = np.concatenate(self._chunks).astype(np.float32) / 32768.0
        dur = len(pcm) / self.sample_rate
        raw: list[tuple[str, float, float]] = []
        evs = self._events
        for k, (sym, pos) in enumerate(evs):
            start = pos / self.sample_rate
            end = evs[k + 1][1] / self.sample_rate if k + 1 < len(evs) else dur
            raw.append((sym, start, min(end, dur)))
        if raw and raw[0][1] > 0:
            raw.insert(0, ("_", 0.0, raw[0][1]))
        return SynthResult(pcm, self.sample_rate, convert(raw, "espeak"), raw, pitch_done=req.pitch)


# ---------------------------------------------------------------- flite
class _CstWave(ctypes.Structure):
    _fields_ = [("type", ctypes.c_char_p), ("sample_rate", ctypes.c_int), ("num_samples", ctypes.c_int),
                ("num_channels", ctypes.c_int), ("samples", ctypes.POINTER(ctypes.c_short))]


# awb_time is a limited-domain clock voice and is left out.
FLITE_VOICES = ("kal", "kal16", "awb", "rms", "slt")


class FliteEngine:
    """flite via libflite; voices register from their shared libraries."""

    name = "flite"

    def __init__(self) -> None:
        g = ctypes.RTLD_GLOBAL
        fl = ctypes.CDLL(f"{LIBDIR}/libflite.so.1", mode=g)
        ctypes.CDLL(f"{LIBDIR}/libflite_usenglish.so.1", mode=g)
        ctypes.CDLL(f"{LIBDIR}/libflite_cmulex.so.1", mode=g)
        fl.flite_init()
        vp = ctypes.c_void_p
        fl.flite_synth_text.restype, fl.flite_synth_text.argtypes = vp, [ctypes.c_char_p, vp]
        fl.utt_wave.restype, fl.utt_wave.argtypes = ctypes.POINTER(_CstWave), [vp]
        fl.utt_relation.restype, fl.utt_relation.argtypes = vp, [vp, ctypes.c_char_p]
        fl.relation_head.restype, fl.relation_head.argtypes = vp, [vp]
        fl.item_next.restype, fl.item_next.argtypes = vp, [vp]
        fl.item_feat_string.restype, fl.item_feat_string.argtypes = ctypes.c_char_p, [vp, ctypes.c_char_p]
        fl.item_feat_float.restype, fl.item_feat_float.argtypes = ctypes.c_float, [vp, ctypes.c_char_p]
        fl.delete_utterance.argtypes = [vp]
        fl.feat_set_float.argtypes = [vp, ctypes.c_char_p, ctypes.c_float]
        self.fl = fl
        self._voices: dict[str, int] = {}

    def _voice(self, name: str) -> int:
        if name not in self._voices:
            lib = ctypes.CDLL(f"{LIBDIR}/libflite_cmu_us_{name}.so.1", mode=ctypes.RTLD_GLOBAL)
            reg = getattr(lib, f"register_cmu_us_{name}")
            reg.restype, reg.argtypes = ctypes.c_void_p, [ctypes.c_char_p]
            v = reg(None)
            if not v:
                raise TTSError(f"flite voice {name} failed to register")
            self._voices[name] = v
        return self._voices[name]

    def synth(self, req: SynthRequest) -> SynthResult:
        fl = self.fl
        v = self._voice(req.voice.name)
        feats = ctypes.cast(v, ctypes.POINTER(ctypes.c_void_p))[1]  # cst_voice.features
        fl.feat_set_float(feats, b"duration_stretch", float(1.0 / req.rate))
        utt = fl.flite_synth_text(req.text.encode("utf-8"), v)
        if not utt:
            raise TTSError("flite synthesis failed")
        try:  # copy everything out before the utterance (and its wave) is freed
            w = fl.utt_wave(utt).contents
            sr, n = int(w.sample_rate), int(w.num_samples)
            pcm = np.ctypeslib.as_array(w.samples, (n,)).astype(np.float32) / 32768.0
            raw = []
            item = fl.relation_head(fl.utt_relation(utt, b"Segment"))
            prev = 0.0
            while item:
                name = fl.item_feat_string(item, b"name").decode()
                end = float(fl.item_feat_float(item, b"end"))
                raw.append((name, prev, end))
                prev = end
                item = fl.item_next(item)
        finally:
            fl.delete_utterance(utt)
        dur = n / sr
        raw = [(s, min(a, dur), min(b, dur)) for s, a, b in raw]
        return SynthResult(pcm, sr, convert(raw, "flite"), raw, pitch_done=0.0)


# ---------------------------------------------------------------- festival
FESTIVAL_VOICES = ("kal_diphone", "ked_diphone", "cmu_us_slt_arctic_hts")

_SCHEME_PRELUDE = """
(define (parley-say voice stretch text wav)
  (eval (list voice))
  (Parameter.set 'Duration_Stretch stretch)
  (set! utt (utt.synth (eval (list 'Utterance 'Text text))))
  (utt.save.wave utt wav 'riff)
  (format t "UTT %s\\n" wav)
  (mapcar (lambda (s) (format t "SEG %s %f\\n" (item.name s) (item.feat s "end")))
          (utt.relation.items utt 'Segment))
  (format t "ENDUTT\\n"))
"""


def _scheme_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _read_wav(path: str) -> tuple[np.ndarray, int]:
    with wave.open(path, "rb") as f:
        sr, n, ch = f.getframerate(), f.getnframes(), f.getnchannels()
        data = np.frombuffer(f.readframes(n), dtype=np.int16)
    if ch > 1:
        data = data.reshape(-1, ch)[:, 0]
    return data.astype(np.float32) / 32768.0, sr


class FestivalEngine:
    """festival in batch mode: many utterances per process to pay the start-up once."""

    name = "festival"

    def synth(self, req: SynthRequest) -> SynthResult:
        return self.synth_many([req])[0]

    def synth_many(self, reqs: list[SynthRequest]) -> list[SynthResult]:
        if not reqs:
            return []
        with tempfile.TemporaryDirectory(prefix="parley-fest-") as tmp:
            lines = [_SCHEME_PRELUDE]
            for i, r in enumerate(reqs):
                wav = os.path.join(tmp, f"u{i}.wav")
                text = re.sub(r"\s+", " ", r.text)
                lines.append(f"(parley-say 'voice_{r.voice.name} {1.0 / r.rate:.4f} {_scheme_string(text)} \"{wav}\")")
            script = os.path.join(tmp, "run.scm")
            Path(script).write_text("\n".join(lines) + "\n")
            proc = subprocess.run(["festival", "--batch", script], capture_output=True, text=True, timeout=1200)
            segs: dict[str, list[tuple[str, float]]] = {}
            cur = None
            for line in proc.stdout.splitlines():
                if line.startswith("UTT "):
                    cur = line[4:].strip()
                    segs[cur] = []
                elif line.startswith("SEG ") and cur is not None:
                    _, name, end = line.split()
                    segs[cur].append((name, float(end)))
            out = []
            for i, r in enumerate(reqs):
                wav = os.path.join(tmp, f"u{i}.wav")
                if wav not in segs or not os.path.exists(wav):
                    raise TTSError(f"festival failed on {r.voice.name}: {proc.stderr[-400:]}")
                pcm, sr = _read_wav(wav)
                dur = len(pcm) / sr
                raw, prev = [], 0.0
                for name, end in segs[wav]:
                    raw.append((name, min(prev, dur), min(end, dur)))
                    prev = end
                out.append(SynthResult(pcm, sr, convert(raw, "festival"), raw, pitch_done=0.0))
            return out


# ---------------------------------------------------------------- voices
# espeak-ng English accents and a curated set of its voice variants (robotic,
# whispered and novelty variants are left out: they carry little phonetics).
ESPEAK_ACCENTS = ("en-us", "en", "en-gb-x-rp", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-gbcwmd",
                  "en-029", "en-us-nyc")
ESPEAK_VARIANTS = ("", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5",
                   "Alex", "Alicia", "Andrea", "Andy", "Annie", "adam", "anika", "aunty", "belinda",
                   "benjamin", "boris", "caleb", "david", "ed", "edward", "Gene", "grandma", "grandpa",
                   "Hugo", "iven", "john", "Lee", "linda", "max", "Michael", "Mike", "norbert", "paul",
                   "quincy", "rob", "robert", "shelby", "steph", "travis", "victor", "zac", "klatt",
                   "klatt2", "klatt3")


def espeak_voices() -> list[Voice]:
    return [Voice("espeak", acc + (f"+{var}" if var else "")) for acc in ESPEAK_ACCENTS for var in ESPEAK_VARIANTS]


def all_voices() -> list[Voice]:
    return (espeak_voices() + [Voice("flite", v) for v in FLITE_VOICES]
            + [Voice("festival", v) for v in FESTIVAL_VOICES])


_ENGINES: dict[str, object] = {}
_LIBC = ctypes.CDLL(None)


def _request_seed(req: SynthRequest) -> int:
    return zlib.crc32(f"{req.voice.id}|{req.rate:.6f}|{req.pitch:.6f}|{req.text}".encode()) & 0x7FFFFFFF


def engine(name: str):
    """Per-process engine singletons (the C libraries hold global state)."""
    if name not in _ENGINES:
        _ENGINES[name] = {"espeak": EspeakEngine, "flite": FliteEngine, "festival": FestivalEngine}[name]()
    return _ENGINES[name]


# A fixed utterance synthesised first in every fresh espeak-ng process: the library's
# first utterance after initialisation loses its tail.
_ESPEAK_WARMUP = SynthRequest("Hello there.", Voice("espeak", "en-us"))


def _in_fresh_process(fn, *args):
    """Run ``fn(*args)`` in a forked child and return its result (pickled through a pipe).

    espeak-ng keeps synthesis state across utterances (phone durations drift by a few
    samples from one call to the next, and more after other voices), so its output would
    depend on what the process synthesised before. Each batch therefore runs in a child
    forked from a process that never initialised the library: the same batch always
    starts from the same state. (os.fork, as pool workers may not start multiprocessing
    children.)
    """
    if "espeak" in _ENGINES:
        raise TTSError("espeak-ng was initialised in this process; batches must start from a clean state")
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        code = 0
        try:
            os.close(r)
            try:
                data = pickle.dumps((True, fn(*args)), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:  # noqa: BLE001 - reported to the parent
                data = pickle.dumps((False, traceback.format_exc()))
            with os.fdopen(w, "wb") as f:
                f.write(data)
        except BaseException:  # noqa: BLE001
            code = 1
        finally:
            os._exit(code)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    if not data:
        raise TTSError(f"synthesis child process failed (wait status {status})")
    ok, res = pickle.loads(data)
    if not ok:
        raise TTSError(f"synthesis failed in the child process:\n{res}")
    return res


def _synth_in_process(reqs: list[SynthRequest]) -> list[SynthResult]:
    out = []
    for r in reqs:
        # espeak-ng and flite draw noise from libc's rand(), whose state is per process:
        # reseed it from the request so the audio does not depend on earlier requests.
        _LIBC.srand(_request_seed(r))
        out.append(engine(r.voice.engine).synth(r))
    return out


def _espeak_batch(reqs: list[SynthRequest]) -> list[SynthResult]:
    _synth_in_process([_ESPEAK_WARMUP])
    return _synth_in_process(reqs)


def synthesize(reqs: list[SynthRequest]) -> list[SynthResult]:
    """Synthesize many requests: festival ones in one festival process, espeak-ng ones in one
    fresh child process, flite ones here. The result of a batch depends only on the batch."""
    out: list[SynthResult | None] = [None] * len(reqs)
    fest = [i for i, r in enumerate(reqs) if r.voice.engine == "festival"]
    if fest:
        for i, r in zip(fest, engine("festival").synth_many([reqs[i] for i in fest])):
            out[i] = r
    esp = [i for i, r in enumerate(reqs) if r.voice.engine == "espeak"]
    if esp:
        for i, r in zip(esp, _in_fresh_process(_espeak_batch, [reqs[i] for i in esp])):
            out[i] = r
    rest = [i for i, r in enumerate(reqs) if out[i] is None]
    for i, r in zip(rest, _synth_in_process([reqs[i] for i in rest])):
        out[i] = r
    return out  # type: ignore[return-value]
