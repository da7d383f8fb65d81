# nasbench-suite: `make demo` runs the main job, `make test` runs the tests.
# Each target creates its own virtual environment (.venv) and installs what it needs, idempotently.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SUITE := $(VENV)/bin/nasbench-suite
STAMP := $(VENV)/.installed

.PHONY: setup demo test bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# CPU torch wheel (present on these machines); a looser spec would fetch GBs of CUDA.
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

demo: setup
	$(SUITE) data build
	$(SUITE) data verify
	$(SUITE) space info
	$(SUITE) query 1 --dataset cifar10

test: setup
	$(PY) -m pytest -q

bench: setup
	$(PY) benchmarks/store_bench.py

clean:
	rm -rf $(VENV) data/nb201-store
