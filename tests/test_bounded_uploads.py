"""Uploads are bounded: a zip that unpacks too large is refused unread, old uploads go."""

from __future__ import annotations

import os
import re
import time
import zipfile
from pathlib import Path

import pyogrio
import pytest

from geo.errors import GeoError
from geo.importer import Options, plan_import
from tests.conftest import login
from tests.interchange_helpers import seat_parcels

MB = 2**20


def _bomb(path: Path, members: dict[str, int]) -> Path:
    """Write a zip of zero-filled members ({name: bytes}): small packed, large unpacked."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, size in members.items():
            with archive.open(name, "w") as member:
                for _ in range(size // MB):
                    member.write(bytes(MB))
    return path


@pytest.fixture
def editor(app):
    client = app.test_client()
    login(client, "editor")
    app.config["IMPORT_MAX_UNPACKED"] = 2 * MB
    return client


def _post(client, url, data):
    html = client.get("/import").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    return client.post(url, data=data, content_type="multipart/form-data",
                       headers={"X-CSRFToken": token, "Accept": "application/json"})


def test_a_zip_member_larger_than_the_cap_is_refused_before_it_is_unpacked(tmp_path):
    bomb = _bomb(tmp_path / "bomb.zip", {"parcels.shp": 8 * MB})
    assert bomb.stat().st_size < 100_000
    before = set(Path(os.environ.get("TMPDIR", "/tmp")).glob("landmatch-import-*"))
    started = time.monotonic()
    with pytest.raises(GeoError, match="would unpack to more than") as refused:
        plan_import(bomb, "idle", options=Options(max_unpacked=2 * MB))
    assert refused.value.field == "file" and time.monotonic() - started < 1
    assert set(Path(os.environ.get("TMPDIR", "/tmp")).glob("landmatch-import-*")) == before


def test_members_each_under_the_cap_but_together_over_it_are_refused(tmp_path):
    bomb = _bomb(tmp_path / "many.zip", {f"part{i}.csv": MB for i in range(3)})
    with pytest.raises(GeoError, match="would unpack to more than"):
        plan_import(bomb, "idle", options=Options(max_unpacked=2 * MB))


def test_an_xlsx_that_unpacks_too_large_is_refused_too(tmp_path):
    bomb = _bomb(tmp_path / "sheet.xlsx", {"xl/worksheets/sheet1.xml": 8 * MB})
    with pytest.raises(GeoError, match="would unpack to more than"):
        plan_import(bomb, "idle", options=Options(max_unpacked=2 * MB))


def test_the_upload_page_refuses_a_zip_bomb_with_the_file_named(editor, tmp_path):
    bomb = _bomb(tmp_path / "bomb.zip", {"parcels.shp": 8 * MB})
    with open(bomb, "rb") as f:
        response = _post(editor, "/import/check", {"layer": "idle", "file": (f, "bomb.zip")})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == "file" and "bomb.zip" in error["message"]


def _upload(editor, tmp_path) -> str:
    path = tmp_path / "parcels.gpkg"
    pyogrio.write_dataframe(seat_parcels(), path)
    with open(path, "rb") as f:
        response = _post(editor, "/import/check", {"layer": "idle", "file": (f, "p.gpkg")})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["token"]


def test_an_upload_older_than_an_hour_is_removed_and_its_token_expires(app, editor, tmp_path):
    token = _upload(editor, tmp_path)
    folder = Path(app.instance_path) / "uploads" / token
    assert folder.is_dir()
    hour_ago = time.time() - 3601
    os.utime(folder, (hour_ago, hour_ago))
    response = _post(editor, "/import/commit", {"layer": "idle", "token": token})
    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == "上传的文件已失效，请重新上传。"
    assert not folder.exists()


def test_a_committed_upload_is_removed_at_once(app, editor, tmp_path):
    token = _upload(editor, tmp_path)
    response = _post(editor, "/import/commit", {"layer": "idle", "token": token})
    assert response.status_code == 200, response.get_json()
    assert not (Path(app.instance_path) / "uploads" / token).exists()
