"""Benchmark LandMatch against pygeoapi on the same generated parcels, over loopback (issue 7).

    .venv/bin/python bench/run.py                        # 100,000 parcels, SpatiaLite only
    .venv/bin/python bench/run.py --postgres-url \\
        postgresql+psycopg://postgres:postgres@127.0.0.1:5432/bench_landmatch
    make bench                                           # set-up, then this

Generates the parcels if missing, imports them with `landmatch import` (timed, peak memory),
copies them into PostGIS for pygeoapi, starts every server under gunicorn with the same
workers, drives each with the same bbox queries, measures the floor (raw SQL + GeoJSON),
matches, an export and the servers' memory, and writes bench/results/<date>-<host>.md/.json.
Needs bench/setup_pygeoapi.sh to have run. Every server it starts is stopped on exit.
"""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

import bboxes  # noqa: E402  (after the path fix)
import floor  # noqa: E402
import generate  # noqa: E402
import http_load  # noqa: E402
import landmatch_ops  # noqa: E402
import loading  # noqa: E402
import machine  # noqa: E402
import pygeoapi_config  # noqa: E402
import pyogrio  # noqa: E402
import report  # noqa: E402
import servers  # noqa: E402
from sqlalchemy import make_url  # noqa: E402

from geo.register import make_engine, sqlite_url  # noqa: E402

SIZES = (10, 300, 3000)
LIMIT = 5000
PYGEOAPI_BIN = BENCH / ".venv-pygeoapi" / "bin"
BIN = Path(sys.executable).parent


def commit() -> str:
    """Return the last commit of the code measured, marked "+changes" if it is modified."""
    def git(*words: str) -> str:
        return subprocess.run(["git", *words], cwd=REPO, capture_output=True, text=True,
                              check=True).stdout.strip()
    code = ("geo", "webmap", "gunicorn.conf.py")
    changed = git("status", "--porcelain", "--untracked-files=no", "--", *code)
    return git("log", "-1", "--format=%h %s", "--", *code) + (
        " (+changes)" if changed else "")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=100_000)
    parser.add_argument("--postgres-url", help="database for LandMatch on PostGIS, e.g. "
                        "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/bench_landmatch; "
                        "it is dropped and recreated, and pygeoapi's copy goes to database "
                        "bench_pygeoapi on the same server")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--threads", type=int, default=4, help="client threads")
    parser.add_argument("--requests", type=int, default=1500, help="at most, per cell")
    parser.add_argument("--seconds", type=float, default=30, help="at most, per cell")
    parser.add_argument("--rounds", type=int, default=3,
                        help="bursts per cell, taken in turn with the other servers'")
    parser.add_argument("--bboxes", type=int, default=20, help="bboxes per size")
    parser.add_argument("--matches", type=int, default=30)
    parser.add_argument("--skip-load", action="store_true",
                        help="reuse the databases a previous run loaded")
    parser.add_argument("--note", default="", help="what else the machine was doing")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.postgres_url and "bench" not in (make_url(args.postgres_url).database or ""):
        parser.error("the PostgreSQL database is dropped and recreated, so its name must "
                     "contain 'bench'")
    return args


def load(args, gpkg: Path, lite_url: str, pygeoapi_url: str | None, logs: Path) -> dict:
    """Load the parcels everywhere; return the imports' {backend: {seconds, peak_mb}}."""
    imports: dict[str, dict | None] = {"spatialite": None}
    if args.postgres_url:
        imports["postgis"] = None
    if args.skip_load:
        return imports
    for backend, url in (("spatialite", lite_url), ("postgis", args.postgres_url)):
        if url:
            print(f"importing {args.parcels:,} parcels into LandMatch on {backend} …", flush=True)
            seconds, peak = loading.import_into_landmatch(gpkg, url, REPO, BIN,
                                                           logs / "import.log")
            imports[backend] = {"seconds": round(seconds, 1), "peak_mb": round(peak)}
            print(f"  {seconds:.1f} s, peak {peak:.0f} MB", flush=True)
    if pygeoapi_url:
        print("copying the parcels into PostGIS for pygeoapi …", flush=True)
        print(f"  {loading.load_for_pygeoapi(gpkg, pygeoapi_url):.1f} s", flush=True)
    return imports


def query_paths(targets: dict[int, list], prefix: str) -> dict[int, list[tuple[str, int]]]:
    """Return {size: [(path, expected count), …]} for one server's items URL."""
    return {size: [(f"{prefix}?bbox={','.join(str(v) for v in box)}&limit={LIMIT}&f=json", n)
                   for box, n in boxes] for size, boxes in targets.items()}


def drive(targets: dict[int, list], prefixes: dict[str, tuple[servers.Server, str]],
          args) -> dict:
    """Run every (size, server) cell; return {server: {size: figures}}.

    Each cell's budget is spent in ``args.rounds`` bursts taken in turn with the other
    servers', so that a change in the machine's other load falls on every server alike.
    """
    results: dict[str, dict] = {name: {} for name in prefixes}
    for size in targets:
        paths = {name: query_paths(targets, prefix)[size]
                 for name, (_, prefix) in prefixes.items()}
        alone = {}
        for name, (server, _) in prefixes.items():
            problems = http_load.validate(server.port, paths[name])
            if problems:
                raise RuntimeError(f"{name} answered wrongly: {problems[:3]}")
            alone[name] = http_load.one_client(server.port, paths[name])
            # every worker, not only the one the single client met, gets its first requests
            http_load.burst(server.port, paths[name], args.threads, 2 * args.threads, 60)
        samples: dict[str, list] = {name: [] for name in prefixes}
        for _ in range(args.rounds):
            for name, (server, _) in prefixes.items():
                samples[name].append(http_load.burst(
                    server.port, paths[name], args.threads, args.requests // args.rounds,
                    args.seconds / args.rounds))
        for name in prefixes:
            cell = http_load.summarise(samples[name])
            results[name][str(size)] = {**vars(cell), "p50_1client_ms": alone[name]}
            print(f"  {name:22} {size:>5} features: {cell.rps:7.1f} req/s, p50 "
                  f"{cell.p50_ms} ms, p95 {cell.p95_ms} ms, {cell.requests} right answers, "
                  f"{cell.errors} wrong; one client: p50 {alone[name]} ms", flush=True)
    return results


def plan_servers(args, gpkg: Path, lite_url: str, pygeoapi_url: str | None, data: Path,
                 logs: Path) -> tuple[list[servers.Server], dict]:
    """Return the servers to start and {name: (server, items path)} for each one measured."""
    items = "/ogc/collections/stock/items"
    run = [servers.landmatch(report.LM_SL, REPO, BIN, loading.landmatch_env(lite_url, REPO),
                             args.workers, logs)]
    prefixes = {report.LM_SL: (run[0], items)}
    if args.postgres_url:
        run.append(servers.landmatch(report.LM_PG, REPO, BIN,
                                     loading.landmatch_env(args.postgres_url, REPO),
                                     args.workers, logs))
        prefixes[report.LM_PG] = (run[-1], items)
    port = servers.free_port()
    extent = [round(v, 4) for v in pyogrio.read_info(gpkg)["total_bounds"]]
    env = pygeoapi_config.write(data / "pygeoapi", PYGEOAPI_BIN, port, gpkg, pygeoapi_url,
                                extent)
    run.append(servers.pygeoapi(PYGEOAPI_BIN, env, port, args.workers, data, logs))
    prefixes[report.PY_GPKG] = (run[-1], f"/collections/{pygeoapi_config.GPKG_COLLECTION}/items")
    if pygeoapi_url:
        prefixes[report.PY_PG] = (run[-1],
                                  f"/collections/{pygeoapi_config.POSTGRES_COLLECTION}/items")
    return run, prefixes


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    began, load_start = time.monotonic(), machine.load_average()
    data, logs = BENCH / "data", BENCH / "data" / "logs"
    gpkg = data / f"parcels-{args.parcels}.gpkg"
    logs.mkdir(parents=True, exist_ok=True)
    if not gpkg.exists():
        generate.write(gpkg, args.parcels)
    lite_url = sqlite_url(data / f"landmatch-{args.parcels}.sqlite")
    pygeoapi_url = (make_url(args.postgres_url).set(database="bench_pygeoapi")
                    .render_as_string(hide_password=False) if args.postgres_url else None)
    imports = load(args, gpkg, lite_url, pygeoapi_url, logs)
    engines = {"spatialite": make_engine(lite_url)}
    if args.postgres_url:
        engines["postgis"] = make_engine(args.postgres_url)

    print("choosing bboxes and measuring the floor …", flush=True)
    sizes = sorted({min(s, args.parcels) for s in SIZES})
    targets = bboxes.choose(engines["spatialite"], sizes, args.bboxes, args.seed)
    floors = {b: {str(s): floor.measure(e, targets[s]) for s in sizes}
              for b, e in engines.items()}
    in_process = {b: {str(s): floor.measure_in_process(e, targets[s]) for s in sizes}
                  for b, e in engines.items()}

    run, prefixes = plan_servers(args, gpkg, lite_url, pygeoapi_url, data, logs)
    try:
        for server in run:
            server.start()
        for server in run:
            server.wait_ready()
        print("bbox queries …", flush=True)
        queries = drive(targets, prefixes, args)
        print("matches and exports …", flush=True)
        points = bboxes.centres(engines["spatialite"], args.matches, args.seed + 1)
        lm = [s for s in run if s.name.startswith("LandMatch")]
        matched = {s.name: landmatch_ops.matches(s.port, points, args.seed) for s in lm}
        exported = {s.name: landmatch_ops.export(s.port, args.parcels) for s in lm}
        pages = {s.name: landmatch_ops.map_pages(s.port) for s in lm}
        memory = {s.name: dict(zip(("rss_mb", "pss_mb"), (round(v) for v in s.memory_mb()),
                                   strict=True)) for s in run}
    finally:
        for server in run:
            server.stop()

    results = {
        "date": dt.datetime.now().isoformat(timespec="minutes"), "commit": commit(),
        "machine": machine.describe(list(engines.values()), PYGEOAPI_BIN / "python"),
        "load_start": load_start, "load_end": machine.load_average(),
        "note": args.note or "nothing else known",
        "settings": {"parcels": args.parcels, "workers": args.workers, "threads": args.threads,
                     "requests": args.requests, "seconds": args.seconds,
                     "rounds": args.rounds,
                     "bboxes": args.bboxes, "limit": LIMIT},
        "bbox_counts": {str(s): round(statistics.mean(n for _, n in targets[s]))
                        for s in sizes},
        "bboxes": {str(s): targets[s] for s in sizes},
        "queries": queries, "floor": floors, "in_process": in_process, "match": matched,
        "export": exported,
        "map_page_s": pages, "import": imports, "memory": memory,
        "minutes": round((time.monotonic() - began) / 60, 1),
    }
    stem = dt.date.today().isoformat() + "-" + socket.gethostname()
    if args.parcels != 100_000:
        stem += f"-{args.parcels}"
    as_json, as_md = report.write(results, BENCH / "results", stem)
    print(as_md.read_text())
    print(f"written {as_md} and {as_json} in {results['minutes']} min")


if __name__ == "__main__":
    main()
