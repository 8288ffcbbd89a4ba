# Two commands for a fresh machine with Python >= 3.11 and make: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test check console bench clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("LP Bot needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs come from the lock files, so every machine, CI and the Docker image run the same versions.
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml requirements-dev.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/lpbot

console: $(VENV)/.installed
	$(BIN)/lpbot console

# Lint and format checks first: they take a second and name the line to fix.
test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2

# The inner loop: the same lint and types, and every test that starts no other process (about half the
# time of `make test`). `make test` is still the whole suite, and what CI runs.
check: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 -m "not processes"

bench: $(VENV)/.installed-test
	$(BIN)/python bench/ack_latency.py

clean:
	@# data/ holds the database: people's kudos are never a build artefact, so clean leaves them alone.
	rm -rf $(VENV) .pytest_cache .hypothesis
