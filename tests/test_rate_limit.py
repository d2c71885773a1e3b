"""The sign-in limit counts once per address and account, however many workers serve the app."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine

from geo.register import make_sessionmaker
from geo.users import create_user
from tests.conftest import PASSWORD, free_port
from webmap import create_app
from webmap.ratelimit import DatabaseStorage

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def gunicorn(db_url, tmp_path):
    """`make serve`'s gunicorn (gunicorn.conf.py) with 2 workers; yield (URL, access log)."""
    engine = create_engine(db_url)
    with make_sessionmaker(engine)() as session:
        create_user(session, "target", PASSWORD, "viewer")
    engine.dispose()
    port, log = free_port(), tmp_path / "access.log"
    env = {**os.environ, "LANDMATCH_DATABASE_URL": db_url, "LANDMATCH_WORKERS": "2",
           "LANDMATCH_BIND": f"127.0.0.1:{port}", "LANDMATCH_SECRET_KEY": "test-secret",
           # the worktree's code, whatever checkout made .venv (docs/traps.md 12)
           "PYTHONPATH": str(ROOT)}
    env.pop("LANDMATCH_RATELIMIT_STORAGE_URI", None)  # the default, as `make serve` has it
    child = subprocess.Popen(
        # Workers are replaced every few requests: on an idle machine one worker may take
        # every connection, so recycling them is what makes several processes share the count.
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py",
         "--max-requests", "4",
         "--access-logfile", str(log), "--access-logformat", "%(p)s %(s)s %(m)s %(U)s"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while len(_workers(log)) < 2:  # until both workers have loaded the app and answered
            assert time.monotonic() < deadline and child.poll() is None, "gunicorn did not start"
            try:
                _get(url + "/login")
            except requests.ConnectionError:
                time.sleep(0.2)
        yield url, log
    finally:
        child.terminate()
        child.wait(timeout=30)


def _workers(log: Path) -> set[str]:
    """Return the process ids of the workers that answered, from the access log."""
    return {line.split()[0] for line in log.read_text().splitlines()} if log.exists() else set()


def _client() -> requests.Session:
    s = requests.Session()
    s.trust_env = False  # no proxy from the environment for a loopback server
    s.headers["Connection"] = "close"  # a new connection each time: any worker may take it
    return s


def _get(url: str) -> None:
    with _client() as s:
        s.get(url, timeout=60)


def _sign_in(url: str, password: str) -> int:
    """One sign-in on new connections; return the status of the POST."""
    with _client() as s:
        token = re.search(r'name="csrf-token" content="([^"]+)"',
                          s.get(url + "/login").text).group(1)
        return s.post(url + "/login", data={"name": "target", "password": password,
                                            "csrf_token": token},
                      allow_redirects=False).status_code


def test_the_eleventh_failed_sign_in_is_refused_across_two_gunicorn_workers(gunicorn):
    url, log = gunicorn
    statuses = [_sign_in(url, "wrong password") for _ in range(15)]
    assert statuses == [401] * 10 + [429] * 5
    assert _sign_in(url, PASSWORD) == 429  # the right password waits for the window too
    posts = [line.split()[0] for line in log.read_text().splitlines()
             if line.split()[1] in ("401", "429")]
    assert len(set(posts)) >= 2, "several worker processes took failed sign-ins"


def test_database_counters_count_up_per_key_and_restart_after_the_window(app):
    storage = DatabaseStorage("database://", engine=app.extensions["landmatch.engine"])
    assert [storage.incr("a", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("a") == 3 and storage.get("b") == 0
    assert time.time() < storage.get_expiry("a") <= time.time() + 60
    assert storage.incr("short", 1) == 1
    time.sleep(1.1)
    assert storage.get("short") == 0 and storage.incr("short", 1) == 1
    storage.clear("a")
    assert storage.get("a") == 0 and storage.check()
    assert storage.reset() >= 1 and storage.get("short") == 0


def test_behind_a_trusted_proxy_each_client_address_is_counted_on_its_own(app):
    # PROXY_COUNT is read when the app is made: make one over the same database
    proxied = create_app({"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"],
                          "SECRET_KEY": "test-secret", "PROXY_COUNT": 1})
    client = proxied.test_client()

    def fail(address: str, name: str) -> int:
        html = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
        return client.post("/login", data={"name": name, "password": "wrong password",
                                           "csrf_token": token},
                           headers={"X-Forwarded-For": address}).status_code

    assert [fail("10.0.0.1", f"name{i}") for i in range(11)] == [401] * 10 + [429]
    assert fail("10.0.0.2", "name-b") == 401  # another client behind the same proxy
    proxied.extensions["landmatch.engine"].dispose()
