"""Downloads in GeoPackage, zipped Shapefile, CSV and XLSX: fields, labels, filters, GK zone."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pyogrio
import pytest

from geo.fields import fields_for


def _api_codes(client, query=""):
    data = client.get(f"/api/parcels?layer=idle&limit=10000{query}").get_json()
    return sorted(f["id"] for f in data["features"])


def test_geopackage_download_has_the_layer_with_chinese_headers(client, tmp_path):
    response = client.get("/export/idle.gpkg")
    assert response.status_code == 200 and "idle.gpkg" in response.headers[
        "Content-Disposition"]
    path = tmp_path / "idle.gpkg"
    path.write_bytes(response.data)
    frame = pyogrio.read_dataframe(path, layer="idle")
    assert {f.zh for f in fields_for("parcel", "idle")} <= set(frame.columns)
    assert sorted(frame["地块编号"]) == _api_codes(client)
    # labels, not codes (可供地: idle land taken back into the reserve)
    assert set(frame["状态"]) <= {"闲置未处置", "处置中", "已处置", "已收回", "可供地"}
    assert frame.crs.to_epsg() == 4490


def test_shapefile_zip_has_cpg_prj_and_dbf_names(client, tmp_path):
    data = client.get("/export/idle.shp.zip").data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        assert {"idle.shp", "idle.shx", "idle.dbf", "idle.prj", "idle.cpg"} <= names
        assert archive.read("idle.cpg").decode().strip().upper() in ("UTF-8", "UTF8")
        archive.extractall(tmp_path)
    frame = pyogrio.read_dataframe(tmp_path / "idle.shp")
    assert {"DKBH", "TQMJ", "DJMJ", "RJL", "TZQD", "QLR"} <= set(frame.columns)
    assert sorted(frame["DKBH"]) == _api_codes(client)


def test_gk_zone_export_is_in_the_county_zone(client, tmp_path):
    data = client.get("/export/idle.shp.zip?gk=1").data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(tmp_path)
    frame = pyogrio.read_dataframe(tmp_path / "idle.shp")
    assert frame.crs.to_epsg() == 4546
    minx, miny, maxx, maxy = frame.total_bounds
    assert 400_000 < minx < maxx < 600_000 and 3_900_000 < miny < maxy < 4_100_000


def test_csv_has_wkt_and_english_headers_and_honours_filters(client):
    text = client.get("/export/idle.csv?headers=en&status=disposed").data.decode("utf-8-sig")
    header, *rows = text.splitlines()
    assert header.startswith("Parcel code,") and header.endswith(",WKT")
    assert all("MULTIPOLYGON" in row for row in rows)
    assert sorted(r.split(",")[0] for r in rows) == _api_codes(client, "&status=disposed")
    assert 0 < len(rows) < len(_api_codes(client))


def test_xlsx_opens_in_openpyxl_with_labels(client):
    book = openpyxl.load_workbook(io.BytesIO(client.get("/export/stock.xlsx?bbox="
                                                        "111.40,35.80,111.50,35.90").data))
    sheet = book["stock"]
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["地块编号", "图层", "地块名称"] and headers[-1] == "WKT"
    assert {"椭球面积（亩）", "登记面积", "登记面积单位"} <= set(headers)
    assert sheet.max_row - 1 == client.get(
        "/api/parcels?layer=stock&bbox=111.40,35.80,111.50,35.90").get_json()["numberMatched"]


def test_geojson_with_another_crs_is_refused_by_name(client):
    response = client.get("/export/idle.geojson?crs=EPSG:4546")
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "crs"


@pytest.mark.parametrize("ext", ["gpkg", "shp.zip", "csv", "xlsx", "geojson"])
def test_cli_export_picks_the_format_from_the_extension(app, tmp_path, ext):
    out = tmp_path / f"idle.{ext}"
    result = app.test_cli_runner().invoke(args=["export", "--layer", "idle", "-o", str(out),
                                                "--filter", "status=idle"])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0 and "个要素" in result.output


def test_cli_export_refuses_an_unknown_extension(app, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["export", "--layer", "idle", "-o", str(tmp_path / "idle.kml")])
    assert result.exit_code != 0 and ".gpkg" in result.output
