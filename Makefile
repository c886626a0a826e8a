# studiofund — two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP_RUN  := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test

.PHONY: demo test install bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(STAMP_RUN)

install: $(STAMP_RUN)

# The main job on the bundled example ledgers: every studio's findings.
demo: $(STAMP_RUN)
	$(BIN)/studiofund programs
	$(BIN)/studiofund check ledgers/ || true

test: $(STAMP_TEST)
	$(BIN)/python -m pytest -q

bench: $(STAMP_RUN)
	$(BIN)/python bench/bench_check.py

clean:
	rm -rf $(VENV) build *.egg-info
