# rutland_jsna — every task the project has, one command each. `make help` lists them.
#
# On a fresh Debian/Ubuntu machine with Python >= 3.11:
#   make reports   # virtual environment, install, build every chapter from the demonstration data
#                  # as HTML, PDF, Excel and Word (installs Debian chromium if missing)
#   make test      # the whole test suite (installs Debian chromium and poppler-utils if missing)

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
RELEASE ?=
AREA    ?= E06000017
SOURCE  ?= demo
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv reports test test-fast snapshots lab bench lint format clean clean-all browser-deps

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required (found " + sys.version.split()[0] + ")")'
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "python3 -m venv failed: installing Debian's python3-venv"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q python3-venv && $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP) ## create .venv and install the package with its dev tools

# Every format: HTML, the accessible PDF (Debian chromium), the Excel workbooks and the Word
# documents; FORMATS=html builds the web pages alone.
FORMATS ?= html,pdf,xlsx,docx

reports: $(STAMP) browser-deps ## build every chapter, in every format, from the bundled demonstration data into reports/<release>/
	$(VENV)/bin/rutland-jsna build --source $(SOURCE) --area $(AREA) --formats $(FORMATS) $(if $(RELEASE),--release $(RELEASE),)

# The browser tests (tests/browser, marker "browser") drive /usr/bin/chromium through playwright
# with the vendored axe-core; they fail, never skip, without it. Their demonstration release is
# built once per run and shared by the pytest-xdist workers. The PDF format prints with the same
# chromium; the format tests look at its pages with poppler's pdftoppm and pdftotext.
browser-deps: ## install Debian chromium (PDF output, browser tests) and poppler-utils (PDF tests) if missing
	@[ -x /usr/bin/chromium ] && [ -x /usr/bin/pdftoppm ] || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium poppler-utils; }

test: $(STAMP) browser-deps ## run the whole test suite (unit, conformance, data faults, notebooks, browser)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

test-fast: $(STAMP) ## unit tests only (no notebooks, no browser)
	$(PY) -m pytest -n 2 -m "not notebook and not browser" $(PYTEST_ARGS)

# The snapshot tests (tests/test_snapshots.py) fail on any change to a chapter block's HTML;
# after a deliberate change, regenerate them here and review `git diff tests/snapshots`.
snapshots: $(STAMP) ## regenerate the chapter-block snapshots (tests/snapshots) after a deliberate change
	RUTLAND_JSNA_UPDATE_SNAPSHOTS=1 $(PY) -m pytest -n 2 tests/test_snapshots.py -q

lab: $(STAMP) ## open JupyterLab on notebooks/ with the package installed (installs the lab extra)
	@[ -x $(VENV)/bin/jupyter-lab ] || $(PY) -m pip install -q -e '.[dev,lab]'
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

bench: $(STAMP) ## run the benchmarks (prints rows/second and ratios to a bare baseline)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

lint: $(STAMP) ## ruff
	$(VENV)/bin/ruff check .

format: $(STAMP) ## ruff format + import sorting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean: ## delete generated data and reports (raw downloads are kept)
	rm -rf data/processed/* reports/* .pytest_cache .ruff_cache

clean-all: clean ## also delete the virtual environment and raw data
	rm -rf $(VENV) data/raw/*
