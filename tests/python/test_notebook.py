# examples/etch_pipeline.ipynb executed headless (Debian's python3-nbclient and
# python3-ipykernel, installed by scripts/setup.sh).
import os

import pytest

from conftest import SOURCE

import ipykernel  # noqa: F401  (the kernel nbclient starts)
import nbclient
import nbformat


def test_example_notebook_runs_and_shows_the_report(monkeypatch):
    nb = nbformat.read(SOURCE / "examples" / "etch_pipeline.ipynb", as_version=4)
    import etch  # the kernel imports the same package as this process
    env = {"ETCH_SOURCE_DIR": str(SOURCE), "PYDEVD_DISABLE_FILE_VALIDATION": "1",
           "PYTHONPATH": os.pathsep.join([os.path.dirname(os.path.dirname(etch.__file__)),
                                          os.environ.get("PYTHONPATH", "")])}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(SOURCE / "examples")}}).execute()
    report_cell = next(c for c in nb.cells if c.cell_type == "code" and "etch.validate" in c.source)
    (out,) = [o for o in report_cell.outputs if o.output_type == "execute_result"]
    assert "text/html" in out.data and "<svg" in out.data["text/html"]
