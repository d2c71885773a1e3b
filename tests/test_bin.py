"""The bin, enforced once: a binned parcel or project is in no read, page, API, file or tile."""

import io
import math
import re

import openpyxl
import pytest
from sqlalchemy import select

from geo.editing import delete_parcel
from geo.models import Parcel, Project
from geo.offers import seeking_projects
from geo.project_editing import delete_project
from geo.supply import offerable_clause
from tests.conftest import login
from tests.test_security import MATRIX

# The reads that show the bin on purpose: to editors, so they can restore from it.
SHOWS_THE_BIN = {"editing.history", "edit_api.history", "project_editing.history",
                 "edit_api.project_history", "admin.bin_"}
READS = sorted(key for key, (_url, _body, outcome) in MATRIX.items()
               if key[1] == "GET" and key[0] not in SHOWS_THE_BIN and outcome[3] == "ok")


@pytest.fixture
def binned(app, client):
    """Bin a stock parcel that can be offered, an idle one, and a project without land."""
    login(client, "admin")
    with app.extensions["landmatch.sessions"]() as s:
        stock = s.scalars(select(Parcel).where(Parcel.layer == "stock", offerable_clause())
                          .order_by(Parcel.area_m2.desc())).first()
        idle = s.scalars(select(Parcel).where(Parcel.layer == "idle")).first()
        project = s.scalars(select(Project).where(Project.stage == "pipeline",
                                                  Project.site.is_not(None))).first() or \
            s.scalars(select(Project).where(Project.stage == "pipeline")).first()
        found = {"stock": stock.code, "idle": idle.code, "project": project.code,
                 "lonlat": s.execute(select(Parcel.geom.ST_Centroid().ST_X(),
                                            Parcel.geom.ST_Centroid().ST_Y())
                                     .where(Parcel.id == stock.id)).one()}
        for parcel in (stock, idle):
            delete_parcel(s, parcel.code, parcel.version, "test-admin")
        delete_project(s, project.code, project.version, "test-admin")
    return found


def _tile(lon: float, lat: float, z: int = 14) -> tuple[int, int]:
    n = 2 ** z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def _url(key, binned) -> str:
    url = MATRIX[key][0].replace("141023XZ0001", binned["idle"]).replace(
        "141023XM004", binned["project"]).replace("limit=1", "limit=10000")
    if key[0] == "tiles.tile":
        x, y = _tile(*binned["lonlat"])
        url = f"/tiles/stock/14/{x}/{y}.mvt"
    return url


def _text(response) -> str:
    if response.mimetype.endswith("spreadsheetml.sheet"):
        book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
        return " ".join(str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
                        for c in row if c is not None)
    return response.data.decode("utf-8", "replace")


def _present(code: str, text: str) -> bool:
    return re.search(re.escape(code) + r"(?!\d)", text) is not None


@pytest.mark.parametrize("key", READS, ids=lambda k: k[0])
def test_a_binned_record_is_in_no_read(client, binned, key):
    url = _url(key, binned)
    response = client.get(url)
    named = [c for c in (binned["idle"], binned["project"]) if c in url]
    if named:
        assert response.status_code == 404, url
        return
    assert response.status_code == 200, (url, response.status_code)
    text = _text(response)
    for code in (binned["stock"], binned["idle"], binned["project"]):
        assert not _present(code, text), f"{code} is still in {url}"


@pytest.mark.parametrize("fmt", ["geojson", "csv", "xlsx"])
@pytest.mark.parametrize("layer", ["stock", "idle", "sites"])
def test_a_binned_record_is_in_no_export(client, binned, fmt, layer):
    response = client.get(f"/export/{layer}.{fmt}")
    assert response.status_code == 200
    text = _text(response)
    for code in (binned["stock"], binned["idle"], binned["project"]):
        assert not _present(code, text)


def test_a_binned_parcel_is_no_match_candidate_and_has_no_sheet(client, binned):
    body = client.post("/api/match", json={"industry": "35", "land_class": "industrial",
                                           "area_min_mu": 1, "area_max_mu": 1000,
                                           "total_investment": 100000}).get_json()
    codes = {c["code"] for c in body["candidates"]} | {r["code"] for r in body["rejected"]}
    assert codes and binned["stock"] not in codes
    needs = {"industry": "35", "land_class": "industrial", "total_investment": 5000,
             "area_min_mu": 10}
    assert client.post(f"/api/match/explain/{binned['stock']}", json=needs).status_code == 404
    assert client.get(f"/match/sheet/{binned['stock']}").status_code == 404
    assert client.get(f"/api/parcels/{binned['stock']}").status_code == 404


def test_a_binned_project_seeks_no_land_and_takes_no_offer(app, binned):
    with app.extensions["landmatch.sessions"]() as s:
        assert binned["project"] not in {p.code for p in seeking_projects(s)}


def test_history_and_the_bin_page_still_show_binned_records_to_staff(client, binned):
    assert binned["stock"] in client.get("/admin/bin").get_data(as_text=True)
    history = client.get(f"/api/parcels/{binned['stock']}/history")
    assert history.status_code == 200
