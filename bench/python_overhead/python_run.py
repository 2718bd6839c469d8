"""Times etch.Model.run at batch 1 as bench_runtime times the interpreter: the
same seeded-uniform-like input shape, warm-up 3, then runs for SECONDS; prints images/s.
    python_run.py MODEL.onnx SECONDS THREADS"""
import sys
import time

import numpy as np

import etch

model, seconds, threads = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
etch.set_threads(threads)
m = etch.load(model)
x = np.random.default_rng(42).random((1, 1, 28, 28), dtype=np.float32)
for _ in range(3):
    m.run(x)
runs, t0 = 0, time.perf_counter()
elapsed = 0.0
while runs < 3 or elapsed < seconds:
    m.run(x)
    runs += 1
    elapsed = time.perf_counter() - t0
print(f"{runs / elapsed:.3f}")
