# The two commands: `make run` and `make test` (each sets everything up first).
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= $(or $(LANDMATCH_PORT),5000)

.PHONY: run test setup lint translations clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml scripts/setup.sh
	VENV=$(VENV) bash scripts/setup.sh
	touch $@

run: setup
	$(BIN)/landmatch init-db
	$(BIN)/landmatch demo --if-empty
	$(BIN)/landmatch run --host 127.0.0.1 --port $(PORT)

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .

# Refresh the message catalogues after changing user-facing text.
translations: setup
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location -o webmap/translations/messages.pot .
	$(BIN)/pybabel update -i webmap/translations/messages.pot -d webmap/translations
	$(BIN)/pybabel compile -d webmap/translations

clean:
	rm -rf $(VENV) instance/*.sqlite*
