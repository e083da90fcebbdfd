# Every target does its own set-up, so a fresh clone needs only `make test` or `make notebook`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-stamp

.PHONY: setup e2e-setup test test-unit bench clean assets web-build notebook wasm

setup: $(STAMP) wasm

# The wasm backend's kernels (kernels_wasm/*.c -> one .wasm inside the package, so wheels carry it):
# Debian's clang + lld, with wasi-libc for musl's libm (the module imports nothing from WASI).
WASM := pkg/webtensor/backends/wasm/kernels.wasm
WASM_CFLAGS := --target=wasm32-wasi --sysroot=/usr -isystem /usr/include/wasm32-wasi -O3 -msimd128 -mbulk-memory \
	-mnontrapping-fptoint -Wall -Wextra -Wno-unused-parameter
WASM_LDFLAGS := -nostartfiles -Wl,--no-entry -Wl,--strip-all -L/usr/lib/wasm32-wasi

wasm: $(WASM)

$(WASM): $(wildcard kernels_wasm/*.c kernels_wasm/*.h)
	@{ command -v clang && command -v wasm-ld && test -f /usr/lib/wasm32-wasi/libc.a && \
		ls /usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a; } >/dev/null 2>&1 || \
		(apt-get update -q && apt-get install -y -q clang lld wasi-libc libclang-rt-dev-wasm32)
	clang $(WASM_CFLAGS) $(WASM_LDFLAGS) kernels_wasm/*.c -lc -o $@

$(STAMP): pyproject.toml
	@# Mesa's software Vulkan driver (lavapipe) gives WebGPU an adapter on machines without a GPU.
	@dpkg -s mesa-vulkan-drivers >/dev/null 2>&1 || (apt-get update -q && apt-get install -y -q mesa-vulkan-drivers)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# The Vulkan loader wants a runtime dir; headless CI machines may not set one.
export XDG_RUNTIME_DIR ?= /tmp

# Unit tests on every backend available, then the browser tests in headless Chromium.
test: setup e2e-setup assets web-build
	$(PY) -m pytest tests
	$(PY) -m pytest e2e

# What the browser (e2e) tests need: Debian's chromium (`playwright install` cannot download
# browsers here) and the playwright Python package, which drives /usr/bin/chromium.
e2e-setup: setup
	@dpkg -s chromium >/dev/null 2>&1 || (apt-get update -q && apt-get install -y -q chromium)
	@$(PY) -c "import playwright" 2>/dev/null || $(PY) -m pip install --quiet playwright

# The notebook: Pyodide core files and official wheels (sha256-checked against pyodide-lock.json)
# in .cache/pyodide/, the webtensor + pytest wheelhouse in .cache/wheels/. Cached; offline once done.
PORT ?= 8888
CACHE := .cache
NOTEBOOK_DIR := notebooks

assets: setup
	$(PY) web/tools/pyodide_assets.py --cache $(CACHE)
	$(PY) web/tools/wheelhouse.py --cache $(CACHE)

# `npm install` runs again only when web/package-lock.json changes. (Not `npm ci`: npm 11 here writes
# locks without other platforms' optional packages, e.g. rollup's, and `npm ci` then refuses them;
# `npm install` follows the same lock and leaves it unchanged.)
web-build:
	@if [ -f web/package.json ]; then \
		cd web && { [ node_modules/.ci-stamp -nt package-lock.json ] || { npm install --no-audit --no-fund && touch node_modules/.ci-stamp; }; } && npm run build; \
	else echo "web/package.json not found: no front end to build"; fi

# Example notebooks are copied into $(NOTEBOOK_DIR) only when absent: a user's file is never overwritten.
notebook: assets web-build
	@mkdir -p $(NOTEBOOK_DIR)
	@for f in pkg/webtensor/notebook/examples/*.ipynb; do \
		[ -e "$$f" ] || continue; t="$(NOTEBOOK_DIR)/$$(basename "$$f")"; [ -e "$$t" ] || cp "$$f" "$$t"; \
	done
	$(PY) -m webtensor notebook --port $(PORT) --no-browser --notebook-dir $(NOTEBOOK_DIR)

# bench_compiled.py: dispatches and step time of tf.function training steps, eager vs compiled (fused).
# bench_browser.py: the notebook's start-up and webtensor beside TensorFlow.js in headless Chromium.
# bench_board.py: the dashboard's frame time while panning 10 runs x 100k points per tag.
bench: setup e2e-setup assets web-build
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) tests/bench/bench_core.py
	$(PY) tests/bench/bench_keras.py
	$(PY) tests/bench/bench_webgpu.py
	$(PY) tests/bench/bench_compiled.py
	$(PY) tests/bench/bench_wasm.py
	$(PY) tests/bench/bench_browser.py
	$(PY) tests/bench/bench_board.py

clean:
	rm -rf $(VENV) build dist pkg/*.egg-info $(WASM)
