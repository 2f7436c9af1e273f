# Two commands do all the set-up: `make run` and `make test`.
# Both create the virtual environment and install what is needed on first use,
# from the lock files in requirements/ (exact versions and hashes), again whenever
# a lock file changes. `make lock` recompiles them from pyproject.toml's ranges.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
LOCK := requirements/dev.txt
BENCH_LOCK := requirements/bench.txt
# Only `make lock` needs it; it is not a dependency of the bot or of its tests.
PIP_TOOLS := pip-tools>=7.4,<8
PIP_COMPILE := $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links
# Extra options for the benchmark, e.g. `make bench BENCH_ARGS="--smoke"`.
BENCH_ARGS ?=
# The folders the checks cover (the top-level handlers/, states/, storage/ are in bot/ too).
LINT_PATHS := bot fake_telegram testkit handlers states storage tests benchmarks

.PHONY: run test lint lock fixtures demo bench bench-e2e clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# The lock file decides every version; `pip check` then fails when pyproject.toml asks for
# something the lock does not hold (run `make lock`).
$(STAMP): $(LOCK) pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m pip check
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m bot

# With the bench extra: the benchmark's smoke test runs the peers' storages too.
test: $(BENCH_STAMP)
	$(PY) -m pytest

# Style, formatting, types and the direction of imports (the contracts in pyproject.toml).
lint: $(STAMP)
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/ruff format --check $(LINT_PATHS)
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# Recompile the lock files from pyproject.toml (after changing a dependency or its range);
# `make lock LOCK_ARGS=--upgrade` moves every package to the newest version allowed.
LOCK_ARGS ?=
lock: | $(VENV)/bin/python
	$(PY) -m pip install --quiet "$(PIP_TOOLS)"
	$(PIP_COMPILE) $(LOCK_ARGS) --extra dev -o $(LOCK) pyproject.toml
	$(PIP_COMPILE) $(LOCK_ARGS) --extra dev --extra bench -o $(BENCH_LOCK) pyproject.toml

# The dialogue fixtures in tests/dialogues against the real bot process (docs/fixtures.md),
# e.g. `make fixtures FIXTURES_ARGS="-q -j 2 --junit fixtures.xml --html fixtures.html"`.
FIXTURES_ARGS ?=
fixtures: $(STAMP)
	$(PY) -m testkit.fixtures $(FIXTURES_ARGS) tests/dialogues

$(BENCH_STAMP): $(STAMP) $(BENCH_LOCK)
	$(PY) -m pip install --quiet --require-hashes -r $(BENCH_LOCK)
	touch $(BENCH_STAMP)

# The full run takes about 30 minutes (it builds a 1,000,000-appeal archive once, in .bench/).
bench: $(BENCH_STAMP)
	$(PY) -m benchmarks $(BENCH_ARGS)

# The real bot process through the fake Telegram (40 ms, Telegram's limits): about 35 minutes,
# most of it the burst's cards at 20 a minute. `make bench-e2e BENCH_ARGS="--smoke"`: ~30 s.
bench-e2e: $(STAMP)
	$(PY) -m benchmarks.e2e $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .bench
