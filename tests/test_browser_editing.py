"""Editing in a real browser: sign in, draw a parcel, split one; the CSP holds; text stays text."""

from __future__ import annotations

import pytest
from shapely.geometry import box

from geo.areas import ellipsoidal_area_m2
from geo.editing import create_parcel, get_parcel
from geo.lifecycle import get_project
from geo.project_editing import update_project
from geo.users import create_user
from tests.conftest import PASSWORD
from tests.test_browser import _click_parcel, _open_map, browser, serving  # noqa: F401
from webmap import create_app

pytestmark = pytest.mark.browser

XSS_NAME = "<script>window.__xss=1</script><img src=x onerror=window.__xss=2>"
SQUARE = box(111.300, 36.000, 111.302, 36.001)


@pytest.fixture(scope="module")
def served(templates, tmp_path_factory):
    """The demo app with an editor account and a parcel named with a script, on a free port."""
    folder = tmp_path_factory.mktemp("browser-editing")
    app = create_app({"DATABASE_URL": templates("spatialite").fresh(True, folder)})
    with app.extensions["landmatch.sessions"]() as session:
        create_user(session, "editor", PASSWORD, "editor")
        create_parcel(session, {"code": "SPLIT-1", "layer": "stock", "status": "available",
                                "name": XSS_NAME}, SQUARE.__geo_interface__, "setup")
    with serving(app) as url:
        yield app, url


@pytest.fixture
def page(browser, served):  # noqa: F811
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.csp_errors = []
    page.on("console", lambda m: "Content Security Policy" in m.text
            and page.csp_errors.append(m.text))
    yield page
    context.close()


def _sign_in(page, server):
    page.goto(f"{server}/login")
    page.fill("input[name=name]", "editor")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")


def _click_lonlat(page, lon, lat):
    x, y = page.evaluate(
        """([lon, lat]) => {
            const map = window.lmEditMap;
            const p = map.latLngToContainerPoint([lat, lon]);
            const box = map.getContainer().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""", [lon, lat])
    page.mouse.click(x, y)
    page.wait_for_timeout(150)


def _session(app):
    return app.extensions["landmatch.sessions"]()


def test_map_draws_its_three_layers_under_the_content_security_policy(page, served):
    _app, server = served
    response = page.goto(f"{server}/")
    assert "nonce-" in response.headers["content-security-policy"]
    _open_map(page, server)
    assert page.csp_errors == []


def test_a_stored_script_in_a_parcel_name_renders_as_text(page, served):
    _app, server = served
    _sign_in(page, server)
    for path in ("/parcels/SPLIT-1/history", "/parcels/SPLIT-1/edit"):
        page.goto(server + path)
        assert page.evaluate("window.__xss") is None
        assert XSS_NAME in page.locator("main").inner_text() or \
            page.locator("input[name=name]").input_value() == XSS_NAME
    assert page.csp_errors == []


def test_a_stored_script_in_a_project_name_renders_as_text(page, served):
    app, server = served
    with _session(app) as session:
        project = get_project(session, "141023XM004")
        update_project(session, project.code, {"name": XSS_NAME}, project.version, "setup")
    _sign_in(page, server)
    page.goto(f"{server}/projects/141023XM004")
    assert page.evaluate("window.__xss") is None
    assert XSS_NAME in page.locator("main h2").inner_text()
    page.click("#edit-project")
    page.wait_for_url(f"{server}/projects/141023XM004/edit")
    assert page.evaluate("window.__xss") is None
    assert page.locator("input[name=name]").input_value() == XSS_NAME
    assert XSS_NAME in page.locator("#project-link").inner_text()
    assert page.csp_errors == []


def test_drawing_a_new_parcel_on_the_map_saves_it_with_its_area(page, served):
    app, server = served
    _sign_in(page, server)
    page.goto(f"{server}/parcels/new?layer=stock")
    page.evaluate("window.lmEditMap.setView([36.0505, 111.3505], 17, {animate: false})")
    page.click("a.leaflet-draw-draw-polygon")
    corners = [(111.350, 36.050), (111.351, 36.050), (111.351, 36.051), (111.350, 36.051)]
    for lon, lat in corners:
        _click_lonlat(page, lon, lat)
    _click_lonlat(page, *corners[0])  # back on the first vertex closes the polygon
    assert page.locator("#edit-map").get_attribute("data-drawn") == "1"
    page.fill("input[name=code]", "DRAWN-1")
    page.select_option("select[name=status]", "available")
    page.click("#parcel-form button[type=submit]")
    page.wait_for_url(f"{server}/parcels/DRAWN-1/edit")
    with _session(app) as session:
        parcel = get_parcel(session, "DRAWN-1")
        expected = ellipsoidal_area_m2(box(111.350, 36.050, 111.351, 36.051))
        # clicks land on whole pixels: at zoom 17 a pixel is about 1 m, so within 3 %
        assert parcel.area_m2 == pytest.approx(expected, rel=0.03)


def test_splitting_a_parcel_by_a_drawn_line(page, served):
    app, server = served
    _sign_in(page, server)
    page.goto(f"{server}/parcels/SPLIT-1/split")
    page.click("a.leaflet-draw-draw-polyline")
    _click_lonlat(page, 111.3010, 35.9995)
    _click_lonlat(page, 111.3010, 36.0015)
    _click_lonlat(page, 111.3010, 36.0015)  # a second click on the last point finishes
    assert page.locator("#edit-map").get_attribute("data-drawn") == "1"
    page.click("#parcel-form button[type=submit]")
    page.wait_for_url(f"{server}/parcels/SPLIT-1/edit")
    with _session(app) as session:
        halves = [get_parcel(session, "SPLIT-1"), get_parcel(session, "SPLIT-1-2")]
        total = ellipsoidal_area_m2(SQUARE)
        assert sum(p.area_m2 for p in halves) == pytest.approx(total, abs=0.01)
        assert halves[1].area_m2 == pytest.approx(total / 2, rel=0.02)
    assert page.csp_errors == []


def test_an_editor_reaches_the_edit_page_from_a_parcel_popup(page, served):
    _app, server = served
    _sign_in(page, server)
    map_id = _open_map(page, server)
    popup = _click_parcel(page, map_id, "141023XZ0001")
    popup.locator("a.lm-popup-edit").click()
    page.wait_for_url(f"{server}/parcels/141023XZ0001/edit")
    assert page.locator("select[name=status]").count() == 1


def test_an_anonymous_reader_gets_only_the_history_link(page, served):
    _app, server = served
    map_id = _open_map(page, server)
    popup = _click_parcel(page, map_id, "141023XZ0001")
    assert popup.locator("a.lm-popup-history").count() == 1
    assert popup.locator("a.lm-popup-edit").count() == 0


def test_reshaping_a_parcel_by_dragging_a_corner(page, served):
    app, server = served
    with _session(app) as session:
        create_parcel(session, {"code": "SHAPE-1", "layer": "stock", "status": "available"},
                      box(111.360, 36.060, 111.361, 36.061).__geo_interface__, "setup")
        before = get_parcel(session, "SHAPE-1").area_m2
    _sign_in(page, server)
    page.goto(f"{server}/parcels/SHAPE-1/edit")
    page.click("a.leaflet-draw-edit-edit")
    corner = page.locator(".leaflet-editing-icon").first
    corner.wait_for()
    handle = corner.bounding_box()
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 60, y + 60, steps=8)
    page.mouse.up()
    page.click(".leaflet-draw-actions a[title]:first-child")  # "Save" in the edit toolbar
    assert page.locator("#edit-map").get_attribute("data-drawn") == "1"
    page.click("#parcel-form button[type=submit]")
    page.wait_for_url(f"{server}/parcels/SHAPE-1/edit")
    with _session(app) as session:
        parcel = get_parcel(session, "SHAPE-1")
        assert parcel.version == 2 and parcel.area_m2 != pytest.approx(before, rel=0.01)
