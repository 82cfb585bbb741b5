# Two commands for a fresh machine (see README): `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-local deps venv lint typecheck contracts unit ui e2e e2e-x bench bundle screenshots clean

$(STAMP): pyproject.toml requirements/constraints.txt scripts/system-deps.sh
	./scripts/system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements/constraints.txt -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

## Start the app on a local demo database (made on first run).
run: $(STAMP)
	$(BIN)/roi-desk demo --if-missing
	$(BIN)/roi-desk --demo

## Everything CI checks: lint, types, layering, and the whole test suite — on SQLCipher and on
## PostgreSQL, with a CUPS PDF printer (both servers on loopback, started and stopped here).
test: $(STAMP) lint typecheck contracts
	./scripts/run-tests.sh

## The test suite on SQLCipher only (no PostgreSQL server needed).
test-local: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

## The clerk's whole day under a real X server (Xvfb + openbox, installed when missing), at
## 1600x1000 and 1366x768; a screenshot per step under out/e2e-x/<size>/.
e2e-x: $(STAMP)
	./scripts/e2e-x.sh

lint: $(STAMP)
	$(BIN)/ruff check roi_desk tests
	$(BIN)/ruff format --check roi_desk tests

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

## The core's tests (tests/unit) with PySide6 and pytest-qt blocked: the core runs without Qt.
.PHONY: core-without-qt
core-without-qt: $(STAMP)
	./scripts/test-core-without-qt.sh

bench: $(STAMP)
	for m in tests/bench/bench_*.py; do \
	  QT_QPA_PLATFORM=offscreen $(BIN)/python -m tests.bench.$$(basename $$m .py) || exit 1; \
	done

## Build the self-contained Linux bundle (dist/roi-desk) and smoke-test it offscreen.
bundle:
	bash installer/ci-bundle.sh

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tests.ui.render_screens screenshots

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
