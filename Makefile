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
# Chromium for the browser tests: `chromium` on PATH, else Debian's (`make CHROMIUM=...`)
CHROMIUM ?= $(or $(shell command -v chromium 2>/dev/null),/usr/bin/chromium)

# No setting the chapters rely on: strict nbval runs them as a learner's kernel does (a
# chapter that needs a setting makes it itself, visibly). These two are for the tools:
# the same string hashes in every test process, so that test runs are repeatable; and no
# debugger warning about frozen modules from every kernel on the terminal (Python 3.11).
export PYTHONHASHSEED := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help setup book workbook test system-deps lint unit notebooks-test build-check browser browser-offline notebooks bench lock lock-check clean

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

book: setup workbook wheel ## Build the HTML book (warnings are errors), with the student workbook and the package's wheel at its root
	$(JUPYTER_BOOK_BUILD)
	$(SERVE_WHEEL)
	@echo "The book is at $(CURDIR)/_build/html/index.html"

# The student workbook: every chapter without its solutions, and one zip of them all
# (the HTML build serves the same, from course_workbook). Its tests (tests/test_workbook.py,
# part of `unit`) run every workbook notebook in a kernel with a cleared environment.
workbook: setup ## Write the student workbook (every chapter without its solutions) to _build/workbook/
	$(PYTHON) scripts/make_workbook.py _build/workbook

test: setup lock-check lint workbook unit notebooks-test build-check ## Every check: the lock on every platform, ruff, package tests, strict nbval (twice), the book build, the PDF edition, the book in a browser and the chapters in JupyterLab (skipped, and said, without TeX Live or Chromium unless CI is set), a downloaded chapter
	@rm -f $(SKIPPED)
	@$(call optional,pdf pdf-check,tex)
	@$(call optional,browser,chromium)
	@$(call optional,lab-test,chromium)
	@$(MAKE) --no-print-directory download-test
	@if [ -s $(SKIPPED) ]; then \
	  echo "make test: every check that could run passed; skipped, for want of system packages:"; \
	  sed 's/^/  /' $(SKIPPED); \
	  echo "make test: \`make system-deps\` installs them (Debian, Ubuntu; README, \"What make test checks\")"; \
	else echo "make test: all checks passed"; fi

# Stages that need system packages: the PDF edition (TeX Live) and the browser tests
# (Chromium). Without them, `make test` skips such a stage with one line saying what to
# install, and lists every skipped stage at its end; it still exits 0. With CI set (as
# .ci/run sets it) every stage runs, and one whose packages are missing fails.
# A stage joins with one line in test's recipe (between `rm` and the summary):
#     @$(call optional,TARGETS,NEED)
# where NEED is `tex`, `chromium`, or a new name with its three variables:
# MISSING_<need> (a command printing what is missing, nothing when all is there),
# WHY_<need> (what needs it) and DEBIAN_<need> (the Debian packages that provide it).
MISSING_tex = scripts/build_pdf.sh --missing
WHY_tex = the PDF edition needs TeX Live
DEBIAN_tex = $(TEXLIVE_DEBIAN)
MISSING_chromium = test -x "$(CHROMIUM)" || echo "$(CHROMIUM)"
WHY_chromium = the browser tests need Chromium
DEBIAN_chromium = chromium
# Every stage's packages, for `make system-deps`
SYSTEM_DEBIAN = $(DEBIAN_chromium) $(DEBIAN_tex)
# The skipped stages of this `make test`, one line each
SKIPPED := _build/skipped-stages.txt
optional = missing=$$($(MISSING_$(2))); \
  if [ -z "$$missing" ] || [ -n "$${CI:-}" ]; then $(MAKE) --no-print-directory $(1); \
  else line="skipped $(1): $(WHY_$(2)) (not found: $$missing): sudo apt-get install --no-install-recommends $(DEBIAN_$(2))"; \
    echo "make test: $$line"; mkdir -p $(dir $(SKIPPED)); echo "$$line" >> $(SKIPPED); fi

system-deps: ## Install the system packages of the PDF edition and the browser tests (Debian, Ubuntu: apt, as root)
	@if ! command -v apt-get >/dev/null; then \
	  echo "make system-deps: no apt-get here. Install TeX Live (XeLaTeX, latexmk), poppler and Chromium with your package manager; Debian names them: $(SYSTEM_DEBIAN)"; exit 1; \
	elif [ "$$(id -u)" -ne 0 ]; then \
	  echo "make system-deps: installing needs root; run:"; \
	  echo "  sudo apt-get update && sudo apt-get install --no-install-recommends $(SYSTEM_DEBIAN)"; exit 1; \
	fi
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(SYSTEM_DEBIAN)

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

# The PDF edition (scripts/build_pdf.sh): Jupyter Book's LaTeX builder, then XeLaTeX
# through latexmk. Debian's packages for it, the smallest set that builds and checks it
# (installed with --no-install-recommends): texlive-xetex brings texlive-latex-extra and
# fonts-lmodern (Latin Modern Math); book/_latex/bbm.sty stands in for texlive-fonts-extra.
TEXLIVE_DEBIAN := texlive-xetex texlive-fonts-recommended latexmk poppler-utils fonts-freefont-otf fonts-dejavu-core
.PHONY: pdf pdf-check

pdf: setup ## Build the PDF edition, _build/pdf/softmax-course.pdf, with XeLaTeX (and serve it with the HTML site)
	@TEXLIVE_DEBIAN="$(TEXLIVE_DEBIAN)" scripts/build_pdf.sh $(JUPYTER_BOOK_BUILD)

pdf-check: setup ## Check the built PDF: pages, chapter titles, references, fonts, figures
	$(PYTHON) -m pytest -p no:xdist -q tests/pdf

browser: setup ## Read the built book in headless Chromium: every page, offline, accessible (axe-core), and the explorer
	@test -x "$(CHROMIUM)" || echo "make browser: $(CHROMIUM) is missing, so the browser tests are skipped: install Debian's chromium: sudo apt-get install --no-install-recommends chromium"
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
# Dates in the wheel: the last commit's, so a rebuild of the same sources is the same file.
SOURCE_DATE := $$(git log -1 --format=%ct 2>/dev/null || date +%s)
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
