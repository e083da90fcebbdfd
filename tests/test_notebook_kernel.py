"""The notebook kernel's Python side natively (webtensor/notebook/kernel.py, no Pyodide): mime bundles,
display messages, the %pip rewrite and install plan, Keras progress displays, matplotlib capture."""
import asyncio
import base64
import json
import sys

import numpy as np
import pytest

from webtensor.notebook import kernel

PNG = b"\x89PNG\r\n\x1a\nfake"


@pytest.fixture(autouse=True)
def _no_hooks_left(monkeypatch):
    """install_hooks() adds an import finder and MPLBACKEND: take them away again after each test (the
    patched Progbar and ProgbarLogger stay, and behave as before while no `send` is configured)."""
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    monkeypatch.delenv("MPLBACKEND", raising=False)  # restored (or removed) afterwards
    yield


@pytest.fixture
def sent(monkeypatch):
    """Messages the kernel sends, decoded; the kernel's state is restored afterwards."""
    messages = []
    monkeypatch.setattr(kernel, "_state", {"send": lambda text: messages.append(json.loads(text)),
                                           "wheels_url": "/wheels/", "wheels": [], "epoch": None})
    return messages


class Html:
    def _repr_html_(self):
        return "<b>bold</b>"

    def __repr__(self):
        return "Html()"


class Png:
    def _repr_png_(self):
        return PNG


class Bundle:
    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": "plain", "text/html": "<i>it</i>"}, {"text/html": {"isolated": True}}


class Broken:
    def _repr_html_(self):
        raise RuntimeError("no html today")

    def _repr_markdown_(self):
        return None


def test_bundle_from_repr_html():
    assert kernel.format_bundle(Html()) == {"text/html": "<b>bold</b>", "text/plain": "Html()"}


def test_bundle_from_repr_png_is_base64():
    data = kernel.format_bundle(Png())
    assert base64.b64decode(data["image/png"]) == PNG
    assert data["text/plain"].startswith("<") and "Png object" in data["text/plain"]


def test_bundle_from_repr_mimebundle_with_metadata():
    assert kernel.format_bundle(Bundle()) == {"text/plain": "plain", "text/html": "<i>it</i>"}


def test_bundle_falls_back_to_repr():
    assert kernel.format_bundle([1, "a"]) == {"text/plain": "[1, 'a']"}
    assert kernel.format_bundle(Broken())["text/plain"].startswith("<")
    assert set(kernel.format_bundle(Broken())) == {"text/plain"}
    # A class is shown by its repr, not through its (unbound) _repr_html_.
    assert kernel.format_bundle(Html) == {"text/plain": repr(Html)}


def test_tensor_bundle_is_tf_repr():
    import webtensor as tf
    t = tf.constant([1.0, 2.0])
    assert kernel.format_bundle(t) == {"text/plain": repr(t)}
    assert "tf.Tensor" in repr(t)


def test_display_messages_and_handles(sent):
    assert kernel.display(Html()) is None
    handle = kernel.display("first", display_id=True)
    handle.update("second")
    kernel.display({"text/plain": "x", "image/png": PNG}, raw=True, display_id="mine")
    kernel.update_display(kernel.HTML("<p>done</p>"), display_id="mine")
    assert sent[0] == {"data": {"text/html": "<b>bold</b>", "text/plain": "Html()"}, "display_id": None,
                       "update": False}
    assert sent[1]["data"] == {"text/plain": "'first'"} and sent[1]["update"] is False
    assert sent[2]["data"] == {"text/plain": "'second'"} and sent[2]["update"] is True
    assert sent[1]["display_id"] == sent[2]["display_id"] == handle.display_id
    assert sent[3] == {"data": {"text/plain": "x", "image/png": base64.b64encode(PNG).decode()},
                       "display_id": "mine", "update": False}
    assert sent[4]["data"]["text/html"] == "<p>done</p>" and sent[4]["update"] is True


def test_ipython_display_shim(sent):
    ns = kernel._ipython_modules()
    shim = ns["IPython.display"]
    shim.display(shim.Markdown("# hi"))
    assert sent[0]["data"]["text/markdown"] == "# hi"
    assert ns["IPython"].get_ipython() is None


# -- magics ---------------------------------------------------------------------------------------------

def test_pip_magic_rewrite():
    code = "%pip install iniconfig -q\nx = 1\nif x:\n    !pip install /wheels/a-1.0-py3-none-any.whl\n%matplotlib inline"
    out = kernel.transform_magics(code).split("\n")
    assert out[0] == "await _pip(['install', 'iniconfig', '-q'])"
    assert out[1] == "x = 1"
    assert out[3] == "    await _pip(['install', '/wheels/a-1.0-py3-none-any.whl'])"
    assert out[4].startswith("pass")
    compile("\n".join(out), "<cell>", "exec", flags=__import__("ast").PyCF_ALLOW_TOP_LEVEL_AWAIT)


def test_valid_python_is_untouched():
    code = "x = 10 % 3\ns = '''\n%pip install nothing\n'''\n"
    assert kernel.transform_magics(code) == code


def test_unknown_magic_raises_clearly():
    out = kernel.transform_magics("%timeit f()")
    with pytest.raises(NotImplementedError, match=r"line magic %timeit is not supported"):
        exec(out, {})
    with pytest.raises(NotImplementedError, match=r"shell command !ls"):
        exec(kernel.transform_magics("!ls -l"), {})


def test_install_plan_prefers_the_wheelhouse():
    kernel.configure(wheels_url="/wheels", wheels=["iniconfig-2.3.1-py3-none-any.whl", "my_pkg-1.0-py3-none-any.whl"])
    try:
        local, remote, options = kernel.plan_install(
            ["iniconfig", "My-Pkg", "rich>=13", "/wheels/x-1.0-py3-none-any.whl", "-q"])
        assert local == ["/wheels/iniconfig-2.3.1-py3-none-any.whl", "/wheels/my_pkg-1.0-py3-none-any.whl",
                         "/wheels/x-1.0-py3-none-any.whl"]
        assert remote == ["rich>=13"] and options == ["-q"]
    finally:
        kernel.configure(wheels=[])


def test_pip_rejects_other_commands():
    with pytest.raises(NotImplementedError, match="only `%pip install`"):
        asyncio.run(kernel._pip(["uninstall", "x"]))


# -- Keras progress -------------------------------------------------------------------------------------

def test_progress_message_from_a_fake_progbar(sent):
    from webtensor.keras.utils import progbar
    kernel.install_hooks()
    assert getattr(progbar.Progbar.update, "__wrapped__", None) is not None
    bar = progbar.Progbar(4, verbose=1, interval=0.0)
    bar._dynamic = False  # the page is no terminal (pytest's capture may pretend to be one)
    kernel._state["epoch"] = (2, 3)
    for step in range(1, 5):
        bar.update(step, [("loss", 1.0 / step), ("accuracy", 0.25 * step)])
    assert len(sent) == 4
    ids = {m["display_id"] for m in sent}
    assert len(ids) == 1 and ids.pop().startswith("progress-")
    assert [m["update"] for m in sent] == [False, True, True, True]
    last = sent[-1]["data"]
    msg = last[kernel.PROGRESS_MIME]
    assert msg["epoch"] == 2 and msg["epochs"] == 3
    assert msg["step"] == 4 and msg["steps"] == 4 and msg["done"] is True and msg["eta"] is None
    assert msg["metrics"] == {"loss": 0.25, "accuracy": 1.0} and msg["unit"] == "step"
    assert sent[1]["data"][kernel.PROGRESS_MIME]["done"] is False
    assert last["text/plain"].startswith("4/4 ") and "loss: 0.2500" in last["text/plain"]
    # A new bar (the next epoch) gets its own display.
    bar2 = progbar.Progbar(2, verbose=1, interval=0.0)
    bar2._dynamic = False
    bar2.update(2, [("loss", 0.1)])
    assert sent[-1]["display_id"] != sent[0]["display_id"] and sent[-1]["update"] is False


def test_fit_sends_one_display_per_epoch(sent, capsys):
    import webtensor as tf
    kernel.install_hooks()
    model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.linspace(-1, 1, 32, dtype="float32").reshape(-1, 1)
    model.fit(x, 2 * x, epochs=2, batch_size=8, verbose=1)
    progress = [m for m in sent if kernel.PROGRESS_MIME in m["data"]]
    ids = list(dict.fromkeys(m["display_id"] for m in progress))
    assert len(ids) == 2
    finals = [m["data"][kernel.PROGRESS_MIME] for m in progress if m["data"][kernel.PROGRESS_MIME]["done"]]
    assert [(f["epoch"], f["epochs"], f["step"], f["steps"]) for f in finals] == [(1, 2, 4, 4), (2, 2, 4, 4)]
    assert "loss" in finals[-1]["metrics"]
    assert "Epoch 1/2" in capsys.readouterr().out


def test_verbose_2_keeps_text_lines(sent, capsys):
    from webtensor.keras.utils import progbar
    kernel.install_hooks()
    bar = progbar.Progbar(3, verbose=2)
    bar.update(3, [("loss", 0.5)])
    assert sent == [] and "3/3" in capsys.readouterr().out


# -- matplotlib -----------------------------------------------------------------------------------------

def test_matplotlib_figures_become_png_displays(sent):
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    kernel.install_hooks()
    import matplotlib.pyplot as plt
    plt.plot([1, 2, 3], [1, 4, 9])
    plt.figure()
    plt.plot([0, 1])
    assert kernel.flush_figures() == 2
    assert plt.get_fignums() == []
    assert len(sent) == 2
    for m in sent:
        assert base64.b64decode(m["data"]["image/png"]).startswith(b"\x89PNG\r\n\x1a\n")
    fig = plt.figure()
    assert base64.b64decode(kernel.format_bundle(fig)["image/png"]).startswith(b"\x89PNG")
    plt.close("all")


def test_summary_records_stream_to_the_page(monkeypatch, tmp_path):
    """Once hooks are installed, every tf.summary record goes to send_summary(relative path, base64)."""
    import webtensor as tf
    from webtensor.summary import writer as writer_module
    got = []
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(kernel, "_state", dict(kernel._state, send_summary=lambda path, b64: got.append((path, b64))))
    monkeypatch.setattr(writer_module, "_record_listeners", [])
    assert "webtensor.summary.writer" in kernel._PATCHES  # applied at import (or by install_hooks)
    kernel._patch_summary_writer(writer_module)
    kernel._patch_summary_writer(writer_module)  # a second patch adds no second listener
    assert writer_module._record_listeners == [kernel._summary_record]
    w = tf.summary.create_file_writer("logs/train")
    with w.as_default():
        tf.summary.scalar("loss", 1.5, step=3)
    w.close()
    paths = {p for p, _ in got}
    assert len(paths) == 1 and next(iter(paths)).startswith("logs/train/events.out.tfevents.")
    data = b"".join(base64.b64decode(b) for _, b in got)
    assert (tmp_path / next(iter(paths))).read_bytes() == data
    assert [(s, v) for s, _, v in tf.summary.read_logdir("logs")["train"]["loss"]] == [(3, 1.5)]
