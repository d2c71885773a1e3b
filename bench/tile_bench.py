"""Time geo/tiles.py directly: vector tiles of N parcels per zoom, on SpatiaLite and PostGIS.

    .venv/bin/python bench/tile_bench.py                  # SpatiaLite (bench/data), 100,000
    .venv/bin/python bench/tile_bench.py --url postgresql+psycopg://postgres@127.0.0.1/bench

The parcels are those of bench/map_bench.py (made and imported the same way). At each zoom
the tiles of a 1400 × 900 view over the densest cluster are rendered once to warm the caches,
then timed one by one in this process (no HTTP). Figures go to bench/results/tiles-<backend>.md.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.map_bench import densest, machine, prepare  # noqa: E402
from geo.features import LAYERS  # noqa: E402
from geo.register import make_engine, make_sessionmaker  # noqa: E402
from geo.tiles import render_tile  # noqa: E402

ZOOMS = (7, 8, 9, 11, 14, 16)
VIEW = (1400, 900)  # pixels


def view_tiles(lon: float, lat: float, z: int) -> list[tuple[int, int, int]]:
    """Return the tiles a VIEW-sized map centred on lon/lat shows at zoom ``z``."""
    n = 2 ** z
    cx = (lon + 180) / 360 * n * 256
    cy = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n * 256
    xs = range(int((cx - VIEW[0] / 2) // 256), int((cx + VIEW[0] / 2) // 256) + 1)
    ys = range(int((cy - VIEW[1] / 2) // 256), int((cy + VIEW[1] / 2) // 256) + 1)
    return [(z, x, y) for x in xs for y in ys]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=100_000)
    parser.add_argument("--url", help="PostGIS URL (default: a SpatiaLite file in bench/data)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    url = prepare(args.url, args.parcels)
    lon, lat = densest(url)
    backend = "PostGIS" if url.startswith("postgresql") else "SpatiaLite"
    engine = make_engine(url)
    lines = [f"# Vector tiles of {args.parcels:,} parcels ({backend}), geo/tiles.py in process",
             "", f"`{' '.join(['.venv/bin/python bench/tile_bench.py', *sys.argv[1:]])}` — "
             f"{time.strftime('%Y-%m-%d %H:%M')}", "",
             f"Machine: {machine(url, 'not used')}.".replace("; Chromium not used (headless, "
                                                              "software rendering)", ""), "",
             f"The tiles of a 1400 × 900 view centred on the densest cluster ({lon:.3f}, "
             f"{lat:.3f}), layer stock; each rendered once to warm up, then timed.", "",
             "| zoom | tiles (with features) | median | max | empty tile | bytes median "
             "| bytes max | whole view |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    with make_sessionmaker(engine)() as session:
        for z in ZOOMS:
            tiles = view_tiles(lon, lat, z)
            for tile in tiles:
                render_tile(session, LAYERS["stock"], *tile)
            times, sizes = [], []
            for tile in tiles:
                started = time.perf_counter()
                sizes.append(len(render_tile(session, LAYERS["stock"], *tile)))
                times.append((time.perf_counter() - started) * 1000)
            full = sorted(t for t, size in zip(times, sizes, strict=True) if size)
            empty = [t for t, size in zip(times, sizes, strict=True) if not size]
            nbytes = sorted(size for size in sizes if size) or [0]
            row = (f"| {z} | {len(tiles)} ({len(full)}) | "
                   f"{statistics.median(full or [0]):.0f} ms | {max(full or [0]):.0f} ms | "
                   f"{f'{statistics.median(empty):.1f} ms' if empty else '–'} | "
                   f"{statistics.median(nbytes) / 1024:.1f} KB | {nbytes[-1] / 1024:.1f} KB | "
                   f"{sum(times):.0f} ms, {sum(sizes) / 1024:.0f} KB |")
            lines.append(row)
            print(row)
    engine.dispose()
    lines += ["", "*median*, *max* and *bytes*: of the tiles that hold features; an empty tile "
              "is answered 204. *whole view*: every tile of the view one after another, in "
              "one process."]
    out = args.out or ROOT / "bench" / "results" / f"tiles-{backend.lower()}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
