# make demo | make test | make lint | make bench — each creates .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PROJECTS := pyproject.toml adapters/fhir/pyproject.toml adapters/kis_archive/pyproject.toml \
	adapters/therapy_pvs/pyproject.toml adapters/qpr_sftp/pyproject.toml \
	conformance/pyproject.toml data/kdl/pyproject.toml

.PHONY: demo test lint pytest bench clean

$(STAMP): $(PROJECTS)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "leportal needs Python 3.11 or newer; set PYTHON=python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]' -e './adapters/fhir[test]' -e './adapters/kis_archive[test]' \
		-e './adapters/therapy_pvs[demo,test]' -e ./adapters/qpr_sftp \
		-e './conformance[test]' -e ./data/kdl
	touch $@

demo: $(STAMP)
	$(BIN)/leportal demo

test: pytest lint

pytest: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy -p leportal_core -p leportal_fhir -p leportal_kis_archive -p leportal_therapy_pvs -p leportal_qpr_sftp \
		-p leportal_conformance

# Each script prints absolute figures and ratios against what a user would pick instead.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script $(BENCH_ARGS) || exit 1; done

clean:
	rm -rf $(VENV) build
