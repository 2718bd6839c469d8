# etch.validate / etch.deploy / Report against `etch validate` and `etch deploy`.
import json

import pytest

import etch
from conftest import FIXTURE, cli, cli_error, drop_timings


def test_validate_is_the_cli_report(tmp_path):
    cli("validate", FIXTURE, "--data", "fashion-mnist:test:200", "--report-dir", tmp_path / "cli")
    want = json.loads((tmp_path / "cli" / "report.json").read_text())
    r = etch.validate(str(FIXTURE), data="fashion-mnist:test:200", report_dir=tmp_path / "py")
    got = r.to_dict()
    assert drop_timings(got) == drop_timings(want)
    assert json.loads((tmp_path / "py" / "report.json").read_text()) == got
    html = r._repr_html_()
    assert html.startswith("<!DOCTYPE html>") or html.lstrip().lower().startswith("<!doctype html")
    r.save_html(tmp_path / "r.html")
    assert (tmp_path / "r.html").read_text() == html
    assert "top-1" in str(r) and "float" in str(r)


def test_validate_quantized_with_float_reference(tmp_path, cli_quantized):
    q = cli_quantized / "q.onnx"
    cli("validate", q, "--float-model", FIXTURE, "--data", "fashion-mnist:test:100", "--sqnr-samples", 16,
        "--report-dir", tmp_path)
    want = json.loads((tmp_path / "report.json").read_text())
    got = etch.validate(etch.load(q), float_model=FIXTURE, data="fashion-mnist:test:100", sqnr_samples=16)
    assert drop_timings(got.to_dict()) == drop_timings(want)


def test_validate_errors_are_the_clis():
    want = cli_error("validate", FIXTURE, "--float-model", FIXTURE, "--data", "fashion-mnist:test:10")
    with pytest.raises(etch.InvalidInput) as e:
        etch.validate(str(FIXTURE), float_model=FIXTURE, data="fashion-mnist:test:10")
    assert str(e.value) == want
    with pytest.raises(etch.InvalidInput, match="executor"):
        etch.validate(FIXTURE, data="fashion-mnist:test:10", executors=["float", "warp"])


def test_deploy_is_the_cli_report(tmp_path):
    args = dict(eval_data="fashion-mnist:test:100", calib_samples=64, sqnr_samples=0, finetune_epochs=0)
    cli("deploy", FIXTURE, "-o", tmp_path / "cli", "--eval-data", args["eval_data"], "--calib-samples", 64,
        "--sqnr-samples", 0, "--finetune-epochs", 0)
    want = json.loads((tmp_path / "cli" / "report.json").read_text())
    r = etch.deploy(FIXTURE, tmp_path / "py", **args)
    assert drop_timings(r.to_dict()) == drop_timings(want)
    names = sorted(p.rsplit("/", 1)[-1] for p in r.files)
    assert "report.html" in names and "model.npu" in names
