"""Time matches over 100,000 generated parcels in a SpatiaLite file (or PostGIS by --url).

    .venv/bin/python bench/match_bench.py                 # 100,000 parcels, 50 matches
    .venv/bin/python bench/match_bench.py --parcels 20000 --matches 20
    .venv/bin/python bench/match_bench.py --url postgresql+psycopg://postgres@127.0.0.1/bench

Parcels are squares on a grid of 0.005° cells (about 450 × 555 m, one parcel in each, so
100,000 parcels cover some 25,000 km², a city the size of Linfen); every fifth cell holds
two parcels side by side, so adjacent pairs occur. Layers, statuses and land uses follow
the demo's mix. The goal
(issue 3) is at most 150 ms per match on a 2-core machine. Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shapely.geometry import box  # noqa: E402  (after the path fix)
from sqlalchemy import func, select, text  # noqa: E402

from geo.areas import ellipsoidal_area_m2  # noqa: E402
from geo.demo import IDLE_USES, STOCK_USES  # noqa: E402
from geo.match_query import run_match  # noqa: E402
from geo.models import Parcel  # noqa: E402
from geo.register import make_engine, make_sessionmaker, migrate, sqlite_url  # noqa: E402

WEST, SOUTH = 111.20, 35.70
CELL, SIDE = 0.005, 0.0012  # degrees: 450 × 555 m cells, 110 × 133 m parcels (≈ 22 亩)
INSERT = text("""
    INSERT INTO parcels (code, layer, name, town, park, area_m2, land_use, land_use_system,
        planned_use, planned_use_system, status, plot_ratio_min, plot_ratio_max, power_kva,
        water_t_per_day, gas, rail, price,
        extra, version, geom)
    VALUES (:code, :layer, :name, NULL, NULL, :area_m2, :land_use, 'sandiao', :planned_use,
        'ydyh2023', :status, :prmin, :prmax,
        :power, :water, :gas, :rail, :price, '{}', 1, ST_GeomFromText(:wkt, 4490))
""")


def rows(count: int, rng: random.Random):
    """Yield the parcels' column values, a grid row at a time."""
    per_row = int(count ** 0.5) + 1
    cell, half = 0, False
    for n in range(count):
        i, j = cell % per_row, cell // per_row
        x, y = WEST + i * CELL, SOUTH + j * CELL
        if i % 5 == 0 and not half:
            width, half = SIDE / 2, True  # the west half of a pair; the next is its east half
        elif i % 5 == 0:
            x, width, half = x + SIDE / 2, SIDE / 2, False
            cell += 1
        else:
            width = SIDE
            cell += 1
        shape = box(x, y, x + width, y + SIDE)
        idle = rng.random() < 0.2
        low = rng.choice([0.8, 1.0, 1.2])
        current, planned = rng.choice(IDLE_USES if idle else STOCK_USES)
        yield {
            "code": f"B{n:06d}", "layer": "idle" if idle else "stock", "name": f"地块{n}",
            "area_m2": ellipsoidal_area_m2(shape),
            "land_use": current, "planned_use": planned,
            "status": rng.choice(["idle", "disposing", "disposed"] if idle else
                                 ["available", "available", "underused", "reserved"]),
            "prmin": low, "prmax": low + 1.5, "power": float(rng.choice([0, 630, 2500, 10000])),
            "water": float(rng.choice([0, 100, 500, 2000])),
            "gas": rng.choice(["yes", "no"]), "rail": rng.choice(["yes", "no", "no", "no"]),
            "price": float(rng.randrange(12, 40)),
            "wkt": f"MULTIPOLYGON((({x} {y},{x + width} {y},{x + width} {y + SIDE},"
                   f"{x} {y + SIDE},{x} {y})))",
        }


def load(engine, count: int, seed: int) -> float:
    """Insert ``count`` parcels; return the seconds it took."""
    rng = random.Random(seed)
    started = time.perf_counter()
    batch: list[dict] = []
    with engine.begin() as conn:
        for values in rows(count, rng):
            batch.append(values)
            if len(batch) == 5000:
                conn.execute(INSERT, batch)
                batch = []
        if batch:
            conn.execute(INSERT, batch)
        # Fresh statistics, as a loaded production database has them.
        conn.execute(text("ANALYZE" if engine.dialect.name == "sqlite" else "ANALYZE parcels"))
    return time.perf_counter() - started


def needs_for(rng: random.Random, extent: float) -> dict:
    low = rng.choice([10, 15, 20])
    return {"industry": rng.choice(["35", "30", "39", "13"]), "land_class": "industrial2",
            "area_min_mu": low, "area_max_mu": low + 30, "total_investment": 6000,
            "building_coefficient": 40, "power_kva": 500, "gas": "yes",
            "lon": WEST + rng.uniform(0.1, 0.9) * extent,
            "lat": SOUTH + rng.uniform(0.1, 0.9) * extent,
            "max_distance_km": rng.choice([3, 5, 10])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=100_000)
    parser.add_argument("--matches", type=int, default=50)
    parser.add_argument("--url", help="database URL (default: a new SpatiaLite file)")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="match-bench-")
    url = args.url or sqlite_url(Path(folder) / "bench.sqlite")
    engine = make_engine(url)
    migrate(engine)
    with make_sessionmaker(engine)() as session:
        existing = session.scalar(select(func.count()).select_from(Parcel)) or 0
    if existing == 0:
        seconds = load(engine, args.parcels, args.seed)
        print(f"loaded {args.parcels:,} parcels in {seconds:.1f} s into {url}")
    extent = (int(args.parcels ** 0.5) + 1) * CELL
    rng = random.Random(args.seed)
    times, considered, passed, pairs = [], [], [], 0
    with make_sessionmaker(engine)() as session:
        run_match(session, needs_for(rng, extent), "141023")  # warm the caches
        for _ in range(args.matches):
            needs = needs_for(rng, extent)
            started = time.perf_counter()
            result = run_match(session, needs, "141023")
            times.append((time.perf_counter() - started) * 1000)
            considered.append(result.outcome.considered)
            passed.append(result.outcome.passed)
            pairs += sum(1 for c in result.outcome.candidates if c.pair)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"{args.matches} matches over {args.parcels:,} parcels ({engine.dialect.name}): "
          f"median {statistics.median(times):.1f} ms, mean {statistics.mean(times):.1f} ms, "
          f"p95 {p95:.1f} ms, max {times[-1]:.1f} ms (goal ≤ 150 ms)")
    print(f"parcels considered per match: median {statistics.median(considered):.0f}, "
          f"max {max(considered)}; candidates: median {statistics.median(passed):.0f}; "
          f"pairs offered in all: {pairs}")
    engine.dispose()


if __name__ == "__main__":
    main()
