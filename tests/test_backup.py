"""Backups: ``landmatch backup`` then ``landmatch restore`` gives back the same register."""

import shutil

import pytest

from geo.editing import delete_parcel, get_parcel, update_parcel
from geo.export import geojson_chunks
from geo.features import get_layer
from tests.conftest import require

CODE = "141023XZ0001"


def _register(app) -> dict[str, str]:
    with app.extensions["landmatch.sessions"]() as s:
        return {name: "".join(geojson_chunks(s, get_layer(name)))
                for name in ("sites", "idle", "stock")}


def test_backup_then_restore_gives_the_same_register(app, backend, tmp_path):
    if backend == "postgis":
        require(bool(shutil.which("pg_dump")), "pg_dump is needed (postgresql-client)")
    runner = app.test_cli_runner()
    original = _register(app)
    target = tmp_path / "register.backup"
    made = runner.invoke(args=["backup", "-o", str(target)])
    assert made.exit_code == 0, made.output
    assert target.stat().st_size > 0
    assert target.stat().st_mode & 0o077 == 0  # only the owner may read the hashes in it
    with app.extensions["landmatch.sessions"]() as s:
        update_parcel(s, "141023XZ0002", {"name": "备份后改的"},
                      get_parcel(s, "141023XZ0002").version, "x")
        delete_parcel(s, CODE, get_parcel(s, CODE).version, "x")
    assert _register(app) != original
    refused = runner.invoke(args=["restore", str(target)], input="n\n")
    assert refused.exit_code != 0 and _register(app) != original
    done = runner.invoke(args=["restore", str(target), "--yes"])
    assert done.exit_code == 0, done.output
    assert _register(app) == original


def test_a_missing_backup_file_is_named(app):
    result = app.test_cli_runner().invoke(args=["restore", "/nonexistent/file", "--yes"])
    assert result.exit_code != 0 and "/nonexistent/file" in result.output


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
def test_backup_without_a_name_goes_to_the_instance_folder(app):
    result = app.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code == 0 and app.instance_path in result.output
