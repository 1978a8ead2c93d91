# Two commands do everything from a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The demo may talk to partners on this machine; production leaves the setting empty (SECURITY.md).
run: export EVROAM_PARTNER_NETWORKS_ALLOWED ?= 127.0.0.0/8,::1
run: $(STAMP)
	$(BIN)/evroam db upgrade
	$(BIN)/evroam demo
	$(BIN)/evroam serve

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) var build src/*.egg-info
