"""Time the same reads before and after N progress entries and parcel edits, in one process.

The soak (bench/soak.py) sees growth through a shared machine's noise; this measures it
directly: a demo register, each read timed (fastest of ``--repeat``) through the app's test
client, on a copy of the register taken before ``--progress`` progress entries and
``--edits`` parcel edits were written through geo/ (as the web forms write them) and on the
register after them, in turn, so that the machine's other load falls on both alike. No WAL
starvation here (one connection, checkpoints run), so what grows is the reads' own work.

    .venv/bin/python bench/growth.py                      # SpatiaLite, in a temp dir
    .venv/bin/python bench/growth.py --url postgresql+psycopg://postgres:postgres@127.0.0.1/bench_growth
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's code, not the editable install's (traps 12)

READS = ("/api/ledger", "/dashboard", "/projects", "/api/dashboard", "/idle",
         "/api/projects/{project}", "/api/parcels/{parcel}/history",
         "/api/layers/idle?bbox=111.2,35.7,111.7,36.1")


def _timed(client, path: str, repeat: int) -> tuple[float, float]:
    """Return the fastest of ``repeat`` requests, in ms of wall time and of this process's CPU
    time: on a shared machine the other jobs only ever add time, so the minimum is the least
    noisy estimate of the read's own work; the CPU time (SQLite runs in this process, a
    PostgreSQL server does not) is not stretched by waiting for a core."""
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code} {response.data[:300]!r}")
    return min(wall), min(cpu)


def _fresh_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    if "bench" not in (target.database or ""):
        raise SystemExit("the PostgreSQL database's name must contain 'bench' (it is dropped)")
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    with create_engine(target, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))


def _write(sessions, progress: int, edits: int, rng: random.Random) -> None:
    from sqlalchemy import select

    from geo.editing import update_parcel
    from geo.ledger import add_progress
    from geo.models import Parcel, Project

    with sessions() as session:
        projects = list(session.scalars(select(Project.code)))
        parcels = list(session.scalars(select(Parcel.code).where(Parcel.deleted_at.is_(None))))
    today = dt.date.today()
    for i in range(max(progress, edits)):
        with sessions() as session:
            if i < progress:
                add_progress(session, rng.choice(projects), {
                    "date": (today - dt.timedelta(days=rng.randrange(0, 400))).isoformat(),
                    "completed_investment": rng.randrange(100, 50000),
                    "percent_done": rng.randrange(0, 100), "problems": "土地手续",
                    "next_steps": "加快建设", "reporter": "bench"}, today=today)
            if i < edits:
                code = rng.choice(parcels)
                parcel = session.scalar(select(Parcel).where(Parcel.code == code))
                update_parcel(session, code, {"holder": f"公司{i}"}, parcel.version, "bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="PostGIS URL (database dropped and recreated)")
    parser.add_argument("--progress", type=int, default=3500)
    parser.add_argument("--edits", type=int, default=7500)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()

    from geo.county import load_county
    from geo.demo import load_demo
    try:
        from geo.register import make_engine, make_sessionmaker, migrate, sqlite_url
    except ImportError:  # a checkout from before geo/register (to compare with main)
        from geo.db import make_engine, make_sessionmaker, migrate, sqlite_url
    from webmap import create_app

    tmp = tempfile.mkdtemp(prefix="landmatch-growth-")
    if args.url:
        _fresh_postgres(args.url)
        url = args.url
    else:
        url = sqlite_url(os.path.join(tmp, "growth.sqlite"))
    engine = make_engine(url)
    migrate(engine)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        load_demo(session, load_county())
        from sqlalchemy import select

        from geo.models import Parcel, Project
        project = session.scalar(select(Project.code).order_by(Project.code))
        parcel = session.scalar(select(Parcel.code).order_by(Parcel.code))
    engine.dispose()
    # A copy of the register as it is now (the "before"), read alongside the grown one:
    # each read is timed on both in turn, so the machine's other load falls on both alike.
    base = _copy(url, tmp)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    started = time.perf_counter()
    _write(sessions, args.progress, args.edits, random.Random(15))
    write_s = time.perf_counter() - started
    apps = [create_app({"DATABASE_URL": u, "SECRET_KEY": "bench", "TESTING": True})
            for u in (base, url)]
    clients = [a.test_client() for a in apps]
    paths = [p.format(project=project, parcel=parcel) for p in READS]
    for path in paths:
        for client in clients:
            _timed(client, path, 1)  # warm the caches
    before, after = {}, {}
    for path in paths:
        rounds = [(_timed(clients[0], path, 1), _timed(clients[1], path, 1))
                  for _ in range(args.repeat)]
        before[path] = tuple(min(r[0][i] for r in rounds) for i in (0, 1))
        after[path] = tuple(min(r[1][i] for r in rounds) for i in (0, 1))
    backend = "postgis" if args.url else "spatialite"
    print(f"{backend}: {args.progress} progress entries and {args.edits} parcel edits "
          f"written in {write_s:.0f} s; fastest of {args.repeat} requests, ms, "
          f"the register before (a copy) and after read in turn")
    print(f"{'read':46} {'before':>7} {'after':>7} {'ratio':>5}   "
          f"{'cpu before':>10} {'after':>7} {'ratio':>5}")
    for p in paths:
        (b, bc), (a, ac) = before[p], after[p]
        print(f"{p:46} {b:7.1f} {a:7.1f} {a / b:5.2f}   {bc:10.1f} {ac:7.1f} {ac / bc:5.2f}")
    if args.out:
        args.out.write_text(json.dumps({
            "backend": backend, "progress": args.progress, "edits": args.edits,
            "repeat": args.repeat, "before_ms": {p: v[0] for p, v in before.items()},
            "after_ms": {p: v[0] for p, v in after.items()},
            "before_cpu_ms": {p: v[1] for p, v in before.items()},
            "after_cpu_ms": {p: v[1] for p, v in after.items()}}, indent=1))
    engine.dispose()
    for a in apps:
        a.extensions["landmatch.engine"].dispose()


def _copy(url: str, tmp: str) -> str:
    """Return the URL of a copy of the database at ``url`` (a file, or a PostgreSQL
    database made from it as a template)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    if target.get_backend_name() == "sqlite":
        copy = os.path.join(tmp, "before.sqlite")
        with sqlite3.connect(target.database) as source, sqlite3.connect(copy) as dest:
            source.backup(dest)
        return f"sqlite:///{copy}"
    name = f"{target.database}_before"
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{target.database}"'))
    admin.dispose()
    return target.set(database=name).render_as_string(hide_password=False)


if __name__ == "__main__":
    main()
