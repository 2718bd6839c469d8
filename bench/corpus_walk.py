#!/usr/bin/env python3
"""Every etch command over every corpus model, on valid inputs: no exit 1.

usage: /usr/bin/python3 bench/corpus_walk.py [--etch BINARY] [--data DIR] [--samples N] [NAME ...]

For each model of models/manifest.toml (or the NAMEs given) the script runs

  inspect, run (on the evaluation data), convert, prune (magnitude and
  Taylor, 2:4, no fine-tuning), train --init and distill (one epoch; the
  student is the pruned model), quantize (N calibration samples), compile
  (edge), simulate --compare, validate, export and deploy (edge)

on real data made by scripts/make_corpus_data.py: photographs preprocessed as
the manifest says for image inputs, speech clips for audio inputs; the two
inputs that are another model's features (the wake-word embedding and head)
get their chain's real features (melspectrogram, then embedding). Each
command must exit 0, or 2 with one line naming what it refuses (an op a
stage does not take, for example); exit 1 (etch's "internal error"), a
signal or a hang (--timeout seconds) is a failure. Prints one row per model
and command and the failures; exit status 1 if any. Needs numpy (Debian's
python3-numpy, hence /usr/bin/python3) for the wake-word features.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def image_spec(inp):
    h, w = inp["size"]
    parts = ["size=%dx%d" % (h, w), "layout=" + inp.get("layout", "nchw"), "order=" + inp.get("channel_order", "rgb")]
    if inp.get("channel_order") == "rgba":
        parts.append("alpha=%g" % inp.get("alpha", 255))
    for key in ("scale", "mean", "std"):
        if key in inp:
            v = inp[key]
            parts.append("%s=%s" % (key, "/".join("%.17g" % x for x in v) if isinstance(v, list) else "%.17g" % v))
    parts.append("input=" + inp["name"])
    return "?" + ",".join(parts)




class Walk:
    def __init__(self, etch, data, samples, timeout, tmp):
        self.etch, self.data, self.samples, self.timeout, self.tmp = etch, data, samples, timeout, tmp
        self.failures = []
        self.features = {}
        self.copied = {}

    def first_files(self, kind, split):
        """A folder of the first N files of DATA/kind/split, copied once."""
        key = (kind, split)
        if key not in self.copied:
            dst = os.path.join(self.tmp, "%s_%s" % (kind, split))
            os.makedirs(dst)
            src = os.path.join(self.data, kind, split)
            for f in sorted(os.listdir(src))[:self.samples]:
                shutil.copy(os.path.join(src, f), dst)
            self.copied[key] = dst
        return self.copied[key]

    def etch_rc(self, model, command, args):
        try:
            r = subprocess.run([self.etch, "--quiet"] + args, capture_output=True, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self.failures.append("%s %s: no exit after %d s" % (model, command, self.timeout))
            return "hang"
        last = (r.stderr.decode(errors="replace").strip().splitlines() or [""])[-1]
        if r.returncode not in (0, 2) or "internal error" in last:
            self.failures.append("%s %s: exit %d: %s" % (model, command, r.returncode, last))
        return "%d%s" % (r.returncode, "" if r.returncode == 0 else " (" + last[:90] + ")")

    def path(self, name):
        r = subprocess.run([self.etch, "models", "path", name], capture_output=True, check=True)
        return r.stdout.decode().strip()

    def chain_features(self, name, split):
        """Real inputs of the wake-word embedding (name 'embedding') or head ('head')."""
        key = (name, split)
        if key in self.features:
            return self.features[key]
        import numpy as np
        clips = self.first_files("speech", split)
        mel_dir = os.path.join(self.tmp, "mel_" + split)
        subprocess.run([self.etch, "--quiet", "run", self.path("wakeword-melspectrogram"), "--data",
                        "wav:%s?rate=16000,length=12512,hop=1280,input=input" % clips, "-o", mel_dir],
                       check=True, capture_output=True)
        mel = np.load(os.path.join(mel_dir, "output.npy")).astype(np.float32)
        emb_in = (mel.reshape(mel.shape[0], 76, 32, 1) * 0.1 + 2).astype(np.float32)
        out = os.path.join(self.tmp, "%s_%s.npy" % (name, split))
        if name == "embedding":
            np.save(out, emb_in)
        else:
            emb_file = os.path.join(self.tmp, "emb_in_%s.npy" % split)
            np.save(emb_file, emb_in)
            emb_dir = os.path.join(self.tmp, "emb_" + split)
            subprocess.run([self.etch, "--quiet", "run", self.path("wakeword-embedding"), "--data", "npy:" + emb_file,
                            "-o", emb_dir], check=True, capture_output=True)
            emb = np.load(os.path.join(emb_dir, os.listdir(emb_dir)[0])).reshape(-1, 96)
            windows = max(1, emb.shape[0] - 27)
            np.save(out, np.stack([emb[i:i + 28] for i in range(0, windows, 7)]).astype(np.float32))
        self.features[key] = out
        return out

    def data_specs(self, m):
        """(calibration spec, evaluation spec) of real data for the model's first input."""
        inp = m["input"][0]
        if inp["kind"] == "image":
            spec = image_spec(inp)
            return tuple("images:" + self.first_files("images", split) + spec for split in ("calib", "eval"))
        if inp["kind"] == "audio":
            length = inp["shape"][-1]
            return tuple("wav:%s?rate=%d,length=%d,input=%s" % (self.first_files("speech", split),
                                                                inp["sample_rate"], length, inp["name"])
                         for split in ("calib", "eval"))
        which = "embedding" if m["name"] == "wakeword-embedding" else "head"
        return tuple("npy:" + self.chain_features(which, split) for split in ("calib", "eval"))

    def model(self, m):
        name, model = m["name"], self.path(m["name"])
        calib, ev = self.data_specs(m)
        d = os.path.join(self.tmp, name)
        os.makedirs(d, exist_ok=True)
        q, prog = os.path.join(d, "q.onnx"), os.path.join(d, "p.npu")
        rows = [("inspect", self.etch_rc(name, "inspect", ["inspect", model]))]
        rows.append(("run", self.etch_rc(name, "run", ["run", model, "--data", ev, "-o", os.path.join(d, "run")])))
        rows.append(("convert", self.etch_rc(name, "convert", ["convert", model, "-o", os.path.join(d, "c.onnx")])))
        for crit in ("magnitude", "taylor"):
            rows.append(("prune " + crit, self.etch_rc(name, "prune", [
                "prune", model, "--criterion", crit, "--structure", "2:4", "--taylor-batches", "1", "--data", calib,
                "--eval", "none", "-o", os.path.join(d, "pr_%s.onnx" % crit)])))
        pruned = os.path.join(d, "pr_magnitude.onnx")
        rows.append(("train --init", self.etch_rc(name, "train", [
            "train", "--init", model, "--data", calib, "--eval", "none", "--epochs", "1", "-o",
            os.path.join(d, "t.onnx")])))
        rows.append(("distill", self.etch_rc(name, "distill", [
            "distill", "--teacher", model, "--student", pruned if os.path.exists(pruned) else model, "--data", calib,
            "--eval", "none", "--epochs", "1", "-o", os.path.join(d, "kd.onnx")])))
        rows.append(("quantize", self.etch_rc(name, "quantize", [
            "quantize", model, "--data", calib, "--test", "none", "--calib-samples", str(self.samples), "-o", q])))
        if os.path.exists(q):
            rows.append(("compile", self.etch_rc(name, "compile", ["compile", q, "--target", "edge", "-o", prog])))
            if os.path.exists(prog):
                rows.append(("simulate", self.etch_rc(name, "simulate", [
                    "simulate", prog, "--model", q, "--data", ev, "--compare"])))
            rows.append(("validate", self.etch_rc(name, "validate", [
                "validate", q, "--float-model", model, "--data", ev, "--report-dir", d])))
            rows.append(("export", self.etch_rc(name, "export", ["export", q, "-o", os.path.join(d, "q.tflite")])))
        rows.append(("deploy", self.etch_rc(name, "deploy", [
            "deploy", model, "--train-data", calib, "--eval-data", ev, "--calib-samples", str(self.samples),
            "--target", "edge", "-o", os.path.join(d, "deploy")])))
        for command, result in rows:
            print("%-34s %-18s %s" % (name, command, result), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="*")
    ap.add_argument("--etch", default=os.path.join(ROOT, "build", "etch"))
    ap.add_argument("--data", default=os.environ.get("ETCH_CORPUS_DATA", os.path.expanduser("~/.cache/etch/corpus-data")))
    ap.add_argument("--samples", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=1800)
    ap.add_argument("--manifest", default=os.path.join(ROOT, "models", "manifest.toml"))
    a = ap.parse_args()
    with open(a.manifest, "rb") as f:
        models = tomllib.load(f)["model"]
    if a.names:
        models = [m for m in models if m["name"] in a.names]
    with tempfile.TemporaryDirectory() as tmp:
        walk = Walk(os.path.abspath(a.etch), a.data, a.samples, a.timeout, tmp)
        for m in models:
            walk.model(m)
    print("\n%d failure(s)" % len(walk.failures))
    for f in walk.failures:
        print("  " + f)
    return 1 if walk.failures else 0


if __name__ == "__main__":
    sys.exit(main())
