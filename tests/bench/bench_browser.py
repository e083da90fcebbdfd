"""Browser benchmark: the notebook's start-up and webtensor in the page beside TensorFlow.js 4.22.

Run with `make bench` (or `.venv/bin/python tests/bench/bench_browser.py [--quick] [--json PATH]`).
It serves the built front end, Pyodide and a wheel of the current sources as `webtensor notebook`
does, and drives headless Chromium (Debian's /usr/bin/chromium, WebGPU on its adapter; here
SwiftShader, a software one) with playwright:

1. time to the first executed cell on the notebook page (/): from navigation to the first cell's
   output, with a fresh browser profile (cold: empty HTTP cache) and again with the same profile
   after a browser restart (warm); the best of two such pairs;
2. the benchmark page (/bench.html, web/src/bench/): webtensor in the Pyodide kernel on the browser's
   webgpu backend and on numpy, Pyodide's own numpy, and TensorFlow.js's webgpu and wasm backends
   on the same page and adapter: eager per-op cost, matmul GFLOP/s, the digits MLP training step.

It prints Markdown tables of ratios against tfjs-webgpu measured in the same run; nothing here
asserts a time. Every case checks its result (values, a falling loss) before it is timed.
"""
import argparse
import datetime
import json
import pathlib
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "e2e"))
from browser_support import CACHE, CHROMIUM, CHROMIUM_ARGS, DIST, KERNEL_TIMEOUT_MS, build_wheel, missing, write_index  # noqa: E402,E501

GOAL_FIRST_CELL_S = 8.0
GOAL_PER_OP_RATIO = 2.0       # webtensor-webgpu us/op <= 2x tfjs-webgpu's
FIRST_CELL = "import webtensor as tf\nprint(tf.reduce_sum(tf.constant([1., 2., 3.])).numpy())"
RUN_TIMEOUT_MS = 1_800_000


class Server:
    """The notebook server on a free port, with a wheelhouse holding a wheel of the current sources."""

    def __init__(self, tmp):
        from webtensor.notebook.server import NotebookServer
        wheels, notebooks = pathlib.Path(tmp) / "wheels", pathlib.Path(tmp) / "notebooks"
        wheels.mkdir()
        notebooks.mkdir()
        build_wheel(wheels)
        write_index(wheels)
        self.httpd = NotebookServer(("127.0.0.1", 0), str(notebooks), root=str(ROOT), dist_dir=str(DIST),
                                    pyodide_dir=str(CACHE / "pyodide"), wheels_dir=str(wheels), quiet=True)
        self.url = self.httpd.url
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def first_cell(playwright, profile, url, name):
    """Seconds from navigation to the first cell's output on the notebook page, in a browser on `profile`,
    and the kernel's start-up timings (ms: Pyodide, packages, webtensor wheel, sinceStart)."""
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(KERNEL_TIMEOUT_MS)
        page.goto(f"{url}?path={name}")
        page.wait_for_function("document.body.dataset.notebook === 'open'")
        page.click("#notebook > .cell >> nth=0 >> .cm-content")
        page.keyboard.type(FIRST_CELL)
        page.keyboard.press("Shift+Enter")
        # performance.now() counts from the navigation's start.
        ms = page.wait_for_function(
            """() => { const o = document.querySelector('#notebook > .cell .outputs');
                       return o && o.textContent.includes('6.0') ? performance.now() : false; }""",
            polling="raf").json_value()
        timings = page.evaluate("window.webtensorKernel.info && window.webtensorKernel.info.timings")
        return {"seconds": ms / 1e3, "kernel_ms": timings}
    finally:
        context.close()


def bench_page(playwright, url, options):
    """Runs every case of /bench.html; returns {environment, rows}."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    try:
        page = browser.new_page()
        console = []
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
        page.set_default_timeout(RUN_TIMEOUT_MS)
        page.goto(f"{url}bench.html")
        page.wait_for_function("document.body.dataset.kernel !== 'loading'", timeout=KERNEL_TIMEOUT_MS)
        try:
            return page.evaluate("(o) => window.webtensorBench.run(o)", options)
        except Exception as e:
            raise RuntimeError(f"the benchmark page failed: {e}\n" + "\n".join(console[-20:])) from None
    finally:
        browser.close()


# -- tables -------------------------------------------------------------------------------------------

def _fmt(v, digits=3):
    if v is None:
        return "-"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.{digits}g}"


def _ratio(a, b):
    return "-" if a is None or b is None or b == 0 else f"{a / b:.2f}x"


def _name(backend):
    """Row labels: webtensor's backends by name, the others as they come (tfjs-*, pyodide-numpy)."""
    return f"webtensor-{backend}" if backend in ("webgpu", "numpy") else backend


def _find(rows, **want):
    for r in rows:
        if all(r.get(k) == v for k, v in want.items()):
            return r
    return None


def goals(first, rows):
    """One line per goal of the browser benchmarks: met, MISSED, or not measured in this run."""
    lines = []
    if first:
        cold = min(r["seconds"] for r in first["cold"])
        lines.append(f"first cell cold {cold:.1f} s < {GOAL_FIRST_CELL_S:g} s: {'met' if cold < GOAL_FIRST_CELL_S else 'MISSED'}")
    ours, theirs = _find(rows, case="per_op", backend="webgpu"), _find(rows, case="per_op", backend="tfjs-webgpu (GPU only)")
    if ours and theirs:
        ratio = ours["us_per_op"] / theirs["us_per_op"]
        lines.append(f"per-op {ratio:.2f}x tfjs-webgpu <= {GOAL_PER_OP_RATIO:g}x: {'met' if ratio <= GOAL_PER_OP_RATIO else 'MISSED'}")
    sizes = sorted({r["n"] for r in rows if r["case"] == "matmul"})
    pairs = [(_find(rows, case="matmul", n=n, backend="webgpu"), _find(rows, case="matmul", n=n, backend="tfjs-webgpu"))
             for n in sizes]
    if pairs and all(a and b for a, b in pairs):
        ok = all(a["gflops"] >= b["gflops"] for a, b in pairs)
        lines.append(f"matmul >= tfjs-webgpu at {', '.join(map(str, sizes))}: {'met' if ok else 'MISSED'}")
    return ["Goals: " + "; ".join(lines) + ".", ""] if lines else []


def tables(first, result):
    rows = result["rows"]
    out = goals(first, rows)
    if first:
        out += ["Time to the first executed cell on the notebook page (navigation to its output, best of "
                f"{len(first['cold'])}; goal < {GOAL_FIRST_CELL_S:g} s cold), and where the kernel's start went:", "",
                "| | seconds | goal | Pyodide | numpy, micropip | webtensor wheel | kernel ready |",
                "|---|---:|---|---:|---:|---:|---:|"]
        for label, key in (("cold (fresh profile, empty HTTP cache)", "cold"), ("warm (same profile, second load)", "warm")):
            best = min(first[key], key=lambda r: r["seconds"])
            k = best.get("kernel_ms") or {}
            goal = ("met" if best["seconds"] < GOAL_FIRST_CELL_S else "MISSED") if key == "cold" else ""
            out.append(f"| {label} | {best['seconds']:.1f} | {goal} | " + " | ".join(
                "-" if k.get(f) is None else f"{k[f] / 1e3:.1f}" for f in ("pyodide", "packages", "webtensor", "sinceStart"))
                + " |")
        out.append("")
    per_op = [r for r in rows if r["case"] == "per_op"]
    if per_op:
        # tfjs-webgpu computes adds on small CPU-resident tensors with its CPU kernels; the baseline for
        # webtensor's dispatches is tfjs with that forwarding off (every add a GPU dispatch).
        base = _find(per_op, backend="tfjs-webgpu (GPU only)")
        base_us = base and base["us_per_op"]
        out += [f"Eager per-op cost, tf.add on {per_op[0]['size']} float32 values, {per_op[0]['count']} chained ops "
                f"per wait (goal: webtensor-webgpu <= {GOAL_PER_OP_RATIO:g}x tfjs-webgpu dispatching on the GPU):", "",
                "| backend | µs/op | / tfjs-webgpu (GPU only) |", "|---|---:|---:|"]
        out += [f"| {_name(r['backend'])} | {_fmt(r['us_per_op'])} | {_ratio(r['us_per_op'], base_us)} |"
                for r in per_op]
        out += ["", "(tfjs-webgpu as shipped runs ops on tensors under 1000 elements whose data is on the CPU "
                "with its CPU kernels: the plain tfjs-webgpu row.)", ""]
    mm = [r for r in rows if r["case"] == "matmul"]
    if mm:
        names = ["webgpu", "tfjs-webgpu", "tfjs-wasm", "pyodide-numpy"]
        out += ["Matmul n x n float32, GFLOP/s (goal: webtensor-webgpu >= tfjs-webgpu):", "",
                "| n | webtensor-webgpu | tfjs-webgpu | tfjs-wasm | Pyodide numpy | webtensor / tfjs-webgpu |",
                "|---:|---:|---:|---:|---:|---:|"]
        for n in sorted({r["n"] for r in mm}):
            g = {b: (_find(mm, n=n, backend=b) or {}).get("gflops") for b in names}
            out.append(f"| {n} | " + " | ".join(_fmt(g[b]) for b in names) + f" | {_ratio(g['webgpu'], g['tfjs-webgpu'])} |")
        out.append("")
    mlp = [r for r in rows if r["case"] == "mlp"]
    if mlp:
        out += ["Digits MLP training step (batch 64, 64 -> 64 relu -> 10, softmax cross-entropy, SGD 0.01, the same "
                "initial weights and batch everywhere), ms/step, and the loss each reached at its step "
                f"{mlp[0].get('steps', 10)} (the same model learning the same way gives the same loss):", "",
                "| contender | ms/step | / tfjs-webgpu trainOnBatch | loss |", "|---|---:|---:|---:|"]
        base = _find(mlp, backend="tfjs-webgpu", variant="trainOnBatch")
        base_ms = base and base["ms_per_step"]
        labels = {"eager": "eager (GradientTape)", "function": "tf.function", "keras": "Keras train_on_batch",
                  "minimize": "optimizer.minimize", "trainOnBatch": "model.trainOnBatch"}
        for r in mlp:
            out.append(f"| {_name(r['backend'])} {labels[r['variant']]} | {_fmt(r['ms_per_step'])} | "
                       f"{_ratio(r['ms_per_step'], base_ms)} | {r['first_loss']:.5f} |")
        out.append("")
    return "\n".join(out)


def environment_line(env):
    wt, tfjs = env.get("webtensor") or {}, env.get("tfjs") or {}
    adapter = (wt.get("adapter") or {}).get("device_name", "no WebGPU adapter")
    wasm = (tfjs.get("backends") or {}).get("wasm") or {}
    return (f"Chromium headless ({env.get('userAgent', '?').split('Chrome/')[-1].split(' ')[0]}), WebGPU adapter: "
            f"{adapter}; Pyodide Python {wt.get('python')}, numpy {wt.get('numpy')}; tfjs {tfjs.get('version')} "
            f"(wasm simd={wasm.get('simd')}, threads={wasm.get('threads')}); {env.get('hardwareConcurrency')} "
            f"logical CPUs; crossOriginIsolated={env.get('crossOriginIsolated')}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes and shorter runs")
    parser.add_argument("--only", action="append", choices=["first_cell", "per_op", "matmul", "mlp"],
                        help="run only these parts (repeatable)")
    parser.add_argument("--first-cell-runs", type=int, default=2,
                        help="cold and warm loads of the notebook page, each with a fresh profile (best counts)")
    parser.add_argument("--json", help="also write the raw results here")
    args = parser.parse_args(argv)
    reason = missing()
    if reason:
        print(f"bench_browser: skipped, {reason}")
        return 0
    from playwright.sync_api import sync_playwright
    only = set(args.only or ["first_cell", "per_op", "matmul", "mlp"])
    options = {"only": sorted(only - {"first_cell"})}
    if args.quick:
        options.update(sizes=[256, 512], perOpCount=300, mlpSteps=5, minSeconds=0.3)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="webtensor-bench-") as tmp, sync_playwright() as p:
        server = Server(tmp)
        try:
            first = None
            if "first_cell" in only:
                first = {"cold": [], "warm": []}
                for i in range(args.first_cell_runs):
                    profile = pathlib.Path(tmp) / f"profile-{i}"
                    first["cold"].append(first_cell(p, profile, server.url, f"bench-cold-{i}.ipynb"))
                    first["warm"].append(first_cell(p, profile, server.url, f"bench-warm-{i}.ipynb"))
            result = bench_page(p, server.url, options) if options["only"] else {"environment": {}, "rows": []}
        finally:
            server.close()
    print(f"## Browser benchmarks ({datetime.date.today().isoformat()}, {time.perf_counter() - started:.0f} s)\n")
    if result["environment"]:
        print(environment_line(result["environment"]) + "\n")
    print(tables(first, result))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps({"first_cell": first, **result}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
