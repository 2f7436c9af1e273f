# Two commands do all the set-up: `make run` and `make test`.
# Both create the virtual environment and install what is needed on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

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

# The dialogue fixtures in tests/dialogues against the real bot process (docs/fixtures.md).
fixtures: $(STAMP)
	$(PY) -m bot.fixtures tests/dialogues

clean:
	rm -rf $(VENV) .pytest_cache
