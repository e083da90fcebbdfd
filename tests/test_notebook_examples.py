"""The example notebooks `make notebook` ships: valid nbformat 4, and every code cell runs natively.

Plots are drawn in the browser; here, when matplotlib is not installed, a stand-in module accepts the
calls so the rest of each notebook (the training it demonstrates) is still run and checked.
"""
import json
import pathlib
import sys
import types

import numpy as np
import pytest

EXAMPLES = sorted((pathlib.Path(__file__).resolve().parents[1] / "pkg" / "webtensor" / "notebook" / "examples")
                  .glob("*.ipynb"))


class _Anything:
    """Accepts any attribute access, call, indexing or iteration (a matplotlib stand-in)."""

    def __getattr__(self, name):
        if name.startswith("__"):  # numpy and copy probe protocols by dunder names
            raise AttributeError(name)
        return _Anything()

    def __call__(self, *args, **kwargs):
        return _Anything()

    def __getitem__(self, key):
        return _Anything()

    def __iter__(self):
        return iter([_Anything() for _ in range(16)])


def _axes(nrows, ncols):
    axes = np.empty((nrows, ncols), dtype=object)
    for index in np.ndindex(axes.shape):
        axes[index] = _Anything()
    return axes.squeeze()


def _fake_matplotlib(monkeypatch):
    mpl = types.ModuleType("matplotlib")
    mpl.rcParams = {}
    pyplot = types.ModuleType("matplotlib.pyplot")
    pyplot.__getattr__ = lambda name: _Anything()
    pyplot.ylim = lambda *a, **k: (0.0, 1.0)
    pyplot.subplots = lambda nrows=1, ncols=1, **k: (_Anything(), _axes(nrows, ncols))
    mpl.pyplot = pyplot
    monkeypatch.setitem(sys.modules, "matplotlib", mpl)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", pyplot)


def test_there_are_the_three_examples():
    assert [p.name for p in EXAMPLES] == ["gradient_tape_training_loop.ipynb", "keras_digits.ipynb",
                                          "tensorflow_basics.ipynb"]


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_is_valid_nbformat_4(path):
    nb = json.loads(path.read_text())
    assert nb["nbformat"] == 4 and isinstance(nb["cells"], list) and nb["cells"]
    for cell in nb["cells"]:
        assert cell["cell_type"] in ("code", "markdown")
        assert isinstance(cell["source"], list)
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None  # shipped clean: opening runs nothing


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(path, tmp_path, monkeypatch, capsys):
    try:
        import matplotlib
        matplotlib.use("Agg")
    except ImportError:
        _fake_matplotlib(monkeypatch)
    monkeypatch.chdir(tmp_path)  # the notebooks save models next to themselves
    namespace = {"__name__": "__main__"}
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), f"{path.name}", "exec"), namespace)
    out = capsys.readouterr().out
    if path.stem == "tensorflow_basics":
        assert "Mean squared error for step 90" in out
        assert float(namespace["losses"][-1]) < 1.5
    elif path.stem == "keras_digits":
        assert float(out.split("test accuracy: ")[1].split()[0]) >= 0.9
        assert out.rstrip().endswith("True")  # the reloaded model predicts the same
    else:
        assert float(out.split("test accuracy: ")[1].split()[0]) >= 0.9
