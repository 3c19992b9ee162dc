PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint manage lock messages clean vendor

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

## make run: the whole portal (web, worker, beat) on embedded or configured servers
run: $(STAMP)
	$(PY) -m prm.embedded run

## make test: lint (ruff, import contracts), migrations check and the whole pytest suite
test: $(STAMP) lint
	$(PY) -m prm.embedded test $(PYTEST_ARGS)

## make manage ARGS="shell": any manage.py command on the same servers as `make run`
manage: $(STAMP)
	$(PY) -m prm.embedded exec $(PY) manage.py $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

## make lock: re-pin the dependencies after editing requirements*.in
lock: $(STAMP)
	$(VENV)/bin/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in
	$(VENV)/bin/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links -o requirements-dev.txt requirements-dev.in

## make messages: extract and compile translations (needs GNU gettext)
messages: $(STAMP)
	DEBUG=true DATABASE_URL=postgres://unused/x REDIS_URL=redis://unused $(PY) manage.py makemessages -l pt_BR -l fr --ignore=.venv --ignore=var --ignore=tests --ignore=benchmarks --ignore=staticfiles
	DEBUG=true DATABASE_URL=postgres://unused/x REDIS_URL=redis://unused $(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles

## make vendor: re-vendor the design system's front-end files at the versions pinned in scripts/vendor-ui.sh (needs npm)
vendor:
	./scripts/vendor-ui.sh
