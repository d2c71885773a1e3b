"""SpatiaLite's R-tree filled once for the parcels an import adds, not once per row.

SpatiaLite keeps a geometry column's R-tree by an AFTER INSERT trigger that calls
``RTreeAlign`` row by row: three quarters of the time of inserting 100,000 parcels. During
an import that trigger is dropped, and afterwards one INSERT … SELECT puts the new rows'
boxes in the R-tree (the R-tree rounds them outwards to its 32-bit floats, as
``RTreeAlign`` does) and the trigger is created again from its own SQL. All of it happens
in the import's transaction: a failure or a kill rolls the trigger back with the rows.
``CheckSpatialIndex`` confirms the result (tests/test_import_speed.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.orm import Session


@contextmanager
def rtree_filled_at_the_end(session: Session, table: str = "parcels",
                            column: str = "geom") -> Iterator[None]:
    """Within this block, rows added to ``table`` get their R-tree entries at its end."""
    if session.get_bind().dialect.name != "sqlite":
        yield  # PostGIS keeps its GiST index itself
        return
    trigger = f"gii_{table}_{column}"
    sql = session.execute(text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND "
                               "name = :name"), {"name": trigger}).scalar()
    if sql is None:  # no spatial index on this column
        yield
        return
    last = session.execute(text(f'SELECT coalesce(max(rowid), 0) FROM "{table}"')).scalar()
    session.execute(text(f'DROP TRIGGER "{trigger}"'))
    yield
    index = f"idx_{table}_{column}"
    session.execute(text(f'DELETE FROM "{index}" WHERE pkid > :last'), {"last": last})
    session.execute(text(
        f'INSERT INTO "{index}" (pkid, xmin, xmax, ymin, ymax) '
        f'SELECT rowid, MbrMinX("{column}"), MbrMaxX("{column}"), MbrMinY("{column}"), '
        f'MbrMaxY("{column}") FROM "{table}" WHERE rowid > :last AND "{column}" IS NOT NULL'),
        {"last": last})
    session.execute(text(sql))
