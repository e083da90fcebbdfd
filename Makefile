# Every target does its own set-up, so a fresh clone needs only `make test` or `make notebook`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-stamp

.PHONY: setup test test-unit bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

test: setup
	$(PY) -m pytest tests

bench: setup
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) tests/bench/bench_core.py

clean:
	rm -rf $(VENV) build dist pkg/*.egg-info
