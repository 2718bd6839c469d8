#!/usr/bin/env python3
"""PyTorch side of bench/quant_vs_pytorch/run.sh.

Builds the fixture CNN's architecture (scripts/make_fixtures.py: conv-bn-relu-pool
x2, linear; normalisation (x - 0.286) / 0.353 in front) in PyTorch and loads the
weights of the ONNX file given (initializers matched by name, BatchNorm running
statistics included), so PyTorch quantizes exactly the float model etch
quantizes. Checks that the float accuracy matches, then runs eager-mode PTQ of
torch.ao.quantization with the default qconfig of each available server backend
(x86/fbgemm if present; Debian's build has onednn — HistogramObserver for
activations, per-channel MinMax for weights — and qnnpack — per-tensor weights), Conv+BN+ReLU fused first, calibrated on the first N training images
(the same images etch gets with --data fashion-mnist:train:N), and prints JSON
with float and int8 test accuracy.
"""
import argparse, gzip, json, sys
import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn as nn
import torch.ao.quantization as tq

ap = argparse.ArgumentParser()
ap.add_argument("model")
ap.add_argument("--calib", type=int, default=512)
ap.add_argument("--threads", type=int, default=2)
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(1)

root = "/usr/share/datasets/fashion-mnist/"


def load(kind):
    with gzip.open(root + f"{kind}-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(root + f"{kind}-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)
    return torch.from_numpy(x.astype(np.float32) / 255.0), torch.from_numpy(y.astype(np.int64))


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.relu2 = nn.ReLU()
        self.pool2 = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(32 * 7 * 7, 10)
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        # Normalisation stays float in front of the quantized network, as in
        # etch (its Sub/Div run in float before the first QuantizeLinear).
        x = self.quant((x - 0.2860) / 0.3530)
        x = self.pool1(self.relu1(self.bn1(self.conv1(x))))
        x = self.pool2(self.relu2(self.bn2(self.conv2(x))))
        return self.dequant(self.fc(self.flatten(x)))


def load_onnx_weights(model, path):
    g = onnx.load(path).graph
    inits = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in g.initializer}
    sd = model.state_dict()
    missing = [k for k in sd if k.endswith(("weight", "bias", "running_mean", "running_var")) and k not in inits]
    if missing:
        sys.exit(f"{path}: initializers {missing} not found (have {sorted(inits)})")
    for k in sd:
        if k in inits:
            sd[k] = inits[k].reshape(sd[k].shape)
    model.load_state_dict(sd)


def accuracy(m, x, y):
    with torch.no_grad():
        return sum((m(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum().item() for i in range(0, len(x), 1000)) / len(x)


m = Cnn().eval()
load_onnx_weights(m, a.model)
xtr, _ = load("train")
xte, yte = load("t10k")
float_acc = accuracy(m, xte, yte)

# Every server backend this PyTorch build has (Debian's 1.13 has onednn and
# qnnpack, no fbgemm/x86), each with its own default qconfig.
results = []
for backend in [b for b in ["x86", "fbgemm", "onednn", "qnnpack"] if b in torch.backends.quantized.supported_engines]:
    torch.backends.quantized.engine = backend
    qconfig = tq.get_default_qconfig(backend)
    m.qconfig = qconfig
    q = tq.fuse_modules(m, [["conv1", "bn1", "relu1"], ["conv2", "bn2", "relu2"]])
    q = tq.prepare(q)
    with torch.no_grad():
        for i in range(0, a.calib, 32):
            q(xtr[i:min(a.calib, i + 32)])
    q = tq.convert(q)
    results.append({"framework": f"pytorch {torch.__version__} {backend}", "qconfig": str(qconfig),
                    "calib_images": a.calib, "float_accuracy": float_acc, "int_accuracy": accuracy(q, xte, yte)})
print(json.dumps(results))
