"""The map page in a real browser (Debian's chromium driven by Playwright)."""

from __future__ import annotations

import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from shapely.geometry import box
from werkzeug.serving import make_server

from geo.areas import ellipsoidal_area_m2
from geo.geometry import as_multipolygon, to_db
from geo.models import Parcel
from geo.reference import land_use_codes
from geo.users import create_user
from tests.conftest import PASSWORD, require
from webmap import create_app

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("LANDMATCH_CHROMIUM") or shutil.which("chromium") or ""
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
XSS_NAME = '<img src=x onerror="window.__xss=1">'
XSS_CODE = "XSS-0001"
EDITOR = "browser-editor"  # the account tests sign in with before they change anything
DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.fixture(scope="module")
def server(templates, tmp_path_factory):
    """The demo app, plus a parcel whose name is an HTML payload, served on a free port."""
    folder = tmp_path_factory.mktemp("browser")
    app = create_app({"DATABASE_URL": templates("spatialite").fresh(True, folder)})
    with app.extensions["landmatch.sessions"]() as session:
        shape = as_multipolygon(box(111.300, 35.950, 111.302, 35.9515))
        session.add(Parcel(code=XSS_CODE, layer="stock", name=XSS_NAME, status="available",
                           holder="<script>window.__xss=2</script>", town="汾城镇",
                           area_m2=ellipsoidal_area_m2(shape), geom=to_db(shape),
                           extra={"<b>备注</b>": "<i>x</i>"}))
        create_user(session, EDITOR, PASSWORD, "editor")
        session.commit()
    with serving(app) as url:
        yield url


@contextmanager
def serving(app):
    """Serve ``app`` on a free loopback port from a thread; yield its base URL."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        app.extensions["landmatch.engine"].dispose()


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, headless, with a fresh profile."""
    require(bool(CHROMIUM) and os.path.exists(CHROMIUM),
            "browser tests need Debian's chromium (apt-get install chromium)",
            switch="LANDMATCH_TEST_BROWSER")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.requests = []
    page.on("request", lambda r: page.requests.append(r.url))
    yield page
    context.close()


def sign_in(page, server):
    """Sign in as the editor through the login page, as a member of staff would."""
    page.goto(f"{server}/login")
    page.fill("input[name=name]", EDITOR)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")


def _open_map(page, server, query=""):
    page.goto(f"{server}/{query}")
    page.wait_for_function(
        "() => { const m = document.querySelector('.folium-map');"
        " return ['sites', 'idle', 'stock'].every("
        "   l => Number(m.getAttribute('data-loaded-' + l)) > 0); }",
        timeout=20000,
    )
    return page.evaluate("document.querySelector('.folium-map').id")


def _click_parcel(page, map_id, code):
    """Zoom to a parcel, wait for the layers to reload, click its middle; return the popup."""
    page.evaluate(
        """async ([mapId, code]) => {
            const map = window[mapId];
            const r = await fetch('/api/parcels?layer=' + (code.includes('XZ') ? 'idle' : 'stock')
                                  + '&limit=10000');
            const f = (await r.json()).features.find(f => f.id === code);
            const layer = L.geoJSON(f);
            const done = new Promise(ok => map.once('lm:loaded', ok));
            map.setView(layer.getBounds().getCenter(), 17, {animate: false});
            await done;
        }""",
        [map_id, code],
    )
    # Every layer must have finished reloading, or the click lands on a half-drawn map.
    page.wait_for_function(
        "() => !Array.from(document.querySelector('.folium-map').attributes)"
        ".some(a => a.name.startsWith('data-loading-'))", timeout=10000)
    point = page.evaluate(
        """([mapId, code]) => {
            const map = window[mapId];
            const p = map.latLngToContainerPoint(map.getCenter());
            const box = map.getContainer().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""",
        [map_id, code],
    )
    popup = page.locator(".leaflet-popup-content")
    # A loaded machine may still be painting the canvas: click again, as a person would.
    for attempt in range(3):
        page.mouse.click(*point)
        try:
            popup.wait_for(timeout=3000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    return popup


def test_map_draws_three_layers_from_local_assets_only(page, server):
    _open_map(page, server)
    outside = [u for u in page.requests if not u.startswith(server) and not u.startswith("data:")]
    assert outside == []
    legend = page.locator("#legend").inner_text()
    assert "闲置工业用地" in legend and "存量建设用地" in legend and "项目用地" in legend
    if os.environ.get("LANDMATCH_UPDATE_SCREENSHOT"):
        DOCS.mkdir(exist_ok=True)
        page.screenshot(path=str(DOCS / "map.png"))


def test_clicking_a_parcel_shows_its_attributes_with_units(page, server):
    map_id = _open_map(page, server)
    text = _click_parcel(page, map_id, "141023XZ0001").inner_text()
    assert "141023XZ0001" in text
    # The land-use code shown with its name (whichever the demo drew for this parcel).
    assert any(c.label("zh") in text for c in land_use_codes().values())
    page.wait_for_timeout(800)  # the popup's auto-pan reloads the layers: it must stay open
    assert page.locator(".leaflet-popup-content").is_visible()
    if os.environ.get("LANDMATCH_UPDATE_SCREENSHOT"):
        page.wait_for_timeout(500)  # let the popup finish fading in
        page.screenshot(path=str(DOCS / "map-popup.png"))
    for label in ("地块编号", "面积", "亩", "公顷", "权利人", "容积率", "投资强度", "万元/亩",
                  "闲置原因"):
        assert label in text, label


def test_layers_can_be_switched_off_and_on(page, server):
    map_id = _open_map(page, server)
    count = "(id) => Object.keys(window[id]._layers).length"
    control = page.locator(".leaflet-control-layers-overlays label", has_text="闲置工业用地")
    before = page.evaluate(count, map_id)
    control.locator("input").uncheck()
    assert page.evaluate(count, map_id) < before
    control.locator("input").check()
    page.wait_for_function(
        "() => Number(document.querySelector('.folium-map').getAttribute('data-loaded-idle')) > 0")


def test_user_text_in_a_popup_is_shown_as_text(page, server):
    map_id = _open_map(page, server)
    popup = _click_parcel(page, map_id, XSS_CODE)
    text = popup.inner_text()
    assert XSS_NAME in text and "<script>" in text and "<b>备注</b>" in text
    assert popup.locator("img, script, b, i").count() == 0
    assert page.evaluate("window.__xss") is None


def test_english_interface(page, server):
    map_id = _open_map(page, server, "?lang=en")
    assert "Idle industrial land" in page.locator("#legend").inner_text()
    text = _click_parcel(page, map_id, "141023XZ0001").inner_text()
    assert "Parcel code" in text and "mu" in text
