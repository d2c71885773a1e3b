"""Many rows into one table at once: the driver's executemany, unless a backend has better.

psycopg sends an executemany as a pipeline of single-row statements, about 25 µs a row on
the client, so PostGIS overrides this with COPY (geo/register/postgis.py); SQLite's
executemany is already one loop in C. Either way the rows are in the session's transaction.
"""

from __future__ import annotations

from sqlalchemy import LargeBinary, Table, Text, bindparam, column, insert, table
from sqlalchemy.sql.functions import Function

from geo.crs import STORAGE_SRID

WKB = "_wkb"  # a row's shape as WKB, for the table's geometry column


class JsonText(str):
    """A JSON column's value already written as JSON text: stored as it is."""


def geom_from_wkb() -> Function:
    """Return the SQL that makes a stored geometry of the WKB bound as ``WKB``.

    Sent as written (GeoAlchemy2's ``func`` would rename and type it per backend):
    SpatiaLite takes the ``ST_`` name as PostGIS does.
    """
    return Function("ST_GeomFromWKB", bindparam(WKB, type_=LargeBinary), STORAGE_SRID)


def executemany(session, target: Table, rows: list[dict], geometry: str | None = None) -> None:
    """Insert ``rows`` into ``target`` with one executemany (``Backend.insert_rows``)."""
    if not rows:
        return
    texts = {n for n, v in rows[0].items() if isinstance(v, JsonText)}
    if texts:  # the same table, its JSON columns taken as the text they already are
        target = _with_text(target, texts)
    statement = insert(target)
    if geometry is not None:
        statement = statement.values({geometry: geom_from_wkb()})
    session.execute(statement, rows)


def _with_text(source: Table, names: set[str]):
    return table(source.name, *[column(c.name, Text if c.name in names else c.type)
                                for c in source.c])
