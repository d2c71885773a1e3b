"""Vector tiles of the map layers: what a tile holds, what it leaves out, errors and caching."""

from __future__ import annotations

import math

import mapbox_vector_tile
import pytest
import shapely
from shapely.geometry import Point, box, shape
from sqlalchemy import select

from geo.editing import delete_parcel
from geo.features import LAYERS
from geo.geometry import from_db
from geo.models import Parcel, Project
from geo.tiles import EXTENT, tile_lonlat

CODE = "141023XZ0001"


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    """Return the z/x/y of the Web Mercator tile holding lon/lat."""
    n = 2 ** z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return z, int((lon + 180) / 360 * n), int(y)


def features(response, layer: str) -> list[dict]:
    """Decode a tile response; return the features of ``layer`` (none for an empty tile)."""
    if response.status_code == 204:
        return []
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/vnd.mapbox-vector-tile"
    decoded = mapbox_vector_tile.decode(response.data, default_options={"y_coord_down": True})
    return decoded[layer]["features"] if layer in decoded else []


def live(session, layer: str) -> list[Parcel | Project]:
    """Return the layer's records that are not in the bin, with a geometry."""
    if layer == "sites":
        return list(session.scalars(select(Project).where(
            Project.deleted_at.is_(None), Project.site.is_not(None))))
    return list(session.scalars(select(Parcel).where(
        Parcel.layer == layer, Parcel.deleted_at.is_(None))))


def meeting(session, layer: str, z: int, x: int, y: int) -> dict[str, str]:
    """Return {code: colour attribute} of the records whose geometry meets the tile."""
    envelope = box(*tile_lonlat(z, x, y))
    records = live(session, layer)
    return {r.code: (r.stage if layer == "sites" else r.status) for r in records
            if from_db(r.site if layer == "sites" else r.geom).intersects(envelope)}


def in_tile_units(point: Point, z: int, x: int, y: int) -> Point:
    """Return a lon/lat point in the tile's own units (0..EXTENT, y down)."""
    west, south, east, north = tile_lonlat(z, x, y)

    def merc(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    return Point((point.x - west) / (east - west) * EXTENT,
                 (merc(north) - merc(point.y)) / (merc(north) - merc(south)) * EXTENT)


def parcel_tile(session, code: str, z: int) -> tuple[int, int, int]:
    parcel = session.scalar(select(Parcel).where(Parcel.code == code))
    centre = from_db(parcel.geom).centroid
    return tile_of(centre.x, centre.y, z)


@pytest.mark.parametrize("z", [13, 15])
def test_a_tile_holds_exactly_the_parcels_that_meet_it(client, session, z):
    z, x, y = parcel_tile(session, CODE, z)
    for layer in ("idle", "stock"):
        want = meeting(session, layer, z, x, y)
        got = features(client.get(f"/tiles/{layer}/{z}/{x}/{y}.mvt"), layer)
        assert {f["properties"]["code"]: f["properties"]["status"] for f in got} == want
        assert len(got) == len(want)  # each once
        assert all(set(f["properties"]) == {"code", "status"} for f in got)
    assert CODE in {f["properties"]["code"]
                    for f in features(client.get(f"/tiles/idle/{z}/{x}/{y}.mvt"), "idle")}


def test_a_sites_tile_carries_each_projects_stage(client, session):
    site = from_db(session.scalar(select(Project.site).where(Project.site.is_not(None))))
    z, x, y = tile_of(site.centroid.x, site.centroid.y, 14)
    want = meeting(session, "sites", z, x, y)
    got = features(client.get(f"/tiles/sites/{z}/{x}/{y}.mvt"), "sites")
    assert want and {f["properties"]["code"]: f["properties"]["stage"] for f in got} == want


def test_the_outline_is_drawn_where_the_parcel_lies_in_the_tile(client, session):
    z, x, y = parcel_tile(session, CODE, 16)
    parcel = from_db(session.scalar(select(Parcel.geom).where(Parcel.code == CODE)))
    got = next(f for f in features(client.get(f"/tiles/idle/{z}/{x}/{y}.mvt"), "idle")
               if f["properties"]["code"] == CODE)
    outline = shape(got["geometry"])
    assert outline.geom_type in ("Polygon", "MultiPolygon")
    assert outline.contains(in_tile_units(parcel.centroid, z, x, y))


def test_at_low_zoom_every_parcel_lies_under_a_drawn_shape(client, session):
    z, x, y = parcel_tile(session, CODE, 9)
    want = meeting(session, "stock", z, x, y)
    got = features(client.get(f"/tiles/stock/{z}/{x}/{y}.mvt"), "stock")
    assert 0 < len(got) < len(want)  # small parcels share the two-pixel squares
    assert {f["properties"]["code"] for f in got} <= set(want)
    drawn = shapely.union_all([shape(f["geometry"]) for f in got]).buffer(1)
    for parcel in live(session, "stock"):
        if parcel.code in want:
            point = in_tile_units(from_db(parcel.geom).centroid, z, x, y)
            if 0 <= point.x <= EXTENT and 0 <= point.y <= EXTENT:
                assert drawn.contains(point), parcel.code
    # every status of the view keeps its colour
    assert {f["properties"]["status"] for f in got} == set(want.values())


def test_a_tile_far_from_every_parcel_is_empty(client):
    z, x, y = tile_of(-70.0, -45.0, 12)  # Patagonia
    response = client.get(f"/tiles/stock/{z}/{x}/{y}.mvt")
    assert response.status_code == 204 and response.data == b""
    assert features(response, "stock") == []


def test_a_parcel_in_the_bin_is_not_in_its_tile(client, session):
    z, x, y = parcel_tile(session, CODE, 14)
    url = f"/tiles/idle/{z}/{x}/{y}.mvt"
    assert CODE in {f["properties"]["code"] for f in features(client.get(url), "idle")}
    version = session.scalar(select(Parcel.version).where(Parcel.code == CODE))
    delete_parcel(session, CODE, version, "test")
    session.commit()
    assert CODE not in {f["properties"]["code"] for f in features(client.get(url), "idle")}


def test_tiles_take_the_layer_filters(client, session):
    z, x, y = parcel_tile(session, CODE, 12)
    everything = meeting(session, "stock", z, x, y)
    status = sorted(set(everything.values()))[0]
    got = features(client.get(f"/tiles/stock/{z}/{x}/{y}.mvt?status={status}"), "stock")
    assert got and {f["properties"]["status"] for f in got} == {status}


@pytest.mark.parametrize("path, status, field", [
    ("/tiles/idle/23/0/0.mvt", 400, "z"),
    ("/tiles/idle/3/8/0.mvt", 404, "x"),
    ("/tiles/idle/3/0/8.mvt", 404, "y"),
    ("/tiles/rivers/3/0/0.mvt", 400, "layer"),
    ("/tiles/idle/3/0/0.mvt?status=nonsense", 400, "status"),
    ("/tiles/idle/-1/0/0.mvt", 404, None),
    ("/tiles/idle/3/0/x.mvt", 404, None),
])
def test_a_tile_outside_the_grid_is_refused_with_the_error_shape(client, path, status, field):
    response = client.get(path)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] and error["message"]
    assert error.get("field") == field


def test_a_tile_is_cached_briefly_and_revalidated_by_its_etag(client, session):
    z, x, y = parcel_tile(session, CODE, 13)
    url = f"/tiles/idle/{z}/{x}/{y}.mvt"
    first = client.get(url)
    etag = first.headers["ETag"]
    assert "max-age=" in first.headers["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    version = session.scalar(select(Parcel.version).where(Parcel.code == CODE))
    delete_parcel(session, CODE, version, "test")
    session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_the_tile_endpoint_is_in_the_api_document(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    # one path per layer, each with that layer's filters
    assert {f"/tiles/{name}/{{z}}/{{x}}/{{y}}.mvt" for name in LAYERS} <= set(paths)


def test_without_public_read_a_tile_needs_a_signed_in_account(app, session):
    app.config["PUBLIC_READ"] = False
    z, x, y = parcel_tile(session, CODE, 14)
    response = app.test_client().get(f"/tiles/idle/{z}/{x}/{y}.mvt")
    assert response.status_code == 401 and response.get_json()["error"]["code"]
