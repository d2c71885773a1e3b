"""Rule sets by edition and date over HTTP: what is in force decides, unconfirmed rules warn.

Issue 13: the industrial control indicators are written for manufacturing only; a match is
judged by the edition in force on its date (``on``, today by default); a rule that is not
confirmed is a warning, never a reason to rule a parcel out.
"""

import datetime as dt

import pytest
from sqlalchemy import or_, select

from geo.models import Parcel
from tests.conftest import offer_park_land

INDICATORS = {"investment_intensity", "plot_ratio", "building_coefficient", "office_share",
              "green_ratio"}
BASE = {"land_class": "industrial", "area_min_mu": 5, "area_max_mu": 200,
        "total_investment": 20000, "building_coefficient": 10, "office_share": 40,
        "green_ratio": 40}
PARK = "襄汾经济技术开发区"  # provincial: Shanxi's unconfirmed ≥200 万元/亩 (news, 2018)


def _standard_land(session) -> set[str]:
    # A 标准地 parcel's own indicators bind whoever takes it (docs/domain.md): not the table.
    return set(session.scalars(select(Parcel.code).where(or_(
        Parcel.std_plot_ratio_min.is_not(None), Parcel.std_building_coefficient.is_not(None),
        Parcel.std_investment_intensity.is_not(None)))))


def _match(client, **needs):
    response = client.post("/api/match", json={**BASE, **needs})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.mark.parametrize("industry", ["5990", "6510"])  # logistics (59), software (65)
def test_a_logistics_or_software_project_meets_no_manufacturing_indicator(client, session,
                                                                         industry):
    body = _match(client, industry=industry)
    assert body["candidates"], "the demo county has parcels for it"
    standard = _standard_land(session)
    for r in body["rejected"]:
        if r["code"] not in standard:
            assert not INDICATORS & set(r["failed"]), r
    for c in body["candidates"]:
        table = [k for k in c["checks"] if k["name"] in INDICATORS and k["edition"]]
        assert table == [], table


def test_the_same_needs_for_a_manufacturer_are_held_to_the_indicators(client):
    body = _match(client, industry="3911", on="2022-06-01")
    failed = {name for r in body["rejected"] for name in r["failed"]}
    assert {"building_coefficient", "office_share", "green_ratio"} <= failed
    assert body["candidates"] == []


def test_a_match_dated_2022_cites_the_2008_edition(client):
    body = _match(client, industry="3911", on="2022-06-01", building_coefficient=40,
                  office_share=5, green_ratio=10, plot_ratio=1.2)
    assert body["needs"]["on"] == "2022-06-01" and body["rule_set"]["on"] == "2022-06-01"
    assert "2008" in body["rule_set"]["editions"] and "2023" not in body["rule_set"]["editions"]
    national = next(s for s in body["rule_set"]["sets"] if s["name"] == "2008")
    assert national["confirmed"] and "国土资发〔2008〕24号" in national["documents"][0]
    check = next(k for k in body["candidates"][0]["checks"] if k["name"] == "plot_ratio")
    assert check["edition"] == "2008" and "2008" in check["source"]
    assert check["severity"] == "ok" and check["confirmed"]


def test_a_match_dated_today_cites_the_2023_edition(client):
    body = _match(client, industry="3911", building_coefficient=40, office_share=5,
                  green_ratio=10, plot_ratio=1.2)
    assert body["rule_set"]["on"] == dt.date.today().isoformat()
    assert "2023" in body["rule_set"]["editions"] and "2008" not in body["rule_set"]["editions"]
    check = next(k for k in body["candidates"][0]["checks"] if k["name"] == "plot_ratio")
    assert check["edition"] == "2023" and "2023" in check["source"]


def test_today_the_unconfirmed_2023_values_warn_but_never_rule_out(client, session):
    body = _match(client, industry="3911")  # misses every 2008 value the 2023 rows repeat
    assert body["candidates"]
    warned = {k["name"] for k in body["candidates"][0]["checks"] if k["severity"] == "warning"}
    assert {"building_coefficient", "office_share"} <= warned
    standard = _standard_land(session)
    for r in body["rejected"]:
        assert r["code"] in standard or not INDICATORS & set(r["failed"]), r


def test_below_an_unconfirmed_threshold_a_parcel_stays_a_candidate_with_a_warning(client,
                                                                                   session):
    offer_park_land(session, PARK)
    body = _match(client, industry="3911", on="2022-06-01", building_coefficient=40,
                  office_share=5, green_ratio=10, plot_ratio=1.2, parks=PARK,
                  total_investment=100)
    assert body["candidates"], "parcels in the park stay candidates"
    for c in body["candidates"]:
        check = next(k for k in c["checks"] if k["name"] == "investment_intensity")
        assert check["severity"] == "warning" and check["passed"] is False
        assert check["threshold"] == 200 and check["rule_set"] == "shanxi-2018"
        assert "新闻报道" in check["source"] and "未经核实" in check["message"]
        assert "地区类别未知" in check["message"]  # the class used (none: grade not set)


def test_the_why_not_answer_keeps_warnings_apart_from_failures(client, session):
    offer_park_land(session, PARK)
    body = _match(client, industry="3911", on="2022-06-01", building_coefficient=40,
                  office_share=5, green_ratio=10, plot_ratio=1.2, parks=PARK,
                  total_investment=100)
    code = body["candidates"][0]["code"]
    why = client.post(f"/api/match/explain/{code}",
                      json={**BASE, "industry": "3911", "on": "2022-06-01",
                            "building_coefficient": 40, "office_share": 5, "green_ratio": 10,
                            "plot_ratio": 1.2, "total_investment": 100}).get_json()
    assert why["passed"] is True and "investment_intensity" in why["warnings"]
    assert "investment_intensity" not in why["failed"]


def test_a_bad_date_gets_a_400_naming_the_field(client):
    response = client.post("/api/match", json={**BASE, "industry": "3911", "on": "2022-13-40"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == "on" and "指标执行日期" in error["message"]


def test_the_openapi_document_describes_on_and_severity(client):
    schemas = client.get("/api/openapi.json").get_json()["components"]["schemas"]
    on = schemas["MatchNeeds"]["properties"]["on"]
    assert on["format"] == "date"
    result = schemas["MatchResult"]["properties"]
    check = result["candidates"]["items"]["properties"]["checks"]["items"]
    assert check["properties"]["severity"]["enum"] == ["ok", "warning", "error"]
    assert "edition" in check["properties"]
    assert {"on", "editions", "sets"} <= set(result["rule_set"]["required"])
