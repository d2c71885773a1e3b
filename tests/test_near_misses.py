"""Closest misses: a project the demo county cannot seat whole gets the parcels that fail one
check and what to relax; a misspelt town or park is refused naming the field."""

import pytest
from sqlalchemy import select

from geo.areas import m2_to_mu
from geo.models import Parcel
from geo.near_misses import Relaxation, relaxation, suggestions
from geo.needs import Needs
from tests.test_match_api import client  # noqa: F401  (the signed-in client fixture)

BASE = {"industry": "35", "land_class": "industrial2", "total_investment": 30000,
        "building_coefficient": 40, "office_share": 5, "green_ratio": 10}


def _largest_mu(session) -> float:
    return max(m2_to_mu(a) for a in session.scalars(select(Parcel.area_m2)))


def test_demo_parcels_spread_from_ten_to_three_hundred_mu(session):
    areas = [m2_to_mu(a) for a in session.scalars(select(Parcel.area_m2))]
    assert min(areas) >= 9.5 and 200 <= max(areas) <= 300
    assert sum(a >= 100 for a in areas) >= 30 and sum(a < 30 for a in areas) >= 100


def test_a_fifty_mu_project_finds_candidates_on_the_demo(client):  # noqa: F811
    body = client.post("/api/match", json={**BASE, "area_min_mu": 50, "area_max_mu": 80}).get_json()
    singles = [c for c in body["candidates"] if not c["pair"]]
    assert len(singles) >= 3
    for c in singles:
        assert 50 <= c["feature"]["properties"]["area_mu"] <= 80
    assert body["near_misses"] == {"parcels": [], "suggestions": []}


def test_a_project_larger_than_any_parcel_gets_near_misses_and_what_to_relax(client, session):  # noqa: F811
    largest = _largest_mu(session)
    wanted = 500
    assert largest < wanted  # the demo has no parcel of 500 亩
    body = client.post("/api/match", json={**BASE, "area_min_mu": wanted}).get_json()
    assert body["candidates"] == []
    misses = body["near_misses"]["parcels"]
    assert 1 <= len(misses) <= 10
    for m in misses:
        area = m["feature"]["properties"]["area_mu"]
        assert m["failed"]["name"] == "area" and m["failed"]["passed"] is False
        assert m["relax"]["field"] == "area_min_mu" and m["relax"]["direction"] == "lower"
        assert m["relax"]["to"] <= area < m["relax"]["to"] + 1
    # Closest first: the largest parcels, which need the smallest cut of the minimum.
    cuts = [m["relax"]["to"] for m in misses]
    assert cuts == sorted(cuts, reverse=True) and cuts[0] == int(largest)
    (area,) = [s for s in body["near_misses"]["suggestions"] if s["field"] == "area_min_mu"]
    assert area["unit"] == "亩" and area["label"] == "用地面积下限"
    assert area["message"] == f"用地面积下限降到 {area['to']:g} 亩：{area['parcels']} 块"
    # Relaxing as suggested does let that many parcels in.
    again = client.post("/api/match", json={**BASE, "area_min_mu": area["to"]}).get_json()
    assert again["counts"]["passed"] >= area["parcels"] >= 5


def test_near_misses_speak_english_on_request(client):  # noqa: F811
    body = client.post("/api/match?lang=en", json={**BASE, "area_min_mu": 500}).get_json()
    (area,) = body["near_misses"]["suggestions"]
    assert area["message"].startswith("Lower Land area, min to ") and "mu: " in area["message"]


@pytest.mark.parametrize(("field", "value"), [("towns", ["新城镇", "新成镇"]),
                                              ("parks", "襄汾经济开发区")])
def test_a_misspelt_town_or_park_is_422_naming_the_field(client, field, value):  # noqa: F811
    response = client.post("/api/match", json={**BASE, "area_min_mu": 50, field: value})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["field"] == field and error["code"] == "unknown_place"
    assert ("意向乡镇" if field == "towns" else "意向园区") in error["message"]
    assert ("新成镇" if field == "towns" else "襄汾经济开发区") in error["message"]


def test_a_known_town_narrows_the_match_to_it(client):  # noqa: F811
    body = client.post("/api/match", json={**BASE, "area_min_mu": 10, "towns": "新城镇"}).get_json()
    assert body["candidates"]
    assert {c["feature"]["properties"]["town"] for c in body["candidates"] if not c["pair"]} \
        == {"新城镇"}


def test_the_relaxation_of_each_kind_of_check():
    from geo.checks import Check

    needs = Needs(industry="35", land_class="industrial2", total_investment=6000,
                  area_min_mu=50, max_distance_km=5, power_kva=2000, gas=True, lon=111, lat=36)

    def fail(name, value, threshold, **params):
        return relaxation(Check(name, False, value, threshold, None, "", "", params),
                          needs, 20 * 10000 / 15)

    assert fail("distance", 6.041, 5) == \
        Relaxation("distance", "max_distance_km", "raise", 6.05, 5.0)
    assert fail("power", 1250.0, 2000) == Relaxation("power", "power_kva", "lower", 1250.0, 2000.0)
    assert fail("power", 0.0, 2000) is None  # no power at all: nothing to relax to
    assert fail("gas", "no", "yes") == Relaxation("gas", "gas", "drop")
    # 20 亩 at 400 万元/亩 needs 8,000 万元.
    assert fail("investment_intensity", 300.0, 400.0) == \
        Relaxation("investment_intensity", "total_investment", "raise", 8000.0, 6000.0)
    assert fail("status", "supplied", ["available"]) is None
    assert fail("land_use", "0701", "industrial2") is None


def test_a_suggestion_counts_every_parcel_it_lets_in():
    found = [Relaxation("area", "area_min_mu", "lower", v) for v in (48.0, 44.0, 31.0, 12.0)]
    (s,) = suggestions(found, 3)
    assert (s.relax.to, s.parcels) == (31.0, 3)
    (few,) = suggestions(found[:2], 5)
    assert (few.relax.to, few.parcels) == (44.0, 2)
