# x-spaces: `make demo` runs the whole pipeline on the embedded emulator; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test test-fast test-heavy emulator dashboard report benchmark clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: install
	$(BIN)/python -m pipelines.demo

test: install
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not heavy"

test-heavy: install
	$(BIN)/python -m pytest -m heavy

emulator: install
	$(BIN)/x-spaces emulator --port 8000

clean:
	rm -rf $(VENV) out .pytest_cache *.egg-info
