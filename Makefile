# The two commands: `make run` and `make test` (each sets everything up first).
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= $(or $(LANDMATCH_PORT),5000)

.PHONY: run serve test setup lint translations clean bench

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml scripts/setup.sh
	VENV=$(VENV) bash scripts/setup.sh
	touch $@

run: setup
	$(BIN)/landmatch init-db
	$(BIN)/landmatch demo --if-empty
	$(BIN)/landmatch run --host 127.0.0.1 --port $(PORT)

# Production: gunicorn with one worker per core on LANDMATCH_BIND (127.0.0.1:8000), behind a
# proxy; see gunicorn.conf.py and docs/scaling.md.
serve: setup
	$(BIN)/landmatch init-db
	$(BIN)/gunicorn -c gunicorn.conf.py

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmark against pygeoapi on 100,000 generated parcels (issue 7; about 7 min on 2 cores, see bench/README.md).
# PostGIS too when LANDMATCH_BENCH_POSTGRES_URL names a database whose name contains "bench"
# (it is dropped and recreated). More options: BENCH_ARGS="--parcels 20000 --seconds 5".
bench: setup
	bash bench/setup_pygeoapi.sh
	$(BIN)/python bench/run.py $(if $(LANDMATCH_BENCH_POSTGRES_URL),--postgres-url \
		"$(LANDMATCH_BENCH_POSTGRES_URL)") $(BENCH_ARGS)

lint: setup
	$(BIN)/ruff check .

# Refresh the message catalogues after changing user-facing text.
translations: setup
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location -o webmap/translations/messages.pot .
	$(BIN)/pybabel update -i webmap/translations/messages.pot -d webmap/translations
	$(BIN)/pybabel compile -d webmap/translations

clean:
	rm -rf $(VENV) instance/*.sqlite*
