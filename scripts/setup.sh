#!/usr/bin/env bash
# Create .venv with a Python whose sqlite3 can load extensions, install LandMatch into it,
# and make sure mod_spatialite is present (STACK.md traps 1 and 3).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

can_load() {  # $1: interpreter; true when it is >= 3.11 and sqlite3 can load extensions
    "$1" - <<'PY' 2>/dev/null
import sqlite3, sys
assert sys.version_info >= (3, 11)
sqlite3.connect(":memory:").enable_load_extension(True)
import venv, ensurepip  # noqa: F401  (Debian ships these in python3-venv)
PY
}

if [ ! -x "$VENV/bin/python" ] || ! can_load "$VENV/bin/python"; then
    PY=""
    for cand in ${LANDMATCH_PYTHON:-} python3.13 python3.12 python3.11 python3 /usr/bin/python3; do
        path=$(command -v "$cand" 2>/dev/null) || continue
        if can_load "$path"; then PY=$path; break; fi
    done
    if [ -z "$PY" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "setup: no Python >= 3.11 here can load SQLite extensions; installing Debian's python3-venv" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
        can_load /usr/bin/python3 && PY=/usr/bin/python3
    fi
    if [ -z "$PY" ]; then
        cat >&2 <<'MSG'
setup: no Python >= 3.11 on this machine has an sqlite3 that can load extensions,
and SpatiaLite needs that. Do one of:
  - Debian/Ubuntu:  sudo apt-get install python3 python3-venv   (Debian's python3 can)
  - pyenv:          PYTHON_CONFIGURE_OPTS=--enable-loadable-sqlite-extensions pyenv install 3.12
  - macOS:          brew install python   (Homebrew's Python can; Apple's cannot)
then run the command again, or point LANDMATCH_PYTHON at that interpreter.
MSG
        exit 1
    fi
    echo "setup: creating $VENV with $PY"
    rm -rf "$VENV"
    "$PY" -m venv "$VENV"
fi

"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -e ".[test]"

if ! "$VENV/bin/python" -c "import sqlite3; c = sqlite3.connect(':memory:'); c.enable_load_extension(True); c.load_extension('mod_spatialite')" 2>/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "setup: installing mod_spatialite (libsqlite3-mod-spatialite)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libsqlite3-mod-spatialite >/dev/null \
          || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libsqlite3-mod-spatialite >/dev/null; }
    else
        echo "setup: mod_spatialite is missing. Install it with:" >&2
        echo "  sudo apt-get install -y libsqlite3-mod-spatialite" >&2
        echo "  (macOS: brew install libspatialite)" >&2
        exit 1
    fi
fi
