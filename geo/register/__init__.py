"""The one home of storage: engines, migrations and one adapter per database backend.

Everything that differs between SpatiaLite and PostGIS lives in this package: the
``SpatiaLite`` and ``PostGIS`` classes (bbox filters, the Features the database writes, bulk
writes, the spatial index and statistics after them, vector tiles, backup and restore) and
the engine set-up, whose sessions hide the bin (bin.py). Outside it, and outside
``geo/migrations``, no module names a dialect (tests/test_register.py checks that). Ask for
the adapter with ``backend_for(session)``.
"""

# Before any connection: pyogrio's GDAL is loaded first, and ORM states get their dict at
# birth; native crashes otherwise (docs/traps.md 26, 27).
import geo.native  # noqa: F401
from geo.register.backend import Backend, BBox, TileQuery
from geo.register.bulk import WKB, JsonText, geom_from_wkb
from geo.register.engine import (
    MIGRATIONS,
    backend_for,
    default_url,
    is_migrated,
    make_engine,
    make_sessionmaker,
    migrate,
)
from geo.register.feature_json import feature_json
from geo.register.spatialite import sqlite_url

__all__ = [
    "MIGRATIONS", "WKB", "BBox", "Backend", "JsonText", "TileQuery", "backend_for",
    "default_url", "feature_json", "geom_from_wkb", "is_migrated", "make_engine",
    "make_sessionmaker", "migrate", "sqlite_url",
]
