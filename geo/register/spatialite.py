"""SpatiaLite: the register in one SQLite file, the default of a fresh install."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

# pyproj and shapely bring their own PROJ/GEOS; loading mod_spatialite (the system's) first
# crashes the process at exit (docs/stack.md trap 2), so both are imported before any connection.
import pyproj  # noqa: F401
import shapely  # noqa: F401
from geoalchemy2.admin.dialects.sqlite import load_spatialite
from sqlalchemy import Engine, and_, column, create_engine, event, func, or_, select, table
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from geo.crs import STORAGE_SRID
from geo.errors import Busy
from geo.models import Building, Parcel
from geo.register.backend import Backend, BBox
from geo.register.feature_json import flatten
from geo.register.outages import watch_sqlite
from geo.register.rtree import rtree_updated_at_the_end


class SpatiaLite(Backend):
    """SpatiaLite: SQLite never consults the R-tree on its own (docs/stack.md trap 4)."""

    name = "spatialite"
    backup_suffix = "sqlite"  # the copy is itself a SpatiaLite file

    def create_engine(self, url: str) -> Engine:
        """Return an engine with SpatiaLite loaded on every connection.

        The file runs in WAL mode so that the map can read while an import writes.
        """
        os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")
        engine = create_engine(url)
        # transaction=True: InitSpatialMetadata in one transaction, 0.04 s instead of 9 s
        # (docs/stack.md trap 3).
        event.listen(engine, "connect", partial(load_spatialite, transaction=True))
        event.listen(engine, "connect", _pragmas)
        event.listen(engine, "handle_error", _locked_is_busy)
        watch_sqlite(engine, engine.url.database or "")  # full disk, WAL growth (issue 15)
        return engine

    def bbox_filter(self, geom: ColumnElement, pk: ColumnElement, bbox: BBox) -> ColumnElement:
        """Return a clause true where ``geom`` intersects ``bbox`` (lon/lat).

        The candidates come from the ``idx_<table>_<column>`` R-tree that SpatiaLite keeps
        beside each indexed geometry column; the exact test then runs on those few rows only.
        """
        minx, miny, maxx, maxy = bbox
        rtree = table(
            f"idx_{geom.table.name}_{geom.name}",
            column("pkid"), column("xmin"), column("xmax"), column("ymin"), column("ymax"),
        )
        candidates = select(rtree.c.pkid).where(
            rtree.c.xmin <= maxx, rtree.c.xmax >= minx,
            rtree.c.ymin <= maxy, rtree.c.ymax >= miny,
        )
        mbr = func.BuildMbr(*bbox, STORAGE_SRID)
        # As on PostGIS: a geometry boxed inside the bbox needs no exact test.
        return and_(pk.in_(candidates),
                    or_(func.MbrWithin(geom, mbr), func.ST_Intersects(geom, mbr)))

    @contextmanager
    def bulk_write(self, session: Session, table: str = "parcels",
                   column: str = "geom") -> Iterator[list[int]]:
        """R-tree entries written once at the end, not by a trigger per row (docs/traps.md 15)."""
        with rtree_updated_at_the_end(session, table, column) as reshaped:
            yield reshaped

    def json_code(self, code: ColumnElement) -> ColumnElement:
        """Return ``code`` as a JSON string."""
        return func.json_quote(code)

    def json_extra(self, extra: ColumnElement) -> ColumnElement:
        """Return a JSON column as JSON, ``{}`` when null."""
        return func.json(func.coalesce(extra, "{}"))

    def json_rounded(self, value: ColumnElement, digits: int) -> ColumnElement:
        """Return ``value`` rounded to ``digits`` decimals, as a JSON number."""
        return func.round(value, digits)

    def json_object(self, pairs: dict[str, ColumnElement]) -> ColumnElement:
        """Return the JSON object of ``pairs``, in their order."""
        return func.json_object(*flatten(pairs))

    def json_buildings(self, one: ColumnElement) -> ColumnElement:
        """Return the parcel's buildings as a JSON array, in id order (a correlated subquery).

        SQLite 3.40 has no ORDER BY inside an aggregate: the subquery orders them first.
        """
        inner = (select(Building.id, one.label("b_obj")).where(Building.parcel_id == Parcel.id)
                 .order_by(Building.id).correlate(Parcel).subquery())
        agg = select(func.json_group_array(func.json(inner.c.b_obj))).scalar_subquery()
        return func.json(func.coalesce(agg, "[]"))

    def backup(self, url: str, output: Path) -> None:
        """Copy the file with SQLite's online backup API: safe while the app runs."""
        source = sqlite3.connect(_path(url))
        target = sqlite3.connect(output)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()

    def restore(self, url: str, backup_file: Path) -> None:
        """Overwrite the file page by page with the backup's (stop the app first)."""
        source = sqlite3.connect(backup_file)
        target = sqlite3.connect(_path(url))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()


def _pragmas(dbapi_conn, _record) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _locked_is_busy(context) -> None:
    # SQLite has one writer at a time: a write that waited busy_timeout for another one (a
    # CLI import holds the lock for its whole transaction) is a known answer, Busy (503 on
    # the web, a sentence on the command line), not a crash.
    if "database is locked" in str(context.original_exception):
        raise Busy() from context.original_exception


def _path(url: str) -> str:
    return make_url(url).database or ""


def sqlite_url(path: str | os.PathLike) -> str:
    """Return the SQLAlchemy URL of a SpatiaLite file."""
    return f"sqlite:///{Path(path).resolve()}"
