#!/usr/bin/python3
"""The PyTorch side of bench/pruning_criteria: loads an etch/PyTorch ONNX model
into an equivalent torch module (a small interpreter over the ONNX graph with
nn.Conv2d / nn.BatchNorm2d / nn.Linear modules holding the same weights), prunes
every Conv's output channels with torch.nn.utils.prune.ln_structured (L1, dim 0),
measures test accuracy, fine-tunes with the same budget as etch (Adam, cosine
decay from --lr (1e-3), batch 64, STEPS steps of the shuffled training set; the pruning
masks stay applied through torch's forward pre-hooks) and measures again.

  /usr/bin/python3 torch_prune.py MODEL.onnx --sparsity 0.5 [--steps 300] [--lr 1e-3] [--seed 1]

Prints one JSON line: {"sparsity", "accuracy_before", "accuracy_pruned", "accuracy_finetuned",
"macs_dense", "macs_nonzero" (per image, Conv and Linear), "seconds"}.
"""
import argparse
import gzip
import json
import math
import os
import struct
import time

import numpy as np
import onnx
import onnx.numpy_helper as nh
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.utils.prune as prune

DATA_DIR = os.environ.get("ETCH_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_split(kind):
    x = read_idx(os.path.join(DATA_DIR, f"{kind}-images-idx3-ubyte.gz")).astype(np.float32) / 255.0
    y = read_idx(os.path.join(DATA_DIR, f"{kind}-labels-idx1-ubyte.gz")).astype(np.int64)
    return torch.from_numpy(x[:, None, :, :]), torch.from_numpy(y)


def attr(node, name, default):
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return default


class OnnxModule(nn.Module):
    """Runs the ONNX graph node by node; parameterised nodes become modules."""

    def __init__(self, path):
        super().__init__()
        m = onnx.load(path)
        self.graph = m.graph
        init = {t.name: torch.from_numpy(nh.to_array(t).copy()) for t in m.graph.initializer}
        for n in m.graph.node:  # Constant nodes
            if n.op_type == "Constant":
                init[n.output[0]] = torch.from_numpy(nh.to_array(attr(n, "value", None)).copy())
        self.consts = init
        self.layers = nn.ModuleDict()
        self.plan = []
        for i, n in enumerate(m.graph.node):
            key = f"n{i}"
            if n.op_type == "Conv":
                w = init[n.input[1]]
                pads = attr(n, "pads", [0, 0, 0, 0])
                conv = nn.Conv2d(w.shape[1] * attr(n, "group", 1), w.shape[0], tuple(w.shape[2:]),
                                 stride=tuple(attr(n, "strides", [1, 1])), padding=(pads[0], pads[1]),
                                 groups=attr(n, "group", 1), bias=len(n.input) > 2 and n.input[2] != "")
                conv.weight.data.copy_(w)
                if conv.bias is not None:
                    conv.bias.data.copy_(init[n.input[2]])
                self.layers[key] = conv
            elif n.op_type == "BatchNormalization":
                c = init[n.input[1]].numel()
                bn = nn.BatchNorm2d(c, eps=attr(n, "epsilon", 1e-5), momentum=1 - attr(n, "momentum", 0.9))
                bn.weight.data.copy_(init[n.input[1]])
                bn.bias.data.copy_(init[n.input[2]])
                bn.running_mean.copy_(init[n.input[3]])
                bn.running_var.copy_(init[n.input[4]])
                self.layers[key] = bn
            elif n.op_type == "Gemm":
                w = init[n.input[1]]
                if not attr(n, "transB", 0):
                    w = w.t()
                lin = nn.Linear(w.shape[1], w.shape[0], bias=len(n.input) > 2)
                lin.weight.data.copy_(w)
                if len(n.input) > 2:
                    lin.bias.data.copy_(init[n.input[2]].reshape(-1))
                self.layers[key] = lin
            self.plan.append((key, n))

    def forward(self, x):
        env = {self.graph.input[0].name: x}
        val = lambda name: env[name] if name in env else self.consts[name]
        for key, n in self.plan:
            op = n.op_type
            if op == "Constant":
                continue
            if key in self.layers:
                y = self.layers[key](val(n.input[0]))
            elif op == "Sub":
                y = val(n.input[0]) - val(n.input[1])
            elif op == "Div":
                y = val(n.input[0]) / val(n.input[1])
            elif op == "Add":
                y = val(n.input[0]) + val(n.input[1])
            elif op == "Relu":
                y = F.relu(val(n.input[0]))
            elif op == "Clip":
                lo = val(n.input[1]).item() if len(n.input) > 1 and n.input[1] else attr(n, "min", -math.inf)
                hi = val(n.input[2]).item() if len(n.input) > 2 and n.input[2] else attr(n, "max", math.inf)
                y = torch.clamp(val(n.input[0]), lo, hi)
            elif op == "MaxPool":
                y = F.max_pool2d(val(n.input[0]), attr(n, "kernel_shape", None), attr(n, "strides", None),
                                 attr(n, "pads", [0, 0, 0, 0])[0])
            elif op == "AveragePool":
                y = F.avg_pool2d(val(n.input[0]), attr(n, "kernel_shape", None), attr(n, "strides", None))
            elif op == "GlobalAveragePool":
                y = val(n.input[0]).mean(dim=(2, 3), keepdim=True)
            elif op == "Flatten":
                y = torch.flatten(val(n.input[0]), attr(n, "axis", 1))
            else:
                raise SystemExit(f"torch_prune.py: unsupported op {op} in {n.name}")
            env[n.output[0]] = y
        return env[self.graph.output[0].name]


def accuracy(model, x, y, batch=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            correct += int((model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum())
    return correct / len(x)


def macs(model, x):
    """Dense and nonzero-weight multiply-accumulates per image of Conv/Linear
    layers (a masked filter's weights are zeros: work a sparse engine could skip)."""
    sizes = {}
    hooks = [m.register_forward_hook(lambda mod, i, o: sizes.__setitem__(mod, o[0].numel() // o.shape[1]))
             for m in model.layers.values() if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        model.eval()
        model(x[:1])
    for h in hooks:
        h.remove()
    dense = sum(mod.weight.numel() * n for mod, n in sizes.items())
    nonzero = sum(int((mod.weight != 0).sum()) * n for mod, n in sizes.items())
    return dense, nonzero


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--sparsity", type=float, required=True)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    t0 = time.time()
    xtr, ytr = load_split("train")
    xte, yte = load_split("t10k")
    model = OnnxModule(a.model)
    before = accuracy(model, xte, yte)
    for mod in model.layers.values():
        if isinstance(mod, nn.Conv2d) and mod.groups == 1:
            prune.ln_structured(mod, "weight", amount=a.sparsity, n=1, dim=0)
    pruned = accuracy(model, xte, yte)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, a.steps))
    g = torch.Generator().manual_seed(a.seed)
    order = torch.randperm(len(xtr), generator=g)
    model.train()
    for step in range(a.steps):
        idx = order[(step * a.batch) % len(xtr):][:a.batch]
        loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    tuned = accuracy(model, xte, yte)
    dense, nonzero = macs(model, xte)
    print(json.dumps({"sparsity": a.sparsity, "accuracy_before": before, "accuracy_pruned": pruned,
                      "accuracy_finetuned": tuned, "macs_dense": dense, "macs_nonzero": nonzero,
                      "seconds": round(time.time() - t0, 1)}))


if __name__ == "__main__":
    main()
