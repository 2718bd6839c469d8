#!/usr/bin/python3
"""Trains the small Fashion-MNIST CNN that etch's tests, demo and benchmarks use,
and writes it with reference inputs/outputs into fixtures/.

Needs Debian's python3-torch, python3-onnx and python3-numpy (run with
/usr/bin/python3). Reads the gzip IDX files directly; no network.

  /usr/bin/python3 scripts/make_fixtures.py [--epochs 3] [--out fixtures]

Outputs (all small):
  cnn.onnx         opset 13, input "input" [batch,1,28,28] f32 in [0,1], output "logits" [batch,10]
  cnn_input.npy    the first 8 test images, [8,1,28,28] f32
  cnn_labels.npy   their labels, [8] i64
  cnn_output.npy   PyTorch's logits for them (eval mode), [8,10] f32
  README.md        how the files were made and the test accuracy
"""
import argparse
import gzip
import os
import random
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA_DIR = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530
SEED = 20240601


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_split(kind):
    images = read_idx(os.path.join(DATA_DIR, f"{kind}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(DATA_DIR, f"{kind}-labels-idx1-ubyte.gz"))
    x = (images.astype(np.float32) / 255.0)[:, None, :, :]
    return x, labels.astype(np.int64)


class SmallCnn(nn.Module):
    """Normalisation lives inside the model so that callers feed raw [0,1] pixels."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.fc = nn.Linear(32 * 7 * 7, 10)

    def forward(self, x):
        x = (x - MEAN) / STD
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        return self.fc(torch.flatten(x, 1))


def accuracy(model, x, y, batch=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            logits = model(torch.from_numpy(x[i:i + batch]))
            correct += int((logits.argmax(1).numpy() == y[i:i + batch]).sum())
    return correct / len(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)

    torch.set_num_threads(2)
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    random.seed(SEED)

    x_train, y_train = load_split("train")
    x_test, y_test = load_split("t10k")
    model = SmallCnn()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs * (len(x_train) // 64))
    rng = np.random.default_rng(SEED)
    t0 = time.time()
    for epoch in range(args.epochs):
        model.train()
        order = rng.permutation(len(x_train))
        total = 0.0
        for step, i in enumerate(range(0, len(order) - 63, 64)):
            idx = order[i:i + 64]
            xb, yb = torch.from_numpy(x_train[idx]), torch.from_numpy(y_train[idx])
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss)
        acc = accuracy(model, x_test, y_test)
        print(f"epoch {epoch + 1}: mean loss {total / (step + 1):.4f}, test accuracy {acc:.4f} "
              f"({time.time() - t0:.0f}s)", flush=True)

    model.eval()
    test_acc = accuracy(model, x_test, y_test)
    print(f"test accuracy: {test_acc:.4f}")

    # PRESERVE keeps BatchNormalization nodes (in inference form) instead of
    # letting the exporter fold them into the convolutions: etch's own
    # fold_batchnorm pass is then exercised on a real model.
    onnx_path = os.path.join(out, "cnn.onnx")
    torch.onnx.export(model, torch.from_numpy(x_test[:1]), onnx_path, opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=True)

    import onnx
    m = onnx.load(onnx_path)
    onnx.checker.check_model(m)
    ops = [n.op_type for n in m.graph.node]

    x8, y8 = x_test[:8].copy(), y_test[:8].copy()
    with torch.no_grad():
        logits8 = model(torch.from_numpy(x8)).numpy().astype(np.float32)
    np.save(os.path.join(out, "cnn_input.npy"), x8)
    np.save(os.path.join(out, "cnn_labels.npy"), y8)
    np.save(os.path.join(out, "cnn_output.npy"), logits8)

    with open(os.path.join(out, "README.md"), "w") as f:
        f.write(f"""# Fixtures

Made by `scripts/make_fixtures.py` (run with `/usr/bin/python3`, Debian's python3-torch {torch.__version__}
and python3-onnx {onnx.__version__}; CPU, `torch.set_num_threads(2)`, seed {SEED}).

- `cnn.onnx` — a small CNN trained on Fashion-MNIST ({args.epochs} epochs of Adam, lr 2e-3 with cosine
  decay, batch 64) from the gzip IDX files in `/usr/share/datasets/fashion-mnist`.
  **Test accuracy (10 000 images): {test_acc:.4f}.**
  Input `input` f32 `[batch,1,28,28]` with pixels in [0, 1]; output `logits` f32 `[batch,10]`.
  The normalisation `(x - {MEAN}) / {STD}` is part of the graph (Sub, Div).
  Architecture: conv 1→16 3×3 pad 1 (no bias) + BatchNorm + ReLU + max-pool 2, conv 16→32 3×3 pad 1
  (no bias) + BatchNorm + ReLU + max-pool 2, flatten, linear 1568→10.
  Exported with `torch.onnx.export` at opset 13, dynamic batch axis `batch`, BatchNorm kept as
  separate nodes (`TrainingMode.PRESERVE` on the eval model).
  Nodes: {", ".join(ops)}.
  MACs per image: conv1 112 896 + conv2 903 168 + linear 15 680 = 1 031 744.
- `cnn_input.npy` — the first 8 test images, f32 `[8,1,28,28]`.
- `cnn_labels.npy` — their labels, i64 `[8]`: {y8.tolist()}.
- `cnn_output.npy` — PyTorch's logits for them from the eval-mode model, f32 `[8,10]`.

Regenerate with `/usr/bin/python3 scripts/make_fixtures.py` (about 3 minutes on 2 idle cores); results
may differ in the last bits across PyTorch versions, so tests compare with tolerances.
""")
    for name in ["cnn.onnx", "cnn_input.npy", "cnn_labels.npy", "cnn_output.npy"]:
        print(f"{name}: {os.path.getsize(os.path.join(out, name))} bytes")


if __name__ == "__main__":
    main()
