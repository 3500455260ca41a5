# thermobook: one command builds the book, one runs every check. Both work on a machine that has
# only Python: the first target that needs it creates .venv and installs requirements.txt into it.
#
#   make book        the HTML book at quick fidelity into _build/html (chapters executed, cached)
#   make book-paper  the published statistics into _build/paper/html (its own caches)
#   make test        the quick suite CI runs: library tests, chapters as tests, book, browser check
#
# THERMOBOOK_FIDELITY=quick (default) | paper selects the simulation statistics of the chapters.
# Each fidelity builds into its own folder with its own execution and simulation caches
# (tools/build_book.py), so that a page can never show outputs computed at the other fidelity.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

FIDELITY := $(or $(THERMOBOOK_FIDELITY),quick)
# Everything a build of this fidelity writes: html/, caches, student/, pdf/.
BUILD := $(if $(filter paper,$(FIDELITY)),_build/paper,_build)
# Finished simulations are cached on disk (thermolib.runcache reads THERMOLIB_CACHE), so that nbval
# and the book build, which both execute every chapter, compute each simulation only once.
export THERMOLIB_CACHE := $(CURDIR)/$(BUILD)/simcache
# The venv's tools first (jupytext, jupyter-book and the kernel must all be the venv's).
export PATH := $(CURDIR)/$(BIN):$(PATH)

# The repository the published book links to (tools/book_repository.py reads it; empty: no
# repository features on the pages). The publish workflow sets it from the repository it runs in.
REPO_URL ?=
export REPO_URL

# Extra pytest arguments for nbval, e.g. NBVAL_ARGS="-n 2 --dist loadfile" to run two chapters at
# once (each chapter's cells must stay in one worker: --dist loadfile). Off by default: the chapters'
# numba kernels already use both cores of the reference machine.
NBVAL_ARGS ?=

.PHONY: help install book html book-paper book-student pdf nbval check-html check-student \
	test test-paper test-lib test-fast bench clean lab check-lab check-live lint-workflows

help:
	@echo "make book          - create .venv if needed, install, build the HTML book into _build/html"
	@echo "make book-paper    - the paper-fidelity book into _build/paper/html (own caches)"
	@echo "make book-student  - the student edition (no solutions) into _build/student/html"
	@echo "make pdf           - the whole book as one PDF: _build/pdf/thermobook.pdf"
	@echo "make test          - create .venv if needed, install, run the quick suite (CI):"
	@echo "                     lint-workflows, test-lib, nbval, book, check-html, book-student,"
	@echo "                     check-student, check-live, check-lab"
	@echo "make test-paper    - the paper-fidelity build with all its assertions, and its check"
	@echo "make test-lib      - library tests (unit, cross-route, statistical, build separation)"
	@echo "make test-fast     - library tests without the slow ones"
	@echo "make nbval         - execute every chapter of _toc.yml as a test (pytest --nbval-lax)"
	@echo "make check-html    - every built page in headless Chromium: math typeset and inside its"
	@echo "                     column, no TeX in the text, no console error, provenance, images"
	@echo "make bench         - print the simulator throughput table"
	@echo "make data          - compute (or resume) every sweep store data/*.zarr of sweeps/*.toml"
	@echo "                     (SPECS=sweeps/x.toml for some; killed: rerun to resume)"
	@echo "make lab           - JupyterLab on the chapters (MyST rendered; opening a chapter changes nothing)"
	@echo "make check-lab     - open every chapter in JupyterLab (headless browser): git status stays clean"
	@echo "make check-live    - run a built page's cells with thebe on a local Jupyter server (headless browser)"
	@echo "make lint-workflows - actionlint on .github/workflows"
	@echo "make clean         - remove _build (all builds and their caches)"
	@echo "THERMOBOOK_FIDELITY=paper make book|pdf|check-html  - the same at paper fidelity"
	@echo "make book REPO_URL=https://github.com/OWNER/REPO  - with repository, Binder and Live Code buttons"

$(STAMP): requirements.txt binder/requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

install: $(STAMP)

# The book: chapters are executed (jupyter-cache in $(BUILD)/.jupyter_cache: an unchanged chapter is
# not re-run); -W -n --keep-going: every Sphinx warning, broken reference included, fails the build,
# after all of them have been reported. Every page carries its provenance line and fidelity meta tag.
book: $(STAMP)
	$(BIN)/python tools/build_book.py --fidelity $(FIDELITY)

html: book

book-paper: $(STAMP)
	$(BIN)/python tools/build_book.py --fidelity paper

# Solutions are removed from the HTML (sphinx-exercise hide_solutions), not collapsed; same
# execution cache as `make book`.
book-student: $(STAMP)
	$(BIN)/python tools/build_book.py --fidelity $(FIDELITY) --edition student

# One PDF of the whole book, printed by headless Chromium from a one-page build (rendered math and
# figures); Chromium comes from Debian's packages (apt-get install chromium) when missing.
pdf: $(STAMP)
	$(BIN)/python tools/build_pdf.py --fidelity $(FIDELITY)

# Every chapter of _toc.yml that has code, converted to .ipynb under _build/nbval/ (same relative
# paths, data/ linked), executed cell by cell; a failing cell or assert fails the test.
nbval: $(STAMP)
	$(BIN)/python tools/nbval_prepare.py _build/nbval
	@if ls _build/nbval/chapters >/dev/null 2>&1 && find _build/nbval -name '*.ipynb' | grep -q .; then \
	  $(BIN)/python -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider -q \
	    --rootdir=_build/nbval $(NBVAL_ARGS) _build/nbval; \
	else echo "nbval: no chapter with code cells in _toc.yml"; fi

# Headless-Chromium check of the built book (installs Debian's chromium if missing; SKIPs the
# browser part with a message when it cannot): see tools/check_html.py for the classes of problems.
check-html: $(STAMP)
	$(BIN)/python tools/check_html.py $(BUILD)/html --fidelity $(FIDELITY)

check-student: $(STAMP)
	$(BIN)/python tools/check_html.py $(BUILD)/student/html --fidelity $(FIDELITY) --edition student

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
# that follows only renders; check-html needs the finished book. Always at quick fidelity.
test: $(STAMP)
	$(MAKE) lint-workflows
	$(MAKE) test-lib THERMOBOOK_FIDELITY=quick
	$(MAKE) nbval THERMOBOOK_FIDELITY=quick
	$(MAKE) book THERMOBOOK_FIDELITY=quick
	$(MAKE) check-html THERMOBOOK_FIDELITY=quick
	$(MAKE) book-student THERMOBOOK_FIDELITY=quick
	$(MAKE) check-student THERMOBOOK_FIDELITY=quick
	$(MAKE) check-live THERMOBOOK_FIDELITY=quick
	$(MAKE) check-lab

# The paper-fidelity book: every chapter's assertions at the published statistics (the build stops
# at the first failing one), then the browser check of its pages. Long: ~20+ min on 2 cores.
test-paper: $(STAMP)
	$(MAKE) book-paper
	$(MAKE) check-html THERMOBOOK_FIDELITY=paper

# JupyterLab from the project's own environment, configured as Binder is (tools/lab_setup.py):
# chapters open as notebooks, MyST rendered, and opening a chapter never rewrites it.
LAB_ARGS ?=
lab: $(STAMP)
	$(BIN)/python tools/lab_setup.py $(VENV)
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS) chapters/intro.md

check-lab: $(STAMP)
	$(BIN)/python tools/check_lab.py

check-live: $(STAMP)
	$(BIN)/python tools/check_live.py _build/html --page chapters/ndc/friction.html --cells 2 \
	  --expect "heat kernel"

lint-workflows: $(STAMP)
	$(BIN)/actionlint -no-color .github/workflows/*.yml

clean:
	rm -rf _build .pytest_cache
