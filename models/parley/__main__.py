"""One CLI entry per job: ``python3 -m parley <job> [options]``.

Each job lives in its own module with a ``main(argv)``; this file only dispatches.
"""
from __future__ import annotations

import importlib
import sys

# job name -> (module, one-line help)
JOBS: dict[str, tuple[str, str]] = {
    "head": ("parley.head.build", "generate the open head (.glb, spec, shape basis) into assets/"),
    "flame-import": ("parley.head.flame_import", "convert your licensed FLAME model (.pkl) into a head: glb, spec, shape"),
    "head-preview": ("parley.head.preview", "render software previews of the head to PNG"),
    "corpus": ("parley.corpus.build", "build the synthetic talking-face corpus (TTS speech + procedural motion)"),
    "corpus-plots": ("parley.corpus.plots", "plot a corpus clip and the style distribution for docs/"),
    "corpus-quality": ("parley.corpus.quality", "check a corpus: bilabial closure on the head, smoothness"),
    "train": ("parley.model.train", "train the style encoder, then the denoiser and audio encoder, on a corpus"),
    "distil": ("parley.model.distil", "distil the pack's 10-step guided sampler into a 1-4 step guidance-folded student"),
    "stream-train": ("parley.model.stream", "fine-tune a pack for streaming: short windows with 80 ms lookahead"),
    "adapt": ("parley.model.adapt", "fit an expression adapter (MoLoRA) to a reference take: an .adapter file"),
    "pose": ("parley.pose.cli", "the pose adapter (VQ-VAE, PoseGPT, style retrieval): train, export (evaluate --pose)"),
    "export": ("parley.model.export", "export a model pack (ONNX graphs, manifest, golden vectors) into packs/"),
    "realvoice": ("parley.realvoice.dataset", "align hedgewars' voice lines (pocketsphinx): the real-voice split"),
    "phone-probe": ("parley.realvoice.probe", "how phonetic audio encoders are: probes on held-out TTS and real voices"),
    "evaluate": ("parley.model.evaluate", "evaluate a pack's checkpoint and baselines on the corpus: metrics.json, plots"),
    "bench": ("parley.model.bench", "time the pack's ONNX graphs in ONNX Runtime (the 15 ms denoiser budget)"),
    "arkit-character": ("parley.retarget.character", "a second test head (ARKit-52 glb, VRM fixture) of another topology"),
    "retarget": ("parley.retarget.build", "author ARKit-52, Oculus viseme and VRM targets on the head; fit their solves"),
    "dialogue-lines": ("parley.dialogue", "speak the demo's dialogue lines (TTS + sox) into assets/Sounds/Dialogue as OGG"),
}


def usage() -> str:
    lines = ["usage: python3 -m parley <job> [options]", "", "jobs:"]
    lines += [f"  {name:<14} {help_}" for name, (_, help_) in JOBS.items()]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(usage())
        return 0
    job = argv[0]
    if job not in JOBS:
        print(f"unknown job '{job}'\n\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(JOBS[job][0])
    return int(module.main(argv[1:]) or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
