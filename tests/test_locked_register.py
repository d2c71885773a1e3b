"""A SQLite register locked by another writer (a CLI import): 503 with Retry-After, in words."""

import contextlib
import sqlite3

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import csrf_token, login
from tests.interchange_helpers import seat_parcels

CODE = "141023XZ0001"

# SQLite alone has one writer for the whole file; PostgreSQL locks rows.
pytestmark = pytest.mark.parametrize("backend", ["spatialite"], indirect=True)


@contextlib.contextmanager
def another_writer(app):
    """Hold the register's write lock, as `landmatch import` does for its transaction."""
    connection = sqlite3.connect(make_url(app.config["DATABASE_URL"]).database,
                                 isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        connection.execute("ROLLBACK")
        connection.close()


def _patch(client, name):
    return client.patch(f"/api/parcels/{CODE}", json={"version": 1, "values": {"name": name}},
                        headers={"X-CSRFToken": csrf_token(client)})


def test_an_api_save_during_an_import_is_503_with_retry_after_then_succeeds(app):
    client = app.test_client()
    login(client, "editor")
    with another_writer(app):
        locked = _patch(client, "锁定时")
    assert locked.status_code == 503
    assert int(locked.headers["Retry-After"]) > 0
    error = locked.get_json()["error"]
    assert error["code"] == "busy" and "稍后再试" in error["message"]
    retried = _patch(client, "稍后")
    assert retried.status_code == 200 and retried.get_json()["version"] == 2


def test_a_form_save_during_an_import_shows_the_message_not_a_trace(app):
    client = app.test_client()
    login(client, "editor")
    with another_writer(app):
        response = client.post(f"/parcels/{CODE}/edit", data={
            "csrf_token": csrf_token(client), "version": "1", "layer": "idle",
            "status": "idle", "name": "锁定时"})
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "另一项写入" in html and "Traceback" not in html and "locked" not in html


def test_a_second_import_says_another_write_is_running(app, tmp_path):
    path = tmp_path / "parcels.geojson"
    seat_parcels().to_file(path, driver="GeoJSON")
    runner = app.test_cli_runner()
    with another_writer(app):
        result = runner.invoke(args=["import", str(path), "--layer", "idle"])
    assert result.exit_code == 1
    assert "另一项写入" in result.output, result.output
    assert "Traceback" not in result.output and "locked" not in result.output
    assert runner.invoke(args=["import", str(path), "--layer", "idle"]).exit_code == 0
