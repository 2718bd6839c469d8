"""etch from Python: the same library calls as the ``etch`` command, numpy in and out.

>>> import etch
>>> m = etch.load("fixtures/cnn.onnx")
>>> q = etch.quantize(m, calibration="fashion-mnist:train")
>>> t = etch.train(arch="lenet5", epochs=2)  # or etch.distill(teacher, student_arch="mlp")
>>> prog = etch.compile(q, target="edge")
>>> sim = prog.simulate(images)            # outputs + cycles, stalls, energy per layer
>>> report = etch.validate(q, float_model=m, data="fashion-mnist:test:1000")

Names and defaults are the CLI's (``--calib-samples`` is ``calib_samples=``); see
docs/python.md. Errors are etch.InvalidInput, etch.Unsupported and
etch.InternalError, with the CLI's one-line messages.
"""
from __future__ import annotations

import os
from collections import namedtuple
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

import numpy as np

from . import _etch
from ._etch import (  # noqa: F401  (re-exported)
    Error,
    InternalError,
    InvalidInput,
    Model,
    Program,
    Report,
    Target,
    Unsupported,
    set_threads,
)

__version__: str = _etch.__version__

__all__ = [
    "Error", "InvalidInput", "Unsupported", "InternalError", "Model", "Program", "Report", "Target",
    "Simulation", "load", "quantize", "prune", "train", "distill", "compile", "validate", "deploy", "from_torch",
    "set_threads", "set_progress", "__version__",
]

PathLike = Union[str, "os.PathLike[str]"]

#: What Program.simulate returns: outputs {name: array} and the statistics of
#: ``etch simulate --json`` (cycles, stalls, utilization, energy, per layer).
Simulation = namedtuple("Simulation", ["outputs", "stats"])


def set_progress(callback: Union[None, str, Any] = None) -> None:
    """Reports long work: ``callback(label, done, total)`` at every step of
    etch's progress bars (calibrating, evaluating, training), on the calling
    thread; "tqdm" draws a tqdm bar per stage (tqdm must be installed); None: off.
    """
    if callback == "tqdm":
        from tqdm import tqdm  # only when asked for
        bars: dict = {}

        def callback(label: str, done: int, total: int) -> None:
            bar = bars.get(label)
            if bar is None or bar.total != total or done < bar.n:
                if bar is not None:
                    bar.close()
                bar = bars[label] = tqdm(total=total, desc=label, leave=False)
            bar.update(done - bar.n)
            if done >= total:
                bar.close()
                del bars[label]
    _etch.set_progress(callback)


def load(path: PathLike) -> Model:
    """Reads an ONNX or TFLite model, as every etch command does.

    >>> m = etch.load("fixtures/cnn.onnx"); m.inputs[0]["shape"]
    [1, 1, 28, 28]
    """
    return _etch.load(os.fspath(path))


def _model(m: Union[Model, PathLike]) -> Model:
    return m if isinstance(m, Model) else load(m)


def _as_array(x: Any, what: str) -> np.ndarray:
    # torch tensors (DataLoader batches) convert without a torch import here.
    if hasattr(x, "detach") and hasattr(x, "cpu"):
        x = x.detach().cpu().numpy()
    return np.asarray(x) if not isinstance(x, np.ndarray) else x


def _dataset(data: Any, model: Optional[Model], what: str):
    """A spec string as is; otherwise (arrays by input name, labels or None)
    from an array, or an iterable of arrays / dicts / (x, label) batches.
    model None: a built-in architecture (one image input, whatever its name)."""
    if isinstance(data, (str, os.PathLike)):
        return os.fspath(data)
    names = ["x"] if model is None else [v["name"] for v in model.inputs]
    if isinstance(data, np.ndarray) or isinstance(data, Mapping):
        data = [data]
    arrays: dict = {}
    labels: list = []
    for batch in data:
        y = None
        if isinstance(batch, (tuple, list)) and len(batch) == 2 and not isinstance(batch[0], (str, bytes)):
            batch, y = batch  # (images, labels), as a PyTorch DataLoader yields
        if not isinstance(batch, Mapping):
            if len(names) != 1:
                raise InvalidInput(f"{what}: the model has {len(names)} inputs; give dicts {{input name: array}}")
            batch = {names[0]: batch}
        for k, v in batch.items():
            arrays.setdefault(k, []).append(_as_array(v, what))
        if y is not None:
            labels.append(_as_array(y, what).astype(np.int64).reshape(-1))
    if not arrays:
        raise InvalidInput(f"{what}: no samples")
    joined = {k: np.concatenate(v, axis=0) for k, v in arrays.items()}
    return joined, (np.concatenate(labels) if labels else None)


def quantize(model: Union[Model, PathLike], calibration: Any = "fashion-mnist:train", *, test: Any = None,
             calib_samples: int = 512, calibrator: str = "sample-mse", equalize: str = "activations",
             percentile: float = 99.99,
             per_tensor: bool = False, bits: int = 8, bits_per_layer: str = "", keep_float: Sequence[str] = (),
             auto_keep_float: int = 0, bias_correction: bool = False, int4_as_int8: bool = False,
             qat_epochs: int = 0, qat_steps: int = 0, qat_lr: float = 1e-4, qat_freeze_bn_steps: int = 0,
             seed: int = 1) -> Model:
    """``etch quantize``: calibrated PTQ (or QAT) to a QDQ model.

    calibration: a data-set spec (``--data``), a numpy array [N, ...], or any iterable
    of arrays, dicts {input: array} or (x, y) batches (a PyTorch DataLoader works).
    test: a data set for float vs integer accuracy (the CLI's ``--test``; None: skip).
    equalize: cross-layer equalization before calibration, ``"none"``, ``"weights"``
    or ``"activations"`` (the CLI's ``--equalize``).
    Returns the quantized Model (what ``-o`` would hold) with ``.report``: the
    per-layer SQNR table, float nodes and accuracies, as ``--json`` prints them.

    >>> q = etch.quantize(m, calibration=np.load("calib.npy"), calib_samples=256)
    """
    m = _model(model)
    return _etch._quantize(m, _dataset(calibration, m, "calibration"),
                           None if test is None else _dataset(test, m, "test"), calib_samples, calibrator,
                           equalize, percentile, per_tensor, bits, bits_per_layer, list(keep_float), auto_keep_float,
                           bias_correction, int4_as_int8, qat_epochs, qat_steps, qat_lr, qat_freeze_bn_steps, seed)


def prune(model: Union[Model, PathLike], *, criterion: str = "magnitude", structure: str = "unstructured",
          sparsity: Optional[float] = None, scope: str = "layer", tied: str = "joint", min_channels: int = 1,
          schedule: str = "constant", initial_sparsity: float = 0.0, begin_step: int = 0, end_step: int = -1,
          frequency: int = 100, taylor_batches: int = 32, finetune_epochs: int = 0, finetune_steps: int = 0,
          lr: float = 1e-3, batch_size: int = 64, data: str = "fashion-mnist", eval: Optional[str] = None,
          seed: int = 1) -> Model:
    """``etch prune``: score, prune and fine-tune. sparsity None: 0.5 (N:M: 1-N/M).

    Returns the pruned Model with ``.report`` (per-layer table, accuracies) as ``--json``.

    >>> p = etch.prune(m, structure="2:4", finetune_epochs=1)
    """
    return _etch._prune(_model(model), criterion, structure, sparsity, scope, tied, min_channels, schedule,
                        initial_sparsity, begin_step, end_step, frequency, taylor_batches, finetune_epochs,
                        finetune_steps, lr, batch_size, data, eval or "", seed)


def _eval_arg(eval: Any, model: Optional[Model]):
    # None and the CLI's "none" both mean: no held-out set.
    if eval is None or (isinstance(eval, str) and eval == "none"):
        return None
    return _dataset(eval, model, "eval")


def _output_arg(output: Optional[PathLike]) -> str:
    return "" if output is None else os.fspath(output)


def train(*, arch: Optional[str] = None, init: Union[Model, PathLike, None] = None,
          data: Any = "fashion-mnist:train", eval: Any = "fashion-mnist:test", epochs: Optional[int] = None,
          batch_size: Optional[int] = None, optimizer: Optional[str] = None, lr: Optional[float] = None,
          weight_decay: Optional[float] = None, label_smoothing: Optional[float] = None,
          schedule: Optional[str] = None, crop_padding: Optional[int] = None, flip: bool = False,
          augment: bool = True, seed: int = 1, output: Optional[PathLike] = None) -> Model:
    """``etch train``: train a built-in architecture (arch: mlp, lenet5, cnn, resnet8,
    mobilenet-tiny) or fine-tune a model (init: a Model or a path); exactly one of the two.

    Options left None take the recipe's value (the architecture's, or fine-tuning's
    for init), as the CLI's flags left out do. data / eval: a data-set spec, a numpy
    array or any iterable of (x, y) batches (a PyTorch DataLoader works); eval None
    (or "none"): pick the best epoch by training accuracy. augment=False is
    ``--no-augment``. Returns the best epoch's Model (what ``-o`` would hold; also
    written to ``output`` at every improvement when given) with ``.report``, the
    dict ``--json`` prints (epochs, best_epoch, best_accuracy, accuracy_before).

    >>> m = etch.train(arch="lenet5", epochs=2, data="fashion-mnist:train:10000")
    >>> m.report["best_accuracy"]
    >>> ft = etch.train(init=m, lr=1e-4, data=torch_loader, eval=[(x_test, y_test)])
    """
    m = None if init is None else _model(init)
    return _etch._train(arch or "", m, _dataset(data, m, "data"), _eval_arg(eval, m), epochs, batch_size,
                        optimizer, lr, weight_decay, label_smoothing, schedule, crop_padding, flip, augment, seed,
                        _output_arg(output))


def distill(teacher: Union[Model, PathLike], *, student: Union[Model, PathLike, None] = None,
            student_arch: Optional[str] = None, temperature: float = 4.0, alpha: float = 0.5,
            teacher_cache: bool = True, data: Any = "fashion-mnist:train", eval: Any = "fashion-mnist:test",
            epochs: Optional[int] = None, lr: Optional[float] = None, batch_size: Optional[int] = None,
            seed: int = 1, output: Optional[PathLike] = None) -> Model:
    """``etch distill``: train a student (a Model or path, or a built-in student_arch
    trained from scratch; exactly one) from the teacher's softened outputs plus the labels:
    alpha * T^2 * KL(teacher/T || student/T) + (1 - alpha) * CE(student, labels).

    teacher_cache=False is ``--no-teacher-cache``. data, eval, output and the return
    value (best student with ``.report``) are as for etch.train.

    Data without labels (a detector's or an audio model's inputs, arrays with no
    "y") is output matching, as in the CLI: the student learns every output of the
    teacher (temperature and alpha unused), eval is used only when given, and the
    report holds ``sqnr_before_db``, ``best_sqnr_db`` and per-epoch SQNR and samples/s.

    >>> kd = etch.distill("resnet8.onnx", student_arch="lenet5", epochs=20, output="lenet5.kd.onnx")
    >>> ft = etch.distill(face, student=pruned, data={"input": crops}, epochs=3, lr=5e-4)
    """
    t = _model(teacher)
    s = None if student is None else _model(student)
    if isinstance(data, str) and data == "fashion-mnist":
        data = "fashion-mnist:train"  # as the CLI names the split it loads
    eval_is_default = isinstance(eval, str) and eval == "fashion-mnist:test"
    return _etch._distill(t, s, student_arch or "", temperature, alpha, teacher_cache,
                          _dataset(data, s or t, "data"), _eval_arg(eval, s or t), eval_is_default, epochs, lr,
                          batch_size, seed, _output_arg(output))


def compile(model: Union[Model, PathLike], target: Union[str, Target] = "edge", *, naive: bool = False,
            no_sparse: bool = False, no_group_packing: bool = False) -> Program:  # noqa: A001 (the CLI's name)
    """``etch compile``: a quantized model to an NPU program.

    target: a preset name, a .toml path, or an etch.Target (e.g.
    ``etch.Target.preset("edge").replace(rows=32)``).

    >>> prog = etch.compile(q, target="mobile"); prog.placements[0]["on"]
    """
    if isinstance(target, os.PathLike):
        target = os.fspath(target)
    return _etch._compile(_model(model), target, naive, no_sparse, no_group_packing)


def validate(model: Union[Model, PathLike], *, data: str = "fashion-mnist:test", target: str = "edge",
             executors: Union[str, Sequence[str]] = "", float_model: Union[Model, PathLike, None] = None,
             batch: int = 100, sqnr_samples: int = 256, report_dir: Optional[PathLike] = None) -> Report:
    """``etch validate``: float, integer and NPU execution compared on a data set.

    report_dir: also write report.json and report.html there (the CLI always does).

    >>> r = etch.validate(q, float_model=m, data="fashion-mnist:test:1000"); r.to_dict()["executors"]
    """
    if not isinstance(executors, str):
        executors = ",".join(executors)
    fm = None if float_model is None else _model(float_model)
    return _etch._validate(_model(model), fm, data, target, executors, batch, sqnr_samples,
                           "" if report_dir is None else os.fspath(report_dir))


def deploy(model: PathLike, output: PathLike, *, data: str = "fashion-mnist", train_data: str = "",
           eval_data: str = "", target: str = "edge", prune: str = "", finetune_epochs: int = 1,
           finetune_max_steps: int = 0, bits: int = 8, calibrator: str = "sample-mse", calib_samples: int = 512,
           qat_epochs: int = 0, sqnr_samples: int = 256, batch: int = 100, seed: int = 1,
           force: bool = False) -> Report:
    """``etch deploy``: prune, quantize, compile, simulate and validate in one go into
    the folder ``output`` (stages cached there). Returns the Report; ``.files`` lists
    what the folder holds.

    >>> r = etch.deploy("fixtures/cnn.onnx", "out/", eval_data="fashion-mnist:test:1000")
    """
    if isinstance(model, Model):
        model = model.path
    return _etch._deploy(os.fspath(model), os.fspath(output), data, train_data, eval_data, target, prune,
                         finetune_epochs, finetune_max_steps, bits, calibrator, calib_samples, qat_epochs,
                         sqnr_samples, batch, seed, force)


def from_torch(module: Any, example_input: Any, path: Optional[PathLike] = None, *, opset: int = 13) -> Model:
    """A PyTorch module as an etch Model, through ``torch.onnx.export`` (torch is
    imported only here). path: where the ONNX file goes (default: a temporary file).
    """
    try:
        import torch  # noqa: F401
    except ImportError as e:  # pragma: no cover - depends on the machine
        raise ImportError("etch.from_torch needs PyTorch: apt-get install python3-torch "
                          "(or pip install torch)") from e
    import tempfile
    if path is None:
        fd, path = tempfile.mkstemp(suffix=".onnx")
        os.close(fd)
    module.eval()
    torch.onnx.export(module, example_input, os.fspath(path), opset_version=opset,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    return load(path)


# Model: inspection as properties over `etch inspect --json`, context manager.
def _summary_prop(key, doc):
    return property(lambda self: self.summary()[key], doc=doc)


Model.inputs = _summary_prop("inputs", "[{name, dtype, shape}] (shape -1: dynamic).")
Model.outputs = _summary_prop("outputs", "[{name, dtype, shape}].")
Model.nodes = _summary_prop("nodes", "[{name, op, params, macs, inputs, outputs}], as etch inspect --json.")
Model.macs = property(lambda self: self.summary()["totals"]["macs"], doc="Total multiply-accumulates.")
Model.params = property(lambda self: self.summary()["totals"]["params"], doc="Total parameters.")
Model.__enter__ = lambda self: self
Model.__exit__ = lambda self, *exc: self.close()
Model.__repr__ = lambda self: f"<etch.Model {self.path!r}{' (closed)' if self.closed else ''}>"


# Program: compile's report as properties; simulate returns a Simulation.
Program.placements = property(lambda self: self.summary()["placements"],
                              doc="[{node, op, on: npu|host, why, macs}] for every node.")
Program.plans = property(lambda self: self.summary()["layers"],
                         doc="Per NPU layer: tiling, predicted cycles, utilization (etch compile's table).")


def _simulate(self: Program, images: Any, batch: int = 100) -> Simulation:
    """``etch simulate --input``: float32 images [N, ...] through the cycle-level
    simulator (host segments on the reference interpreter). Returns
    Simulation(outputs={name: array}, stats=dict as ``--json``).
    """
    outputs, stats = self._simulate(_as_array(images, "simulate input"), batch)
    return Simulation(outputs, stats)


Program.simulate = _simulate
Program.__repr__ = lambda self: f"<etch.Program {self.path!r} for {self.target!r}>"


def _target_replace(self: Target, **fields: Any) -> Target:
    """A copy with the given fields changed; etch.InvalidInput for unknown fields."""
    t = self.__copy__()
    for k, v in fields.items():
        if k.startswith("_") or not isinstance(getattr(Target, k, None), property) or k == "peak_tops":
            known = sorted(n for n in dir(Target) if isinstance(getattr(Target, n), property) and n != "peak_tops")
            raise InvalidInput(f"unknown target field '{k}' (fields: {', '.join(known)})")
        setattr(t, k, v)
    t.validate()
    return t


Target.replace = _target_replace


def _fspath_arg(method):
    """Lets a method taking a path string take any os.PathLike too."""
    def call(self, path, *args, **kwargs):
        return method(self, os.fspath(path), *args, **kwargs)
    call.__doc__ = method.__doc__
    return call


Model.save = _fspath_arg(Model.save)
Program.save = _fspath_arg(Program.save)
Report.save_html = _fspath_arg(Report.save_html)
Report.save_json = _fspath_arg(Report.save_json)
_program_load = Program.load
Program.load = staticmethod(lambda path: _program_load(os.fspath(path)))
Program.load.__doc__ = _program_load.__doc__
_target_from_toml = Target.from_toml
Target.from_toml = staticmethod(lambda path: _target_from_toml(os.fspath(path)))
