"""What every database backend does, written once; each backend's own class overrides the rest."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, Table
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from geo.register.bulk import executemany

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class TileQuery:
    """One vector tile of a layer's rows: what each feature carries, and the tile's grid."""

    name: str  # the MVT layer's name
    pk: ColumnElement  # the primary key of the geometry's table
    code: ColumnElement  # each feature's code, also the order that picks a dot's feature
    attribute: str  # the attribute the map colours by, carried under that name
    value: ColumnElement
    geom: ColumnElement
    conditions: tuple[ColumnElement, ...]
    z: int
    x: int
    y: int
    extent: int  # tile units per side
    buffer: int  # units drawn past each edge
    simplify_m: float  # outlines lose detail finer than this, in Web Mercator metres
    dot_m: float  # shapes smaller than this both ways become a square of this grid
    half_world: float  # metres from Web Mercator's origin to its edge


class Backend:
    """A database the register can live in; the defaults are plain SQL and SQLAlchemy.

    As pygeoapi keeps ``GenericSQLProvider`` and overrides it per database, the subclasses
    ``SpatiaLite`` and ``PostGIS`` hold every place where the two differ. Get one with
    ``geo.register.backend_for``.
    """

    name = "generic"
    backup_suffix = "backup"  # the suffix of a backup file's name, after the dot

    def create_engine(self, url: str) -> Engine:
        """Return an engine for ``url``, set up as this backend needs."""
        raise NotImplementedError

    def bbox_filter(self, geom: ColumnElement, pk: ColumnElement, bbox: BBox) -> ColumnElement:
        """Return a clause true where ``geom`` intersects ``bbox`` (lon/lat), through the
        spatial index; ``pk`` is the primary key of ``geom``'s table."""
        raise NotImplementedError

    # -- bulk writes (geo/importer/commit.py) --

    def insert_rows(self, session: Session, table: Table, rows: list[dict],
                    geometry: str | None = None) -> None:
        """Insert ``rows`` (dicts by column name) into ``table`` in the session's transaction.

        With ``geometry``, each row carries its shape as WKB (EPSG:4490) under
        ``geo.register.bulk.WKB``, for the column of that name. A JSON column's value may be
        ``JsonText``. Python-side column defaults are not applied: give every value.
        """
        executemany(session, table, rows, geometry)

    def counts_executemany(self, session: Session) -> bool:
        """Return True when the driver tells how many rows an executemany changed."""
        return session.get_bind().dialect.supports_sane_multi_rowcount

    def among(self, target: ColumnElement, values: list) -> ColumnElement:
        """Return the condition ``target IN values``."""
        return target.in_(values)

    @contextmanager
    def bulk_write(self, session: Session, table: str = "parcels",
                   column: str = "geom") -> Iterator[list[int]]:
        """Within this block many rows are written to ``table``; the caller adds to the list
        it is given the ids of rows whose ``column`` it updated. Keeps the spatial index
        right at the block's end."""
        yield []

    def after_bulk_write(self, session: Session, table: str, rows: int) -> None:
        """Bring the planner up to date after ``rows`` rows were committed to ``table``."""

    # -- the Features the database writes (geo/register/feature_json.py) --

    def json_code(self, code: ColumnElement) -> ColumnElement:
        """Return ``code`` as a JSON string."""
        raise NotImplementedError

    def json_extra(self, extra: ColumnElement) -> ColumnElement:
        """Return a JSON column as JSON, ``{}`` when null."""
        raise NotImplementedError

    def json_rounded(self, value: ColumnElement, digits: int) -> ColumnElement:
        """Return ``value`` rounded to ``digits`` decimals, as a JSON number."""
        raise NotImplementedError

    def json_object(self, pairs: dict[str, ColumnElement]) -> ColumnElement:
        """Return the JSON object of a few ``pairs``, in their order."""
        raise NotImplementedError

    def json_properties(self, pairs: dict[str, ColumnElement]) -> ColumnElement:
        """Return the JSON object of a record's properties, in their order."""
        return self.json_object(pairs)

    def json_buildings(self, one: ColumnElement) -> ColumnElement:
        """Return the JSON array of ``one`` (a building's object) over the parcel's buildings,
        in id order; ``[]`` when it has none."""
        raise NotImplementedError

    # -- vector tiles (geo/tiles.py) --

    def vector_tile(self, session: Session, query: TileQuery) -> bytes | None:
        """Return the tile as MVT bytes written by the database, or None when it cannot
        write them (then geo/tiles.py draws the tile itself)."""
        return None

    # -- backup and restore (geo/register/backup.py) --

    def backup(self, url: str, output: Path) -> None:
        """Write a consistent copy of the database at ``url`` to ``output``."""
        raise NotImplementedError

    def restore(self, url: str, backup_file: Path) -> None:
        """Replace the database at ``url`` with the contents of ``backup_file``."""
        raise NotImplementedError
