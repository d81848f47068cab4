# x-spaces: `make demo` runs the whole pipeline on the embedded emulator; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: install install-test demo test test-fast test-heavy emulator dashboard report clean

# The project and what it runs on (enough for the demo and x-spaces).
install: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $(STAMP)

# Plus what the tests use (pytest, respx, openapi-core, the official SDK, playwright).
install-test: $(TEST_STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(TEST_STAMP)

demo: install
	$(BIN)/python -m pipelines.demo

test: install-test
	$(BIN)/python -m pytest

test-fast: install-test
	$(BIN)/python -m pytest -m "not heavy"

test-heavy: install-test
	$(BIN)/python -m pytest -m heavy

emulator: install
	$(BIN)/x-spaces emulator --port 8000

DASHBOARD_DB ?= out/demo.duckdb
DASHBOARD_PORT ?= 2718

# The marimo dashboard over DASHBOARD_DB, on loopback only (Ctrl-C stops it).
dashboard: install
	@test -f $(DASHBOARD_DB) || { echo "$(DASHBOARD_DB) does not exist: run \`make demo\` first (or make dashboard DASHBOARD_DB=path/to/file.duckdb)" >&2; exit 1; }
	@echo "Dashboard on http://127.0.0.1:$(DASHBOARD_PORT) over $(DASHBOARD_DB) (Ctrl-C stops it)"
	MARIMO_SKIP_UPDATE_CHECK=1 $(BIN)/marimo run notebooks/dashboard.py --host 127.0.0.1 --port $(DASHBOARD_PORT) --headless -- --duckdb $(DASHBOARD_DB)

# The same as one offline HTML file: out/report.html.
report: install
	@test -f $(DASHBOARD_DB) || { echo "$(DASHBOARD_DB) does not exist: run \`make demo\` first" >&2; exit 1; }
	$(BIN)/python -m pipelines.dashboard.static_report --duckdb $(DASHBOARD_DB) --out out/report.html

clean:
	rm -rf $(VENV) out .pytest_cache *.egg-info
