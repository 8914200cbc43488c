# 政协履职工作平台 — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TEST_ARGS ?=

.PHONY: install run web worker beat test lint check-deploy vendor clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# A local .env (never committed) gives this machine a secret key and debug mode.
.env:
	@printf 'DJANGO_DEBUG=1\nDJANGO_SECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env
	@echo "wrote .env (development settings)"

# Web + Celery worker + beat on the embedded defaults (SQLite, filesystem broker) unless
# DATABASE_URL / CELERY_BROKER_URL name PostgreSQL / Redis.
run: install .env
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	PORT=$(PORT) bash scripts/run_all.sh

test: install
	bash scripts/test.sh $(TEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

vendor:
	bash scripts/vendor.sh

clean:
	rm -rf $(VENV) .data staticfiles tests/artifacts
