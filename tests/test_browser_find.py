"""The map page as a GIS in a real browser: find land by criteria and by words, the result
table and the map agreeing with the API, a shareable address, the map's reading aids
(labels, metric scale, one level per wheel step, one request per layer), one navigation
line on every page, the language switch keeping the query, Leaflet.draw in Chinese."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest

from geo.users import create_user
from tests.conftest import PASSWORD
from tests.test_browser import browser, serving  # noqa: F401  (the browser fixture)
from tests.test_browser_pages import PAGES, _url
from webmap import create_app

pytestmark = pytest.mark.browser

NEW_TOWN = "新城镇"
ADMIN = "find-admin"


@pytest.fixture(scope="module")
def served(templates, tmp_path_factory):
    """The demo app with an admin account, on a free port."""
    folder = tmp_path_factory.mktemp("browser-find")
    app = create_app({"DATABASE_URL": templates("spatialite").fresh(True, folder)})
    with app.extensions["landmatch.sessions"]() as session:
        create_user(session, ADMIN, PASSWORD, "admin")
    with serving(app) as url:
        yield url


@pytest.fixture
def page(browser, served):  # noqa: F811
    """A tab at 1280 × 860 that records console errors and the layer requests it makes."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    tab = context.new_page()
    tab.problems, tab.layer_requests = [], []
    tab.on("console", lambda m: m.type == "error" and tab.problems.append(m.text))
    tab.on("pageerror", lambda e: tab.problems.append(str(e)))
    tab.on("request", lambda r: "/api/layers/" in r.url and "bbox=" in r.url
           and tab.layer_requests.append(r.url))
    yield tab
    context.close()


def _api(served, **query) -> dict:
    url = f"{served}/api/parcels?{urllib.parse.urlencode({**query, 'limit': 10000})}"
    with urllib.request.urlopen(url) as response:
        return json.load(response)


def _open_map(page, url):
    page.goto(url)
    page.wait_for_function(
        "() => { const m = document.querySelector('.folium-map');"
        " return ['sites', 'idle', 'stock'].every(l => m.hasAttribute('data-loaded-' + l)); }",
        timeout=20000)


def _results(page) -> list[str]:
    page.wait_for_selector("#finder[data-found]:not([data-busy])", timeout=10000)
    return page.eval_on_selector_all("#lm-results-table tbody tr",
                                     "rows => rows.map(r => r.dataset.code)")


def _median_area(served) -> float:
    areas = sorted(f["properties"]["area_mu"]
                   for f in _api(served, layer="idle", town=NEW_TOWN)["features"])
    return round(areas[len(areas) // 2], 1)


def test_filtering_idle_land_by_town_and_area_shows_what_the_api_answers(page, served):
    least = _median_area(served)
    expected = sorted(f["id"] for f in _api(served, layer="idle", town=NEW_TOWN,
                                            area_mu_min=least)["features"])
    _open_map(page, f"{served}/")
    page.click("#lm-filter-box summary")
    page.select_option("#lm-filter select[name=layer]", "idle")
    page.select_option("#lm-filter select[name=town]", NEW_TOWN)
    page.fill("#lm-filter input[name=area_mu_min]", str(least))
    page.click("#lm-filter button[type=submit]")
    assert sorted(_results(page)) == expected
    assert page.evaluate("LandMatch.finder.highlighted()") == expected
    assert str(len(expected)) in page.inner_text("#lm-results-summary")
    # Every export format carries the same filters.
    links = page.eval_on_selector_all("#lm-results-export a[data-format]",
                                      "as => as.map(a => a.getAttribute('href'))")
    assert len(links) == 5 and all("area_mu_min=" in h and "town=" in h for h in links)
    # The address is the search: opening it again gives the same table.
    shared = page.url
    assert "area_mu_min=" in shared and "layer=idle" in shared
    page.goto(shared)
    assert sorted(_results(page)) == expected
    assert page.input_value("#lm-filter input[name=area_mu_min]") == str(least)
    assert page.problems == []


def test_a_column_heading_sorts_the_results(page, served):
    _open_map(page, f"{served}/?layer=idle&town={urllib.parse.quote(NEW_TOWN)}")
    _results(page)
    page.click("#lm-results-table th[data-key=area_mu]")
    page.click("#lm-results-table th[data-key=area_mu]")
    values = page.eval_on_selector_all(
        "#lm-results-table tbody td:nth-child(2)", "cells => cells.map(c => +c.dataset.value)")
    assert len(values) > 1 and values == sorted(values, reverse=True)


def test_searching_a_parcel_code_zooms_to_it_and_opens_its_popup(page, served):
    code = _api(served, layer="stock")["features"][0]["id"]
    _open_map(page, f"{served}/")
    page.fill("#lm-search input[name=q]", code)
    page.click("#lm-search button")
    popup = page.wait_for_selector(".leaflet-popup-content .lm-popup", timeout=10000)
    assert code in popup.inner_text()
    assert page.evaluate("LandMatch.layers[0].map.getZoom()") >= 15
    # Popups scroll instead of growing past the window.
    assert page.eval_on_selector(".lm-popup", "p => getComputedStyle(p).overflowY") == "auto"


def test_a_project_page_leads_to_its_site_on_the_map_and_the_site_back(page, served):
    site = _api(served, layer="stock")  # any stock parcel held by a project has a site
    with urllib.request.urlopen(f"{served}/api/layers/sites?limit=1") as response:
        project = json.load(response)["features"][0]["id"]
    page.goto(f"{served}/projects/{urllib.parse.quote(project)}")
    page.click("#project-on-map")
    popup = page.wait_for_selector(".leaflet-popup-content .lm-popup", timeout=10000)
    assert project in page.url
    link = popup.query_selector("a.lm-popup-project")
    assert link is not None and link.get_attribute("href").endswith(project)
    assert site["features"]


def test_the_map_asks_each_layer_once_at_start_up(page, served):
    _open_map(page, f"{served}/")
    page.wait_for_load_state("networkidle")
    layers = sorted(urllib.parse.urlparse(u).path.rsplit("/", 1)[1] for u in page.layer_requests)
    assert layers == ["idle", "sites", "stock"]


def test_the_scale_is_metric_and_a_wheel_step_zooms_one_level(page, served):
    _open_map(page, f"{served}/")
    assert page.locator(".leaflet-control-scale-line").count() == 1
    assert not page.locator(".leaflet-control-scale-line", has_text="mi").count()
    before = page.evaluate("LandMatch.layers[0].map.getZoom()")
    box = page.locator(".folium-map").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -100)
    page.wait_for_timeout(800)
    assert page.evaluate("LandMatch.layers[0].map.getZoom()") == before + 1


def test_parcel_codes_show_as_labels_from_zoom_15_only(page, served):
    feature = _api(served, layer="idle")["features"][0]
    _open_map(page, f"{served}/")
    assert page.locator(".lm-label").count() == 0
    page.evaluate("""(f) => new Promise(done => {
        const map = LandMatch.layers[0].map;
        map.once('lm:drawn', done);
        map.setView(L.geoJSON(f).getBounds().getCenter(), 16, {animate: false});
    })""", feature)
    page.wait_for_function("() => document.querySelectorAll('.lm-label').length > 0")
    assert feature["id"] in page.locator(".lm-label").all_inner_texts()


def test_the_layers_share_no_colour(page, served):
    _open_map(page, f"{served}/")
    colours = page.evaluate("LandMatch.config().colors")
    flat = [c for layer in colours.values() for c in layer.values()]
    assert len(flat) == len(set(flat))


def test_the_language_switch_keeps_the_query(page, served):
    _open_map(page, f"{served}/?layer=idle&town={urllib.parse.quote(NEW_TOWN)}")
    _results(page)
    page.click("a.lm-lang")
    page.wait_for_selector("#finder[data-found]:not([data-busy])")
    assert "layer=idle" in page.url and "town=" in page.url
    assert page.input_value("#lm-filter select[name=town]") == NEW_TOWN
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("#lm-search button") == "Search"
    page.goto(f"{served}/?lang=zh")


def _sign_in(page, served):
    page.goto(f"{served}/login")
    page.fill("input[name=name]", ADMIN)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{served}/")


def test_every_page_has_the_same_navigation_on_one_line_at_1280_px(page, served):
    _sign_in(page, served)
    navigation = None
    for endpoint in PAGES:
        page.goto(f"{served}{_url(endpoint)}")
        links = page.eval_on_selector_all("header nav a", "as => as.map(a => a.textContent)")
        heights = page.eval_on_selector(
            "header.lm-header", "h => [h.getBoundingClientRect().height, "
            "h.querySelector('nav a').getBoundingClientRect().height]")
        assert heights[0] < heights[1] * 2 + 16, f"{endpoint}: the header wraps"
        assert links.count("地图") == 1, endpoint
        navigation = navigation or links
        assert links == navigation, endpoint


def test_leaflet_draw_speaks_chinese_on_the_new_parcel_page(page, served):
    _sign_in(page, served)
    page.goto(f"{served}/parcels/new")
    button = page.wait_for_selector(".leaflet-draw-draw-polygon")
    assert button.get_attribute("title") == "画多边形"
    button.click()
    assert "单击开始绘制图形" in page.inner_text(".leaflet-draw-tooltip")
    assert page.problems == []
