"""Many rows into one table at once: PostgreSQL's COPY, else the driver's executemany.

psycopg sends an executemany as a pipeline of single-row statements, about 25 µs a row on
the client; COPY streams the rows as text, a few µs each. SQLite's executemany is already
one loop in C. Either way the rows are in the session's transaction.
"""

from __future__ import annotations

import json

from sqlalchemy import (
    JSON,
    ColumnElement,
    LargeBinary,
    Table,
    Text,
    any_,
    bindparam,
    column,
    insert,
    table,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import Function

from geo.crs import STORAGE_SRID

WKB = "_wkb"  # a row's shape as WKB, for the table's geometry column


class JsonText(str):
    """A JSON column's value already written as JSON text: stored as it is."""


def insert_rows(session: Session, table: Table, rows: list[dict],
                geometry: str | None = None) -> None:
    """Insert ``rows`` (dicts by column name) into ``table``.

    With ``geometry``, each row carries its shape as WKB (EPSG:4490) under ``WKB``, for the
    column of that name. A JSON column's value may be ``JsonText``. Python-side column
    defaults are not applied: give every value.
    """
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        _copy(session, table, rows, geometry)
        return
    texts = {n for n, v in rows[0].items() if isinstance(v, JsonText)}
    if texts:  # the same table, its JSON columns taken as the text they already are
        table = _with_text(table, texts)
    statement = insert(table)
    if geometry is not None:
        statement = statement.values({geometry: geom_from_wkb(session)})
    session.execute(statement, rows)


def among(session: Session, target: ColumnElement, values: list) -> ColumnElement:
    """Return the condition ``target IN values``: one array parameter on PostgreSQL, where
    psycopg would otherwise parse a statement of a thousand placeholders each time."""
    if session.get_bind().dialect.name == "postgresql":
        return target == any_(bindparam(None, values, type_=ARRAY(target.type)))
    return target.in_(values)


def geom_from_wkb(session: Session):
    """Return the SQL that makes a stored geometry of the WKB bound as ``WKB``."""
    name = "GeomFromWKB" if session.get_bind().dialect.name == "sqlite" else "ST_GeomFromWKB"
    return Function(name, bindparam(WKB, type_=LargeBinary), STORAGE_SRID)


def _with_text(source: Table, names: set[str]):
    return table(source.name, *[column(c.name, Text if c.name in names else c.type)
                                for c in source.c])


def _copy(session: Session, table: Table, rows: list[dict], geometry: str | None) -> None:
    names = [n for n in rows[0] if n != WKB]
    as_json = [isinstance(table.c[n].type, JSON) for n in names]
    columns = [*names, geometry] if geometry else names
    quote = session.get_bind().dialect.identifier_preparer.quote
    sql = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    srid = f"SRID={STORAGE_SRID};"
    driver = session.connection().connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            values = [json.dumps(row[n]) if j and not isinstance(row[n], JsonText) else row[n]
                      for n, j in zip(names, as_json, strict=True)]
            if geometry:
                values.append(srid + row[WKB].hex())  # EWKB text, as PostGIS reads it
            copy.write_row(values)
