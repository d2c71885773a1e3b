"""The bureau's own town and park outlines: loaded from a file (CRS and encoding as for parcels),
kept when replaced, and every parcel's town and park derived from its shape."""

from __future__ import annotations

import csv
import io
import json

import pytest
import shapely
from shapely.geometry import box, mapping
from sqlalchemy import select

from geo.boundaries import current, load_boundaries, places
from geo.county import load_county
from geo.crs import reproject
from geo.errors import GeoError
from geo.geometry import from_db
from geo.models import AuditRecord, Boundary, Parcel
from tests.conftest import csrf_token, login

COUNTY = load_county()


def _halves():
    """The county's box cut in two at its centre: a west and an east "town"."""
    minx, miny, maxx, maxy = COUNTY.outline.bounds
    mid = (minx + maxx) / 2
    return box(minx - 0.01, miny - 0.01, mid, maxy + 0.01), box(mid, miny - 0.01, maxx + 0.01,
                                                                 maxy + 0.01)


def _geojson(path, rows):
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": mapping(geom)}
        for props, geom in rows]}, ensure_ascii=False), encoding="utf-8")
    return path


def _towns_file(tmp_path, names=("西部镇", "东部镇")):
    west, east = _halves()
    return _geojson(tmp_path / "towns.geojson", [({"XZQMC": names[0], "XZQDM": "1"}, west),
                                                  ({"XZQMC": names[1], "XZQDM": "2"}, east)])


def test_loading_towns_replaces_the_outlines_and_relocates_every_parcel(session, tmp_path):
    loaded, moved = load_boundaries(session, _towns_file(tmp_path), "towns", COUNTY, "admin")
    assert [p.name for p in loaded.places] == ["西部镇", "东部镇"]
    assert moved > 0
    mid = (COUNTY.outline.bounds[0] + COUNTY.outline.bounds[2]) / 2
    for parcel in session.scalars(select(Parcel)):
        centre = from_db(parcel.geom).representative_point()
        # A parcel straddling the cut takes the side that holds most of it.
        if abs(centre.x - mid) > 0.01:
            assert parcel.town == ("西部镇" if centre.x < mid else "东部镇"), parcel.code
    assert places(session, COUNTY).names("towns") == ["西部镇", "东部镇"]
    located = session.scalars(select(AuditRecord).where(AuditRecord.action == "locate")).all()
    assert len(located) == moved and all("town" in r.changes for r in located)


def test_a_second_load_keeps_the_first_dated_nothing_is_deleted(session, tmp_path):
    load_boundaries(session, _towns_file(tmp_path), "towns", COUNTY, "admin")
    load_boundaries(session, _towns_file(tmp_path, ("甲镇", "乙镇")), "towns", COUNTY, "admin")
    rows = session.scalars(select(Boundary).order_by(Boundary.id)).all()
    assert [r.name for r in rows] == ["西部镇", "东部镇", "甲镇", "乙镇"]
    assert rows[0].replaced_at is not None and rows[2].replaced_at is None
    assert [r.name for r in current(session, "towns")] == ["甲镇", "乙镇"]
    assert {p.town for p in session.scalars(select(Parcel))} <= {"甲镇", "乙镇", None}


def test_without_a_load_the_county_files_are_used(session):
    assert places(session, COUNTY).names("towns") == [t.name for t in COUNTY.towns]
    assert places(session, COUNTY).loaded == frozenset()


def test_projected_gbk_csv_is_read_in_the_county_zone(session, tmp_path):
    """Metres without a CRS: the county's Gauss–Krüger zone (EPSG:4546); GBK detected."""
    west, east = _halves()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["名称", "WKT"])
    for name, geom in (("西部镇", west), ("东部镇", east)):
        writer.writerow([name, reproject(geom, 4490, 4546).wkt])
    path = tmp_path / "towns.csv"
    path.write_bytes(buffer.getvalue().encode("gbk"))
    loaded, _moved = load_boundaries(session, path, "towns", COUNTY, "admin")
    assert loaded.crs == "EPSG:4546"
    assert any(params.get("encoding") == "GBK" or "GBK" in str(params.values())
               for _note, params in loaded.notes)
    stored = shapely.from_geojson(current(session, "towns")[0].geometry)
    assert stored.symmetric_difference(west).area < 1e-8


def test_a_row_without_a_name_refuses_the_file_and_changes_nothing(session, tmp_path):
    west, east = _halves()
    path = _geojson(tmp_path / "bad.geojson", [({"name": "西部镇"}, west), ({"name": ""}, east)])
    before = {p.code: p.town for p in session.scalars(select(Parcel))}
    with pytest.raises(GeoError, match="Row 2"):
        load_boundaries(session, path, "towns", COUNTY, "admin")
    assert current(session, "towns") == []
    assert {p.code: p.town for p in session.scalars(select(Parcel))} == before


def test_parks_are_derived_too_and_a_parcel_outside_every_park_has_none(session, tmp_path):
    parcel = session.scalars(select(Parcel).order_by(Parcel.id)).first()
    shape = from_db(parcel.geom)
    park = _geojson(tmp_path / "parks.geojson", [({"园区名称": "新园区"}, shape.buffer(0.0005))])
    load_boundaries(session, park, "parks", COUNTY, "admin")
    session.refresh(parcel)
    assert parcel.park == "新园区"
    assert session.scalar(select(Parcel).where(Parcel.park.is_not(None),
                                               Parcel.park != "新园区")) is None


def test_import_boundaries_command_loads_and_reports(app, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["import-boundaries", str(_towns_file(tmp_path)), "--kind", "towns"])
    assert result.exit_code == 0, result.output
    assert "已载入 2 个边界" in result.output
    bad = tmp_path / "empty.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    refused = app.test_cli_runner().invoke(args=["import-boundaries", str(bad), "--kind",
                                                 "parks"])
    assert refused.exit_code == 1 and "错误" in refused.output


def test_admin_page_loads_a_file_and_the_map_draws_the_new_towns(client, tmp_path):
    login(client, "admin")
    page = client.get("/admin/boundaries")
    assert page.status_code == 200 and "新城镇" in page.get_data(as_text=True)
    path = _towns_file(tmp_path)
    with path.open("rb") as f:
        answer = client.post("/admin/boundaries", data={
            "csrf_token": csrf_token(client), "kind": "towns",
            "file": (f, "乡镇界线.geojson")}, content_type="multipart/form-data",
            follow_redirects=True)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "已载入 2 个边界" in html
    assert "西部镇、东部镇" in html and "乡镇界线.geojson" in html
    the_map = client.get("/").get_data(as_text=True)
    # folium writes the outlines as JSON, non-ASCII escaped
    assert "西部镇" in the_map or json.dumps("西部镇")[1:-1] in the_map
    assert "新城镇" not in the_map and json.dumps("新城镇")[1:-1] not in the_map


def test_the_boundaries_page_is_for_admins_only(client):
    login(client, "editor")
    assert client.get("/admin/boundaries").status_code == 403


def test_the_match_and_its_document_take_the_towns_in_use(client, session, tmp_path):
    load_boundaries(session, _towns_file(tmp_path), "towns", COUNTY, "admin")
    session.commit()
    needs = {"industry": "35", "land_class": "industrial", "area_min_mu": 5, "area_max_mu": 300,
             "total_investment": 10000}
    assert client.post("/api/match", json={**needs, "towns": "西部镇"}).status_code == 200
    refused = client.post("/api/match", json={**needs, "towns": "新城镇"})
    assert refused.status_code == 422 and "新城镇" in refused.get_json()["error"]["message"]
    document = json.dumps(client.get("/api/openapi.json").get_json(), ensure_ascii=False)
    assert "西部镇" in document and "新城镇" not in document
    form = client.get("/match").get_data(as_text=True)
    assert "西部镇" in form or json.dumps("西部镇")[1:-1] in form
