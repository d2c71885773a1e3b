"""OGC API – Features at /ogc, read by real clients (GDAL's OAPIF driver, OWSLib) and by hand."""

from __future__ import annotations

import subprocess
import sys

import pyogrio
import pytest
from shapely.geometry import box, shape

BBOX = (111.40, 35.80, 111.50, 35.90)


SERVE = """
import sys
from werkzeug.serving import make_server
from webmap import create_app
app = create_app({"DATABASE_URL": sys.argv[1], "SECRET_KEY": "test"})
httpd = make_server("127.0.0.1", 0, app, threaded=True)
print(httpd.server_port, flush=True)
httpd.serve_forever()
"""


@pytest.fixture(scope="module")
def server(templates, tmp_path_factory):
    """The demo app served on a free port by another process, as a GIS would reach it.

    Another process, not a thread: GDAL keeps Python's GIL while it fetches, so a server
    thread in the test process could never answer it.
    """
    folder = tmp_path_factory.mktemp("ogc")
    url = templates("spatialite").fresh(True, folder)
    child = subprocess.Popen([sys.executable, "-c", SERVE, url], stdout=subprocess.PIPE,
                             text=True, cwd=str(folder))
    port = child.stdout.readline().strip()
    yield f"http://127.0.0.1:{port}"
    child.terminate()
    child.wait(timeout=10)
    child.stdout.close()


def _all_codes(client, layer):
    data = client.get(f"/api/parcels?layer={layer}&limit=10000").get_json()
    return {f["id"]: f for f in data["features"]}


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
def test_gdal_oapif_driver_reads_every_parcel_of_a_collection(server, client):
    frame = pyogrio.read_dataframe(f"OAPIF:{server}/ogc", layer="idle")
    expected = _all_codes(client, "idle")
    assert sorted(frame["code"]) == sorted(expected)
    one = frame[frame["code"] == "141023XZ0001"].iloc[0]
    assert one["holder"] == expected["141023XZ0001"]["properties"]["holder"]
    assert one.geometry.equals_exact(shape(expected["141023XZ0001"]["geometry"]), 1e-7)


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
def test_gdal_oapif_driver_filters_by_bbox(server, client):
    frame = pyogrio.read_dataframe(f"OAPIF:{server}/ogc", layer="stock", bbox=BBOX)
    expected = {c for c, f in _all_codes(client, "stock").items()
                if shape(f["geometry"]).intersects(box(*BBOX))}
    assert set(frame["code"]) == expected and expected


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
def test_owslib_lists_collections_and_pages_through_items(server, client):
    from owslib.ogcapi.features import Features

    api = Features(f"{server}/ogc")
    assert {c["id"] for c in api.collections()["collections"]} == {"sites", "idle", "stock"}
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in (
        api.conformance()["conformsTo"])
    page = api.collection_items("idle", limit=10, offset=10, status="idle")
    assert page["numberReturned"] == 10
    matched = client.get("/api/parcels?layer=idle&status=idle").get_json()["numberMatched"]
    assert page["numberMatched"] == matched
    assert all(f["properties"]["status"] == "idle" for f in page["features"])
    one = api.collection_item("idle", "141023XZ0001")
    assert one["id"] == "141023XZ0001" and one["geometry"]["type"] == "MultiPolygon"


def test_items_page_with_next_and_prev_links(client):
    first = client.get("/ogc/collections/idle/items?limit=5").get_json()
    assert first["numberReturned"] == 5 and first["numberMatched"] >= 60
    rels = {link["rel"]: link["href"] for link in first["links"]}
    assert "prev" not in rels and "offset=5" in rels["next"]
    second = client.get(rels["next"].replace("http://localhost", "")).get_json()
    assert {f["id"] for f in second["features"]}.isdisjoint(f["id"] for f in first["features"])
    assert "prev" in {link["rel"] for link in second["links"]}


def test_limit_above_the_maximum_is_lowered_not_refused(client):
    response = client.get("/ogc/collections/stock/items?limit=50000")
    assert response.status_code == 200
    assert response.get_json()["numberReturned"] == response.get_json()["numberMatched"]


def test_unknown_collection_and_item_are_404_in_the_error_shape(client):
    for url in ("/ogc/collections/forest", "/ogc/collections/idle/items/NOPE"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"


def test_bad_bbox_names_the_parameter(client):
    response = client.get("/ogc/collections/idle/items?bbox=1,2,3")
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "bbox"


def test_html_by_f_or_accept_and_json_by_default(client):
    assert client.get("/ogc/collections").mimetype == "application/json"
    page = client.get("/ogc/collections", headers={"Accept": "text/html"})
    assert page.mimetype == "text/html" and "闲置工业用地" in page.get_data(as_text=True)
    items = client.get("/ogc/collections/idle/items?f=html&limit=2").get_data(as_text=True)
    assert "141023XZ0001" in items and "容积率" in items and "cdn" not in items.lower()
    assert client.get("/ogc/collections/idle/items/141023XZ0001?f=json").mimetype == \
        "application/geo+json"
    assert client.get("/ogc?f=xml").status_code == 400


def test_landing_page_links_conformance_data_and_api(client):
    links = {link["rel"]: link["href"] for link in client.get("/ogc").get_json()["links"]}
    assert links["conformance"].endswith("/ogc/conformance")
    assert links["data"].endswith("/ogc/collections")
    assert client.get(links["service-desc"].replace("http://localhost", "")).status_code == 200
