# etch.load / Model: inspection as `etch inspect --json`, run as `etch run`, save, errors.
import numpy as np
import pytest

import etch
from conftest import FIXTURE, FIXTURE_INPUT, cli, cli_error, cli_json


def test_version_is_the_libraries():
    out = cli("--version").stdout.strip()
    assert out == f"etch {etch.__version__}"


def test_summary_is_inspect_json():
    m = etch.load(FIXTURE)
    want = cli_json("inspect", FIXTURE)
    del want["model"]
    assert m.summary() == want
    assert m.inputs == [{"name": "input", "dtype": "f32", "shape": [-1, 1, 28, 28]}]
    assert m.outputs[0]["name"] == "logits"
    assert "Conv" in [n["op"] for n in m.nodes]
    assert m.macs == want["totals"]["macs"] and m.params == want["totals"]["params"]


@pytest.mark.parametrize("optimize", [True, False])
def test_run_is_bit_identical_to_cli(tmp_path, images, optimize):
    args = ["run", FIXTURE, "--input", FIXTURE_INPUT, "-o", tmp_path] + ([] if optimize else ["--no-optimize"])
    cli(*args)
    want = np.load(tmp_path / "logits.npy")
    got = etch.load(FIXTURE).run(images, optimize=optimize)
    assert list(got) == ["logits"]
    assert got["logits"].dtype == np.float32 and got["logits"].shape == (8, 10)
    assert np.array_equal(got["logits"], want)


def test_run_takes_dict_list_and_noncontiguous(images):
    m = etch.load(FIXTURE)
    a = m.run(images)["logits"]
    assert np.array_equal(m.run({"input": images})["logits"], a)
    assert np.array_equal(m.run([images])["logits"], a)
    strided = np.asfortranarray(images)
    assert np.array_equal(m.run(strided)["logits"], a)


def test_save_roundtrip(tmp_path, images):
    m = etch.load(FIXTURE)
    m.save(tmp_path / "copy.onnx")
    again = etch.load(tmp_path / "copy.onnx")
    assert np.array_equal(again.run(images)["logits"], m.run(images)["logits"])


def test_wrong_dtype_is_invalid_input_naming_the_input(images):
    m = etch.load(FIXTURE)
    with pytest.raises(etch.InvalidInput, match=r"^feed 'input': holds i64 data but model input 'input' expects f32$"):
        m.run(images.astype(np.int64))
    for dtype in (np.float64, np.float16, np.complex64):
        with pytest.raises(etch.InvalidInput, match="not one etch takes"):
            m.run(images.astype(dtype))


def test_wrong_shape_is_the_cli_message(tmp_path, images):
    bad = images[:, :, :14, :]
    np.save(tmp_path / "bad.npy", bad)
    want = cli_error("run", FIXTURE, "--input", tmp_path / "bad.npy")
    with pytest.raises(etch.InvalidInput) as e:
        etch.load(FIXTURE).run(bad)
    # Same message, with the feed named where the CLI names the file.
    assert str(e.value) == want.replace(str(tmp_path / "bad.npy"), "feed 'input'")


def test_unknown_and_missing_inputs(images):
    m = etch.load(FIXTURE)
    with pytest.raises(etch.InvalidInput, match="no input named 'x'"):
        m.run({"x": images})
    with pytest.raises(etch.InvalidInput, match="no feed given for model input"):
        m.run({})
    with pytest.raises(etch.InvalidInput, match="expected a numpy array"):
        m.run({"input": [1, 2]})


def test_closed_model():
    with etch.load(FIXTURE) as m:
        pass
    assert m.closed
    with pytest.raises(etch.InvalidInput, match="is closed"):
        m.run(np.zeros((1, 1, 28, 28), np.float32))
    with pytest.raises(etch.InvalidInput, match="is closed"):
        etch.compile(m)


def test_missing_file_is_the_cli_message(tmp_path):
    missing = tmp_path / "nope.onnx"
    want = cli_error("inspect", missing)
    with pytest.raises(etch.InvalidInput) as e:
        etch.load(missing)
    assert str(e.value) == want
    assert isinstance(e.value, etch.Error) and isinstance(e.value, ValueError)


def test_outputs_do_not_alias_between_runs(images):
    m = etch.load(FIXTURE)
    a = m.run(images)["logits"]
    keep = a.copy()
    m.run(np.zeros_like(images))
    assert np.array_equal(a, keep)


def test_tflite_runs_as_the_cli_runs_it(tmp_path):
    # A TFLite file loads like an ONNX one; outputs equal `etch run`'s, and
    # TFLite's own outputs (committed with the fixture) within float rounding.
    from conftest import SOURCE
    model = SOURCE / "fixtures" / "tflite" / "conv.tflite"
    x = np.load(SOURCE / "fixtures" / "tflite" / "conv.input0.npy")
    m = etch.load(model)
    got = m.run(x)
    cli("run", model, "--input", SOURCE / "fixtures" / "tflite" / "conv.input0.npy", "-o", tmp_path)
    for i, (name, value) in enumerate(got.items()):
        want = np.load(tmp_path / f"{name}.npy")
        assert np.array_equal(value, want), name
        tflite = np.load(SOURCE / "fixtures" / "tflite" / f"conv.expected{i}.npy")
        np.testing.assert_allclose(value, tflite, rtol=1e-5, atol=1e-5 * float(np.abs(tflite).max()))
