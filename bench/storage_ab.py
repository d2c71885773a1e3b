"""Compare two checkouts' storage paths: the SQL they send, what they return, how long it takes.

    .venv/bin/python bench/generate.py -n 20000 -o /tmp/ab/parcels.gpkg
    git archive main | tar -x -C /tmp/ab/main                # the checkout to compare with
    .venv/bin/python bench/storage_ab.py --root /tmp/ab/main --url sqlite:////tmp/ab/main.sqlite \
        --gpkg /tmp/ab/parcels.gpkg --sql /tmp/ab/main.sql
    .venv/bin/python bench/storage_ab.py --root . --url sqlite:////tmp/ab/here.sqlite \
        --gpkg /tmp/ab/parcels.gpkg --sql /tmp/ab/here.sql
    diff /tmp/ab/main.sql /tmp/ab/here.sql

Made for refactors of geo/register: the same statements and the same answers mean the same
database work, which timings on a shared machine cannot show. The database at ``--url`` is
replaced (a PostgreSQL one is dropped and created: its name must contain "ab_"). It imports
``--gpkg`` twice as the stock layer (new parcels, then every one updated), reads a bbox of
about 3,000 parcels 25 times and renders 3 × 3 tiles at zooms 9, 12 and 15 three times; it
prints one JSON line: seconds, medians in ms (wall, and this process's CPU), and a hash of
each answer.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import statistics
import sys
import time
from pathlib import Path


def _use(root: Path) -> None:
    """Import geo from ``root``: the editable install maps it to its own checkout otherwise
    (docs/traps.md 12), whatever sys.path says."""
    sys.meta_path[:] = [f for f in sys.meta_path
                        if "editable" not in f"{type(f).__name__} {getattr(f, '__name__', '')}"
                        .lower()]
    sys.path.insert(0, str(root.resolve()))


def _fresh(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    if "ab_" not in (parsed.database or ""):
        raise SystemExit("the PostgreSQL database's name must contain 'ab_': it is dropped")
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    created = create_engine(parsed, isolation_level="AUTOCOMMIT")
    with created.connect() as conn:
        conn.execute(text("CREATE EXTENSION postgis"))
    created.dispose()


def _bbox(gpkg: Path, wanted: int = 3000) -> tuple[float, float, float, float]:
    """Return a square bbox holding about ``wanted`` parcel centres, at the densest spot."""
    import numpy as np
    import pyogrio
    import shapely

    centres = shapely.centroid(pyogrio.read_dataframe(gpkg).geometry.values)
    xy = np.column_stack([shapely.get_x(centres), shapely.get_y(centres)])
    counts, xs, ys = np.histogram2d(xy[:, 0], xy[:, 1], bins=200)
    i, j = np.unravel_index(counts.argmax(), counts.shape)
    cx, cy, half = (xs[i] + xs[i + 1]) / 2, (ys[j] + ys[j + 1]) / 2, 0.005
    while ((abs(xy[:, 0] - cx) < half) & (abs(xy[:, 1] - cy) < half)).sum() < wanted:
        half *= 1.05
    return cx - half, cy - half, cx + half, cy + half


def _median_ms(times: list[float]) -> float:
    return round(statistics.median(times) * 1000, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True, help="the checkout to run")
    parser.add_argument("--url", required=True)
    parser.add_argument("--gpkg", type=Path, required=True)
    parser.add_argument("--sql", type=Path, help="write every statement sent here")
    args = parser.parse_args()
    _use(args.root)
    # All three before SpatiaLite's first connection: see geo/register/spatialite.py; pyogrio
    # reading a GeoPackage after it crashes the process (issue 15).
    import pyogrio  # noqa: F401
    import pyproj  # noqa: F401
    import shapely  # noqa: F401
    from sqlalchemy import event

    try:
        from geo.register import make_engine, make_sessionmaker, migrate
    except ImportError:  # a checkout from before geo/register
        from geo.db import make_engine, make_sessionmaker, migrate  # type: ignore
    import geo
    from geo.features import LAYERS, query_layer
    from geo.importer import Options, commit_plan, plan_import
    from geo.tiles import render_tile

    if not Path(geo.__file__).resolve().is_relative_to(args.root.resolve()):
        raise SystemExit(f"geo came from {geo.__file__}, not from {args.root}")
    _fresh(args.url)
    engine = make_engine(args.url)
    migrate(engine)
    sent: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_rest: sent.append(statement))
    sessions = make_sessionmaker(engine)
    plan = plan_import(args.gpkg, "stock", options=Options(county=None))
    out: dict[str, object] = {"root": str(args.root), "url": args.url.split(":")[0]}
    for step in ("import_new", "import_update"):
        with sessions() as session:
            start, cpu = time.perf_counter(), time.process_time()
            commit_plan(session, plan)
            out[f"{step}_s"] = round(time.perf_counter() - start, 2)
            # this process's CPU (all of SQLite's work): steadier than wall time under load
            out[f"{step}_cpu_s"] = round(time.process_time() - cpu, 2)
    bbox, stock = _bbox(args.gpkg), LAYERS["stock"]
    with sessions() as session:
        page = query_layer(session, stock, bbox=bbox, limit=10000).features
        out["bbox_features"] = len(page)
        out["bbox_sha"] = hashlib.sha1("".join(page).encode()).hexdigest()[:12]
        times, cpu = [], []
        for _ in range(25):
            start, started = time.perf_counter(), time.process_time()
            query_layer(session, stock, bbox=bbox, limit=10000)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - started)
        out["bbox_ms"], out["bbox_cpu_ms"] = _median_ms(times), _median_ms(cpu)
        lon, lat = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
        for z in (9, 12, 15):
            x = int((lon + 180) / 360 * 2 ** z)
            y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * 2 ** z)
            tiles = [(x + dx, y + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
            first = b"".join(render_tile(session, stock, z, tx, ty) for tx, ty in tiles)
            out[f"z{z}_sha"] = hashlib.sha1(first).hexdigest()[:12]
            times = []
            for _ in range(3):
                for tx, ty in tiles:
                    start = time.perf_counter()
                    render_tile(session, stock, z, tx, ty)
                    times.append(time.perf_counter() - start)
            out[f"z{z}_ms"] = _median_ms(times)
    engine.dispose()
    if args.sql:
        args.sql.write_text("\n----\n".join(sent), encoding="utf-8")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
