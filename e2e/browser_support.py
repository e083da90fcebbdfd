"""Helpers shared by the browser tests (a module of its own, so test modules never import a
`conftest` by name): what is missing, a wheel of the current sources, and the runner page driver."""
import base64
import hashlib
import json
import os
import pathlib
import sys
import time
import zipfile


ROOT = pathlib.Path(__file__).resolve().parents[1]
CACHE = pathlib.Path(os.environ.get("WEBTENSOR_CACHE") or ROOT / ".cache")
DIST = ROOT / "web" / "dist"
ARTIFACTS = pathlib.Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--enable-unsafe-webgpu", "--no-sandbox", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--enable-features=Vulkan"]
# How long the page may take to load Pyodide, numpy and webtensor (two shared cores, cold caches).
KERNEL_TIMEOUT_MS = 180_000


def missing():
    """Why the browser tests cannot run here, or None."""
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} is missing (Debian package `chromium`)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the `playwright` Python package is not installed"
    if not (DIST / "index.html").exists():
        return f"the front end is not built ({DIST.relative_to(ROOT)}/index.html missing: cd web && npm ci && npm run build)"
    if not (CACHE / "pyodide" / "pyodide.mjs").exists():
        return f"the Pyodide assets are missing ({CACHE / 'pyodide'}: make assets)"
    return None


# -- a wheel of the current sources ------------------------------------------------------------------

sys.path.insert(0, str(ROOT / "web" / "tools"))
from wheelhouse import build_wheel  # noqa: E402,F401 - one wheel builder for the notebook and the tests

def write_index(folder):
    """index.json listing the folder's wheels, as the front end looks for them."""
    names = sorted(p.name for p in pathlib.Path(folder).glob("*.whl"))
    (pathlib.Path(folder) / "index.json").write_text(json.dumps({"wheels": [{"file": n} for n in names]}))


class Runner:
    """The runner page with its kernel: run(code) -> result dict; every request the page made."""

    def __init__(self, context, page, url):
        self.context = context
        self.page = page
        self.url = url
        # The development runner lives at /?runner (the page at / is the notebook).
        self.page_url = url.rstrip("/") + "/?runner"
        self.requests = []
        self.console = []
        context.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))

    def load(self):
        """Opens the page, waits for the kernel, runs a first cell; returns seconds to its result."""
        t0 = time.perf_counter()
        self.page.goto(self.page_url)
        self.wait_ready()
        result = self.run("1 + 1")
        assert result["ok"] and result["value"] == "2", result
        return time.perf_counter() - t0

    def wait_ready(self):
        self.page.wait_for_function("document.body.dataset.kernel !== 'loading'", timeout=KERNEL_TIMEOUT_MS)
        state = self.page.evaluate("document.body.dataset.kernel")
        if state != "ready":
            raise AssertionError(f"kernel failed to start: {self.page.inner_text('#output')}\n"
                                 + "\n".join(self.console))

    def run(self, code, timeout_ms=KERNEL_TIMEOUT_MS):
        """Runs a cell through window.webtensorKernel; the result has 'streams': [[name, text], ...]."""
        self.page.set_default_timeout(timeout_ms)
        return self.page.evaluate(
            """async (code) => {
                const streams = [];
                const r = await window.webtensorKernel.run(code, {onStream: (n, t) => streams.push([n, t])});
                return {...r, streams};
            }""", code)

    def check(self, code, timeout_ms=KERNEL_TIMEOUT_MS):
        """Runs a cell that must succeed; returns its stdout."""
        r = self.run(code, timeout_ms)
        out = "".join(t for n, t in r["streams"] if n == "stdout")
        if not r["ok"]:
            err = "".join(t for n, t in r["streams"] if n == "stderr")
            raise AssertionError(f"cell failed:\n{r['error']['traceback']}\nstdout:\n{out}\nstderr:\n{err}")
        return out
