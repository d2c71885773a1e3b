"""Count the failed sign-ins `make serve`'s gunicorn (2 workers) lets through, per counter store.

    .venv/bin/python bench/login_limit.py                        # memory:// and database://
    .venv/bin/python bench/login_limit.py --storage redis://127.0.0.1:6379 --port 5600

Each run makes a fresh SpatiaLite file with one account, starts gunicorn with
gunicorn.conf.py on 127.0.0.1:PORT (then PORT+1, …), waits until both workers have answered,
sends 20 wrong passwords for that account, each on new connections (so either worker may take
it), and prints how many got 401 (let through to the password check) and how many 429. The
documented limit is 10 a minute (docs/security.md). Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's code, not the one .venv was made from

from geo.register import make_engine, make_sessionmaker, migrate, sqlite_url  # noqa: E402
from geo.users import create_user  # noqa: E402

ATTEMPTS = 20


def _client() -> requests.Session:
    s = requests.Session()
    s.trust_env = False
    s.headers["Connection"] = "close"
    return s


def _pids(log: Path, statuses: tuple[str, ...] | None = None) -> set[str]:
    if not log.exists():
        return set()
    return {line.split()[0] for line in log.read_text().splitlines()
            if statuses is None or line.split()[1] in statuses}


def measure(storage: str, port: int, folder: Path) -> str:
    """Return one line: the store, how many of ATTEMPTS failed sign-ins got 401 and 429."""
    url = sqlite_url(folder / f"{port}.sqlite")
    engine = make_engine(url)
    migrate(engine)
    with make_sessionmaker(engine)() as session:
        create_user(session, "target", "a long bench password", "viewer")
    engine.dispose()
    log = folder / f"{port}.log"
    env = {**os.environ, "LANDMATCH_DATABASE_URL": url, "LANDMATCH_WORKERS": "2",
           "LANDMATCH_BIND": f"127.0.0.1:{port}", "LANDMATCH_SECRET_KEY": "bench",
           "LANDMATCH_RATELIMIT_STORAGE_URI": storage, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py",
         "--access-logfile", str(log), "--access-logformat", "%(p)s %(s)s"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        while len(_pids(log)) < 2:
            try:
                _client().get(base + "/login", timeout=60)
            except requests.ConnectionError:
                time.sleep(0.2)
        statuses = []
        for _ in range(ATTEMPTS):
            with _client() as s:
                token = re.search(r'name="csrf-token" content="([^"]+)"',
                                  s.get(base + "/login").text).group(1)
                statuses.append(s.post(base + "/login", allow_redirects=False, data={
                    "name": "target", "password": "wrong password",
                    "csrf_token": token}).status_code)
    finally:
        child.terminate()
        child.wait(timeout=30)
    return (f"{storage:28} {ATTEMPTS} failed sign-ins: {statuses.count(401)} let through "
            f"(401), {statuses.count(429)} refused (429); workers that took them: "
            f"{len(_pids(log, ('401', '429')))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--storage", action="append",
                        help="counter store URI (repeatable); default memory:// and database://")
    parser.add_argument("--port", type=int, default=5517, help="first port to serve on")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="landmatch-login-limit-") as folder:
        for i, storage in enumerate(args.storage or ["memory://", "database://"]):
            print(measure(storage, args.port + i, Path(folder)), flush=True)


if __name__ == "__main__":
    main()
