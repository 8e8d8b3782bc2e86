# Two entry points for a fresh machine: `make quick` (the main job) and `make test`.
# Both build .venv on first use from constraints.txt, which pins a CPU build of torch.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The oldest gymnasium we support, which ray[rllib] 2.60 pins: this environment also runs
# the RLlib tests (required there, not skipped). Locked by constraints-oldest.txt.
OLDEST_VENV := .venv-oldest
OLDEST_GYMNASIUM := 1.2.2

.PHONY: quick full demo test test-oldest lint bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

quick: $(STAMP)
	$(BIN)/empathy-gym compare --preset quick

full: $(STAMP)
	$(BIN)/empathy-gym compare --preset full

demo: $(STAMP)
	$(BIN)/empathy-gym demo

test: $(STAMP)
	SDL_VIDEODRIVER=dummy $(BIN)/pytest -n 2 -q

$(OLDEST_VENV)/.installed: pyproject.toml constraints-oldest.txt
	$(PY) -m venv $(OLDEST_VENV)
	$(OLDEST_VENV)/bin/pip install --quiet --upgrade pip
	$(OLDEST_VENV)/bin/pip install --quiet -c constraints-oldest.txt -e ".[dev,rllib]"
	touch $@

test-oldest: $(OLDEST_VENV)/.installed
	SDL_VIDEODRIVER=dummy EMPATHY_GYM_REQUIRE_RLLIB=1 $(OLDEST_VENV)/bin/pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python benchmarks/throughput.py
	$(BIN)/python benchmarks/train_throughput.py
	$(BIN)/python benchmarks/render.py
	$(BIN)/python benchmarks/memory.py
	$(BIN)/python benchmarks/view_radius.py
	$(BIN)/python benchmarks/planner.py
	SDL_VIDEODRIVER=dummy $(BIN)/python benchmarks/analysis.py

clean:
	rm -rf $(VENV) $(OLDEST_VENV) build dist *.egg-info
