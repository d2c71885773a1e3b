"""Time the map page in a real browser over N parcels: from a pan until every layer is drawn.

    .venv/bin/python bench/map_bench.py                   # 100,000 parcels, SpatiaLite
    .venv/bin/python bench/map_bench.py --url postgresql+psycopg://postgres@127.0.0.1/bench
    .venv/bin/python bench/map_bench.py --threshold 0     # tiles at every zoom

The parcels come from bench/generate.py (made when missing), imported with `landmatch import
--layer stock --no-county-check` into a SpatiaLite file under bench/data/ (kept for the next
run) or into the PostGIS database named by --url (when it holds no parcel yet). The app runs
under gunicorn (gunicorn.conf.py, 2 workers); Debian's chromium opens the map page through
Playwright, goes to the densest cluster at five zooms (province … street) and at each pans
half a screen a few times, never back over a view, with the browser's cache disabled (a
first visit; --browser-cache keeps it). A pan counts as drawn when the page's layers say so
(data-pending "0", the "lm:drawn" event of static/js/landmatch.js): every request for the
view answered and its features painted. The target (issue 7) is 2 s at every zoom. Figures
go to bench/results/map-<backend>.md (or --out) with the machine's description. Not a test:
it prints figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402  (after the path fix)
import shapely  # noqa: E402,F401  (before SpatiaLite: docs/stack.md trap 2)
from sqlalchemy import func, select  # noqa: E402

from geo.models import Parcel  # noqa: E402
from geo.register import make_engine, make_sessionmaker, sqlite_url  # noqa: E402

ZOOMS = [("province", 7), ("city", 9), ("county", 11), ("town", 13), ("street", 16)]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TARGET_MS = 2000
# Half a screen at a time, zig-zagging down from the cluster: never back over a view.
PANS = [(700, 0), (0, 450), (-700, 0), (0, 450)]


def run(*args: str, env: dict | None = None) -> None:
    subprocess.run(args, check=True, cwd=ROOT, env={**os.environ, **(env or {})})


def prepare(url: str | None, parcels: int) -> str:
    """Return the URL of a database holding the generated parcels, loading them if needed."""
    gpkg = ROOT / "bench" / "data" / ("parcels.gpkg" if parcels == 100_000
                                      else f"parcels-{parcels}.gpkg")
    if not gpkg.exists():
        run(str(BIN / "python"), "bench/generate.py", "-n", str(parcels), "-o", str(gpkg))
    url = url or sqlite_url(ROOT / "bench" / "data" / f"map-{parcels}.sqlite")
    env = {"LANDMATCH_DATABASE_URL": url}
    run(str(BIN / "landmatch"), "init-db", env=env)
    if count(url) == 0:
        started = time.perf_counter()
        run(str(BIN / "landmatch"), "import", str(gpkg), "--layer", "stock",
            "--no-county-check", env=env)
        print(f"imported {parcels:,} parcels in {time.perf_counter() - started:.0f} s")
    return url


def count(url: str) -> int:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        n = session.scalar(select(func.count()).select_from(Parcel)
                           .where(Parcel.deleted_at.is_(None))) or 0
    engine.dispose()
    return n


def densest(url: str) -> tuple[float, float]:
    """Return the lon/lat of the 0.05° cell holding the most parcels: the busiest view."""
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        points = session.execute(select(func.ST_X(func.ST_Centroid(Parcel.geom)),
                                        func.ST_Y(func.ST_Centroid(Parcel.geom)))).all()
    engine.dispose()
    xy = np.array(points)
    cells = np.floor(xy / 0.05).astype(int)
    keys, counts = np.unique(cells, axis=0, return_counts=True)
    best = keys[counts.argmax()]
    return float((best[0] + 0.5) * 0.05), float((best[1] + 0.5) * 0.05)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(url: str, port: int, workers: int, threshold: int | None) -> subprocess.Popen:
    """Start gunicorn on ``port`` and return once it answers."""
    env = {**os.environ, "LANDMATCH_BIND": f"127.0.0.1:{port}", "LANDMATCH_DATABASE_URL": url,
           "LANDMATCH_WORKERS": str(workers), "LANDMATCH_DEMO_NOTICE": "false"}
    if threshold is not None:
        env["LANDMATCH_MAP_TILE_THRESHOLD"] = str(threshold)
    server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"], cwd=ROOT,
                              env=env, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not answer")


GO = """async ([mapId, how]) => {
    const map = window[mapId];
    const started = performance.now();
    const drawn = new Promise(ok => map.once('lm:drawn', ok));
    if (how.pan) map.panBy(how.pan, {animate: false});
    else map.setView(how.centre, how.zoom, {animate: false});
    await drawn;
    const box = map.getContainer();
    return {ms: performance.now() - started,
            modes: ['sites', 'idle', 'stock'].map(l => box.getAttribute('data-mode-' + l)),
            features: Number(box.getAttribute('data-loaded-stock'))};
}"""


def measure(server: str, centre: tuple[float, float], pans: int, cache: bool) -> list[dict]:
    """Return, per zoom, the times of going there and of each pan, with what was drawn."""
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        if not cache:  # every view from the server, as on a first visit
            context.new_cdp_session(page).send("Network.setCacheDisabled",
                                               {"cacheDisabled": True})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{server}/")
        page.wait_for_function(
            "() => document.querySelector('.folium-map').getAttribute('data-pending') === '0'",
            timeout=60000)
        map_id = page.evaluate("document.querySelector('.folium-map').id")
        lon, lat = centre
        for name, zoom in ZOOMS:
            arrive = page.evaluate(GO, [map_id, {"centre": [lat, lon], "zoom": zoom}])
            times, counts, views = [], [], [arrive]
            for i in range(pans):
                requests.clear()
                views.append(page.evaluate(GO, [map_id, {"pan": PANS[i % len(PANS)]}]))
                times.append(views[-1]["ms"])
                counts.append(sum("/tiles/" in u or "/api/layers/" in u for u in requests))
            modes = "/".join(sorted({v["modes"][2] for v in views}))
            features = max(v["features"] for v in views)
            rows.append({"name": name, "zoom": zoom, "arrive": arrive["ms"], "times": times,
                         "mode": modes, "features": features,
                         "requests": statistics.median(counts)})
            print(f"{name:8} z{zoom:<2} {modes:7} up to {features:6} features drawn, "
                  f"{statistics.median(counts):3.0f} requests a pan: median "
                  f"{statistics.median(times):5.0f} ms, max {max(times):5.0f} ms "
                  f"(arriving {arrive['ms']:.0f} ms)")
        version = browser.version
        browser.close()
    rows.append({"browser": version})
    return rows


def machine(url: str, browser: str) -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    engine = make_engine(url)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            database = "SpatiaLite " + conn.exec_driver_sql("SELECT spatialite_version()").scalar()
        else:
            database = conn.exec_driver_sql("SELECT postgis_full_version()").scalar().split()[1]
            database = "PostGIS " + database.strip('"')
    engine.dispose()
    os_name = platform.freedesktop_os_release().get("PRETTY_NAME", platform.platform())
    return (f"{cpu}, {os.cpu_count()} cores, {int(memory) // 1024 ** 2} GB RAM (load average "
            f"{os.getloadavg()[1]:.1f} over the last 5 minutes, other jobs included); {os_name}; "
            f"Python {platform.python_version()}; {database}; Chromium {browser} (headless, "
            f"software rendering)")


def report(rows: list[dict], args, url: str, backend: str) -> str:
    browser = rows[-1]["browser"]
    lines = [
        f"# Map page at {args.parcels:,} parcels ({backend})", "",
        f"`{' '.join(['.venv/bin/python bench/map_bench.py', *sys.argv[1:]])}` — "
        f"{time.strftime('%Y-%m-%d %H:%M')}", "",
        f"Machine: {machine(url, browser)}. gunicorn -c gunicorn.conf.py, {args.workers} "
        f"workers; viewport 1400 × 900; map tile threshold "
        f"{'default' if args.threshold is None else args.threshold}; {args.pans} pans of half "
        "a screen at each zoom, zig-zagging from the densest cluster; a fresh browser profile, "
        f"its cache {'on' if args.browser_cache else 'disabled'}.", "",
        "| view | zoom | stock drawn from | features drawn (max) | requests a pan | median | max "
        "| arriving | ≤ 2 s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows[:-1]:
        lines.append(
            f"| {r['name']} | {r['zoom']} | {r['mode']} | {r['features']:,} | "
            f"{r['requests']:.0f} | {statistics.median(r['times']):.0f} ms | "
            f"{max(r['times']):.0f} ms | {r['arrive']:.0f} ms | "
            f"{'yes' if max(r['times']) <= TARGET_MS else 'no'} |")
    lines += ["", "Times run from the pan (or the zoom, for *arriving*) until every layer's "
              "requests for the new view have answered and their features are painted "
              "(static/js/landmatch.js: data-pending, lm:drawn). *Features drawn*: the most "
              "stock features of one view, in its tiles or GeoJSON (tiles count each feature "
              "of each tile, the two-pixel squares of small parcels included)."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=100_000)
    parser.add_argument("--url", help="PostGIS URL (default: a SpatiaLite file in bench/data)")
    parser.add_argument("--threshold", type=int, help="MAP_TILE_THRESHOLD (default: config's)")
    parser.add_argument("--pans", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--browser-cache", action="store_true",
                        help="let the browser keep tiles (max-age); default: cache disabled")
    parser.add_argument("--out", type=Path, help="Markdown file (default bench/results/map.md)")
    args = parser.parse_args()
    url = prepare(args.url, args.parcels)
    centre = densest(url)
    port = free_port()
    server = serve(url, port, args.workers, args.threshold)
    try:
        rows = measure(f"http://127.0.0.1:{port}", centre, args.pans, args.browser_cache)
    finally:
        server.terminate()
        server.wait(timeout=30)
    backend = "PostGIS" if url.startswith("postgresql") else "SpatiaLite"
    out = args.out or ROOT / "bench" / "results" / f"map-{backend.lower()}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report(rows, args, url, backend), encoding="utf-8")
    print(f"written to {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")


if __name__ == "__main__":
    main()
