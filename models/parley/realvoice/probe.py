"""Frame phone accuracy of a frozen audio encoder: a linear probe.

Shipped packs export the audio encoder without a phone head (1.3.0's was an auxiliary training loss),
so every encoder is measured the same way: features of corpus train clips (window after window, as the
runtime encodes), a multinomial logistic regression on them (standardised features, L2 weight decay,
full-batch L-BFGS, fixed seed and iterations), then its frame accuracy on other frames whose phone is
known (corpus held-out voices, aligned real voices). Any ``parley.model`` audio encoder works: the
probe only calls ``encoder(pcm [B, S]) -> [B, S/640, D]``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from parley.corpus.phones import PHONES, SIL
from parley.layout import SAMPLES_PER_FRAME

Encoder = Callable[[torch.Tensor], torch.Tensor]


@dataclass
class ProbeConfig:
    train_clips: int = 240  # corpus train clips (round robin over speakers)
    iterations: int = 150  # L-BFGS iterations
    weight_decay: float = 1e-3
    batch_windows: int = 16


SPHINX_NAME = "pocketsphinx en-us"  # the phone-probe job's name for parley.realvoice.sphinx_am's encoder


@torch.no_grad()
def encode(encoder: Encoder, pcm: np.ndarray, frames: int, window: int, batch: int = 16) -> np.ndarray:
    """Features [frames, D] of one clip, encoded window by window (zero-padded to whole windows)."""
    spw = window * SAMPLES_PER_FRAME
    n_win = max(1, -(-frames // window))
    x = np.zeros(n_win * spw, np.float32)
    x[: min(len(pcm), len(x))] = pcm[: len(x)]
    wins = torch.from_numpy(x.reshape(n_win, spw))
    out = torch.cat([encoder(wins[i:i + batch]) for i in range(0, n_win, batch)])
    return out.reshape(n_win * window, -1)[:frames].numpy()


@dataclass
class LinearProbe:
    mean: np.ndarray
    std: np.ndarray
    weight: torch.Tensor  # [D, n_phones]
    bias: torch.Tensor

    @torch.no_grad()
    def predict(self, feats: np.ndarray) -> np.ndarray:
        z = torch.from_numpy(((feats - self.mean) / self.std).astype(np.float32))
        return (z @ self.weight + self.bias).argmax(-1).numpy()


def train_probe(feats: np.ndarray, labels: np.ndarray, cfg: ProbeConfig = ProbeConfig()) -> LinearProbe:
    """Softmax regression over all of PHONES (silence included) on [N, D] features."""
    torch.manual_seed(0)
    mean, std = feats.mean(0), feats.std(0) + 1e-6
    z = torch.from_numpy(((feats - mean) / std).astype(np.float32))
    y = torch.from_numpy(np.asarray(labels, np.int64))
    w = torch.zeros(z.shape[1], len(PHONES), requires_grad=True)
    b = torch.zeros(len(PHONES), requires_grad=True)
    opt = torch.optim.LBFGS([w, b], lr=1.0, max_iter=cfg.iterations, history_size=20,
                            line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(z @ w + b, y) + cfg.weight_decay * (w * w).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return LinearProbe(mean, std, w.detach(), b.detach())


def accuracy(probe: LinearProbe, feats: np.ndarray, labels: np.ndarray) -> dict[str, float | int]:
    """Frame accuracy over all frames and over speech frames (label not silence)."""
    pred = probe.predict(feats)
    labels = np.asarray(labels)
    speech = labels != PHONES.index(SIL)
    return {"frame_accuracy": float((pred == labels).mean()) if len(labels) else float("nan"),
            "speech_frame_accuracy": float((pred[speech] == labels[speech]).mean()) if speech.any() else float("nan"),
            "frames": int(len(labels)), "speech_frames": int(speech.sum())}


# ------------------------------------------------------------------ the phone-probe job
def head_accuracy(head: Callable[[torch.Tensor], torch.Tensor], feats: np.ndarray, labels: np.ndarray
                  ) -> dict[str, float | None]:
    """A trained phone head's own accuracy on speech frames, and how it reads p/b/m: the share of bilabial
    frames it calls a bilabial (found) and of other speech frames it calls one (false)."""
    from parley.corpus.phones import BILABIALS

    with torch.no_grad():
        pred = head(torch.from_numpy(np.asarray(feats, np.float32))).argmax(-1).numpy()
    labels = np.asarray(labels)
    bil = np.array([p in BILABIALS for p in PHONES])
    speech, is_bil = labels != PHONES.index(SIL), bil[labels]
    return {"head_speech_frame_accuracy": float((pred[speech] == labels[speech]).mean()) if speech.any() else None,
            "bilabial_found": float(bil[pred[is_bil]].mean()) if is_bil.any() else None,
            "bilabial_false": float(bil[pred[speech & ~is_bil]].mean()) if (speech & ~is_bil).any() else None}


def main(argv: list[str] | None = None) -> int:
    """``python3 -m parley phone-probe --data CORPUS --real-voices DIR --out JSON ENCODER...``: how phonetic
    each encoder is (a checkpoint's, with its phone head, or a pack's), on the corpus's held-out voices and
    every real-voice split that has clips (:func:`parley.realvoice.evaluate.probe_encoder`). The figures of
    docs/pack-2.0-candidate/phone-probes-v4.json."""
    import argparse
    import json
    from pathlib import Path

    from parley.corpus.dataset import Corpus
    from parley.model.evaluate import load_pack
    from parley.model.train import load_checkpoint
    from parley.realvoice.dataset import RealVoices
    from parley.realvoice.evaluate import probe_encoder

    p = argparse.ArgumentParser(prog="python3 -m parley phone-probe", description=main.__doc__)
    p.add_argument("encoders", nargs="*", type=Path, help="checkpoints (.pt, phone head scored too) or pack folders")
    p.add_argument("--sphinx", action="store_true",
                   help="probe pocketsphinx's en-us acoustic model (learnt from human speech) too")
    p.add_argument("--data", type=Path, required=True, help="a built corpus")
    p.add_argument("--real-voices", type=Path, required=True, help="a real-voice dataset (python3 -m parley realvoice)")
    p.add_argument("--train-clips", type=int, default=ProbeConfig.train_clips,
                   help="corpus train clips the probe learns on")
    p.add_argument("--real-cents", type=int, default=0,
                   help="shift the real lines' pitch (and formants) by this much first, as the aligner tries them")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args(argv)
    if not a.encoders and not a.sphinx:
        p.error("name at least one checkpoint or pack, or --sphinx")
    torch.set_num_threads(a.threads)
    corpus, voices = Corpus(a.data), RealVoices(a.real_voices)
    real = {split: [c.pitched(a.real_cents) for c in clips]
            for split in ("dev", "eval", "independent") if (clips := voices.clips(split))}
    out: dict = {"train_clips": a.train_clips, "real_cents": a.real_cents, "encoders": {}}

    def encoders():
        for path in a.encoders:
            checkpoint = path.suffix == ".pt"
            model = load_checkpoint(path)[0] if checkpoint else load_pack(path)[0]
            yield (f"{path.parent.name}/{path.name}" if checkpoint else path.name, model.audio.eval(),
                   model.cfg.window, model.audio.phone_logits if checkpoint else None)
        if a.sphinx:
            from parley.model.config import BASE
            from parley.realvoice.sphinx_am import SphinxEncoder

            sphinx = SphinxEncoder()
            yield SPHINX_NAME, sphinx, BASE.window, sphinx.phone_logits

    for name, encoder, window, head in encoders():
        res = probe_encoder(encoder, window, corpus, real, ProbeConfig(a.train_clips), head=head)
        out["encoders"][name] = res
        print(name, {s: round(r["speech_frame_accuracy"], 3) for s, r in res.items()}, flush=True)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(out, indent=1))
    return 0
