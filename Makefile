# The Softmax course. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   ?= .venv
# A venv keeps its programs in Scripts/ on Windows (make under Git Bash), bin/ elsewhere
VENV_BIN := $(VENV)/$(if $(filter Windows_NT,$(OS)),Scripts,bin)
PYTHON := $(VENV_BIN)/python
# The Python that creates .venv: 3.11, 3.12 or 3.13 (`make BASE_PYTHON=python3.12`)
BASE_PYTHON ?= $(if $(filter Windows_NT,$(OS)),python,python3)
STAMP  := $(VENV)/.installed
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
CHROMIUM ?= /usr/bin/chromium

# No setting the chapters rely on: strict nbval runs them as a learner's kernel does (a
# chapter that needs a setting makes it itself, visibly). These two are for the tools:
# the same string hashes in every test process, so that test runs are repeatable; and no
# debugger warning about frozen modules from every kernel on the terminal (Python 3.11).
export PYTHONHASHSEED := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help setup book test lint unit notebooks-test build-check browser browser-offline notebooks bench lock lock-check clean

# Targets share .venv, _build and the notebooks' outputs, and `test` lists its stages in
# order: `make -j` runs them one at a time (each stage parallelises itself with -n $(JOBS)).
.NOTPARALLEL:

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(STAMP): requirements.txt constraints.txt pyproject.toml
	@$(if $(wildcard $(PYTHON)),,command -v $(firstword $(BASE_PYTHON)) >/dev/null || { echo "make: no $(BASE_PYTHON) here: install Python 3.11, 3.12 or 3.13 (README, Supported platforms) or name one: make BASE_PYTHON=python3.12" >&2; exit 1; })
	@$(if $(wildcard $(PYTHON)),$(PYTHON),$(BASE_PYTHON)) scripts/check_python.py
	@test -x $(PYTHON) || $(BASE_PYTHON) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip==26.3
	$(PYTHON) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

setup: $(STAMP) ## Create .venv and install the pinned requirements (done by the targets below)

# Every build of the book: warnings are errors, and all of them are reported.
JUPYTER_BOOK_BUILD = $(VENV_BIN)/jupyter-book build . -W -n --keep-going

book: setup wheel ## Build the HTML book (warnings are errors), with the package's wheel at its root
	$(JUPYTER_BOOK_BUILD)
	$(SERVE_WHEEL)
	@echo "The book is at $(CURDIR)/_build/html/index.html"

test: setup lock-check lint unit notebooks-test build-check pdf pdf-check browser lab-test download-test ## Every check: the lock on every platform, ruff, package tests, strict nbval (twice), the book build, the PDF edition, the book in a browser, the chapters in JupyterLab, a downloaded chapter
	@echo "make test: all checks passed"

lint: setup ## ruff over the package, tests, benchmarks and notebooks
	$(VENV_BIN)/ruff check src tests benchmarks scripts book
	$(VENV_BIN)/ruff format --check src tests benchmarks scripts

unit: setup ## Package tests, doctests and notebook checks
	CI=$${CI:-} $(PYTHON) -m pytest -n $(JOBS) --doctest-modules src/softmax_course tests \
		--ignore=tests/browser

# The quick loop while editing the package: no notebooks, no book build, no browser.
.PHONY: check
check: lint unit ## Lint and unit tests only (a quick loop; `make test` runs everything)

# Strict nbval twice: as NumPy runs on this CPU, then with NumPy's AVX2 and AVX-512
# kernels switched off (x86-64 only), as on a CPU without them: stored outputs must not
# depend on the CPU (README, "Which outputs are exact").
NBVAL := -m pytest -n $(JOBS) --dist loadfile --nbval --nbval-current-env --nbval-cell-timeout=1800
NOAVX2_NOTEBOOKS ?= book
notebooks-test: setup ## Strict nbval: re-execute every chapter and compare with its stored outputs, then again without NumPy's AVX2 kernels
	$(PYTHON) $(NBVAL) book
ifneq ($(filter x86_64 amd64 AMD64,$(shell uname -m 2>/dev/null)),)
	NPY_DISABLE_CPU_FEATURES="X86_V3" $(PYTHON) $(NBVAL) $(NOAVX2_NOTEBOOKS)
else
	@echo "notebooks-test: the pass without AVX2 needs an x86-64 CPU; skipped on $$(uname -m)"
endif

build-check: setup wheel ## Build the book from scratch with warnings as errors
	rm -rf _build/html _build/.doctrees
	$(JUPYTER_BOOK_BUILD)
	$(SERVE_WHEEL)

# The PDF edition: Jupyter Book's LaTeX builder (its own doctrees, under _build/pdf),
# then XeLaTeX through latexmk. Stored outputs only: nothing is executed.
TEXLIVE_DEBIAN := texlive-xetex texlive-latex-extra texlive-fonts-recommended texlive-fonts-extra latexmk poppler-utils fonts-freefont-otf fonts-dejavu-core
PDF_BUILD := _build/pdf
PDF_LATEX := $(PDF_BUILD)/_build/latex
PDF := $(PDF_BUILD)/softmax-course.pdf
# Dates in the PDF: the last commit's, so a rebuild of the same sources is the same file.
SOURCE_DATE := $$(git log -1 --format=%ct 2>/dev/null || date +%s)
.PHONY: pdf pdf-check

pdf: setup ## Build the PDF edition, _build/pdf/softmax-course.pdf, with XeLaTeX (and serve it with the HTML site)
	@missing=""; \
	for tool in xelatex latexmk kpsewhich pdffonts pdftotext; do \
	  command -v $$tool >/dev/null || missing="$$missing $$tool"; done; \
	for sty in fncychap.sty bbm.sty ucharclasses.sty unicode-math.sty polyglossia.sty fvextra.sty; do \
	  kpsewhich $$sty >/dev/null 2>&1 || missing="$$missing $$sty"; done; \
	for font in FreeSerif "DejaVu Sans Mono"; do \
	  fc-list "$$font" 2>/dev/null | grep -q . || missing="$$missing $${font// /-}"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make pdf: TeX Live is missing or incomplete (no$$missing)."; \
	  echo "Install Debian's packages: sudo apt-get install $(TEXLIVE_DEBIAN)"; \
	  exit 1; fi
	rm -rf $(PDF_BUILD)
	SOURCE_DATE_EPOCH=$(SOURCE_DATE) $(JUPYTER_BOOK_BUILD) --builder latex --path-output $(PDF_BUILD)
	@echo "make pdf: running XeLaTeX (latexmk) in $(PDF_LATEX)"
	cd $(PDF_LATEX) && SOURCE_DATE_EPOCH=$(SOURCE_DATE) \
	  FORCE_SOURCE_DATE=1 max_print_line=10000 LATEXOPTS="-interaction=nonstopmode -halt-on-error" \
	  latexmk -pdf -dvi- -ps- softmax-course.tex > latexmk.out 2>&1 \
	  || { grep -A3 '^!' softmax-course.log || tail -30 latexmk.out; \
	       echo "make pdf: LaTeX failed, see $(PDF_LATEX)/softmax-course.log"; exit 1; }
	@if grep -E '^!|undefined|multiply defined|Missing character' $(PDF_LATEX)/softmax-course.log; then \
	  echo "make pdf: LaTeX errors, unresolved references or missing glyphs (above), see $(PDF_LATEX)/softmax-course.log"; \
	  exit 1; fi
	cp $(PDF_LATEX)/$(notdir $(PDF)) $(PDF)
	@if [ -d _build/html ]; then cp $(PDF) _build/html/; fi
	@echo "The PDF is at $(CURDIR)/$(PDF) ($$(pdfinfo $(PDF) | awk '/^Pages:/ {print $$2}') pages)"

pdf-check: setup ## Check the built PDF: pages, chapter titles, references, fonts, figures
	$(PYTHON) -m pytest -p no:xdist -q tests/pdf

browser: setup ## Read the built book in headless Chromium: every page, offline, and the explorer
	@test -x $(CHROMIUM) || echo "make browser: $(CHROMIUM) is missing, so the browser tests are skipped: install Debian's chromium: apt-get install chromium"
	CHROMIUM=$(CHROMIUM) $(PYTHON) -m pytest -p no:xdist -rs tests/browser

browser-offline: setup ## The browser tests with the network unplugged (a network namespace with only loopback; needs root)
	unshare --net sh -c 'ip link set lo up && exec $(MAKE) --no-print-directory browser'

# The learner's side (issue 19): the chapters in JupyterLab, and the wheel that a reader
# who downloads a chapter installs. JupyterLab runs with the learner's environment: none
# of the variables this Makefile exports for its own runs reaches its kernels.
.PHONY: kernel lab wheel lab-test download-test
LAB_IP ?= 127.0.0.1
LAB_PORT ?= 8888
LEARNER_ENV := env -u PYTHONHASHSEED -u PYDEVD_DISABLE_FILE_VALIDATION

kernel: setup ## Register the venv's kernel for your user as "Softmax course" (for VS Code, a system-wide Jupyter)
	$(PYTHON) -m ipykernel install --user --name softmax-course --display-name "Softmax course"

lab: kernel ## Start JupyterLab on the chapters (book/), on 127.0.0.1:8888 (LAB_PORT=, LAB_IP=); Ctrl-C stops it
	$(LEARNER_ENV) $(VENV_BIN)/jupyter lab --ServerApp.root_dir=book \
		--ServerApp.ip=$(LAB_IP) --ServerApp.port=$(LAB_PORT) \
		$(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

# The wheel, built offline from the venv's pinned setuptools (no build isolation), with
# the last commit's date in its files; `make book` serves it at the site's root.
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
WHEEL := _build/wheel/softmax_course-$(VERSION)-py3-none-any.whl
SERVE_WHEEL = cp $(WHEEL) _build/html/
wheel: setup ## Build the package's wheel, _build/wheel/softmax_course-<version>-py3-none-any.whl
	rm -rf _build/wheel build
	SOURCE_DATE_EPOCH=$(SOURCE_DATE) $(PYTHON) -m pip wheel --quiet --no-deps \
		--no-build-isolation --wheel-dir _build/wheel .
	rm -rf build
	@test -f $(WHEEL) && echo "The wheel is at $(CURDIR)/$(WHEEL)"

lab-test: setup ## Chapters 3, 5 and 7 run in JupyterLab in headless Chromium: rendering, exercises, errors
	@test -x $(CHROMIUM) || echo "make lab-test: $(CHROMIUM) is missing, so the JupyterLab tests are skipped: install Debian's chromium: apt-get install chromium"
	CHROMIUM=$(CHROMIUM) $(PYTHON) -m pytest -p no:xdist -rs tests/lab/test_jupyterlab.py

download-test: wheel ## A downloaded chapter: a fresh venv, pip install the wheel[course], the chapter runs (slow)
	COURSE_WHEEL=$(WHEEL) $(PYTHON) -m pytest -p no:xdist -rs -s tests/lab/test_download.py

notebooks: setup ## Re-execute every chapter and store its outputs (the nbval baseline)
	$(PYTHON) scripts/execute_notebooks.py book/*.ipynb

bench: setup ## Speed and accuracy benchmark (prints ratios; writes benchmarks/results/)
	$(PYTHON) benchmarks/bench_softmax.py

# The lock: uv resolves requirements.txt once for every platform and Python version
# (environment markers where they differ). It keeps the pins of constraints.txt that still
# fit; UPGRADE=1 moves every package to its newest allowed version. uv runs from a
# throw-away venv, so a requirements.txt that no longer fits .venv can still be locked.
UV_VERSION = $(shell sed -n 's/^uv==\([0-9.]*\).*/\1/p' requirements.txt)
LOCK_BIN := .venv-lock/$(if $(filter Windows_NT,$(OS)),Scripts,bin)
lock: ## Re-resolve constraints.txt for every platform (UPGRADE=1: newest versions; then `make notebooks`)
	@$(BASE_PYTHON) scripts/check_python.py
	rm -rf .venv-lock && $(BASE_PYTHON) -m venv .venv-lock
	$(LOCK_BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	grep -v '^-c ' requirements.txt | UV_PYTHON_DOWNLOADS=never $(LOCK_BIN)/uv pip compile - \
		--universal --python-version 3.11 --no-emit-package softmax-course \
		--annotation-style line --custom-compile-command 'make lock' --quiet \
		$(if $(UPGRADE),--upgrade) --output-file constraints.txt
	$(LOCK_BIN)/python scripts/check_lock.py --force && rm -rf .venv-lock

lock-check: setup ## Check that constraints.txt installs from wheels on every supported platform and Python
	$(PYTHON) scripts/check_lock.py

clean: ## Remove the build, caches and the virtual environment
	rm -rf _build $(VENV) .pytest_cache .hypothesis .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
