# Everything sets itself up: a fresh clone needs only `make demo` or `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test bench mutate clean

$(PY):
	$(PYTHON) -m venv $(VENV) || { apt-get update && apt-get install -y python3-venv && $(PYTHON) -m venv $(VENV); }

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/warroom demo

test: $(STAMP)
	@command -v tmux >/dev/null || { apt-get update -qq && apt-get install -y -qq tmux; }
	$(VENV)/bin/pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "no tests were collected: that is a failure here" >&2; exit 1; fi; \
	exit $$status

bench: $(STAMP)
	$(PY) -m bench

# Mutation testing of store/, runbook/ and probes/conditions.py (see [tool.mutmut] in pyproject.toml
# and MUTATION.md). Slow: not part of `make test` or CI. Work is kept in build/mutmut/mutants, so a
# second run only retests what changed; `make mutate MUTANTS='warroom.runbook.graph*'` picks mutants.
mutate: $(STAMP)
	$(PY) -m pip install --quiet -e ".[test,mutate]"
	$(PY) tools/stage_mutmut.py
	cd build/mutmut && ../../$(VENV)/bin/mutmut run $(MUTANTS); status=$$?; \
	../../$(VENV)/bin/mutmut results | grep -v ': not checked$$'; exit $$status

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
