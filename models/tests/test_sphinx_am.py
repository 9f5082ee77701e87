"""pocketsphinx's en-us acoustic model read as a probe encoder (parley.realvoice.sphinx_am).

Needs Debian's pocketsphinx-en-us, libsphinxbase3 and hedgewars-data (scripts/setup-debian.sh); without them
these tests fail and say so.
"""
import ctypes
import ctypes.util
import shutil

import numpy as np
import pytest
import torch

from parley.corpus.phones import PHONES, SIL, frame_labels
from parley.corpus.tts import SynthRequest, Voice, synthesize
from parley.layout import MOTION_FPS, SAMPLE_RATE, SAMPLES_PER_FRAME
from parley.realvoice import lines
from parley.realvoice.align import decode_audio
from parley.realvoice.sphinx_am import MODEL_DIR, FrontEnd, SphinxEncoder, read_gaussians

LINE = lines.VOICES_DIR / "Default" / "Comeonthen.ogg"  # "come on then", cut tight


@pytest.fixture(scope="module")
def encoder():
    if not MODEL_DIR.is_dir() or not LINE.is_file():
        pytest.fail(f"missing {MODEL_DIR} or {LINE}: run scripts/setup-debian.sh")
    return SphinxEncoder()


def sphinxbase_cepstra(pcm: np.ndarray, front: FrontEnd) -> np.ndarray:
    """Cepstra from libsphinxbase's own front-end, its noise removal off as in the encoder."""
    name = ctypes.util.find_library("sphinxbase")
    if name is None:
        pytest.fail("libsphinxbase not found: run scripts/setup-debian.sh (pocketsphinx)")
    lib = ctypes.CDLL(name)
    for fn in ("fe_get_args", "cmd_ln_init", "fe_init_auto_r"):
        getattr(lib, fn).restype = ctypes.c_void_p
    args = {"-samprate": "16000", "-lowerf": str(front.lowerf), "-upperf": str(front.upperf),
            "-nfilt": str(front.nfilt), "-transform": "dct", "-lifter": str(front.lifter), "-remove_noise": "no",
            "-remove_silence": "no", "-dither": "no"}
    argv = [ctypes.c_char_p(s.encode()) for kv in args.items() for s in kv]
    config = lib.cmd_ln_init(None, ctypes.c_void_p(lib.fe_get_args()), 1, *argv, None)
    fe = ctypes.c_void_p(lib.fe_init_auto_r(ctypes.c_void_p(config)))
    samples = np.clip(np.round(pcm * 32768.0), -32768, 32767).astype(np.int16)
    out = np.zeros((len(samples) // front.hop + 4, front.ncep), np.float32)
    rows = (ctypes.POINTER(ctypes.c_float) * len(out))(*[r.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
                                                          for r in out])
    left, frames, tail = ctypes.c_size_t(len(samples)), ctypes.c_int32(len(out)), ctypes.c_int32(0)
    lib.fe_start_utt(fe)
    lib.fe_process_frames(fe, ctypes.pointer(samples.ctypes.data_as(ctypes.POINTER(ctypes.c_int16))),
                          ctypes.byref(left), rows, ctypes.byref(frames), None)
    lib.fe_end_utt(fe, rows[frames.value], ctypes.byref(tail))
    lib.fe_free(fe)
    return out[:frames.value + tail.value]


def test_cepstra_match_sphinxbase_on_a_real_line(encoder):
    pcm = decode_audio(LINE)
    ours, theirs = encoder.front.mfcc(pcm), sphinxbase_cepstra(pcm, encoder.front)
    # sphinxbase pads the last partial frame; every whole frame agrees to float32 rounding
    assert len(theirs) == len(ours) + 1
    diff = np.abs(ours - theirs[:len(ours)])
    assert diff.max() < 0.02, diff.max(0)
    assert np.abs(theirs).max() > 10.0  # not two silent outputs agreeing


def test_the_model_files_read_as_phone_tied_gaussians(encoder):
    assert encoder.means.shape == encoder.vars.shape == (42, 3, 128, 13)
    assert encoder.phones[:4] == ["+NSN+", "+SPN+", "AA", "AE"] and "M" in encoder.phones and "SIL" in encoder.phones
    assert encoder.ci_senones == 126 and list(encoder.book[:4]) == [0, 0, 0, 1]
    # Each CI senone's mixture weights are a distribution in every stream (up to their 8-bit quantisation).
    total = np.log(np.exp(encoder.log_w).sum(1))
    assert encoder.log_w.shape == (3, 128, 126) and np.abs(total).max() < 0.15, np.abs(total).max()


def test_it_hears_the_phones_of_a_flite_voice(encoder):
    """flite's slt is a voice of CMU ARCTIC recordings: the model, read right, names most of its frames
    from the acoustics alone (its best CI senone per 40 ms frame; 62% of speech frames, chance is 3%)."""
    (said,) = synthesize([SynthRequest("The brave man bought a map of the big bay before dawn.",
                                       Voice("flite", "slt"))])
    assert said.sample_rate == SAMPLE_RATE
    frames = len(said.audio) // SAMPLES_PER_FRAME
    scores = encoder(torch.from_numpy(said.audio[:frames * SAMPLES_PER_FRAME].astype(np.float32))[None])[0]
    assert scores.shape == (frames, 126) and float(scores.max()) <= 0.0
    best = [encoder.phones[encoder.book[k]] for k in scores.argmax(1).numpy()]
    heard = np.array([PHONES.index(p) if p in PHONES else PHONES.index(SIL) for p in best])
    truth = np.asarray(frame_labels(said.phones, frames, MOTION_FPS))
    speech = truth != PHONES.index(SIL)
    assert (heard[speech] == truth[speech]).mean() > 0.5
    assert (heard[~speech] == truth[~speech]).mean() > 0.7


def test_a_front_end_it_does_not_reproduce_is_refused(tmp_path):
    params = tmp_path / "feat.params"
    params.write_text("-lowerf 130\n-model ms\n")
    with pytest.raises(ValueError, match=r"feat.params: -model is 'ms', expected 'ptm'"):
        FrontEnd.read(params)


def test_a_truncated_gaussian_file_is_refused(tmp_path):
    if not MODEL_DIR.is_dir():
        pytest.fail(f"missing {MODEL_DIR}: run scripts/setup-debian.sh")
    cut = tmp_path / "means"
    shutil.copy(MODEL_DIR / "means", cut)
    whole = cut.read_bytes()
    cut.write_bytes(whole[:60])
    with pytest.raises(ValueError, match="means: ends at byte 60, inside its header"):
        read_gaussians(cut)
    cut.write_bytes(whole[:1000])
    with pytest.raises(ValueError, match="means: declares 209664 values, holds 2"):
        read_gaussians(cut)
    cut.write_bytes(b"s3\nversion 1.0\n")
    with pytest.raises(ValueError, match="not a little-endian sphinx s3 file"):
        read_gaussians(cut)
