#!/usr/bin/env python3
"""etch's int8 .tflite export run in TFLite's own runtime against etch's integer reference.

usage: python3 bench/tflite_export_vs_etch.py MODEL.int8.onnx [--count 1000] [--etch BINARY]

MODEL.int8.onnx is a QDQ model from `etch quantize` with a [N, 1, 28, 28]
input. The first COUNT Fashion-MNIST test images (pixel / 255, as etch's
fashion-mnist loader) are the input. The script runs

  etch export MODEL -o m.tflite --batch COUNT --integer-onnx m.int.onnx
  etch run m.int.onnx          (etch's integer reference kernels on the exported integer graph)
  node bench/tflite_run.mjs m.tflite   (TFLite's WASM runtime; bench/tflite_run.mjs)
  etch export m.tflite -o m2.tflite --integer-onnx back.int.onnx
  etch run back.int.onnx       (round trip: etch's importer on the exported file, lowered to
                                etch's integer ops again, against the exported integer graph)

and prints, per output, the share of elements identical and the largest
difference in int8 steps (the output's scale is the smallest gap between
distinct output values, which on thousands of logits is one step), for
TFLite vs etch's integer reference and for the round trip, and how often
the top-1 class agrees. Needs numpy, node
and `npm install --ignore-scripts` in bench/, and Fashion-MNIST in
$ETCH_FASHION_MNIST_DIR (default /usr/share/datasets/fashion-mnist).
"""
import argparse
import gzip
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def test_images(count):
    d = os.environ.get("ETCH_FASHION_MNIST_DIR") or "/usr/share/datasets/fashion-mnist"
    with gzip.open(os.path.join(d, "t10k-images-idx3-ubyte.gz")) as f:
        raw = f.read()
    n, h, w = (int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(3))
    if count > n:
        sys.exit("Fashion-MNIST test has %d images, %d asked" % (n, count))
    px = np.frombuffer(raw, dtype=np.uint8, offset=16, count=count * h * w)
    return (px.astype(np.float32) / np.float32(255)).reshape(count, 1, h, w)


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("%s failed (%d): %s" % (" ".join(cmd), p.returncode, (p.stderr or p.stdout).strip()))
    return p.stdout


def etch_outputs(etch, model, x_path, out_dir):
    run([etch, "run", model, "--input", x_path, "--output-dir", out_dir])
    return {f[:-4]: np.load(os.path.join(out_dir, f)) for f in sorted(os.listdir(out_dir)) if f.endswith(".npy")}


def compare(label, a, b):
    a, b = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    values = np.unique(np.concatenate([a, b]))
    step = np.min(np.diff(values)) if len(values) > 1 else 1.0
    steps = np.rint(np.abs(a - b) / step).astype(np.int64)
    same = np.count_nonzero(steps == 0)
    print("%-34s %7d elements  identical %6.2f%% (%d differ)  max diff %d step(s) (step %.6g)"
          % (label, a.size, 100.0 * same / a.size, a.size - same, steps.max(initial=0), step))
    return same, a.size, int(steps.max(initial=0))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--etch", default=os.path.join(HERE, "..", "build", "etch"))
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        x_path = os.path.join(tmp, "x.npy")
        np.save(x_path, test_images(a.count))
        tfl, integer = os.path.join(tmp, "m.tflite"), os.path.join(tmp, "m.int.onnx")
        print(run([a.etch, "export", a.model, "-o", tfl, "--batch", str(a.count), "--integer-onnx", integer]).strip())
        ref = etch_outputs(a.etch, integer, x_path, os.path.join(tmp, "int"))
        run(["node", os.path.join(HERE, "tflite_run.mjs"), tfl, x_path, os.path.join(tmp, "tfl")])
        back_int = os.path.join(tmp, "back.int.onnx")
        run([a.etch, "export", tfl, "-o", os.path.join(tmp, "m2.tflite"), "--batch", str(a.count),
             "--integer-onnx", back_int])
        back = etch_outputs(a.etch, back_int, x_path, os.path.join(tmp, "back"))
        for i, name in enumerate(ref):
            got = np.load(os.path.join(tmp, "tfl%d.npy" % i))
            print("output '%s' %s" % (name, list(got.shape)))
            compare("TFLite vs etch integer reference", got, ref[name])
            compare("round trip: re-imported vs exported", list(back.values())[i], ref[name])
            compare("TFLite top-1 vs etch integer top-1", got.reshape(a.count, -1).argmax(1),
                    ref[name].reshape(a.count, -1).argmax(1))


if __name__ == "__main__":
    main()
