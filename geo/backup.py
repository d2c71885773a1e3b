"""Back up and restore the whole database: SQLite's online backup, or pg_dump/pg_restore."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from geo.errors import N_, GeoError


def _sqlite_path(url: str) -> str:
    return make_url(url).database or ""


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise GeoError(N_("%(program)s is not installed (apt-get install postgresql-client)."),
                       program=command[0])
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise GeoError(N_("%(program)s failed: %(detail)s"), program=command[0],
                       detail=done.stderr.strip()[-500:])


def backup(url: str, output: str | Path) -> Path:
    """Write a consistent copy of the database at ``url`` to ``output``; return the path.

    SpatiaLite: SQLite's online backup API (safe while the app runs; the copy is itself a
    SpatiaLite file). PostGIS: ``pg_dump`` in its custom format.
    """
    output = Path(output)
    if url.startswith("sqlite"):
        source = sqlite3.connect(_sqlite_path(url))
        target = sqlite3.connect(output)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(output),
              _libpq_url(url)])
    output.chmod(0o600)  # it holds the staff's password hashes
    return output


def restore(url: str, backup_file: str | Path) -> None:
    """Replace the database at ``url`` with the contents of ``backup_file``.

    Stop the app first: on SQLite the file is overwritten page by page, on PostGIS every
    table is dropped and re-created (``pg_restore --clean``).
    """
    backup_file = Path(backup_file)
    if not backup_file.is_file():
        raise GeoError(N_("No backup file at %(path)s."), path=str(backup_file))
    if url.startswith("sqlite"):
        source = sqlite3.connect(backup_file)
        target = sqlite3.connect(_sqlite_path(url))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "--dbname", _libpq_url(url), str(backup_file)])
