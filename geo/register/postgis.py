"""PostGIS: the register on a PostgreSQL server, for production and beyond one county."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import (
    JSON,
    Engine,
    Float,
    Numeric,
    Table,
    and_,
    any_,
    bindparam,
    cast,
    create_engine,
    func,
    literal_column,
    not_,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from geo.crs import STORAGE_SRID
from geo.errors import N_, GeoError
from geo.models import Building, Parcel
from geo.register.backend import Backend, BBox, TileQuery
from geo.register.bulk import WKB, JsonText
from geo.register.feature_json import flatten
from geo.register.outages import watch_postgres

ANALYZE_AFTER = 5000  # rows; below this the statistics barely move
WEB_MERCATOR = 3857


class PostGIS(Backend):
    """PostGIS: ``&&`` uses the GiST index by itself."""

    name = "postgis"
    backup_suffix = "dump"  # pg_dump's custom format

    def create_engine(self, url: str) -> Engine:
        """Return an engine that checks a pooled connection before handing it out, and
        answers 503 while the server cannot be reached (geo/register/outages.py)."""
        engine = create_engine(url, pool_pre_ping=True)
        watch_postgres(engine)
        return engine

    def bbox_filter(self, geom: ColumnElement, pk: ColumnElement, bbox: BBox) -> ColumnElement:
        """Return a clause true where ``geom`` intersects ``bbox`` (lon/lat).

        A geometry whose own box lies inside ``bbox`` intersects it: only those across its
        edge need the exact test (3,000 parcels: 4 ms instead of 12).
        """
        envelope = func.ST_MakeEnvelope(*bbox, STORAGE_SRID)
        return and_(geom.op("&&")(envelope),
                    or_(geom.op("@")(envelope), func.ST_Intersects(geom, envelope)))

    def insert_rows(self, session: Session, table: Table, rows: list[dict],
                    geometry: str | None = None) -> None:
        """Insert ``rows`` with COPY, which streams them as text, a few µs each
        (executemany: about 25 µs a row on the client; docs/traps.md 16)."""
        if not rows:
            return
        names = [n for n in rows[0] if n != WKB]
        as_json = [isinstance(table.c[n].type, JSON) for n in names]
        columns = [*names, geometry] if geometry else names
        quote = session.get_bind().dialect.identifier_preparer.quote
        sql = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        srid = f"SRID={STORAGE_SRID};"
        driver = session.connection().connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                values = [json.dumps(row[n]) if j and not isinstance(row[n], JsonText)
                          else row[n] for n, j in zip(names, as_json, strict=True)]
                if geometry:
                    values.append(srid + row[WKB].hex())  # EWKB text, as PostGIS reads it
                copy.write_row(values)

    def among(self, target: ColumnElement, values: list) -> ColumnElement:
        """Return ``target IN values`` as one array parameter: psycopg would otherwise parse
        a statement of a thousand placeholders each time (docs/traps.md 16)."""
        return target == any_(bindparam(None, values, type_=ARRAY(target.type)))

    def after_bulk_write(self, session: Session, table: str, rows: int) -> None:
        """Refresh PostgreSQL's statistics of ``table`` after a large write.

        Without them it kept planning for the empty table it had seen: after 100,000 parcels
        came in, a bbox query combined the GiST index with a scan of the whole ``deleted_at``
        index (1.5 ms of 6 ms; docs/traps.md 17). Autovacuum would catch up, minutes later.
        SQLite's bbox plan (the R-tree, then the primary key) needs no statistics.
        """
        if rows < ANALYZE_AFTER:
            return
        quote = session.get_bind().dialect.identifier_preparer.quote
        session.execute(text(f"ANALYZE {quote(table)}"))
        session.commit()

    def json_code(self, code: ColumnElement) -> ColumnElement:
        """Return ``code`` as a JSON string."""
        return func.to_json(code)

    def json_extra(self, extra: ColumnElement) -> ColumnElement:
        """Return a JSON column as JSON, ``{}`` when null."""
        return func.coalesce(extra, literal_column("'{}'::json"))

    def json_rounded(self, value: ColumnElement, digits: int) -> ColumnElement:
        """Return ``value`` rounded to ``digits`` decimals, as a JSON number."""
        # PostgreSQL rounds only numerics; back to a float so JSON shows 22.5, not 22.5000.
        return cast(func.round(cast(value, Numeric), digits), Float)

    def json_object(self, pairs: dict[str, ColumnElement]) -> ColumnElement:
        """Return the JSON object of a few ``pairs`` (a building's); see ``json_properties``."""
        return func.json_build_object(*flatten(pairs))

    def json_properties(self, pairs: dict[str, ColumnElement]) -> ColumnElement:
        """Return the JSON object of ``pairs``, in their order.

        ``row_to_json`` of a one-row subquery: ``json_build_object`` looks up every
        argument's type on every row, which made it 13 % slower over 3,000 parcels, and it
        takes at most 100 arguments.
        """
        row = select(*[value.label(key) for key, value in pairs.items()]).correlate_except(
            Building).subquery("props")
        return select(func.row_to_json(literal_column("props"))).select_from(row).scalar_subquery()

    def json_buildings(self, one: ColumnElement) -> ColumnElement:
        """Return the parcel's buildings as a JSON array, in id order (a correlated subquery)."""
        agg = (select(func.json_agg(aggregate_order_by(one, Building.id)))
               .where(Building.parcel_id == Parcel.id).correlate(Parcel))
        return func.coalesce(agg.scalar_subquery(), literal_column("'[]'::json"))

    def vector_tile(self, session: Session, query: TileQuery) -> bytes:
        """Return the tile written by ``ST_AsMVT``, drawn as geo/tiles.py draws it in Python:
        outlines simplified for the zoom, small shapes as one square per cell of the dot grid,
        standing for the first feature in code order."""
        q = query
        envelope = func.ST_TileEnvelope(q.z, q.x, q.y)
        src = (
            select(q.code.label("code"), q.value.label(q.attribute),
                   func.ST_Transform(q.geom, WEB_MERCATOR).label("g"))
            # The envelope goes to the stored CRS, rather than every geometry to 3857, so
            # that the GiST index answers the test.
            .where(func.ST_Intersects(q.geom, func.ST_Transform(envelope, STORAGE_SRID)),
                   *q.conditions)
            .cte("src")
        )
        g, value, cell, origin = src.c.g, src.c[q.attribute], q.dot_m, q.half_world
        small = and_(func.ST_XMax(g) - func.ST_XMin(g) < cell,
                     func.ST_YMax(g) - func.ST_YMin(g) < cell)
        shapes = select(src.c.code, value, func.ST_AsMVTGeom(
            func.ST_Simplify(g, q.simplify_m, True), envelope, q.extent, q.buffer, True,
        ).label("geom")).where(not_(small))
        cx = func.floor(((func.ST_XMin(g) + func.ST_XMax(g)) / 2 + origin) / cell).label("cx")
        cy = func.floor(((func.ST_YMin(g) + func.ST_YMax(g)) / 2 + origin) / cell).label("cy")
        first = func.row_number().over(partition_by=(cx, cy), order_by=src.c.code).label("n")
        ranked = select(src.c.code, value, cx, cy, first).where(small).subquery("ranked")
        cells = select(ranked).where(ranked.c.n == 1).subquery("cells")
        square = func.ST_MakeEnvelope(cells.c.cx * cell - origin, cells.c.cy * cell - origin,
                                      (cells.c.cx + 1) * cell - origin,
                                      (cells.c.cy + 1) * cell - origin, WEB_MERCATOR)
        dots = select(cells.c.code, cells.c[q.attribute],
                      func.ST_AsMVTGeom(square, envelope, q.extent, q.buffer, True).label("geom"))
        rows = union_all(shapes, dots).subquery("t")
        tile = session.scalar(select(func.ST_AsMVT(literal_column("t"), q.name, q.extent, "geom"))
                              .select_from(rows))
        return bytes(tile or b"")

    def backup(self, url: str, output: Path) -> None:
        """Write ``pg_dump``'s custom format."""
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(output),
              _libpq_url(url)])

    def restore(self, url: str, backup_file: Path) -> None:
        """Drop and re-create every table from the dump (``pg_restore --clean``), in one
        transaction."""
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "--dbname", _libpq_url(url), str(backup_file)])


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise GeoError(N_("%(program)s is not installed (apt-get install postgresql-client)."),
                       program=command[0])
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise GeoError(N_("%(program)s failed: %(detail)s"), program=command[0],
                       detail=done.stderr.strip()[-500:])
