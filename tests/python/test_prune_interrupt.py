# etch.prune against `etch prune`; Ctrl-C during long work; the progress callback.
import os
import signal
import threading

import numpy as np
import pytest

import etch
from conftest import FIXTURE, cli, cli_json


def test_prune_matches_cli(tmp_path, images):
    want = cli_json("prune", FIXTURE, "--sparsity", 0.6, "--eval", "none", "-o", tmp_path / "p.onnx")
    p = etch.prune(FIXTURE, sparsity=0.6, eval="none")
    assert np.array_equal(p.run(images)["logits"], etch.load(tmp_path / "p.onnx").run(images)["logits"])
    for k in ("params_before", "params_after", "weight_sparsity", "layers", "structure", "sparsity"):
        assert p.report[k] == want[k], k


def test_prune_nm_and_bad_options():
    p = etch.prune(FIXTURE, structure="2:4", eval="none")
    assert p.report["structure"] == "2:4" and p.report["sparsity"] == 0.5
    with pytest.raises(etch.InvalidInput, match="contradicts --structure 2:4"):
        etch.prune(FIXTURE, structure="2:4", sparsity=0.3, eval="none")
    with pytest.raises(etch.InvalidInput, match="unknown --scope 'wide'"):
        etch.prune(FIXTURE, scope="wide", eval="none")


def test_progress_callback_sees_calibration():
    seen = []
    etch.set_progress(lambda label, done, total: seen.append((label, done, total)))
    try:
        etch.quantize(FIXTURE, calibration=np.zeros((32, 1, 28, 28), np.float32) + 0.5, calib_samples=32)
    finally:
        etch.set_progress(None)
    assert seen and seen[-1][0] == "calibrating" and seen[-1][1] == seen[-1][2] == 32


def test_ctrl_c_interrupts_a_long_quantize(sigint_raises):
    # Calibrating on the whole training set takes many seconds; SIGINT after a
    # moment must raise KeyboardInterrupt out of the C++ loop.
    done = []
    timer = threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            etch.quantize(FIXTURE, calibration="fashion-mnist:train", calib_samples=60000, calibrator="minmax")
            done.append(True)
    finally:
        timer.cancel()
    assert not done


def test_ctrl_c_interrupts_fine_tuning(sigint_raises):
    # A whole epoch of fine-tuning after pruning; the training loop checks for
    # Ctrl-C at every step.
    done = []
    timer = threading.Timer(2.0, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            etch.prune(FIXTURE, finetune_epochs=3, eval="none")
            done.append(True)
    finally:
        timer.cancel()
    assert not done
