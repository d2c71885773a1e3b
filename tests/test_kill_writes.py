"""A server worker killed (kill -9) in the middle of a write leaves nothing half-written.

The app runs in a child process (tests/kill_child.py) that stops dead at a chosen point of
one write: just after its first INSERT/UPDATE/DELETE, or with every statement sent and the
COMMIT not yet. The test then kills it with SIGKILL, finds the register exactly as before
(records, versions, audit log, spatial index, integrity) and makes the same write again
through a new app. A backup killed half-way leaves no file under the name it was asked for.
As tests/test_import_kill.py does for imports (issue 15, deliverable 7).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests
from shapely.geometry import box, mapping
from sqlalchemy import func, select, text

from geo.editing import create_parcel
from geo.geometry import from_db
from geo.models import (
    AuditRecord,
    Building,
    Parcel,
    ParcelVersion,
    ProgressEntry,
    Project,
    Transition,
)
from geo.register import make_engine, make_sessionmaker
from geo.users import create_user
from tests.conftest import PASSWORD, _make_app, csrf_token, free_port, login

ROOT = Path(__file__).resolve().parents[1]
CHILD = ROOT / "tests" / "kill_child.py"
PARCEL, PROJECT = "141023CL0001", "141023XM001"
WEST = box(111.300, 36.000, 111.301, 36.001)  # far from the demo's parcels (tests/test_editing)
EAST = box(111.301, 36.000, 111.302, 36.001)


def _state(url: str) -> dict:
    """Everything a half-written change could touch, as comparable values."""
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(Parcel.code, Parcel.version, Parcel.area_m2, Parcel.holder,
                                   Parcel.deleted_at, func.ST_AsText(Parcel.geom))
                            .order_by(Parcel.code)).all()
        state = {
            "parcels": hashlib.sha1(repr(rows).encode()).hexdigest(), "count": len(rows),
            **{model.__tablename__: conn.scalar(select(func.count()).select_from(model))
               for model in (AuditRecord, ProgressEntry, ParcelVersion, Transition, Building)},
            "project_versions": conn.scalar(select(func.sum(Project.version))),
        }
        if url.startswith("sqlite"):
            state["integrity"] = conn.execute(text("PRAGMA integrity_check")).scalar()
            # The R-tree holds one box per parcel, each the box of the parcel's shape (in
            # 32-bit floats, rounded outwards: a few metres).
            state["rtree"] = conn.execute(text(
                "SELECT count(*) FROM idx_parcels_geom r JOIN parcels p ON p.id = r.pkid "
                "WHERE abs(r.xmin - MbrMinX(p.geom)) < 5e-5 AND abs(r.ymax - MbrMaxY(p.geom))"
                " < 5e-5")).scalar()
            state["rtree_rows"] = conn.execute(text(
                "SELECT count(*) FROM idx_parcels_geom")).scalar()
        else:
            state["open_transactions"] = conn.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state LIKE 'idle in transaction%'"))
    engine.dispose()
    return state


def _child(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}  # traps 12
    return subprocess.Popen([sys.executable, str(CHILD), *args], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_for(child: subprocess.Popen, word: str) -> list[str]:
    seen = []
    for line in child.stdout:
        seen.append(line)
        if line.startswith(word):
            return seen
    raise AssertionError(f"the child ended before '{word}':\n{''.join(seen)[-3000:]}")


def _kill(child: subprocess.Popen) -> None:
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    child.stdout.close()
    assert child.returncode == -signal.SIGKILL


def _line_across(url: str) -> dict:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        minx, miny, maxx, maxy = from_db(session.scalar(
            select(Parcel.geom).where(Parcel.code == PARCEL))).bounds
    engine.dispose()
    x = (minx + maxx) / 2
    return {"type": "LineString", "coordinates": [[x, miny - 0.001], [x, maxy + 0.001]]}


def _moved(url: str) -> dict:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        shape = from_db(session.scalar(select(Parcel.geom).where(Parcel.code == PARCEL)))
    engine.dispose()
    from shapely.affinity import translate
    return mapping(translate(shape, 0.001, 0.0005))


def _writes(url: str) -> dict:
    """Each write as (path, how to send it with a signed-in requests.Session)."""
    line, moved = _line_across(url), _moved(url)

    def save(http, base, token):
        return http.patch(f"{base}/api/parcels/{PARCEL}", headers={"X-CSRFToken": token},
                          json={"version": _version(url, PARCEL),
                                "values": {"holder": "新权利人"}, "geometry": moved},
                          timeout=60)

    def progress(http, base, token):
        return http.post(f"{base}/api/projects/{PROJECT}/progress",
                         headers={"X-CSRFToken": token}, timeout=60,
                         json={"date": "2026-01-05", "reporter": "张三",
                               "completed_investment": 123, "problems": "无"})

    def split(http, base, token):
        return http.post(f"{base}/parcels/{PARCEL}/split", timeout=60, data={
            "csrf_token": token, "version": _version(url, PARCEL),
            "line": json.dumps(line)})

    def merge(http, base, token):
        return http.post(f"{base}/parcels/W/merge", timeout=60, data={
            "csrf_token": token, "version": _version(url, "W"), "other": "E"})

    return {"save": (f"/api/parcels/{PARCEL}", save),
            "progress": (f"/api/projects/{PROJECT}/progress", progress),
            "split": (f"/parcels/{PARCEL}/split", split),
            "merge": ("/parcels/W/merge", merge)}


def _version(url: str, code: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        version = conn.scalar(select(Parcel.version).where(Parcel.code == code))
    engine.dispose()
    return version


def _prepare(url: str) -> None:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        create_user(session, "test-editor", PASSWORD, "editor")
        for code, shape in (("W", WEST), ("E", EAST)):
            create_parcel(session, {"code": code, "layer": "stock", "status": "available"},
                          mapping(shape), "tester")
    engine.dispose()


def _sign_in(base: str) -> tuple[requests.Session, str]:
    import re

    http = requests.Session()
    page = http.get(f"{base}/login", timeout=60).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    answer = http.post(f"{base}/login", data={"name": "test-editor", "password": PASSWORD,
                                              "csrf_token": token}, timeout=60)
    assert answer.status_code == 200, answer.text[:300]  # followed the redirect
    token = re.search(r'name="csrf-token" content="([^"]+)"', answer.text).group(1)
    return http, token


@pytest.mark.parametrize("point", ["write", "commit"])
@pytest.mark.parametrize("write", ["save", "progress", "split", "merge"])
def test_a_worker_killed_mid_write_leaves_nothing_half_written(db_url, tmp_path, write, point):
    _prepare(db_url)
    before = _state(db_url)
    if db_url.startswith("sqlite"):
        assert before["integrity"] == "ok" and before["rtree"] == before["count"]
    path, send = _writes(db_url)[write]
    port = free_port()
    child = _child("serve", db_url, str(port), path, point)
    try:
        _wait_for(child, "ready")
        base = f"http://127.0.0.1:{port}"
        http, token = _sign_in(base)
        sender = threading.Thread(target=lambda: _swallow(send, http, base, token), daemon=True)
        sender.start()
        _wait_for(child, "paused")
        _kill(child)
        sender.join(timeout=60)
    finally:
        if child.poll() is None:
            _kill(child)
    assert _state(db_url) == before
    # The register takes the same write afterwards: no lock or half-transaction is left.
    app = next(_make_app(db_url, tmp_path))
    try:
        client = app.test_client()
        login(client, "editor")
        answer = _in_process(write, client, db_url)
        assert answer.status_code in (200, 201, 302), answer.get_data(as_text=True)[:300]
    finally:
        app.extensions["landmatch.engine"].dispose()
    assert _state(db_url) != before


def _swallow(send, http, base, token) -> None:
    try:
        send(http, base, token)
    except requests.RequestException:
        pass  # the server was killed under the request: that is the point


def _in_process(write: str, client, url: str):
    token = csrf_token(client)
    if write == "save":
        return client.patch(f"/api/parcels/{PARCEL}", headers={"X-CSRFToken": token},
                            json={"version": _version(url, PARCEL),
                                  "values": {"holder": "新权利人"}, "geometry": _moved(url)})
    if write == "progress":
        return client.post(f"/api/projects/{PROJECT}/progress", headers={"X-CSRFToken": token},
                           json={"date": "2026-01-05", "reporter": "张三"})
    if write == "split":
        return client.post(f"/parcels/{PARCEL}/split", data={
            "csrf_token": token, "version": _version(url, PARCEL),
            "line": json.dumps(_line_across(url))})
    return client.post("/parcels/W/merge", data={"csrf_token": token,
                                                 "version": _version(url, "W"), "other": "E"})


def test_a_backup_killed_half_way_leaves_no_file_under_its_name(db_url, tmp_path):
    before = _state(db_url)
    output = tmp_path / "landmatch.backup"
    child = _child("backup", db_url, str(output))
    try:
        _wait_for(child, "paused")
        _kill(child)
    finally:
        if child.poll() is None:
            _kill(child)
    assert not output.exists()  # a restore can only be given a whole backup
    assert _state(db_url) == before
    # The next backup is whole, and replaces the leftover part.
    from geo.register.backup import backup

    assert backup(db_url, output) == output and output.stat().st_size > 0
    assert not output.with_name(output.name + ".part").exists()
