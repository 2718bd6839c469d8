#!/usr/bin/env python3
"""Writes the small .tflite test models of tests/tflite into fixtures/tflite/.

Each model is described here, written as JSON against etch's schema subset
(src/etch/tflite/tflite_schema.fbs) and turned into a flatbuffer by `flatc -b`.
Inputs are deterministic pseudo-random .npy files; the expected outputs come
from TFLite's own runtime (bench/tflite_run.mjs, needs `npm install
--ignore-scripts` in bench/), never from etch. Models TFLite cannot run (the
MediaPipe custom op) take their expected output from an equivalent model of
builtin ops. The bad_*.tflite models are malformed on purpose.

usage: python3 scripts/make_tflite_fixtures.py   (from the repository root)
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA = os.path.join(ROOT, "src", "etch", "tflite", "tflite_schema.fbs")
OUT = os.path.join(ROOT, "fixtures", "tflite")
RUNNER = os.path.join(ROOT, "bench", "tflite_run.mjs")

PACK = {"FLOAT32": "f", "FLOAT16": "e", "INT32": "i", "INT8": "b", "UINT8": "B", "INT64": "q"}


class Rng:
    """A small LCG so that the fixtures do not depend on any library's RNG."""

    def __init__(self, seed):
        self.s = seed

    def uniform(self, lo=-1.0, hi=1.0):
        self.s = (self.s * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        return lo + (hi - lo) * ((self.s >> 11) / float(1 << 53))

    def values(self, n, lo=-1.0, hi=1.0):
        return [round(self.uniform(lo, hi), 4) for _ in range(n)]


def numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


class Model:
    def __init__(self):
        self.tensors, self.buffers, self.codes, self.ops = [], [{}], [], []
        self.inputs, self.outputs = [], []

    def tensor(self, name, shape, type="FLOAT32", data=None, quant=None, raw=None):
        t = {"name": name, "shape": list(shape), "type": type, "buffer": 0}
        if data is not None or raw is not None:
            if raw is None:
                raw = list(struct.pack("<%d%s" % (len(data), PACK[type]), *data))
            self.buffers.append({"data": raw})
            t["buffer"] = len(self.buffers) - 1
        if quant:
            t["quantization"] = quant
        self.tensors.append(t)
        return len(self.tensors) - 1

    def const(self, name, shape, data, type="FLOAT32", quant=None):
        return self.tensor(name, shape, type, data, quant)

    def op(self, code, ins, outs, options_type=None, options=None, custom=None, custom_options=None):
        key = (code, custom)
        codes = [(c["builtin_code"], c.get("custom_code")) for c in self.codes]
        if key not in codes:
            entry = {"builtin_code": code, "deprecated_builtin_code": 0, "version": 1}
            if custom:
                entry["custom_code"] = custom
            self.codes.append(entry)
            codes.append(key)
        o = {"opcode_index": codes.index(key), "inputs": ins, "outputs": outs}
        if options_type:
            o["builtin_options_type"] = options_type
            o["builtin_options"] = options or {}
        if custom_options is not None:
            o["custom_options"] = custom_options
        self.ops.append(o)

    def json(self):
        # deprecated_builtin_code holds codes below 127 as older writers do.
        for c in self.codes:
            c["deprecated_builtin_code"] = CODE_NUMBERS[c["builtin_code"]] if CODE_NUMBERS[c["builtin_code"]] < 127 else 127
        return {
            "version": 3,
            "operator_codes": self.codes,
            "subgraphs": [{"tensors": self.tensors, "inputs": self.inputs, "outputs": self.outputs,
                           "operators": self.ops, "name": "main"}],
            "description": "etch test fixture",
            "buffers": self.buffers,
        }


CODE_NUMBERS = {}


def load_codes():
    text = open(SCHEMA).read()
    body = text[text.index("enum BuiltinOperator"):]
    body = body[body.index("{") + 1:body.index("}")]
    for item in body.split(","):
        if "=" in item:
            name, value = item.split("=")
            CODE_NUMBERS[name.strip()] = int(value)


def write_model(name, model):
    with tempfile.TemporaryDirectory() as tmp:
        js = os.path.join(tmp, name + ".json")
        with open(js, "w") as f:
            json.dump(model.json() if isinstance(model, Model) else model, f)
        subprocess.run(["flatc", "-b", "-o", tmp, SCHEMA, js], check=True)
        os.replace(os.path.join(tmp, name + ".tflite"), os.path.join(OUT, name + ".tflite"))
    return os.path.join(OUT, name + ".tflite")


def write_npy(path, shape, values, descr="<f4"):
    fmt = {"<f4": "f", "|i1": "b", "|u1": "B"}[descr]
    shape_str = "(%s,)" % shape[0] if len(shape) == 1 else "(%s)" % ", ".join(map(str, shape))
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape_str)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1"))
        f.write(struct.pack("<%d%s" % (len(values), fmt), *values))


def oracle(model_path, name, out_prefix=None):
    """Expected outputs from TFLite's runtime: <name>.expected<i>.npy."""
    inputs = ",".join(os.path.join(OUT, "%s.input%d.npy" % (name, i)) for i in range(INPUT_COUNT[name]))
    prefix = os.path.join(OUT, (out_prefix or name) + ".expected")
    subprocess.run(["node", RUNNER, model_path, inputs, prefix], check=True)


INPUT_COUNT = {}


def add_input(m, name, model_name, shape, rng, index=0, type="FLOAT32", quant=None):
    t = m.tensor(name, shape, type, quant=quant)
    m.inputs.append(t)
    write_npy(os.path.join(OUT, "%s.input%d.npy" % (model_name, index)), shape, rng.values(numel(shape)))
    INPUT_COUNT[model_name] = index + 1
    return t


def conv_options(padding, sw, sh, act="NONE", dw=1, dh=1):
    return {"padding": padding, "stride_w": sw, "stride_h": sh, "fused_activation_function": act,
            "dilation_w_factor": dw, "dilation_h_factor": dh}


def make_conv(rng):
    """CONV_2D (SAME, stride 2, RELU), DEPTHWISE_CONV_2D (multiplier 2,
    dilation 2, RELU6), a grouped CONV_2D (VALID), a 1x1 CONV_2D without bias."""
    m = Model()
    x = add_input(m, "x", "conv", [1, 7, 6, 3], rng)
    w1 = m.const("w1", [4, 3, 3, 3], rng.values(108))
    b1 = m.const("b1", [4], rng.values(4))
    y1 = m.tensor("y1", [1, 4, 3, 4])
    m.op("CONV_2D", [x, w1, b1], [y1], "Conv2DOptions", conv_options("SAME", 2, 2, "RELU"))
    w2 = m.const("w2", [1, 3, 3, 8], rng.values(72))
    b2 = m.const("b2", [8], rng.values(8))
    y2 = m.tensor("y2", [1, 4, 3, 8])
    opts = conv_options("SAME", 1, 1, "RELU6", 2, 2)
    opts["depth_multiplier"] = 2
    m.op("DEPTHWISE_CONV_2D", [y1, w2, b2], [y2], "DepthwiseConv2DOptions", opts)
    w3 = m.const("w3", [4, 2, 2, 4], rng.values(64))  # 2 groups of 4 input channels
    b3 = m.const("b3", [4], rng.values(4))
    y3 = m.tensor("y3", [1, 3, 2, 4])
    m.op("CONV_2D", [y2, w3, b3], [y3], "Conv2DOptions", conv_options("VALID", 1, 1))
    w4 = m.const("w4", [2, 1, 1, 4], rng.values(8))
    y4 = m.tensor("y4", [1, 3, 2, 2])
    b4 = m.const("b4", [2], rng.values(2))
    m.op("CONV_2D", [y3, w4, b4], [y4], "Conv2DOptions", conv_options("VALID", 1, 1, "RELU_N1_TO_1"))
    m.outputs = [y4, y2]
    return m


def make_transpose_conv(rng, custom, name):
    """TRANSPOSE_CONV (stride 2, SAME) + bias; with custom=True the same as
    MediaPipe's Convolution2DTransposeBias custom op."""
    m = Model()
    x = add_input(m, "x", name, [1, 3, 4, 3], rng)
    w = m.const("w", [2, 3, 3, 3], rng.values(54))
    b = m.const("b", [2], rng.values(2))
    y = m.tensor("y", [1, 6, 8, 2])
    if custom:
        opts = list(struct.pack("<3i", 1, 2, 2))  # SAME, stride_w, stride_h
        m.op("CUSTOM", [x, w, b], [y], custom="Convolution2DTransposeBias", custom_options=opts)
    else:
        shape = m.const("out_shape", [4], [1, 6, 8, 2], "INT32")
        m.op("TRANSPOSE_CONV", [shape, w, x, b], [y], "TransposeConvOptions",
             {"padding": "SAME", "stride_w": 2, "stride_h": 2})
    m.outputs = [y]
    return m


def make_transpose_conv_valid(rng):
    m = Model()
    x = add_input(m, "x", "tconv_valid", [1, 3, 3, 2], rng)
    w = m.const("w", [3, 2, 3, 2], rng.values(36))
    y = m.tensor("y", [1, 7, 10, 3])  # one pixel more than the kernel reaches: output padding
    shape = m.const("out_shape", [4], [1, 7, 10, 3], "INT32")
    m.op("TRANSPOSE_CONV", [shape, w, x], [y], "TransposeConvOptions", {"padding": "VALID", "stride_w": 3, "stride_h": 2})
    m.outputs = [y]
    return m


def make_fc(rng):
    """FULLY_CONNECTED over a flattened NHWC tensor (after a conv, so the
    flatten must undo etch's NCHW), RELU, SOFTMAX with beta."""
    m = Model()
    x = add_input(m, "x", "fc", [1, 3, 3, 2], rng)
    w0 = m.const("w0", [3, 1, 1, 2], rng.values(6))
    h = m.tensor("h", [1, 3, 3, 3])
    m.op("CONV_2D", [x, w0, m.const("b0", [3], rng.values(3))], [h], "Conv2DOptions", conv_options("VALID", 1, 1))
    w = m.const("w", [5, 27], rng.values(135))
    b = m.const("b", [5], rng.values(5))
    y = m.tensor("y", [1, 5])
    m.op("FULLY_CONNECTED", [h, w, b], [y], "FullyConnectedOptions", {"fused_activation_function": "RELU"})
    s = m.tensor("s", [1, 5])
    m.op("SOFTMAX", [y], [s], "SoftmaxOptions", {"beta": 0.5})
    m.outputs = [s, y]
    return m


def pool_options(padding, s, k, act="NONE"):
    return {"padding": padding, "stride_w": s, "stride_h": s, "filter_width": k, "filter_height": k,
            "fused_activation_function": act}


def make_pool(rng):
    m = Model()
    x = add_input(m, "x", "pool", [1, 5, 6, 3], rng)
    a = m.tensor("avg", [1, 3, 3, 3])
    m.op("AVERAGE_POOL_2D", [x], [a], "Pool2DOptions", pool_options("SAME", 2, 3))
    mx = m.tensor("max", [1, 2, 2, 3])
    m.op("MAX_POOL_2D", [a], [mx], "Pool2DOptions", pool_options("VALID", 1, 2, "RELU"))
    axes = m.const("axes", [2], [1, 2], "INT32")
    mean = m.tensor("mean", [1, 3])
    m.op("MEAN", [a, axes], [mean], "ReducerOptions", {"keep_dims": False})
    axis_w = m.const("axis_w", [1], [2], "INT32")
    mean_w = m.tensor("mean_w", [1, 3, 1, 3])
    m.op("MEAN", [a, axis_w], [mean_w], "ReducerOptions", {"keep_dims": True})
    m.outputs = [mx, mean, mean_w]
    return m


def make_resize(rng):
    m = Model()
    x = add_input(m, "x", "resize", [1, 3, 4, 2], rng)
    size = m.const("size", [2], [5, 7], "INT32")
    outs = []
    for i, (op, opt, align, half) in enumerate([
            ("RESIZE_BILINEAR", "ResizeBilinearOptions", False, False),
            ("RESIZE_BILINEAR", "ResizeBilinearOptions", True, False),
            ("RESIZE_BILINEAR", "ResizeBilinearOptions", False, True),
            ("RESIZE_NEAREST_NEIGHBOR", "ResizeNearestNeighborOptions", False, False),
            ("RESIZE_NEAREST_NEIGHBOR", "ResizeNearestNeighborOptions", True, False),
            ("RESIZE_NEAREST_NEIGHBOR", "ResizeNearestNeighborOptions", False, True)]):
        y = m.tensor("r%d" % i, [1, 5, 7, 2])
        m.op(op, [x, size], [y], opt, {"align_corners": align, "half_pixel_centers": half})
        outs.append(y)
    m.outputs = outs
    return m


def make_elementwise(rng):
    """Broadcasting binary ops on a tensor etch holds in NCHW (after a conv)
    and every unary activation."""
    m = Model()
    x = add_input(m, "x", "elementwise", [1, 3, 2, 4], rng)
    w = m.const("w", [4, 1, 1, 4], rng.values(16))
    h = m.tensor("h", [1, 3, 2, 4])
    m.op("CONV_2D", [x, w, m.const("b", [4], rng.values(4))], [h], "Conv2DOptions", conv_options("VALID", 1, 1))
    chain = [("ADD", "AddOptions", m.const("c_add", [4], rng.values(4)), "RELU_N1_TO_1"),
             ("MUL", "MulOptions", m.const("c_mul", [1, 2, 4], rng.values(8)), "NONE"),
             ("SUB", "SubOptions", x, "NONE"),
             ("DIV", "DivOptions", m.const("c_div", [1, 1, 1, 4], rng.values(4, 0.5, 2.0)), "RELU"),
             ("ADD", "AddOptions", m.const("c_scalar", [], [0.25]), "NONE"),
             ("PRELU", None, m.const("alpha", [1, 1, 4], rng.values(4)), None)]
    cur = h
    for i, (op, opt, other, act) in enumerate(chain):
        y = m.tensor("b%d" % i, [1, 3, 2, 4])
        m.op(op, [cur, other], [y], opt, {"fused_activation_function": act} if opt else None)
        cur = y
    outs = [cur]
    for op, opt, opts in [("LOGISTIC", None, None), ("TANH", None, None), ("RELU", None, None),
                          ("RELU6", None, None), ("RELU_N1_TO_1", None, None), ("HARD_SWISH", None, None),
                          ("LEAKY_RELU", "LeakyReluOptions", {"alpha": 0.2})]:
        y = m.tensor(op.lower(), [1, 3, 2, 4])
        m.op(op, [h], [y], opt, opts)
        outs.append(y)
    m.outputs = outs
    return m


def make_shape(rng):
    m = Model()
    x = add_input(m, "x", "shape", [1, 4, 3, 4], rng)
    w = m.const("w", [4, 1, 1, 4], rng.values(16))
    h = m.tensor("h", [1, 4, 3, 4])
    m.op("CONV_2D", [x, w, m.const("b", [4], rng.values(4))], [h], "Conv2DOptions", conv_options("VALID", 1, 1))
    pads = m.const("pads", [4, 2], [0, 0, 1, 0, 0, 2, 0, 0], "INT32")
    p = m.tensor("padded", [1, 5, 5, 4])
    m.op("PAD", [h, pads], [p], "PadOptions", {})
    xp = m.tensor("x_padded", [1, 5, 5, 4])
    m.op("PAD", [x, pads], [xp], "PadOptions", {})
    cat = m.tensor("cat", [1, 5, 5, 8])
    m.op("CONCATENATION", [p, xp], [cat], "ConcatenationOptions", {"axis": -1})
    axis = m.const("split_axis", [], [3], "INT32")
    s0, s1 = m.tensor("s0", [1, 5, 5, 4]), m.tensor("s1", [1, 5, 5, 4])
    m.op("SPLIT", [axis, cat], [s0, s1], "SplitOptions", {"num_splits": 2})
    begin = m.const("begin", [4], [0, 1, -1, 0], "INT32")
    end = m.const("end", [4], [1, 5, 0, 3], "INT32")
    strides = m.const("strides", [4], [1, 2, -2, 1], "INT32")
    ss = m.tensor("sliced", [1, 2, 3, 3])
    m.op("STRIDED_SLICE", [s1, begin, end, strides], [ss], "StridedSliceOptions",
         {"begin_mask": 1, "end_mask": 4})
    begin2 = m.const("begin2", [4], [0, 2, 0, 1], "INT32")
    end2 = m.const("end2", [4], [1, 3, 5, 4], "INT32")
    ones = m.const("ones", [4], [1, 1, 1, 1], "INT32")
    shrunk = m.tensor("shrunk", [5, 3])
    m.op("STRIDED_SLICE", [s0, begin2, end2, ones], [shrunk], "StridedSliceOptions", {"shrink_axis_mask": 3})
    perm = m.const("perm", [4], [0, 3, 1, 2], "INT32")
    tr = m.tensor("transposed", [1, 3, 2, 3])
    m.op("TRANSPOSE", [ss, perm], [tr], "TransposeOptions", {})
    shape = m.const("new_shape", [2], [3, 6], "INT32")
    rs = m.tensor("reshaped", [3, 6])
    m.op("RESHAPE", [tr, shape], [rs], "ReshapeOptions", {"new_shape": [3, 6]})
    pooled = m.tensor("pooled", [1, 1, 1, 4])
    m.op("MAX_POOL_2D", [s0], [pooled], "Pool2DOptions", pool_options("VALID", 1, 5))
    sq = m.tensor("squeezed", [1, 4])
    m.op("SQUEEZE", [pooled], [sq], "SqueezeOptions", {"squeeze_dims": [1, 2]})
    m.outputs = [rs, shrunk, sq, cat]
    return m


def make_misc(rng):
    """NEG, ABS, EXP, MAXIMUM, MINIMUM, SUM, REDUCE_MAX and DEPTH_TO_SPACE,
    after a conv so that the input is held NCHW."""
    m = Model()
    x = add_input(m, "x", "misc", [1, 2, 3, 8], rng)
    w = m.const("w", [8, 1, 1, 8], rng.values(64))
    h = m.tensor("h", [1, 2, 3, 8])
    m.op("CONV_2D", [x, w, m.const("b", [8], rng.values(8))], [h], "Conv2DOptions", conv_options("VALID", 1, 1))
    outs = []
    for op in ["NEG", "ABS", "EXP"]:
        y = m.tensor(op.lower(), [1, 2, 3, 8])
        m.op(op, [h], [y])
        outs.append(y)
    for op in ["MAXIMUM", "MINIMUM"]:
        y = m.tensor(op.lower(), [1, 2, 3, 8])
        m.op(op, [h, m.const(op.lower() + "_c", [8], rng.values(8))], [y])
        outs.append(y)
    axes = m.const("axes", [2], [3, 1], "INT32")
    s = m.tensor("sum", [1, 3])
    m.op("SUM", [h, axes], [s], "ReducerOptions", {"keep_dims": False})
    mx = m.tensor("reduce_max", [1, 2, 1, 8])
    m.op("REDUCE_MAX", [h, m.const("axis_w", [1], [-2], "INT32")], [mx], "ReducerOptions", {"keep_dims": True})
    d2s = m.tensor("d2s", [1, 4, 6, 2])
    m.op("DEPTH_TO_SPACE", [h], [d2s], "DepthToSpaceOptions", {"block_size": 2})
    m.outputs = outs + [s, mx, d2s]
    return m


def make_int8(rng):
    """A fully int8 CONV_2D (per-channel weights, int32 bias, RELU) and
    MAX_POOL_2D between QUANTIZE and DEQUANTIZE: TFLite's integer kernels."""
    m = Model()
    x = add_input(m, "x", "int8", [1, 5, 5, 3], rng)
    s_in, z_in, s_out, z_out = 0.02, -3, 0.03, -20
    xq = m.tensor("xq", [1, 5, 5, 3], "INT8", quant={"scale": [s_in], "zero_point": [z_in]})
    m.op("QUANTIZE", [x], [xq])
    wq = [int(round(rng.uniform(-127, 127))) for _ in range(4 * 27)]
    s_w = [0.004, 0.006, 0.005, 0.003]
    w = m.const("w", [4, 3, 3, 3], wq, "INT8", quant={"scale": s_w, "zero_point": [0] * 4, "quantized_dimension": 0})
    bq = [int(round(rng.uniform(-0.5, 0.5) / (s_in * s))) for s in s_w]
    b = m.const("b", [4], bq, "INT32",
                quant={"scale": [s_in * s for s in s_w], "zero_point": [0] * 4, "quantized_dimension": 0})
    yq = m.tensor("yq", [1, 3, 3, 4], "INT8", quant={"scale": [s_out], "zero_point": [z_out]})
    m.op("CONV_2D", [xq, w, b], [yq], "Conv2DOptions", conv_options("SAME", 2, 2, "RELU"))
    pq = m.tensor("pq", [1, 2, 2, 4], "INT8", quant={"scale": [s_out], "zero_point": [z_out]})
    m.op("MAX_POOL_2D", [yq], [pq], "Pool2DOptions", pool_options("VALID", 1, 2))
    y = m.tensor("y", [1, 2, 2, 4])
    m.op("DEQUANTIZE", [pq], [y])
    m.outputs = [y]
    return m


def make_fp16(rng):
    """FLOAT16 weights behind DEQUANTIZE, as TFLite's fp16 post-training
    quantization writes them."""
    m = Model()
    x = add_input(m, "x", "fp16", [1, 4, 4, 2], rng)
    w16 = m.const("w_fp16", [3, 2, 2, 2], rng.values(24), "FLOAT16")
    w = m.tensor("w", [3, 2, 2, 2])
    m.op("DEQUANTIZE", [w16], [w])
    b16 = m.const("b_fp16", [3], rng.values(3), "FLOAT16")
    b = m.tensor("b", [3])
    m.op("DEQUANTIZE", [b16], [b])
    y = m.tensor("y", [1, 4, 4, 3])
    m.op("CONV_2D", [x, w, b], [y], "Conv2DOptions", conv_options("SAME", 1, 1))
    m.outputs = [y]
    return m


def make_sparse(rng):
    """A CSR-sparse FULLY_CONNECTED weight and a 2x2-block-sparse conv weight
    densified by DENSIFY."""
    m = Model()
    x = add_input(m, "x", "sparse", [1, 8], rng)
    dense = [v if abs(v) > 0.4 else 0.0 for v in rng.values(32)]
    segments, indices, values = [0], [], []
    for r in range(4):
        for c in range(8):
            if dense[r * 8 + c] != 0.0:
                indices.append(c)
                values.append(dense[r * 8 + c])
        segments.append(len(indices))
    ws = m.tensor("w_sparse", [4, 8], "FLOAT32", values)
    m.tensors[ws]["sparsity"] = {
        "traversal_order": [0, 1],
        "dim_metadata": [
            {"format": "DENSE", "dense_size": 4},
            {"format": "SPARSE_CSR", "array_segments_type": "Int32Vector", "array_segments": {"values": segments},
             "array_indices_type": "Uint8Vector", "array_indices": {"values": indices}}]}
    w = m.tensor("w", [4, 8])
    m.op("DENSIFY", [ws], [w])
    y = m.tensor("y", [1, 4])
    m.op("FULLY_CONNECTED", [x, w, -1], [y], "FullyConnectedOptions", {})
    # Block-sparse [4, 4] with 2x2 blocks: block rows 0..1, block columns 0..1.
    blocks = {(0, 1): rng.values(4), (1, 0): rng.values(4)}
    segments, indices, values = [0], [], []
    for br in range(2):
        for bc in range(2):
            if (br, bc) in blocks:
                indices.append(bc)
                values.extend(blocks[(br, bc)])
        segments.append(len(indices))
    bs = m.tensor("w2_sparse", [4, 4], "FLOAT32", values)
    m.tensors[bs]["sparsity"] = {
        "traversal_order": [0, 1, 2, 3], "block_map": [0, 1],
        "dim_metadata": [
            {"format": "DENSE", "dense_size": 2},
            {"format": "SPARSE_CSR", "array_segments_type": "Uint16Vector", "array_segments": {"values": segments},
             "array_indices_type": "Uint16Vector", "array_indices": {"values": indices}},
            {"format": "DENSE", "dense_size": 2}, {"format": "DENSE", "dense_size": 2}]}
    w2 = m.tensor("w2", [4, 4])
    m.op("DENSIFY", [bs], [w2])
    y2 = m.tensor("y2", [1, 4])
    m.op("FULLY_CONNECTED", [y, w2, -1], [y2], "FullyConnectedOptions", {})
    m.outputs = [y2]
    return m


def main():
    load_codes()
    os.makedirs(OUT, exist_ok=True)
    rng = Rng(19)
    plain = {"conv": make_conv, "fc": make_fc, "pool": make_pool, "resize": make_resize,
             "elementwise": make_elementwise, "shape": make_shape, "int8": make_int8, "fp16": make_fp16,
             "sparse": make_sparse, "misc": make_misc, "tconv": lambda r: make_transpose_conv(r, False, "tconv"),
             "tconv_valid": make_transpose_conv_valid}
    for name, make in plain.items():
        path = write_model(name, make(rng))
        oracle(path, name)
    # The custom op: same weights and input as "tconv" (same seed), expected
    # output from TFLite running the builtin TRANSPOSE_CONV model.
    state = Rng(7)
    write_model("tconv_reference", make_transpose_conv(Rng(7), False, "tconv_custom"))
    custom = make_transpose_conv(state, True, "tconv_custom")
    write_model("tconv_custom", custom)
    INPUT_COUNT["tconv_custom"] = 1
    oracle(os.path.join(OUT, "tconv_reference.tflite"), "tconv_custom")
    os.remove(os.path.join(OUT, "tconv_reference.tflite"))
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print("fixtures/tflite: %d files, %d bytes" % (len(os.listdir(OUT)), total))


if __name__ == "__main__":
    sys.exit(main())
