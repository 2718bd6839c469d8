#!/usr/bin/env python3
"""etch's .tflite import against TFLite's own runtime on one model.

usage: python3 bench/tflite_vs_etch.py MODEL.tflite [--etch BINARY] [--seed N] [--reference REF.tflite]

Draws one input per model input (uniform in [0, 1) for float inputs, the
whole range for int8/uint8), runs TFLite (bench/tflite_run.mjs) and `etch run`
on it, and prints per output the max abs difference, the expected output's
range and their ratio (the acceptance figure of issue 19 is <= 1e-4 for float
models). --reference runs TFLite on another model instead (for models TFLite
cannot run, e.g. MediaPipe's Convolution2DTransposeBias rewritten as builtin
TRANSPOSE_CONV). Needs node and `npm install --ignore-scripts` in bench/.
"""
import argparse
import json
import os
import random
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def write_npy(path, dtype, shape, values):
    descr, fmt = {"f32": ("<f4", "f"), "i8": ("|i1", "b"), "u8": ("|u1", "B")}[dtype]
    shape_str = "(%s,)" % shape[0] if len(shape) == 1 else "(%s)" % ", ".join(map(str, shape))
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape_str)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1"))
        f.write(struct.pack("<%d%s" % (len(values), fmt), *values))


def read_npy(path):
    b = open(path, "rb").read()
    hl = struct.unpack("<H", b[8:10])[0]
    header = b[10:10 + hl].decode("latin1")
    body = b[10 + hl:]
    fmt = {"'<f4'": "f", "'|i1'": "b", "'|u1'": "B", "'<i4'": "i"}[header.split("'descr': ")[1].split(",")[0]]
    return struct.unpack("<%d%s" % (len(body) // struct.calcsize(fmt), fmt), body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--etch", default=os.path.join(HERE, "..", "build", "etch"))
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--reference")
    a = ap.parse_args()
    model, etch, rng = a.model, a.etch, random.Random(a.seed)
    info = json.loads(subprocess.run([etch, "inspect", model, "--json"], check=True, capture_output=True).stdout)
    with tempfile.TemporaryDirectory() as tmp:
        files, args = [], []
        for i, inp in enumerate(info["inputs"]):
            n = 1
            for d in inp["shape"]:
                n *= d
            lo, hi = {"f32": (0.0, 1.0), "i8": (-128, 127), "u8": (0, 255)}[inp["dtype"]]
            vals = [rng.uniform(lo, hi) if inp["dtype"] == "f32" else rng.randint(lo, hi) for _ in range(n)]
            path = os.path.join(tmp, "in%d.npy" % i)
            write_npy(path, inp["dtype"], inp["shape"], vals)
            files.append(path)
            args += ["--input", "%s=%s" % (inp["name"], path)]
        subprocess.run(["node", os.path.join(HERE, "tflite_run.mjs"), a.reference or model, ",".join(files),
                        os.path.join(tmp, "tfl")], check=True, capture_output=True)
        out_dir = os.path.join(tmp, "etch")
        subprocess.run([etch, "run", model, "-o", out_dir, "--no-optimize"] + args, check=True, capture_output=True)
        worst = 0.0
        for i, out in enumerate(info["outputs"]):
            want = read_npy(os.path.join(tmp, "tfl%d.npy" % i))
            safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in out["name"])  # etch run's file names
            got = read_npy(os.path.join(out_dir, safe + ".npy"))
            diff = max(abs(a - b) for a, b in zip(got, want))
            rng_ = max(want) - min(want)
            ratio = diff / max(rng_, 1e-12)
            worst = max(worst, ratio)
            print("%s output %d '%s' %s: max abs diff %.3g, range %.3g, diff/range %.3g" %
                  (os.path.basename(model), i, out["name"], out["shape"], diff, rng_, ratio))
    return 0


if __name__ == "__main__":
    sys.exit(main())
