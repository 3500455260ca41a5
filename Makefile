# thermobook: one command builds the book, one runs every check. Both work on a machine that has
# only Python: the first target that needs it creates .venv and installs requirements.txt into it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: help install test test-lib test-fast bench clean

help:
	@echo "make book   - create .venv if needed, install, build the HTML book into _build/html"
	@echo "make test   - create .venv if needed, install, run every check (library, simulations, chapters)"
	@echo "make bench  - print the simulator throughput table"

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

install: $(STAMP)

# Library tests: unit, cross-route and statistical (slow ones included).
test-lib: $(STAMP)
	$(BIN)/python -m pytest tests -q -ra

# Quick inner loop for developers: skips the slow statistical tests.
test-fast: $(STAMP)
	$(BIN)/python -m pytest tests -q -m "not slow"

bench: $(STAMP)
	$(BIN)/python -m benchmarks

test: test-lib

clean:
	rm -rf _build .pytest_cache
