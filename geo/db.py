"""Engines and sessions for SpatiaLite files and PostGIS servers, and the schema migrations."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

# pyproj and shapely bring their own PROJ/GEOS; loading mod_spatialite (the system's) first
# crashes the process at exit (STACK.md trap 2), so both are imported before any connection.
import pyproj  # noqa: F401
import shapely  # noqa: F401
from geoalchemy2.admin.dialects.sqlite import load_spatialite
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

# pyogrio's GDAL is loaded before any connection too, and ORM states get their dict at
# birth: native crashes otherwise (docs/traps.md 20, 21).
import geo.native  # noqa: F401

MIGRATIONS = Path(__file__).with_name("migrations")


def sqlite_url(path: str | os.PathLike) -> str:
    """Return the SQLAlchemy URL of a SpatiaLite file."""
    return f"sqlite:///{Path(path).resolve()}"


def make_engine(url: str) -> Engine:
    """Return an engine for ``url``, with SpatiaLite loaded on every SQLite connection.

    SQLite files run in WAL mode so that the map can read while an import writes.
    """
    if url.startswith("sqlite"):
        os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")
        engine = create_engine(url)
        # transaction=True: InitSpatialMetadata in one transaction, 0.04 s instead of 9 s
        # (STACK.md trap 3).
        event.listen(engine, "connect", partial(load_spatialite, transaction=True))
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory for ``engine``."""
    return sessionmaker(bind=engine, expire_on_commit=False)


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
