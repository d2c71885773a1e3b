"""The upload page's endpoints: check, remap, report, commit; CSRF required."""

from __future__ import annotations

import csv
import io
import json
import re

import pyogrio
import pytest
from shapely.geometry import shape
from sqlalchemy import func, select

from geo.county import load_county
from geo.models import ImportRun, Parcel
from tests.conftest import login
from tests.interchange_helpers import seat_parcels


@pytest.fixture
def client(app):
    """A test client signed in as an editor: these tests change the register."""
    signed_in = app.test_client()
    login(signed_in, "editor")
    return signed_in


def _token(client):
    page = client.get("/import").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def _post(client, url, data, lang="zh"):
    return client.post(f"{url}?lang={lang}", data=data, content_type="multipart/form-data",
                       headers={"X-CSRFToken": _token(client), "Accept": "application/json"})


def _file(tmp_path, frame=None):
    path = tmp_path / "parcels.gpkg"
    pyogrio.write_dataframe(seat_parcels() if frame is None else frame, path)
    return path


def _count(app):
    with app.extensions["landmatch.sessions"]() as session:
        return session.scalar(select(func.count()).select_from(Parcel))


def test_upload_without_csrf_token_is_refused(client, tmp_path):
    response = client.post("/import/check", data={
        "layer": "idle", "file": (open(_file(tmp_path), "rb"), "p.gpkg")},
        headers={"Accept": "application/json"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "csrf"


def test_check_shows_mapping_and_report_then_commit_writes(app, client, tmp_path):
    before = _count(app)
    checked = _post(client, "/import/check", {
        "layer": "idle", "file": (open(_file(tmp_path), "rb"), "地块.gpkg")})
    assert checked.status_code == 200, checked.get_data(as_text=True)
    plan = checked.get_json()
    assert plan["ok"] and plan["rows"] == 3 and plan["created"] is None
    assert {"column": "权利人", "field": "holder"} in plan["mapping"]
    assert any("EPSG:4490" in n for n in plan["notes"])
    assert _count(app) == before  # a check writes nothing
    remapped = _post(client, "/import/check", {"layer": "idle", "token": plan["token"],
                                               "map": json.dumps({"权利人": ""})}).get_json()
    assert {"column": "权利人", "field": ""} in remapped["mapping"]
    done = _post(client, "/import/commit", {"layer": "idle", "token": plan["token"],
                                            "map": "{}"}).get_json()
    assert (done["created"], done["updated"]) == (3, 0)
    assert _count(app) == before + 3


def test_rejected_rows_are_reported_and_commit_writes_nothing(app, client, tmp_path):
    frame = seat_parcels()
    frame["容积率"] = ["0.8", "高", "0.5"]
    token = _post(client, "/import/check", {
        "layer": "stock", "file": (open(_file(tmp_path, frame), "rb"), "bad.gpkg")},
        lang="en").get_json()
    assert not token["ok"] and token["rejected"] == 1
    issue = token["issues"][0]
    assert issue["row"] == 2 and issue["field"] == "Plot ratio" and "number" in issue["message"]
    before = _count(app)
    refused = _post(client, "/import/commit", {"layer": "stock", "token": token["token"]})
    assert refused.status_code == 400 and "1" in refused.get_json()["error"]["message"]
    assert _count(app) == before
    report = _post(client, "/import/report.csv", {"layer": "stock", "token": token["token"]},
                   lang="en")
    rows = list(csv.reader(io.StringIO(report.data.decode("utf-8-sig"))))
    assert rows[0] == ["Row", "Code", "Field", "Severity", "Message"]
    assert rows[1][:2] == ["2", "T001"]


def test_an_expired_or_forged_token_is_a_clear_error(client):
    response = _post(client, "/import/commit", {"layer": "idle", "token": "../../etc"})
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "file"


def test_a_file_of_another_kind_is_refused_by_name(client):
    response = _post(client, "/import/check", {
        "layer": "idle", "file": (io.BytesIO(b"x"), "parcels.kml")}, lang="en")
    assert response.status_code == 400 and "parcels.kml" in response.get_json()["error"][
        "message"]


def _stream(client, url, data):
    response = client.post(url, data=data, content_type="multipart/form-data",
                           headers={"X-CSRFToken": _token(client),
                                    "Accept": "application/x-ndjson"})
    assert response.status_code == 200 and response.mimetype == "application/x-ndjson"
    return [json.loads(line) for line in response.get_data(as_text=True).splitlines()]


def test_streamed_check_and_commit_report_progress_then_the_result(app, client, tmp_path):
    frame = seat_parcels()
    lines = _stream(client, "/import/check", {
        "layer": "idle", "file": (open(_file(tmp_path, frame), "rb"), "p.gpkg")})
    stages = [m["progress"]["stage"] for m in lines if "progress" in m]
    assert stages[0] == "read" and stages[-1] == "validated"
    assert lines[-2]["progress"] == {"stage": "validated", "done": 3, "total": 3}
    plan = lines[-1]["result"]
    assert plan["ok"] and plan["created"] is None
    before = _count(app)
    done = _stream(client, "/import/commit", {"layer": "idle", "token": plan["token"]})
    assert done[-2]["progress"] == {"stage": "written", "done": 3, "total": 3}
    assert (done[-1]["result"]["created"], done[-1]["result"]["updated"]) == (3, 0)
    assert _count(app) == before + 3


def test_streamed_commit_of_a_rejected_file_ends_with_the_error(app, client, tmp_path):
    frame = seat_parcels()
    frame["容积率"] = ["0.8", "高", "0.5"]
    token = _post(client, "/import/check", {
        "layer": "idle", "file": (open(_file(tmp_path, frame), "rb"), "p.gpkg")}).get_json()
    before = _count(app)
    lines = _stream(client, "/import/commit?lang=en", {"layer": "idle",
                                                       "token": token["token"]})
    assert "nothing was written" in lines[-1]["error"]["message"]
    assert _count(app) == before


def _bureau_file(tmp_path):
    from tests.test_import_values import BUREAU_WORDS, _gpkg, bureau_parcels

    return _gpkg(tmp_path, bureau_parcels(BUREAU_WORDS))


def test_unknown_words_come_with_row_counts_and_choices_and_map_on_recheck(
        app, client, tmp_path):
    checked = _post(client, "/import/check", {
        "layer": "stock", "file": (open(_bureau_file(tmp_path), "rb"), "存量.gpkg")}).get_json()
    assert not checked["ok"] and checked["rejected"] == 4
    (unknown,) = checked["unknown"]
    assert (unknown["column"], unknown["field"]) == ("状态", "status")
    assert unknown["words"] == [{"word": "已预留", "rows": 2}, {"word": "洽谈中", "rows": 1},
                                {"word": "已批未用", "rows": 1}]
    assert {"value": "reserved", "label": "已意向"} in unknown["choices"]
    # one line per problem on the page too, without the command line's advice
    (values_line,) = [g for g in checked["groups"] if g["field"] == "状态"]
    assert values_line["count"] == 4 and "--map-value" not in values_line["text"]
    # the registered area's unit is said once for the file, not once a row
    assert json.dumps(checked, ensure_ascii=False).count("登记面积单位为亩") == 1
    # the dictionary's synonym is shown before anything is written
    assert [v["text"] for v in checked["values"]] == ["状态：可供 → 可供地（2 行，字典同义词）"]
    words = json.dumps({"状态": {"已预留": "reserved", "洽谈中": "reserved",
                                 "已批未用": "available"}})
    again = _post(client, "/import/check", {"layer": "stock", "token": checked["token"],
                                            "values": words}).get_json()
    assert again["ok"] and again["unknown"] == []
    assert "状态：已批未用 → 可供地（1 行，按指定）" in [v["text"] for v in again["values"]]
    done = _post(client, "/import/commit", {"layer": "stock", "token": checked["token"],
                                            "values": words}).get_json()
    assert done["created"] == 6
    with app.extensions["landmatch.sessions"]() as session:
        run = session.scalars(select(ImportRun).order_by(ImportRun.id.desc())).first()
    assert {v["source"]: v["target"] for v in run.mapping["values"]} == {
        "可供": "available", "已预留": "reserved", "洽谈中": "reserved", "已批未用": "available"}


def test_the_preview_holds_every_shape_marking_the_rejected_rows(client, tmp_path):
    checked = _post(client, "/import/check", {
        "layer": "stock", "file": (open(_bureau_file(tmp_path), "rb"), "存量.gpkg")}).get_json()
    features = checked["preview"]["features"]
    assert len(features) == 6
    assert [f["properties"]["rejected"] for f in features] == [False, True, True, True, False,
                                                               True]
    centre = shape(features[0]["geometry"]).centroid
    lon, lat = centre.x, centre.y
    assert 110 < lon < 112 and 35 < lat < 37  # moved from EPSG:4525 to lon/lat


def test_page_errors_name_the_page_s_boxes_not_command_line_options(client, tmp_path):
    from tests.test_import_values import bureau_parcels

    path = tmp_path / "gk.gpkg"
    frame = bureau_parcels(["可供地"]).to_crs(4525)
    pyogrio.write_dataframe(frame, path)
    wrong = _post(client, "/import/check", {"layer": "stock", "crs": "EPSG:4490",
                                            "file": (open(path, "rb"), "p.gpkg")})
    assert wrong.status_code == 400
    message = wrong.get_json()["error"]["message"]
    assert "“坐标系”一栏" in message and "--" not in message
    points = tmp_path / "points.csv"
    x, y = load_county().settings["seat"]
    points.write_text(f"地块编号,经度,纬度\nP1,{x},{y}\nP2,{x + 0.01},{y}\n", encoding="utf-8")
    told = _post(client, "/import/check", {"layer": "stock",
                                           "file": (open(points, "rb"), "points.csv")})
    message = told.get_json()["error"]["message"]
    assert "只有点" in message and "--" not in message
