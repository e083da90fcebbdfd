"""Rich outputs of the Pyodide kernel in headless Chromium: display() mime bundles, matplotlib figures
as PNG displays, Keras progress bars as display updates, top-level await, %pip from the wheelhouse,
and restart. Drives window.webtensorKernel on the runner page, collecting the cell's displays."""
import base64

import pytest

from browser_support import missing

_reason = missing()
if _reason:
    pytest.skip(_reason, allow_module_level=True)

PROGRESS = "application/vnd.webtensor.progress+json"


def run(runner, code):
    """Runs a cell; returns its result with 'streams' and 'displays' ([{data, display_id, update}])."""
    runner.page.set_default_timeout(300_000)
    return runner.page.evaluate(
        """async (code) => {
            const streams = [], displays = [];
            const r = await window.webtensorKernel.run(code, {
                onStream: (n, t) => streams.push([n, t]),
                onDisplay: (data, meta) => displays.push({data, ...meta}),
            });
            return {...r, streams, displays};
        }""", code)


def ok(r):
    assert r["ok"], f"{r['error']['traceback']}\n{r['streams']}"
    return r


def test_display_of_repr_html(runner):
    r = ok(run(runner, """
class Card:
    def _repr_html_(self):
        return "<b>card</b>"
    def __repr__(self):
        return "Card()"
print("before")
display(Card())
h = display("one", display_id=True)
h.update("two")
Card()
"""))
    assert [d["data"] for d in r["displays"][:1]] == [{"text/html": "<b>card</b>", "text/plain": "Card()"}]
    one, two = r["displays"][1:]
    assert one["data"] == {"text/plain": "'one'"} and not one["update"]
    assert two["data"] == {"text/plain": "'two'"} and two["update"] and two["display_id"] == one["display_id"]
    assert r["value"] == "Card()" and r["data"] == {"text/html": "<b>card</b>", "text/plain": "Card()"}
    assert r["streams"] == [["stdout", "before\n"]]
    r = ok(run(runner, "from IPython.display import HTML, display as d\nd(HTML('<i>x</i>'))\nNone"))
    assert r["displays"][0]["data"]["text/html"] == "<i>x</i>" and r["value"] is None and r["data"] is None


def test_matplotlib_plot_is_a_png_display(runner, artifacts):
    r = ok(run(runner, """
import matplotlib.pyplot as plt
import matplotlib
plt.plot([1, 2, 3], [1, 4, 9])
plt.title("squares")
print(matplotlib.get_backend())
"""))
    assert "".join(t for n, t in r["streams"] if n == "stdout").strip().lower() == "agg"
    pngs = [d for d in r["displays"] if "image/png" in d["data"]]
    assert len(pngs) == 1, r["displays"]
    raw = base64.b64decode(pngs[0]["data"]["image/png"])
    assert raw.startswith(b"\x89PNG\r\n\x1a\n") and len(raw) > 2000
    (artifacts / "kernel_plot.png").write_bytes(raw)
    # plt.show() sends at once; the figure is then closed, so the cell's end sends nothing more.
    r = ok(run(runner, "plt.plot([0, 1])\nplt.show()\nprint('after show')\nlen(plt.get_fignums())"))
    assert len(r["displays"]) == 1 and r["value"] == "0"


def test_basics_guide_plot_of_tensors(runner):
    """The basics guide's plot: tensors straight into plt.plot, a trailing `;` hides the legend's repr."""
    r = ok(run(runner, """
import matplotlib
from matplotlib import pyplot as plt
import webtensor as tf
matplotlib.rcParams['figure.figsize'] = [9, 6]
x = tf.linspace(-2, 2, 201)
x = tf.cast(x, tf.float32)
def f(x):
    return x**2 + 2*x - 5
y = f(x) + tf.random.normal(shape=[201])
plt.plot(x.numpy(), y.numpy(), '.', label='Data')
plt.plot(x, f(x), label='Ground truth')
plt.legend();
"""))
    assert r["value"] is None and r["data"] is None
    (png,) = [d["data"]["image/png"] for d in r["displays"]]
    raw = base64.b64decode(png)
    width, height = int.from_bytes(raw[16:20], "big"), int.from_bytes(raw[20:24], "big")
    assert width > 700 and height > 450, (width, height)  # 9x6 inches at 100 dpi, cropped tight


def test_keras_fit_progress_updates_one_display_per_epoch(runner):
    r = ok(run(runner, """
import numpy as np
import webtensor as tf
model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
model.compile(optimizer="sgd", loss="mse")
x = np.linspace(-1, 1, 64, dtype="float32").reshape(-1, 1)
h = model.fit(x, 3 * x, epochs=2, batch_size=16, verbose=1)
len(h.history["loss"])
"""))
    assert r["value"] == "2"
    progress = [d for d in r["displays"] if PROGRESS in d["data"]]
    ids = list(dict.fromkeys(d["display_id"] for d in progress))
    assert len(ids) == 2, progress
    for display_id, epoch in zip(ids, (1, 2)):
        mine = [d for d in progress if d["display_id"] == display_id]
        assert [d["update"] for d in mine] == [False] + [True] * (len(mine) - 1)
        last = mine[-1]["data"]
        msg = last[PROGRESS]
        assert (msg["epoch"], msg["epochs"], msg["step"], msg["steps"], msg["done"]) == (epoch, 2, 4, 4, True)
        assert "loss" in msg["metrics"] and last["text/plain"].startswith("4/4 ")
    assert "Epoch 1/2" in "".join(t for n, t in r["streams"] if n == "stdout")


def test_top_level_await(runner):
    r = ok(run(runner, "import asyncio\nawait asyncio.sleep(0.01)\nasync def f():\n    return 41\n(await f()) + 1"))
    assert r["value"] == "42"


def test_pip_install_from_the_wheelhouse(runner):
    r = ok(run(runner, "%pip install iniconfig\nimport iniconfig\nprint(iniconfig.__name__)"))
    out = "".join(t for n, t in r["streams"] if n == "stdout")
    assert "Successfully installed iniconfig-" in out and out.strip().endswith("iniconfig"), out
    r = ok(run(runner, "!pip install iniconfig"))
    assert "already satisfied" in "".join(t for n, t in r["streams"])
    # A wheel by its path on the server; the kernel module is the one the worker configured.
    r = ok(run(runner, "from webtensor.notebook import kernel\n[w for w in kernel._state['wheels'] if w.startswith('pluggy-')][0]"))
    wheel = r["value"].strip("'")
    r = ok(run(runner, f"%pip install /wheels/{wheel}\nimport pluggy\npluggy.PluginManager.__name__"))
    assert r["value"] == "'PluginManager'" and "Successfully installed pluggy-" in r["streams"][0][1]


def test_pip_install_unknown_package_offline_says_so(runner):
    r = run(runner, "%pip install surely-not-a-package-webtensor-e2e")
    assert not r["ok"] and r["error"]["ename"] == "RuntimeError", r
    assert "wheelhouse" in r["error"]["evalue"] and "offline" in r["error"]["evalue"]


def test_summary_records_reach_the_page_while_the_cell_runs(runner):
    """tf.summary records arrive through Kernel.onSummary as they are written, before the cell ends,
    byte for byte the event file the kernel wrote."""
    seen = runner.page.evaluate("""async () => {
        const records = [];
        const k = window.webtensorKernel;
        k.onSummary = (path, bytes) => records.push([path, Array.from(bytes)]);
        let finished = false;
        const cell = k.run(`
import time
import webtensor as tf
w = tf.summary.create_file_writer("logs/e2e")
with w.as_default():
    for step in range(3):
        tf.summary.scalar("loss", 1.0 / (step + 1), step=step)
    time.sleep(3)
w.close()`).then((r) => { finished = true; return r; });
        const t0 = performance.now();
        while (records.length < 4 && performance.now() - t0 < 60000) await new Promise((r) => setTimeout(r, 20));
        const beforeEnd = !finished;
        const result = await cell;
        return {records, beforeEnd, ok: result.ok};
    }""")
    assert seen["ok"] and seen["beforeEnd"]
    r = ok(run(runner, "import glob\npath = glob.glob('logs/e2e/events.out.tfevents.*')[0]\n"
                       "print(path)\nprint(open(path, 'rb').read().hex())"))
    path, hexdata = "".join(t for n, t in r["streams"] if n == "stdout").split()
    records = seen["records"]
    assert {p for p, _ in records} == {path}
    assert len(records) == 4  # file_version + three scalars
    assert bytes(b for _, rec in records for b in rec) == bytes.fromhex(hexdata)


def test_restart_rejects_pending_cells(runner):
    r = runner.page.evaluate(
        """async () => {
            const k = window.webtensorKernel;
            const running = k.run("import time\\nwhile True:\\n    time.sleep(0.01)");
            const waiting = k.run("1");
            await new Promise((res) => setTimeout(res, 200));
            const ready = k.restart();
            const results = [await running, await waiting];
            await ready;
            const after = await k.run("2 + 2");
            return {results, after};
        }""")
    for res in r["results"]:
        assert not res["ok"] and res["error"]["ename"] == "KernelRestarted"
    assert r["after"]["ok"] and r["after"]["value"] == "4"
