# The two set-up commands: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint index clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-deps: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-deps: pyproject.toml $(VENV)/.run-deps
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.run-deps
	$(BIN)/kb index
	$(BIN)/kb serve

index: $(VENV)/.run-deps
	$(BIN)/kb index

test: $(VENV)/.test-deps
	$(BIN)/ruff check .
	$(BIN)/kb check
	$(BIN)/python -m pytest

lint: $(VENV)/.test-deps
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) instance/index instance/index-* instance/*.lock
