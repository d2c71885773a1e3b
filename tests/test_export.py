"""Layer downloads: RFC 7946 GeoJSON with every attribute, by HTTP and by the CLI."""

import json

import pyogrio
import pytest
from shapely.geometry import shape

from geo.county import load_county
from geo.fields import fields_for


def _rings(geometry):
    for polygon in getattr(geometry, "geoms", [geometry]):
        yield polygon.exterior, True
        for hole in polygon.interiors:
            yield hole, False


@pytest.mark.parametrize("layer", ["sites", "idle", "stock"])
def test_export_is_rfc7946(client, layer):
    response = client.get(f"/export/{layer}.geojson")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["type"] == "FeatureCollection" and "crs" not in data
    county = load_county().outline.buffer(0.01)
    assert data["features"]
    for feature in data["features"]:
        geometry = shape(feature["geometry"])
        assert county.contains(geometry)  # lon/lat order, inside Xiangfen
        for ring, is_shell in _rings(geometry):
            assert ring.is_ccw == is_shell  # outer rings counter-clockwise, holes clockwise


def test_export_carries_every_attribute_of_the_layer(client):
    data = json.loads(client.get("/export/idle.geojson").data)
    names = {f.name for f in fields_for("parcel", "idle")}
    assert all(names <= set(f["properties"]) for f in data["features"])
    assert len(data["features"]) == client.get("/api/parcels?layer=idle").get_json()[
        "numberMatched"]


def test_export_opens_in_gdal_with_the_same_parcels(client, tmp_path):
    path = tmp_path / "stock.geojson"
    path.write_bytes(client.get("/export/stock.geojson").data)
    frame = pyogrio.read_dataframe(path)
    assert frame.crs.to_epsg() == 4326  # RFC 7946: GDAL reads it as WGS84 lon/lat
    api = client.get("/api/parcels?layer=stock&limit=10000").get_json()
    assert sorted(frame["code"]) == sorted(f["id"] for f in api["features"])


def test_cli_export_writes_the_layer(app, tmp_path):
    out = tmp_path / "idle.geojson"
    result = app.test_cli_runner().invoke(args=["export", "--layer", "idle", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert f"已写入 {len(data['features'])} 个要素" in result.output
    assert len(data["features"]) >= 60


def test_export_of_an_unknown_layer_is_a_clear_404_or_400(client):
    response = client.get("/export/forest.geojson")
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "layer"
