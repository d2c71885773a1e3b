"""Engines and sessions for SpatiaLite files and PostGIS servers, and the schema migrations."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from geo.register.backend import Backend
from geo.register.bin import hide_binned
from geo.register.postgis import PostGIS
from geo.register.spatialite import SpatiaLite, sqlite_url

MIGRATIONS = Path(__file__).parent.parent / "migrations"
DEFAULT_FILE = "landmatch.sqlite"  # the register of a fresh install, in its instance folder

# One adapter per backend, stateless: asking for it is a dictionary look-up.
_BACKENDS: dict[str, Backend] = {"sqlite": SpatiaLite(), "postgresql": PostGIS()}


def backend_for(bind: Session | Engine | Connection | str | URL) -> Backend:
    """Return the adapter of the database that ``bind`` (a session, engine, connection, or
    a database URL) talks to.

    Anything but a SQLite URL is taken for PostGIS, as the engine set-up always did.
    """
    if isinstance(bind, str | URL):
        name = make_url(bind).get_backend_name()
    else:
        name = (bind.get_bind() if isinstance(bind, Session) else bind).dialect.name
    return _BACKENDS.get(name) or _BACKENDS["postgresql"]


def default_url(folder: str | os.PathLike) -> str:
    """Return the URL of the register a fresh install keeps in ``folder``: a SpatiaLite file."""
    return sqlite_url(Path(folder) / DEFAULT_FILE)


def make_engine(url: str) -> Engine:
    """Return an engine for ``url``, set up as its backend needs (SpatiaLite loaded on every
    SQLite connection, which runs in WAL mode so that the map can read while an import
    writes)."""
    return backend_for(url).create_engine(url)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory for ``engine``; its reads leave the bin out."""
    return hide_binned(sessionmaker(bind=engine, expire_on_commit=False))


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema of ``engine``'s database up to ``revision`` with Alembic."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def is_migrated(engine: Engine) -> bool:
    """Return True when the register's tables exist."""
    return inspect(engine).has_table("parcels")
