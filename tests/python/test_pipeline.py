# quantize -> compile -> disasm -> simulate, each against the etch executable.
import numpy as np
import pytest

import etch
from conftest import FIXTURE, cli, cli_error, cli_json


@pytest.fixture(scope="module")
def quantized(calib):
    return etch.quantize(etch.load(FIXTURE), calibration=calib[0], calib_samples=64)


def test_quantize_matches_cli_for_array_iterable_and_spec(quantized, cli_quantized, calib, images):
    want = etch.load(cli_quantized / "q.onnx")
    assert quantized.summary() == want.summary()
    y = want.run(images)["logits"]
    assert np.array_equal(quantized.run(images)["logits"], y)
    x, path = calib
    batches = etch.quantize(FIXTURE, calibration=[x[:40], x[40:]], calib_samples=64)  # any iterable of batches
    assert np.array_equal(batches.run(images)["logits"], y)
    spec = etch.quantize(FIXTURE, calibration=f"npy:{path}", calib_samples=64)
    assert np.array_equal(spec.run(images)["logits"], y)
    labelled = etch.quantize(FIXTURE, calibration=[(x, np.zeros(64, np.int64))], calib_samples=64)
    assert np.array_equal(labelled.run(images)["logits"], y)


def test_quantize_report_is_the_cli_json(quantized, calib, tmp_path):
    want = cli_json("quantize", FIXTURE, "--data", f"npy:{calib[1]}", "--test", "none", "--calib-samples", 64,
                    "-o", tmp_path / "q.onnx")
    got = quantized.report
    for k in ("layers", "float_nodes", "integer_ops", "weight_bits", "calibrator", "equalize"):
        assert got[k] == want[k], k


def test_quantize_equalize_matches_cli_and_refuses_unknown_modes(calib, tmp_path):
    # The fixture has a Conv -> Relu -> Conv pair only after BatchNorm folding
    # and pooling; whatever CLE does to it, Python and the CLI must agree.
    want = cli_json("quantize", FIXTURE, "--data", f"npy:{calib[1]}", "--test", "none", "--calib-samples", 64,
                    "--equalize", "weights", "-o", tmp_path / "q.onnx")
    got = etch.quantize(FIXTURE, calibration=calib[0], calib_samples=64, equalize="weights")
    assert got.report["equalize"] == want["equalize"] == "weights"
    assert got.report["layers"] == want["layers"]
    assert got.summary() == etch.load(tmp_path / "q.onnx").summary()
    with pytest.raises(ValueError, match="equaliz"):
        etch.quantize(FIXTURE, calibration=calib[0], calib_samples=64, equalize="sideways")


def test_compile_matches_cli_bytes_and_disasm(quantized, cli_quantized, tmp_path):
    prog = etch.compile(quantized, target="edge")
    prog.save(tmp_path / "py.npu")
    assert (tmp_path / "py.npu").read_bytes() == (cli_quantized / "q.npu").read_bytes()
    want = cli_json("compile", cli_quantized / "q.onnx", "--target", "edge")
    summary = prog.summary()
    for k in ("placements", "layers", "npu_macs", "host_macs", "instructions", "weight_bytes", "standalone"):
        assert summary[k] == want[k], k
    assert prog.placements == want["placements"] and prog.plans == want["layers"]
    loaded = etch.Program.load(cli_quantized / "q.npu")
    assert loaded.disasm() == cli("disasm", cli_quantized / "q.npu").stdout
    assert loaded.disasm(header=True) == cli("disasm", cli_quantized / "q.npu", "--header").stdout


def test_compile_target_object_and_edits(quantized):
    edge = etch.compile(quantized, target=etch.Target.preset("edge"))
    assert edge.disasm().splitlines()[1:] == etch.compile(quantized, "edge").disasm().splitlines()[1:]
    small = etch.Target.preset("edge").replace(rows=8, cols=8, name="edge8")
    assert small.rows == 8 and etch.Target.preset("edge").rows != 8
    assert etch.compile(quantized, target=small).target == small
    assert etch.Target.from_toml_string(small.to_toml()) == small


def test_unknown_target_field_and_bad_values(quantized):
    with pytest.raises(etch.InvalidInput, match="unknown target field 'rowz'"):
        etch.Target.preset("edge").replace(rowz=4)
    with pytest.raises(etch.InvalidInput, match="rows"):
        etch.Target.preset("edge").replace(rows=0)
    with pytest.raises(etch.InvalidInput, match="unknown target 'nope': neither a preset"):
        etch.compile(quantized, target="nope")
    with pytest.raises(etch.InvalidInput, match="field 'rowz' is unknown"):
        etch.Target.from_toml_string('preset = "edge"\nrowz = 4\n')
    with pytest.raises(AttributeError):
        etch.Target.preset("edge").rowz = 4


def test_compile_float_model_is_the_cli_message():
    want = cli_error("compile", FIXTURE)
    with pytest.raises(etch.InvalidInput) as e:
        etch.compile(etch.load(FIXTURE))
    assert str(e.value) == want


def _same_stats(got, want):
    for k in want:
        if k in got and "seconds" not in k:
            assert got[k] == want[k], k


def test_simulate_matches_cli_and_reference(quantized, cli_quantized, images, tmp_path):
    np.save(tmp_path / "x.npy", images)
    prog = etch.compile(quantized, target="edge")
    sim = prog.simulate(images)
    want = cli_json("simulate", cli_quantized / "q.npu", "--model", cli_quantized / "q.onnx", "--input",
                    tmp_path / "x.npy")
    _same_stats(sim.stats, want)
    assert sim.stats["cycles"] > 0 if "cycles" in sim.stats else sim.stats
    (out,) = sim.outputs.values()
    assert out.shape == (8, 10) and out.dtype == np.float32
    # The program alone (standalone) gives the same numbers and statistics as the CLI without --model.
    if prog.summary()["standalone"]:
        alone = etch.Program.load(cli_quantized / "q.npu").simulate(images, batch=3)
        assert np.array_equal(next(iter(alone.outputs.values())), out)
        want_alone = cli_json("simulate", cli_quantized / "q.npu", "--input", tmp_path / "x.npy")
        _same_stats(alone.stats, want_alone)


def test_simulate_is_bit_exact_with_the_integer_reference(quantized, images):
    # The integer graph on the reference interpreter: `etch simulate --compare`'s check.
    prog = etch.compile(quantized, target="edge")
    sim = prog.simulate(images)
    ref = quantized.run(images, optimize=False)["logits"]
    assert np.argmax(next(iter(sim.outputs.values())), 1).tolist() == np.argmax(ref, 1).tolist()


def test_simulate_bad_input(quantized):
    prog = etch.compile(quantized, target="edge")
    with pytest.raises(etch.InvalidInput, match="float32"):
        prog.simulate(np.zeros((1, 1, 28, 28), np.int64))
