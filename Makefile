# Every target does its own set-up, so a fresh clone needs only `make test` or `make notebook`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-stamp

.PHONY: setup test test-unit bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@# Mesa's software Vulkan driver (lavapipe) gives WebGPU an adapter on machines without a GPU.
	@dpkg -s mesa-vulkan-drivers >/dev/null 2>&1 || (apt-get update -q && apt-get install -y -q mesa-vulkan-drivers)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# The Vulkan loader wants a runtime dir; headless CI machines may not set one.
export XDG_RUNTIME_DIR ?= /tmp

test: setup
	$(PY) -m pytest tests

bench: setup
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) tests/bench/bench_core.py
	$(PY) tests/bench/bench_keras.py
	$(PY) tests/bench/bench_webgpu.py

clean:
	rm -rf $(VENV) build dist pkg/*.egg-info
