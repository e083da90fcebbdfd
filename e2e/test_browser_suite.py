"""The repository's test modules run inside the page: pytest under Pyodide, on the browser's WebGPU.

By default the op-case table runs (every primitive's forward cases against float64 numpy references,
about 20 s in Chromium on SwiftShader). The WebGPU backend modules are slow on a software adapter
(about 3 s per test of tests/test_webgpu_compute.py on two shared cores), so they run when asked:

    WEBTENSOR_E2E_SUITE=tests/test_webgpu_compute.py,tests/test_op_table.py pytest e2e/test_browser_suite.py

(`WEBTENSOR_E2E_SUITE=1` runs the WebGPU modules and the op table). Tests run with
WEBTENSOR_TEST_BACKENDS=webgpu,wasm, so the op table runs on the page's GPU and on the wasm kernels.
"""
import json
import os

import pytest

from browser_support import CACHE, ROOT, missing

_reason = missing()
if _reason:
    pytest.skip(_reason, allow_module_level=True)
_wanted = os.environ.get("WEBTENSOR_E2E_SUITE", "") or "tests/test_op_table.py"
if not any(CACHE.joinpath("wheels").glob("pytest-*.whl")):
    pytest.skip(f"no pytest wheel in {CACHE / 'wheels'} (make assets builds the wheelhouse)", allow_module_level=True)

DEFAULT_MODULES = ["tests/test_webgpu_backend.py", "tests/test_webgpu_compute.py", "tests/test_webgpu_movement.py",
                   "tests/test_op_table.py"]
MODULES = DEFAULT_MODULES if _wanted == "1" else [m.strip() for m in _wanted.split(",") if m.strip()]


@pytest.fixture(scope="module")
def suite_page(runner):
    from test_runtime import GPU_SETUP
    runner.check(GPU_SETUP)
    files = {p.relative_to(ROOT).as_posix(): p.read_text()
             for p in (ROOT / "tests").rglob("*.py") if "bench" not in p.parts}
    for p in (ROOT / "tests").rglob("*"):  # data the tests read (small files only)
        if p.is_file() and p.suffix not in (".py", ".pyc") and p.stat().st_size < 1_000_000 \
                and "__pycache__" not in p.parts:
            try:
                files[p.relative_to(ROOT).as_posix()] = p.read_text()
            except UnicodeDecodeError:
                pass
    runner.check(f"""
import json, pathlib
for name, text in json.loads({json.dumps(json.dumps(files))}).items():
    path = pathlib.Path("/home/pyodide/webtensor-tests") / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
""")
    wheels = sorted(p.name for p in CACHE.joinpath("wheels").glob("*.whl") if not p.name.startswith("webtensor-"))
    urls = [runner.url + "wheels/" + name for name in wheels]
    runner.check(f"import micropip\nawait micropip.install({urls!r}, deps=False)\nimport pytest")
    return runner


@pytest.mark.parametrize("module", MODULES)
def test_module_passes_in_the_browser(suite_page, module):
    r = suite_page.run(f"""
import os, pytest
os.chdir("/home/pyodide/webtensor-tests")
os.environ["WEBTENSOR_TEST_BACKENDS"] = "webgpu,wasm"
rc = pytest.main(["-q", "-p", "no:cacheprovider", "--tb=short", "-rf", {module!r}])
import webtensor as tf
print("backends", *tf.config.available_backends())
print("exit status", int(rc))
""", timeout_ms=3_600_000)
    out = "".join(t for _, t in r["streams"])
    assert r["ok"], r["error"]
    assert "exit status 0" in out, out[-8000:]
    assert {"webgpu", "wasm"} <= set(out.split("backends", 1)[1].split("\n", 1)[0].split()), out[-2000:]
