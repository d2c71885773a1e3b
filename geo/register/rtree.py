"""SpatiaLite's R-tree brought up to date once at the end of an import, not row by row.

SpatiaLite keeps a geometry column's R-tree by triggers that call ``RTreeAlign`` for each
inserted row and each row whose shape is updated: three quarters of the time of writing
100,000 parcels. During an import those two triggers are dropped; at its end, the R-tree
entries of the added rows and of the reshaped ones are written by one INSERT … SELECT (the
R-tree rounds each box outwards to its 32-bit floats, as ``RTreeAlign`` does) and the
triggers are created again from their own SQL. All of it happens in the import's
transaction: a failure or a kill rolls the triggers back with the rows. ``CheckSpatialIndex``
confirms the result (tests/test_import_bulk.py). Used by ``SpatiaLite.bulk_write``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.orm import Session

CHUNK = 10_000  # ids per statement, well below SQLite's 32,766 parameters


@contextmanager
def rtree_updated_at_the_end(session: Session, table: str = "parcels",
                             column: str = "geom") -> Iterator[list[int]]:
    """Within this block, rows added to ``table`` get their R-tree entries at its end; so do
    the rows whose ids the caller adds to the list it is given (their shape was updated)."""
    reshaped: list[int] = []
    names = {"insert": f"gii_{table}_{column}", "update": f"giu_{table}_{column}"}
    triggers = dict(session.execute(text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (:i, :u)"),
        {"i": names["insert"], "u": names["update"]}).all())
    if set(triggers) != set(names.values()):  # no spatial index on this column
        yield reshaped
        return
    last = session.execute(text(f'SELECT coalesce(max(rowid), 0) FROM "{table}"')).scalar()
    for name in triggers:
        session.execute(text(f'DROP TRIGGER "{name}"'))
    yield reshaped
    index = f"idx_{table}_{column}"
    boxes = (f'INSERT INTO "{index}" (pkid, xmin, xmax, ymin, ymax) SELECT rowid, '
             f'MbrMinX("{column}"), MbrMaxX("{column}"), MbrMinY("{column}"), '
             f'MbrMaxY("{column}") FROM "{table}" WHERE "{column}" IS NOT NULL AND ')
    session.execute(text(f'DELETE FROM "{index}" WHERE pkid > :last'), {"last": last})
    session.execute(text(boxes + "rowid > :last"), {"last": last})
    for start in range(0, len(reshaped), CHUNK):
        ids = ", ".join(str(int(i)) for i in reshaped[start:start + CHUNK])
        session.execute(text(f'DELETE FROM "{index}" WHERE pkid IN ({ids})'))
        session.execute(text(boxes + f"rowid IN ({ids})"))
    for sql in triggers.values():
        session.execute(text(sql))
