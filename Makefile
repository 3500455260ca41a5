# thermobook: one command builds the book, one runs every check. Both work on a machine that has
# only Python: the first target that needs it creates .venv and installs requirements.txt into it.
#
#   make book    build the HTML book into _build/html (chapters executed, cached)
#   make test    every check: library tests, chapters as tests (nbval), book build, browser check
#
# THERMOBOOK_FIDELITY=quick (default) | paper selects the simulation statistics of the chapters.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Finished simulations are cached on disk (thermolib.runcache reads THERMOLIB_CACHE), so that nbval
# and the book build, which both execute every chapter, compute each simulation only once.
export THERMOLIB_CACHE ?= $(CURDIR)/_build/simcache
# The venv's tools first (jupytext, jupyter-book and the kernel must all be the venv's).
export PATH := $(CURDIR)/$(BIN):$(PATH)

# Extra pytest arguments for nbval, e.g. NBVAL_ARGS="-n 2 --dist loadfile" to run two chapters at
# once (each chapter's cells must stay in one worker: --dist loadfile). Off by default: the chapters'
# numba kernels already use both cores of the reference machine.
NBVAL_ARGS ?=

.PHONY: help install book html nbval check-html test test-lib test-fast bench clean

help:
	@echo "make book        - create .venv if needed, install, build the HTML book into _build/html"
	@echo "make test        - create .venv if needed, install, run every check:"
	@echo "                   test-lib, nbval, book, check-html (in that order)"
	@echo "make test-lib    - library tests (unit, cross-route, statistical)"
	@echo "make test-fast   - library tests without the slow statistical ones"
	@echo "make nbval       - execute every chapter of _toc.yml as a test (pytest --nbval-lax)"
	@echo "make check-html  - load every built page in headless Chromium: math, images, no errors"
	@echo "make bench       - print the simulator throughput table"
	@echo "make data        - compute (or resume) every sweep store data/*.zarr of sweeps/*.toml"
	@echo "                   (SPECS=sweeps/x.toml for some; killed: rerun to resume)"
	@echo "make clean       - remove _build (HTML, execution cache, simulation cache)"
	@echo "THERMOBOOK_FIDELITY=paper make book  - the published statistics (default: quick)"

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

install: $(STAMP)

# The book: chapters are executed (jupyter-cache in _build/.jupyter_cache: an unchanged chapter is
# not re-run); -W -n --keep-going: every Sphinx warning, broken reference included, fails the build,
# after all of them have been reported.
book: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going --builder html
	@echo "book: open $(CURDIR)/_build/html/index.html"

html: book

# Every chapter of _toc.yml that has code, converted to .ipynb under _build/nbval/ (same relative
# paths, data/ linked), executed cell by cell; a failing cell or assert fails the test.
nbval: $(STAMP)
	$(BIN)/python tools/nbval_prepare.py _build/nbval
	@if ls _build/nbval/chapters >/dev/null 2>&1 && find _build/nbval -name '*.ipynb' | grep -q .; then \
	  $(BIN)/python -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider -q \
	    --rootdir=_build/nbval $(NBVAL_ARGS) _build/nbval; \
	else echo "nbval: no chapter with code cells in _toc.yml"; fi

# Headless-Chromium check of the built book (installs Debian's chromium if missing; SKIPs with a
# message when it cannot).
check-html: $(STAMP)
	$(BIN)/python tools/check_html.py _build/html

# Library tests: unit, cross-route and statistical (slow ones included).
test-lib: $(STAMP)
	$(BIN)/python -m pytest tests -q -ra

# Quick inner loop for developers: skips the slow statistical tests.
test-fast: $(STAMP)
	$(BIN)/python -m pytest tests -q -m "not slow"

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# The paper-fidelity data of every figure (hours of CPU for the NDC chain): each spec's store is
# verified, repaired, and completed; an interrupted `make data` resumes where it stopped. --yes:
# the specs are reviewed, their size is intended (the estimate is still printed).
SPECS ?= $(sort $(wildcard sweeps/*.toml))
.PHONY: data
data: $(STAMP)
	@for spec in $(SPECS); do $(BIN)/python -m thermolib sweep $$spec --yes || exit $$?; done

# Sequential on purpose (also under make -j): nbval fills the simulation cache, so the book build
# that follows only renders; check-html needs the finished book.
test: $(STAMP)
	$(MAKE) test-lib
	$(MAKE) nbval
	$(MAKE) book
	$(MAKE) check-html

clean:
	rm -rf _build .pytest_cache
