"""Storage failing under a running app: PostgreSQL restarted, a full disk, a WAL starved of
checkpoints. Each is a clear answer and the register stays whole (issue 15, deliverable 7).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import make_url

import geo.register.outages as outages
from geo.models import AuditRecord, ProgressEntry
from tests.conftest import _fill, _make_app, csrf_token, free_port, login, require

PROJECT = "141023XM001"


def _progress(client, headers, n: int):
    return client.post(f"/api/projects/{PROJECT}/progress", headers=headers, json={
        "date": "2026-01-05", "reporter": "张三", "completed_investment": n,
        "problems": "问" * 2000, "next_steps": "步" * 2000})


# --- a full disk (SQLite) -------------------------------------------------------------------

@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
def test_a_full_disk_answers_507_in_words_and_leaves_the_file_whole(app, db_url):
    # The disk is made full with SQLite's max_page_count: the writer then gets SQLITE_FULL,
    # the very error a full disk gives, on any machine and without mounting a small tmpfs
    # (which CI containers may not allow).
    path = make_url(db_url).database
    engine = app.extensions["landmatch.engine"]
    with sqlite3.connect(path) as probe:
        pages = probe.execute("PRAGMA page_count").fetchone()[0]

    def small_disk(dbapi_conn, _record):
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages + 12}")

    event.listen(engine, "connect", small_disk)
    engine.dispose()
    client = app.test_client()
    login(client, "editor")
    headers = {"X-CSRFToken": csrf_token(client)}
    saved, answer = 0, None
    for n in range(100):
        answer = _progress(client, headers, n)
        if answer.status_code != 201:
            break
        saved += 1
    assert answer.status_code == 507, answer.get_data(as_text=True)[:300]
    error = answer.get_json()["error"]
    assert error["code"] == "disk_full" and "磁盘" in error["message"]
    event.remove(engine, "connect", small_disk)
    engine.dispose()
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with app.extensions["landmatch.sessions"]() as session:
        mine = select(func.count()).select_from(ProgressEntry).where(
            ProgressEntry.reporter == "张三", ProgressEntry.date == "2026-01-05")
        assert session.scalar(mine) == saved  # the refused entry left nothing
        audits = select(func.count()).select_from(AuditRecord).where(
            AuditRecord.entity == "progress", AuditRecord.code == PROJECT)
        assert session.scalar(audits) == saved  # nor its audit record
    assert _progress(client, headers, 999).status_code == 201  # space again: it works


# --- a WAL starved of checkpoints (SQLite) ---------------------------------------------------

@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
def test_the_wal_stays_bounded_while_readers_never_pause(app, db_url, monkeypatch):
    monkeypatch.setattr(outages, "WAL_LIMIT_BYTES", 2**20)
    path = make_url(db_url).database
    stop = threading.Event()

    def reader(delay: float) -> None:
        # Another worker's reads, overlapping so that some reader is always in the WAL.
        conn = sqlite3.connect(path, isolation_level=None)
        time.sleep(delay)
        while not stop.is_set():
            conn.execute("BEGIN")
            conn.execute("SELECT count(*), sum(length(geom)) FROM parcels").fetchall()
            time.sleep(0.02)
            conn.execute("COMMIT")
        conn.close()

    readers = [threading.Thread(target=reader, args=(i * 0.007,)) for i in range(3)]
    for r in readers:
        r.start()
    largest = 0
    try:
        sessions = app.extensions["landmatch.sessions"]
        for i in range(400):
            with sessions() as session:
                session.execute(text("UPDATE parcels SET holder = :h WHERE id = :id"),
                                {"h": f"公司{i}" * 20, "id": i % 300 + 1})
                session.commit()
            largest = max(largest, os.path.getsize(f"{path}-wal"))
    finally:
        stop.set()
        for r in readers:
            r.join()
    # Without the checkpoint on check-in the WAL passes 3.9 MB here, and keeps growing.
    assert largest < 2 * 2**20, largest


# --- PostgreSQL restarted while the app runs -------------------------------------------------

def _pg_bin() -> Path | None:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                      key=lambda p: int(p.parent.parent.name))
    return versions[-1].parent if versions else None


class Cluster:
    """A throwaway PostgreSQL cluster in a temporary directory, on a port of its own."""

    def __init__(self, bin_dir: Path, port: int) -> None:
        self.bin, self.port = bin_dir, port
        self.dir = Path(tempfile.mkdtemp(prefix="landmatch-pg-"))
        self.data = self.dir / "data"
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:  # initdb refuses root; the cluster belongs to postgres
            shutil.chown(self.dir, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "--no-sync", "-E", "UTF8")
        self.start()

    def _run(self, program: str, *args: str) -> None:
        subprocess.run([*self.as_postgres, str(self.bin / program), *args], check=True,
                       capture_output=True, cwd=self.dir)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l",
                  str(self.dir / "log"), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/landmatch"


@pytest.fixture
def cluster():
    bin_dir = _pg_bin()
    # Under CI (.ci/run installs postgresql) this must run; elsewhere it needs the server's
    # programs, which a machine with only a client does not have.
    require(bin_dir is not None, "PostgreSQL's initdb and pg_ctl are not installed")
    made = Cluster(bin_dir, free_port())
    yield made
    made.remove()


def test_a_postgresql_restart_answers_503_then_the_app_recovers_by_itself(cluster, tmp_path):
    admin = create_engine(cluster.url.replace("/landmatch", "/postgres"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE landmatch"))
    admin.dispose()
    owner = create_engine(cluster.url, isolation_level="AUTOCOMMIT")
    with owner.connect() as conn:
        conn.execute(text("CREATE EXTENSION postgis"))
    owner.dispose()
    _fill(cluster.url, demo=True)
    app = next(_make_app(cluster.url, tmp_path))
    try:
        client = app.test_client()
        assert client.get("/api/ledger").status_code == 200  # the pool holds a connection
        cluster.stop()
        for path in ("/api/ledger", "/api/layers/idle", f"/api/projects/{PROJECT}"):
            answer = client.get(path)
            assert answer.status_code == 503, (path, answer.get_data(as_text=True)[:300])
            assert answer.headers["Retry-After"] == "5"
            error = answer.get_json()["error"]
            assert error["code"] == "database_unavailable" and "数据库" in error["message"]
        page = client.get("/dashboard")
        assert page.status_code == 503 and "数据库" in page.get_data(as_text=True)
        cluster.start()
        # The same app, not restarted: pre-ping drops the dead connection, a new one works.
        assert client.get("/api/ledger").status_code == 200
        assert client.get("/dashboard").status_code == 200
        login(client, "editor")
        headers = {"X-CSRFToken": csrf_token(client)}
        assert client.post(f"/api/projects/{PROJECT}/progress", headers=headers, json={
            "date": "2026-01-05", "reporter": "张三"}).status_code == 201
    finally:
        app.extensions["landmatch.engine"].dispose()
