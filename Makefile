# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# llama-cpp-python compiles llama.cpp (~7 minutes on 2 cores): build its wheel once per machine.
WHEELHOUSE ?= $(HOME)/.cache/briefbot/wheels
LLAMA_VERSION := 0.3.36
EVAL_SET ?= ../shared/eval/qa_dev.jsonl

.PHONY: setup models run test eval bench clean

setup: $(VENV)/.installed models

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip wheel 2>/dev/null \
		|| { echo "error: could not upgrade pip in $(VENV) (is the package registry reachable?)"; exit 1; }
	@ls $(WHEELHOUSE)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1 || { \
		echo "building llama-cpp-python $(LLAMA_VERSION) once for this machine (about 7 minutes)..."; \
		$(BIN)/python -m pip wheel -q --no-deps -w $(WHEELHOUSE) llama-cpp-python==$(LLAMA_VERSION) \
		|| { echo "error: could not build llama-cpp-python (see the compiler output above)"; exit 1; }; }
	@echo "installing briefbot and its dependencies into $(VENV)..."
	@set -o pipefail; $(BIN)/python -m pip install -q --disable-pip-version-check \
		--find-links $(WHEELHOUSE) -e '.[dev,server]' 2>&1 | { grep -v "^WARNING: Location" || true; } \
		|| { echo "error: could not install the Python dependencies (is the package registry reachable?)"; exit 1; }
	@touch $@

models: $(VENV)/.installed
	@$(BIN)/python -m bot.modelfetch default small

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
