"""The floor: a bbox query as raw SQL plus GeoJSON serialisation, in one process, one thread.

This is what the database and Python's json can do without any web server or ORM; LandMatch's
p50 is compared with it.
"""

from __future__ import annotations

import json
import statistics
import time

from sqlalchemy import Engine, inspect

BBox = tuple[float, float, float, float]

# The R-tree join that geo/register/spatialite.py writes (SQLite never uses the R-tree by itself).
SPATIALITE_WHERE = """
    id IN (SELECT pkid FROM idx_parcels_geom
           WHERE xmin <= ? AND xmax >= ? AND ymin <= ? AND ymax >= ?)
    AND ST_Intersects(geom, BuildMbr(?, ?, ?, ?, 4490))"""
POSTGIS_WHERE = """
    geom && ST_MakeEnvelope(%s, %s, %s, %s, 4490)
    AND ST_Intersects(geom, ST_MakeEnvelope(%s, %s, %s, %s, 4490))"""


def where(dialect: str, bbox: BBox) -> tuple[str, tuple[float, ...]]:
    """Return the indexed bbox condition on ``parcels`` and its parameters."""
    minx, miny, maxx, maxy = bbox
    if dialect == "sqlite":
        return SPATIALITE_WHERE, (maxx, minx, maxy, miny, *bbox)
    return POSTGIS_WHERE, (*bbox, *bbox)


def count(engine: Engine, bbox: BBox) -> int:
    """Return how many parcels intersect ``bbox``."""
    clause, params = where(engine.dialect.name, bbox)
    conn = engine.raw_connection()
    try:
        cursor = conn.cursor()
        cursor.execute(f"SELECT count(*) FROM parcels WHERE {clause}", params)
        return cursor.fetchone()[0]
    finally:
        conn.close()


def _collection(cursor, names: list[str]) -> str:
    features = []
    for row in cursor:
        props = json.dumps(dict(zip(names, row[:-1], strict=True)), ensure_ascii=False,
                           default=str)
        features.append(f'{{"type":"Feature","id":{json.dumps(row[1], ensure_ascii=False)},'
                        f'"geometry":{row[-1]},"properties":{props}}}')
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


def measure(engine: Engine, bboxes: list[tuple[BBox, int]], repeats: int = 3) -> dict:
    """Return the p50 (ms) of query + serialisation over ``bboxes``, checking every count."""
    names = [c["name"] for c in inspect(engine).get_columns("parcels") if c["name"] != "geom"]
    assert names[:2] == ["id", "code"], names
    as_geojson = "AsGeoJSON" if engine.dialect.name == "sqlite" else "ST_AsGeoJSON"
    times = []
    conn = engine.raw_connection()
    try:
        cursor = conn.cursor()
        for _ in range(repeats):
            for bbox, expected in bboxes:
                clause, params = where(engine.dialect.name, bbox)
                started = time.perf_counter()
                cursor.execute(f"SELECT {', '.join(names)}, {as_geojson}(geom, 8) "
                               f"FROM parcels WHERE {clause}", params)
                text = _collection(cursor, names)
                times.append((time.perf_counter() - started) * 1000)
                got = text.count('"type":"Feature",')
                assert got == expected, f"floor found {got} parcels in {bbox}, not {expected}"
    finally:
        conn.close()
    return {"p50_ms": statistics.median(times), "queries": len(times)}


def measure_in_process(engine: Engine, bboxes: list[tuple[BBox, int]], repeats: int = 3) -> dict:
    """Return the p50 (ms) of LandMatch's own page query (geo.features), no web server.

    The floor above serialises in Python, as the issue defines it; LandMatch has the database
    write the JSON, so it can beat that floor. This is the tighter bound: the gap between it
    and the server is what HTTP, Flask and gunicorn cost.
    """
    from geo.features import LAYERS, collection_json, query_layer
    from geo.register import make_sessionmaker

    times = []
    with make_sessionmaker(engine)() as session:
        for _ in range(repeats):
            for bbox, expected in bboxes:
                started = time.perf_counter()
                page = query_layer(session, LAYERS["stock"], bbox=bbox, limit=5000)
                text = "".join(collection_json(page.features,
                                               numberMatched=page.number_matched))
                times.append((time.perf_counter() - started) * 1000)
                got = text.count('"type":"Feature",')
                assert got == expected, f"LandMatch found {got} parcels in {bbox}, not {expected}"
    return {"p50_ms": statistics.median(times), "queries": len(times)}
