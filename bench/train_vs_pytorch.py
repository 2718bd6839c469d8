#!/usr/bin/env python3
"""PyTorch side of bench/train_vs_pytorch.sh: trains the same `cnn` architecture
as `etch train --arch cnn` (normalize, conv-bn-relu-pool x2, linear) with the same
batch size, optimizer (AdamW, lr 3e-3, wd 1e-4 on matrices) and thread count on
the first N Fashion-MNIST training images; prints images/s of one epoch."""
import argparse, gzip, time
import numpy as np
import torch
import torch.nn as nn

ap = argparse.ArgumentParser()
ap.add_argument("--images", type=int, default=12800)
ap.add_argument("--batch", type=int, default=128)
ap.add_argument("--threads", type=int, default=2)
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(1)

root = "/usr/share/datasets/fashion-mnist/"
with gzip.open(root + "train-images-idx3-ubyte.gz") as f:
    x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)[: a.images]
with gzip.open(root + "train-labels-idx1-ubyte.gz") as f:
    y = np.frombuffer(f.read(), np.uint8, offset=8)[: a.images]
x = torch.from_numpy(x.astype(np.float32) / 255.0)
y = torch.from_numpy(y.astype(np.int64))


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.f = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * 7 * 7, 10))

    def forward(self, t):
        return self.f((t - 0.2860) / 0.3530)


m = Cnn().train()
decay = [p for p in m.parameters() if p.dim() >= 2]
rest = [p for p in m.parameters() if p.dim() < 2]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 1e-4}, {"params": rest, "weight_decay": 0}], lr=3e-3)
loss_fn = nn.CrossEntropyLoss()
steps = a.images // a.batch
perm = torch.randperm(a.images)
t0 = time.perf_counter()
for s in range(steps):
    idx = perm[s * a.batch:(s + 1) * a.batch]
    opt.zero_grad()
    loss = loss_fn(m(x[idx]), y[idx])
    loss.backward()
    opt.step()
dt = time.perf_counter() - t0
print(f"{steps * a.batch / dt:.1f}")
