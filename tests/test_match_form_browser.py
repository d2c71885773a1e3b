"""The match form in a real browser: sections, errors at the top and by the field, industry by
name, towns from a list, visible defaults, units, near misses with what to relax."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests import test_browser as shared

pytestmark = pytest.mark.browser
browser, server, page = shared.browser, shared.server, shared.page
SHOTS = Path(os.environ.get("LANDMATCH_SHOTS", "/work/notes/shots"))


def _shot(page, name: str) -> None:
    """Keep a screenshot for people to look at (when the folder exists)."""
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / f"matchux-{name}.png"), full_page=False)


def _set(page, field: str, value: str) -> None:
    page.fill(f"#need-{field}", value)


def _match(page) -> None:
    page.click("#run-match")
    page.wait_for_selector("#match-summary:not(:empty)", timeout=20000)


def test_the_form_is_in_sections_two_columns_with_defaults_marked(page, server):
    page.goto(f"{server}/match")
    legends = page.locator(".lm-section legend").all_inner_texts()
    assert {"项目", "用地", "区位", "规划指标", "配套条件"} <= set(legends)
    first, second = page.locator(".lm-section").nth(0), page.locator(".lm-section").nth(1)
    a, b = first.bounding_box(), second.bounding_box()
    assert b["x"] > a["x"] + a["width"] - 5 and abs(b["y"] - a["y"]) < 5  # side by side
    # Every prefilled value wears the 默认 tag; changing it takes the tag off, reset puts it back.
    area = page.locator('.lm-field[data-field="area_min_mu"] .lm-default-tag')
    assert area.is_visible() and page.input_value("#need-area_min_mu") == "20"
    _set(page, "area_min_mu", "50")
    assert not area.is_visible()
    page.click("#reset-defaults")
    assert area.is_visible() and page.input_value("#need-area_min_mu") == "20"
    page.click("#clear-needs")
    assert page.input_value("#need-total_investment") == "" and not area.is_visible()
    # Units beside every number.
    assert page.locator('.lm-field[data-field="area_min_mu"] .lm-unit').inner_text() == "亩"
    assert page.locator('.lm-field[data-field="lon"] .lm-unit').inner_text() == "°"


def test_errors_are_listed_at_the_top_and_beside_each_field(page, server):
    page.goto(f"{server}/match")
    _set(page, "total_investment", "-5")
    _set(page, "area_min_mu", "abc")
    _set(page, "industry", "")
    page.click("#run-match")
    summary = page.locator("#match-error")
    assert summary.is_visible()
    items = summary.locator("li").all_inner_texts()
    assert len(items) == 3
    assert any("行业代码" in t for t in items) and any("固定资产投资" in t for t in items)
    assert "用地面积下限" in page.locator("#err-area_min_mu").inner_text()
    assert page.locator("#need-total_investment").get_attribute("aria-invalid") == "true"
    top = summary.bounding_box()
    assert 0 <= top["y"] < 300  # at the top of the panel, not below the fold
    _shot(page, "form-errors")


def test_a_misspelt_park_cannot_be_typed_and_an_unknown_one_is_named(page, server):
    page.goto(f"{server}/match")
    options = page.locator("#need-parks option").all_inner_texts()
    assert "襄汾经济技术开发区" in options
    assert page.locator("#need-towns option").count() == 13
    # A request that bypasses the list gets the server's answer beside the field.
    page.evaluate("""() => {
        const o = document.createElement('option');
        o.value = '襄汾经济开发区'; o.textContent = o.value; o.selected = true;
        document.getElementById('need-parks').appendChild(o);
    }""")
    page.click("#run-match")
    page.wait_for_selector("#err-parks:not(:empty)", timeout=10000)
    assert "意向园区" in page.locator("#err-parks").inner_text()
    assert "襄汾经济开发区" in page.locator("#match-error").inner_text()


def test_industry_by_name_and_towns_from_the_list_give_candidates_with_units(page, server):
    page.goto(f"{server}/match")
    _set(page, "industry", "专用设备制造业")
    _set(page, "area_min_mu", "50")
    _set(page, "area_max_mu", "80")
    _set(page, "total_investment", "30000")
    _set(page, "max_distance_km", "")
    _match(page)
    items = page.locator("#match-results li")
    assert items.count() > 0
    text = items.first.inner_text()
    assert re.search(r"\d+(\.\d+)? 亩", text)
    # Score parts read as points out of their weight.
    assert re.search(r"距离 \d+\.\d / 15 分", text) and re.search(r"面积契合 \d+\.\d / 30 分", text)
    assert re.search(r"得分 \d+\.\d / 100 分", text)
    assert page.locator("#match-summary").is_visible()  # scrolled into view
    _shot(page, "form-results")
    if os.environ.get("LANDMATCH_UPDATE_SCREENSHOT"):
        page.wait_for_timeout(800)
        page.screenshot(path=str(shared.DOCS / "match.png"))


def test_a_project_too_large_for_any_parcel_shows_near_misses_and_relaxes(page, server):
    page.goto(f"{server}/match")
    _set(page, "area_min_mu", "500")
    _set(page, "area_max_mu", "")
    _set(page, "total_investment", "60000")
    _set(page, "max_distance_km", "")
    _match(page)
    assert "没有地块通过全部检查" in page.locator("#match-summary").inner_text()
    box = page.locator("#near-misses")
    assert box.is_visible()
    relax = box.locator(".lm-relax").first
    text = relax.inner_text()
    found = re.fullmatch(r"用地面积下限降到 (\d+) 亩：(\d+) 块", text)
    assert found, text
    assert box.locator(".lm-miss").count() >= 1
    assert "用地面积下限降到" in box.locator(".lm-miss").first.inner_text()
    page.evaluate("() => document.getElementById('near-misses').scrollIntoView()")
    _shot(page, "near-misses")
    relax.click()
    page.wait_for_function("() => document.querySelectorAll('#match-results li').length > 0",
                           timeout=20000)
    assert page.input_value("#need-area_min_mu") == found.group(1)
    assert page.locator("#match-results li").count() >= int(found.group(2))
