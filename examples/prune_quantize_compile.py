#!/usr/bin/env python3
"""The README's job from Python: a float model (fixtures/cnn.onnx, or a PyTorch
module with --torch) through prune -> quantize -> compile -> simulate -> report.

    PYTHONPATH=build/python /usr/bin/python3 examples/prune_quantize_compile.py out/py-example
    (or, after ./scripts/setup_python.sh && . .venv/bin/activate: python3 examples/...)
"""
import argparse
import os
from pathlib import Path

import numpy as np

import etch

ROOT = Path(__file__).resolve().parents[1]


def torch_model(out: Path) -> etch.Model:
    import torch  # only with --torch
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                              torch.nn.Flatten(), torch.nn.Linear(8 * 14 * 14, 10))
    return etch.from_torch(net, torch.rand(1, 1, 28, 28), out / "torch.onnx")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path, help="output folder")
    ap.add_argument("--torch", action="store_true", help="start from a (random) PyTorch module")
    ap.add_argument("--target", default="edge")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)

    m = torch_model(a.out) if a.torch else etch.load(ROOT / "fixtures" / "cnn.onnx")
    print(f"model: {m.macs:,} MACs, {m.params:,} parameters")
    p = etch.prune(m, structure="2:4", eval="none")
    print(f"pruned 2:4: weight sparsity {p.report['weight_sparsity']:.2f}")
    images = np.load(ROOT / "fixtures" / "cnn_input.npy")
    q = etch.quantize(p, calibration="fashion-mnist:train", calib_samples=256)
    q.save(a.out / "model.int8.onnx")
    prog = etch.compile(q, target=a.target)
    prog.save(a.out / "model.npu")
    on_npu = sum(pl["on"] == "npu" for pl in prog.placements)
    print(f"compiled for {prog.target!r}: {on_npu} of {len(prog.placements)} nodes on the NPU")
    sim = prog.simulate(images)
    s = sim.stats
    print(f"simulated {len(images)} images: {s['cycles']:,.0f} cycles, {s['latency_ms']:.3f} ms, "
          f"{s['energy_uj']:.2f} uJ per image; busiest layer "
          f"{max(s['layers'], key=lambda l: l['cycles'])['name']}")
    report = etch.validate(q, float_model=p, data="fashion-mnist:test:500", report_dir=a.out)
    print(report)
    print(f"report: {os.fspath(a.out / 'report.html')}")


if __name__ == "__main__":
    main()
