"""Fixtures: a fresh database per test on each backend, the app over it, a client and a runner.

SpatiaLite always runs. PostGIS runs when LANDMATCH_TEST_POSTGRES_URL names a database on a
server where we may create databases; under CI=true its absence is a failure, not a skip.
Each test gets its own database, copied from a template made once per session (a file copy
for SpatiaLite, ``CREATE DATABASE … TEMPLATE`` for PostGIS).
"""

from __future__ import annotations

import itertools
import os
import shutil

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import geo.users as geo_users
from geo.county import load_county
from geo.demo import load_demo
from geo.register import make_engine, make_sessionmaker, migrate, sqlite_url
from webmap import create_app

# Argon2 at its production cost (~0.15 s a hash) would spend minutes of the suite on
# sign-ins; the tests check what the hashes do, not how slow they are.
geo_users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = os.environ.get("LANDMATCH_TEST_POSTGRES_URL", "")
BACKENDS = ["spatialite", "postgis"]
_counter = itertools.count()


def require(condition: bool, reason: str, switch: str = "") -> None:
    """Skip when ``condition`` is false, except under CI or with ``switch``=1: then fail."""
    if condition:
        return
    if IN_CI or (switch and os.environ.get(switch) == "1"):
        pytest.fail(f"{reason} (this test is switched on and must run)")
    pytest.skip(reason)


def _fill(url: str, demo: bool) -> None:
    engine = make_engine(url)
    migrate(engine)
    if demo:
        with make_sessionmaker(engine)() as session:
            load_demo(session, load_county())
    engine.dispose()


class SpatiaLiteTemplates:
    """Template files, copied for each test."""

    def __init__(self, folder) -> None:
        self.folder = folder
        self.made: dict[bool, str] = {}

    def fresh(self, demo: bool, dest) -> str:
        if demo not in self.made:
            path = self.folder / f"template-{'demo' if demo else 'empty'}.sqlite"
            _fill(sqlite_url(path), demo)
            self.made[demo] = str(path)
        target = dest / "landmatch.sqlite"
        shutil.copyfile(self.made[demo], target)
        return sqlite_url(target)

    def drop(self, url: str) -> None:
        """Nothing to do: the file goes with pytest's tmp_path."""


class PostGISTemplates:
    """Template databases on the PostgreSQL server, cloned for each test."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        self.made: dict[bool, str] = {}
        self.prefix = f"lm_test_{os.getpid()}"

    def _create(self, name: str, template: str | None = None) -> str:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            clause = f' TEMPLATE "{template}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        url = self.url.set(database=name).render_as_string(hide_password=False)
        if not template:
            engine = create_engine(url, isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
            engine.dispose()
        return url

    def fresh(self, demo: bool, dest) -> str:
        if demo not in self.made:
            name = f"{self.prefix}_tpl_{'demo' if demo else 'empty'}"
            _fill(self._create(name), demo)
            self.made[demo] = name
        return self._create(f"{self.prefix}_{next(_counter)}", template=self.made[demo])

    def drop(self, url: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))

    def close(self) -> None:
        for name in self.made.values():
            self.drop(self.url.set(database=name).render_as_string(hide_password=False))
        self.admin.dispose()


@pytest.fixture(scope="session")
def templates(tmp_path_factory):
    """Per-backend template factories, made lazily and removed at the end of the session."""
    made: dict[str, object] = {}

    def get(backend: str):
        if backend not in made:
            if backend == "spatialite":
                made[backend] = SpatiaLiteTemplates(tmp_path_factory.mktemp("templates"))
            else:
                made[backend] = PostGISTemplates(POSTGRES_URL)
        return made[backend]

    yield get
    if "postgis" in made:
        made["postgis"].close()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """Each backend in turn; PostGIS only where a server was named."""
    if request.param == "postgis":
        require(bool(POSTGRES_URL), "PostGIS tests need LANDMATCH_TEST_POSTGRES_URL")
    return request.param


def _database(templates, backend, tmp_path, demo: bool):
    factory = templates(backend)
    url = factory.fresh(demo, tmp_path)
    return factory, url


@pytest.fixture
def db_url(templates, backend, tmp_path):
    """URL of a fresh database holding the demo county."""
    factory, url = _database(templates, backend, tmp_path, demo=True)
    yield url
    factory.drop(url)


@pytest.fixture
def empty_db_url(templates, backend, tmp_path):
    """URL of a fresh, migrated, empty database."""
    factory, url = _database(templates, backend, tmp_path, demo=False)
    yield url
    factory.drop(url)


def _make_app(url: str, tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret"})
    app.instance_path = str(tmp_path / "instance")
    yield app
    app.extensions["landmatch.engine"].dispose()


@pytest.fixture
def app(db_url, tmp_path):
    """The app over a fresh database with the demo county."""
    yield from _make_app(db_url, tmp_path)


@pytest.fixture
def empty_app(empty_db_url, tmp_path):
    """The app over a fresh, empty database."""
    yield from _make_app(empty_db_url, tmp_path)


@pytest.fixture
def client(app):
    """A test client of the demo app."""
    return app.test_client()


@pytest.fixture
def session(app):
    """A database session on the demo app's database."""
    with app.extensions["landmatch.sessions"]() as s:
        yield s


PASSWORD = "a long test password"


def csrf_token(client) -> str:
    """Return the CSRF token of ``client``'s session, read from a page's meta tag."""
    import re

    html = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def login(client, role: str) -> str:
    """Sign ``client`` in with an account of ``role`` (made on first use); return its name."""
    from sqlalchemy import select

    from geo.models import User
    from geo.users import create_user

    name = f"test-{role}"
    with client.application.extensions["landmatch.sessions"]() as s:
        if s.scalar(select(User.id).where(User.name == name)) is None:
            create_user(s, name, PASSWORD, role)
    response = client.post("/login", data={"name": name, "password": PASSWORD,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return name


def free_port() -> int:
    """Return a loopback port no one listens on, for a server a test starts itself."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def offer_park_land(session, park: str, n: int = 3) -> list[str]:
    """Put ``n`` of ``park``'s unheld stock parcels on offer as industrial land; return codes.

    The demo draws statuses and uses at random, and may leave a park with no industrial land
    on offer; tests about a park's rules need some.
    """
    from sqlalchemy import exists, select

    from geo.models import Parcel, project_parcels

    held = exists().where(project_parcels.c.parcel_id == Parcel.id)
    parcels = session.scalars(select(Parcel).where(
        Parcel.park == park, Parcel.layer == "stock", ~held,
        Parcel.status.in_(["available", "underused"])).order_by(Parcel.code)).all()[:n]
    assert len(parcels) == n, f"{park} has {len(parcels)} unheld stock parcels"
    for parcel in parcels:
        parcel.status = "available"
        parcel.land_use, parcel.land_use_system = "0601", "sandiao"
        parcel.planned_use, parcel.planned_use_system = "1001", "ydyh2023"
    session.commit()
    return [p.code for p in parcels]
