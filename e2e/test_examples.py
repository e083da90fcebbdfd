"""The example notebooks `make notebook` ships, run with "Run all" in the notebook page: every code
cell runs without an error, plots arrive as images, and the models train to the accuracy they print.
"""
import json
import pathlib
import re
import time
import urllib.request

import pytest

from browser_support import KERNEL_TIMEOUT_MS, ROOT, missing

_reason = missing()
if _reason:
    pytest.skip(_reason, allow_module_level=True)

EXAMPLES = ROOT / "pkg" / "webtensor" / "notebook" / "examples"


def _put(base, path, nb):
    body = json.dumps({"type": "notebook", "content": nb}).encode()
    req = urllib.request.Request(f"{base}api/contents/{path}", data=body, method="PUT",
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req).close()


@pytest.fixture(scope="module")
def page(server, browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(KERNEL_TIMEOUT_MS)
    yield page
    context.close()


def _run_all(page, server, name):
    """Opens the example, runs all its cells; returns (seconds, [per code cell: (outputs text, images)])."""
    _put(server, name, json.loads((EXAMPLES / name).read_text()))
    page.goto(f"{server}?path={name}")
    page.wait_for_function("document.body.dataset.notebook === 'open' && document.body.dataset.kernel === 'ready'")
    # Opening runs nothing: the shipped notebook's stored outputs are whatever was saved with it.
    t0 = time.perf_counter()
    page.click("#btn-run-all")
    page.wait_for_function(
        """() => { const cells = window.webtensorNotebook.nb.cells.filter(c => c.cell_type === 'code');
                   const done = cells.every(c => c.execution_count !== null || c.outputs.some(o => o.output_type === 'error'));
                   return done && document.body.dataset.busy === 'false'; }""", timeout=600_000)
    seconds = time.perf_counter() - t0
    cells = page.evaluate("""() => [...document.querySelectorAll('#notebook > .cell[data-type="code"]')].map(c =>
        [c.querySelector('.outputs').innerText, c.querySelectorAll('img.output-image').length])""")
    errors = page.evaluate("""() => window.webtensorNotebook.nb.cells.flatMap(c => (c.outputs || [])
        .filter(o => o.output_type === 'error').map(o => o.ename + ': ' + o.evalue))""")
    assert errors == [], f"{name}: {errors}"
    return seconds, cells


def test_keras_digits(page, server, artifacts):
    seconds, cells = _run_all(page, server, "keras_digits.ipynb")
    text = "\n".join(t for t, _ in cells)
    accuracy = float(re.search(r"test accuracy: ([0-9.]+)", text).group(1))
    assert accuracy >= 0.9, text
    assert "(1437, 8, 8) (1437,) (360, 8, 8)" in text
    assert "Epoch" in text  # the fit progress lines (kept as the last state of each bar)
    assert text.rstrip().endswith("True")  # the .keras file round trip gives the same predictions
    assert sum(n for _, n in cells) >= 3  # sample digits, loss curves, predictions
    page.screenshot(path=str(artifacts / "example_keras_digits.png"), full_page=True)
    print(f"\nkeras_digits.ipynb: Run all {seconds:.1f} s, test accuracy {accuracy:.3f}")


def test_tensorflow_basics(page, server, artifacts):
    seconds, cells = _run_all(page, server, "tensorflow_basics.ipynb")
    text = "\n".join(t for t, _ in cells)
    assert "tf.Tensor(\n[[1. 2. 3.]\n [4. 5. 6.]], shape=(2, 3), dtype=float32)" in text
    assert "Tracing." in text
    assert sum(n for _, n in cells) >= 2
    page.screenshot(path=str(artifacts / "example_tensorflow_basics.png"), full_page=True)
    print(f"\ntensorflow_basics.ipynb: Run all {seconds:.1f} s")


def test_gradient_tape_training_loop(page, server, artifacts):
    seconds, cells = _run_all(page, server, "gradient_tape_training_loop.ipynb")
    losses = [float(v) for v in re.findall(r"loss[ =:]+([0-9]+\.[0-9]+)", "\n".join(t for t, _ in cells))]
    assert len(losses) >= 2 and losses[-1] < losses[0], losses
    page.screenshot(path=str(artifacts / "example_gradient_tape.png"), full_page=True)
    print(f"\ngradient_tape_training_loop.ipynb: Run all {seconds:.1f} s, loss {losses[0]:.3f} -> {losses[-1]:.3f}")
