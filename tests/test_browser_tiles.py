"""The map drawn from vector tiles in a real browser: features, popups, switching back."""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from shapely.geometry import box

from geo.areas import ellipsoidal_area_m2
from geo.geometry import as_multipolygon, to_db
from geo.models import Parcel
from tests.test_browser import browser, serving  # noqa: F401
from webmap import create_app

pytestmark = pytest.mark.browser

XSS_CODE = "XSS-TILE-1"
XSS_NAME = '<img src=x onerror="window.__xss=1">'
CODE = "141023XZ0001"


@pytest.fixture(scope="module")
def served(templates, tmp_path_factory):
    """The demo app (plus a parcel named with markup) on a free port; its config may change."""
    folder = tmp_path_factory.mktemp("browser-tiles")
    app = create_app({"DATABASE_URL": templates("spatialite").fresh(True, folder)})
    with app.extensions["landmatch.sessions"]() as session:
        shape = as_multipolygon(box(111.310, 35.950, 111.312, 35.9515))
        session.add(Parcel(code=XSS_CODE, layer="stock", name=XSS_NAME, status="available",
                           holder="<script>window.__xss=2</script>", area_m2=
                           ellipsoidal_area_m2(shape), geom=to_db(shape)))
        session.commit()
    with serving(app) as url:
        yield app, url


@pytest.fixture
def page(browser, served):  # noqa: F811
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.requests, page.problems = [], []
    page.on("request", lambda r: page.requests.append(r.url))
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
    yield page
    context.close()


def open_map(page, served, threshold: int) -> str:
    """Open the map with ``threshold``; wait until every layer is drawn; return the map's id."""
    app, server = served
    app.config["MAP_TILE_THRESHOLD"] = threshold
    page.goto(f"{server}/")
    wait_drawn(page)
    return page.evaluate("document.querySelector('.folium-map').id")


def wait_drawn(page) -> None:
    page.wait_for_function(
        "() => { const m = document.querySelector('.folium-map');"
        " return m.getAttribute('data-pending') === '0'"
        "   && ['sites', 'idle', 'stock'].every(l => m.hasAttribute('data-loaded-' + l)); }",
        timeout=20000)


def modes(page) -> dict[str, str]:
    return page.evaluate(
        "() => Object.fromEntries(['sites', 'idle', 'stock'].map(l => [l,"
        " document.querySelector('.folium-map').getAttribute('data-mode-' + l)]))")


def go_to(page, map_id: str, code: str, layer: str, zoom: int) -> None:
    """Centre the map on a parcel at ``zoom`` and wait until the layers are drawn again."""
    page.evaluate(
        """async ([mapId, code, layer, zoom]) => {
            const map = window[mapId];
            const r = await fetch('/ogc/collections/' + layer + '/items/' + code + '?f=json');
            const centre = L.geoJSON(await r.json()).getBounds().getCenter();
            const drawn = new Promise(ok => map.once('lm:drawn', ok));
            map.setView(centre, zoom, {animate: false});
            await drawn;
        }""",
        [map_id, code, layer, zoom],
    )
    wait_drawn(page)


def click_centre(page, map_id: str):
    """Click the middle of the map, as a person would (again if the canvas was not ready)."""
    point = page.evaluate(
        """(mapId) => {
            const map = window[mapId];
            const p = map.latLngToContainerPoint(map.getCenter());
            const box = map.getContainer().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""", map_id)
    popup = page.locator(".leaflet-popup-content")
    for attempt in range(3):
        page.mouse.click(*point)
        try:
            popup.wait_for(timeout=3000)
            return popup
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    return popup


def test_with_a_low_threshold_the_layers_are_drawn_from_tiles(page, served):
    map_id = open_map(page, served, threshold=0)
    assert modes(page) == {"sites": "tiles", "idle": "tiles", "stock": "tiles"}
    _app, server = served
    assert any("/tiles/stock/11/" in u for u in page.requests)
    assert not any("/api/layers/" in u for u in page.requests)
    assert [u for u in page.requests if not u.startswith(server)] == []
    drawn = page.evaluate(
        "() => Number(document.querySelector('.folium-map').getAttribute('data-loaded-stock'))")
    assert drawn > 100
    # the tiles paint the parcels' colours on their canvases
    painted = page.evaluate(
        """(mapId) => Array.from(document.querySelectorAll('.leaflet-tile-pane canvas'))
            .some(c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                         for (let i = 3; i < d.length; i += 4) if (d[i]) return true;
                         return false; })""", map_id)
    assert painted
    legend = page.locator("#legend").inner_text()
    assert "闲置工业用地" in legend and "存量建设用地" in legend and "项目用地" in legend
    assert page.problems == []


def test_clicking_a_tile_feature_opens_its_popup_with_every_attribute(page, served):
    map_id = open_map(page, served, threshold=0)
    go_to(page, map_id, CODE, "idle", 16)
    assert modes(page)["idle"] == "tiles"
    text = click_centre(page, map_id).inner_text()
    assert CODE in text
    for label in ("地块编号", "面积", "亩", "公顷", "权利人", "容积率", "投资强度", "万元/亩",
                  "闲置原因"):
        assert label in text, label
    assert any(f"/ogc/collections/idle/items/{CODE}" in u for u in page.requests)
    assert page.problems == []


def test_user_text_in_a_tile_popup_is_shown_as_text(page, served):
    map_id = open_map(page, served, threshold=0)
    go_to(page, map_id, XSS_CODE, "stock", 17)
    popup = click_centre(page, map_id)
    text = popup.inner_text()
    assert XSS_NAME in text and "<script>" in text
    assert popup.locator("img, script").count() == 0
    assert page.evaluate("window.__xss") is None
    assert page.problems == []


def test_zooming_in_past_the_threshold_goes_back_to_geojson(page, served):
    # The county holds some 300 stock parcels, fewer idle ones; a street some dozens.
    map_id = open_map(page, served, threshold=150)
    assert modes(page) == {"sites": "geojson", "idle": "geojson", "stock": "tiles"}
    go_to(page, map_id, CODE, "idle", 17)
    assert modes(page) == {"sites": "geojson", "idle": "geojson", "stock": "geojson"}
    text = click_centre(page, map_id).inner_text()
    assert CODE in text and "闲置原因" in text
    page.evaluate("(mapId) => window[mapId].setZoom(11, {animate: false})", map_id)
    wait_drawn(page)
    assert modes(page)["stock"] == "tiles"
    assert page.problems == []


def test_the_layer_control_switches_a_tile_layer_off_and_on(page, served):
    open_map(page, served, threshold=0)
    grids = "() => document.querySelectorAll('.leaflet-tile-pane .leaflet-layer').length"
    before = page.evaluate(grids)
    control = page.locator(".leaflet-control-layers-overlays label", has_text="存量建设用地")
    control.locator("input").uncheck()
    assert page.evaluate(grids) == before - 1
    control.locator("input").check()
    wait_drawn(page)
    assert page.evaluate(grids) == before
    assert modes(page)["stock"] == "tiles"
