"""Fixtures for the browser tests: a local server for the built front end, Pyodide and a wheel of the
current webtensor sources, and headless Chromium (Debian's /usr/bin/chromium) driven by playwright.

The tests skip, saying what is missing, when Chromium, playwright, the built front end (web/dist) or
the Pyodide assets (.cache/pyodide) are not there. WEBTENSOR_CACHE points at another asset cache.
"""
import os
import pathlib
import shutil
import tempfile
import threading

import pytest

from browser_support import (ARTIFACTS, CACHE, CHROMIUM, CHROMIUM_ARGS, DIST, ROOT, Runner, build_wheel, missing,
                             write_index)


# -- the server ----------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def server():
    """The notebook server (COOP/COEP headers) on a free port, serving web/dist, .cache/pyodide and a
    wheelhouse holding a wheel of the current sources. Yields its base URL."""
    reason = missing()
    if reason:
        pytest.skip(reason)
    from webtensor.notebook.server import NotebookServer
    with tempfile.TemporaryDirectory(prefix="webtensor-e2e-") as tmp:
        wheels = pathlib.Path(tmp) / "wheels"
        notebooks = pathlib.Path(tmp) / "notebooks"
        wheels.mkdir()
        notebooks.mkdir()
        build_wheel(wheels)
        # pytest and its dependencies from the notebook's wheelhouse (make assets), for the op suite.
        for extra in (CACHE / "wheels").glob("*.whl"):
            if not extra.name.startswith("webtensor-"):
                shutil.copy(extra, wheels / extra.name)
        write_index(wheels)
        httpd = NotebookServer(("127.0.0.1", 0), str(notebooks), root=str(ROOT), dist_dir=str(DIST),
                               pyodide_dir=str(CACHE / "pyodide"), wheels_dir=str(wheels), quiet=True)
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield httpd.url
        finally:
            httpd.shutdown()
            httpd.server_close()


@pytest.fixture(scope="session")
def browser():
    reason = missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright
    os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.gettempdir())
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def runner(server, browser):
    """One page with a started kernel for the module's tests (Pyodide takes seconds to load)."""
    context = browser.new_context()
    page = context.new_page()
    r = Runner(context, page, server)
    r.first_cell_s = r.load()
    yield r
    context.close()


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
