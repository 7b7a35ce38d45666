# The README's two commands on a fresh machine: `make generate` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST := $(BIN)/python -m pytest
CORPUS ?= ../shared/corpus/dev

.PHONY: generate check docs test typecheck corpus bench clean

# The editable install's compat mode puts the checkout on sys.path by a .pth line, as an
# installed wheel needs no import hook; the default mode's hook took about 10 ms of every
# process. setuptools calls compat transitional: where it is gone, the default mode.
$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]' --config-settings editable_mode=compat \
		|| $(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

generate: $(STAMP)
	$(BIN)/python -m generator generate

check: $(STAMP)
	$(BIN)/python -m generator check

docs: $(STAMP)
	$(BIN)/python -m generator.docs
	$(BIN)/python -m generator.contract

typecheck: $(STAMP)
	$(PYTEST) -q tests/test_typecheck.py

test: $(STAMP)
	$(BIN)/python -m generator check
	$(PYTEST) -q -n 2 --dist loadfile

corpus: $(STAMP)
	$(BIN)/python -m tests.corpus $(CORPUS)

bench: $(STAMP)
	$(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) .cache
