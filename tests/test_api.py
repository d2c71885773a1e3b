"""GET /api/parcels, /api/projects and /api/layers/<name>: GeoJSON by bbox, filters, pages."""

import pytest
from shapely.geometry import box, shape
from sqlalchemy import select

from geo.features import MAX_LIMIT
from geo.models import Parcel

BBOX = "111.40,35.80,111.50,35.90"


def test_parcels_in_a_bbox_are_exactly_those_that_intersect_it(client):
    everything = client.get("/api/parcels?layer=stock&limit=10000").get_json()
    inside = client.get(f"/api/parcels?layer=stock&bbox={BBOX}&limit=10000").get_json()
    area = box(111.40, 35.80, 111.50, 35.90)
    expected = {f["id"] for f in everything["features"] if shape(f["geometry"]).intersects(area)}
    assert {f["id"] for f in inside["features"]} == expected
    assert 0 < len(expected) < everything["numberMatched"]
    assert inside["numberMatched"] == len(expected)


def test_parcels_carry_dictionary_fields_and_areas(client):
    feature = client.get("/api/parcels?layer=idle&limit=1").get_json()["features"][0]
    props = feature["properties"]
    assert props["layer"] == "idle" and props["code"] == feature["id"]
    assert {"holder", "land_use", "plot_ratio", "building_coefficient", "investment_intensity",
            "idle_cause", "idle_since", "disposal", "area_mu", "area_ha"} <= set(props)
    assert props["area_mu"] == pytest.approx(props["area_m2"] / (10000 / 15), rel=1e-4)


def test_filters_narrow_by_town_status_and_accept_labels(client):
    by_code = client.get("/api/parcels?layer=stock&status=available&town=新城镇").get_json()
    by_label = client.get("/api/parcels?layer=stock&status=可供地&town=新城镇").get_json()
    assert by_code["numberMatched"] == by_label["numberMatched"] > 0
    assert all(f["properties"]["status"] == "available" and f["properties"]["town"] == "新城镇"
               for f in by_code["features"])
    either = client.get("/api/parcels?layer=stock&status=available,underused").get_json()
    assert either["numberMatched"] > by_code["numberMatched"]


def test_paging_follows_next_links_without_gaps_or_repeats(client):
    first = client.get("/api/parcels?layer=idle&limit=25").get_json()
    seen = [f["id"] for f in first["features"]]
    page = first
    while any(link["rel"] == "next" for link in page["links"]):
        href = next(link["href"] for link in page["links"] if link["rel"] == "next")
        page = client.get(href).get_json()
        seen += [f["id"] for f in page["features"]]
    assert len(seen) == len(set(seen)) == first["numberMatched"]


def test_projects_filter_by_stage_and_have_null_geometry_until_landed(client):
    signed = client.get("/api/projects?stage=signed").get_json()
    assert signed["numberMatched"] > 0
    assert all(f["geometry"] is None for f in signed["features"])
    producing = client.get("/api/projects?stage=投产").get_json()
    assert all(f["geometry"] for f in producing["features"])


def test_sites_layer_holds_only_projects_with_a_site(client):
    sites = client.get("/api/layers/sites").get_json()
    projects = client.get("/api/projects").get_json()
    assert 0 < sites["numberMatched"] < projects["numberMatched"]
    assert all(f["geometry"] for f in sites["features"])


def test_responses_are_geojson_with_readable_chinese(client):
    response = client.get("/api/parcels?layer=stock&limit=1")
    assert response.mimetype == "application/geo+json"
    assert "新城镇".encode() in client.get("/api/parcels?layer=stock&town=新城镇&limit=1").data


@pytest.mark.parametrize(("url", "field"), [
    ("/api/parcels?layer=stock&bbox=1,2,3", "bbox"),
    ("/api/parcels?layer=stock&bbox=a,b,c,d", "bbox"),
    ("/api/parcels?layer=stock&bbox=112,35,111,36", "bbox"),
    ("/api/parcels?layer=forest", "layer"),
    ("/api/parcels", "layer"),
    ("/api/layers/forest", "layer"),
    (f"/api/parcels?layer=stock&limit={MAX_LIMIT + 1}", "limit"),
    ("/api/parcels?layer=stock&limit=0", "limit"),
    ("/api/parcels?layer=stock&offset=-1", "offset"),
    ("/api/parcels?layer=stock&status=burning", "status"),
    ("/api/projects?stage=finished", "stage"),
])
def test_bad_input_gets_400_naming_the_field(client, url, field):
    response = client.get(url)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == field and error["message"] and error["code"]


def test_a_layer_asked_again_unchanged_is_not_sent_again_but_an_edit_is(client, session):
    url = f"/api/layers/stock?bbox={BBOX}"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["ETag"]
    assert "no-cache" in first.headers["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    code = first.get_json()["features"][0]["id"]
    parcel = session.scalars(select(Parcel).where(Parcel.code == code)).one()
    parcel.holder = "新的权利人"
    session.commit()
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    assert changed.get_json()["features"][0]["properties"]["holder"] == "新的权利人"
