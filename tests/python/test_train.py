# etch.train and etch.distill against `etch train` and `etch distill`: the same
# options and seed give the same model file, byte for byte, and the same report.
import os
import signal
import threading

import numpy as np
import pytest

import etch
from conftest import FIXTURE, cli, cli_error, cli_json, drop_timings

TRAIN = "fashion-mnist:train:512"
TEST = "fashion-mnist:test:256"


def _no_rates(report):
    """A report without wall-clock figures: drop_timings and images per second."""
    r = drop_timings(report)
    for e in r.get("epochs") or []:
        e.pop("images_per_sec", None)
        e.pop("samples_per_sec", None)
    return r


def _same_file_and_report(model, path, want, py_path):
    assert py_path.read_bytes() == path.read_bytes()
    model.save(py_path.with_suffix(".saved.onnx"))  # the returned Model is the file's graph
    assert py_path.with_suffix(".saved.onnx").read_bytes() == path.read_bytes()
    got = dict(model.report)
    assert got.pop("output") == str(py_path) and want.pop("output") == str(path)
    assert _no_rates(got) == _no_rates(want)


def test_train_arch_matches_cli_with_every_option(tmp_path):
    opts = dict(epochs=1, batch_size=64, optimizer="sgd", lr=0.05, weight_decay=0.0, label_smoothing=0.1,
                schedule="step", crop_padding=2, flip=True, seed=3)
    flags = ["--epochs", 1, "--batch-size", 64, "--optimizer", "sgd", "--lr", 0.05, "--weight-decay", 0.0,
             "--label-smoothing", 0.1, "--schedule", "step", "--crop-padding", 2, "--flip", "--seed", 3]
    want = cli_json("train", "--arch", "lenet5", "--data", TRAIN, "--eval", TEST, *flags, "-o", tmp_path / "c.onnx")
    m = etch.train(arch="lenet5", data=TRAIN, eval=TEST, output=tmp_path / "p.onnx", **opts)
    _same_file_and_report(m, tmp_path / "c.onnx", want, tmp_path / "p.onnx")
    assert m.report["best_epoch"] == 1 and m.report["epochs"][0]["test_accuracy"] > 0.1
    # Without output= nothing is written and the Model is the same.
    again = etch.train(arch="lenet5", data=TRAIN, eval=TEST, **opts)
    assert again.report["output"] is None
    again.save(tmp_path / "again.onnx")
    assert (tmp_path / "again.onnx").read_bytes() == (tmp_path / "c.onnx").read_bytes()
    # Another seed: other initial weights and batches, another model.
    other = etch.train(arch="lenet5", data=TRAIN, eval=TEST, **{**opts, "seed": 4})
    other.save(tmp_path / "other.onnx")
    assert (tmp_path / "other.onnx").read_bytes() != (tmp_path / "c.onnx").read_bytes()


def test_finetune_from_numpy_batches_matches_cli_on_npz(tmp_path):
    rng = np.random.default_rng(11)
    x = rng.random((192, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, 192, dtype=np.int64)
    np.savez(tmp_path / "d.npz", x=x, y=y)
    want = cli_json("train", "--init", FIXTURE, "--data", f"npz:{tmp_path / 'd.npz'}", "--eval", TEST,
                    "--no-augment", "-o", tmp_path / "c.onnx")
    # (x, y) batches as a DataLoader yields them; init as a Model.
    batches = [(x[i:i + 64], y[i:i + 64]) for i in range(0, 192, 64)]
    m = etch.train(init=etch.load(FIXTURE), data=batches, eval=TEST, augment=False, output=tmp_path / "p.onnx")
    _same_file_and_report(m, tmp_path / "c.onnx", want, tmp_path / "p.onnx")
    assert 0 < m.report["accuracy_before"] <= 1
    # eval=None (or "none"): the best epoch by training accuracy, no accuracy_before.
    want = cli_json("train", "--init", FIXTURE, "--data", f"npz:{tmp_path / 'd.npz'}", "--eval", "none",
                    "-o", tmp_path / "c2.onnx")
    m = etch.train(init=FIXTURE, data=[(x, y)], eval=None, output=tmp_path / "p2.onnx")
    _same_file_and_report(m, tmp_path / "c2.onnx", want, tmp_path / "p2.onnx")
    assert "accuracy_before" not in m.report and m.report["epochs"][0]["test_accuracy"] == -1


def test_distill_matches_cli(tmp_path):
    want = cli_json("distill", "--teacher", FIXTURE, "--student-arch", "mlp", "--temperature", 2, "--alpha", 0.7,
                    "--data", TRAIN, "--eval", TEST, "--epochs", 1, "--batch-size", 64, "--lr", 0.003, "--seed", 5,
                    "-o", tmp_path / "c.onnx")
    m = etch.distill(FIXTURE, student_arch="mlp", temperature=2.0, alpha=0.7, data=TRAIN, eval=TEST, epochs=1,
                     batch_size=64, lr=0.003, seed=5, output=tmp_path / "p.onnx")
    _same_file_and_report(m, tmp_path / "c.onnx", want, tmp_path / "p.onnx")
    assert m.report["temperature"] == 2.0 and m.report["alpha"] == pytest.approx(0.7)


def test_distill_into_a_model_without_teacher_cache_matches_cli(tmp_path):
    cli("train", "--arch", "mlp", "--data", TRAIN, "--eval", "none", "--epochs", 1, "-o", tmp_path / "s.onnx")
    want = cli_json("distill", "--teacher", FIXTURE, "--student", tmp_path / "s.onnx", "--no-teacher-cache",
                    "--data", TRAIN, "--eval", "none", "-o", tmp_path / "c.onnx")
    m = etch.distill(etch.load(FIXTURE), student=tmp_path / "s.onnx", teacher_cache=False, data=TRAIN, eval="none",
                     output=tmp_path / "p.onnx")
    _same_file_and_report(m, tmp_path / "c.onnx", want, tmp_path / "p.onnx")


def test_distill_without_labels_matches_cli_output_matching(tmp_path, images):
    # Arrays with no labels: the student (the fixture pruned, not fine-tuned)
    # learns every output of the teacher; same file and report as the CLI.
    cli("prune", FIXTURE, "--sparsity", 0.8, "--finetune-epochs", 0, "-o", tmp_path / "s.onnx")
    np.save(tmp_path / "x.npy", images)
    opts = dict(epochs=2, batch_size=16, lr=1e-3, seed=2)
    want = cli_json("distill", "--teacher", FIXTURE, "--student", tmp_path / "s.onnx", "--data",
                    f"npy:{tmp_path / 'x.npy'}", "--epochs", 2, "--batch-size", 16, "--lr", 1e-3, "--seed", 2,
                    "-o", tmp_path / "c.onnx")
    m = etch.distill(FIXTURE, student=tmp_path / "s.onnx", data=images, output=tmp_path / "p.onnx", **opts)
    _same_file_and_report(m, tmp_path / "c.onnx", want, tmp_path / "p.onnx")
    assert "temperature" not in m.report and len(m.report["epochs"]) == 2
    assert m.report["best_sqnr_db"] > m.report["sqnr_before_db"]
    # An eval set given is used (the default Fashion-MNIST one is not: no labels to pair).
    half = etch.distill(FIXTURE, student=tmp_path / "s.onnx", data=images, eval=images[:3], **opts)
    assert half.report["sqnr_before_db"] != m.report["sqnr_before_db"]


def test_training_reports_progress():
    seen = []
    etch.set_progress(lambda label, done, total: seen.append((label, done, total)))
    try:
        etch.train(arch="mlp", data=TRAIN, eval="none", epochs=2, batch_size=128)
    finally:
        etch.set_progress(None)
    steps = [s for s in seen if s[0] == "training"]
    assert steps[-1] == ("training", 8, 8) and len(steps) == 8  # 512 / 128 per epoch, two epochs


def test_ctrl_c_interrupts_training(sigint_raises, tmp_path):
    # An epoch of lenet5 on the whole training split takes many seconds; SIGINT
    # raises KeyboardInterrupt out of the step loop before any checkpoint.
    done = []
    timer = threading.Timer(2.0, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            etch.train(arch="lenet5", epochs=1, eval="none", output=tmp_path / "m.onnx")
            done.append(True)
    finally:
        timer.cancel()
    assert not done and not (tmp_path / "m.onnx").exists()


def test_unknown_architecture_is_the_cli_message(tmp_path):
    want = cli_error("train", "--arch", "vgg", "-o", tmp_path / "m.onnx")
    assert "vgg" in want and "lenet5" in want
    with pytest.raises(etch.InvalidInput) as e:
        etch.train(arch="vgg")
    assert str(e.value) == want
    want = cli_error("distill", "--teacher", FIXTURE, "--student-arch", "vgg", "-o", tmp_path / "m.onnx")
    with pytest.raises(etch.InvalidInput) as e:
        etch.distill(FIXTURE, student_arch="vgg")
    assert str(e.value) == want
    assert not (tmp_path / "m.onnx").exists()


def test_bad_arguments(tmp_path):
    with pytest.raises(etch.InvalidInput, match="missing.onnx"):
        etch.distill(tmp_path / "missing.onnx", student_arch="mlp")
    with pytest.raises(etch.InvalidInput, match="give exactly one of arch= or init="):
        etch.train()
    with pytest.raises(etch.InvalidInput, match="give exactly one of arch= or init="):
        etch.train(arch="mlp", init=FIXTURE)
    with pytest.raises(etch.InvalidInput, match="give exactly one of student= or student_arch="):
        etch.distill(FIXTURE)
    with pytest.raises(etch.InvalidInput, match="has no labels"):
        etch.train(arch="mlp", data=np.zeros((128, 1, 28, 28), np.float32), eval=None)
    with pytest.raises(etch.InvalidInput, match="temperature"):
        etch.distill(FIXTURE, student_arch="mlp", temperature=0.0, data=TRAIN, eval=None)
