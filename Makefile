# gbvwatch: the two commands a new user needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-dev run serve test test-fast lint typecheck bench bench-siting bench-reports bench-full messages lock browser pdf-libs pdf-tools clean-venv

install: $(STAMP)

$(STAMP): requirements/lock.txt requirements/build-lock.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
		echo "python3 -m venv failed; on Debian: apt-get install python3-venv" >&2; exit 1; }
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/build-lock.txt
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install-dev: $(DEV_STAMP)

$(DEV_STAMP): $(STAMP) requirements/dev-lock.txt
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev-lock.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(DEV_STAMP)

# Migrate, load the default dataset, create the first coordinator if none exists, then serve.
run: install pdf-libs
	$(BIN)/gbvwatch migrate --no-input
	$(BIN)/gbvwatch load-dataset $${GBVWATCH_COUNTRY:-az}
	$(BIN)/gbvwatch bootstrap
	$(BIN)/gbvwatch collectstatic --no-input --verbosity 0
	$(BIN)/gunicorn gbvwatch.wsgi --bind $(HOST):$(PORT) --workers 2 --timeout 120 --access-logfile - \
		--access-logformat '%(t)s "%(m)s %(U)s" %(s)s %(B)s'

# Debian's chromium drives the browser tests; Playwright never downloads a browser of its own.
browser:
	@test -x /usr/bin/chromium || { \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "Browser tests need Debian's chromium: sudo apt-get install chromium" >&2; exit 1; fi; }

# PDF reports need Pango (WeasyPrint); the report tests also turn PDF pages into images with
# poppler's pdftoppm. As root these are installed from Debian; otherwise `make run` only warns
# (every format but PDF works) and `make test` stops with the command to run.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
pdf-libs:
	@ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || { \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PDF_PACKAGES) >/dev/null; \
		else echo "PDF reports need Pango: sudo apt-get install $(PDF_PACKAGES)" >&2; fi; }

pdf-tools: pdf-libs
	@{ command -v pdftoppm >/dev/null && ldconfig -p | grep -q libpangoft2-1.0; } || { \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils $(PDF_PACKAGES) >/dev/null; \
		else echo "Report tests need: sudo apt-get install poppler-utils $(PDF_PACKAGES)" >&2; exit 1; fi; }

lint: install-dev
	$(BIN)/ruff format --check gbvwatch bench
	$(BIN)/ruff check gbvwatch bench

typecheck: install-dev
	$(BIN)/mypy gbvwatch

test: install-dev browser pdf-tools lint typecheck
	GBVWATCH_DATA_DIR=$$(mktemp -d) $(BIN)/python -m pytest -p no:cacheprovider -n 2 --dist loadfile

test-fast: install-dev pdf-tools
	GBVWATCH_DATA_DIR=$$(mktemp -d) $(BIN)/python -m pytest -p no:cacheprovider -m "not browser"

bench: install-dev
	$(BIN)/python -m bench

# Only the siting planner against spopt (about 15 minutes); rewrites that section of bench/RESULTS.md.
bench-siting: install-dev
	$(BIN)/python -m bench.siting --write

# Only the reports rows (about a minute); rewrites that section of bench/RESULTS.md.
bench-reports: install-dev
	$(BIN)/python -m bench.reports

# Adds the slowest siting baselines (spopt on 87,000 x 500, p-median 2,000 x 200, set covering).
bench-full: install-dev
	SITING_BENCH_FULL=1 $(BIN)/python -m bench

# Extract the az and ru catalogues (gbvwatch/locale), then compile them. Needs GNU gettext; the
# .mo files are committed, so `make run` works without it. Translate every new msgid in the .po
# files and run this again; gbvwatch/core/tests/test_translations.py fails on a stale .mo.
messages: install
	@command -v msgfmt >/dev/null || { echo "make messages needs GNU gettext: apt-get install gettext" >&2; exit 1; }
	cd gbvwatch && GBVWATCH_DATA_DIR=$${GBVWATCH_DATA_DIR:-$(CURDIR)/var} ../$(BIN)/gbvwatch makemessages -l az -l ru --no-location --no-obsolete --ignore tests --ignore migrations --ignore tests_browser
	cd gbvwatch && GBVWATCH_DATA_DIR=$${GBVWATCH_DATA_DIR:-$(CURDIR)/var} ../$(BIN)/gbvwatch compilemessages

lock:
	$(BIN)/pip-compile -q --allow-unsafe --strip-extras --generate-hashes --no-emit-index-url \
		--no-emit-find-links -o requirements/lock.txt pyproject.toml
	$(BIN)/pip-compile -q --allow-unsafe --strip-extras --generate-hashes --no-emit-index-url \
		--no-emit-find-links --extra dev -o requirements/dev-lock.txt pyproject.toml
	$(BIN)/pip-compile -q --allow-unsafe --generate-hashes --no-emit-index-url \
		--no-emit-find-links -o requirements/build-lock.txt requirements/build.in

clean-venv:
	rm -rf $(VENV)
