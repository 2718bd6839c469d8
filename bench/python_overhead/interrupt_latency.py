#!/usr/bin/env python3
"""How fast Ctrl-C stops a long etch call from Python.

Runs `etch.quantize` with QAT on the fixture (about a minute of work) in a
fresh process per trial, sends SIGINT after DELAY seconds (the delays cover
data loading, calibration and training), and prints the time from the signal
to the KeyboardInterrupt reaching Python. Usage (PYTHONPATH=build/python):
  /usr/bin/python3 bench/python_overhead/interrupt_latency.py [DELAY ...]
"""
import os
import signal
import subprocess
import sys
import time

CHILD = r"""
import signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
import etch
m = etch.load("fixtures/cnn.onnx")
sys.stdout.write("ready\n"); sys.stdout.flush()
try:
    etch.quantize(m, calibration="fashion-mnist:train", test=None, calib_samples=2048, qat_epochs=3)
    print("finished")
except KeyboardInterrupt:
    print("interrupted %.6f" % time.time())
"""


def trial(delay: float) -> str:
    p = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True,
                         cwd=os.path.join(os.path.dirname(__file__), "..", ".."))
    assert p.stdout.readline().strip() == "ready"
    time.sleep(delay)
    sent = time.time()
    p.send_signal(signal.SIGINT)
    out = p.stdout.read().strip()
    p.wait()
    if out.startswith("interrupted"):
        return "%.3f s" % (float(out.split()[1]) - sent)
    return out or "exit %d" % p.returncode


if __name__ == "__main__":
    delays = [float(d) for d in sys.argv[1:]] or [0.05, 0.3, 0.8, 2, 5, 10, 20, 40]
    for d in delays:
        print("SIGINT after %5.2f s: stopped %s later" % (d, trial(d)), flush=True)
