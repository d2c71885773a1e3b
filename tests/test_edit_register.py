"""Editing with the register's knowledge: town and park from the shape, towns that exist, the
land-use code list, required fields marked, overlaps refused unless confirmed (page and API)."""

from __future__ import annotations

import json
import re

import pytest
from shapely.geometry import box, mapping
from sqlalchemy import select

from geo.boundaries import places
from geo.county import load_county
from geo.editing import create_parcel, get_parcel, update_parcel
from geo.errors import FieldError
from geo.geometry import from_db
from geo.importer import Options, commit_plan, plan_import
from geo.models import Parcel
from geo.parcel_checks import Overlap, overlapping
from geo.reference import land_use as code_of
from tests.conftest import csrf_token, login

COUNTY = load_county()
CODE = "141023XZ0001"


def _clear_spot(session, town, size=0.0004):
    """Return a small square inside ``town`` that overlaps no parcel."""
    minx, miny, maxx, maxy = town.geometry.bounds
    for i in range(1, 40):
        for j in range(1, 40):
            x, y = minx + (maxx - minx) * i / 40, miny + (maxy - miny) * j / 40
            square = box(x, y, x + size, y + size)
            if town.geometry.contains(square) and not overlapping(session, square.buffer(
                    0.0002)) and not any(p.geometry.intersects(square) for p in COUNTY.parks):
                return square
    raise AssertionError(f"no clear spot in {town.name}")


def _another_parcel(session, parcel):
    return session.scalar(select(Parcel).where(Parcel.id != parcel.id).order_by(Parcel.id))


def test_a_new_parcel_takes_the_town_its_shape_lies_in(session):
    town = COUNTY.towns[1]
    square = _clear_spot(session, town)
    parcel = create_parcel(session, {"code": "NEW-1", "layer": "stock", "status": "available"},
                           mapping(square), "wang", places=places(session, COUNTY))
    assert parcel.town == town.name and parcel.park is None


def test_a_town_that_does_not_exist_is_refused_naming_the_field(session):
    parcel = get_parcel(session, CODE)
    with pytest.raises(FieldError, match="新成镇 does not exist") as refused:
        update_parcel(session, CODE, {"town": "新成镇"}, parcel.version, "wang",
                      places=places(session, COUNTY))
    assert refused.value.field == "town"


def test_reshaping_moves_the_town_the_user_did_not_choose(session):
    parcel = get_parcel(session, CODE)
    found = places(session, COUNTY)
    other = next(t for t in COUNTY.towns if t.name != parcel.town)
    square = _clear_spot(session, other)
    update_parcel(session, CODE, {"town": parcel.town}, parcel.version, "wang",
                  geometry=mapping(square), places=found)
    assert parcel.town == other.name


def test_a_change_that_names_neither_place_nor_shape_keeps_a_chosen_town(session):
    parcel = get_parcel(session, CODE)
    found = places(session, COUNTY)
    chosen = next(t.name for t in COUNTY.towns if t.name != parcel.town)
    update_parcel(session, CODE, {"town": chosen}, parcel.version, "wang", places=found)
    update_parcel(session, CODE, {"name": "只改名称"}, parcel.version, "wang", places=found)
    assert parcel.town == chosen and parcel.name == "只改名称"


def test_a_shape_over_another_parcel_is_refused_unless_confirmed(session):
    parcel = get_parcel(session, CODE)
    neighbour = _another_parcel(session, parcel)
    over = from_db(neighbour.geom).buffer(-0.00005)
    with pytest.raises(Overlap) as refused:
        update_parcel(session, CODE, {}, parcel.version, "wang", geometry=mapping(over))
    assert refused.value.overlaps[0]["code"] == neighbour.code
    assert refused.value.status == 409 and refused.value.code == "overlap"
    session.rollback()
    parcel = get_parcel(session, CODE)
    update_parcel(session, CODE, {}, parcel.version, "wang", geometry=mapping(over),
                  confirm_overlap=True)
    assert from_db(parcel.geom).symmetric_difference(over).area < 1e-12


def test_a_neighbour_sharing_only_a_boundary_is_no_overlap(session):
    square = _clear_spot(session, COUNTY.towns[2], size=0.001)
    left, right = box(*square.bounds[:2], square.bounds[0] + 0.0005, square.bounds[3]), \
        box(square.bounds[0] + 0.0005, square.bounds[1], *square.bounds[2:])
    create_parcel(session, {"code": "L-1", "layer": "stock", "status": "available"},
                  mapping(left), "wang")
    create_parcel(session, {"code": "R-1", "layer": "stock", "status": "available"},
                  mapping(right), "wang")  # no Overlap raised
    assert overlapping(session, right, get_parcel(session, "R-1").id) == []


def test_an_unknown_land_use_code_is_refused(session):
    parcel = get_parcel(session, CODE)
    with pytest.raises(FieldError, match="land-use code list"):
        update_parcel(session, CODE, {"land_use": "9999"}, parcel.version, "wang")


def test_api_answers_409_overlap_listing_the_parcels_and_saves_when_confirmed(client, session):
    login(client, "editor")
    parcel = get_parcel(session, CODE)
    neighbour = _another_parcel(session, parcel)
    over = mapping(from_db(neighbour.geom).buffer(-0.00005))
    headers = {"X-CSRFToken": csrf_token(client)}
    body = {"version": parcel.version, "geometry": json.loads(json.dumps(over))}
    refused = client.patch(f"/api/parcels/{CODE}", json=body, headers=headers)
    assert refused.status_code == 409
    answer = refused.get_json()
    assert answer["error"]["code"] == "overlap" and answer["error"]["field"] == "geometry"
    assert answer["overlaps"][0]["code"] == neighbour.code
    assert neighbour.code in answer["error"]["message"] and "亩" in answer["error"]["message"]
    saved = client.patch(f"/api/parcels/{CODE}", json={**body, "confirm_overlap": True},
                         headers=headers)
    assert saved.status_code == 200, saved.get_json()


def test_api_keeps_a_chosen_town_with_a_warning(client, session):
    login(client, "editor")
    parcel = get_parcel(session, CODE)
    elsewhere = next(t.name for t in COUNTY.towns if t.name != parcel.town)
    answer = client.patch(f"/api/parcels/{CODE}", json={
        "version": parcel.version, "values": {"town": elsewhere}},
        headers={"X-CSRFToken": csrf_token(client)})
    assert answer.status_code == 200
    assert answer.get_json()["properties"]["town"] == elsewhere
    assert any(elsewhere in w and parcel.town in w for w in answer.get_json()["warnings"])
    missing = client.patch(f"/api/parcels/{CODE}", json={
        "version": answer.get_json()["version"], "values": {"town": "新成镇"}},
        headers={"X-CSRFToken": csrf_token(client)})
    assert missing.status_code == 400 and missing.get_json()["error"]["field"] == "town"
    assert "新城镇" in missing.get_json()["error"]["message"]  # the towns that do exist


def test_the_openapi_document_states_the_overlap_answer(client):
    doc = client.get("/api/openapi.json").get_json()
    patch = doc["paths"]["/api/parcels/{code}"]["patch"]
    assert "overlap" in patch["responses"]["409"]["description"]
    assert "confirm_overlap" in doc["components"]["schemas"]["ParcelChange"]["properties"]
    assert "overlaps" in doc["components"]["schemas"]["Overlap"]["properties"]


def test_the_edit_form_offers_towns_parks_and_land_uses_and_marks_required_fields(client,
                                                                                   session):
    login(client, "editor")
    parcel = get_parcel(session, CODE)
    html = client.get(f"/parcels/{CODE}/edit").get_data(as_text=True)
    town = re.search(r'<select[^>]*name="town".*?</select>', html, re.S).group(0)
    assert all(f">{t.name}<" in town for t in COUNTY.towns)
    assert f'selected value="{parcel.town}"' in town
    park = re.search(r'<select[^>]*name="park".*?</select>', html, re.S).group(0)
    assert all(f">{p.name}<" in park for p in COUNTY.parks)
    land_use = re.search(r'<select[^>]*name="land_use".*?</select>', html, re.S).group(0)
    assert ">0601 工业用地<" in land_use
    # each code system is a group; the parcel's code is selected once, in its own system
    for name in ("land_use", "planned_use"):
        select = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
        assert '<optgroup label="三调工作分类">' in select and "用地用海分类" in select
        chosen = re.findall(r"<option selected[^>]*>([^<]*)<", select)
        code = code_of(getattr(parcel, f"{name}_system"), getattr(parcel, name))
        assert chosen == [code.label("zh")], name
    status_label = re.search(r'<label class="lm-required-field">状态<span class="lm-required"',
                             html)
    assert status_label, "the required status is marked"
    assert 'id="derived-town">按图形位于：' + parcel.town in html


def test_the_edit_page_warns_of_an_overlap_and_saves_once_it_is_confirmed(client, session):
    login(client, "editor")
    parcel = get_parcel(session, CODE)
    neighbour = _another_parcel(session, parcel)
    over = json.dumps(mapping(from_db(neighbour.geom).buffer(-0.00005)))
    form = {"csrf_token": csrf_token(client), "version": parcel.version, "geometry": over,
            "layer": parcel.layer, "status": parcel.status, "town": parcel.town or ""}
    refused = client.post(f"/parcels/{CODE}/edit", data=form)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert f"图形与地块 {neighbour.code} 重叠" in html and 'id="confirm-overlap"' in html
    saved = client.post(f"/parcels/{CODE}/edit", data={**form, "confirm_overlap": "1"})
    assert saved.status_code == 302


def test_the_edit_page_refuses_a_town_that_does_not_exist(client, session):
    login(client, "editor")
    parcel = get_parcel(session, CODE)
    answer = client.post(f"/parcels/{CODE}/edit", data={
        "csrf_token": csrf_token(client), "version": parcel.version, "layer": parcel.layer,
        "status": parcel.status, "town": "新成镇"})
    assert answer.status_code == 400
    assert "所在乡镇 新成镇 不存在" in answer.get_data(as_text=True)


def test_an_import_stores_the_town_of_the_shape_and_warns_where_the_file_differs(session,
                                                                                 tmp_path):
    right, wrong = COUNTY.towns[3], COUNTY.towns[4]
    square = _clear_spot(session, right)
    path = tmp_path / "parcels.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"地块编号": "IMP-1", "乡镇": wrong.name},
        "geometry": mapping(square)}]}, ensure_ascii=False), encoding="utf-8")
    plan = plan_import(path, "stock", central_meridian=111, options=Options(
        county=COUNTY.outline, places=places(session, COUNTY)))
    assert plan.ok
    warning = next(i for i in plan.issues if i.field == "town")
    assert warning.severity == "warning" and warning.params["derived"] == right.name
    commit_plan(session, plan)
    assert get_parcel(session, "IMP-1").town == right.name


def test_a_project_takes_its_town_from_the_list_and_not_one_that_does_not_exist(client,
                                                                                  session):
    login(client, "editor")
    project = "141023XM004"
    html = client.get(f"/projects/{project}/edit").get_data(as_text=True)
    town = re.search(r'<select[^>]*name="town".*?</select>', html, re.S).group(0)
    assert all(f">{t.name}<" in town for t in COUNTY.towns)
    assert re.search(r'<label class="lm-required-field">项目名称<span class="lm-required"', html)
    version = client.get(f"/api/projects/{project}").get_json()["properties"]["version"]
    answer = client.patch(f"/api/projects/{project}", json={
        "version": version, "values": {"town": "新成镇"}},
        headers={"X-CSRFToken": csrf_token(client)})
    assert answer.status_code == 400 and answer.get_json()["error"]["field"] == "town"
    assert "项目" not in answer.get_json()["error"]["message"] or "新成镇" in \
        answer.get_json()["error"]["message"]
