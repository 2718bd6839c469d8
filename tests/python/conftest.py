# pytest for `import etch` (run by ctest with PYTHONPATH=build/python and
# ETCH_BINARY=build/etch). Results are compared with the etch executable's on
# the same inputs: outputs bit for bit, statistics equal.
import json
import os
import signal
import subprocess
from pathlib import Path

import numpy as np
import pytest

SOURCE = Path(__file__).resolve().parents[2]
FIXTURE = SOURCE / "fixtures" / "cnn.onnx"
FIXTURE_INPUT = SOURCE / "fixtures" / "cnn_input.npy"


def etch_binary() -> str:
    b = os.environ.get("ETCH_BINARY")
    if not b:
        pytest.fail("ETCH_BINARY not set: run the Python tests through ctest")
    return b


def cli(*args, check=True):
    """Runs the etch executable; returns the CompletedProcess (text)."""
    r = subprocess.run([etch_binary(), "--quiet", *map(str, args)], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise AssertionError(f"etch {' '.join(map(str, args))} failed ({r.returncode}): {r.stderr}")
    return r


def cli_json(*args):
    return json.loads(subprocess.run([etch_binary(), *map(str, args), "--json"], capture_output=True, text=True,
                                     check=True).stdout)


def cli_error(*args) -> str:
    """The one line the CLI prints for a failing command, without "etch: <kind>: "."""
    r = cli(*args, check=False)
    assert r.returncode == 2, r.stderr
    line = r.stderr.strip().splitlines()[-1]
    return line.split(": ", 2)[2]


def drop_timings(x):
    """A report without wall-clock figures (they differ between any two runs)."""
    if isinstance(x, dict):
        return {k: drop_timings(v) for k, v in x.items()
                if "seconds" not in k and "per_second" not in k and k not in ("created", "generated")}
    if isinstance(x, list):
        return [drop_timings(v) for v in x]
    return x


@pytest.fixture(scope="session")
def images():
    return np.load(FIXTURE_INPUT)


@pytest.fixture(scope="session")
def calib(tmp_path_factory):
    """64 seeded images in [0, 1] as .npy, for CLI (npy:FILE) and Python alike."""
    x = np.random.default_rng(7).random((64, 1, 28, 28), dtype=np.float32)
    path = tmp_path_factory.mktemp("calib") / "calib.npy"
    np.save(path, x)
    return x, path


@pytest.fixture(scope="session")
def cli_quantized(tmp_path_factory, calib):
    """The fixture quantized by the CLI on `calib`, and compiled for edge."""
    d = tmp_path_factory.mktemp("cli")
    cli("quantize", FIXTURE, "--data", f"npy:{calib[1]}", "--test", "none", "--calib-samples", 64, "-o",
        d / "q.onnx")
    cli("compile", d / "q.onnx", "--target", "edge", "-o", d / "q.npu")
    return d


@pytest.fixture
def sigint_raises():
    # A shell starting ctest in the background leaves SIGINT ignored, and then
    # Python installs no handler: put Python's default one in place.
    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, old)
