"""Sampler distillation (parley.model.distil) on the tiny config: the student learns the teacher's
sample, runs one row per step, and a resumed run is the uninterrupted run."""
from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
import torch

from parley.model.config import TINY
from parley.model.diffusion import Schedule
from parley.model.distil import DistilConfig, distil, student_losses, student_model
from parley.model.network import build_model
from parley.model.sampler import Conditions, folded_sample
from parley.model.train import SyntheticDataset, make_batch, motion_stats

CFG = TINY


def _setup():
    teacher = build_model(CFG, 0).eval()
    for prm in teacher.parameters():
        prm.requires_grad_(False)
    data = SyntheticDataset(6, frames=40, seed=1, n_phones=CFG.audio.n_phones)
    mean, std = motion_stats(data)
    return teacher, data, mean, std


def _held_out_error(student, teacher, data, mean, std, cfg) -> dict[str, float]:
    batch = make_batch(data, teacher.cfg, mean, std, np.random.default_rng(99), 8)
    with torch.no_grad():
        losses = student_losses(student.denoiser, teacher, Schedule.from_config(CFG.diffusion), batch, cfg,
                                torch.Generator().manual_seed(99))
    return {k: float(v) for k, v in losses.items() if k.startswith("final")}


def test_the_student_learns_the_teachers_guided_sample():
    teacher, data, mean, std = _setup()
    cfg = DistilConfig(steps=(1, 2), teacher_steps=5, batch_size=8, lr=3e-3, warmup=1)
    student = student_model(teacher)
    before = _held_out_error(student, teacher, data, mean, std, cfg)
    distil(teacher, student, data, mean, std, cfg, max_steps=40, log=lambda _: None)
    after = _held_out_error(student, teacher, data, mean, std, cfg)
    for k in before:  # the teacher's encoders and weights are untouched; the student's sample moved
        assert after[k] < 0.5 * before[k], (k, before[k], after[k])
    assert all(torch.equal(a, b) for a, b in zip(teacher.audio.state_dict().values(),
                                                 student.audio.state_dict().values()))


def test_a_resumed_run_is_the_uninterrupted_run():
    teacher, data, mean, std = _setup()
    cfg = DistilConfig(steps=(2,), teacher_steps=3, batch_size=4, warmup=2)
    straight = student_model(teacher)
    distil(teacher, straight, data, mean, std, cfg, max_steps=4, log=lambda _: None)
    resumed = student_model(teacher)
    saved = {}
    distil(teacher, resumed, data, mean, std, cfg, max_steps=2, log=lambda _: None,
           on_step=lambda n, opt: saved.update(opt=opt.state_dict()))
    again = student_model(teacher)
    again.load_state_dict(resumed.state_dict())
    distil(teacher, again, data, mean, std, cfg, max_steps=4, start=2, opt_state=saved["opt"], log=lambda _: None)
    for (name, a), b in zip(straight.denoiser.state_dict().items(), again.denoiser.state_dict().values()):
        assert torch.allclose(a, b, atol=1e-6), name


def test_the_folded_sampler_runs_one_row_per_window_and_step():
    teacher, data, mean, std = _setup()
    rows = []

    def denoise(**inputs):
        rows.append((inputs["x_t"].shape[0], inputs["audio_mask"].tolist(), inputs["style_mask"].tolist()))
        return teacher.denoiser(**inputs)

    b = 3
    cond = Conditions(torch.zeros(b, CFG.previous, CFG.motion_dim), torch.ones(b),
                      torch.randn(b, CFG.window, CFG.audio.width), torch.randn(b, CFG.style.dim),
                      torch.randn(b, CFG.shape_dim))
    ab = Schedule.from_config(replace(CFG.diffusion)).alphas_cumprod
    trace: list[dict] = []
    x = folded_sample(denoise, torch.randn(b, CFG.window, CFG.motion_dim), cond, ab, [49, 24], trace)
    assert rows == [(b, [1.0] * b, [1.0] * b)] * 2
    assert [s["t"] for s in trace] == [49, 24] and torch.equal(x, trace[-1]["x0"])


def test_a_pack_with_a_student_exports_and_reads_back(tmp_path):
    from parley.model.export import distilled_section, export_pack, load_distilled_weights, load_pack_weights

    teacher, *_ = _setup()
    student = student_model(teacher).denoiser
    with torch.no_grad():
        for prm in student.parameters():
            prm.add_(0.01 * torch.randn(prm.shape, generator=torch.Generator().manual_seed(5)))
    section = distilled_section(2, CFG.diffusion.steps, default=True)
    assert section["timesteps"] == [49, 24] and section["guidance"] == "folded"
    pack = tmp_path / "pack"
    man = export_pack(teacher, pack, "tiny", "0.1.0", student=student, distilled=section)
    assert man["models"]["distilledDenoiser"] == "denoiser_distilled.onnx" and man["sampling"]["distilled"] == section
    assert "denoiser_distilled.onnx" in man["checksums"]
    model, *_ = load_pack_weights(pack, tmp_path / "probe")
    back = load_distilled_weights(pack, tmp_path / "probe", model)
    for (name, a), b in zip(student.state_dict().items(), back.state_dict().values()):
        assert torch.equal(a, b), name  # float16-exact: the graph holds the student's values exactly
    gold = json.loads((pack / "golden" / "golden.json").read_text())
    assert gold["tolerance"]["distilled"] == 1e-4 and len(gold["distilledDenoiser"]) == 1
    assert [(r["steps"], r["timesteps"], r["firstWindow"]) for r in gold["distilled"]] == \
        [(2, [49, 24], True), (2, [49, 24], False)]


def test_distil_evaluate_and_export_end_to_end(tmp_path):
    """The three commands of the model card on a tiny corpus: distil (and resume), evaluate side by side,
    export the student into the pack."""
    from parley.corpus import build
    from parley.model.distil import main as distil_main
    from parley.model.evaluate import main as evaluate_main
    from parley.model.export import main as export_main
    from parley.model.train import main as train_main, read_checkpoint

    corpus = tmp_path / "tiny"
    build.build("tiny", corpus, seed=3, workers=1, quiet=True)
    assert train_main(["--config", "tiny", "--dataset", "parley.model.data:train_split", "--data", str(corpus),
                       "--threads", "1", "--style-steps", "2", "--steps", "2", "--out", str(tmp_path / "t")]) == 0
    pack = tmp_path / "pack"
    assert export_main(["--checkpoint", str(tmp_path / "t" / "last.pt"), "--out", str(pack)]) == 0
    run = ["--teacher-pack", str(pack), "--data", str(corpus), "--steps", "1", "2", "--batch-size", "2",
           "--checkpoint-every", "1", "--out", str(tmp_path / "d")]
    assert distil_main(run + ["--max-steps", "1"]) == 0
    assert distil_main(run + ["--max-steps", "2"]) == 0  # resumes at step 1
    assert read_checkpoint(tmp_path / "d" / "last.pt")["steps"] == 2
    assert "resumed from" in (tmp_path / "d" / "train.log").read_text()
    out = tmp_path / "student.json"
    assert evaluate_main(["--teacher-pack", str(pack), "--student", str(tmp_path / "d" / "last.pt"), "--data",
                          str(corpus), "--student-steps", "1", "2", "--clips", "2", "--samples", "2", "--splits",
                          "heldout", "--out", str(out)]) == 0
    metrics = json.loads(out.read_text())
    held = metrics["splits"]["heldout"]["methods"]
    assert {"parley ddim-10", "parley ddim-2", "distilled-1", "distilled-2"} <= set(held)
    assert held["distilled-2"]["div_expr"] > 0
    assert set(metrics["acceptance"]["distilled-2 / ddim-10"]) == {"lve_mm", "mod_mm", "closure", "ba"}
    assert "distilled-2 within 5% of ddim-10 on LVE, MOD, closure, BA" in metrics["acceptance"]
    # The teacher's rows reused from that run: the same numbers, the student sampled again.
    again = tmp_path / "again.json"
    assert evaluate_main(["--teacher-pack", str(pack), "--student", str(tmp_path / "d" / "last.pt"), "--data",
                          str(corpus), "--student-steps", "1", "2", "--clips", "2", "--samples", "2", "--splits",
                          "heldout", "--reuse", str(out), "--out", str(again)]) == 0
    assert json.loads(again.read_text())["splits"] == metrics["splits"]
    with pytest.raises(ValueError, match="cannot be reused"):
        evaluate_main(["--teacher-pack", str(pack), "--student", str(tmp_path / "d" / "last.pt"), "--data",
                       str(corpus), "--clips", "1", "--samples", "2", "--splits", "heldout", "--reuse", str(out),
                       "--out", str(again)])
    assert export_main(["--from-pack", str(pack), "--student", str(tmp_path / "d" / "last.pt"), "--student-steps",
                        "2", "--student-default", "--out", str(tmp_path / "pack2")]) == 0
    man = json.loads((tmp_path / "pack2" / "manifest.json").read_text())
    assert man["sampling"]["distilled"]["default"] and man["sampling"]["distilled"]["timesteps"] == [49, 24]
    assert man["sampling"]["distilled"]["training"]["steps"] == 2
