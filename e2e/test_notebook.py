"""The notebook page in headless Chromium: CodeMirror cells run on the Pyodide kernel, markdown renders,
command-mode keys, save and reload, script-injection payloads that must not run, and an .ipynb written
as Jupyter writes it that survives open and save unchanged.

One page (one kernel) serves the module; the tests run in order and share its notebook directory.
"""
import json
import time
import urllib.error
import urllib.request

import pytest

from browser_support import KERNEL_TIMEOUT_MS, missing

_reason = missing()
if _reason:
    pytest.skip(_reason, allow_module_level=True)

CELL = "#notebook > .cell"


class NotebookPage:
    def __init__(self, context, page, base):
        self.context, self.page, self.base = context, page, base
        self.dialogs = []
        self.console = []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))

    def open(self, path):
        self.page.goto(f"{self.base}?path={path}")
        self.page.wait_for_function("document.body.dataset.notebook === 'open'", timeout=30_000)

    def cells(self):
        """[(cell_type, source)] from the page's model."""
        return [tuple(c) for c in self.page.evaluate(
            "window.webtensorNotebook.nb.cells.map(c => [c.cell_type, c.source])")]

    def selected(self):
        return self.page.evaluate("window.webtensorNotebook.selected")

    def command_mode(self):
        self.page.keyboard.press("Escape")
        self.page.wait_for_function("document.body.dataset.mode === 'command'")

    def save(self):
        before = self.page.evaluate("document.body.dataset.saved || ''")
        self.page.click("#btn-save")
        self.page.wait_for_function(
            "(b) => document.body.dataset.saved !== b && !window.webtensorNotebook.dirty", arg=before)


def api_get(base, path):
    with urllib.request.urlopen(f"{base}api/contents/{path}") as r:
        return json.load(r)


def api_put(base, path, nb):
    body = json.dumps({"type": "notebook", "content": nb}).encode()
    req = urllib.request.Request(f"{base}api/contents/{path}", data=body, method="PUT",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)


@pytest.fixture(scope="module")
def nbpage(server, browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(KERNEL_TIMEOUT_MS)
    yield NotebookPage(context, page, server)
    context.close()


def test_type_and_run_a_cell(nbpage, artifacts):
    page = nbpage.page
    t0 = time.perf_counter()
    nbpage.open("first.ipynb")
    page.click(f"{CELL} >> nth=0 >> .cm-content")
    page.keyboard.type("x = 6\nfor i in range(2):\nprint('hello', x * 7, i)")
    page.keyboard.press("Shift+Enter")
    first = page.locator(f"{CELL} >> nth=0")
    first.locator(".output").first.wait_for()
    page.wait_for_function("document.querySelector('#notebook > .cell .prompt').textContent === '[1]:'")
    seconds = time.perf_counter() - t0
    (artifacts / "notebook_first_cell.json").write_text(json.dumps({"first_cell_s": round(seconds, 2)}))
    print(f"\nnotebook page: {seconds:.1f} s from opening the page to the first executed cell's output")
    assert first.locator(".outputs").inner_text().strip().split("\n") == ["hello 42 0", "hello 42 1"]
    # CodeMirror indented the loop body by itself.
    assert nbpage.cells()[0] == ("code", "x = 6\nfor i in range(2):\n    print('hello', x * 7, i)")
    # Shift+Enter made and selected a new cell below, in edit mode.
    assert len(nbpage.cells()) == 2 and nbpage.selected() == 1
    # An expression's value and a traceback.
    page.keyboard.type("def f():\n1 / 0\n")
    page.keyboard.press("Backspace")  # leaves the function body
    page.keyboard.type("f()")
    page.keyboard.press("Control+Enter")
    page.wait_for_function("document.querySelectorAll('#notebook > .cell')[1].querySelector('.output-traceback')")
    tb = page.locator(f"{CELL} >> nth=1 >> .output-traceback").inner_text()
    assert "ZeroDivisionError" in tb and "in f" in tb
    assert page.locator(f"{CELL} >> nth=1 >> .prompt").inner_text() == "[2]:"
    page.wait_for_function("document.body.dataset.kernel === 'ready'")
    assert "backend" in page.inner_text("#kernel-status")
    page.screenshot(path=str(artifacts / "notebook_run.png"), full_page=True)


def test_markdown_renders(nbpage, artifacts):
    page = nbpage.page
    nbpage.command_mode()
    page.keyboard.press("b")
    page.keyboard.press("m")
    page.keyboard.press("Enter")
    page.keyboard.type("# A title\n\nSome *emphasis* and `code`.")
    page.keyboard.press("Shift+Enter")
    cell = page.locator(f"{CELL} >> nth=2")
    assert cell.locator(".rendered h1").inner_text() == "A title"
    assert cell.locator(".rendered em").inner_text() == "emphasis"
    assert cell.locator(".editor").is_hidden()
    page.screenshot(path=str(artifacts / "notebook_markdown.png"), full_page=True)


def test_command_mode_keys(nbpage):
    page = nbpage.page
    nbpage.command_mode()
    n = len(nbpage.cells())
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert nbpage.selected() == n - 4
    page.keyboard.press("ArrowDown")
    sel = nbpage.selected()
    page.keyboard.press("a")
    assert len(nbpage.cells()) == n + 1 and nbpage.selected() == sel
    assert nbpage.cells()[sel] == ("code", "")
    page.keyboard.press("d")
    page.keyboard.press("d")
    assert len(nbpage.cells()) == n and nbpage.selected() == sel
    # m / y change the type; Alt+Down / Alt+Up move the cell.
    before = nbpage.cells()
    page.keyboard.press("Alt+ArrowDown")
    after = nbpage.cells()
    assert after[sel + 1] == before[sel] and after[sel] == before[sel + 1] and nbpage.selected() == sel + 1
    page.keyboard.press("Alt+ArrowUp")
    assert nbpage.cells() == before
    page.keyboard.press("m")
    assert nbpage.cells()[sel][0] == "markdown"
    page.keyboard.press("y")
    assert nbpage.cells()[sel][0] == "code"
    # h shows the shortcuts, Escape hides them again.
    page.keyboard.press("h")
    assert page.locator("#help").is_visible() and "undo the last cell deletion" in page.inner_text("#help")
    page.keyboard.press("Escape")
    assert page.locator("#help").is_hidden()


def test_save_and_reload(nbpage, server):
    cells = nbpage.cells()
    nbpage.save()
    on_disk = api_get(server, "first.ipynb")["content"]
    assert on_disk["nbformat"] == 4
    assert ["".join(c["source"]) for c in on_disk["cells"]] == [s for _, s in cells]
    nbpage.page.reload()
    nbpage.page.wait_for_function("document.body.dataset.notebook === 'open'")
    assert nbpage.cells() == cells
    first = nbpage.page.locator(f"{CELL} >> nth=0")
    assert "hello 42 1" in first.locator(".outputs").inner_text()
    assert first.locator(".prompt").inner_text() == "[1]:"
    assert nbpage.page.locator("#draft-banner").is_hidden()


PAYLOADS = [
    "<script>window.__pwned = 'script'</script>",
    "<img src=\"x\" onerror=\"window.__pwned = 'img onerror'\">",
    "<a id=\"jslink\" href=\"javascript:window.__pwned = 'javascript link'\">click me</a>",
    "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>window.__pwned = 'svg script'</script></svg>",
    "<svg onload=\"window.__pwned = 'svg onload'\"><circle r=\"5\"/></svg>",
    "<iframe srcdoc=\"<script>parent.__pwned = 'srcdoc'</script>\"></iframe>",
    "<details open ontoggle=\"window.__pwned = 'ontoggle'\"><summary>x</summary></details>",
    "<object data=\"javascript:window.__pwned = 'object'\"></object>",
    "<form action=\"javascript:window.__pwned = 'form'\"><button id=\"formbtn\">go</button></form>",
    "<img src=x onerror=alert('img alert')>",
]


def _evil_notebook():
    html = "\n".join(PAYLOADS)
    md = "# Evil\n\n[a markdown link](javascript:window.__pwned='md link')\n\n" + html
    outputs = [
        {"output_type": "display_data", "metadata": {}, "data": {"text/html": html, "text/plain": "x"}},
        {"output_type": "execute_result", "execution_count": 1, "metadata": {},
         "data": {"image/svg+xml": PAYLOADS[3] + PAYLOADS[4], "text/plain": "svg"}},
        {"output_type": "display_data", "metadata": {}, "data": {"text/markdown": md}},
        {"output_type": "stream", "name": "stdout", "text": PAYLOADS[0] + "\n"},
    ]
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
            "cells": [{"cell_type": "markdown", "id": "m1", "metadata": {}, "source": md},
                      {"cell_type": "code", "id": "c1", "metadata": {}, "execution_count": 1,
                       "source": "print('never run on open')\nwindow_flag = 1", "outputs": outputs}]}


def test_script_injection_payloads_do_not_run(nbpage, artifacts, tmp_path):
    page = nbpage.page
    page.evaluate("window.__pwned = undefined")
    dialogs = len(nbpage.dialogs)
    path = tmp_path / "evil.ipynb"
    path.write_text(json.dumps(_evil_notebook()))
    page.set_input_files("#upload", str(path))
    page.wait_for_function("location.search.includes('evil')")
    page.wait_for_function("document.querySelectorAll('#notebook > .cell').length === 2")
    assert nbpage.cells()[0][0] == "markdown"
    # Let images fail and the SVGs load, then try the links and buttons that survived.
    page.wait_for_function("[...document.images].every(i => i.complete)")
    for selector in ("#notebook a", "#notebook button"):
        for el in page.locator(selector).all():
            el.click(modifiers=["Alt"], no_wait_after=True)  # Alt: no new tab for target=_blank
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert len(nbpage.dialogs) == dialogs
    leftovers = page.evaluate("""() => {
        const root = document.getElementById('notebook');
        const bad = [];
        for (const el of root.querySelectorAll('*')) {
            if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'FORM'].includes(el.tagName)) bad.push(el.tagName);
            for (const a of el.attributes) {
                if (a.name.startsWith('on') || /^\\s*javascript:/i.test(a.value)) bad.push(el.tagName + ' ' + a.name);
            }
        }
        return bad;
    }""")
    assert leftovers == []
    # The stream shows the payload as text; the code was not run (no execution since open).
    assert "<script>" in page.locator(f"{CELL} >> nth=1 >> .output-stream").inner_text()
    page.screenshot(path=str(artifacts / "notebook_injection.png"), full_page=True)


JUPYTER_NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "id": "4f1c2d3e", "metadata": {"tags": ["intro"]},
         "source": ["# Round trip\n", "\n", "Written by hand *as Jupyter writes it*."]},
        {"cell_type": "code", "execution_count": 3, "id": "a0b1c2d3",
         "metadata": {"collapsed": False, "scrolled": True, "jupyter": {"source_hidden": False}},
         "outputs": [
             {"name": "stdout", "output_type": "stream", "text": ["step 1\n", "step 2\n"]},
             {"data": {"text/html": ["<table>\n", "<tr><td>1</td></tr>\n", "</table>"],
                       "text/plain": ["   a\n", "0  1"]},
              "execution_count": 3, "metadata": {}, "output_type": "execute_result"},
             {"data": {"image/png": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\n",
                       "text/plain": ["<Figure size 640x480 with 1 Axes>"]},
              "metadata": {"needs_background": "light"}, "output_type": "display_data"},
             {"ename": "ValueError", "evalue": "bad", "output_type": "error",
              "traceback": ["\u001b[0;31mValueError\u001b[0m                Traceback (most recent call last)",
                            "Cell \u001b[0;32mIn[3], line 4\u001b[0m\n\u001b[1;32m      1\u001b[0m raise ValueError('bad')",
                            "\u001b[0;31mValueError\u001b[0m: bad"]},
         ],
         "source": ["import numpy as np\n", "for i in (1, 2):\n", "    print(f'step {i}')\n", "np.arange(1)"]},
        {"cell_type": "raw", "id": "9e8d7c6b", "metadata": {"format": "text/x-rst"}, "source": ["raw *text*"]},
        {"attachments": {"pic.png": {"image/png": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="}},
         "cell_type": "markdown", "id": "5a5a5a5a", "metadata": {}, "source": ["![pic](attachment:pic.png)"]},
        {"cell_type": "code", "execution_count": None, "id": "00ff00ff", "metadata": {}, "outputs": [], "source": []},
    ],
    "metadata": {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
                          "mimetype": "text/x-python", "name": "python", "version": "3.11.4"},
        "toc": {"base_numbering": 1, "unknown_extension_key": [1, 2, 3]},
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}


def test_jupyter_notebook_round_trip(nbpage, server, artifacts, tmp_path):
    page = nbpage.page
    api_put(server, "jupyter.ipynb", JUPYTER_NOTEBOOK)
    nbpage.open("jupyter.ipynb")
    assert [t for t, _ in nbpage.cells()] == ["markdown", "code", "raw", "markdown", "code"]
    out = page.locator(f"{CELL} >> nth=1 >> .outputs")
    assert "step 2" in out.inner_text() and out.locator("table td").inner_text() == "1"
    assert out.locator("img.output-image").count() == 1
    assert "ValueError: bad" in out.locator(".output-traceback").inner_text()
    assert page.locator(f"{CELL} >> nth=1 >> .prompt").inner_text() == "[3]:"
    assert page.locator(f"{CELL} >> nth=3 >> .rendered img").get_attribute("src").startswith("data:image/png;base64,")
    page.screenshot(path=str(artifacts / "notebook_roundtrip.png"), full_page=True)
    # Save writes back exactly what was read.
    page.evaluate("window.webtensorNotebook.changed()")
    nbpage.save()
    assert api_get(server, "jupyter.ipynb")["content"] == JUPYTER_NOTEBOOK
    # Download gives the same notebook.
    with page.expect_download() as info:
        page.click("#btn-download")
    target = tmp_path / "download.ipynb"
    info.value.save_as(target)
    assert info.value.suggested_filename == "jupyter.ipynb"
    assert json.loads(target.read_text()) == JUPYTER_NOTEBOOK


def test_streams_appear_while_the_cell_runs_and_interrupt(nbpage):
    """A cell prints, then loops: its print shows while the prompt is [*]; Interrupt stops it."""
    page = nbpage.page
    page.click("#btn-add-code")
    page.keyboard.type("import time\nprint('tick', flush=True)\nt = time.time()\nwhile time.time() - t < 120:\npass")
    page.keyboard.press("Control+Enter")
    cell = page.locator("#notebook > .cell.selected")
    page.wait_for_function(
        "() => { const c = document.querySelector('#notebook > .cell.selected');"
        " return c.dataset.state === 'running' && c.querySelector('.outputs').textContent.includes('tick'); }")
    assert cell.locator(".prompt").inner_text() == "[*]:"
    page.click("#btn-interrupt")
    cell.locator(".output-traceback").wait_for()
    assert "KeyboardInterrupt" in cell.locator(".output-traceback").inner_text()
    assert cell.locator(".prompt").inner_text() != "[*]:"


def test_copy_paste_delete_and_undo(nbpage):
    page = nbpage.page
    nbpage.command_mode()
    page.keyboard.press("ArrowUp")
    sel = nbpage.selected()
    before = nbpage.cells()
    page.keyboard.press("c")
    page.keyboard.press("v")  # pastes below and selects the copy
    after = nbpage.cells()
    assert after[:sel + 1] + after[sel + 2:] == before and after[sel + 1] == before[sel]
    assert nbpage.selected() == sel + 1
    ids = page.evaluate("window.webtensorNotebook.nb.cells.map(c => c.id)")
    assert len(set(ids)) == len(ids), "a pasted cell needs an id of its own"
    assert page.locator("#btn-undo-delete").is_disabled()
    page.keyboard.press("d")
    page.keyboard.press("d")
    assert nbpage.cells() == before
    assert page.locator("#btn-undo-delete").is_enabled()
    page.keyboard.press("z")
    assert nbpage.cells() == after and nbpage.selected() == sel + 1
    page.click("#btn-delete")
    page.click("#btn-undo-delete")
    assert nbpage.cells() == after
    page.keyboard.press("x")  # cut, then paste it back where it was
    assert nbpage.cells() == before
    page.keyboard.press("ArrowUp")
    page.keyboard.press("v")
    assert nbpage.cells() == after


def test_status_line_keeps_the_backend_while_packages_load(nbpage):
    """Loading a package for a cell (matplotlib) shows beside the kernel line, not over it."""
    page = nbpage.page
    page.click("#btn-add-code")
    page.keyboard.type("import matplotlib\nmatplotlib.__version__")
    page.keyboard.press("Control+Enter")
    page.wait_for_function("document.querySelector('#notebook > .cell.selected .output') !== null"
                           " && document.body.dataset.busy === 'false'")
    assert page.inner_text("#kernel-info").startswith("Kernel ready: backend ")
    assert page.inner_text("#kernel-activity") == ""


def test_rename_and_open_from_the_notebook_list(nbpage, server):
    page = nbpage.page
    nbpage.open("first.ipynb")
    cells = nbpage.cells()
    page.click("#nb-name")
    page.fill("#nb-rename", "renamed")
    page.keyboard.press("Enter")
    page.wait_for_function("location.search.includes('renamed.ipynb')")
    assert page.inner_text("#nb-name") == "renamed.ipynb"
    assert ["".join(c["source"]) for c in api_get(server, "renamed.ipynb")["content"]["cells"]] == [s for _, s in cells]
    with pytest.raises(urllib.error.HTTPError):
        api_get(server, "first.ipynb")
    # A taken name is refused and nothing moves.
    api_put(server, "taken.ipynb", JUPYTER_NOTEBOOK)
    page.click("#nb-name")
    page.fill("#nb-rename", "taken.ipynb")
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('save-state').textContent.includes('already exists')")
    page.keyboard.press("Escape")
    assert page.inner_text("#nb-name") == "renamed.ipynb"
    assert api_get(server, "taken.ipynb")["content"] == JUPYTER_NOTEBOOK
    # The list shows the folder's notebooks; New notebook opens Untitled.ipynb.
    page.click("#btn-files")
    page.wait_for_function("document.querySelectorAll('#file-entries li').length >= 2")
    names = page.locator("#file-entries li a span:first-child").all_inner_texts()
    assert "renamed.ipynb" in names and "taken.ipynb" in names
    assert page.locator("#file-entries li.current").inner_text().startswith("renamed.ipynb")
    page.click("#btn-new-notebook")
    page.wait_for_function("location.search.includes('Untitled')")
    page.wait_for_function("document.body.dataset.notebook === 'open'")
    assert nbpage.cells() == [("code", "")]
    assert api_get(server, "Untitled.ipynb")["content"]["nbformat"] == 4
    # Opening a listed notebook.
    page.click("#btn-files")
    page.locator("#file-entries li a", has_text="renamed.ipynb").click()
    page.wait_for_function("location.search.includes('renamed.ipynb') && document.body.dataset.notebook === 'open'")
    assert nbpage.cells() == cells
