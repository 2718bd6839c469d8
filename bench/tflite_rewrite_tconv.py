#!/usr/bin/env python3
"""Rewrites MediaPipe's custom Convolution2DTransposeBias as builtin TRANSPOSE_CONV.

usage: python3 bench/tflite_rewrite_tconv.py IN.tflite OUT.tflite

TFLite's runtime has no kernel for MediaPipe's custom op, so a model using it
(the selfie-segmentation models) has no reference output of TFLite's own.
The custom op is a transposed convolution with a bias: inputs (input, weight
OHWI, bias), custom options three little-endian int32 (padding 1 = SAME,
2 = VALID; stride_w; stride_h). Builtin TRANSPOSE_CONV computes the same
thing from inputs (output shape, weight OHWI, input, bias) and
TransposeConvOptions, so the rewrite keeps every weight and only moves the
inputs around, adds the output shape as an int32 constant and sets the
options: TFLite then runs the model, and its outputs are a float reference
for etch's import of the original. The flatbuffer is edited as JSON with
flatc (Debian's flatbuffers-compiler) and etch's copy of the TFLite schema.
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.join(HERE, "..", "src", "etch", "tflite", "tflite_schema.fbs")
CUSTOM = "Convolution2DTransposeBias"
TRANSPOSE_CONV = 67


def rewrite(model):
    """Edits the model (flatc's JSON form) in place; returns the number of ops rewritten."""
    codes = model["operator_codes"]
    custom = [i for i, c in enumerate(codes) if c.get("custom_code") == CUSTOM]
    if not custom:
        return 0
    for i in custom:  # only this op uses the code, so the code itself changes
        codes[i] = {"deprecated_builtin_code": TRANSPOSE_CONV, "builtin_code": "TRANSPOSE_CONV", "version": 3}
    count = 0
    for sg in model["subgraphs"]:
        for op in sg["operators"]:
            if op.get("opcode_index", 0) not in custom:
                continue
            opts = bytes(op.get("custom_options", []))
            if len(opts) < 12 or len(op["inputs"]) != 3:
                sys.exit("%s operator has %d inputs and %d option bytes (expected 3 and 12)"
                         % (CUSTOM, len(op["inputs"]), len(opts)))
            padding, stride_w, stride_h = struct.unpack("<3i", opts[:12])
            out_shape = sg["tensors"][op["outputs"][0]]["shape"]
            model["buffers"].append({"data": list(struct.pack("<%di" % len(out_shape), *out_shape))})
            sg["tensors"].append({"shape": [len(out_shape)], "type": "INT32", "buffer": len(model["buffers"]) - 1,
                                  "name": "%s_output_shape_%d" % (CUSTOM, count)})
            x, w, b = op["inputs"]
            op["inputs"] = [len(sg["tensors"]) - 1, w, x, b]
            op["builtin_options_type"] = "TransposeConvOptions"
            op["builtin_options"] = {"padding": "SAME" if padding == 1 else "VALID",
                                     "stride_w": stride_w, "stride_h": stride_h}
            for key in ("custom_options", "custom_options_format"):
                op.pop(key, None)
            count += 1
    return count


def rewrite_file(src, dst):
    """Writes dst, src with every custom op rewritten; returns how many (0: none, dst not written)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["flatc", "--json", "--strict-json", "--raw-binary", "-o", tmp, SCHEMA, "--", src], check=True)
        js = os.path.join(tmp, os.path.splitext(os.path.basename(src))[0] + ".json")
        with open(js) as f:
            model = json.load(f)
        n = rewrite(model)
        if n == 0:
            return 0
        with open(js, "w") as f:
            json.dump(model, f)
        subprocess.run(["flatc", "--binary", "-o", tmp, SCHEMA, js], check=True)
        shutil.move(os.path.join(tmp, os.path.splitext(os.path.basename(js))[0] + ".tflite"), dst)
    return n


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[2])
    src, dst = sys.argv[1], sys.argv[2]
    n = rewrite_file(src, dst)
    if n == 0:
        sys.exit("%s: no %s operator" % (src, CUSTOM))
    print("%s: %d %s operator(s) rewritten as TRANSPOSE_CONV" % (dst, n, CUSTOM))
    return 0


if __name__ == "__main__":
    sys.exit(main())
