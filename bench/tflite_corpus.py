#!/usr/bin/env python3
"""etch against TFLite's own runtime on every TFLite model of the corpus, on a real image.

usage: python3 bench/tflite_corpus.py [--image IMAGE.png] [--etch BINARY] [--manifest FILE] [NAME ...]

For each `format = "tflite"` model of models/manifest.toml (or the NAMEs given)
the image is resized to each image input's size (bilinear, no crop) and
normalised as the manifest says, value = (pixel * scale - mean[c]) / std[c],
repeated along the batch axis. TFLite (bench/tflite_run.mjs) and `etch run`
both run on it; per output the script prints the max abs difference divided by
the TFLite output's range (its magnitude for a single-element output); the
model `etch convert` writes, run by ONNX Runtime (bench/onnx_vs_expected.mjs),
is compared with TFLite the same way; one markdown row per model. A model
using MediaPipe's custom Convolution2DTransposeBias, which TFLite cannot run,
is compared with TFLite on its rewrite as builtin TRANSPOSE_CONV
(bench/tflite_rewrite_tconv.py). A model that one side cannot run otherwise
is reported with that side's error. The image must be an 8-bit RGB/RGBA/gray PNG
(decoded here with zlib, so no imaging package is needed); the default is a
photograph of a person (face and upper body) from the calibration set
scripts/make_corpus_data.py writes. Needs node and
`npm install --ignore-scripts` in bench/, and the models fetched by
scripts/fetch_models.sh.
"""
import argparse
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import tomllib
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from tflite_rewrite_tconv import rewrite_file  # noqa: E402
from tflite_vs_etch import read_npy, write_npy  # noqa: E402


def read_png_rgb(path):
    """8-bit non-interlaced PNG -> (height, width, [r, g, b, ...] row-major)."""
    b = open(path, "rb").read()
    if b[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("%s: not a PNG file" % path)
    pos, idat, hdr = 8, b"", None
    while pos < len(b):
        n, kind = struct.unpack(">I4s", b[pos:pos + 8])
        body = b[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    channels = {0: 1, 2: 3, 6: 4}.get(ctype)
    if depth != 8 or channels is None or interlace:
        sys.exit("%s: only 8-bit gray/RGB/RGBA non-interlaced PNGs are read" % path)
    raw, stride = zlib.decompress(idat), w * channels
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            c = prev[x - channels] if x >= channels else 0
            up = prev[x]
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + up) & 255
            elif f == 3:
                line[x] = (line[x] + (a + up) // 2) & 255
            elif f == 4:
                p = a + up - c
                pa, pb, pc = abs(p - a), abs(p - up), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else up if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    rgb = []
    for line in rows:
        for x in range(w):
            px = line[x * channels:(x + 1) * channels]
            rgb += [px[0]] * 3 if channels == 1 else list(px[:3])
    return h, w, rgb


def resize_bilinear(h, w, rgb, oh, ow):
    """Half-pixel-centre bilinear resize of an RGB image; returns oh*ow*3 values."""
    out = []
    for y in range(oh):
        sy = min(max((y + 0.5) * h / oh - 0.5, 0), h - 1)
        y0, fy = int(sy), sy - int(sy)
        y1 = min(y0 + 1, h - 1)
        for x in range(ow):
            sx = min(max((x + 0.5) * w / ow - 0.5, 0), w - 1)
            x0, fx = int(sx), sx - int(sx)
            x1 = min(x0 + 1, w - 1)
            for c in range(3):
                v00, v01 = rgb[(y0 * w + x0) * 3 + c], rgb[(y0 * w + x1) * 3 + c]
                v10, v11 = rgb[(y1 * w + x0) * 3 + c], rgb[(y1 * w + x1) * 3 + c]
                out.append((v00 * (1 - fx) + v01 * fx) * (1 - fy) + (v10 * (1 - fx) + v11 * fx) * fy)
    return out


def per_channel(v, default):
    if v is None:
        return [default] * 3
    return list(v) if isinstance(v, list) else [v] * 3


def image_input(image, inp):
    """The manifest's preprocessing of one nhwc rgb image input, batch repeated."""
    if inp["kind"] != "image" or inp.get("layout") != "nhwc" or inp.get("channel_order") != "rgb":
        sys.exit("input '%s': only nhwc rgb image inputs are handled" % inp["name"])
    oh, ow = inp["size"]
    px = resize_bilinear(*image, oh, ow)
    scale, mean, std = inp.get("scale", 1.0), per_channel(inp.get("mean"), 0.0), per_channel(inp.get("std"), 1.0)
    one = [(v * scale - mean[i % 3]) / std[i % 3] for i, v in enumerate(px)]
    return one * inp["shape"][0]


def last_line(text):
    lines = [ln for ln in text.decode(errors="replace").splitlines() if ln.strip()]
    line = lines[-1].strip() if lines else "(no message)"
    ops = re.findall(r"\(([A-Z_0-9]+) \(code \d+\)\)", line)
    if ops:  # etch's unsupported-op list: one mention per op kind is enough here
        return "unsupported ops %s (%d operators)" % (", ".join(sorted(set(ops))), len(ops))
    return line.split(": ")[-1]


def measure(m, path, image, etch, tmp):
    files, args = [], []
    for i, inp in enumerate(m["input"]):
        f = os.path.join(tmp, "%s_in%d.npy" % (m["name"], i))
        write_npy(f, "f32", inp["shape"], image_input(image, inp))
        files.append(f)
        args += ["--input", "%s=%s" % (inp["name"], f)]
    tfl = run_tflite(path, files, os.path.join(tmp, m["name"] + "_tfl"))
    reference = "TFLite"
    rewritten = os.path.join(tmp, m["name"] + "_tconv.tflite")
    if tfl.returncode != 0 and rewrite_file(path, rewritten) > 0:
        # TFLite lacks MediaPipe's custom op: its builtin twin is the reference.
        tfl = run_tflite(rewritten, files, os.path.join(tmp, m["name"] + "_tfl"))
        reference = "TFLite on the TRANSPOSE_CONV rewrite"
    out_dir = os.path.join(tmp, m["name"] + "_etch")
    run = subprocess.run([etch, "run", path, "-o", out_dir, "--no-optimize"] + args, capture_output=True)
    if run.returncode != 0:
        tail = "TFLite runs it" if tfl.returncode == 0 else "TFLite: " + last_line(tfl.stderr)
        return "etch cannot import it: %s; %s" % (last_line(run.stderr), tail), "-"
    if tfl.returncode != 0:
        outs = [read_npy(os.path.join(out_dir, f)) for f in sorted(os.listdir(out_dir))]
        spans = ", ".join("[%.3g, %.3g]" % (min(o), max(o)) for o in outs)
        return "TFLite cannot run it (%s); etch runs it, outputs in %s" % (last_line(tfl.stderr), spans), "-"
    info = json.loads(subprocess.run([etch, "inspect", path, "--json"], check=True, capture_output=True).stdout)
    worst, at, parts = -1.0, "", []
    for i, out in enumerate(info["outputs"]):
        want = read_npy(os.path.join(tmp, "%s_tfl%d.npy" % (m["name"], i)))
        safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in out["name"])  # etch run's file names
        got = read_npy(os.path.join(out_dir, safe + ".npy"))
        diff = max(abs(a - b) for a, b in zip(got, want))
        # A single-element output (a score) has no range: its magnitude stands in.
        span, what = max(want) - min(want), "range"
        if span == 0:
            span, what = max(abs(v) for v in want), "|value|"
        ratio = diff / max(span, 1e-12)
        parts.append("%s %s: diff %.2g, %s %.3g, ratio %.2g" % (out["name"], out["shape"], diff, what, span, ratio))
        print("  %s" % parts[-1])
        if ratio >= worst:
            worst, at = ratio, "%.2g (diff %.2g, %s %.3g, output %s)" % (ratio, diff, what, span, out["name"])
    expected = [os.path.join(tmp, "%s_tfl%d.npy" % (m["name"], i)) for i in range(len(info["outputs"]))]
    return "%s; vs %s" % (at, reference), converted_vs(path, files, expected, etch, tmp)


def run_tflite(path, inputs, out_prefix):
    return subprocess.run(["node", os.path.join(HERE, "tflite_run.mjs"), path, ",".join(inputs), out_prefix],
                          capture_output=True)


def converted_vs(path, inputs, expected, etch, tmp):
    """`etch convert` to ONNX, run by ONNX Runtime, against the reference outputs: the worst ratio."""
    if len(inputs) != 1:
        return "not measured (onnx_vs_expected.mjs takes one input)"
    onnx = os.path.join(tmp, os.path.basename(path) + ".onnx")
    conv = subprocess.run([etch, "convert", path, "-o", onnx], capture_output=True)
    if conv.returncode != 0:
        return "etch convert fails: " + last_line(conv.stderr)
    ort = subprocess.run(["node", os.path.join(HERE, "onnx_vs_expected.mjs"), onnx, inputs[0]] + expected,
                         capture_output=True, env=dict(os.environ, TOL="1e30"))
    if ort.returncode != 0:
        return "ONNX Runtime fails: " + last_line(ort.stderr)
    ratios = [float(r) for r in re.findall(r"= ([0-9.e+-]+) of range", ort.stdout.decode())]
    if len(ratios) != len(expected):
        return "unexpected ONNX Runtime output: " + last_line(ort.stdout)
    return "%.2g" % max(ratios)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="*")
    ap.add_argument("--image", default=os.path.expanduser("~/.cache/etch/corpus-data/images/calib/astronaut_0091.png"))
    ap.add_argument("--etch", default=os.path.join(HERE, "..", "build", "etch"))
    ap.add_argument("--manifest", default=os.path.join(HERE, "..", "models", "manifest.toml"))
    a = ap.parse_args()
    with open(a.manifest, "rb") as f:
        models = [m for m in tomllib.load(f)["model"] if m["format"] == "tflite"]
    if a.names:
        models = [m for m in models if m["name"] in a.names]
    cache = os.environ.get("ETCH_MODEL_CACHE", os.path.expanduser("~/.cache/etch/models"))
    image = read_png_rgb(a.image)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for m in models:
            path = os.path.join(cache, "%s@%s" % (m["package"], m["version"]), m["path"])
            print("%s (%s)" % (m["name"], path))
            rows.append((m["name"], measure(m, path, image, a.etch, tmp)))
    print("\n| model | etch run: max abs diff / output range | etch convert in ONNX Runtime: same |\n|---|---|---|")
    for name, (result, converted) in rows:
        print("| %s | %s | %s |" % (name, result, converted))
    return 0


if __name__ == "__main__":
    sys.exit(main())
