"""Ledger API: a project as GeoJSON, progress entries and transitions in and out as JSON."""

import datetime as dt

import pytest
from shapely.geometry import shape

from geo.fields import fields_for
from tests.conftest import login
from tests.test_ledger_pages import csrf


@pytest.fixture
def client(app):
    """A test client signed in as an editor: these tests change the register."""
    signed_in = app.test_client()
    login(signed_in, "editor")
    return signed_in

TODAY = dt.date.today().isoformat()


@pytest.fixture
def headers(client):
    return {"X-CSRFToken": csrf(client)}


def test_project_is_a_geojson_feature_with_its_ledger(client):
    response = client.get("/api/projects/141023XM004")  # demo project 4 has started
    assert response.mimetype == "application/geo+json"
    feature = response.get_json()
    assert feature["type"] == "Feature" and feature["id"] == "141023XM004"
    assert shape(feature["geometry"]).area > 0
    props = feature["properties"]
    assert props["stage"] == "started" and props["category"] in ("building", "slow")
    assert set(props["plan"]) == {f.name for f in fields_for("plan")}
    assert props["annual_plans"] and props["last_report"]


def test_a_pipeline_project_has_no_site(client):
    assert client.get("/api/projects/141023XM001").get_json()["geometry"] is None


def test_progress_entries_are_listed_and_added(client, headers):
    before = client.get("/api/projects/141023XM010/progress").get_json()["progress"]
    assert set(before[0]) == {f.name for f in fields_for("progress")}
    response = client.post("/api/projects/141023XM010/progress", headers=headers, json={
        "date": TODAY, "completed_investment": 99, "percent_done": 12, "reporter": "张三",
        "problems": "缺电"})
    assert response.status_code == 201 and response.get_json()["problems"] == "缺电"
    after = client.get("/api/projects/141023XM010/progress").get_json()["progress"]
    assert len(after) == len(before) + 1 and after[-1]["date"] == TODAY


def test_transitions_move_on_and_put_back(client, headers):
    site = {"type": "Polygon", "coordinates": [[[111.40, 35.80], [111.41, 35.80],
                                                [111.41, 35.81], [111.40, 35.80]]]}
    moved = client.post("/api/projects/141023XM002/transitions", headers=headers, json={
        "to_stage": "landed", "date": TODAY, "by": "王建国", "site": site})
    assert moved.status_code == 201
    assert (moved.get_json()["from_stage"], moved.get_json()["to_stage"]) == ("signed", "landed")
    back = client.post("/api/projects/141023XM002/transitions", headers=headers, json={
        "kind": "back", "date": TODAY, "by": "王建国", "note": "用地调整"})
    assert back.status_code == 201 and back.get_json()["kind"] == "back"
    listed = client.get("/api/projects/141023XM002/transitions").get_json()["transitions"]
    assert [t["to_stage"] for t in listed[-2:]] == ["landed", "signed"]


@pytest.mark.parametrize(("url", "body", "field"), [
    ("/api/projects/141023XM002/transitions", {"to_stage": "started", "date": TODAY, "by": "x"},
     "to_stage"),
    ("/api/projects/141023XM002/transitions", {"to_stage": "landed", "date": TODAY, "by": "x"},
     "parcel"),
    ("/api/projects/141023XM002/transitions", {"to_stage": "landed", "date": TODAY, "by": "x",
                                              "site": {"type": "Nope"}}, "site"),
    ("/api/projects/141023XM010/progress", {"date": "2026-13-01", "reporter": "x"}, "date"),
    ("/api/projects/141023XM010/progress", {"date": TODAY}, "reporter"),
    ("/api/projects/141023XM010/progress", [1, 2], "body"),
])
def test_bad_writes_get_400_naming_the_field(client, headers, url, body, field):
    response = client.post(url, headers=headers, json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field


def test_writes_need_the_csrf_token(client):
    response = client.post("/api/projects/141023XM010/progress",
                           json={"date": TODAY, "reporter": "x"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "csrf"


def test_ledger_lists_categories_with_totals_and_filters(client):
    everything = client.get("/api/ledger").get_json()
    assert everything["totals"]["count"] == len(everything["projects"]) == 78
    slow = client.get("/api/ledger?category=slow").get_json()
    assert slow["projects"] and all(p["category"] == "slow" and p["alerts"]
                                    for p in slow["projects"])
    bad = client.get("/api/ledger?category=late")
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "category"
    bad_day = client.get("/api/ledger?on=yesterday")
    assert bad_day.status_code == 400 and bad_day.get_json()["error"]["field"] == "on"
    past = client.get("/api/ledger?on=2020-01-01").get_json()["totals"]["by_category"]
    assert "slow" not in past  # nothing was late before the demo's dates


def test_schemas_come_from_the_data_dictionary(client):
    schemas = client.get("/api/ledger/schemas").get_json()
    progress = schemas["NewProgressEntry"]
    # the dictionary's fields, and the confirmation of an unlikely figure
    assert set(progress["properties"]) == {f.name for f in fields_for("progress")} | {"confirm"}
    assert set(progress["required"]) == {"date", "reporter"}
    assert progress["properties"]["percent_done"]["maximum"] == 100
    assert "from_stage" not in schemas["NewTransition"]["properties"]
    assert schemas["Transition"]["properties"]["to_stage"]["enum"][0] == "pipeline"


def test_plan_and_annual_plan_are_set(client, headers):
    plan = client.post("/api/projects/141023XM001/plan", headers=headers,
                       json={"plan_sign": "2027-01-15"})
    assert plan.status_code == 200 and plan.get_json()["plan_sign"] == "2027-01-15"
    year = client.post("/api/projects/141023XM001/annual-plans", headers=headers,
                       json={"year": 2027, "planned_investment": 800})
    assert year.get_json() == {"year": 2027, "planned_investment": 800.0}
    props = client.get("/api/projects/141023XM001").get_json()["properties"]
    assert props["plan"]["plan_sign"] == "2027-01-15"
    assert {"year": 2027, "planned_investment": 800.0} in props["annual_plans"]
    bad = client.post("/api/projects/141023XM001/annual-plans", headers=headers,
                      json={"year": 1999, "planned_investment": 1})
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "year"


def test_idle_follow_up_as_json(client):
    parcels = client.get("/api/idle").get_json()["parcels"]
    assert len(parcels) == 72
    user = next(p for p in parcels if p["idle_cause"] == "user")
    assert user["fee_from"] == user["idle_since"] and user["recovery_from"] > user["fee_from"]
    assert any(a["kind"] == "disposal_overdue" for p in parcels for a in p["alerts"])


def test_a_tenfold_jump_in_completed_investment_needs_confirm(client, headers):
    url = "/api/projects/141023XM004/progress"
    last = [e["completed_investment"] for e in client.get(url).get_json()["progress"]
            if e["completed_investment"]][-1]
    entry = {"date": TODAY, "completed_investment": last * 10, "reporter": "张三"}
    refused = client.post(url, headers=headers, json=entry)
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert (error["code"], error["field"]) == ("confirmation_required", "completed_investment")
    assert "累计完成投资" in error["message"]
    before = len(client.get(url).get_json()["progress"])
    saved = client.post(url, headers=headers, json={**entry, "confirm": True})
    assert saved.status_code == 201
    assert len(client.get(url).get_json()["progress"]) == before + 1


def test_plan_nodes_out_of_order_are_refused_naming_both(client, headers):
    url = "/api/projects/141023XM001/plan"
    response = client.post(url, headers=headers, json={
        "plan_sign": "2027-05-01", "plan_land": "2027-06-01", "plan_start": "2027-03-01",
        "plan_complete": "2027-09-01", "plan_production": "2027-10-01"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == "plan_start"
    assert "计划开工日期" in error["message"] and "计划供地日期" in error["message"]
