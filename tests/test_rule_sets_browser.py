"""Rule sets on the /match page and the parcel sheet, in a real browser: warnings stand apart."""

from __future__ import annotations

import os

import pytest

from tests import test_browser as shared
from tests.conftest import offer_park_land
from webmap import create_app

pytestmark = pytest.mark.browser
browser, page = shared.browser, shared.page
PARK = "襄汾经济技术开发区"  # provincial: Shanxi's unconfirmed ≥200 万元/亩 (a warning)
SHOTS = os.environ.get("LANDMATCH_TEST_SHOTS")  # a folder for screenshots, when set


@pytest.fixture(scope="module")
def server(templates, tmp_path_factory):
    """The demo app with industrial land on offer in the park, served on a free port."""
    app = create_app({"DATABASE_URL": templates("spatialite").fresh(
        True, tmp_path_factory.mktemp("rules"))})
    with app.extensions["landmatch.sessions"]() as session:
        offer_park_land(session, PARK)
    with shared.serving(app) as url:
        yield url


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"rules-{name}.png"), full_page=True)


def _run_low_investment_in_the_park(page, server, on="2022-06-01"):
    page.goto(f"{server}/match")
    page.select_option("#need-parks", PARK)
    page.fill("#need-total_investment", "100")
    page.fill("#need-max_distance_km", "")
    if on:
        page.fill("#need-on", on)
    page.click("#run-match")
    page.wait_for_selector("#match-results li", timeout=20000)


def test_a_warning_is_shown_apart_from_passes_and_failures(page, server):
    _run_low_investment_in_the_park(page, server)
    first = page.locator("#match-results li").first
    assert "⚠" in first.locator(".lm-warn-tag").inner_text()
    first.locator("summary").click()
    row = first.locator('tr[data-check="investment_intensity"]')
    assert row.get_attribute("class") == "lm-warn" and row.get_attribute("data-severity") == \
        "warning"
    text = row.inner_text()
    assert "未经核实" in text and "新闻报道" in text and "地区类别未知" in text
    assert first.locator("tr.lm-fail").count() == 0
    # Warned rows are coloured unlike passes and failures.
    colours = {cls: page.evaluate(
        "c => { const td = document.querySelector('#match-results tr.' + c + ' td');"
        " return td ? getComputedStyle(td).backgroundColor : null; }", cls)
        for cls in ("lm-warn", "lm-pass")}
    assert colours["lm-warn"] and colours["lm-warn"] != colours["lm-pass"]
    rules = page.locator("#match-rules").inner_text()
    assert "2022-06-01" in rules and "2008版" in rules and "2023" not in rules
    _shot(page, "match-warning")


def test_today_the_page_names_the_2023_edition(page, server):
    page.goto(f"{server}/match")
    page.click("#run-match")
    page.wait_for_selector("#match-results li", timeout=20000)
    rules = page.locator("#match-rules").inner_text()
    assert "2023版（待确认）" in rules and "地区类别" in rules
    _shot(page, "match-today")


def test_the_parcel_sheet_marks_the_warning(page, server):
    _run_low_investment_in_the_park(page, server)
    href = page.locator("#match-results .lm-sheet-link").first.get_attribute("href")
    page.goto(f"{server}{href}")
    row = page.locator('#sheet-checks tr[data-check="investment_intensity"]')
    assert row.get_attribute("class") == "lm-warn"
    assert "提醒" in row.inner_text() and "新闻报道" in row.inner_text()
    assert "2008版" in page.locator('#sheet-checks tr[data-check="plot_ratio"]').inner_text() \
        if page.locator('#sheet-checks tr[data-check="plot_ratio"]').count() else True
    _shot(page, "sheet-warning")
