# nasbench-suite: `make demo` runs the main job, `make test` runs the tests.
# Each target creates its own virtual environment (.venv) and installs what it needs, idempotently.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SUITE := $(VENV)/bin/nasbench-suite
STAMP := $(VENV)/.installed
DEMO_RUNS ?= reports/runs/quick

.PHONY: setup system-deps demo test bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# CPU torch wheel (present on these machines); a looser spec would fetch GBs of CUDA.
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

# System packages some tests use: Chromium + poppler (report rendering checks), pdflatex +
# booktabs (the LaTeX table compile check) and the Debian Fashion-MNIST files (real-training
# tests). Each script does nothing when already present.
system-deps:
	bash .ci/install-report-deps
	bash .ci/install-tex-deps
	bash .ci/install-train-deps

demo: setup
	$(SUITE) data verify
	$(SUITE) run experiments/quick.yaml --out $(DEMO_RUNS)
	$(SUITE) runs summary $(DEMO_RUNS)
	$(SUITE) report $(DEMO_RUNS) --out reports/quick

test: setup system-deps
	$(PY) -m pytest -q

# Every performance script, side by side with its reference where one exists, into one JSON
# (reports/bench.json). Quick settings by default; FULL=1 uses the README's settings and
# regenerates the README's performance tables from the JSON.
bench: setup
	$(PY) -m pip install -q --no-deps xautodl==1.0.0  # reference code; pins an old numpy
	$(PY) benchmarks/run_all.py $(if $(FULL),--full,)
	$(if $(FULL),$(PY) benchmarks/readme_tables.py reports/bench.json,)

clean:
	rm -rf $(VENV) data/nb201-store data/nb-graph-store reports/runs reports/quick.*
