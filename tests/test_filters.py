"""The layers' filters (geo/filters.py), defined once: the same answer from the API, OGC API,
the exports and the idle-land page, on SpatiaLite and PostGIS. Expected answers are computed
from the records themselves, never from demo counts."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from geo.areas import m2_to_mu
from geo.errors import GeoError
from geo.features import LAYERS, query_layer
from geo.filters import land_use_classes, parse_filters
from geo.models import Parcel, Project
from geo.supply import offerable_statuses

NEW_TOWN = "新城镇"


def _codes(session, layer: str, args: dict) -> set[str]:
    import json

    page = query_layer(session, LAYERS[layer], filters=parse_filters(LAYERS[layer], args),
                       limit=10000)
    return {json.loads(f)["id"] for f in page.features}


def _idle_parcels(session) -> list[Parcel]:
    return list(session.scalars(select(Parcel).where(Parcel.layer == "idle")))


def _threshold(parcels: list[Parcel]) -> float:
    """An area in 亩 that some of the parcels reach and some do not (the median)."""
    areas = sorted(m2_to_mu(p.area_m2) for p in parcels)
    return round(areas[len(areas) // 2], 1)


def test_idle_land_in_a_town_over_an_area_is_exactly_the_parcels_that_fit(session):
    in_town = [p for p in _idle_parcels(session) if p.town == NEW_TOWN]
    least = _threshold(in_town)
    expected = {p.code for p in in_town if m2_to_mu(p.area_m2) >= least}
    found = _codes(session, "idle", {"town": NEW_TOWN, "area_mu_min": str(least)})
    assert found == expected
    assert 0 < len(found) < len(in_town)


def test_an_area_range_takes_both_bounds_in_mu(session):
    parcels = list(session.scalars(select(Parcel).where(Parcel.layer == "stock")))
    low, high = _threshold(parcels) / 2, _threshold(parcels)
    expected = {p.code for p in parcels if low <= m2_to_mu(p.area_m2) <= high}
    assert _codes(session, "stock", {"area_mu_min": str(low), "area_mu_max": str(high)}) \
        == expected != set()


def test_a_minimum_above_the_maximum_selects_nothing(session):
    assert _codes(session, "idle", {"area_mu_min": "50", "area_mu_max": "10"}) == set()


def test_price_and_utilities_filter_on_their_columns(session):
    parcels = list(session.scalars(select(Parcel).where(Parcel.layer == "stock")))
    priced = sorted(p.price for p in parcels if p.price is not None)
    most = priced[len(priced) // 2]
    expected = {p.code for p in parcels if p.price is not None and p.price <= most
                and p.gas == "yes"}
    assert _codes(session, "stock", {"price_max": str(most), "gas": "yes"}) == expected


def test_a_land_use_class_holds_its_codes_and_industrial_holds_its_three_classes(session):
    parcels = list(session.scalars(select(Parcel).where(Parcel.layer == "stock")))
    classes = land_use_classes()
    industrial = {(s, c) for s, codes in classes["industrial"].items() for c in codes}
    assert {(s, c) for s, codes in classes["industrial1"].items() for c in codes} < industrial
    # matching's use: the planned one, else the current, each in its own code system
    expected = {p.code for p in parcels
                if ((p.planned_use_system, p.planned_use) if p.planned_use
                    else (p.land_use_system, p.land_use)) in industrial}
    assert _codes(session, "stock", {"land_use_class": "industrial"}) == expected != set()


def test_offerable_only_asks_the_one_offerable_rule(session):
    from geo.supply import offerable_clause

    statuses = offerable_statuses(session)
    expected = set(session.scalars(select(Parcel.code).where(
        Parcel.layer == "stock", offerable_clause(statuses))))
    assert _codes(session, "stock", {"offerable": "true"}) == expected


def test_words_find_a_parcel_by_code_holder_and_the_project_that_holds_it(session):
    parcel = next(p for p in _idle_parcels(session) if p.holder)
    assert parcel.code in _codes(session, "idle", {"q": parcel.code.lower()})
    assert parcel.code in _codes(session, "idle", {"q": parcel.holder})
    project = session.scalars(select(Project).where(Project.parcel_id.is_not(None))).first()
    held = session.get(Parcel, project.parcel_id)
    assert held.code in _codes(session, held.layer, {"q": project.name})
    assert project.code in _codes(session, "sites", {"q": held.code})


def test_words_with_like_wildcards_match_literally(session):
    assert _codes(session, "idle", {"q": "%"}) == set()
    assert _codes(session, "stock", {"q": "_"}) == set()


@pytest.mark.parametrize(("args", "field"), [
    ({"area_mu_min": "thirty"}, "area_mu_min"),
    ({"area_mu_max": "-1"}, "area_mu_max"),
    ({"price_min": "nan"}, "price_min"),
    ({"land_use_class": "farmland"}, "land_use_class"),
    ({"q": "x" * 101}, "q"),
])
def test_a_malformed_filter_is_refused_naming_it(args, field):
    with pytest.raises(GeoError) as caught:
        parse_filters(LAYERS["idle"], args)
    assert caught.value.field == field


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
def test_a_malformed_filter_is_a_400_naming_it_in_chinese(client):
    response = client.get("/api/parcels?layer=idle&area_mu_min=thirty")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == "area_mu_min" and "面积下限（亩）" in error["message"]


def _query(session) -> tuple[dict, set[str]]:
    in_town = [p for p in _idle_parcels(session) if p.town == NEW_TOWN]
    least = _threshold(in_town)
    expected = {p.code for p in in_town if m2_to_mu(p.area_m2) >= least}
    return {"town": NEW_TOWN, "area_mu_min": str(least)}, expected


def test_the_api_the_ogc_api_the_exports_and_the_idle_page_give_the_same_parcels(
        client, session):
    args, expected = _query(session)
    api = client.get("/api/parcels", query_string={"layer": "idle", **args}).get_json()
    assert {f["id"] for f in api["features"]} == expected
    layer = client.get("/api/layers/idle", query_string=args).get_json()
    assert {f["id"] for f in layer["features"]} == expected
    ogc = client.get("/ogc/collections/idle/items",
                     query_string={**args, "f": "json", "limit": 1000}).get_json()
    assert {f["id"] for f in ogc["features"]} == expected
    geojson = client.get("/export/idle.geojson", query_string=args).get_json()
    assert {f["properties"]["code"] for f in geojson["features"]} == expected
    text = client.get("/export/idle.csv", query_string={**args, "headers": "names"})
    rows = list(csv.DictReader(io.StringIO(text.get_data(as_text=True).lstrip("\ufeff"))))
    assert {r["code"] for r in rows} == expected
    page = client.get("/idle", query_string=args).get_data(as_text=True)
    codes = {p.code for p in _idle_parcels(session)}
    assert {c for c in codes if f"<td>{c}</td>" in page} == expected


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
def test_the_openapi_document_and_the_ogc_queryables_name_the_filters(client):
    doc = client.get("/api/openapi.json").get_json()
    params = {p["name"] for p in doc["paths"]["/api/parcels"]["get"]["parameters"]}
    assert {"area_mu_min", "area_mu_max", "price_min", "price_max", "q", "land_use_class",
            "gas", "rail", "offerable", "town", "park", "status"} <= params
    ogc_params = {p["name"] for p in
                  doc["paths"]["/ogc/collections/idle/items"]["get"]["parameters"]}
    assert {"area_mu_min", "area_mu_max", "q"} <= ogc_params
    queryables = client.get("/ogc/collections/idle/queryables")
    assert queryables.mimetype == "application/schema+json"
    props = queryables.get_json()["properties"]
    assert props["area_mu"]["type"] == "number" and "town" in props and "q" in props
    links = client.get("/ogc/collections/idle?f=json").get_json()["links"]
    assert any(link["rel"].endswith("/queryables") for link in links)


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
def test_the_idle_page_shows_each_parcels_area_in_mu(client, session):
    page = client.get("/idle").get_data(as_text=True)
    parcel = _idle_parcels(session)[0]
    assert f'data-value="{m2_to_mu(parcel.area_m2):.4f}"' in page
    assert "面积（亩）" in page
