# make demo | make test | make lint | make bench | make dist — each creates .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DISTRIBUTIONS := . adapters/fhir adapters/kis_archive adapters/therapy_pvs adapters/qpr_sftp conformance data/kdl
PROJECTS := $(addsuffix /pyproject.toml,$(DISTRIBUTIONS))

.PHONY: demo test test-lowest lint pytest bench dist clean

$(STAMP): $(PROJECTS)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "leportal needs Python 3.11 or newer; set PYTHON=python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,postgresql]' -e './adapters/fhir[test]' -e './adapters/kis_archive[test]' \
		-e './adapters/therapy_pvs[demo,test]' -e ./adapters/qpr_sftp \
		-e './conformance[test]' -e ./data/kdl --group dev
	touch $@

demo: $(STAMP)
	$(BIN)/leportal demo

test: pytest lint

pytest: $(STAMP)
	$(BIN)/python -m pytest

# The core's tests with the lowest versions every declared dependency allows, so a floor in a
# pyproject.toml is one that works (uv resolves direct dependencies to their lowest versions).
# Every distribution is installed: the core's CLI tests run the adapters' commands too.
LOWEST := .venv-lowest
test-lowest: $(STAMP)
	rm -rf $(LOWEST)
	$(BIN)/uv venv --quiet --python $(BIN)/python $(LOWEST)
	$(BIN)/uv pip install --quiet --python $(LOWEST)/bin/python --resolution lowest-direct \
		-e '.[test,postgresql]' -e './adapters/fhir[test]' -e './adapters/kis_archive[test]' \
		-e './adapters/therapy_pvs[demo,test]' -e ./adapters/qpr_sftp -e './conformance[test]' -e ./data/kdl
	$(LOWEST)/bin/python -m pytest -q tests/core

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy -p leportal_core -p leportal_fhir -p leportal_kis_archive -p leportal_therapy_pvs -p leportal_qpr_sftp \
		-p leportal_conformance
	$(BIN)/mypy tests
	$(BIN)/lint-imports --no-logo

# Each script prints absolute figures and ratios against what a user would pick instead.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script $(BENCH_ARGS) || exit 1; done

# Wheels and sdists of every distribution, checked as PyPI would check them.
dist: $(STAMP)
	rm -rf dist
	@for project in $(DISTRIBUTIONS); do $(BIN)/python -m build --outdir dist $$project >/dev/null || exit 1; done
	$(BIN)/twine check --strict dist/*

clean:
	rm -rf $(VENV) $(LOWEST) build dist out .hypothesis .mypy_cache .ruff_cache .import_linter_cache
	find . -name '*.egg-info' -prune -exec rm -rf {} + -o -name __pycache__ -prune -exec rm -rf {} +
