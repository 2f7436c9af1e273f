# Two commands do all the set-up: `make run` and `make test`.
# Both create the virtual environment and install what is needed on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
# Extra options for the benchmark, e.g. `make bench BENCH_ARGS="--smoke"`.
BENCH_ARGS ?=

.PHONY: run test fixtures demo bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m bot

test: $(STAMP)
	$(PY) -m pytest

# The dialogue fixtures in tests/dialogues against the real bot process (docs/fixtures.md),
# e.g. `make fixtures FIXTURES_ARGS="-q -j 2 --junit fixtures.xml --html fixtures.html"`.
FIXTURES_ARGS ?=
fixtures: $(STAMP)
	$(PY) -m testkit.fixtures $(FIXTURES_ARGS) tests/dialogues

$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	touch $(BENCH_STAMP)

# The full run takes about 30 minutes (it builds a 1,000,000-appeal archive once, in .bench/).
bench: $(BENCH_STAMP)
	$(PY) -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .bench
