# Everything sets itself up: a fresh clone needs only `make demo` or `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench mutate lock clean

$(PY):
	$(PYTHON) -m venv $(VENV) || { apt-get update && apt-get install -y python3-venv && $(PYTHON) -m venv $(VENV); }

# The exact versions in constraints.txt, so every machine and CI test the same thing.
$(STAMP): $(PY) pyproject.toml constraints.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[test,lint]"
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/warroom demo

# The linters first: a change that breaks them fails in seconds, before the suite.
test: lint
	@command -v tmux >/dev/null || { apt-get update -qq && apt-get install -y -qq tmux; }
	$(VENV)/bin/pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "no tests were collected: that is a failure here" >&2; exit 1; fi; \
	exit $$status

ROOMS := runbook store probes sync ops widgets tui sample_runbooks

# mypy cannot follow the editable install's import hook, so it reads the package through a tree
# of links laid out as installed: build/typecheck/warroom/store -> store/, and so on.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	rm -rf build/typecheck && mkdir -p build/typecheck/warroom
	for path in warroom/*.py $(ROOMS); do ln -s $(CURDIR)/$$path build/typecheck/warroom/; done
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(PY) -m bench

# Renew constraints.txt: the newest versions pyproject.toml's ranges allow, in a scratch venv.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet --upgrade pip
	.venv-lock/bin/pip install --quiet -e ".[test,lint]"
	{ sed -n '1,2p' constraints.txt; .venv-lock/bin/pip freeze --exclude-editable | grep -v '^pip=='; } > constraints.new
	mv constraints.new constraints.txt && rm -rf .venv-lock

# Mutation testing of store/, runbook/ and probes/conditions.py (see [tool.mutmut] in pyproject.toml
# and MUTATION.md). Slow: not part of `make test` or CI. Work is kept in build/mutmut/mutants, so a
# second run only retests what changed; `make mutate MUTANTS='warroom.runbook.graph*'` picks mutants.
mutate: $(STAMP)
	$(PY) -m pip install --quiet -c constraints.txt -e ".[test,lint,mutate]"
	$(PY) tools/stage_mutmut.py
	cd build/mutmut && ../../$(VENV)/bin/mutmut run $(MUTANTS); status=$$?; \
	../../$(VENV)/bin/mutmut results | grep -v ': not checked$$'; exit $$status

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
