"""No native crash in any request order: reads, then every export and upload, and every page.

Each scenario runs in a fresh process, as a server would: a test process has long imported
pyogrio (which hides docs/traps.md 26) and a segmentation fault must fail one test, not end the
run. In process, the app runs under ``PYTHONMALLOC=debug`` and faulthandler, so that a heap
corruption is caught where it happens (docs/traps.md 27): the ledger page read 200 times as
the first requests, then a crawl; then the same crawl against gunicorn.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, free_port

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("sites", "idle", "stock")
FORMATS = ("geojson", "gpkg", "shp.zip", "csv", "xlsx")
UPLOAD_NAMES = {"geojson": "layer.geojson", "gpkg": "layer.gpkg", "shp.zip": "layer.zip",
                "csv": "layer.csv", "xlsx": "layer.xlsx"}
# Pages that change something when fetched, or that the export loop already covers.
SKIP_RULES = ("/static/", "/export/", "/logout")


def gpkg_is_valid(data: bytes) -> bool:
    """Return True when ``data`` is a GeoPackage GDAL can open with at least one feature."""
    import tempfile

    import pyogrio

    if not data.startswith(b"SQLite format 3\x00"):
        return False
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "check.gpkg"
        path.write_bytes(data)
        return pyogrio.read_info(path)["features"] > 0


def export_is_valid(fmt: str, data: bytes) -> bool:
    """Return True when an export looks like a whole file of its format."""
    if fmt == "gpkg":
        return gpkg_is_valid(data)
    if fmt in ("shp.zip", "xlsx"):
        return zipfile.is_zipfile(io.BytesIO(data))
    if fmt == "geojson":
        return data.lstrip().startswith(b"{") and data.rstrip().endswith(b"}")
    return data.count(b"\n") > 1


class Browser:
    """The few requests the crawl needs, over a Flask test client or over HTTP."""

    def __init__(self, base: str | None = None, app=None) -> None:
        self.base, self.app = base, app
        if app is not None:
            self.client = app.test_client()
        else:
            import requests

            self.http = requests.Session()

    def get(self, path: str) -> tuple[int, bytes]:
        if self.app is not None:
            response = self.client.get(path)
            return response.status_code, response.get_data()
        response = self.http.get(self.base + path, timeout=300)
        return response.status_code, response.content

    def post(self, path: str, data: dict, files: dict | None = None,
             headers: dict | None = None) -> tuple[int, bytes]:
        if self.app is not None:
            form = dict(data)
            for field, (name, content) in (files or {}).items():
                form[field] = (io.BytesIO(content), name)
            response = self.client.post(path, data=form, headers=headers or {},
                                        content_type="multipart/form-data")
            return response.status_code, response.get_data()
        response = self.http.post(self.base + path, data=data, headers=headers or {},
                                  files=files or {}, timeout=300,
                                  allow_redirects=False)
        return response.status_code, response.content

    def csrf(self) -> str:
        _, html = self.get("/login")
        return re.search(rb'name="csrf-token" content="([^"]+)"', html).group(1).decode()

    def sign_in(self, name: str) -> None:
        status, _ = self.post("/login", {"name": name, "password": PASSWORD,
                                         "csrf_token": self.csrf()})
        assert status == 302, f"sign-in answered {status}"


def page_paths(rules: list[str], parcel: str, project: str, tile: tuple[int, int, int]
               ) -> list[str]:
    """Return one URL for every GET page and API route, its arguments filled from the demo."""
    z, x, y = tile
    paths = []
    for rule in rules:
        if any(rule.startswith(s) for s in SKIP_RULES):
            continue
        if "<code>" in rule:
            code = project if rule.startswith(("/projects", "/api/projects")) else parcel
            rule = rule.replace("<code>", code)
        rule = re.sub(r"<int:z>/<int:x>/<int:y>", f"{z}/{x}/{y}", rule)
        rule = rule.replace("<path:fid>", parcel)
        names = LAYERS if "<name>" in rule else ("",)
        paths += [rule.replace("<name>", n) for n in names]
    return paths + ["/api/parcels?layer=idle", "/api/parcels?layer=stock&limit=5000",
                    "/reports/monthly?month=2026-10", "/ogc/collections/stock/items?limit=500"]


def _tile_of(lon: float, lat: float, z: int = 12) -> tuple[int, int, int]:
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def crawl(browser: Browser, rules: list[str], rounds: int, ledger_reads: int,
          page_rounds: int = 3) -> dict:
    """Read the ledger ``ledger_reads`` times as the first requests of the process, sign in,
    then ``rounds`` times: read the layers, export and upload every format of every layer,
    and fetch every page ``page_rounds`` times; return what was counted. Fails on any 5xx
    or invalid file."""
    counts = {"exports": 0, "uploads": 0, "pages": 0, "gpkg_valid": 0}
    # First, before anything else has touched the ORM: how the ledger crash was found.
    for _ in range(ledger_reads):
        assert browser.get("/projects")[0] == 200
        assert browser.get("/api/ledger")[0] == 200
        counts["pages"] += 2
    browser.sign_in("crawler")
    status, body = browser.get("/api/parcels?layer=stock&limit=1")
    assert status == 200
    first = json.loads(body)["features"][0]
    parcel = first["id"]
    ring = first["geometry"]["coordinates"][0][0]
    project = json.loads(browser.get("/api/projects?limit=1")[1])["features"][0]["id"]
    paths = page_paths(rules, parcel, project, _tile_of(*ring[0]))
    token = browser.csrf()
    for _ in range(rounds):
        for layer in LAYERS:
            assert browser.get(f"/api/layers/{layer}")[0] == 200
            for fmt in FORMATS:
                status, data = browser.get(f"/export/{layer}.{fmt}")
                assert status == 200, f"/export/{layer}.{fmt} answered {status}"
                assert export_is_valid(fmt, data), f"/export/{layer}.{fmt} is not a whole file"
                counts["exports"] += 1
                counts["gpkg_valid"] += fmt == "gpkg"
                if layer == "sites":
                    continue
                status, answer = browser.post(
                    "/import/check", {"layer": layer},
                    files={"file": (UPLOAD_NAMES[fmt], data)},
                    headers={"X-CSRFToken": token, "Accept": "application/json"})
                assert status == 200, f"checking {layer}.{fmt} answered {status}: {answer[:300]}"
                counts["uploads"] += 1
        for path in paths * page_rounds:
            status, _ = browser.get(path)
            assert status < 500, f"{path} answered {status}"
            counts["pages"] += 1
    assert browser.get("/")[0] == 200  # still answering
    return counts


def run_in_process(url: str, instance: str, rounds: int, ledger_reads: int) -> None:
    """Build the app over ``url`` in this (fresh) process and crawl it; print the counts."""
    from webmap import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret"})
    app.instance_path = instance
    browser = Browser(app=app)
    rules = sorted(r.rule for r in app.url_map.iter_rules() if "GET" in r.methods)
    print("counts", crawl(browser, rules, rounds, ledger_reads), flush=True)


def _child_env() -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONFAULTHANDLER="1")
    env.pop("PYTHONMALLOC", None)
    return env


@pytest.fixture
def crawler_db(db_url) -> str:
    """The demo database with the editor account the crawl signs in with."""
    from geo.register import make_engine, make_sessionmaker
    from geo.users import create_user

    engine = make_engine(db_url)
    with make_sessionmaker(engine)() as session:
        create_user(session, "crawler", PASSWORD, "editor")
    engine.dispose()
    return db_url


@pytest.mark.parametrize("backend", ["spatialite", "postgis"], indirect=True)
def test_app_in_one_process_survives_reads_exports_uploads_and_every_page(crawler_db, tmp_path):
    code = ("from tests.test_native_crashes import run_in_process; "
            f"run_in_process({crawler_db!r}, {str(tmp_path / 'instance')!r}, 2, 20)")
    # The debug allocator checks every block freed: a corruption aborts here, not later.
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=900, env=dict(_child_env(), PYTHONMALLOC="debug"))
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stderr[-4000:]}"
    # 2 rounds: 3 layers x 5 formats exported, the 2 parcel layers' files uploaded
    assert "'exports': 30, 'uploads': 20" in done.stdout, done.stdout


# Only the app's own imports, as in a server: the crash depended on the first ORM states.
LEDGER_FIRST = """
import sys
from webmap import create_app
app = create_app({"TESTING": True, "DATABASE_URL": sys.argv[1], "SECRET_KEY": "test-secret"})
client = app.test_client()
for n in range(int(sys.argv[2])):
    assert client.get("/projects").status_code == 200
print("answered", n + 1)
"""


@pytest.mark.parametrize("backend", ["spatialite", "postgis"], indirect=True)
def test_ledger_page_read_200_times_first_in_a_fresh_process_corrupts_no_memory(db_url,
                                                                                 tmp_path):
    done = subprocess.run([sys.executable, "-c", LEDGER_FIRST, db_url, "200"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=900,
                          env=dict(_child_env(), PYTHONMALLOC="debug"))
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stderr[-4000:]}"
    assert "answered 200" in done.stdout


@pytest.fixture
def gunicorn_server(crawler_db, tmp_path):
    """The app under gunicorn (gunicorn.conf.py, two workers), as ``make serve`` runs it."""
    db_url = crawler_db
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = dict(_child_env(), LANDMATCH_DATABASE_URL=db_url, LANDMATCH_BIND=f"127.0.0.1:{port}",
               LANDMATCH_WORKERS="2", LANDMATCH_SECRET_KEY="test-secret")
    with open(log, "w") as out:
        child = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "-c", str(ROOT / "gunicorn.conf.py"),
             "--chdir", str(ROOT)], stdout=out, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield base, log
    child.terminate()
    child.wait(timeout=30)


@pytest.mark.parametrize("backend", ["spatialite", "postgis"], indirect=True)
def test_gunicorn_workers_survive_reads_exports_uploads_and_every_page(gunicorn_server, app):
    base, log = gunicorn_server
    browser = Browser(base=base)
    rules = sorted(r.rule for r in app.url_map.iter_rules() if "GET" in r.methods)
    crawl(browser, rules, rounds=2, ledger_reads=20)
    text = log.read_text()
    # gunicorn replaces a dead worker silently for the client; its log says why it died.
    assert "was sent" not in text and "exited with code" not in text, text[-3000:]
