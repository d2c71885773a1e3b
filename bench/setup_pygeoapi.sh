#!/usr/bin/env bash
# Install pygeoapi (from PyPI) and gunicorn into bench/.venv-pygeoapi, the benchmark's reference
# server. Idempotent: does nothing once the pinned versions are there.
#
# Debian's /usr/bin/python3 is used because its sqlite3 can load extensions (STACK.md trap 1),
# which pygeoapi's GeoPackage provider needs for mod_spatialite.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYGEOAPI_PYTHON:-/usr/bin/python3}
VENV=.venv-pygeoapi
PINS=requirements-pygeoapi.txt
STAMP=$VENV/.installed

if [ -f "$STAMP" ] && [ "$STAMP" -nt "$PINS" ]; then
    exit 0
fi
"$PYTHON" -c "import sqlite3; sqlite3.connect(':memory:').enable_load_extension(True)" || {
    echo "$PYTHON cannot load SQLite extensions; set PYGEOAPI_PYTHON to one that can." >&2
    exit 1
}
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip
if [ -f "$PINS" ]; then
    "$VENV/bin/pip" install -q -r "$PINS"
else
    # First install: take what PyPI has now and pin it so later runs are the same.
    "$VENV/bin/pip" install -q pygeoapi gunicorn psycopg2-binary sqlalchemy geoalchemy2 \
        pygeofilter shapely pyproj
    "$VENV/bin/pip" freeze --exclude-editable > "$PINS"
fi
touch "$STAMP"
"$VENV/bin/python" -c "import pygeoapi; print('pygeoapi', pygeoapi.__version__, 'ready')"
