"""Back up and restore the whole database, each backend its own way (a file copy or pg_dump)."""

from __future__ import annotations

import os
from pathlib import Path

from geo.errors import N_, GeoError
from geo.register.engine import backend_for


def backup_suffix(url: str) -> str:
    """Return the suffix (after the dot) of a backup file of the database at ``url``."""
    return backend_for(url).backup_suffix


def backup(url: str, output: str | Path) -> Path:
    """Write a consistent copy of the database at ``url`` to ``output``; return the path.

    SpatiaLite: SQLite's online backup API (safe while the app runs; the copy is itself a
    SpatiaLite file). PostGIS: ``pg_dump`` in its custom format. The copy is written to
    ``<output>.part`` and renamed when complete, so a backup killed half-way (a full disk,
    kill -9) never leaves a truncated file under the name a restore would be given.
    """
    output = Path(output)
    partial = output.with_name(output.name + ".part")
    partial.unlink(missing_ok=True)  # a killed backup's leftover
    backend_for(url).backup(url, partial)
    partial.chmod(0o600)  # it holds the staff's password hashes
    with open(partial, "rb") as written:
        os.fsync(written.fileno())  # on disk before it takes the name
    os.replace(partial, output)
    return output


def restore(url: str, backup_file: str | Path) -> None:
    """Replace the database at ``url`` with the contents of ``backup_file``.

    Stop the app first: on SQLite the file is overwritten page by page, on PostGIS every
    table is dropped and re-created (``pg_restore --clean``).
    """
    backup_file = Path(backup_file)
    if not backup_file.is_file():
        raise GeoError(N_("No backup file at %(path)s."), path=str(backup_file))
    backend_for(url).restore(url, backup_file)
