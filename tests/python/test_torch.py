# etch.from_torch: lazily imports torch; a clear ImportError without it.
import importlib.util
import sys

import numpy as np
import pytest

import etch

HAS_TORCH = importlib.util.find_spec("torch") is not None


def test_from_torch_without_torch_says_how_to_get_it(monkeypatch):
    # A None entry in sys.modules makes `import torch` raise ImportError, as on
    # a machine without torch (scripts/setup.sh does not install it: 307 packages).
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match="python3-torch"):
        etch.from_torch(object(), None)


# Runs where python3-torch is installed (this machine's development set-up);
# CI's set-up leaves torch out, so there it is reported as skipped.
@pytest.mark.skipif(not HAS_TORCH, reason="python3-torch not installed")
def test_from_torch_runs_like_torch(tmp_path):
    import torch
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.Flatten(),
                              torch.nn.Linear(4 * 28 * 28, 10))
    x = torch.rand(2, 1, 28, 28)
    m = etch.from_torch(net, x, tmp_path / "net.onnx")
    got = m.run(x.numpy())["output"]
    np.testing.assert_allclose(got, net(x).detach().numpy(), rtol=1e-4, atol=1e-5)
